//! `sample_on`: on each item of the other publisher, the latest item of the main stream, if
//! one arrived since the last sample.
//!
//! Who touches what:
//!
//! | state | written by | read by |
//! |---|---|---|
//! | `latest` (one slot, short lock) | the main side's `on_next` (replaces) | the drain (takes it when a sample is due) |
//! | `due` (a sample is due) | the other side's `on_next` (set, then drain) | the drain (swaps it back) |
//! | the downstream's `Demand` | `request` / `cancel`, any thread | the drain |
//! | `ended`, `end` | the first terminal signal or cancel, once | the drain |
//! | the downstream, the sample waiting for demand (`pending`) | only the drain (`WipCell`) | |
//!
//! Every path records first and then drains; whoever moves the drain counter from 0 runs the
//! pass for everyone.

use std::sync::Arc;

use reactive_core::support::{Demand, Requested, WipCell};
use reactive_core::sync::Mutex;
use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef, UNBOUNDED};

use super::companion::{Side, main_and_other};

main_and_other! {
    /// The publisher returned by [`PublisherExt::sample_on`](crate::PublisherExt::sample_on).
    SampleOn
}

impl<P, O> Publisher for SampleOn<P, O>
where
    P: Publisher,
    O: Publisher,
    P::Item: Send + 'static,
    O::Item: 'static,
{
    type Item = P::Item;

    fn subscribe<D>(&self, downstream: D)
    where
        D: Subscriber<P::Item> + 'static,
    {
        let shared = Arc::new(Shared {
            main: Side::new(),
            other: Side::new(),
            demand: Demand::new(),
            latest: Mutex::new(None),
            due: AtomicBool::new(false),
            ended: AtomicBool::new(false),
            end: Mutex::new(None),
            cell: WipCell::new(State {
                downstream: Some(downstream),
                pending: None,
                handle: None,
            }),
        });
        let handle: SubscriptionRef = shared.clone();
        // Nobody else can reach the cell before the downstream has its subscription.
        shared
            .cell
            .drain(|state| state.handle = Some(handle.clone()));
        shared.drain();
        // The main side first, so that a sample taken at once finds its latest item.
        self.source.subscribe(MainSubscriber {
            shared: shared.clone(),
        });
        self.other.subscribe(OtherSubscriber { shared });
    }
}

/// What only the drainer touches.
struct State<T, D> {
    /// `None` once the stream has ended: dropping it is rule 3.13.
    downstream: Option<D>,
    /// A sample taken and not yet delivered (waiting for demand); a newer one replaces it.
    pending: Option<T>,
    /// The subscription for the downstream's `on_subscribe`, taken by the first pass.
    handle: Option<SubscriptionRef>,
}

struct Shared<T, D> {
    main: Side,
    other: Side,
    demand: Demand,
    /// The main side's latest item since the last sample.
    latest: Mutex<Option<T>>,
    /// The other side has emitted: the next pass takes a sample.
    due: AtomicBool,
    /// An end was recorded (once, before `end`).
    ended: AtomicBool,
    /// The end: `Ok` completes after a pending sample, `Err` fails at once.
    end: Mutex<Option<Result<(), Error>>>,
    cell: WipCell<State<T, D>>,
}

impl<T, D> std::fmt::Debug for Shared<T, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SampleOn")
            .field("demand", &self.demand)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static, D: Subscriber<T> + 'static> Shared<T, D> {
    fn drain(&self) {
        self.cell.drain(|state| self.pass(state));
    }

    /// Records the end, once (the first wins), cancels both sides that still run, drains.
    fn end(&self, end: Result<(), Error>) {
        if self.ended.swap(true, Ordering::AcqRel) {
            return;
        }
        *self.end.lock() = Some(end);
        self.main.cancel();
        self.other.cancel();
        self.drain();
    }

    fn pass(&self, state: &mut State<T, D>) {
        let Some(downstream) = state.downstream.as_mut() else {
            return;
        };
        if let Some(handle) = state.handle.take() {
            // Requests made in here bump the drain counter: the next pass serves them.
            downstream.on_subscribe(handle);
        }
        if self.due.swap(false, Ordering::AcqRel) {
            let sample = self.latest.lock().take();
            if sample.is_some() {
                state.pending = sample;
            }
        }
        let requested = match self.demand.requested() {
            Requested::Demand(n) => n,
            Requested::Cancelled => return self.stop(state, None),
            Requested::Invalid => {
                let error = self
                    .demand
                    .claim_invalid()
                    .then(|| Error::invalid_request(0));
                return self.stop(state, error.map(Err));
            }
        };
        if requested > 0 {
            if let Some(item) = state.pending.take() {
                downstream.on_next(item);
                if requested != UNBOUNDED {
                    self.demand.produced(1);
                }
            }
        }
        if self.ended.load(Ordering::Acquire) {
            let end = self.end.lock().take();
            match end {
                // A completion waits for the sample already taken.
                Some(Ok(())) if state.pending.is_some() => *self.end.lock() = Some(Ok(())),
                Some(end) => self.stop(state, Some(end)),
                None => {}
            }
        }
    }

    /// Ends the stream: both sides cancelled, `end` delivered (nothing after a cancel), the
    /// downstream and any pending sample dropped.
    fn stop(&self, state: &mut State<T, D>, end: Option<Result<(), Error>>) {
        self.demand.cancel();
        self.main.cancel();
        self.other.cancel();
        state.pending = None;
        drop(self.latest.lock().take());
        if let Some(mut downstream) = state.downstream.take() {
            match end {
                Some(Ok(())) => downstream.on_complete(),
                Some(Err(error)) => downstream.on_error(error),
                None => {}
            }
        }
    }
}

