//! The TCK's asynchronous helper publisher and the thread pool it runs on.
//!
//! The subscriber and processor verifications need a source of elements that behaves well and
//! signals from other threads, like the JVM TCK's `AsyncIterablePublisher`. This one runs every
//! subscription as a small actor on a shared pool of four threads: signals (`request`,
//! `cancel`) are recorded under a lock and a single task at a time drains them, so calls to the
//! subscriber are serial (rule 1.3), `request` from inside `on_next` only records demand (rule
//! 3.3), and the subscriber is dropped once it is cancelled or terminated (rule 3.13).

use std::marker::PhantomData;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use parking_lot::Mutex;
#[cfg(not(reactive_loom))]
use reactive_core::scheduler::PoolScheduler;
use reactive_core::scheduler::Scheduler;
use reactive_core::support::add_cap;
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef};

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

/// Elements emitted per task before the task yields the thread to others.
const BATCH: u64 = 128;

struct Control {
    demand: u64,
    cancelled: bool,
    zero_requested: bool,
    scheduled: bool,
}

struct Emitter<T, S> {
    subscriber: Option<S>,
    handle: Option<SubscriptionRef>,
    next: u64,
    make: ElementFn<T>,
}

struct HelperSubscription<T, S> {
    elements: u64,
    control: Mutex<Control>,
    emitter: Mutex<Emitter<T, S>>,
}

impl<T, S> HelperSubscription<T, S>
where
    T: Send + 'static,
    S: Subscriber<T> + 'static,
{
    fn schedule(self: &Arc<Self>) {
        let mut c = self.control.lock();
        if c.scheduled {
            return;
        }
        c.scheduled = true;
        drop(c);
        let me = self.clone();
        spawn(move || me.run());
    }

    /// One task: deliver what the recorded signals allow, then either reschedule or go idle.
    fn run(self: Arc<Self>) {
        let mut emitter = self.emitter.lock();
        let em = &mut *emitter;
        if let Some(handle) = em.handle.take() {
            if let Some(s) = em.subscriber.as_mut() {
                s.on_subscribe(handle);
            }
        }
        let mut sent = 0;
        loop {
            if em.subscriber.is_none() {
                break;
            }
            let (cancelled, zero, demand) = {
                let c = self.control.lock();
                (c.cancelled, c.zero_requested, c.demand)
            };
            if cancelled {
                em.subscriber = None;
                break;
            }
            if zero {
                if let Some(mut s) = em.subscriber.take() {
                    s.on_error(Error::invalid_request(0));
                }
                break;
            }
            if em.next >= self.elements {
                if let Some(mut s) = em.subscriber.take() {
                    s.on_complete();
                }
                break;
            }
            if demand == 0 || sent == BATCH {
                break;
            }
            let item = (em.make)(em.next);
            em.next += 1;
            sent += 1;
            {
                let mut c = self.control.lock();
                if c.demand != u64::MAX {
                    c.demand -= 1;
                }
            }
            if let Some(s) = em.subscriber.as_mut() {
                s.on_next(item);
            }
        }
        let done = em.subscriber.is_none();
        drop(emitter);
        let mut c = self.control.lock();
        c.scheduled = false;
        // Checked in the same critical section that clears `scheduled`, so a signal recorded
        // while this task was finishing is never lost.
        let pending = !done && (c.cancelled || c.zero_requested || c.demand > 0);
        drop(c);
        if pending {
            self.schedule();
        }
    }
}

/// The subscription handed to the subscriber.
struct HelperHandle<T, S>(Arc<HelperSubscription<T, S>>);

impl<T, S> Subscription for HelperHandle<T, S>
where
    T: Send + 'static,
    S: Subscriber<T> + 'static,
{
    fn request(&self, n: u64) {
        {
            let mut c = self.0.control.lock();
            if c.cancelled {
                return;
            }
            if n == 0 {
                c.zero_requested = true;
            } else {
                c.demand = add_cap(c.demand, n);
            }
        }
        self.0.schedule();
    }

    fn cancel(&self) {
        {
            let mut c = self.0.control.lock();
            if c.cancelled {
                return;
            }
            c.cancelled = true;
        }
        // The subscriber is dropped by the next task (rule 3.13); it cannot be dropped here,
        // because `cancel` may be called from inside one of its own methods.
        self.0.schedule();
    }
}

impl<T: Send + 'static> Publisher for HelperPublisher<T> {
    type Item = T;
    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<T> + 'static,
    {
        let sub = Arc::new(HelperSubscription {
            elements: self.elements,
            control: Mutex::new(Control {
                demand: 0,
                cancelled: false,
                zero_requested: false,
                scheduled: false,
            }),
            emitter: Mutex::new(Emitter {
                subscriber: Some(subscriber),
                handle: None,
                next: 0,
                make: self.make,
            }),
        });
        let handle: SubscriptionRef = Arc::new(HelperHandle(sub.clone()));
        sub.emitter.lock().handle = Some(handle);
        sub.schedule();
    }
}
