use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// The publisher returned by [`PublisherExt::take_while`](crate::PublisherExt::take_while).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct TakeWhile<P, F> {
    source: P,
    predicate: F,
}

impl<P, F> TakeWhile<P, F> {
    pub(crate) fn new(source: P, predicate: F) -> Self {
        TakeWhile { source, predicate }
    }
}

impl<P: std::fmt::Debug, F> std::fmt::Debug for TakeWhile<P, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TakeWhile")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<P, F> Publisher for TakeWhile<P, F>
where
    P: Publisher,
    F: FnMut(&P::Item) -> bool + Clone + Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(TakeWhileSubscriber {
            downstream: subscriber,
            predicate: self.predicate.clone(),
            upstream: None,
            subscribed: false,
            done: false,
        });
    }
}

struct TakeWhileSubscriber<S, F> {
    downstream: S,
    predicate: F,
    upstream: Option<SubscriptionRef>,
    subscribed: bool,
    /// Set once a terminal signal went downstream; later upstream signals are ignored.
    done: bool,
}

impl<S, F> TakeWhileSubscriber<S, F> {
    /// The predicate failed: cancel the upstream (rule 2.6), complete.
    fn stop<T>(&mut self)
    where
        S: Subscriber<T>,
    {
        self.done = true;
        if let Some(upstream) = self.upstream.take() {
            upstream.cancel();
        }
        self.downstream.on_complete();
    }
}

impl<T, S, F> Subscriber<T> for TakeWhileSubscriber<S, F>
where
    S: Subscriber<T>,
    F: FnMut(&T) -> bool + Send,
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
        if (self.predicate)(&item) {
            self.downstream.on_next(item);
        } else {
            self.stop::<T>();
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        if self.done {
            return false;
        }
        if (self.predicate)(&item) {
            self.downstream.try_on_next(item)
        } else {
            self.stop::<T>();
            false
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
