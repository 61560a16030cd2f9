use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef, UNBOUNDED};

/// The publisher returned by
/// [`PublisherExt::ignore_elements`](crate::PublisherExt::ignore_elements).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct IgnoreElements<P> {
    source: P,
}

impl<P> IgnoreElements<P> {
    pub(crate) fn new(source: P) -> Self {
        IgnoreElements { source }
    }
}

impl<P: Publisher> Publisher for IgnoreElements<P> {
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(IgnoreElementsSubscriber {
            downstream: subscriber,
            subscribed: false,
        });
    }
}

struct IgnoreElementsSubscriber<S> {
    downstream: S,
    subscribed: bool,
}

impl<T, S: Subscriber<T>> Subscriber<T> for IgnoreElementsSubscriber<S> {
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.subscribed {
            // Rule 2.5: a second subscription is cancelled, the first one stays.
            subscription.cancel();
            return;
        }
        self.subscribed = true;
        // The downstream's requests (and cancel) go upstream unchanged: on top of the
        // unbounded demand they change nothing, except that `request(0)` makes the upstream
        // report rule 3.9. The downstream gets its subscription first, so that nothing the
        // unbounded request sets off reaches it before `on_subscribe`.
        self.downstream.on_subscribe(subscription.clone());
        subscription.request(UNBOUNDED);
    }

    #[inline]
    fn on_next(&mut self, _item: T) {}

    #[inline]
    fn try_on_next(&mut self, _item: T) -> bool {
        // Consumed: counted against the operator's own unbounded demand.
        true
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
