//! Where asynchronous work runs: immediately, on a dedicated thread, on a fixed pool of
//! threads, or on a tokio runtime.
//!
//! A [`Scheduler`] hands out [`Worker`]s. A worker is a serial lane of work: an operator that
//! crosses an asynchronous boundary (`publish_on`, `subscribe_on`, timers) takes one worker per
//! subscription, schedules its drain loop on it, and [disposes](Worker::dispose) it when the
//! subscription ends.
//!
//! | scheduler | where tasks run | delays | threads |
//! |---|---|---|---|
//! | [`ImmediateScheduler`] | on the thread that calls `schedule`, trampolined | the caller sleeps | none |
//! | [`SingleThreadScheduler`] | one dedicated, named thread | timer heap on that thread | 1 |
//! | [`PoolScheduler`] | a fixed set of threads; each worker stays on one of them | timer heap per thread | n |
//! | `TokioScheduler` (feature `tokio`) | tokio tasks on a runtime you own | `tokio::time::sleep` | the runtime's |
//!
//! Every worker is the same core (a serial queue of tasks with a claim on its drain, in
//! `serial.rs`); the schedulers differ only in how they start a drain: on the calling thread,
//! on an event-loop thread, or as a tokio task. [`SingleThreadScheduler`] is a
//! [`PoolScheduler`] of one thread with its own name. All four are configured with one
//! [`SchedulerBuilder`].
//!
//! [`ScheduledDrain`] is the drain loop of [`support::WipCell`](crate::support::WipCell) run on a
//! worker instead of on the caller's thread: the piece every asynchronous boundary is built on.
//!
//! In loom builds (`--cfg reactive_loom`) only the traits, [`TaskHandle`],
//! [`ImmediateScheduler`] and [`ScheduledDrain`] exist: models drive a worker from their own
//! loom threads.
//!
//! # Ordering guarantees
//!
//! For every worker, of every scheduler:
//!
//! * **Serial**: its tasks never run concurrently with each other.
//! * **FIFO**: tasks given to [`schedule`](Worker::schedule) run in the order the calls were
//!   made (for calls ordered by happens-before, for example all calls of one thread). Two
//!   threads that race get some interleaving, but each thread's own tasks keep their order.
//! * **Delays by deadline**: a task given to [`schedule_after`](Worker::schedule_after) joins
//!   the worker's line when its deadline passes; delayed tasks of one worker run in deadline
//!   order, equal deadlines in submission order. A zero delay is the same as `schedule`.
//! * **Happens-before**: everything a thread did before `schedule` is visible to the task, and
//!   everything a task did is visible to the next task of the same worker.
//!
//! Different workers are independent: on a pool or on tokio their tasks run in parallel; on a
//! single thread they interleave, each worker taking a bounded turn so that one busy worker
//! cannot starve the others.
//!
//! # Cancellation, disposal and shutdown
//!
//! Every `schedule` call returns a [`TaskHandle`]. [`TaskHandle::cancel`] stops a task that has
//! not started and drops its closure at once (a running task is not interrupted).
//! [`Worker::dispose`] cancels every pending task of the worker, delayed ones included, and
//! rejects later ones: their handle reports [`is_rejected`](TaskHandle::is_rejected) and the
//! closure is dropped without running. [`Scheduler::shutdown`] does the same for every worker of
//! the scheduler and stops its threads; dropping the last handle to a thread-backed scheduler
//! (the scheduler values and the workers it handed out) shuts it down too. Dropping a worker
//! handle does not cancel what it already scheduled.
//!
//! Closures are always dropped outside the scheduler's locks, so a closure's `Drop` may call
//! back into the scheduler.
//!
//! # Panics in tasks
//!
//! A task that panics does not take its thread or its worker down. Every scheduler runs each
//! task inside [`std::panic::catch_unwind`], turns the payload into an [`Error`] of kind
//! [`ErrorKind::Panic`](crate::ErrorKind::Panic) with [`Error::panic`], reports it with
//! `tracing::error!` and, if one was configured, passes it to the
//! [`on_panic`](SchedulerBuilder::on_panic) handler (on the thread that ran the task; a
//! panicking handler is caught and logged too). The worker then goes on with its next task.
//! (Rust's panic hook still prints the usual message when the panic happens.) Operators that
//! need a panic to become `on_error` downstream catch it inside their own task, where they know
//! the subscriber: [`ScheduledDrain`] does that for them.
//!
//! ```
//! use std::sync::mpsc;
//! use reactive_core::{Error, ErrorKind};
//! use reactive_core::scheduler::{Scheduler, SingleThreadScheduler};
//!
//! let (errors_tx, errors) = mpsc::channel();
//! let scheduler = SingleThreadScheduler::builder()
//!     .on_panic(move |err: Error| errors_tx.send(err).unwrap())
//!     .build();
//! let worker = scheduler.worker();
//! worker.schedule(Box::new(|| panic!("bad input 7")));
//! let (done_tx, done) = mpsc::channel();
//! worker.schedule(Box::new(move || done_tx.send("still working").unwrap()));
//!
//! assert_eq!(done.recv().unwrap(), "still working");
//! let err = errors.recv().unwrap();
//! assert_eq!(err.kind(), ErrorKind::Panic);
//! assert!(err.message().contains("bad input 7"));
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::Error;

