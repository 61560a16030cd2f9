//! A scheduler on a tokio runtime (feature `tokio`).

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use tokio::runtime::Handle;

use super::serial::{Context, Drained, Driver, SerialQueue, SerialWorker};
use super::{BUDGET, Scheduler, SchedulerBuilder, Worker, sealed};

/// Runs tasks on a tokio runtime that you own.
///
/// Each worker is a serial queue. When a task arrives at an idle worker, the scheduler
/// spawns one tokio task that drains the queue in order, yielding to the runtime after every
/// 64 tasks, and ends when the queue is empty; so a worker costs nothing while idle and its
/// tasks never overlap even on a multi-threaded runtime. Delays use `tokio::time::sleep`,
/// and deadlines are read from the runtime's clock, so tests on a paused clock
/// (`#[tokio::test(start_paused = true)]`) control them.
///
/// Tasks are plain closures and run on the runtime's threads: they should not block. The
/// runtime must have its time driver enabled (`enable_time` or `enable_all`) for
/// [`schedule_after`](Worker::schedule_after). When the runtime shuts down, the workers
/// whose drain or timer it drops are disposed. [`shutdown`](Scheduler::shutdown) does not
/// touch the runtime: it makes every worker cancel its pending tasks and reject new ones.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use std::time::Duration;
/// use reactive_core::scheduler::{Scheduler, TokioScheduler};
///
/// let runtime = tokio::runtime::Builder::new_multi_thread()
///     .worker_threads(2)
///     .enable_time()
///     .build()
///     .unwrap();
/// let scheduler = TokioScheduler::new(runtime.handle().clone());
/// let worker = scheduler.worker();
/// let (tx, rx) = mpsc::channel();
/// let later = tx.clone();
/// worker.schedule(Box::new(move || tx.send("first").unwrap()));
/// worker.schedule_after(Duration::from_millis(1), Box::new(move || later.send("later").unwrap()));
/// assert_eq!(rx.recv().unwrap(), "first");
/// assert_eq!(rx.recv().unwrap(), "later");
/// ```
#[derive(Clone)]
pub struct TokioScheduler {
    ctx: Arc<Context>,
    runtime: Runtime,
}

impl TokioScheduler {
    /// A scheduler that spawns onto the runtime behind `handle`.
    pub fn new(handle: Handle) -> Self {
        TokioScheduler::builder(handle).build()
    }

    /// A scheduler on the runtime this is called from.
    ///
    /// # Panics
    ///
    /// If called outside a tokio runtime (see [`Handle::current`]).
    pub fn current() -> Self {
        TokioScheduler::new(Handle::current())
    }

    /// A builder, to set a panic handler or the name used in `tracing` events.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use reactive_core::scheduler::{Scheduler, TokioScheduler};
    ///
    /// let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
    /// let (tx, rx) = mpsc::channel();
    /// let scheduler = TokioScheduler::builder(runtime.handle().clone())
    ///     .on_panic(move |err| tx.send(err.to_string()).unwrap())
    ///     .build();
    /// scheduler.schedule(Box::new(|| panic!("no")));
    /// assert_eq!(rx.recv().unwrap(), "panic: user code panicked: no");
    /// ```
    pub fn builder(handle: Handle) -> SchedulerBuilder<TokioScheduler> {
        SchedulerBuilder::new("tokio", handle)
    }
}

impl sealed::Build for TokioScheduler {
    type Config = Handle;

    fn build(settings: sealed::Settings, handle: Handle) -> Self {
        TokioScheduler {
            ctx: Context::new(settings),
            runtime: Runtime(handle),
        }
    }
}

impl Scheduler for TokioScheduler {
    fn worker(&self) -> Arc<dyn Worker> {
        Arc::new(SerialWorker::new(self.ctx.clone(), self.runtime.clone()))
    }

    fn shutdown(&self) {
        self.ctx.shut_down();
    }

    fn is_shut_down(&self) -> bool {
        self.ctx.is_shut_down()
    }

    /// The runtime's clock (paused in tests that pause it).
    fn now(&self) -> Instant {
        self.runtime.now()
    }
}

impl fmt::Debug for TokioScheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokioScheduler")
            .field("shut_down", &self.ctx.is_shut_down())
            .finish_non_exhaustive()
    }
}

/// The tokio driver: a drain is a spawned task, a deadline a spawned sleep.
#[derive(Clone)]
struct Runtime(Handle);

impl Runtime {
    /// Spawns `drain` with a guard that disposes `queue` if the runtime drops the task
    /// before it finished (runtime shutdown): nobody else would ever run the queue's tasks.
    fn spawn<F>(&self, queue: Arc<SerialQueue>, drain: impl FnOnce(Arc<SerialQueue>) -> F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let guard = DisposeOnDrop(Some(queue.clone()));
        let drain = drain(queue);
        self.0.spawn(async move {
            drain.await;
            guard.defuse();
        });
    }
}

impl Driver for Runtime {
    fn start(&self, queue: Arc<SerialQueue>) -> bool {
        self.spawn(queue, |queue| async move { drain(&queue).await });
        true
    }

