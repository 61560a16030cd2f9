use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// The publisher returned by [`PublisherExt::scan`](crate::PublisherExt::scan).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Scan<P, St, F> {
    source: P,
    initial: St,
    f: F,
}

impl<P, St, F> Scan<P, St, F> {
    pub(crate) fn new(source: P, initial: St, f: F) -> Self {
        Scan { source, initial, f }
    }
}

impl<P: std::fmt::Debug, St: std::fmt::Debug, F> std::fmt::Debug for Scan<P, St, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scan")
            .field("source", &self.source)
            .field("initial", &self.initial)
            .finish_non_exhaustive()
    }
}

impl<P, St, F, U> Publisher for Scan<P, St, F>
where
    P: Publisher,
    St: Clone + Send + 'static,
    F: FnMut(&mut St, P::Item) -> Option<U> + Clone + Send + 'static,
{
    type Item = U;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<U> + 'static,
    {
        self.source.subscribe(ScanSubscriber {
            downstream: subscriber,
            state: self.initial.clone(),
            f: self.f.clone(),
            upstream: None,
            subscribed: false,
            done: false,
        });
    }
}

struct ScanSubscriber<S, St, F> {
    downstream: S,
    state: St,
    f: F,
    upstream: Option<SubscriptionRef>,
    subscribed: bool,
    /// Set once a terminal signal went downstream; later upstream signals are ignored.
    done: bool,
}

impl<S, St, F> ScanSubscriber<S, St, F> {
    /// `f` returned `None`: cancel the upstream (rule 2.6), complete.
    fn stop<U>(&mut self)
    where
        S: Subscriber<U>,
    {
        self.done = true;
        if let Some(upstream) = self.upstream.take() {
            upstream.cancel();
        }
        self.downstream.on_complete();
    }
}

impl<T, U, S, St, F> Subscriber<T> for ScanSubscriber<S, St, F>
where
    S: Subscriber<U>,
    St: Send,
    F: FnMut(&mut St, T) -> Option<U> + Send,
{
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.subscribed {
            // Rule 2.5: a second subscription is cancelled, the first one stays.
            subscription.cancel();
            return;
        }
        self.subscribed = true;
        self.upstream = Some(subscription.clone());
        self.downstream.on_subscribe(subscription);
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if self.done {
            return;
        }
        match (self.f)(&mut self.state, item) {
            Some(out) => self.downstream.on_next(out),
            None => self.stop::<U>(),
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        if self.done {
            return false;
        }
        match (self.f)(&mut self.state, item) {
            Some(out) => self.downstream.try_on_next(out),
            None => {
                self.stop::<U>();
                false
            }
        }
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        if !self.done {
            self.done = true;
            self.upstream = None;
            self.downstream.on_error(error);
        }
    }

    #[inline]
    fn on_complete(&mut self) {
        if !self.done {
            self.done = true;
            self.upstream = None;
            self.downstream.on_complete();
        }
    }
}
