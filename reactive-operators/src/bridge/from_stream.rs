//! `from_stream`: a publisher over a `futures_core::Stream`, and the polling machinery that
//! `from_future` shares.
//!
//! Every subscription is one [`ScheduledDrain`] on one worker. Its state (`Poller`) owns the
//! stream and the subscriber; a pass polls the stream while demand is outstanding and hands
//! each item to the subscriber. The waker given to the stream is the subscription itself
//! (`std::task::Wake`): `wake` signals the drain, so a wake-up schedules one more pass on the
//! worker, never a poll on the waking thread unless the worker runs tasks in place.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use futures_core::Stream;
use reactive_core::scheduler::{ImmediateScheduler, Pass, ScheduledDrain, Scheduler, Worker};
use reactive_core::support::{Demand, Requested, empty_subscription};
use reactive_core::sync::Mutex;
use reactive_core::{Error, ErrorKind, Publisher, Subscriber, Subscription};

/// How many polls one pass makes before it gives the worker back to its other tasks.
const BUDGET: usize = 64;

/// Emits the items of `stream`, polling it only while the subscriber has outstanding demand.
///
/// The stream is polled on a worker of a scheduler: by default an
/// [`ImmediateScheduler`], so a poll runs on the thread that made the `request` or that
/// called the stream's waker (trampolined: a poll never runs nested inside another);
/// [`FromStream::poll_on`] moves every poll to a worker of another scheduler. The subscriber's
/// signals (`on_subscribe` included) are delivered on that same worker, one at a time. When
/// the stream returns `Poll::Pending`, nothing runs until its waker is called; the wake-up
/// schedules the next poll on the worker.
///
/// A stream can be consumed once: the first subscriber gets it, and every later subscriber
/// gets `on_subscribe` followed by `on_error` (see [Errors](#errors)). Completion follows
/// the stream's `None`, or comes right after an item, without more demand, when the
/// stream's `size_hint` says no item is left (an upper bound of `Some(0)`); so does the
/// completion of a stream that is empty from the start.
///
/// # Which worker
///
/// The default (immediate) worker costs nothing and suits streams that are ready whenever
/// they are polled (`futures_util::stream::iter`, computed items) or whose wake-ups come from
/// threads you control. For streams driven by a tokio runtime (a channel receiver, a socket),
/// give it a scheduler: with the immediate worker the wake-up would run the poll, and the whole
/// downstream pipeline (every `on_next`), inside the waker's call, on whatever thread woke the
/// stream: possibly a tokio IO driver thread or the sending task, which must not run user code.
/// `poll_on(TokioScheduler::current())` (feature `tokio`) or
/// `poll_on(PoolScheduler::new(n))` keeps polls and the downstream on the scheduler's threads.
///
/// # Backpressure
///
/// Exact: polls the stream only while the demand is above zero, and stops polling when it is
/// used up; each `Ready(Some(item))` is delivered at once. Buffers nothing (no look-ahead).
/// So the `None` that ends a stream is found by a poll under demand: a subscriber that
/// requested exactly the number of items gets `on_complete` without more demand only from a
/// stream whose `size_hint` says it is done (as `futures_util::stream::iter`'s does);
/// otherwise the completion comes with its next `request`.
///
/// # Errors
///
/// * A panic in the stream's `poll_next` (or in the subscriber, during a poll's pass) becomes
///   `on_error` with an [`ErrorKind::Panic`] error, and the stream is dropped.
/// * `request(0)` ends the stream with an [`ErrorKind::InvalidRequest`] error naming rule 3.9,
///   and drops the stream.
/// * A second subscriber gets an [`ErrorKind::Rejected`] error right after `on_subscribe`:
///   "from_stream: the stream was already consumed by an earlier subscriber; a stream can be
///   subscribed to only once".
/// * A worker that refuses the poll (its scheduler shut down) ends the stream with an
///   [`ErrorKind::Rejected`] error.
///
/// `cancel` drops the stream (and the subscriber, rule 3.13): at once, or right after a poll
/// in progress on another thread returns. A stream of `Result`s is not unwrapped: its items
/// are the `Result`s (map them to errors downstream if that is what they mean).
///
/// # Examples
///
/// ```
/// use futures_util::stream;
/// use reactive_operators::from_stream;
/// use reactive_tck::StepVerifier;
///
/// StepVerifier::create(&from_stream(stream::iter(1..=5)))
///     .initial_request(2)
///     .expect_next_values([1, 2])
///     .then_request(3)
///     .expect_next_values([3, 4, 5])
///     .expect_complete()
///     .verify()
///     .unwrap();
/// ```
pub fn from_stream<S: Stream>(stream: S) -> FromStream<S> {
    FromStream::new(stream, Source::STREAM)
}

