//! The worker core every scheduler shares: the serial queue of a worker's tasks, the one
//! [`Worker`] implementation on top of it, and the context its tasks run in.
//!
//! A scheduler supplies only a [`Driver`]: how a claimed queue gets drained (on the calling
//! thread, on an event-loop thread, as a tokio task) and how a deadline wakes it. The ordering,
//! claiming, cancelling, rejecting and panic reporting live here, apart from threads and
//! clocks, so that loom can check them.

use std::collections::VecDeque;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::task::{TaskCell, TaskHandle};
use super::timers::Timers;
use super::{PanicHandler, Task, Worker, deadline_after, sealed::Settings};
use crate::Error;
use crate::loom::sync::Mutex;
use crate::loom::sync::atomic::{AtomicBool, Ordering};

/// Runs `f`, turning a panic into an [`Error::panic`]. The payload is dropped here, and a
/// payload whose `Drop` panics too is forgotten rather than let unwind further. Every place in
/// this module tree that catches user code goes through this function.
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Error> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let error = Error::panic(payload.as_ref());
        let _ = catch_unwind(AssertUnwindSafe(move || drop(payload))).map_err(std::mem::forget);
        error
    })
}

/// What a scheduler's tasks share: its name (for logs), the panic handler and the shutdown
/// flag.
pub(crate) struct Context {
    name: String,
    on_panic: Option<PanicHandler>,
    shut_down: AtomicBool,
}

impl Context {
    pub(crate) fn new(settings: Settings) -> Arc<Self> {
        Arc::new(Context {
            name: settings.name,
            on_panic: settings.on_panic,
            shut_down: AtomicBool::new(false),
        })
    }

    #[cfg_attr(reactive_loom, allow(dead_code))]
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Marks the scheduler shut down; `true` for the call that did it.
    pub(crate) fn shut_down(&self) -> bool {
        !self.shut_down.swap(true, Ordering::AcqRel)
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::Acquire)
    }

    /// The one path a task's panic takes, on every scheduler: a `tracing` error event, then
    /// the user's handler (whose own panic is caught and logged, so that it cannot take the
    /// thread down either).
    pub(crate) fn report_panic(&self, error: Error) {
        tracing::error!(
            scheduler = %self.name,
            error = %error,
            "a scheduled task panicked; its worker goes on with the next task"
        );
        if let Some(handler) = &self.on_panic {
            if catch(|| handler(error)).is_err() {
                tracing::error!(scheduler = %self.name, "the scheduler's on_panic handler panicked");
            }
        }
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("name", &self.name)
            .field("on_panic", &self.on_panic.is_some())
            .field("shut_down", &self.is_shut_down())
            .finish()
    }
}

/// The outcome of giving a task to a [`SerialQueue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Push {
    /// Queued, and the queue was idle: the caller must start a [`SerialQueue::drain`].
    Drain,
    /// Queued behind a drain that is already running (or starting); nothing more to do.
    Queued,
    /// The queue is disposed; the task was not taken.
    Rejected,
}

/// The outcome of one [`SerialQueue::drain`] turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Drained {
    /// The queue is empty and no longer running: the next push returns [`Push::Drain`].
    Idle,
    /// The budget ran out with tasks left; the queue still counts as running, so the caller
    /// must call `drain` again (after giving others a turn).
    More,
}

struct State {
    /// Tasks whose turn may come, in order.
    ready: VecDeque<Arc<TaskCell>>,
    /// Delayed tasks, until [`SerialQueue::fire_due`] moves them to `ready`.
    timers: Timers<Arc<TaskCell>>,
    /// Somebody owns the drain: set by the push that found the queue idle, cleared by the
    /// drain that found `ready` empty, both under the lock. This is what keeps tasks serial.
    running: bool,
    disposed: bool,
}

/// A worker's line of tasks: tasks run in order, one at a time, on whichever thread the
/// scheduler lends to [`drain`](Self::drain).
///
/// The protocol: [`push`](Self::push) appends under the lock and claims the drain if nobody
/// holds it (`running` goes from false to true); the caller that gets [`Push::Drain`] must
/// arrange for `drain` to be called. `drain` pops one task at a time and runs it with the lock
/// released, and gives the claim back in the same critical section in which it finds the line
/// empty, so no push can slip in unseen between "empty" and "idle". A lock rather than a
/// lock-free queue: tasks are boxed closures and a push already allocates, and the lock is
/// never held while user code runs.
///
/// Once the scheduler is shut down the queue disposes itself at the next push or drain turn.
pub(crate) struct SerialQueue {
    state: Mutex<State>,
    ctx: Arc<Context>,
}

