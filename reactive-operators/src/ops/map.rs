use std::marker::PhantomData;

use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// The publisher returned by [`PublisherExt::map`](crate::PublisherExt::map).
pub struct Map<P, F, T> {
    source: P,
    f: F,
    _input: PhantomData<fn(T)>,
}

impl<P, F, T> Map<P, F, T> {
    pub(crate) fn new(source: P, f: F) -> Self {
        Map {
            source,
            f,
            _input: PhantomData,
        }
    }
}

impl<P: Clone, F: Clone, T> Clone for Map<P, F, T> {
    fn clone(&self) -> Self {
        Map::new(self.source.clone(), self.f.clone())
    }
}

impl<P: std::fmt::Debug, F, T> std::fmt::Debug for Map<P, F, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Map")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<P, F, T, U> Publisher<U> for Map<P, F, T>
where
    P: Publisher<T>,
    F: FnMut(T) -> U + Clone + Send + 'static,
{
    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<U> + 'static,
    {
        self.source.subscribe(MapSubscriber {
            downstream: subscriber,
            f: self.f.clone(),
        });
    }
}

struct MapSubscriber<S, F> {
    downstream: S,
    f: F,
}

impl<T, U, S, F> Subscriber<T> for MapSubscriber<S, F>
where
    S: Subscriber<U>,
    F: FnMut(T) -> U + Send,
{
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // Map changes no demand, so the upstream subscription goes downstream unchanged.
        self.downstream.on_subscribe(subscription);
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        self.downstream.on_next((self.f)(item));
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        self.downstream.try_on_next((self.f)(item))
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        self.downstream.on_error(error);
    }

    #[inline]
    fn on_complete(&mut self) {
        self.downstream.on_complete();
    }
}
