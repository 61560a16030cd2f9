//! `publish_on`: the downstream's signals move to a worker of a scheduler, through a bounded
//! queue.
//!
//! Who touches what:
//!
//! | state | written by | read by |
//! |---|---|---|
//! | the queue (`spsc`, exactly `prefetch` items) | the upstream's `on_next` (offer) | the drain pass (poll) |
//! | `done`, `failed`, `error` | the upstream's terminal signal, or an overflow, once | the drain pass |
//! | the downstream's demand (`Demand`) | `request` / `cancel`, any thread | the drain pass |
//! | the upstream subscription (`SubscriptionSlot`) | the upstream's `on_subscribe` | the pass (replenish), `cancel` |
//! | the downstream subscriber, the replenish count | only the drain pass, on the worker | |
//!
//! Every change is recorded first and then signalled to the [`ScheduledDrain`], whose counter
//! schedules a pass on the worker only on its 0-to-1 edge: a producer that keeps the worker
//! busy pays one `fetch_add` per item and never schedules a task.

use std::fmt;
use std::sync::Arc;

use reactive_core::queue::{Consumer, Producer, spsc};
use reactive_core::scheduler::{Pass, ScheduledDrain, Scheduler, Worker};
use reactive_core::support::{Demand, Requested, SubscriptionSlot};
use reactive_core::sync::Mutex;
use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef, UNBOUNDED};

use super::boundary::{BoundarySubscription, Sides};

/// Items a pass emits before it gives the worker back to its other tasks.
const BUDGET: usize = 1024;

/// A pass that has emitted this many items (or follows one that did) treats the stream as
/// hot: it waits a little for the next item instead of going idle at the first empty poll.
/// Going idle makes the producer's next `signal` schedule a pass and wake the worker's
/// thread, which costs microseconds. With a producer thread that never sleeps, in two runs
/// minutes apart on a shared 2-core machine, `publish_on(worker, 256)` moved about 4 million
/// items per second without the wait and 70 to 90 million with it (later runs, with the
/// machine busier, gave 6 to 16 million: both threads need a core of their own).
const HOT: u64 = 64;

/// How many times a pass of a hot stream polls the empty queue before it goes idle (a few
/// microseconds, with a spin-loop hint between polls). Cold streams never wait.
const SPIN: usize = 256;

/// The publisher returned by [`PublisherExt::publish_on`](crate::PublisherExt::publish_on).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct PublishOn<P, S> {
    source: P,
    scheduler: S,
    prefetch: usize,
    error_first: bool,
}

impl<P, S> PublishOn<P, S> {
    pub(crate) fn new(source: P, scheduler: S, prefetch: usize) -> Self {
        assert!(prefetch > 0, "publish_on: prefetch must be at least 1");
        assert!(
            prefetch <= usize::MAX / 2,
            "publish_on: prefetch {prefetch} is too large for a bounded queue"
        );
        PublishOn {
            source,
            scheduler,
            prefetch,
            error_first: false,
        }
    }

    /// Makes an upstream error overtake the items still queued: they are dropped and
    /// `on_error` is signalled as soon as the worker sees the error, without waiting for
    /// demand. By default the error waits behind the queued items (see
    /// [`publish_on`](crate::PublisherExt::publish_on)'s `# Errors`). Completion always waits
    /// for the queued items.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reactive_core::scheduler::SingleThreadScheduler;
    /// use reactive_core::{Error, ErrorKind};
    /// use reactive_operators::{error, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let failing = error::<u32>(Error::msg("boom"));
    /// StepVerifier::create(&failing.publish_on(SingleThreadScheduler::new(), 8).error_first())
    ///     .initial_request(0) // the error needs no demand
    ///     .expect_error_kind(ErrorKind::User)
    ///     .verify_timeout(Duration::from_secs(5))
    ///     .unwrap();
    /// ```
    pub fn error_first(mut self) -> Self {
        self.error_first = true;
        self
    }
}

impl<P: fmt::Debug, S: fmt::Debug> fmt::Debug for PublishOn<P, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublishOn")
            .field("source", &self.source)
            .field("scheduler", &self.scheduler)
            .field("prefetch", &self.prefetch)
            .field("error_first", &self.error_first)
            .finish()
    }
}