impl SerialQueue {
    pub(crate) fn new(ctx: Arc<Context>) -> Self {
        SerialQueue {
            state: Mutex::new(State {
                ready: VecDeque::new(),
                timers: Timers::new(),
                running: false,
                disposed: false,
            }),
            ctx,
        }
    }

    /// `true` if the queue may take tasks; disposes it once the scheduler is shut down.
    fn open(&self) -> bool {
        if self.ctx.is_shut_down() {
            self.dispose();
            return false;
        }
        true
    }

    /// Appends a task. The caller keeps its own reference to `cell`, so a rejected task's
    /// closure is dropped by the caller, outside this lock.
    pub(crate) fn push(&self, cell: &Arc<TaskCell>) -> Push {
        if !self.open() {
            return Push::Rejected;
        }
        let mut st = self.state.lock();
        if st.disposed {
            return Push::Rejected;
        }
        st.ready.push_back(cell.clone());
        if st.running {
            Push::Queued
        } else {
            st.running = true;
            Push::Drain
        }
    }

    /// Holds a task until `deadline`; [`fire_due`](Self::fire_due) releases it. `false` if the
    /// queue is disposed.
    pub(crate) fn push_at(&self, deadline: Instant, cell: &Arc<TaskCell>) -> bool {
        if !self.open() {
            return false;
        }
        let mut st = self.state.lock();
        if st.disposed {
            return false;
        }
        st.timers.push(deadline, cell.clone());
        true
    }

    /// Moves every delayed task whose deadline is at or before `now` to the line, earliest
    /// first. `true` if the caller must start a drain (tasks moved and the queue was idle).
    pub(crate) fn fire_due(&self, now: Instant) -> bool {
        let mut st = self.state.lock();
        let mut moved = false;
        while let Some(cell) = st.timers.pop_due(now) {
            st.ready.push_back(cell);
            moved = true;
        }
        if !moved || st.running {
            return false;
        }
        st.running = true;
        true
    }

    /// Runs up to `budget` tasks in order. The caller must hold the drain claim (it got
    /// [`Push::Drain`], `true` from `fire_due`, or [`Drained::More`] from the last turn).
    ///
    /// Once the scheduler is shut down, the queue disposes itself instead of running more.
    pub(crate) fn drain(&self, budget: usize) -> Drained {
        for _ in 0..budget {
            self.open();
            let next = {
                let mut st = self.state.lock();
                match st.ready.pop_front() {
                    Some(cell) => cell,
                    None => {
                        st.running = false;
                        return Drained::Idle;
                    }
                }
            };
            if let Err(error) = next.run() {
                self.ctx.report_panic(error);
            }
        }
        let mut st = self.state.lock();
        if st.ready.is_empty() {
            st.running = false;
            Drained::Idle
        } else {
            Drained::More
        }
    }

    /// Cancels everything pending, delayed tasks included, and rejects later pushes. The
    /// closures are dropped after the lock is released. `true` for the call that disposed.
    pub(crate) fn dispose(&self) -> bool {
        let (ready, timers) = {
            let mut st = self.state.lock();
            if st.disposed {
                return false;
            }
            st.disposed = true;
            (std::mem::take(&mut st.ready), st.timers.take_all())
        };
        for cell in ready.into_iter().chain(timers) {
            drop(cell.cancel());
        }
        true
    }

    /// Whether the queue was disposed, or its scheduler shut down.
    pub(crate) fn is_disposed(&self) -> bool {
        self.ctx.is_shut_down() || self.state.lock().disposed
    }
}

impl fmt::Debug for SerialQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.state.lock();
        f.debug_struct("SerialQueue")
            .field("scheduler", &self.ctx.name)
            .field("ready", &st.ready.len())
            .field("delayed", &st.timers.len())
            .field("running", &st.running)
            .field("disposed", &st.disposed)
            .finish()
    }
}

