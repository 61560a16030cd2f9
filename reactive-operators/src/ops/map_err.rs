use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// The publisher returned by [`PublisherExt::map_err`](crate::PublisherExt::map_err).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct MapErr<P, F> {
    source: P,
    f: F,
}

impl<P, F> MapErr<P, F> {
    pub(crate) fn new(source: P, f: F) -> Self {
        MapErr { source, f }
    }
}

impl<P: std::fmt::Debug, F> std::fmt::Debug for MapErr<P, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MapErr")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<P, F, E> Publisher for MapErr<P, F>
where
    P: Publisher,
    F: FnMut(Error) -> E + Clone + Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(MapErrSubscriber {
            downstream: subscriber,
            f: self.f.clone(),
        });
    }
}

struct MapErrSubscriber<S, F> {
    downstream: S,
    f: F,
}

impl<T, S, F, E> Subscriber<T> for MapErrSubscriber<S, F>
where
    S: Subscriber<T>,
    F: FnMut(Error) -> E + Send,
    E: std::error::Error + Send + Sync + 'static,
{
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // Items and demand are untouched: the upstream subscription goes downstream unchanged.
        self.downstream.on_subscribe(subscription);
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        self.downstream.on_next(item);
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        self.downstream.try_on_next(item)
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        let mapped = Error::user((self.f)(error));
        self.downstream.on_error(mapped);
    }

    #[inline]
    fn on_complete(&mut self) {
        self.downstream.on_complete();
    }
}