impl<P, S> Publisher for PublishOn<P, S>
where
    P: Publisher,
    P::Item: Send + 'static,
    S: Scheduler + Clone + 'static,
{
    type Item = P::Item;

    fn subscribe<D>(&self, downstream: D)
    where
        D: Subscriber<P::Item> + 'static,
    {
        let worker = self.scheduler.worker();
        let (producer, consumer) = spsc(self.prefetch);
        let signals = Arc::new(Signals {
            demand: Demand::new(),
            upstream: SubscriptionSlot::new(),
            done: AtomicBool::new(false),
            failed: AtomicBool::new(false),
            error: Mutex::new(None),
            handle: Mutex::new(None),
        });
        let emitter = Emitter {
            downstream: Some(downstream),
            subscribed: false,
            queue: consumer,
            signals: signals.clone(),
            worker: worker.clone(),
            limit: crate::replenish_limit(self.prefetch),
            consumed: 0,
            hot: false,
            error_first: self.error_first,
        };
        let drain = ScheduledDrain::new(worker, emitter, Emitter::pass, Emitter::fail);
        let subscription: SubscriptionRef = Arc::new(BoundarySubscription {
            shared: signals.clone(),
            drain: drain.clone(),
        });
        // Taken by the first pass, which hands it to the downstream's `on_subscribe` on the
        // worker (until then it is a cycle through the drain; the pass breaks it).
        *signals.handle.lock() = Some(subscription);
        drain.signal();
        self.source.subscribe(PublishOnSubscriber {
            queue: producer,
            signals,
            drain,
            prefetch: self.prefetch as u64,
            done: false,
        });
    }
}

/// What the upstream side, the downstream's subscription and the drain pass share.
struct Signals {
    /// The downstream's demand; its cancelled state is the cancel flag, and a `request(0)` is
    /// recorded in it too (rule 3.9).
    demand: Demand,
    /// The upstream subscription: set by `on_subscribe`, asked for more by the pass,
    /// cancelled by `cancel` or by the pass.
    upstream: SubscriptionSlot,
    /// The upstream has ended (completed, failed, or overflowed); `Release` after the last
    /// offer, so a pass that reads it with `Acquire` and then finds the queue empty has seen
    /// every item.
    done: AtomicBool,
    /// `done` with an error: `error` holds it (`Release` after it was stored).
    failed: AtomicBool,
    /// The upstream's error or the overflow error; set once, before `failed` and `done`.
    error: Mutex<Option<Error>>,
    /// The subscription for the downstream's `on_subscribe`, until the first pass takes it.
    handle: Mutex<Option<SubscriptionRef>>,
}

impl Sides for Signals {
    fn demand(&self) -> &Demand {
        &self.demand
    }
    fn upstream(&self) -> &SubscriptionSlot {
        &self.upstream
    }
}

/// The subscriber put upstream: offers each item to the queue and signals the drain.
struct PublishOnSubscriber<T: Send + 'static, D> {
    queue: Producer<T>,
    signals: Arc<Signals>,
    drain: ScheduledDrain<Emitter<T, D>>,
    prefetch: u64,
    /// The upstream ended or overflowed: later signals are ignored.
    done: bool,
}

impl<T: Send + 'static, D> PublishOnSubscriber<T, D> {
    /// Items waiting in the queue right now (a snapshot), for metrics.
    pub(crate) fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// How many items the queue holds when full: the prefetch.
    pub(crate) fn queue_capacity(&self) -> usize {
        self.queue.capacity()
    }
}

impl<T, D> PublishOnSubscriber<T, D>
where
    T: Send + 'static,
    D: Subscriber<T> + 'static,
{
    /// Records the end (an error, if any, before the flags) and signals the drain.
    fn end(&mut self, error: Option<Error>) {
        self.done = true;
        if let Some(error) = error {
            *self.signals.error.lock() = Some(error);
            self.signals.failed.store(true, Ordering::Release);
        }
        self.signals.done.store(true, Ordering::Release);
        self.drain.signal();
    }

    /// The upstream sent more than it was asked for: it is cancelled, and the stream ends
    /// with an overflow error after the items already queued.
    #[cold]
    #[inline(never)]
    fn overflow(&mut self, item: T) {
        drop(item);
        self.signals.upstream.cancel();
        let error = Error::buffer_overflow("publish_on", self.queue.capacity());
        self.end(Some(error));
    }
}

