use std::sync::Arc;

use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef};

/// The publisher returned by [`PublisherExt::skip`](crate::PublisherExt::skip).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct Skip<P> {
    source: P,
    n: u64,
}

impl<P> Skip<P> {
    pub(crate) fn new(source: P, n: u64) -> Self {
        Skip { source, n }
    }
}

impl<P: Publisher> Publisher for Skip<P> {
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(SkipSubscriber {
            downstream: subscriber,
            n: self.n,
            remaining: self.n,
            subscribed: false,
        });
    }
}

/// The subscription handed downstream: the first positive request is raised by the number of
/// items to skip (saturating), every later one goes upstream unchanged. One flag, read (and
/// swapped once) per request, never per item.
struct FirstRequestPlus {
    upstream: SubscriptionRef,
    extra: u64,
    first: AtomicBool,
}

impl Subscription for FirstRequestPlus {
    fn request(&self, n: u64) {
        // `request(0)` goes upstream as it is: the upstream reports rule 3.9.
        if n > 0 && self.first.load(Ordering::Acquire) && self.first.swap(false, Ordering::AcqRel) {
            self.upstream.request(n.saturating_add(self.extra));
        } else {
            self.upstream.request(n);
        }
    }

    fn cancel(&self) {
        self.upstream.cancel();
    }
}

struct SkipSubscriber<S> {
    downstream: S,
    n: u64,
    /// Items still to drop.
    remaining: u64,
    subscribed: bool,
}

impl<T, S: Subscriber<T>> Subscriber<T> for SkipSubscriber<S> {
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.subscribed {
            // Rule 2.5: a second subscription is cancelled, the first one stays.
            subscription.cancel();
            return;
        }
        self.subscribed = true;
        if self.n == 0 {
            // Nothing to skip: the upstream's subscription goes down unchanged.
            self.downstream.on_subscribe(subscription);
            return;
        }
        self.downstream.on_subscribe(Arc::new(FirstRequestPlus {
            upstream: subscription,
            extra: self.n,
            first: AtomicBool::new(true),
        }));
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if self.remaining > 0 {
            // Paid for by the first request's extra `n`.
            self.remaining -= 1;
            return;
        }
        self.downstream.on_next(item);
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        if self.remaining > 0 {
            // Counted against the extra `n` the first request asked for.
            self.remaining -= 1;
            return true;
        }
        self.downstream.try_on_next(item)
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