mod drain;
mod immediate;
mod serial;
mod task;
mod timers;

#[cfg(all(test, not(reactive_loom)))]
mod testing;

#[cfg(not(reactive_loom))]
mod event_loop;
#[cfg(not(reactive_loom))]
mod pool;
#[cfg(not(reactive_loom))]
mod single;
#[cfg(all(feature = "tokio", not(reactive_loom)))]
mod tokio;

#[cfg(all(feature = "tokio", not(reactive_loom)))]
pub use self::tokio::TokioScheduler;
pub use drain::{Pass, ScheduledDrain};
pub use immediate::ImmediateScheduler;
#[cfg(not(reactive_loom))]
pub use pool::PoolScheduler;
#[cfg(not(reactive_loom))]
pub use single::SingleThreadScheduler;
pub use task::TaskHandle;

/// A unit of work given to a [`Worker`].
pub type Task = Box<dyn FnOnce() + Send + 'static>;

/// A source of [`Worker`]s: the place where asynchronous work runs.
///
/// Object-safe, so operators can hold an `Arc<dyn Scheduler>`. Handles are cheap to clone and
/// share one set of threads. See the [module docs](self) for the guarantees every
/// implementation keeps.
///
/// # Examples
///
/// ```
/// use std::sync::{mpsc, Arc};
/// use reactive_core::scheduler::{PoolScheduler, Scheduler};
///
/// let scheduler: Arc<dyn Scheduler> = Arc::new(PoolScheduler::new(2));
/// let (tx, rx) = mpsc::channel();
/// scheduler.schedule(Box::new(move || tx.send(1).unwrap()));
/// assert_eq!(rx.recv().unwrap(), 1);
/// scheduler.shutdown();
/// assert!(scheduler.schedule(Box::new(|| {})).is_rejected());
/// ```
pub trait Scheduler: Send + Sync {
    /// A new worker: a serial lane whose tasks run in order and never overlap.
    ///
    /// After [`shutdown`](Self::shutdown), the worker rejects every task.
    fn worker(&self) -> Arc<dyn Worker>;

    /// Runs `task` once, on a fresh worker. Tasks scheduled this way have no order between
    /// them; use one [`worker`](Self::worker) for that.
    fn schedule(&self, task: Task) -> TaskHandle {
        self.worker().schedule(task)
    }

    /// Runs `task` once, after `delay`, on a fresh worker.
    fn schedule_after(&self, delay: Duration, task: Task) -> TaskHandle {
        self.worker().schedule_after(delay, task)
    }

    /// Stops the scheduler: every worker cancels its pending tasks and rejects new ones, and
    /// threads owned by the scheduler exit after the task they are running. Called from a
    /// thread that is not the scheduler's own, it waits for them to exit. Idempotent.
    fn shutdown(&self);

    /// Whether [`shutdown`](Self::shutdown) was called (or the last handle dropped).
    fn is_shut_down(&self) -> bool;

    /// The scheduler's clock. It is the system's monotonic clock, except for the tokio
    /// scheduler, which reads the runtime's clock so that a paused test clock applies.
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A serial lane of work handed out by a [`Scheduler`].
///
/// Its tasks never run concurrently and run in submission order; delayed tasks join the line
/// by deadline (see the [module docs](self)).
///
/// # Examples
///
/// ```
/// use std::sync::{mpsc, Arc};
/// use std::time::Duration;
/// use reactive_core::scheduler::{Scheduler, SingleThreadScheduler, Worker};
///
/// let worker: Arc<dyn Worker> = SingleThreadScheduler::new().worker();
/// let (tx, rx) = mpsc::channel();
/// let later = tx.clone();
/// worker.schedule(Box::new(move || tx.send("now").unwrap()));
/// worker.schedule_after(Duration::from_millis(5), Box::new(move || later.send("later").unwrap()));
/// assert_eq!(rx.recv().unwrap(), "now");
/// assert_eq!(rx.recv().unwrap(), "later");
///
/// worker.dispose();
/// assert!(worker.is_disposed());
/// assert!(worker.schedule(Box::new(|| unreachable!())).is_rejected());
/// ```
pub trait Worker: Send + Sync {
    /// Runs `task` after the tasks already given to this worker.
    ///
    /// Returns a handle that can cancel it; the handle
    /// [`is_rejected`](TaskHandle::is_rejected) (and the closure was dropped) if the worker is
    /// disposed or its scheduler shut down.
    fn schedule(&self, task: Task) -> TaskHandle;

    /// Runs `task` once `delay` has passed, in deadline order with the worker's other delayed
    /// tasks. A zero delay is the same as [`schedule`](Self::schedule).
    fn schedule_after(&self, delay: Duration, task: Task) -> TaskHandle;

    /// Cancels every pending task (dropping the closures, delayed ones included) and rejects
    /// later ones. A task that is running finishes. Idempotent, from any thread, also from
    /// inside one of the worker's own tasks.
    fn dispose(&self);

