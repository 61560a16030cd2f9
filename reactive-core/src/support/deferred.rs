//! The deferred single value: the subscription of a publisher that emits at most one item
//! once its upstream has ended (`count`, `fold`, `last`, ...).

use std::sync::Arc;

use crate::loom::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::support::SubscriptionSlot;
use crate::{Error, Subscriber, Subscription, SubscriptionRef};

/// The downstream's `on_subscribe` is running: the thread that set it holds the downstream.
const SUBSCRIBING: usize = 1;
/// The downstream has had its `on_subscribe`; signals may follow.
const SUBSCRIBED: usize = 1 << 1;
/// The downstream requested at least 1.
const REQUESTED: usize = 1 << 2;
/// The producer claimed the outcome cell (it is writing it, or has written it).
const PRODUCING: usize = 1 << 3;
/// The outcome is in its cell.
const READY: usize = 1 << 4;
/// The outcome needs no demand (completion without a value, or an error).
const READY_NOW: usize = 1 << 5;
/// `request(0)` arrived (rule 3.9), to be reported.
const INVALID: usize = 1 << 6;
/// The downstream cancelled.
const CANCELLED: usize = 1 << 7;
/// Someone took the downstream out (to signal it or to drop it): nothing happens after this.
const DONE: usize = 1 << 8;

enum Outcome<T> {
    Value(T),
    Empty,
    Failed(Error),
}

/// What the thread that claimed [`DONE`] does with the downstream.
#[derive(Clone, Copy)]
enum Action {
    Drop,
    Invalid,
    Deliver,
}

/// The subscription of a publisher that emits at most one item, after its upstream has
/// ended: it holds the downstream subscriber and the one outcome, and delivers the outcome
/// once both it and the downstream's demand are there, on whichever thread completes the
/// pair.
///
/// The value may be ready before the downstream requests (a synchronous upstream completes
/// inside `subscribe`), or a request may arrive from another thread while the upstream
/// completes: one atomic word of flags decides, with one compare-and-swap, which single
/// thread takes the downstream out and signals it (or drops it). No lock is taken anywhere.
///
/// * [`on_subscribe`](Self::on_subscribe) stores the upstream subscription (a second one is
///   cancelled, rule 2.5) and gives the downstream its `on_subscribe`, with this value as
///   its subscription.
/// * [`complete`](Self::complete) records the outcome: `Some(v)` is emitted (then
///   `on_complete`) once the downstream has requested; `None` completes at once.
///   [`error`](Self::error) fails at once. Only the first of these calls counts.
/// * `request(n)` (`n >= 1`) lets a ready value go. `request(0)` ends the stream with the
///   rule 3.9 error and cancels the upstream (unless the outcome was already recorded).
/// * `cancel()` drops the downstream and the outcome (rule 3.13) and cancels the upstream
///   (unless the outcome was already recorded); no signal follows.
///
/// A request or cancel made from inside the downstream's `on_next` only records itself: the
/// depth stays 1 (rule 3.3).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use reactive_core::sync::atomic::{AtomicU64, Ordering};
/// use reactive_core::support::{DeferredValue, empty_subscription};
/// use reactive_core::{Error, Subscriber, SubscriptionRef};
///
/// /// Records the item it got (0 for none) and whether the stream completed.
/// struct Probe(Arc<AtomicU64>, Option<SubscriptionRef>);
/// impl Subscriber<u64> for Probe {
///     fn on_subscribe(&mut self, s: SubscriptionRef) { self.1 = Some(s) }
///     fn on_next(&mut self, v: u64) { self.0.store(v, Ordering::SeqCst) }
///     fn on_error(&mut self, _: Error) {}
///     fn on_complete(&mut self) { self.0.fetch_add(1000, Ordering::SeqCst); }
/// }
///
/// let seen = Arc::new(AtomicU64::new(0));
/// let deferred = Arc::new(DeferredValue::new(Probe(seen.clone(), None)));
/// assert!(deferred.on_subscribe(empty_subscription()));
/// deferred.complete(Some(42)); // ready before the request: kept
/// assert_eq!(seen.load(Ordering::SeqCst), 0);
/// reactive_core::Subscription::request(&*deferred, 1); // the request lets it go
/// assert_eq!(seen.load(Ordering::SeqCst), 1042);
/// ```
pub struct DeferredValue<T, S> {
    state: AtomicUsize,
    /// Written by the producer between its claim of [`PRODUCING`] and [`READY`]; afterwards
    /// read only by the thread whose claim of [`DONE`] saw [`READY`], or taken back by the
    /// producer if [`DONE`] came before [`READY`].
    outcome: UnsafeCell<Option<Outcome<T>>>,
    /// Reached only by the thread holding [`SUBSCRIBING`], or by the one thread whose
    /// compare-and-swap set [`DONE`] (which needs [`SUBSCRIBING`] clear).
    downstream: UnsafeCell<Option<S>>,
    upstream: SubscriptionSlot,
}