/// What one scheduler does differently from the others: where a drain of a worker's queue runs,
/// and what wakes it at a deadline.
pub(crate) trait Driver: Send + Sync + 'static {
    /// Runs `queue`'s drain turns until [`Drained::Idle`], somewhere. The caller holds the
    /// claim. `false` if the driver has stopped and will never drain it.
    fn start(&self, queue: Arc<SerialQueue>) -> bool;

    /// At `deadline`, calls [`SerialQueue::fire_due`] and, if that claims the drain, drains as
    /// [`start`](Self::start) does. `false` if the driver has stopped.
    fn start_at(&self, deadline: Instant, queue: Arc<SerialQueue>) -> bool;

    /// The clock deadlines are measured on.
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// The worker of every scheduler: a [`SerialQueue`] and the [`Driver`] that drains it.
pub(crate) struct SerialWorker<D> {
    pub(crate) queue: Arc<SerialQueue>,
    driver: D,
}

impl<D: Driver> SerialWorker<D> {
    pub(crate) fn new(ctx: Arc<Context>, driver: D) -> Self {
        SerialWorker {
            queue: Arc::new(SerialQueue::new(ctx)),
            driver,
        }
    }

    /// The driver stopped (its scheduler is shutting down): the worker is disposed, which
    /// cancels and drops the task, and the task is reported as rejected.
    fn reject(&self) -> TaskHandle {
        self.queue.dispose();
        TaskHandle::rejected()
    }
}

impl<D: Driver> Worker for SerialWorker<D> {
    fn schedule(&self, task: Task) -> TaskHandle {
        let cell = TaskCell::new(task);
        match self.queue.push(&cell) {
            Push::Rejected => TaskHandle::rejected(),
            Push::Queued => TaskHandle::new(cell),
            Push::Drain if self.driver.start(self.queue.clone()) => TaskHandle::new(cell),
            Push::Drain => self.reject(),
        }
    }

    fn schedule_after(&self, delay: Duration, task: Task) -> TaskHandle {
        if delay.is_zero() {
            return self.schedule(task);
        }
        let deadline = deadline_after(self.driver.now(), delay);
        let cell = TaskCell::new(task);
        if !self.queue.push_at(deadline, &cell) {
            return TaskHandle::rejected();
        }
        if !self.driver.start_at(deadline, self.queue.clone()) {
            return self.reject();
        }
        TaskHandle::new(cell)
    }

    fn dispose(&self) {
        self.queue.dispose();
    }

