use std::sync::Arc;

use reactive_core::support::SubscriptionArbiter;
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// The publisher returned by
/// [`PublisherExt::switch_if_empty`](crate::PublisherExt::switch_if_empty).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Debug)]
pub struct SwitchIfEmpty<P, Q> {
    source: P,
    other: Arc<Q>,
}

impl<P: Clone, Q> Clone for SwitchIfEmpty<P, Q> {
    fn clone(&self) -> Self {
        SwitchIfEmpty {
            source: self.source.clone(),
            other: self.other.clone(),
        }
    }
}

impl<P, Q> SwitchIfEmpty<P, Q> {
    pub(crate) fn new(source: P, other: Q) -> Self {
        SwitchIfEmpty {
            source,
            other: Arc::new(other),
        }
    }
}

impl<P, Q> Publisher for SwitchIfEmpty<P, Q>
where
    P: Publisher,
    P::Item: Send + 'static,
    Q: Publisher<Item = P::Item> + Send + Sync + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source
            .subscribe(FirstThen::new(subscriber, self.other.clone(), true));
    }
}

/// Subscribed to the first publisher (the source here, the prefix for `start_with`): passes
/// its items down, counts what it delivered, and at its completion moves the downstream over
/// to the next publisher, always (`start_with`) or only if nothing arrived (`switch_if_empty`).
pub(crate) struct FirstThen<S, Q> {
    /// `None` once terminated or moved over to the next publisher.
    downstream: Option<S>,
    /// The subscription the downstream holds: the first publisher's, then the next one's.
    arbiter: Arc<SubscriptionArbiter>,
    next: Arc<Q>,
    /// Items delivered downstream (a plain count, handed to the arbiter once, at the switch).
    produced: u64,
    /// Whether any item arrived, delivered or not.
    any: bool,
    /// Switch only when no item arrived; otherwise complete.
    only_if_empty: bool,
    subscribed: bool,
}

impl<S, Q> FirstThen<S, Q> {
    pub(crate) fn new(downstream: S, next: Arc<Q>, only_if_empty: bool) -> Self {
        FirstThen {
            downstream: Some(downstream),
            arbiter: Arc::new(SubscriptionArbiter::new()),
            next,
            produced: 0,
            any: false,
            only_if_empty,
            subscribed: false,
        }
    }
}

impl<T, S, Q> Subscriber<T> for FirstThen<S, Q>
where
    T: Send + 'static,
    S: Subscriber<T> + 'static,
    Q: Publisher<Item = T> + Send + Sync + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.subscribed {
            subscription.cancel(); // rule 2.5
            return;
        }
        self.subscribed = true;
        self.arbiter.set(subscription);
        if let Some(downstream) = self.downstream.as_mut() {
            downstream.on_subscribe(self.arbiter.clone());
        }
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        self.any = true;
        if let Some(downstream) = self.downstream.as_mut() {
            self.produced += 1;
            downstream.on_next(item);
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        self.any = true;
        let delivered = self
            .downstream
            .as_mut()
            .is_some_and(|downstream| downstream.try_on_next(item));
        if delivered {
            self.produced += 1;
        }
        delivered
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        self.arbiter.clear();
        if let Some(mut downstream) = self.downstream.take() {
            downstream.on_error(error);
        }
    }

    fn on_complete(&mut self) {
        self.arbiter.produced(self.produced);
        self.arbiter.clear();
        let Some(mut downstream) = self.downstream.take() else {
            return;
        };
        if self.only_if_empty && self.any {
            downstream.on_complete();
        } else if !self.arbiter.is_cancelled() {
            // The arbiter asks the next publisher for exactly what is still owed when it
            // subscribes (all of the demand, when nothing was delivered).
            self.next
                .subscribe(Switched::new(downstream, self.arbiter.clone()));
        }
    }
}

/// The subscriber of the publisher switched to (`other` here, the source after
/// `start_with`'s prefix): its subscription joins the arbiter the downstream already holds,
/// which asks it for what is owed, and its signals go to the downstream as they are.
pub(crate) struct Switched<S> {
    downstream: S,
    arbiter: Arc<SubscriptionArbiter>,
    subscribed: bool,
}

impl<S> Switched<S> {
    pub(crate) fn new(downstream: S, arbiter: Arc<SubscriptionArbiter>) -> Self {
        Switched {
            downstream,
            arbiter,
            subscribed: false,
        }
    }
}

impl<T, S: Subscriber<T>> Subscriber<T> for Switched<S> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.subscribed {
            subscription.cancel(); // rule 2.5
            return;
        }
        self.subscribed = true;
        self.arbiter.set(subscription); // requests what is owed (or cancels it, if cancelled)
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
        self.arbiter.clear();
        self.downstream.on_error(error);
    }

    #[inline]
    fn on_complete(&mut self) {
        self.arbiter.clear();
        self.downstream.on_complete();
    }
}
