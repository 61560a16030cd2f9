use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// The publisher returned by [`PublisherExt::enumerate`](crate::PublisherExt::enumerate).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct Enumerate<P> {
    source: P,
}

impl<P> Enumerate<P> {
    pub(crate) fn new(source: P) -> Self {
        Enumerate { source }
    }
}

impl<P: Publisher> Publisher for Enumerate<P> {
    type Item = (usize, P::Item);

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<(usize, P::Item)> + 'static,
    {
        self.source.subscribe(EnumerateSubscriber {
            downstream: subscriber,
            count: 0,
        });
    }
}

struct EnumerateSubscriber<S> {
    downstream: S,
    /// The index of the next item.
    count: usize,
}

impl<S> EnumerateSubscriber<S> {
    /// The index of this item; as `Iterator::enumerate`, overflow panics when overflow checks
    /// are on (debug builds) and wraps otherwise.
    #[inline]
    fn index(&mut self) -> usize {
        let i = self.count;
        self.count += 1;
        i
    }
}

impl<T, S: Subscriber<(usize, T)>> Subscriber<T> for EnumerateSubscriber<S> {
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // Enumerate changes no demand, so the upstream subscription goes downstream unchanged.
        self.downstream.on_subscribe(subscription);
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        let i = self.index();
        self.downstream.on_next((i, item));
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        // The index counts the items seen, as `Iterator::enumerate` does, whether the stage
        // below keeps them or not.
        let i = self.index();
        self.downstream.try_on_next((i, item))
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