/// The publisher returned by [`from_stream`].
///
/// Holds the stream until the first subscriber takes it.
#[must_use = "publishers do nothing until subscribed"]
pub struct FromStream<S> {
    stream: Mutex<Option<S>>,
    scheduler: Arc<dyn Scheduler>,
    source: Source,
}

/// What the user handed over, for messages: `from_stream` over a stream or `from_future` over
/// a future.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source {
    operator: &'static str,
    noun: &'static str,
}

impl Source {
    pub(crate) const STREAM: Source = Source {
        operator: "from_stream",
        noun: "stream",
    };
    pub(crate) const FUTURE: Source = Source {
        operator: "from_future",
        noun: "future",
    };

    /// The error a second subscriber gets.
    fn consumed(self) -> Error {
        Error::new(
            ErrorKind::Rejected,
            format!(
                "{}: the {noun} was already consumed by an earlier subscriber; a {noun} can be \
                 subscribed to only once",
                self.operator,
                noun = self.noun
            ),
        )
    }
}

impl<S> FromStream<S> {
    pub(crate) fn new(stream: S, source: Source) -> Self {
        FromStream {
            stream: Mutex::new(Some(stream)),
            scheduler: Arc::new(ImmediateScheduler::new()),
            source,
        }
    }

    /// Polls the stream, and delivers every signal, on a worker of `scheduler` instead of on
    /// the thread that requests or wakes.
    ///
    /// The subscription takes one worker from `scheduler` and disposes it when the stream
    /// ends or is cancelled. Use it for streams woken by a runtime's threads (see
    /// [Which worker](from_stream#which-worker)): with a `PoolScheduler`, or with
    /// `TokioScheduler` (feature `tokio`) for tokio streams.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::stream;
    /// use reactive_core::scheduler::SingleThreadScheduler;
    /// use reactive_operators::from_stream;
    /// use reactive_tck::TestSubscriber;
    /// use std::time::Duration;
    ///
    /// let scheduler = SingleThreadScheduler::builder().name("poller").build();
    /// let ts = TestSubscriber::new();
    /// use reactive_core::Publisher;
    /// from_stream(stream::iter(0..3)).poll_on(scheduler).subscribe(ts.clone());
    /// assert!(ts.await_terminal(Duration::from_secs(10)));
    /// assert_eq!(ts.values(), [0, 1, 2]);
    /// assert!(ts.is_complete());
    /// ```
    pub fn poll_on<Sch: Scheduler + 'static>(mut self, scheduler: Sch) -> Self {
        self.scheduler = Arc::new(scheduler);
        self
    }

    /// Whether a subscriber has taken the stream.
    ///
    /// ```
    /// use futures_util::stream;
    /// use reactive_operators::{from_stream, PublisherExt};
    ///
    /// let source = from_stream(stream::iter([1, 2]));
    /// assert!(!source.is_consumed());
    /// source.subscribe_with(|_| {}, |_| {}, || {});
    /// assert!(source.is_consumed());
    /// ```
    pub fn is_consumed(&self) -> bool {
        self.stream.lock().is_none()
    }
}

impl<S> fmt::Debug for FromStream<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FromStream")
            .field("source", &self.source.operator)
            .field("consumed", &self.is_consumed())
            .finish_non_exhaustive()
    }
}

impl<S> Publisher for FromStream<S>
where
    S: Stream + Send + 'static,
    S::Item: Send + 'static,
{
    type Item = S::Item;

    fn subscribe<Sub>(&self, mut subscriber: Sub)
    where
        Sub: Subscriber<S::Item> + 'static,
    {
        let taken = self.stream.lock().take();
        match taken {
            Some(stream) => poll(stream, self.scheduler.worker(), subscriber),
            None => {
                subscriber.on_subscribe(empty_subscription());
                subscriber.on_error(self.source.consumed());
            }
        }
    }
}

