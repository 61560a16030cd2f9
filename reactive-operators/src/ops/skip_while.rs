use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// The publisher returned by [`PublisherExt::skip_while`](crate::PublisherExt::skip_while).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct SkipWhile<P, F> {
    source: P,
    predicate: F,
}

impl<P, F> SkipWhile<P, F> {
    pub(crate) fn new(source: P, predicate: F) -> Self {
        SkipWhile { source, predicate }
    }
}

impl<P: std::fmt::Debug, F> std::fmt::Debug for SkipWhile<P, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SkipWhile")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<P, F> Publisher for SkipWhile<P, F>
where
    P: Publisher,
    F: FnMut(&P::Item) -> bool + Clone + Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(SkipWhileSubscriber {
            downstream: subscriber,
            predicate: self.predicate.clone(),
            skipping: true,
            upstream: None,
        });
    }
}

struct SkipWhileSubscriber<S, F> {
    downstream: S,
    predicate: F,
    /// Until the predicate first fails; never asked again after that.
    skipping: bool,
    upstream: Option<SubscriptionRef>,
}

impl<S, F> SkipWhileSubscriber<S, F> {
    /// Whether `item` is dropped; the first item the predicate rejects ends the skipping.
    #[inline]
    fn skips<T>(&mut self, item: &T) -> bool
    where
        F: FnMut(&T) -> bool,
    {
        if self.skipping {
            if (self.predicate)(item) {
                return true;
            }
            self.skipping = false;
        }
        false
    }
}

impl<T, S, F> Subscriber<T> for SkipWhileSubscriber<S, F>
where
    S: Subscriber<T>,
    F: FnMut(&T) -> bool + Send,
{
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.upstream.is_some() {
            // Rule 2.5: a second subscription is cancelled, the first one stays.
            subscription.cancel();
            return;
        }
        self.upstream = Some(subscription.clone());
        self.downstream.on_subscribe(subscription);
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if !self.skips(&item) {
            self.downstream.on_next(item);
        } else if let Some(upstream) = &self.upstream {
            // The upstream counted this item against the downstream's demand; replace it.
            upstream.request(1);
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        // Conditional path: a skipped item is "not delivered", so it costs no request.
        !self.skips(&item) && self.downstream.try_on_next(item)
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
