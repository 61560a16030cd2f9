use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// The publisher returned by [`PublisherExt::filter_map`](crate::PublisherExt::filter_map).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct FilterMap<P, F> {
    source: P,
    f: F,
}

impl<P, F> FilterMap<P, F> {
    pub(crate) fn new(source: P, f: F) -> Self {
        FilterMap { source, f }
    }
}

impl<P: std::fmt::Debug, F> std::fmt::Debug for FilterMap<P, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilterMap")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<P, F, U> Publisher for FilterMap<P, F>
where
    P: Publisher,
    F: FnMut(P::Item) -> Option<U> + Clone + Send + 'static,
{
    type Item = U;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<U> + 'static,
    {
        self.source.subscribe(FilterMapSubscriber {
            downstream: subscriber,
            f: self.f.clone(),
            upstream: None,
        });
    }
}

struct FilterMapSubscriber<S, F> {
    downstream: S,
    f: F,
    upstream: Option<SubscriptionRef>,
}

impl<T, U, S, F> Subscriber<T> for FilterMapSubscriber<S, F>
where
    S: Subscriber<U>,
    F: FnMut(T) -> Option<U> + Send,
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
        match (self.f)(item) {
            Some(mapped) => self.downstream.on_next(mapped),
            None => {
                if let Some(upstream) = &self.upstream {
                    // The upstream counted this item against the downstream's demand.
                    upstream.request(1);
                }
            }
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        // Conditional path: a dropped item is "not delivered", so it costs no request.
        match (self.f)(item) {
            Some(mapped) => self.downstream.try_on_next(mapped),
            None => false,
        }
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
