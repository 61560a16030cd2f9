use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// The publisher returned by [`PublisherExt::map`](crate::PublisherExt::map).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Map<P, F> {
    source: P,
    f: F,
}

impl<P, F> Map<P, F> {
    pub(crate) fn new(source: P, f: F) -> Self {
        Map { source, f }
    }
}

impl<P: std::fmt::Debug, F> std::fmt::Debug for Map<P, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Map")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<P, F, U> Publisher for Map<P, F>
where
    P: Publisher,
    F: FnMut(P::Item) -> U + Clone + Send + 'static,
{
    type Item = U;

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
