//! A scheduler on a tokio runtime (feature `tokio`).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::runtime::Handle;

use super::serial::{Context, Drained, Push, SerialQueue};
use super::task::{TaskCell, TaskHandle};
use super::{BUDGET, Scheduler, Settings, Task, Worker, deadline_after};
use crate::Error;

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
    shared: Arc<Shared>,
}

struct Shared {
    handle: Handle,
    ctx: Arc<Context>,
}

impl Shared {
    /// The runtime's clock, also when called from a thread outside the runtime.
    fn now(&self) -> tokio::time::Instant {
        let _runtime = self.handle.enter();
        tokio::time::Instant::now()
    }
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

    /// A builder, to set a panic handler.
    pub fn builder(handle: Handle) -> TokioSchedulerBuilder {
        TokioSchedulerBuilder {
            handle,
            settings: Settings::new("tokio"),
        }
    }

    /// The runtime handle tasks are spawned on.
    pub fn handle(&self) -> &Handle {
        &self.shared.handle
    }
}

impl Scheduler for TokioScheduler {
    fn worker(&self) -> Arc<dyn Worker> {
        Arc::new(TokioWorker {
            queue: Arc::new(SerialQueue::new()),
            shared: self.shared.clone(),
        })
    }

    fn shutdown(&self) {
        self.shared.ctx.shut_down();
    }

    fn is_shut_down(&self) -> bool {
        self.shared.ctx.is_shut_down()
    }

    /// The runtime's clock (paused in tests that pause it).
    fn now(&self) -> Instant {
        self.shared.now().into_std()
    }
}

impl fmt::Debug for TokioScheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokioScheduler")
            .field("shut_down", &self.shared.ctx.is_shut_down())
            .finish_non_exhaustive()
    }
}

/// Configures a [`TokioScheduler`].
///
/// # Examples
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
#[derive(Debug, Clone)]
pub struct TokioSchedulerBuilder {
    handle: Handle,
    settings: Settings,
}

impl TokioSchedulerBuilder {
    /// Calls `handler` on the runtime thread with an
    /// [`ErrorKind::Panic`](crate::ErrorKind::Panic) error whenever a task panics, after the
    /// `tracing::error!` event. The worker goes on with its next task either way.
    pub fn on_panic<F>(mut self, handler: F) -> Self
    where
        F: Fn(Error) + Send + Sync + 'static,
    {
        self.settings.on_panic(handler);
        self
    }

    /// The scheduler.
    pub fn build(self) -> TokioScheduler {
        TokioScheduler {
            shared: Arc::new(Shared {
                handle: self.handle,
                ctx: Arc::new(Context::from_settings(&self.settings)),
            }),
        }
    }
}

struct TokioWorker {
    queue: Arc<SerialQueue>,
    shared: Arc<Shared>,
}

/// Disposes the worker if the runtime drops its drain or timer task before it finished
/// (runtime shutdown): nobody else would ever run the worker's tasks.
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
async fn drain(queue: &SerialQueue, ctx: &Context) {
    while queue.drain(BUDGET, ctx) == Drained::More {
        tokio::task::yield_now().await;
    }
}

impl TokioWorker {
    fn reject(&self) -> TaskHandle {
        self.queue.dispose();
        TaskHandle::rejected()
    }
}

impl Worker for TokioWorker {
    fn schedule(&self, task: Task) -> TaskHandle {
        if self.shared.ctx.is_shut_down() {
            return self.reject();
        }
        let cell = TaskCell::new(task);
        match self.queue.push(&cell) {
            Push::Rejected => TaskHandle::rejected(),
            Push::Queued => TaskHandle::new(cell),
            Push::Drain => {
                let guard = DisposeOnDrop(Some(self.queue.clone()));
                let (queue, ctx) = (self.queue.clone(), self.shared.ctx.clone());
                self.shared.handle.spawn(async move {
                    drain(&queue, &ctx).await;
                    guard.defuse();
                });
                TaskHandle::new(cell)
            }
        }
    }

    fn schedule_after(&self, delay: Duration, task: Task) -> TaskHandle {
        if delay.is_zero() {
            return self.schedule(task);
        }
        if self.shared.ctx.is_shut_down() {
            return self.reject();
        }
        let now = self.shared.now();
        let deadline = tokio::time::Instant::from_std(deadline_after(now.into_std(), delay));
        let cell = TaskCell::new(task);
        if !self.queue.push_at(deadline.into_std(), &cell) {
            return TaskHandle::rejected();
        }
        let guard = DisposeOnDrop(Some(self.queue.clone()));
        let (queue, ctx) = (self.queue.clone(), self.shared.ctx.clone());
        self.shared.handle.spawn(async move {
            tokio::time::sleep_until(deadline).await;
            // At least our own deadline is due, whatever the clock's rounding.
            let now = tokio::time::Instant::now().max(deadline);
            if queue.fire_due(now.into_std()) {
                drain(&queue, &ctx).await;
            }
            guard.defuse();
        });
        TaskHandle::new(cell)
    }

    fn dispose(&self) {
        self.queue.dispose();
    }

    fn is_disposed(&self) -> bool {
        self.shared.ctx.is_shut_down() || self.queue.is_disposed()
    }
}

impl fmt::Debug for TokioWorker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokioWorker")
            .field("queue", &self.queue)
            .finish()
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::loom::sync::Mutex;
    use crate::loom::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

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
        let active = Arc::new(AtomicUsize::new(0));
        let overlaps = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::channel();
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let (worker, active, overlaps, tx) =
                    (worker.clone(), active.clone(), overlaps.clone(), tx.clone());
                std::thread::spawn(move || {
                    for i in 0..2_000 {
                        let (active, overlaps, tx) = (active.clone(), overlaps.clone(), tx.clone());
                        worker.schedule(Box::new(move || {
                            if active.fetch_add(1, Ordering::SeqCst) != 0 {
                                overlaps.fetch_add(1, Ordering::SeqCst);
                            }
                            active.fetch_sub(1, Ordering::SeqCst);
                            tx.send((t, i)).unwrap();
                        }));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let got: Vec<_> = rx.iter().take(4_000).collect();
        assert_eq!(overlaps.load(Ordering::SeqCst), 0);
        for t in 0..2 {
            let mine: Vec<_> = got.iter().filter(|g| g.0 == t).map(|g| g.1).collect();
            assert!(
                mine.into_iter().eq(0..2_000),
                "thread {t}'s tasks out of order"
            );
        }
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
