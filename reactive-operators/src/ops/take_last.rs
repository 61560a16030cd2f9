use std::collections::VecDeque;
use std::sync::Arc;

use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef, UNBOUNDED};

use super::post_complete::{NoForward, Tail};

/// The ring's first allocation is capped at this many items; it grows to `n` only if the
/// upstream sends that many.
pub(crate) const INITIAL_CAPACITY: usize = 256;

/// The publisher returned by [`PublisherExt::take_last`](crate::PublisherExt::take_last).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct TakeLast<P> {
    source: P,
    n: usize,
}

impl<P> TakeLast<P> {
    pub(crate) fn new(source: P, n: usize) -> Self {
        TakeLast { source, n }
    }
}

impl<P> Publisher for TakeLast<P>
where
    P: Publisher,
    P::Item: Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(TakeLastSubscriber {
            tail: Tail::new(NoForward),
            downstream: Some(subscriber),
            ring: VecDeque::new(),
            n: self.n,
            subscribed: false,
        });
    }
}

struct TakeLastSubscriber<T, S> {
    tail: Arc<Tail<T, S, NoForward>>,
    /// `None` once handed over (completion) or terminated.
    downstream: Option<S>,
    /// The last `n` items so far.
    ring: VecDeque<T>,
    n: usize,
    subscribed: bool,
}

impl<T, S> Subscriber<T> for TakeLastSubscriber<T, S>
where
    T: Send + 'static,
    S: Subscriber<T> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.subscribed {
            subscription.cancel(); // rule 2.5
            return;
        }
        self.subscribed = true;
        self.ring = VecDeque::with_capacity(self.n.min(INITIAL_CAPACITY));
        if let Some(downstream) = self.downstream.as_mut() {
            self.tail.subscribed(subscription, downstream);
        }
        // Only the end of the stream tells which items are the last `n`.
        self.tail.request_upstream(UNBOUNDED);
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if self.downstream.is_none() || self.n == 0 {
            return;
        }
        if self.ring.len() == self.n {
            self.ring.pop_front();
        }
        self.ring.push_back(item);
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        self.ring = VecDeque::new();
        self.tail.error(self.downstream.take(), error);
    }

    #[inline]
    fn on_complete(&mut self) {
        if let Some(downstream) = self.downstream.take() {
            self.tail
                .complete(downstream, std::mem::take(&mut self.ring), 0);
        }
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;

    use reactive_core::sync::atomic::Ordering;
    use reactive_core::sync::{Mutex, thread};
    use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

    use super::TakeLast;
    use crate::ops::loom_support::{Asked, Manual};

    #[derive(Default)]
    struct Seen {
        requested: u64,
        items: Vec<u64>,
        completions: usize,
        errors: usize,
        subscription: Option<SubscriptionRef>,
    }

    /// Records what arrives and checks rule 1.1 on every item; the `Arc<()>` shows whether
    /// it is still alive.
    struct Recorder {
        seen: Arc<Mutex<Seen>>,
        _alive: Arc<()>,
    }

    impl Subscriber<u64> for Recorder {
        fn on_subscribe(&mut self, subscription: SubscriptionRef) {
            self.seen.lock().subscription = Some(subscription);
        }
        fn on_next(&mut self, item: u64) {
            let mut seen = self.seen.lock();
            seen.items.push(item);
            assert!(seen.items.len() as u64 <= seen.requested, "rule 1.1");
        }
        fn on_error(&mut self, _: Error) {
            self.seen.lock().errors += 1;
        }
        fn on_complete(&mut self) {
            self.seen.lock().completions += 1;
        }
    }

    /// What a model needs after subscribing a recorder through `take_last(2)`.
    struct Subscribed {
        seen: Arc<Mutex<Seen>>,
        upstream: Arc<Asked>,
        source: Box<dyn Subscriber<u64>>,
        subscription: SubscriptionRef,
        alive: std::sync::Weak<()>,
    }

    fn subscribe_take_last_2() -> Subscribed {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (manual, upstream, slot) = Manual::new();
        let token = Arc::new(());
        let alive = Arc::downgrade(&token);
        TakeLast::new(manual, 2).subscribe(Recorder {
            seen: seen.clone(),
            _alive: token,
        });
        let subscription = seen.lock().subscription.clone().expect("on_subscribe ran");
        let source = slot.lock().take().expect("take_last subscribed upstream");
        Subscribed {
            seen,
            upstream,
            source,
            subscription,
            alive,
        }
    }

    /// The upstream sends three items and completes on one thread while the downstream
    /// requests the last two, one at a time, on another: both arrive exactly once, in order,
    /// never beyond demand, then exactly one completion; the finished upstream is never
    /// cancelled.
    #[test]
    fn request_races_completion() {
        loom::model(|| {
            let Subscribed {
                seen,
                upstream,
                mut source,
                subscription,
                ..
            } = subscribe_take_last_2();
            let producer = thread::spawn(move || {
                for i in 1..=3 {
                    source.on_next(i);
                }
                source.on_complete();
            });
            for _ in 0..2 {
                seen.lock().requested += 1; // counted before asking, as rule 1.1 is checked
                subscription.request(1);
            }
            producer.join().unwrap();
            let mut seen = seen.lock();
            assert_eq!(
                seen.items,
                [2, 3],
                "the last two items, once each, in order"
            );
            assert_eq!((seen.completions, seen.errors), (1, 0), "one completion");
            assert!(!upstream.cancelled.load(Ordering::Acquire));
            seen.subscription = None;
        });
    }

    /// The downstream cancels (without having requested) while the upstream completes: no
    /// item and no terminal signal arrive, and the downstream is dropped (rule 3.13) whether
    /// the cancel lands before the hand-off or after it, checked while the subscription is
    /// still held.
    #[test]
    fn cancel_races_completion() {
        loom::model(|| {
            let Subscribed {
                seen,
                mut source,
                subscription,
                alive,
                ..
            } = subscribe_take_last_2();
            let producer = thread::spawn(move || {
                source.on_next(1);
                source.on_complete();
            });
            subscription.cancel();
            producer.join().unwrap();
            assert!(
                alive.upgrade().is_none(),
                "downstream kept after cancel (rule 3.13)"
            );
            let mut seen = seen.lock();
            assert!(seen.items.is_empty());
            assert_eq!(
                (seen.completions, seen.errors),
                (0, 0),
                "no signal after cancel"
            );
            seen.subscription = None;
        });
    }
}
