//! The TCK's asynchronous helper publisher and the thread pool it runs on.
//!
//! The subscriber and processor verifications need a source of elements that behaves well and
//! signals from other threads, like the JVM TCK's `AsyncIterablePublisher`. This one runs every
//! subscription as a [`ScheduledDrain`] on a worker of a shared pool of four threads: signals
//! (`request`, `cancel`) are recorded in atomics and the drain's passes deliver them, so calls
//! to the subscriber are serial (rule 1.3), `request` from inside `on_next` only records demand
//! (rule 3.3), and the subscriber is dropped once it is cancelled or terminated (rule 3.13).

use std::marker::PhantomData;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use parking_lot::Mutex;
#[cfg(not(reactive_loom))]
use reactive_core::scheduler::PoolScheduler;
use reactive_core::scheduler::{Pass, ScheduledDrain, Scheduler};
use reactive_core::support::Demand;
use reactive_core::{Publisher, Subscriber, Subscription, SubscriptionRef};

/// Number of threads of the shared pool.
#[cfg(not(reactive_loom))]
const POOL_THREADS: usize = 4;

/// The helper pool: a `PoolScheduler` from `reactive_core::scheduler`, started on first use
/// and shared by every verification in the process.
#[cfg(not(reactive_loom))]
fn pool() -> &'static PoolScheduler {
    static POOL: OnceLock<PoolScheduler> = OnceLock::new();
    POOL.get_or_init(|| {
        PoolScheduler::builder()
            .threads(POOL_THREADS)
            .name("reactive-tck-helper")
            // The TCK records failures through the environment; a panic in a task (for example
            // a TCK subscriber refusing an overflowing element) only ends that task.
            .on_panic(|_| {})
            .build()
    })
}

/// Under `--cfg reactive_loom` the TCK is only compiled (loom test targets of other crates have
/// it as a dev-dependency) and never run; there are no thread pools there, so helper jobs would
/// run in place.
#[cfg(reactive_loom)]
fn pool() -> &'static reactive_core::scheduler::ImmediateScheduler {
    static POOL: OnceLock<reactive_core::scheduler::ImmediateScheduler> = OnceLock::new();
    POOL.get_or_init(reactive_core::scheduler::ImmediateScheduler::new)
}

/// Runs `job` on the TCK's shared pool of helper threads.
///
/// A panic in `job` ends only that job (the TCK records failures through the environment,
/// never by panicking on a pool thread).
pub fn spawn(job: impl FnOnce() + Send + 'static) {
    pool().schedule(Box::new(job));
}

/// Runs `job` on the helper pool after `delay`: for tests that need a signal to arrive late
/// (for example a subscriber whose demand is signalled from a timer).
pub fn spawn_after(delay: Duration, job: impl FnOnce() + Send + 'static) {
    pool().schedule_after(delay, Box::new(job));
}

/// How an element is made from its index (0, 1, 2, ...).
pub type ElementFn<T> = fn(u64) -> T;

/// The TCK's asynchronous helper publisher: emits `create_element(0..n)`, then completes;
/// `n == u64::MAX` means an infinite stream.
///
/// Each subscriber gets its own sequence (cold). `on_subscribe` and every other signal are
/// delivered from the helper pool. `request(0)` ends in `on_error` with
/// [`ErrorKind::InvalidRequest`](reactive_core::ErrorKind::InvalidRequest), demand saturates at
/// `u64::MAX`, and an empty stream completes without waiting for demand.
///
/// ```
/// use std::sync::mpsc;
/// use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};
/// use reactive_tck::HelperPublisher;
///
/// struct Collect(mpsc::Sender<Option<u64>>);
/// impl Subscriber<u64> for Collect {
///     fn on_subscribe(&mut self, s: SubscriptionRef) { s.request(10) }
///     fn on_next(&mut self, x: u64) { self.0.send(Some(x)).unwrap() }
///     fn on_error(&mut self, _: Error) {}
///     fn on_complete(&mut self) { self.0.send(None).unwrap() }
/// }
///
/// let (tx, rx) = mpsc::channel();
/// HelperPublisher::new(3, |i| i * 10).subscribe(Collect(tx));
/// let got: Vec<_> = rx.iter().take(4).collect();
/// assert_eq!(got, vec![Some(0), Some(10), Some(20), None]);
/// ```
pub struct HelperPublisher<T> {
    elements: u64,
    make: ElementFn<T>,
    _item: PhantomData<fn() -> T>,
}