    /// Whether the worker was disposed, or its scheduler shut down and it noticed.
    fn is_disposed(&self) -> bool;
}

/// The builder's plumbing, public only so that [`SchedulerBuilder`] can name it; nothing
/// outside this module can use or implement it.
mod sealed {
    use super::PanicHandler;

    /// What every scheduler is configured with.
    #[derive(Clone)]
    pub struct Settings {
        pub name: String,
        pub on_panic: Option<PanicHandler>,
    }

    impl std::fmt::Debug for Settings {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Settings")
                .field("name", &self.name)
                .field("on_panic", &self.on_panic.is_some())
                .finish()
        }
    }

    /// A scheduler that a [`SchedulerBuilder`](super::SchedulerBuilder) can start.
    pub trait Build: Sized {
        /// The settings only this scheduler has (the pool's thread count, the tokio handle).
        type Config: Clone;

        /// Starts the scheduler.
        fn build(settings: Settings, config: Self::Config) -> Self;
    }
}

/// The callback that hears about panicking tasks (see the module docs).
type PanicHandler = Arc<dyn Fn(Error) + Send + Sync + 'static>;

/// Configures a scheduler before it starts: its name, a handler for panicking tasks, and for
/// a [`PoolScheduler`] the number of threads. `S` is the scheduler it builds; get one from
/// [`PoolScheduler::builder`], [`SingleThreadScheduler::builder`],
/// [`ImmediateScheduler::builder`] or `TokioScheduler::builder`.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use reactive_core::Error;
/// use reactive_core::scheduler::{PoolScheduler, Scheduler};
///
/// let (tx, rx) = mpsc::channel();
/// let pool = PoolScheduler::builder()
///     .threads(2)
///     .name("compute")
///     .on_panic(move |err: Error| tx.send(err.message().to_owned()).unwrap())
///     .build();
/// assert_eq!(pool.threads(), 2);
/// pool.schedule(Box::new(|| panic!("division by zero")));
/// assert_eq!(rx.recv().unwrap(), "user code panicked: division by zero");
/// ```
pub struct SchedulerBuilder<S: sealed::Build> {
    settings: sealed::Settings,
    config: S::Config,
    scheduler: PhantomData<fn() -> S>,
}

impl<S: sealed::Build> SchedulerBuilder<S> {
    fn new(name: &str, config: S::Config) -> Self {
        SchedulerBuilder {
            settings: sealed::Settings {
                name: name.to_owned(),
                on_panic: None,
            },
            config,
            scheduler: PhantomData,
        }
    }

    /// The name used in `tracing` events and, for thread-backed schedulers, for the threads:
    /// a [`SingleThreadScheduler`]'s thread is `<name>`, a [`PoolScheduler`]'s thread `i` is
    /// `<name>-<i>`. Each scheduler has its own default (`reactive-pool`, `reactive-single`,
    /// `immediate`, `tokio`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.settings.name = name.into();
        self
    }

    /// Calls `handler` with an [`ErrorKind::Panic`](crate::ErrorKind::Panic) error whenever a
    /// task panics, on the thread that ran the task, after the `tracing::error!` event. The
    /// worker goes on with its next task either way (see the [module docs](self)).
    pub fn on_panic<F>(mut self, handler: F) -> Self
    where
        F: Fn(Error) + Send + Sync + 'static,
    {
        self.settings.on_panic = Some(Arc::new(handler));
        self
    }

    /// Starts the scheduler.
    ///
    /// # Panics
    ///
    /// For the thread-backed schedulers, if the operating system cannot start a thread, or a
    /// [`PoolScheduler`] was given 0 threads.
    pub fn build(self) -> S {
        S::build(self.settings, self.config)
    }
}

#[cfg(not(reactive_loom))]
impl SchedulerBuilder<PoolScheduler> {
    /// The number of threads (default: [`std::thread::available_parallelism`]).
    pub fn threads(mut self, threads: usize) -> Self {
        self.config = threads;
        self
    }
}

#[cfg_attr(reactive_loom, allow(dead_code))] // used by the pool's builder
fn available_parallelism() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

impl<S: sealed::Build> Clone for SchedulerBuilder<S> {
    fn clone(&self) -> Self {
        SchedulerBuilder {
            settings: self.settings.clone(),
            config: self.config.clone(),
            scheduler: PhantomData,
        }
    }
}

impl<S: sealed::Build> fmt::Debug for SchedulerBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchedulerBuilder")
            .field("scheduler", &std::any::type_name::<S>())
            .field("name", &self.settings.name)
            .field("on_panic", &self.settings.on_panic.is_some())
            .finish_non_exhaustive()
    }
}

/// How many tasks a worker runs before it gives its thread to other work.
const BUDGET: usize = 64;

/// A deadline `delay` after `now`; a delay too long to represent means "never" in practice.
fn deadline_after(now: Instant, delay: Duration) -> Instant {
    const FAR: Duration = Duration::from_secs(60 * 60 * 24 * 365 * 30);
    now.checked_add(delay.min(FAR))
        .or_else(|| now.checked_add(Duration::from_secs(60 * 60 * 24)))
        .unwrap_or(now)
}
