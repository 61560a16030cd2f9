//! `subscribe_on`: the upstream is subscribed to, and asked for items, on a worker of a
//! scheduler.
//!
//! Who touches what:
//!
//! | state | written by | read by |
//! |---|---|---|
//! | the downstream's demand (`Demand`) | `request` / `cancel`, any thread | the drain pass, which forwards it |
//! | the upstream subscription (`SubscriptionSlot`), `arrived` | the upstream's `on_subscribe` | the pass (`request`), `cancel` |
//! | the downstream subscriber | the first pass, then the upstream (inside [`SubscribeOnSubscriber`]) | upstream signals |
//! | `rescue`, `failure` | a panic or a refused worker, only then | the drain's `on_error`, a pass, or the subscriber's `Drop` |
//!
//! Items are not queued: they reach the downstream on whatever thread the upstream emits
//! them (the worker, for a synchronous source).

use std::fmt;
use std::sync::Arc;

use reactive_core::scheduler::{Pass, ScheduledDrain, Scheduler, Worker};
use reactive_core::support::{Demand, Requested, SubscriptionSlot};
use reactive_core::sync::Mutex;
use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Error, ErrorKind, Publisher, Subscriber, SubscriptionRef, UNBOUNDED};

use super::boundary::{BoundarySubscription, Sides};

/// The publisher returned by [`PublisherExt::subscribe_on`](crate::PublisherExt::subscribe_on).
#[must_use = "publishers do nothing until subscribed"]
pub struct SubscribeOn<P, S> {
    /// Shared, so that each subscription's first pass can subscribe to it on the worker.
    source: Arc<P>,
    scheduler: S,
}

impl<P, S> SubscribeOn<P, S> {
    pub(crate) fn new(source: P, scheduler: S) -> Self {
        SubscribeOn {
            source: Arc::new(source),
            scheduler,
        }
    }
}

impl<P, S: Clone> Clone for SubscribeOn<P, S> {
    fn clone(&self) -> Self {
        SubscribeOn {
            source: self.source.clone(),
            scheduler: self.scheduler.clone(),
        }
    }
}

impl<P: fmt::Debug, S: fmt::Debug> fmt::Debug for SubscribeOn<P, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubscribeOn")
            .field("source", &self.source)
            .field("scheduler", &self.scheduler)
            .finish()
    }
}

impl<P, S> Publisher for SubscribeOn<P, S>
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
    S: Scheduler + Clone + 'static,
{
    type Item = P::Item;

    fn subscribe<D>(&self, downstream: D)
    where
        D: Subscriber<P::Item> + 'static,
    {
        let worker = self.scheduler.worker();
        let shared = Arc::new(Shared {
            demand: Demand::new(),
            upstream: SubscriptionSlot::new(),
            arrived: AtomicBool::new(false),
            terminated: AtomicBool::new(false),
            rescue: Mutex::new(None),
            failure: Mutex::new(None),
            first: Mutex::new(None),
            worker: worker.clone(),
        });
        let task = Task {
            shared: shared.clone(),
            source: Some(self.source.clone()),
            downstream: Some(downstream),
            link: None,
            forwarded_unbounded: false,
            forwarded_zero: false,
        };
        let drain = ScheduledDrain::new(worker, task, Task::pass, Task::fail);
        let link: Arc<Link<P, D>> = Arc::new(BoundarySubscription {
            shared: shared.clone(),
            drain,
        });
        // Taken by the first pass (a cycle through the drain until then).
        *shared.first.lock() = Some(link.clone());
        link.drain.signal();
    }
}

