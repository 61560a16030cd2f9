use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// The publisher returned by [`PublisherExt::step_by`](crate::PublisherExt::step_by).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct StepBy<P> {
    source: P,
    step: usize,
}

impl<P> StepBy<P> {
    pub(crate) fn new(source: P, step: usize) -> Self {
        assert!(step != 0, "step_by: the step must not be 0");
        StepBy { source, step }
    }
}

impl<P: Publisher> Publisher for StepBy<P> {
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(StepBySubscriber {
            downstream: subscriber,
            step: self.step,
            // The first item is emitted.
            to_skip: 0,
            upstream: None,
        });
    }
}

struct StepBySubscriber<S> {
    downstream: S,
    step: usize,
    /// Items to drop before the next one is emitted.
    to_skip: usize,
    upstream: Option<SubscriptionRef>,
}

impl<S> StepBySubscriber<S> {
    /// Whether this item is dropped.
    #[inline]
    fn skips(&mut self) -> bool {
        if self.to_skip > 0 {
            self.to_skip -= 1;
            return true;
        }
        self.to_skip = self.step - 1;
        false
    }
}

impl<T, S: Subscriber<T>> Subscriber<T> for StepBySubscriber<S> {
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
        if !self.skips() {
            self.downstream.on_next(item);
        } else if let Some(upstream) = &self.upstream {
            // The upstream counted this item against the downstream's demand; replace it.
            upstream.request(1);
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        // Conditional path: a dropped item is "not delivered", so it costs no request.
        !self.skips() && self.downstream.try_on_next(item)
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
