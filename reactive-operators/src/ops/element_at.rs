use std::sync::Arc;

use reactive_core::support::{Demand, WipCell};
use reactive_core::sync::Mutex;
use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef};

/// The publisher returned by [`PublisherExt::element_at`](crate::PublisherExt::element_at).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct ElementAt<P> {
    source: P,
    index: u64,
}

impl<P> ElementAt<P> {
    pub(crate) fn new(source: P, index: u64) -> Self {
        ElementAt { source, index }
    }
}

impl<P> Publisher for ElementAt<P>
where
    P: Publisher,
    P::Item: Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source
            .subscribe(ElementAtSubscriber::new(subscriber, self.index, None));
    }
}

/// The publisher returned by [`PublisherExt::element_at_or`](crate::PublisherExt::element_at_or).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct ElementAtOr<P, T> {
    source: P,
    index: u64,
    default: T,
}

impl<P, T> ElementAtOr<P, T> {
    pub(crate) fn new(source: P, index: u64, default: T) -> Self {
        ElementAtOr {
            source,
            index,
            default,
        }
    }
}

impl<P, T> Publisher for ElementAtOr<P, T>
where
    P: Publisher<Item = T>,
    T: Clone + Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(ElementAtSubscriber::new(
            subscriber,
            self.index,
            Some(self.default.clone()),
        ));
    }
}

/// What the upstream side and the downstream side share; also the subscription handed
/// downstream. The one item (or the default, or the error) may be ready before the downstream
/// has asked for it (an upstream that completes early, with a default to emit), and the
/// downstream may ask from any thread, so the emission runs in a drain loop.
struct Shared<T, S> {
    /// The downstream's demand; `cancel` ends it and `request(0)` records rule 3.9 in it.
    demand: Demand,
    upstream: SubscriptionRef,
    /// Items to ask the upstream for: `index + 1` (saturating), once.
    wanted: u64,
    /// Whether they were asked for (on the downstream's first positive request).
    asked: AtomicBool,
    /// Set once the upstream has sent its terminal signal or was cancelled because the item
    /// was found: from then on nothing goes upstream (rule 2.4).
    ended: AtomicBool,
    /// The hand-off: put once by the upstream side, taken once by the drain loop.
    outcome: Mutex<Option<Result<T, Error>>>,
    /// The downstream, touched only inside `drain`; `None` once it got its terminal signal
    /// or cancelled (dropping it is rule 3.13).
    downstream: WipCell<Option<S>>,
}

impl<T: Send, S: Subscriber<T>> Shared<T, S> {
    fn drain(&self, mut handle: Option<SubscriptionRef>) {
        self.downstream.drain(|slot| {
            let Some(downstream) = slot.as_mut() else {
                return;
            };
            if let Some(handle) = handle.take() {
                downstream.on_subscribe(handle); // requests made in here re-run this loop
            }
            // A `request(0)` gets its rule-3.9 error here, once, unless a cancel came first.
            let Some(requested) = self.demand.check(downstream) else {
                *slot = None;
                return;
            };
            let ready = {
                let mut outcome = self.outcome.lock();
                match &*outcome {
                    Some(Ok(_)) if requested > 0 => outcome.take(),
                    Some(Err(_)) => outcome.take(),
                    _ => None, // nothing yet, or an item that waits for demand
                }
            };
            match ready {
                Some(Ok(item)) => {
                    downstream.on_next(item);
                    downstream.on_complete();
                    *slot = None;
                }
                Some(Err(error)) => {
                    downstream.on_error(error);
                    *slot = None;
                }
                None => {}
            }
        });
    }
}

impl<T: Send, S: Subscriber<T>> Subscription for Shared<T, S> {
    fn request(&self, n: u64) {
        // `add(0)` records the invalid request (rule 3.9); refused once cancelled.
        if self.demand.add(n).is_none() {
            return;
        }
        if self.ended.load(Ordering::Acquire) {
            // The upstream is done with: only the drain below is left to do.
        } else if n == 0 {
            self.upstream.cancel(); // the stream ends with the error
        } else if !self.asked.load(Ordering::Acquire) && !self.asked.swap(true, Ordering::AcqRel) {
            // After the demand was recorded: the item this sets off finds it.
            self.upstream.request(self.wanted);
        }
        self.drain(None);
    }