/// What the downstream's subscription, the upstream subscriber and the passes share.
struct Shared<P, D>
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
    D: Subscriber<P::Item> + 'static,
{
    /// The downstream's requests, summed until a pass forwards them; its cancelled state is
    /// the cancel flag, and a `request(0)` is recorded in it (and forwarded upstream).
    demand: Demand,
    /// The upstream subscription: set by `on_subscribe`, asked by the passes, cancelled by
    /// `cancel`.
    upstream: SubscriptionSlot,
    /// The upstream's `on_subscribe` has arrived (`Release` after the slot was set): passes
    /// forward demand only then, so that every `request` runs on the worker.
    arrived: AtomicBool,
    /// The downstream has had (or is having) its terminal signal: nothing more to forward
    /// or report.
    terminated: AtomicBool,
    /// Where a [`SubscribeOnSubscriber`] dropped while its thread panics leaves the
    /// downstream, for the drain to report the panic to. Touched only then.
    rescue: Mutex<Option<D>>,
    /// The error the drain ended with (a panic, or a refused worker), for a subscriber that
    /// the upstream drops later (after the cancel that error caused) to report.
    failure: Mutex<Option<Error>>,
    /// The downstream's subscription, for the first pass (or for `on_error`, if the worker
    /// refuses the first pass).
    first: Mutex<Option<Arc<Link<P, D>>>>,
    /// This subscription's worker, disposed when the subscription ends.
    worker: Arc<dyn Worker>,
}

impl<P, D> Shared<P, D>
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
    D: Subscriber<P::Item> + 'static,
{
    /// Signals `error` to `downstream` (the stream is then terminated), unless it cancelled
    /// or already had its terminal signal.
    fn report(&self, mut downstream: D, error: Error) {
        if self.demand.requested() != Requested::Cancelled
            && !self.terminated.swap(true, Ordering::AcqRel)
        {
            downstream.on_error(error);
        }
    }
}

/// The subscription handed downstream (which the upstream subscriber keeps too).
type Link<P, D> = BoundarySubscription<Shared<P, D>, Task<P, D>>;

impl<P, D> Sides for Shared<P, D>
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
    D: Subscriber<P::Item> + 'static,
{
    fn demand(&self) -> &Demand {
        &self.demand
    }
    fn upstream(&self) -> &SubscriptionSlot {
        &self.upstream
    }
}

impl<P, D> Link<P, D>
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
    D: Subscriber<P::Item> + 'static,
{
    /// The downstream has had its terminal signal: the worker and the drain are done.
    fn finish(&self) {
        self.shared.terminated.store(true, Ordering::Release);
        self.drain.dispose();
        self.shared.worker.dispose();
    }

    /// A [`SubscribeOnSubscriber`] is dropped before the downstream had a terminal signal.
    fn orphaned(&self, downstream: D) {
        if std::thread::panicking() {
            // The upstream (or the downstream) panicked and the unwind drops its subscriber:
            // the drain's `on_error` (a panic on the worker) or a pass (a panic on another
            // thread) reports it.
            *self.shared.rescue.lock() = Some(downstream);
            self.drain.signal();
            return;
        }
        let failure = self.shared.failure.lock().clone();
        match failure {
            // The drain failed and cancelled the upstream, which let go of its subscriber.
            Some(error) => self.shared.report(downstream, error),
            // Cancelled: dropping the downstream is rule 3.13.
            None => drop(downstream),
        }
    }
}

/// The state only the drain's passes touch, on the worker.
struct Task<P, D>
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
    D: Subscriber<P::Item> + 'static,
{
    shared: Arc<Shared<P, D>>,
    /// Until the first pass subscribes to it.
    source: Option<Arc<P>>,
    /// Until the first pass hands it, inside a [`SubscribeOnSubscriber`], to the upstream.
    downstream: Option<D>,
    /// The downstream's subscription, from the first pass on (a cycle through the drain,
    /// until the drain is disposed).
    link: Option<Arc<Link<P, D>>>,
    /// Unbounded demand was forwarded: later requests change nothing.
    forwarded_unbounded: bool,
    /// A `request(0)` was forwarded: the upstream ends the stream with the rule 3.9 error.
    forwarded_zero: bool,
}