impl<T, D> Subscriber<T> for PublishOnSubscriber<T, D>
where
    T: Send + 'static,
    D: Subscriber<T> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // A second subscription, or one arriving after a cancel, is cancelled (rule 2.5).
        if self.signals.upstream.set(subscription.clone()) {
            subscription.request(self.prefetch);
        }
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if self.done {
            return;
        }
        if let Err(item) = self.queue.offer(item) {
            self.overflow(item);
            return;
        }
        // After the offer: a pass that this signal schedules, or that is running and runs
        // again for it, finds the item.
        self.drain.signal();
    }

    fn on_error(&mut self, error: Error) {
        if !self.done {
            self.end(Some(error));
        }
    }

    fn on_complete(&mut self) {
        if !self.done {
            self.end(None);
        }
    }
}

impl<T: Send + 'static, D> fmt::Debug for PublishOnSubscriber<T, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublishOnSubscriber")
            .field("queued", &self.queue_len())
            .field("capacity", &self.queue_capacity())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// The state only the drain's passes touch, on the worker.
struct Emitter<T, D> {
    /// `None` once terminated or cancelled: dropping it is rule 3.13.
    downstream: Option<D>,
    /// Whether the downstream has had its `on_subscribe`.
    subscribed: bool,
    queue: Consumer<T>,
    signals: Arc<Signals>,
    /// This subscription's worker, disposed when the subscription ends.
    worker: Arc<dyn Worker>,
    /// Replenish after this many items (the 75% rule).
    limit: usize,
    /// Items handed downstream since the last replenish.
    consumed: usize,
    /// The last pass emitted at least [`HOT`] items: this one may wait for the next item.
    hot: bool,
    error_first: bool,
}

/// Why the emission loop of a pass stopped.
enum Halt {
    /// The queue is empty, or the downstream's demand is used up.
    Idle,
    /// The budget is used up with work left.
    Budget,
    /// Cancelled, or a `request(0)`.
    Stopping,
    /// `error_first`: an upstream error overtakes the queue.
    Failed,
}

impl<T, D> Emitter<T, D>
where
    T: Send + 'static,
    D: Subscriber<T> + 'static,
{
    /// One pass: `on_subscribe` the first time, then as many items as demand and queue allow
    /// (at most [`BUDGET`]), then the terminal signal once the queue is drained.
    fn pass(&mut self) -> Pass {
        let Some(downstream) = self.downstream.as_mut() else {
            return Pass::Stop;
        };
        if !self.subscribed {
            self.subscribed = true;
            let handle = self.signals.handle.lock().take();
            if let Some(handle) = handle {
                // Requests made in here only bump the drain counter: this pass serves them.
                downstream.on_subscribe(handle);
            }
        }
        // One read of the shared demand per pass; a request made meanwhile signals the drain,
        // which runs the pass again.
        let Some(requested) = self.signals.demand.check(downstream) else {
            return self.stop();
        };
        let mut emitted = 0u64;
        let mut budget = BUDGET;
        let halt = loop {
            if self.error_first && self.signals.failed.load(Ordering::Acquire) {
                break Halt::Failed;
            }
            if emitted == requested {
                break Halt::Idle;
            }
            let item = match self.queue.poll() {
                Some(item) => item,
                // A hot stream: the next item is likely a few nanoseconds away. Waiting
                // for it here costs far less than going idle, which makes the producer's next
                // signal schedule a pass and wake the worker's thread.
                None if self.hot || emitted >= HOT => {
                    match spin_poll(&mut self.queue, &self.signals) {
                        Some(item) => item,
                        None => break Halt::Idle,
                    }
                }
                None => break Halt::Idle,
            };
            downstream.on_next(item);
            emitted += 1;
            self.consumed += 1;
            if self.consumed == self.limit {
                self.consumed = 0;
                self.signals.upstream.request(self.limit as u64);
            }
            // A cancel or `request(0)`, from inside `on_next` or from another thread.
            if self.signals.demand.is_stopping() {
                break Halt::Stopping;
            }
            budget -= 1;
            if budget == 0 {
                break Halt::Budget;
            }
        };
        if emitted > 0 && requested != UNBOUNDED {
            self.signals.demand.produced(emitted);
        }
        self.hot = emitted >= HOT;
        match halt {
            Halt::Budget => Pass::Yield,
            Halt::Stopping => {
                // Reports a `request(0)` (rule 3.9), unless a cancel came first.
                if let Some(downstream) = self.downstream.as_mut() {
                    self.signals.demand.check(downstream);
                }
                self.stop()
            }
            Halt::Failed => self.terminate(),
            Halt::Idle => {
                // `done` first, then the queue: every item was offered before `done` was
                // set, so a queue found empty after reading it is empty for good.
                let done = self.signals.done.load(Ordering::Acquire);
                let failed_first = self.error_first && self.signals.failed.load(Ordering::Acquire);
                if done && (failed_first || self.queue.is_empty()) {
                    self.terminate()
                } else {
                    Pass::Wait
                }
            }
        }
    }

    /// The upstream has ended (and the queue is drained, or its error overtakes it): the
    /// terminal signal, then the subscription is over.
    fn terminate(&mut self) -> Pass {
        self.queue.clear();
        let error = self.signals.error.lock().take();
        // Out of the state first: a panic in the terminal signal finds no downstream to
        // report to, so it never gets a second terminal signal.
        if let Some(mut downstream) = self.downstream.take() {
            match error {
                Some(error) => downstream.on_error(error),
                None => downstream.on_complete(),
            }
        }
        self.worker.dispose();
        Pass::Stop
    }

    /// Cancelled (by the downstream, or by the rule 3.9 error): the upstream is cancelled,
    /// the queued items and the downstream are dropped here, on the worker.
    fn stop(&mut self) -> Pass {
        self.signals.upstream.cancel();
        self.queue.clear();
        self.downstream = None;
        self.worker.dispose();
        Pass::Stop
    }

    /// The drain could go no further: a pass panicked (downstream code: an operator after
    /// `publish_on`, or the subscriber), or the worker refused it. The upstream is cancelled
    /// and the downstream gets the error, unless it cancelled or was already terminated.
    fn fail(&mut self, error: Error) {
        self.signals.upstream.cancel();
        self.queue.clear();
        if let Some(mut downstream) = self.downstream.take() {
            if !self.subscribed {
                // Refused before the first pass: rule 1.9 still wants `on_subscribe` first.
                self.subscribed = true;
                let handle = self.signals.handle.lock().take();
                if let Some(handle) = handle {
                    downstream.on_subscribe(handle);
                }
            }
            if self.signals.demand.requested() != Requested::Cancelled {
                downstream.on_error(error);
            }
        }
        self.signals.handle.lock().take();
        self.worker.dispose();
    }
}

