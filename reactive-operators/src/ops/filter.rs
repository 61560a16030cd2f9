use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// The publisher returned by [`PublisherExt::filter`](crate::PublisherExt::filter).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Filter<P, F> {
    source: P,
    predicate: F,
}

impl<P, F> Filter<P, F> {
    pub(crate) fn new(source: P, predicate: F) -> Self {
        Filter { source, predicate }
    }
}

impl<P: std::fmt::Debug, F> std::fmt::Debug for Filter<P, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Filter")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<P, F> Publisher for Filter<P, F>
where
    P: Publisher,
    F: FnMut(&P::Item) -> bool + Clone + Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(FilterSubscriber {
            downstream: subscriber,
            predicate: self.predicate.clone(),
            upstream: None,
        });
    }
}

struct FilterSubscriber<S, F> {
    downstream: S,
    predicate: F,
    upstream: Option<SubscriptionRef>,
}

impl<T, S, F> Subscriber<T> for FilterSubscriber<S, F>
where
    S: Subscriber<T>,
    F: FnMut(&T) -> bool + Send,
{
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.upstream.is_some() {
            // Rule 2.5: a second subscription is cancelled, and must not replace the first
            // (rejected items are replaced with requests to the first).
            subscription.cancel();
            return;
        }
        self.upstream = Some(subscription.clone());
        self.downstream.on_subscribe(subscription);
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if (self.predicate)(&item) {
            self.downstream.on_next(item);
        } else if let Some(upstream) = &self.upstream {
            // The upstream counted this item against the downstream's demand; replace it.
            upstream.request(1);
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        // Conditional path: a rejected item is reported as "not delivered", so a source that
        // calls this does not count it and no `request(1)` is needed.
        (self.predicate)(&item) && self.downstream.try_on_next(item)
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        self.upstream = None;
        self.downstream.on_error(error);
    }

    #[inline]
    fn on_complete(&mut self) {
        self.upstream = None;
        self.downstream.on_complete();
    }
}