impl<P, D> Task<P, D>
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
    D: Subscriber<P::Item> + 'static,
{
    /// One pass: the first one gives the downstream its `on_subscribe` and subscribes the
    /// upstream; every pass forwards the demand summed since the last one.
    fn pass(&mut self) -> Pass {
        if self.link.is_none() {
            self.link = self.shared.first.lock().take();
        }
        let Some(link) = self.link.clone() else {
            return Pass::Stop;
        };
        if let Some(downstream) = self.downstream.take() {
            // Inside the subscriber from the start, so that a panic in `on_subscribe` or in
            // the upstream's `subscribe` drops it during the unwind, and it is rescued.
            let mut subscriber = SubscribeOnSubscriber {
                downstream: Some(downstream),
                link: link.clone(),
            };
            if let Some(downstream) = subscriber.downstream.as_mut() {
                // Requests made in here are summed; this pass forwards them once the
                // upstream has arrived.
                downstream.on_subscribe(link.clone());
            }
            if self.shared.demand.requested() == Requested::Cancelled {
                drop(subscriber); // rule 3.13; nothing was subscribed upstream
                return self.stop();
            }
            if let Some(source) = self.source.take() {
                source.subscribe(subscriber);
            }
        }
        let shared = &self.shared;
        if shared.terminated.load(Ordering::Acquire) {
            return Pass::Stop;
        }
        let rescued = shared.rescue.lock().take();
        if let Some(downstream) = rescued {
            // A panic on another thread dropped the upstream's subscriber.
            let error = Error::new(
                ErrorKind::Panic,
                "subscribe_on: the upstream panicked on another thread and dropped its subscriber",
            );
            shared.report(downstream, error);
            return self.stop();
        }
        match shared.demand.requested() {
            Requested::Cancelled => return self.stop(),
            // Nothing to forward to yet: `on_subscribe` signals again when it arrives.
            _ if !shared.arrived.load(Ordering::Acquire) => {}
            Requested::Invalid => {
                if !self.forwarded_zero {
                    self.forwarded_zero = true;
                    shared.upstream.request(0);
                }
            }
            Requested::Demand(0) => {}
            Requested::Demand(UNBOUNDED) => {
                if !self.forwarded_unbounded {
                    self.forwarded_unbounded = true;
                    shared.upstream.request(UNBOUNDED);
                }
            }
            Requested::Demand(n) => {
                // Only what this pass forwards; a request racing it stays for the next pass.
                shared.demand.produced(n);
                shared.upstream.request(n);
            }
        }
        Pass::Wait
    }

    /// Cancelled: the upstream is cancelled (again: idempotent) and the worker disposed.
    fn stop(&mut self) -> Pass {
        self.shared.upstream.cancel();
        self.shared.worker.dispose();
        Pass::Stop
    }

    /// The drain could go no further: a pass panicked (the upstream's code on the worker, or
    /// downstream code it called), or the worker refused a pass (its scheduler shut down).
    /// The downstream gets `error` if it can be reached: it is still here (the first pass
    /// never ran), or it was rescued from the subscriber the unwind dropped, or, failing both,
    /// from the subscriber the upstream drops after the cancel below.
    fn fail(&mut self, error: Error) {
        let shared = self.shared.clone();
        shared.failure.lock().get_or_insert_with(|| error.clone());
        if let Some(mut downstream) = self.downstream.take() {
            // Refused before the first pass: rule 1.9 still wants `on_subscribe` first.
            let link = self.link.take().or_else(|| shared.first.lock().take());
            if let Some(link) = link {
                downstream.on_subscribe(link);
            }
            shared.report(downstream, error);
        } else {
            let rescued = shared.rescue.lock().take();
            if let Some(downstream) = rescued {
                shared.report(downstream, error);
            }
        }
        shared.upstream.cancel();
        shared.first.lock().take();
        shared.worker.dispose();
    }
}

/// The subscriber put upstream: passes every signal through to the downstream, on the
/// upstream's thread.
struct SubscribeOnSubscriber<P, D>
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
    D: Subscriber<P::Item> + 'static,
{
    /// `None` once terminated.
    downstream: Option<D>,
    link: Arc<Link<P, D>>,
}