/// Polls an empty queue up to [`SPIN`] times, for a pass of a hot stream; gives up at once
/// when the upstream has ended or the downstream cancelled.
#[cold]
#[inline(never)]
fn spin_poll<T>(queue: &mut Consumer<T>, signals: &Signals) -> Option<T> {
    for _ in 0..SPIN {
        std::hint::spin_loop();
        if let Some(item) = queue.poll() {
            return Some(item);
        }
        if signals.done.load(Ordering::Relaxed) || signals.demand.is_stopping() {
            return None;
        }
    }
    None
}

/// The races of the boundary, under loom, on a worker that runs each pass on the thread that
/// signals it (the `ImmediateScheduler`; its queue still keeps the passes serial): an
/// upstream thread offers and ends while a downstream thread requests or cancels. Prefetch
/// 2, one or two items.
#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;

    use reactive_core::scheduler::ImmediateScheduler;
    use reactive_core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use reactive_core::sync::{Mutex, thread};
    use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef};

    use super::PublishOn;

    type Item = Arc<u64>;

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

    /// An upstream that hands its subscriber to the test, which drives it from a thread.
    struct Manual {
        asked: Arc<Asked>,
        subscriber: Arc<Mutex<Option<Box<dyn Subscriber<Item>>>>>,
    }

    impl Publisher for Manual {
        type Item = Item;
        fn subscribe<S: Subscriber<Item> + 'static>(&self, subscriber: S) {
            let mut subscriber: Box<dyn Subscriber<Item>> = Box::new(subscriber);
            subscriber.on_subscribe(self.asked.clone());
            *self.subscriber.lock() = Some(subscriber);
        }
    }

    #[derive(Default)]
    struct Record {
        items: Vec<u64>,
        completes: usize,
        errors: usize,
        subscription: Option<SubscriptionRef>,
    }

    /// The downstream: records what arrives, requests `initial` on subscribe.
    struct Recorder {
        record: Arc<Mutex<Record>>,
        initial: u64,
        _alive: Arc<()>,
    }

    impl Subscriber<Item> for Recorder {
        fn on_subscribe(&mut self, s: SubscriptionRef) {
            self.record.lock().subscription = Some(s.clone());
            if self.initial > 0 {
                s.request(self.initial);
            }
        }
        fn on_next(&mut self, item: Item) {
            self.record.lock().items.push(*item);
        }
        fn on_error(&mut self, _: Error) {
            self.record.lock().errors += 1;
        }
        fn on_complete(&mut self) {
            self.record.lock().completes += 1;
        }
    }

    /// What a race leaves for its checks.
    struct Raced {
        asked: Arc<Asked>,
        record: Arc<Mutex<Record>>,
        /// A handle on the subscription, held as a subscriber that keeps it would.
        kept: SubscriptionRef,
        /// The downstream subscriber, while it is alive.
        alive: std::sync::Weak<()>,
    }

    /// Subscribes a recorder (requesting `initial`) through `publish_on(immediate, 2)`, then
    /// runs `produce` on the upstream side from one thread and `downstream` on the
    /// subscription from another.
    fn race(
        initial: u64,
        produce: impl FnOnce(&mut dyn Subscriber<Item>) + Send + 'static,
        downstream: impl FnOnce(&SubscriptionRef) + Send + 'static,
    ) -> Raced {
        let asked = Arc::new(Asked::default());
        let slot = Arc::new(Mutex::new(None));
        let manual = Manual {
            asked: asked.clone(),
            subscriber: slot.clone(),
        };
        let record = Arc::new(Mutex::new(Record::default()));
        let token = Arc::new(());
        let alive = Arc::downgrade(&token);
        PublishOn::new(manual, ImmediateScheduler::new(), 2).subscribe(Recorder {
            record: record.clone(),
            initial,
            _alive: token,
        });
        let mut upstream = slot.lock().take().expect("publish_on subscribed upstream");
        let subscription = record
            .lock()
            .subscription
            .clone()
            .expect("on_subscribe ran");
        assert_eq!(asked.requested.load(Ordering::Acquire), 2, "prefetch");
        let kept = subscription.clone();
        let producer = thread::spawn(move || produce(upstream.as_mut()));
        let other = thread::spawn(move || downstream(&subscription));
        producer.join().unwrap();
        other.join().unwrap();
        Raced {
            asked,
            record,
            kept,
            alive,
        }
    }

    /// The upstream offers two items on one thread while the downstream requests them on
    /// another: whichever thread's signal finds the drain idle runs the pass, and the offer
    /// made while a pass runs on the other thread is never stranded in the queue.
    #[test]
    fn producer_offer_races_drain() {
        loom::model(|| {
            let raced = race(
                0,
                |up| {
                    up.on_next(Arc::new(1));
                    up.on_next(Arc::new(2));
                },
                |s| s.request(2),
            );
            let r = raced.record.lock();
            assert_eq!(r.items, [1, 2], "an item was offered but never delivered");
            assert_eq!(r.completes + r.errors, 0);
            drop(r);
            raced.kept.cancel(); // the stream is still open: end it, so that nothing leaks
        });
    }

    /// The downstream cancels while the upstream offers: the upstream is cancelled, no
    /// terminal signal follows, and the downstream and every item are dropped (rule 3.13),
    /// checked while a handle on the subscription is still held.
    #[test]
    fn cancel_races_drain() {
        loom::model(|| {
            let (a, b) = (Arc::new(1), Arc::new(2));
            let tokens = [Arc::downgrade(&a), Arc::downgrade(&b)];
            let raced = race(
                1,
                move |up| {
                    up.on_next(a);
                    up.on_next(b);
                },
                |s| s.cancel(),
            );
            assert!(
                raced.asked.cancelled.load(Ordering::Acquire),
                "upstream not cancelled"
            );
            let r = raced.record.lock();
            assert_eq!(r.completes + r.errors, 0, "a terminal signal after cancel");
            assert!(r.items.len() <= 1, "more than requested");
            drop(r);
            assert_eq!(
                raced.alive.strong_count(),
                0,
                "downstream kept after cancel (rule 3.13)"
            );
            assert!(
                tokens.iter().all(|t| t.strong_count() == 0),
                "an item leaked"
            );
            drop(raced.kept);
        });
    }

    /// The upstream sends its last item and completes while the downstream requests it: the
    /// item arrives, then exactly one completion, whichever thread runs the pass that sees
    /// the end.
    #[test]
    fn complete_races_request() {
        loom::model(|| {
            let raced = race(
                0,
                |up| {
                    up.on_next(Arc::new(1));
                    up.on_complete();
                },
                |s| s.request(1),
            );
            let r = raced.record.lock();
            assert_eq!(r.items, [1], "completed with the item still queued");
            assert_eq!(r.completes, 1, "no completion");
            assert_eq!(r.errors, 0);
        });
    }
}
