use std::sync::Arc;

use reactive_core::support::empty_subscription;
use reactive_core::sync::atomic::{AtomicU64, Ordering};
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef};

/// The publisher returned by [`PublisherExt::take`](crate::PublisherExt::take).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct Take<P> {
    source: P,
    limit: u64,
}

impl<P> Take<P> {
    pub(crate) fn new(source: P, limit: u64) -> Self {
        Take { source, limit }
    }
}

impl<P: Publisher> Publisher for Take<P> {
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(TakeSubscriber {
            downstream: subscriber,
            remaining: self.limit,
            limit: self.limit,
            upstream: None,
            done: false,
        });
    }
}

/// The subscription handed downstream: forwards requests upstream, capped so that their total
/// never exceeds the limit. Requests may come from any thread at once, so what is left of the
/// cap is one atomic, taken from with a compare-and-swap per request (never per item).
struct Capped {
    upstream: SubscriptionRef,
    /// How much may still be requested upstream.
    left: AtomicU64,
}

impl Subscription for Capped {
    fn request(&self, n: u64) {
        if n == 0 {
            // Not ours to judge: the upstream reports rule 3.9 through `on_error`.
            self.upstream.request(0);
            return;
        }
        let mut left = self.left.load(Ordering::Acquire);
        loop {
            if left == 0 {
                return;
            }
            let grant = n.min(left);
            match self.left.compare_exchange_weak(
                left,
                left - grant,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    // This request alone owns `grant` of the cap: no other request can hand
                    // out the same units, whatever the interleaving.
                    self.upstream.request(grant);
                    return;
                }
                Err(actual) => left = actual,
            }
        }
    }

    fn cancel(&self) {
        self.upstream.cancel();
    }
}

struct TakeSubscriber<S> {
    downstream: S,
    /// Items still to let through.
    remaining: u64,
    limit: u64,
    upstream: Option<SubscriptionRef>,
    /// Set once a terminal signal went downstream; later upstream signals are ignored
    /// (rule 2.8: items may still arrive after our cancel).
    done: bool,
}

impl<S> TakeSubscriber<S> {
    /// The `limit`-th item went through: cancel the upstream (rule 2.6), then complete.
    #[inline]
    fn finish<T>(&mut self)
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

impl<T, S: Subscriber<T>> Subscriber<T> for TakeSubscriber<S> {
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.done || self.upstream.is_some() {
            // Rule 2.5: a second subscription is cancelled, the first one stays.
            subscription.cancel();
            return;
        }
        if self.limit == 0 {
            // Nothing to take: cancel upstream, complete at once, without waiting for demand.
            subscription.cancel();
            self.done = true;
            self.downstream.on_subscribe(empty_subscription());
            self.downstream.on_complete();
            return;
        }
        self.upstream = Some(subscription.clone());
        self.downstream.on_subscribe(Arc::new(Capped {
            upstream: subscription,
            left: AtomicU64::new(self.limit),
        }));
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if self.done {
            return;
        }
        self.remaining -= 1;
        self.downstream.on_next(item);
        if self.remaining == 0 {
            self.finish::<T>();
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        if self.done {
            return false;
        }
        // Every item the upstream sends counts towards the limit, whether the stage below
        // takes it or not (`take(5).filter(p)` looks at 5 items, as `Iterator` does); whether
        // it counts against the upstream's demand is the stage below's answer.
        self.remaining -= 1;
        let delivered = self.downstream.try_on_next(item);
        if self.remaining == 0 {
            self.finish::<T>();
        }
        delivered
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

/// The races of the cap, under loom: requests from two threads at once, and a request against
/// the upstream delivering the last item.
#[cfg(all(test, reactive_loom))]
mod loom_models {
    use reactive_core::sync::atomic::Ordering;
    use reactive_core::sync::thread;

    use super::super::loom_harness::subscribe;
    use super::Take;

    /// Two threads request 2 each from `take(3)`: the upstream is asked for exactly 3 in
    /// total, in whatever order the two compare-and-swaps land.
    #[test]
    fn concurrent_requests_share_the_cap() {
        loom::model(|| {
            let (asked, _slot, _record, subscription) = subscribe(|up| Take::new(up, 3));
            let other = subscription.clone();
            let t = thread::spawn(move || other.request(2));
            subscription.request(2);
            t.join().unwrap();
            assert_eq!(
                asked.requested.load(Ordering::Acquire),
                3,
                "the upstream was asked for more (or less) than the cap"
            );
        });
    }

    /// `take(2)` with 1 requested: the upstream delivers 2 items (the second is the last one
    /// the cap allows) and the operator completes, while another thread requests 5: the
    /// upstream is never asked for more than 2 in total, it is cancelled, and exactly one
    /// completion follows the 2 items.
    #[test]
    fn request_races_last_item() {
        loom::model(|| {
            let (asked, slot, record, subscription) = subscribe(|up| Take::new(up, 2));
            subscription.request(1);
            let mut upstream = slot.lock().take().expect("take subscribed upstream");
            let producer = thread::spawn(move || {
                upstream.on_next(1);
                upstream.on_next(2);
                // An upstream that has not seen the cancel yet may still complete (rule 2.8).
                upstream.on_complete();
            });
            subscription.request(5);
            producer.join().unwrap();
            assert_eq!(asked.requested.load(Ordering::Acquire), 2, "over the cap");
            assert!(
                asked.cancelled.load(Ordering::Acquire),
                "upstream not cancelled"
            );
            let r = record.lock();
            assert_eq!(r.items, [1, 2]);
            assert_eq!((r.completes, r.errors), (1, 0), "exactly one completion");
        });
    }
}