/// Starts one subscription: the drain holding the stream and the subscriber, and the
/// subscription (which is also the stream's waker) handed to the first pass.
fn poll<St, Sub>(stream: St, worker: Arc<dyn Worker>, subscriber: Sub)
where
    St: Stream + Send + 'static,
    St::Item: Send + 'static,
    Sub: Subscriber<St::Item> + 'static,
{
    let handoff = Arc::new(Mutex::new(None));
    let poller = Poller {
        link: None,
        handoff: handoff.clone(),
        subscribed: false,
        subscriber: Some(subscriber),
        stream: Box::pin(stream),
        _worker: WorkerLease(worker.clone()),
    };
    let drain = ScheduledDrain::new(worker, poller, Poller::pass, Poller::fail);
    let subscription = Arc::new(StreamSubscription {
        demand: Demand::new(),
        drain: drain.clone(),
    });
    *handoff.lock() = Some(Link {
        waker: Waker::from(subscription.clone()),
        subscription,
    });
    drain.signal();
}

/// The subscription handed downstream, and the waker handed to the stream.
struct StreamSubscription<P> {
    /// What the subscriber asked for; a cancel and a `request(0)` are recorded here too.
    demand: Demand,
    drain: ScheduledDrain<P>,
}

impl<P: Send + 'static> Subscription for StreamSubscription<P> {
    fn request(&self, n: u64) {
        // Demand appearing (0 -> n) needs a pass; more demand while some is outstanding does
        // not: either a pass is running (it reads the new demand when its own is used up) or
        // the stream is pending, and its wake-up brings the next pass. `request(0)` always
        // needs one, to report rule 3.9.
        match self.demand.add(n) {
            Some(0) => self.drain.signal(),
            Some(_) if n == 0 => self.drain.signal(),
            _ => {}
        }
    }

    fn cancel(&self) {
        if self.demand.cancel() {
            // Drops the stream and the subscriber now if no pass runs, or right after the
            // running one (which sees the cancel before its next poll).
            self.drain.dispose();
        }
    }
}

impl<P: Send + 'static> Wake for StreamSubscription<P> {
    fn wake(self: Arc<Self>) {
        self.drain.signal();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.drain.signal();
    }
}

/// What the first pass needs from `poll` and cannot be given at construction: the
/// subscription (which holds the drain, which holds the poller) and the waker made from it.
struct Link<P> {
    subscription: Arc<StreamSubscription<P>>,
    waker: Waker,
}

/// The slot through which `poll` hands the [`Link`] to the first pass (or to `fail`, if the
/// worker refuses that pass).
type Handoff<P> = Arc<Mutex<Option<Link<P>>>>;

/// Disposes the subscription's worker when the subscription's state is dropped.
struct WorkerLease(Arc<dyn Worker>);

impl Drop for WorkerLease {
    fn drop(&mut self) {
        self.0.dispose();
    }
}

/// The state of one subscription, touched only by the drain's passes.
struct Poller<St: Stream, Sub> {
    /// `None` until the first pass takes it from `handoff`.
    link: Option<Link<Self>>,
    handoff: Handoff<Self>,
    /// Whether `on_subscribe` went out.
    subscribed: bool,
    /// `None` once a terminal signal went out.
    subscriber: Option<Sub>,
    stream: Pin<Box<St>>,
    _worker: WorkerLease,
}