    fn start_at(&self, deadline: Instant, queue: Arc<SerialQueue>) -> bool {
        let deadline = tokio::time::Instant::from_std(deadline);
        self.spawn(queue, move |queue| async move {
            tokio::time::sleep_until(deadline).await;
            // At least our own deadline is due, whatever the clock's rounding.
            let now = tokio::time::Instant::now().max(deadline);
            if queue.fire_due(now.into_std()) {
                drain(&queue).await;
            }
        });
        true
    }

    /// The runtime's clock, also when called from a thread outside the runtime.
    fn now(&self) -> Instant {
        let _runtime = self.0.enter();
        tokio::time::Instant::now().into_std()
    }
}

/// Disposes a queue unless defused; see [`Runtime::spawn`].
struct DisposeOnDrop(Option<Arc<SerialQueue>>);

impl DisposeOnDrop {
    fn defuse(mut self) {
        self.0 = None;
    }
}

impl Drop for DisposeOnDrop {
    fn drop(&mut self) {
        if let Some(queue) = self.0.take() {
            queue.dispose();
        }
    }
}

/// Drains a claimed queue, yielding to the runtime between turns.
async fn drain(queue: &SerialQueue) {
    while queue.drain(BUDGET) == Drained::More {
        tokio::task::yield_now().await;
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::loom::sync::Mutex;
    use crate::scheduler::Task;
    use crate::scheduler::testing;
    use std::time::Duration;

    fn log_task(log: &Arc<Mutex<Vec<&'static str>>>, label: &'static str) -> Task {
        let log = log.clone();
        Box::new(move || log.lock().push(label))
    }

    #[tokio::test(start_paused = true)]
    async fn delayed_tasks_run_by_deadline_on_the_paused_clock() {
        let scheduler = TokioScheduler::current();
        let worker = scheduler.worker();
        let log = Arc::new(Mutex::new(Vec::new()));
        let hour = Duration::from_secs(3600);
        worker.schedule_after(hour, log_task(&log, "hour"));
        worker.schedule_after(Duration::from_secs(1), log_task(&log, "second-1"));
        worker.schedule_after(Duration::from_secs(1), log_task(&log, "second-2"));
        worker.schedule(log_task(&log, "now"));
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(*log.lock(), ["now", "second-1", "second-2"]);
        tokio::time::sleep(hour).await;
        assert_eq!(*log.lock(), ["now", "second-1", "second-2", "hour"]);
    }

    #[tokio::test(start_paused = true)]
    async fn now_reads_the_runtime_clock() {
        let scheduler = TokioScheduler::current();
        let before = scheduler.now();
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert!(scheduler.now() - before >= Duration::from_secs(600));
    }

    #[tokio::test(start_paused = true)]
    async fn dispose_cancels_delayed_tasks_and_rejects_later_ones() {
        let scheduler = TokioScheduler::current();
        let worker = scheduler.worker();
        let log = Arc::new(Mutex::new(Vec::new()));
        let delayed = worker.schedule_after(Duration::from_secs(5), log_task(&log, "delayed"));
        let queued = worker.schedule(log_task(&log, "queued")); // its drain has not run yet
        worker.dispose();
        assert!(delayed.is_cancelled() && queued.is_cancelled());
        assert!(worker.schedule(log_task(&log, "late")).is_rejected());
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(log.lock().is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_panic_the_next_task_runs_and_the_handler_saw_it() {
        let errors = Arc::new(Mutex::new(Vec::new()));
        let e = errors.clone();
        let scheduler = TokioScheduler::builder(Handle::current())
            .on_panic(move |err| e.lock().push(err))
            .build();
        let worker = scheduler.worker();
        let log = Arc::new(Mutex::new(Vec::new()));
        worker.schedule(Box::new(|| panic!("tokio task {}", 9)));
        worker.schedule(log_task(&log, "next"));
        tokio::time::sleep(Duration::from_secs(1)).await; // the runtime idles only when done
        assert_eq!(*log.lock(), ["next"]);
        let errors = errors.lock();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].kind(), ErrorKind::Panic);
        assert_eq!(errors[0].message(), "user code panicked: tokio task 9");
    }

    #[test]
    fn one_worker_stays_serial_and_ordered_on_a_multi_thread_runtime() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let worker = TokioScheduler::new(runtime.handle().clone()).worker();
        testing::two_threads_share_a_worker_serially_and_in_order(worker);
    }

    #[test]
    fn runtime_shutdown_disposes_waiting_workers() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let worker = TokioScheduler::new(runtime.handle().clone()).worker();
        let delayed = worker.schedule_after(Duration::from_secs(3600), Box::new(|| unreachable!()));
        runtime.block_on(tokio::task::yield_now()); // the timer task starts sleeping
        drop(runtime);
        assert!(delayed.is_cancelled());
        assert!(worker.is_disposed());
        assert!(worker.schedule(Box::new(|| unreachable!())).is_rejected());
    }

    #[tokio::test]
    async fn shutdown_rejects_new_tasks() {
        let scheduler = TokioScheduler::current();
        let worker = scheduler.worker();
        scheduler.shutdown();
        assert!(scheduler.is_shut_down() && worker.is_disposed());
        assert!(worker.schedule(Box::new(|| unreachable!())).is_rejected());
        let late = worker.schedule_after(Duration::from_secs(1), Box::new(|| unreachable!()));
        assert!(late.is_rejected());
    }
}