// SAFETY: the cells are reached by one thread at a time, as the field docs say: each access
// is preceded by a successful read-modify-write of `state` that only one thread can make
// (claiming SUBSCRIBING, PRODUCING or DONE), and the AcqRel operations on `state` order one
// owner's accesses before the next owner's. Moving `T` and `S` between threads that way needs
// them `Send`, nothing more.
unsafe impl<T: Send, S: Send> Sync for DeferredValue<T, S> {}
// SAFETY: owning a `DeferredValue` is owning a `T` and an `S`.
unsafe impl<T: Send, S: Send> Send for DeferredValue<T, S> {}

impl<T, S> std::fmt::Debug for DeferredValue<T, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeferredValue")
            .field("state", &self.state.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<T, S> DeferredValue<T, S>
where
    T: Send + 'static,
    S: Subscriber<T> + 'static,
{
    /// Holds `downstream` until the outcome is delivered or the stream is cancelled.
    pub fn new(downstream: S) -> Self {
        DeferredValue {
            state: AtomicUsize::new(0),
            outcome: UnsafeCell::new(None),
            downstream: UnsafeCell::new(Some(downstream)),
            upstream: SubscriptionSlot::new(),
        }
    }

    /// Stores the upstream subscription and gives the downstream its `on_subscribe` (with
    /// `self` as its subscription). Returns `false`, having cancelled `upstream`, if a
    /// subscription was stored before (rule 2.5) or the downstream is gone.
    ///
    /// Requests and cancels the downstream makes inside its `on_subscribe` are recorded and
    /// acted on when it returns.
    pub fn on_subscribe(self: &Arc<Self>, upstream: SubscriptionRef) -> bool {
        if !self.upstream.set(upstream) {
            return false;
        }
        let mut current = self.state.load(Ordering::Acquire);
        loop {
            if current & (SUBSCRIBING | SUBSCRIBED | DONE) != 0 {
                return false;
            }
            match self.state.compare_exchange_weak(
                current,
                current | SUBSCRIBING,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        let handle: SubscriptionRef = self.clone();
        self.downstream.with_mut(|downstream| {
            // SAFETY: this thread set SUBSCRIBING above and nobody else touches the downstream
            // while it is set (DONE cannot be claimed during it); the Acquire of that claim
            // orders this access after any earlier one.
            if let Some(downstream) = unsafe { &mut *downstream } {
                downstream.on_subscribe(handle);
            }
        });
        self.state
            .fetch_xor(SUBSCRIBING | SUBSCRIBED, Ordering::AcqRel);
        self.drive();
        true
    }

    /// The upstream subscription, to request from or cancel (short-circuiting operators
    /// cancel it before they [`complete`](Self::complete)).
    pub fn upstream(&self) -> &SubscriptionSlot {
        &self.upstream
    }

    /// Records the outcome: `Some(value)` waits for the downstream's demand, then goes out
    /// followed by `on_complete`; `None` completes the downstream at once. Dropped if the
    /// downstream cancelled; ignored after an earlier `complete` or `error`.
    pub fn complete(&self, value: Option<T>) {
        match value {
            Some(value) => self.produce(Outcome::Value(value), 0),
            None => self.produce(Outcome::Empty, READY_NOW),
        }
    }

    /// Records a failure, delivered at once (no demand needed); ignored after an earlier
    /// `complete` or `error`.
    pub fn error(&self, error: Error) {
        self.produce(Outcome::Failed(error), READY_NOW);
    }

    /// Whether the downstream cancelled, or the stream ended in any way.
    pub fn is_done(&self) -> bool {
        self.state.load(Ordering::Acquire) & (DONE | CANCELLED | INVALID) != 0
    }

    fn produce(&self, outcome: Outcome<T>, now: usize) {
        if self.state.fetch_or(PRODUCING, Ordering::AcqRel) & PRODUCING != 0 {
            return; // a second outcome: the first one counts
        }
        self.outcome.with_mut(|cell| {
            // SAFETY: this thread claimed PRODUCING, and only the producer writes the cell;
            // nobody reads it before READY, which this thread sets below.
            unsafe { *cell = Some(outcome) }
        });
        let before = self.state.fetch_or(READY | now, Ordering::AcqRel);
        if before & DONE != 0 {
            // Cancelled (or failed with rule 3.9) before the outcome arrived: the thread that
            // claimed DONE saw no READY and left the cell alone, so the outcome is ours to drop.
            let stale = self.outcome.with_mut(|cell| {
                // SAFETY: DONE was claimed without READY, so no other thread reads the cell.
                unsafe { (*cell).take() }
            });
            drop(stale);
            return;
        }
        self.drive();
    }

    /// Claims [`DONE`] if the state calls for an action, and carries it out.
    fn drive(&self) {
        let mut current = self.state.load(Ordering::Acquire);
        loop {
            if current & (DONE | SUBSCRIBING) != 0 {
                return;
            }
            let action = if current & CANCELLED != 0 {
                Action::Drop
            } else if current & SUBSCRIBED == 0 {
                return; // nothing may reach the downstream before its on_subscribe
            } else if current & INVALID != 0 {
                Action::Invalid
            } else if current & READY != 0 && current & (REQUESTED | READY_NOW) != 0 {
                Action::Deliver
            } else {
                return;
            };
            match self.state.compare_exchange_weak(
                current,
                current | DONE,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return self.finish(action, current & READY != 0),
                Err(actual) => current = actual,
            }
        }
    }

    /// Runs on the one thread that claimed [`DONE`].
    fn finish(&self, action: Action, ready: bool) {
        let downstream = self.downstream.with_mut(|cell| {
            // SAFETY: this thread's compare-and-swap set DONE with SUBSCRIBING clear: no other
            // thread will touch the downstream again, and the Acquire orders this access
            // after the subscribing thread's.
            unsafe { (*cell).take() }
        });
        let outcome = if ready {
            self.outcome.with_mut(|cell| {
                // SAFETY: READY was set when DONE was claimed: the producer is done with the
                // cell (its Release is ordered before our Acquire) and never touches it again.
                unsafe { (*cell).take() }
            })
        } else {
            None
        };
        let Some(mut downstream) = downstream else {
            return;
        };
        match (action, outcome) {
            (Action::Drop, outcome) => {
                drop(outcome);
                drop(downstream);
            }
            (Action::Invalid, outcome) => {
                drop(outcome);
                downstream.on_error(Error::invalid_request(0));
            }
            (Action::Deliver, Some(Outcome::Value(value))) => {
                downstream.on_next(value);
                downstream.on_complete();
            }
            (Action::Deliver, Some(Outcome::Empty) | None) => downstream.on_complete(),
            (Action::Deliver, Some(Outcome::Failed(error))) => downstream.on_error(error),
        }
    }

    /// The outcome was not yet recorded when `before` was the state: the upstream may still
    /// be running and must be cancelled.
    fn live(before: usize) -> bool {
        before & (PRODUCING | CANCELLED | INVALID | DONE) == 0
    }
}

impl<T, S> Subscription for DeferredValue<T, S>
where
    T: Send + 'static,
    S: Subscriber<T> + 'static,
{
    fn request(&self, n: u64) {
        let flag = if n == 0 { INVALID } else { REQUESTED };
        let before = self.state.fetch_or(flag, Ordering::AcqRel);
        if before & flag != 0 {
            return; // nothing new: the first request of each kind decides
        }
        if n == 0 && Self::live(before) {
            self.upstream.cancel();
        }
        self.drive();
    }

    fn cancel(&self) {
        let before = self.state.fetch_or(CANCELLED, Ordering::AcqRel);
        if before & CANCELLED != 0 {
            return;
        }
        if Self::live(before) {
            self.upstream.cancel();
        }
        self.drive();
    }
}

#[cfg(test)]
mod probes {
    use super::*;
    use crate::loom::sync::Mutex;

    /// Records every signal as text; `request` in `on_subscribe` if `initial > 0`.
    pub(super) struct Probe {
        pub(super) log: Arc<Mutex<Vec<String>>>,
        pub(super) subscription: Arc<Mutex<Option<SubscriptionRef>>>,
        pub(super) initial: u64,
        /// Dropped with the probe: its strong count shows rule 3.13.
        pub(super) _alive: Arc<()>,
    }

    impl<V: std::fmt::Debug + Send> Subscriber<V> for Probe {
        fn on_subscribe(&mut self, s: SubscriptionRef) {
            self.log.lock().push("subscribe".into());
            if self.initial > 0 {
                s.request(self.initial);
            }
            *self.subscription.lock() = Some(s);
        }
        fn on_next(&mut self, v: V) {
            self.log.lock().push(format!("next {v:?}"));
        }
        fn on_error(&mut self, e: Error) {
            self.log.lock().push(format!("error {:?}", e.kind()));
        }
        fn on_complete(&mut self) {
            self.log.lock().push("complete".into());
        }
    }

    pub(super) type Deferred<V> = Arc<DeferredValue<V, Probe>>;

    pub(super) fn probe<V: std::fmt::Debug + Send + 'static>(
        initial: u64,
    ) -> (Deferred<V>, Arc<Mutex<Vec<String>>>, Arc<()>) {
        let log = Arc::new(Mutex::new(Vec::new()));
        let alive = Arc::new(());
        let probe = Probe {
            log: log.clone(),
            subscription: Arc::new(Mutex::new(None)),
            initial,
            _alive: alive.clone(),
        };
        (Arc::new(DeferredValue::new(probe)), log, alive)
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::probes::probe;
    use super::*;
    use crate::loom::sync::Mutex;
    use crate::support::test_support::Recording;

    fn signals(log: &Arc<Mutex<Vec<String>>>) -> Vec<String> {
        log.lock().clone()
    }

    #[test]
    fn value_waits_for_the_request() {
        let (d, log, alive) = probe::<u64>(0);
        let up = Recording::start();
        assert!(d.on_subscribe(up.sub()));
        d.complete(Some(5));
        assert_eq!(signals(&log), ["subscribe"]);
        d.request(3);
        assert_eq!(signals(&log), ["subscribe", "next 5", "complete"]);
        assert_eq!(
            Arc::strong_count(&alive),
            1,
            "downstream dropped after delivery"
        );
        d.request(1);
        d.cancel();
        assert_eq!(up.cancels(), 0, "the upstream had ended");
    }

    #[test]
    fn request_first_then_value() {
        let (d, log, _) = probe::<u64>(1);
        assert!(d.on_subscribe(Recording::start().sub()));
        d.complete(Some(9));
        assert_eq!(signals(&log), ["subscribe", "next 9", "complete"]);
    }

    #[test]
    fn empty_and_error_need_no_demand() {
        let (d, log, _) = probe::<u64>(0);
        assert!(d.on_subscribe(Recording::start().sub()));
        d.complete(None);
        assert_eq!(signals(&log), ["subscribe", "complete"]);

        let (d, log, _) = probe::<u64>(0);
        assert!(d.on_subscribe(Recording::start().sub()));
        d.error(Error::msg("boom"));
        d.complete(Some(1)); // ignored: the first outcome counts
        assert_eq!(signals(&log), ["subscribe", "error User"]);
    }

    #[test]
    fn request_zero_fails_and_cancels_a_live_upstream() {
        let (d, log, alive) = probe::<u64>(0);
        let up = Recording::start();
        assert!(d.on_subscribe(up.sub()));
        d.request(0);
        assert_eq!(signals(&log), ["subscribe", "error InvalidRequest"]);
        assert_eq!(up.cancels(), 1);
        assert_eq!(Arc::strong_count(&alive), 1);
        d.complete(Some(1)); // the upstream's late value is dropped
        assert_eq!(signals(&log).len(), 2);
    }

    #[test]
    fn request_zero_with_a_ready_value_fails_without_cancelling() {
        let (d, log, _) = probe::<u64>(0);
        let up = Recording::start();
        assert!(d.on_subscribe(up.sub()));
        d.complete(Some(1));
        d.request(0);
        assert_eq!(signals(&log), ["subscribe", "error InvalidRequest"]);
        assert_eq!(up.cancels(), 0);
    }

    #[test]
    fn cancel_drops_downstream_and_value() {
        let (d, log, alive) = probe::<u64>(0);
        let up = Recording::start();
        assert!(d.on_subscribe(up.sub()));
        d.cancel();
        assert_eq!(up.cancels(), 1);
        assert_eq!(Arc::strong_count(&alive), 1, "rule 3.13");
        d.complete(Some(1));
        d.request(1);
        assert_eq!(signals(&log), ["subscribe"]);
    }

    #[test]
    fn request_made_inside_on_subscribe_is_served_after_it() {
        let (d, log, _) = probe::<u64>(1);
        let up = Recording::start();
        assert!(d.on_subscribe(up.sub()));
        assert!(!d.on_subscribe(up.sub()), "rule 2.5");
        assert_eq!(up.cancels(), 1, "the second subscription was cancelled");
        d.complete(Some(2));
        assert_eq!(signals(&log), ["subscribe", "next 2", "complete"]);
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use super::probes::{Deferred, probe};
    use super::*;
    use crate::loom::thread;
    use crate::support::test_support::Recording;

    /// The upstream delivers the value on one thread while the downstream requests on
    /// another: the value goes out exactly once, then one completion, whichever comes first.
    #[test]
    fn request_races_the_value() {
        loom::model(|| {
            let (d, log, alive) = probe::<u64>(0);
            assert!(d.on_subscribe(Recording::start().sub()));
            let producer = d.clone();
            let t = thread::spawn(move || producer.complete(Some(7)));
            d.request(1);
            t.join().unwrap();
            assert_eq!(
                *log.lock(),
                ["subscribe", "next 7", "complete"],
                "the value exactly once, then the completion"
            );
            assert_eq!(
                Arc::strong_count(&alive),
                1,
                "downstream dropped while held"
            );
        });
    }

    /// Delivers a droppable value on a second thread while `downstream` acts on this one
    /// (the probe requested `initial` in `on_subscribe`); checks that the value and the
    /// downstream were dropped while the subscription is still held, and that the upstream
    /// was cancelled at most once. Returns the signals the downstream saw.
    fn value_against(
        initial: u64,
        downstream: impl FnOnce(&Deferred<std::sync::Arc<u64>>),
    ) -> Vec<String> {
        let (d, log, alive) = probe::<std::sync::Arc<u64>>(initial);
        let up = Recording::start();
        assert!(d.on_subscribe(up.sub()));
        let value = std::sync::Arc::new(7u64);
        let watch = std::sync::Arc::downgrade(&value);
        let producer = d.clone();
        let t = thread::spawn(move || producer.complete(Some(value)));
        downstream(&d);
        t.join().unwrap();
        assert_eq!(
            watch.strong_count(),
            0,
            "the value dropped while the subscription is held"
        );
        assert_eq!(
            Arc::strong_count(&alive),
            1,
            "rule 3.13, while the subscription is held"
        );
        assert!(up.cancels() <= 1);
        log.lock().clone()
    }

    /// A cancel races the value (with demand already there): either the value was delivered
    /// before the cancel, or nothing is; the value and the downstream are dropped exactly
    /// once, while the subscription is still held.
    #[test]
    fn cancel_races_the_value() {
        loom::model(|| {
            let seen = value_against(1, |d| d.cancel());
            assert!(
                seen == ["subscribe"] || seen == ["subscribe", "next 7", "complete"],
                "a signal after cancel, or half a delivery: {seen:?}"
            );
        });
    }

    /// `request(0)` races the value: the stream always ends with the rule 3.9 error (there
    /// never was a valid request), the value is never delivered and is dropped, and the
    /// upstream is cancelled only if it had not yet delivered its outcome.
    #[test]
    fn request_zero_races_the_value() {
        loom::model(|| {
            let seen = value_against(0, |d| d.request(0));
            assert_eq!(
                seen,
                ["subscribe", "error InvalidRequest"],
                "exactly one terminal signal, the rule 3.9 error"
            );
        });
    }
}