    fn cancel(&self) {
        if self.demand.cancel() {
            if !self.ended.load(Ordering::Acquire) {
                self.upstream.cancel();
            }
            self.drain(None);
        }
    }
}

struct ElementAtSubscriber<T, S> {
    /// The downstream, until the upstream's `on_subscribe` moves it into `shared`.
    pending: Option<S>,
    shared: Option<Arc<Shared<T, S>>>,
    index: u64,
    /// Items still to drop before the one at `index`.
    remaining: u64,
    default: Option<T>,
    /// Set once the outcome is decided; later upstream signals are ignored.
    done: bool,
}

impl<T, S> ElementAtSubscriber<T, S>
where
    T: Send + 'static,
    S: Subscriber<T> + 'static,
{
    fn new(downstream: S, index: u64, default: Option<T>) -> Self {
        ElementAtSubscriber {
            pending: Some(downstream),
            shared: None,
            index,
            remaining: index,
            default,
            done: false,
        }
    }

    /// Records the outcome, then drains: if another thread is draining, this call only bumps
    /// its counter and that thread's next pass takes the outcome.
    fn finish(&mut self, outcome: Result<T, Error>) {
        self.done = true;
        if let Some(shared) = self.shared.take() {
            shared.ended.store(true, Ordering::Release);
            *shared.outcome.lock() = Some(outcome);
            shared.drain(None);
        }
    }

    /// The item at `index`: the upstream is no longer needed.
    fn found(&mut self, item: T) {
        if let Some(shared) = &self.shared {
            shared.upstream.cancel();
        }
        self.finish(Ok(item));
    }
}

impl<T, S> Subscriber<T> for ElementAtSubscriber<T, S>
where
    T: Send + 'static,
    S: Subscriber<T> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        let Some(downstream) = self.pending.take() else {
            // Rule 2.5: a second subscription is cancelled, the first one stays.
            subscription.cancel();
            return;
        };
        let shared = Arc::new(Shared {
            demand: Demand::new(),
            upstream: subscription,
            wanted: self.index.saturating_add(1),
            asked: AtomicBool::new(false),
            ended: AtomicBool::new(false),
            outcome: Mutex::new(None),
            downstream: WipCell::new(Some(downstream)),
        });
        self.shared = Some(shared.clone());
        let handle: SubscriptionRef = shared.clone();
        shared.drain(Some(handle));
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if self.done {
            return;
        }
        if self.remaining > 0 {
            // Paid for: the upstream was asked for `index + 1` items.
            self.remaining -= 1;
            return;
        }
        self.found(item);
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        self.on_next(item);
        true
    }

    fn on_error(&mut self, error: Error) {
        if !self.done {
            self.finish(Err(error));
        }
    }

    fn on_complete(&mut self) {
        if !self.done {
            let outcome = match self.default.take() {
                Some(default) => Ok(default),
                None => Err(Error::no_item(
                    "element_at",
                    &format!("an item at index {}", self.index),
                )),
            };
            self.finish(outcome);
        }
    }
}

/// The race of the hand-off, under loom: the upstream completes (so the default is ready) on
/// one thread while the downstream makes its first request on another.
#[cfg(all(test, reactive_loom))]
mod loom_models {
    use reactive_core::sync::atomic::Ordering;
    use reactive_core::sync::thread;

    use super::super::loom_harness::subscribe;
    use super::ElementAtOr;

    /// `element_at_or(5, 9)` over an upstream that completes empty, while the downstream
    /// requests 1: the default arrives exactly once, then one completion, whichever thread
    /// runs the drain that finds both the default and the demand.
    #[test]
    fn complete_races_first_request() {
        loom::model(|| {
            let (asked, slot, record, subscription) = subscribe(|up| ElementAtOr::new(up, 5, 9));
            let mut upstream = slot.lock().take().expect("element_at subscribed upstream");
            let producer = thread::spawn(move || upstream.on_complete());
            subscription.request(1);
            producer.join().unwrap();
            // `index + 1`, once; nothing if the upstream had already completed (rule 2.4).
            let requested = asked.requested.load(Ordering::Acquire);
            assert!(requested == 6 || requested == 0, "asked for {requested}");
            let r = record.lock();
            assert_eq!(r.items, [9], "the default was lost or sent twice");
            assert_eq!((r.completes, r.errors), (1, 0));
        });
    }
}