impl<T> Clone for HelperPublisher<T> {
    fn clone(&self) -> Self {
        HelperPublisher {
            elements: self.elements,
            make: self.make,
            _item: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for HelperPublisher<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HelperPublisher")
            .field("elements", &self.elements)
            .finish()
    }
}

impl<T> HelperPublisher<T> {
    /// A publisher of `make(0)`, ..., `make(elements - 1)`; infinite if `elements == u64::MAX`.
    pub fn new(elements: u64, make: ElementFn<T>) -> Self {
        HelperPublisher {
            elements,
            make,
            _item: PhantomData,
        }
    }
}

/// Elements emitted per pass before the pass gives the thread to other work.
const BATCH: u64 = 128;

/// What `request` and `cancel` record, from any thread.
#[derive(Default)]
struct Signals {
    /// Outstanding demand; its cancelled state is the cancel flag, and a `request(0)` is
    /// recorded in it too (rule 3.9).
    demand: Demand,
    /// The subscription, until the first pass hands it to `on_subscribe`.
    handle: Mutex<Option<SubscriptionRef>>,
}

/// The state only the drain's passes touch.
struct Emitter<T, S> {
    subscriber: Option<S>,
    subscribed: bool,
    next: u64,
    elements: u64,
    make: ElementFn<T>,
}

impl<T, S> Emitter<T, S>
where
    T: Send + 'static,
    S: Subscriber<T> + 'static,
{
    /// One pass: deliver what the recorded signals allow, at most [`BATCH`] elements.
    fn pass(&mut self, signals: &Signals) -> Pass {
        if !self.subscribed {
            self.subscribed = true;
            let handle = signals.handle.lock().take();
            if let (Some(s), Some(handle)) = (self.subscriber.as_mut(), handle) {
                s.on_subscribe(handle);
            }
        }
        let mut sent = 0;
        loop {
            let Some(s) = self.subscriber.as_mut() else {
                return Pass::Stop;
            };
            // Cancelled, or a `request(0)` (whose rule-3.9 error `check` signals once).
            let Some(demand) = signals.demand.check(s) else {
                self.subscriber = None;
                return Pass::Stop;
            };
            if self.next >= self.elements {
                if let Some(mut s) = self.subscriber.take() {
                    s.on_complete();
                }
                return Pass::Stop;
            }
            if demand == 0 {
                return Pass::Wait;
            }
            if sent == BATCH {
                return Pass::Yield;
            }
            let item = (self.make)(self.next);
            self.next += 1;
            sent += 1;
            signals.demand.produced(1);
            s.on_next(item);
        }
    }
}

/// The subscription handed to the subscriber.
struct HelperSubscription<T, S> {
    signals: Arc<Signals>,
    drain: ScheduledDrain<Emitter<T, S>>,
}

impl<T, S> Subscription for HelperSubscription<T, S>
where
    T: Send + 'static,
    S: Subscriber<T> + 'static,
{
    fn request(&self, n: u64) {
        // `add(0)` records the invalid request; refused once cancelled (rule 3.6).
        if self.signals.demand.add(n).is_some() {
            self.drain.signal();
        }
    }

    fn cancel(&self) {
        // The subscriber is dropped by the next pass (rule 3.13); it cannot be dropped here,
        // because `cancel` may be called from inside one of its own methods.
        if self.signals.demand.cancel() {
            self.drain.signal();
        }
    }
}

impl<T: Send + 'static> Publisher for HelperPublisher<T> {
    type Item = T;
    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<T> + 'static,
    {
        let signals = Arc::new(Signals::default());
        let emitter = Emitter {
            subscriber: Some(subscriber),
            subscribed: false,
            next: 0,
            elements: self.elements,
            make: self.make,
        };
        let recorded = signals.clone();
        let drain = ScheduledDrain::new(
            pool().worker(),
            emitter,
            move |emitter| emitter.pass(&recorded),
            // The subscriber panicked (the TCK records failures through the environment, so
            // this is a subscriber under test breaking rule 2.13): treat the subscription as
            // cancelled and drop the subscriber.
            |emitter, _| emitter.subscriber = None,
        );
        let sub = Arc::new(HelperSubscription {
            signals: signals.clone(),
            drain,
        });
        *signals.handle.lock() = Some(sub.clone());
        sub.drain.signal();
    }
}