impl<P, D> Subscriber<P::Item> for SubscribeOnSubscriber<P, D>
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
    D: Subscriber<P::Item> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // A second subscription, or one after a cancel, is cancelled (rule 2.5).
        if self.link.shared.upstream.set(subscription) {
            self.link.shared.arrived.store(true, Ordering::Release);
            self.link.drain.signal(); // the pass forwards what was requested so far
        }
    }

    #[inline]
    fn on_next(&mut self, item: P::Item) {
        if let Some(downstream) = self.downstream.as_mut() {
            downstream.on_next(item);
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: P::Item) -> bool {
        self.downstream
            .as_mut()
            .is_none_or(|downstream| downstream.try_on_next(item))
    }

    fn on_error(&mut self, error: Error) {
        // Out of the subscriber first: a panic in `on_error` must not lead to a second
        // terminal signal from `Drop`.
        if let Some(mut downstream) = self.downstream.take() {
            self.link.shared.terminated.store(true, Ordering::Release);
            downstream.on_error(error);
            self.link.finish();
        }
    }

    fn on_complete(&mut self) {
        if let Some(mut downstream) = self.downstream.take() {
            self.link.shared.terminated.store(true, Ordering::Release);
            downstream.on_complete();
            self.link.finish();
        }
    }
}

impl<P, D> Drop for SubscribeOnSubscriber<P, D>
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
    D: Subscriber<P::Item> + 'static,
{
    fn drop(&mut self) {
        if let Some(downstream) = self.downstream.take() {
            self.link.orphaned(downstream);
        }
    }
}

/// The race of the boundary, under loom, on a worker that runs each pass on the thread that
/// signals it (the `ImmediateScheduler`): the upstream's `on_subscribe` arrives on one thread
/// while the downstream requests on another.
#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;

    use reactive_core::scheduler::ImmediateScheduler;
    use reactive_core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use reactive_core::sync::{Mutex, thread};
    use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef};

    use super::SubscribeOn;

    /// What the upstream's subscription was asked.
    #[derive(Default)]
    struct Asked {
        requested: AtomicU64,
        cancelled: AtomicBool,
    }

    impl Subscription for Asked {
        fn request(&self, n: u64) {
            self.requested.fetch_add(n, Ordering::AcqRel);
        }
        fn cancel(&self) {
            self.cancelled.store(true, Ordering::Release);
        }
    }

    /// An upstream that keeps its subscriber for the test, which gives it `on_subscribe`
    /// from a thread of its own.
    struct Deferred(Arc<Mutex<Option<Box<dyn Subscriber<u64>>>>>);

    impl Publisher for Deferred {
        type Item = u64;
        fn subscribe<S: Subscriber<u64> + 'static>(&self, subscriber: S) {
            *self.0.lock() = Some(Box::new(subscriber));
        }
    }

    /// The downstream: keeps its subscription, requests nothing by itself.
    struct Downstream(Arc<Mutex<Option<SubscriptionRef>>>);

    impl Subscriber<u64> for Downstream {
        fn on_subscribe(&mut self, s: SubscriptionRef) {
            *self.0.lock() = Some(s);
        }
        fn on_next(&mut self, _: u64) {}
        fn on_error(&mut self, _: Error) {}
        fn on_complete(&mut self) {}
    }

    /// The upstream's `on_subscribe` races a downstream request: the request reaches the
    /// upstream exactly once, whether it came before the upstream (kept, and forwarded by the
    /// pass that `on_subscribe` signals) or after it.
    #[test]
    fn request_races_upstream_arrival() {
        loom::model(|| {
            let slot = Arc::new(Mutex::new(None));
            let handle = Arc::new(Mutex::new(None));
            SubscribeOn::new(Deferred(slot.clone()), ImmediateScheduler::new())
                .subscribe(Downstream(handle.clone()));
            let mut upstream = slot.lock().take().expect("subscribed on the worker");
            let subscription = handle.lock().take().expect("on_subscribe ran");
            let asked = Arc::new(Asked::default());
            let arriving = asked.clone();
            let arrival = thread::spawn(move || {
                upstream.on_subscribe(arriving);
                upstream
            });
            let kept = subscription.clone();
            let requester = thread::spawn(move || subscription.request(2));
            let upstream = arrival.join().unwrap();
            requester.join().unwrap();
            assert_eq!(
                asked.requested.load(Ordering::Acquire),
                2,
                "the request was lost or doubled"
            );
            kept.cancel();
            assert!(asked.cancelled.load(Ordering::Acquire));
            drop(upstream);
        });
    }
}