    fn is_disposed(&self) -> bool {
        self.queue.is_disposed()
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::*;
    use crate::scheduler::TaskHandle;
    use std::time::Duration;

    pub(crate) fn ctx(on_panic: Option<PanicHandler>) -> Arc<Context> {
        Context::new(Settings {
            name: "test".into(),
            on_panic,
        })
    }

    fn recorder() -> (Arc<Mutex<Vec<u32>>>, impl Fn(u32) -> super::super::Task) {
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = log.clone();
        (log, move |i| {
            let l = l.clone();
            Box::new(move || l.lock().push(i))
        })
    }

    #[test]
    fn first_push_claims_the_drain_and_later_ones_queue() {
        let q = SerialQueue::new(ctx(None));
        let (log, task) = recorder();
        assert_eq!(q.push(&TaskCell::new(task(1))), Push::Drain);
        assert_eq!(q.push(&TaskCell::new(task(2))), Push::Queued);
        assert_eq!(q.drain(usize::MAX), Drained::Idle);
        assert_eq!(*log.lock(), [1, 2]);
        assert_eq!(q.push(&TaskCell::new(task(3))), Push::Drain, "idle again");
    }

    #[test]
    fn budget_keeps_the_claim_until_the_line_is_empty() {
        let q = SerialQueue::new(ctx(None));
        let (log, task) = recorder();
        for i in 0..5 {
            q.push(&TaskCell::new(task(i)));
        }
        assert_eq!(q.drain(2), Drained::More);
        assert_eq!(q.push(&TaskCell::new(task(5))), Push::Queued);
        assert_eq!(q.drain(2), Drained::More);
        assert_eq!(q.drain(2), Drained::Idle);
        assert_eq!(*log.lock(), [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn delayed_tasks_fire_by_deadline_then_submission_order() {
        let q = SerialQueue::new(ctx(None));
        let (log, task) = recorder();
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        assert!(q.push_at(t0 + ms(30), &TaskCell::new(task(30))));
        assert!(q.push_at(t0 + ms(10), &TaskCell::new(task(10))));
        assert!(q.push_at(t0 + ms(20), &TaskCell::new(task(20))));
        assert!(q.push_at(t0 + ms(10), &TaskCell::new(task(11))));
        assert!(!q.fire_due(t0), "nothing is due yet");
        assert!(q.fire_due(t0 + ms(20)));
        assert!(
            !q.fire_due(t0 + ms(30)),
            "already running: the drain picks it up"
        );
        assert_eq!(q.drain(usize::MAX), Drained::Idle);
        assert_eq!(*log.lock(), [10, 11, 20, 30]);
    }

    #[test]
    fn dispose_cancels_ready_and_delayed_and_rejects_later() {
        let q = SerialQueue::new(ctx(None));
        let (log, task) = recorder();
        let ready = TaskCell::new(task(1));
        let delayed = TaskCell::new(task(2));
        q.push(&ready);
        q.push_at(Instant::now(), &delayed);
        assert!(q.dispose());
        assert!(!q.dispose(), "idempotent");
        assert!(q.is_disposed());
        assert!(TaskHandle::new(ready).is_cancelled());
        assert!(TaskHandle::new(delayed).is_cancelled());
        assert_eq!(q.push(&TaskCell::new(task(3))), Push::Rejected);
        assert!(!q.push_at(Instant::now(), &TaskCell::new(task(4))));
        assert_eq!(q.drain(usize::MAX), Drained::Idle);
        assert!(log.lock().is_empty());
    }

    #[test]
    fn shutdown_stops_a_drain_between_tasks() {
        let ctx = ctx(None);
        let q = Arc::new(SerialQueue::new(ctx.clone()));
        let (log, task) = recorder();
        let c = ctx.clone();
        q.push(&TaskCell::new(Box::new(move || {
            c.shut_down();
        })));
        let second = TaskCell::new(task(2));
        q.push(&second);
        assert_eq!(q.drain(usize::MAX), Drained::Idle);
        assert!(log.lock().is_empty());
        assert!(q.is_disposed());
        assert!(TaskHandle::new(second).is_cancelled());
    }

    #[test]
    fn a_panicking_task_is_reported_and_the_next_one_runs() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let q = SerialQueue::new(ctx(Some(Arc::new(move |e: Error| {
            s.lock().push(e.to_string())
        }))));
        let (log, task) = recorder();
        q.push(&TaskCell::new(Box::new(|| panic!("boom {}", 42))));
        q.push(&TaskCell::new(task(2)));
        assert_eq!(q.drain(usize::MAX), Drained::Idle);
        assert_eq!(*seen.lock(), ["panic: user code panicked: boom 42"]);
        assert_eq!(*log.lock(), [2]);
    }

    #[test]
    fn a_panicking_handler_and_a_panicking_payload_are_contained() {
        struct PanicsOnDrop;
        impl Drop for PanicsOnDrop {
            fn drop(&mut self) {
                panic!("payload drop");
            }
        }
        let q = SerialQueue::new(ctx(Some(Arc::new(|_| panic!("handler fails too")))));
        let (log, task) = recorder();
        q.push(&TaskCell::new(Box::new(|| {
            std::panic::panic_any(PanicsOnDrop);
        })));
        q.push(&TaskCell::new(task(2)));
        assert_eq!(q.drain(usize::MAX), Drained::Idle);
        assert_eq!(*log.lock(), [2]);
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use super::*;
    use crate::loom::sync::atomic::AtomicUsize;
    use crate::loom::thread;
    use crate::scheduler::BUDGET;
    use crate::scheduler::immediate::Trampoline;

    /// The caller-drains worker (the immediate scheduler's, which under loom drains in place):
    /// `schedule` drains on the calling thread if its push claimed the drain.
    fn worker() -> Arc<SerialWorker<Trampoline>> {
        let ctx = Context::new(Settings {
            name: "loom".into(),
            on_panic: None,
        });
        Arc::new(SerialWorker::new(ctx, Trampoline))
    }

    /// What the model's tasks observe. Tasks record rather than assert: the queue catches a
    /// task's panic (that is its job), so an assertion inside a task would not fail the model.
    struct Probe {
        log: Mutex<Vec<u32>>,
        active: AtomicUsize,
        overlaps: AtomicUsize,
    }

    impl Probe {
        fn new() -> Arc<Self> {
            Arc::new(Probe {
                log: Mutex::new(Vec::new()),
                active: AtomicUsize::new(0),
                overlaps: AtomicUsize::new(0),
            })
        }

        /// A task that logs `id` and counts it if another task of the queue is running.
        fn task(self: &Arc<Self>, id: u32) -> Task {
            let probe = self.clone();
            Box::new(move || {
                if probe.active.fetch_add(1, Ordering::AcqRel) != 0 {
                    probe.overlaps.fetch_add(1, Ordering::AcqRel);
                }
                probe.log.lock().push(id);
                probe.active.fetch_sub(1, Ordering::AcqRel);
            })
        }

        fn check_serial(&self) -> Vec<u32> {
            assert_eq!(
                self.overlaps.load(Ordering::Acquire),
                0,
                "two tasks overlapped"
            );
            self.log.lock().clone()
        }
    }

    /// Two threads schedule onto one worker's queue and each drains when its push claims
    /// the drain: tasks never overlap, none is lost, and each thread's tasks run in its order.
    #[test]
    fn worker_runs_tasks_in_order() {
        loom::model(|| {
            let w = worker();
            let probe = Probe::new();

            let other = {
                let (w, probe) = (w.clone(), probe.clone());
                thread::spawn(move || {
                    w.schedule(probe.task(10));
                    w.schedule(probe.task(11));
                })
            };
            w.schedule(probe.task(1));
            other.join().unwrap();

            let log = probe.check_serial();
            assert_eq!(log.len(), 3, "a task was lost: {log:?}");
            let theirs: Vec<_> = log.iter().copied().filter(|&i| i >= 10).collect();
            assert_eq!(theirs, [10, 11], "one thread's tasks ran out of order");
            let idle = w.queue.push(&TaskCell::new(Box::new(|| {})));
            assert_eq!(idle, Push::Drain, "the queue was left claimed");
        });
    }

    /// A timer releasing a delayed task (as the event loop or a tokio timer does) races a
    /// `schedule` from another thread: exactly one of them claims the drain, both tasks run,
    /// never at once, and the queue ends idle.
    #[test]
    fn fire_due_races_schedule() {
        loom::model(|| {
            let w = worker();
            let probe = Probe::new();
            let deadline = Instant::now();
            assert!(w.queue.push_at(deadline, &TaskCell::new(probe.task(20))));

            let timer = {
                let q = w.queue.clone();
                thread::spawn(move || {
                    if q.fire_due(deadline) {
                        while q.drain(BUDGET) == Drained::More {}
                    }
                })
            };
            w.schedule(probe.task(1));
            timer.join().unwrap();

            let mut log = probe.check_serial();
            log.sort_unstable();
            assert_eq!(log, [1, 20], "a task was lost or ran twice");
            let idle = w.queue.push(&TaskCell::new(Box::new(|| {})));
            assert_eq!(idle, Push::Drain, "the queue was left claimed");
        });
    }

    /// `dispose` races a `schedule`: the task either runs exactly once or its handle says it
    /// was cancelled or rejected, never both, and the queue rejects work afterwards.
    #[test]
    fn dispose_races_schedule() {
        loom::model(|| {
            let w = worker();
            let probe = Probe::new();

            let disposer = {
                let q = w.queue.clone();
                thread::spawn(move || q.dispose())
            };
            let handle = w.schedule(probe.task(1));
            assert!(disposer.join().unwrap());

            let ran = probe.check_serial().len();
            let stopped = handle.is_cancelled() || handle.is_rejected();
            assert!(ran <= 1, "ran twice");
            assert!(
                (ran == 1) != stopped,
                "ran {ran} time(s), stopped: {stopped}"
            );
            assert_eq!(
                w.queue.push(&TaskCell::new(Box::new(|| {}))),
                Push::Rejected
            );
        });
    }
}