impl<T: Send + 'static, D: Subscriber<T> + 'static> Subscription for Shared<T, D> {
    fn request(&self, n: u64) {
        if self.demand.add(n).is_some() {
            self.drain();
        }
    }

    fn cancel(&self) {
        if self.demand.cancel() {
            self.main.cancel();
            self.other.cancel();
            self.drain();
        }
    }
}

struct MainSubscriber<T, D> {
    shared: Arc<Shared<T, D>>,
}

impl<T: Send + 'static, D: Subscriber<T> + 'static> Subscriber<T> for MainSubscriber<T, D> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // A second subscription, or one after the stream ended, is cancelled (rule 2.5).
        if self.shared.main.slot.set(subscription.clone()) {
            // Only the latest item is kept: one slot, whatever the rate.
            subscription.request(UNBOUNDED);
        }
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        // The replaced item is dropped after the lock is released.
        let old = self.shared.latest.lock().replace(item);
        drop(old);
    }

    fn on_error(&mut self, error: Error) {
        self.shared.main.finished();
        self.shared.end(Err(error));
    }

    fn on_complete(&mut self) {
        self.shared.main.finished();
        self.shared.end(Ok(()));
    }
}

struct OtherSubscriber<T, D> {
    shared: Arc<Shared<T, D>>,
}

impl<T, U, D> Subscriber<U> for OtherSubscriber<T, D>
where
    T: Send + 'static,
    D: Subscriber<T> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.shared.other.slot.set(subscription.clone()) {
            // Each item only marks a sample as due.
            subscription.request(UNBOUNDED);
        }
    }

    #[inline]
    fn on_next(&mut self, _: U) {
        // Record first, then drain: the pass that runs (here or elsewhere) takes the sample.
        // A read-modify-write, as the pass's `swap(false)`: the two are totally ordered, so a
        // pass that runs after this one (or reruns for it) sees the sample due.
        self.shared.due.swap(true, Ordering::AcqRel);
        self.shared.drain();
    }

    fn on_error(&mut self, error: Error) {
        self.shared.other.finished();
        self.shared.end(Err(error));
    }

    fn on_complete(&mut self) {
        self.shared.other.finished();
        self.shared.end(Ok(()));
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;

    use reactive_core::sync::Mutex;
    use reactive_core::sync::thread;
    use reactive_core::{Publisher, Subscriber};

    use super::super::loom_harness::{Record, Recorder};
    use super::super::loom_support::Manual;
    use super::SampleOn;

    /// The main side has an item; a tick arrives on one thread while the downstream requests
    /// one item on another: the item is sampled and delivered exactly once, whichever of the
    /// tick and the request the drain sees first.
    #[test]
    fn sample_on_tick_vs_request() {
        loom::model(|| {
            let (main, _, main_slot) = Manual::new();
            let (ticks, _, ticks_slot) = Manual::new();
            let record = Arc::new(Mutex::new(Record::default()));
            SampleOn::new(main, ticks).subscribe(Recorder(record.clone()));
            let subscription = record
                .lock()
                .subscription
                .clone()
                .expect("on_subscribe ran");
            let mut main: Box<dyn Subscriber<u64>> = main_slot.lock().take().expect("main");
            let mut ticks: Box<dyn Subscriber<u64>> = ticks_slot.lock().take().expect("ticks");
            main.on_next(1);
            let ticker = thread::spawn(move || ticks.on_next(0));
            subscription.request(1);
            ticker.join().unwrap();
            let record = record.lock();
            assert_eq!(record.items, [1], "the sample was lost or doubled");
            assert_eq!((record.completes, record.errors), (0, 0));
        });
    }
}