impl<St, Sub> Poller<St, Sub>
where
    St: Stream + Send + 'static,
    St::Item: Send + 'static,
    Sub: Subscriber<St::Item> + 'static,
{
    /// Takes the link on the first call.
    fn attach(&mut self) {
        if self.link.is_none() {
            self.link = self.handoff.lock().take();
        }
    }

    /// One pass: `on_subscribe` the first time, then polls while there is demand, up to the
    /// budget.
    fn pass(&mut self) -> Pass {
        self.attach();
        let Poller {
            link: Some(link),
            subscribed,
            subscriber: Some(subscriber),
            stream,
            ..
        } = self
        else {
            return Pass::Stop;
        };
        if !*subscribed {
            *subscribed = true;
            subscriber.on_subscribe(link.subscription.clone());
        }
        let demand = &link.subscription.demand;
        // Reports a `request(0)` (rule 3.9) exactly once, unless a cancel came first.
        let Some(mut requested) = demand.check(subscriber) else {
            return Pass::Stop;
        };
        let mut cx = Context::from_waker(&link.waker);
        let mut emitted = 0u64;
        for _ in 0..BUDGET {
            if stream.size_hint().1 == Some(0) {
                subscriber.on_complete();
                return Pass::Stop;
            }
            if emitted == requested {
                // Used up: subtract the batch; a request made meanwhile shows here. A request
                // that found demand above zero did not signal, so this pass must look.
                requested = demand.produced(emitted);
                emitted = 0;
                if requested == 0 {
                    return Pass::Wait;
                }
            }
            match stream.as_mut().poll_next(&mut cx) {
                Poll::Ready(Some(item)) => {
                    subscriber.on_next(item);
                    emitted += 1;
                }
                Poll::Ready(None) => {
                    subscriber.on_complete();
                    return Pass::Stop;
                }
                Poll::Pending => {
                    // The waker brings the next pass; the demand left waits for it.
                    demand.produced(emitted);
                    return Pass::Wait;
                }
            }
            if demand.is_stopping() {
                // Cancelled (the drain drops everything) or `request(0)` (reported here).
                demand.check(subscriber);
                return Pass::Stop;
            }
        }
        demand.produced(emitted);
        Pass::Yield
    }

    /// The drain can go no further (a pass panicked, or the worker refused one): the error
    /// goes downstream, after `on_subscribe` if that has not gone out yet, unless the stream
    /// already ended or was cancelled.
    fn fail(&mut self, error: Error) {
        self.attach();
        let Some(mut subscriber) = self.subscriber.take() else {
            return;
        };
        let subscription = self.link.as_ref().map(|link| link.subscription.clone());
        if let Some(subscription) = &subscription {
            if subscription.demand.requested() == Requested::Cancelled {
                return; // cancelled, or the rule 3.9 error already went out
            }
        }
        if !self.subscribed {
            self.subscribed = true;
            match subscription {
                Some(subscription) => subscriber.on_subscribe(subscription),
                None => subscriber.on_subscribe(empty_subscription()),
            }
        }
        subscriber.on_error(error);
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;
    use std::task::{Context, Poll, Waker};

    use futures_core::Stream;
    use reactive_core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use reactive_core::sync::{Mutex, thread};
    use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

    use super::from_stream;

    /// What the model's stream and subscriber saw.
    struct Probe {
        /// Items the stream may hand out, how many it did, and the waker of its last
        /// `Pending`: one lock, so a wake-up cannot slip between the check and the
        /// registration.
        stream: Mutex<Shelf>,
        polls: AtomicUsize,
        drops: AtomicUsize,
        /// Set by the model right after `cancel` returned.
        cancelled: AtomicBool,
        polls_after_cancel: AtomicUsize,
        items: AtomicUsize,
        items_after_cancel: AtomicUsize,
        terminals: AtomicUsize,
        subscription: Mutex<Option<SubscriptionRef>>,
    }

    impl Probe {
        fn new() -> Arc<Self> {
            Arc::new(Probe {
                stream: Mutex::new(Shelf::default()),
                polls: AtomicUsize::new(0),
                drops: AtomicUsize::new(0),
                cancelled: AtomicBool::new(false),
                polls_after_cancel: AtomicUsize::new(0),
                items: AtomicUsize::new(0),
                items_after_cancel: AtomicUsize::new(0),
                terminals: AtomicUsize::new(0),
                subscription: Mutex::new(None),
            })
        }
    }

    #[derive(Default)]
    struct Shelf {
        available: usize,
        taken: usize,
        waker: Option<Waker>,
    }

    impl Probe {
        /// Makes `n` more items available and wakes the stream if it waits.
        fn supply(&self, n: usize) {
            let waker = {
                let mut shelf = self.stream.lock();
                shelf.available += n;
                shelf.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        }

        fn subscription(&self) -> SubscriptionRef {
            self.subscription.lock().clone().expect("on_subscribe ran")
        }
    }

    /// Hands out the probe's available items, `Pending` when there are none; never ends.
    struct Shelved(Arc<Probe>);

    impl Stream for Shelved {
        type Item = usize;
        fn poll_next(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<usize>> {
            let probe = &self.0;
            probe.polls.fetch_add(1, Ordering::AcqRel);
            if probe.cancelled.load(Ordering::Acquire) {
                probe.polls_after_cancel.fetch_add(1, Ordering::AcqRel);
            }
            let mut shelf = probe.stream.lock();
            if shelf.taken < shelf.available {
                shelf.taken += 1;
                return Poll::Ready(Some(shelf.taken));
            }
            shelf.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }

    impl Drop for Shelved {
        fn drop(&mut self) {
            self.0.drops.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Requests `initial` on subscribe and records what it gets; checks the items' order.
    struct Recorder {
        probe: Arc<Probe>,
        initial: u64,
    }

    impl Subscriber<usize> for Recorder {
        fn on_subscribe(&mut self, subscription: SubscriptionRef) {
            *self.probe.subscription.lock() = Some(subscription.clone());
            if self.initial > 0 {
                subscription.request(self.initial);
            }
        }
        fn on_next(&mut self, item: usize) {
            let seen = self.probe.items.fetch_add(1, Ordering::AcqRel) + 1;
            assert_eq!(item, seen, "items in order, each once");
            if self.probe.cancelled.load(Ordering::Acquire) {
                self.probe.items_after_cancel.fetch_add(1, Ordering::AcqRel);
            }
        }
        fn on_error(&mut self, error: Error) {
            panic!("unexpected on_error: {error}");
        }
        fn on_complete(&mut self) {
            self.probe.terminals.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// `cancel` on one thread while a wake-up on another runs a poll (the default worker
    /// polls on the waking thread): the stream is dropped exactly once (checked while the
    /// subscription is still held), and after `cancel` returned at most the one poll whose
    /// demand check came before it runs, and delivers at most its one item (rule 3.12 lets a
    /// signal in flight arrive); no terminal signal.
    #[test]
    fn cancel_races_poll() {
        loom::model(|| {
            let probe = Probe::new();
            from_stream(Shelved(probe.clone())).subscribe(Recorder {
                probe: probe.clone(),
                initial: 2,
            });
            // Pending; polled twice: the request from `on_subscribe` asks for another pass.
            assert_eq!(probe.items.load(Ordering::Acquire), 0);
            let subscription = probe.subscription();

            let waker = {
                let probe = probe.clone();
                thread::spawn(move || probe.supply(2))
            };
            subscription.cancel();
            probe.cancelled.store(true, Ordering::Release);
            waker.join().unwrap();

            assert_eq!(
                probe.drops.load(Ordering::Acquire),
                1,
                "the stream must be dropped exactly once, while the subscription is held"
            );
            assert!(
                probe.polls_after_cancel.load(Ordering::Acquire) <= 1,
                "polled again after cancel returned"
            );
            assert!(probe.items_after_cancel.load(Ordering::Acquire) <= 1);
            assert_eq!(probe.terminals.load(Ordering::Acquire), 0);
            let polls = probe.polls.load(Ordering::Acquire);
            subscription.request(1);
            assert_eq!(
                probe.polls.load(Ordering::Acquire),
                polls,
                "no poll after the end"
            );
        });
    }

    /// Two requests of 1 race, on two threads, each of which may run the pass (the default
    /// worker polls on the requesting thread): the one that finds demand above zero does not
    /// signal, so the pass that uses up its demand must read the demand left before it goes
    /// idle. Both items arrive, once each, in order.
    #[test]
    fn request_races_used_up_demand() {
        loom::model(|| {
            let probe = Probe::new();
            probe.supply(2);
            from_stream(Shelved(probe.clone())).subscribe(Recorder {
                probe: probe.clone(),
                initial: 0,
            });
            let subscription = probe.subscription();
            let other = {
                let subscription = subscription.clone();
                thread::spawn(move || subscription.request(1))
            };
            subscription.request(1);
            other.join().unwrap();

            assert_eq!(
                probe.items.load(Ordering::Acquire),
                2,
                "a request was lost: the demand was not read again when it was used up"
            );
            assert_eq!(
                probe.polls.load(Ordering::Acquire),
                2,
                "polled only under demand"
            );
            subscription.cancel();
            assert_eq!(probe.drops.load(Ordering::Acquire), 1);
        });
    }
}
