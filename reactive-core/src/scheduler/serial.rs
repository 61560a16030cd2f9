//! The serial queue behind every worker, and the context its tasks run in.
//!
//! Every scheduler builds its workers from the same [`SerialQueue`]; only the way a drain is
//! started differs (the calling thread, an event-loop thread, a tokio task). Keeping the
//! ordering logic here, apart from threads and clocks, lets loom check it.

use std::any::Any;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Instant;

use super::task::TaskCell;
use super::{PanicHandler, Settings};
use crate::Error;
use crate::loom::sync::Mutex;
use crate::loom::sync::atomic::{AtomicBool, Ordering};

/// What a scheduler's tasks share: its name (for logs), the panic handler and the shutdown
/// flag.
pub(crate) struct Context {
    name: String,
    on_panic: Option<PanicHandler>,
    shut_down: AtomicBool,
}

impl Context {
    pub(crate) fn new(name: impl Into<String>, on_panic: Option<PanicHandler>) -> Self {
        Context {
            name: name.into(),
            on_panic,
            shut_down: AtomicBool::new(false),
        }
    }

    pub(crate) fn from_settings(settings: &Settings) -> Self {
        Context::new(settings.name.clone(), settings.on_panic.clone())
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

    /// Reports a task's panic: a `tracing` error event, then the user's handler (whose own
    /// panic is caught and logged, so that it cannot take the thread down either).
    pub(crate) fn report_panic(&self, payload: Box<dyn Any + Send>) {
        let error = Error::panic(payload.as_ref());
        // A payload whose `Drop` panics must not unwind out of the worker either.
        let _ = catch_unwind(AssertUnwindSafe(move || drop(payload))).map_err(std::mem::forget);
        tracing::error!(
            scheduler = %self.name,
            error = %error,
            "a scheduled task panicked; its worker goes on with the next task"
        );
        if let Some(handler) = &self.on_panic {
            if catch_unwind(AssertUnwindSafe(|| handler(error))).is_err() {
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

/// Something waiting for its deadline, ordered so that a `BinaryHeap` pops the earliest
/// deadline first, and equal deadlines in submission (`seq`) order.
pub(crate) struct Timed<T> {
    pub(crate) deadline: Instant,
    pub(crate) seq: u64,
    pub(crate) item: T,
}

impl<T> PartialEq for Timed<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.deadline, self.seq) == (other.deadline, other.seq)
    }
}

impl<T> Eq for Timed<T> {}

impl<T> PartialOrd for Timed<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Timed<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Reversed: the max-heap yields the earliest deadline, then the lowest sequence number.
        (other.deadline, other.seq).cmp(&(self.deadline, self.seq))
    }
}

struct State {
    /// Tasks whose turn may come, in order.
    ready: VecDeque<Arc<TaskCell>>,
    /// Delayed tasks, until [`SerialQueue::fire_due`] moves them to `ready`.
    timers: BinaryHeap<Timed<Arc<TaskCell>>>,
    #[cfg_attr(reactive_loom, allow(dead_code))]
    next_seq: u64,
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
pub(crate) struct SerialQueue {
    state: Mutex<State>,
}

impl SerialQueue {
    pub(crate) fn new() -> Self {
        SerialQueue {
            state: Mutex::new(State {
                ready: VecDeque::new(),
                timers: BinaryHeap::new(),
                next_seq: 0,
                running: false,
                disposed: false,
            }),
        }
    }

    /// Appends a task. The caller keeps its own reference to `cell`, so a rejected task's
    /// closure is dropped by the caller, outside this lock.
    pub(crate) fn push(&self, cell: &Arc<TaskCell>) -> Push {
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
    #[cfg_attr(reactive_loom, allow(dead_code))] // used by the thread and tokio schedulers
    pub(crate) fn push_at(&self, deadline: Instant, cell: &Arc<TaskCell>) -> bool {
        let mut st = self.state.lock();
        if st.disposed {
            return false;
        }
        let seq = st.next_seq;
        st.next_seq += 1;
        st.timers.push(Timed {
            deadline,
            seq,
            item: cell.clone(),
        });
        true
    }

    /// Moves every delayed task whose deadline is at or before `now` to the line, earliest
    /// first. `true` if the caller must start a drain (tasks moved and the queue was idle).
    #[cfg_attr(reactive_loom, allow(dead_code))] // used by the thread and tokio schedulers
    pub(crate) fn fire_due(&self, now: Instant) -> bool {
        let mut st = self.state.lock();
        let mut moved = false;
        while st.timers.peek().is_some_and(|t| t.deadline <= now) {
            if let Some(timer) = st.timers.pop() {
                st.ready.push_back(timer.item);
                moved = true;
            }
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
    pub(crate) fn drain(&self, budget: usize, ctx: &Context) -> Drained {
        for _ in 0..budget {
            if ctx.is_shut_down() {
                self.dispose();
            }
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
            next.run(ctx);
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
            (
                std::mem::take(&mut st.ready),
                std::mem::take(&mut st.timers),
            )
        };
        let timers = timers.into_iter().map(|timer| timer.item);
        for cell in ready.into_iter().chain(timers) {
            drop(cell.cancel());
        }
        true
    }

    pub(crate) fn is_disposed(&self) -> bool {
        self.state.lock().disposed
    }
}

impl fmt::Debug for SerialQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.state.lock();
        f.debug_struct("SerialQueue")
            .field("ready", &st.ready.len())
            .field("delayed", &st.timers.len())
            .field("running", &st.running)
            .field("disposed", &st.disposed)
            .finish()
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::*;
    use crate::scheduler::TaskHandle;
    use std::time::Duration;

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
        let q = SerialQueue::new();
        let ctx = Context::new("test", None);
        let (log, task) = recorder();
        assert_eq!(q.push(&TaskCell::new(task(1))), Push::Drain);
        assert_eq!(q.push(&TaskCell::new(task(2))), Push::Queued);
        assert_eq!(q.drain(usize::MAX, &ctx), Drained::Idle);
        assert_eq!(*log.lock(), [1, 2]);
        assert_eq!(q.push(&TaskCell::new(task(3))), Push::Drain, "idle again");
    }

    #[test]
    fn budget_keeps_the_claim_until_the_line_is_empty() {
        let q = SerialQueue::new();
        let ctx = Context::new("test", None);
        let (log, task) = recorder();
        for i in 0..5 {
            q.push(&TaskCell::new(task(i)));
        }
        assert_eq!(q.drain(2, &ctx), Drained::More);
        assert_eq!(q.push(&TaskCell::new(task(5))), Push::Queued);
        assert_eq!(q.drain(2, &ctx), Drained::More);
        assert_eq!(q.drain(2, &ctx), Drained::Idle);
        assert_eq!(*log.lock(), [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn delayed_tasks_fire_by_deadline_then_submission_order() {
        let q = SerialQueue::new();
        let ctx = Context::new("test", None);
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
        assert_eq!(q.drain(usize::MAX, &ctx), Drained::Idle);
        assert_eq!(*log.lock(), [10, 11, 20, 30]);
    }

    #[test]
    fn dispose_cancels_ready_and_delayed_and_rejects_later() {
        let q = SerialQueue::new();
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
        assert_eq!(
            q.drain(usize::MAX, &Context::new("test", None)),
            Drained::Idle
        );
        assert!(log.lock().is_empty());
    }

    #[test]
    fn shutdown_stops_a_drain_between_tasks() {
        let q = Arc::new(SerialQueue::new());
        let ctx = Arc::new(Context::new("test", None));
        let (log, task) = recorder();
        let c = ctx.clone();
        q.push(&TaskCell::new(Box::new(move || {
            c.shut_down();
        })));
        let second = TaskCell::new(task(2));
        q.push(&second);
        assert_eq!(q.drain(usize::MAX, &ctx), Drained::Idle);
        assert!(log.lock().is_empty());
        assert!(q.is_disposed());
        assert!(TaskHandle::new(second).is_cancelled());
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use super::*;
    use crate::loom::sync::atomic::AtomicUsize;
    use crate::loom::thread;
    use crate::scheduler::{BUDGET, Task, TaskHandle};

    /// The caller-drains executor (what the immediate worker does): schedule, and drain on
    /// this thread if the push claimed the drain.
    fn schedule(q: &SerialQueue, ctx: &Context, task: Task) -> TaskHandle {
        let cell = TaskCell::new(task);
        match q.push(&cell) {
            Push::Rejected => TaskHandle::rejected(),
            Push::Queued => TaskHandle::new(cell),
            Push::Drain => {
                while q.drain(BUDGET, ctx) == Drained::More {}
                TaskHandle::new(cell)
            }
        }
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
            let q = Arc::new(SerialQueue::new());
            let ctx = Arc::new(Context::new("loom", None));
            let probe = Probe::new();

            let other = {
                let (q, ctx, probe) = (q.clone(), ctx.clone(), probe.clone());
                thread::spawn(move || {
                    schedule(&q, &ctx, probe.task(10));
                    schedule(&q, &ctx, probe.task(11));
                })
            };
            schedule(&q, &ctx, probe.task(1));
            other.join().unwrap();

            let log = probe.check_serial();
            assert_eq!(log.len(), 3, "a task was lost: {log:?}");
            let theirs: Vec<_> = log.iter().copied().filter(|&i| i >= 10).collect();
            assert_eq!(theirs, [10, 11], "one thread's tasks ran out of order");
            let idle = q.push(&TaskCell::new(Box::new(|| {})));
            assert_eq!(idle, Push::Drain, "the queue was left claimed");
        });
    }

    /// A timer releasing a delayed task (as the event loop or a tokio timer does) races a
    /// `schedule` from another thread: exactly one of them claims the drain, both tasks run,
    /// never at once, and the queue ends idle.
    #[test]
    fn fire_due_races_schedule() {
        loom::model(|| {
            let q = Arc::new(SerialQueue::new());
            let ctx = Arc::new(Context::new("loom", None));
            let probe = Probe::new();
            let deadline = Instant::now();
            assert!(q.push_at(deadline, &TaskCell::new(probe.task(20))));

            let timer = {
                let (q, ctx) = (q.clone(), ctx.clone());
                thread::spawn(move || {
                    if q.fire_due(deadline) {
                        while q.drain(BUDGET, &ctx) == Drained::More {}
                    }
                })
            };
            schedule(&q, &ctx, probe.task(1));
            timer.join().unwrap();

            let mut log = probe.check_serial();
            log.sort_unstable();
            assert_eq!(log, [1, 20], "a task was lost or ran twice");
            let idle = q.push(&TaskCell::new(Box::new(|| {})));
            assert_eq!(idle, Push::Drain, "the queue was left claimed");
        });
    }

    /// `dispose` races a `schedule`: the task either runs exactly once or its handle says it
    /// was cancelled or rejected, never both, and the queue rejects work afterwards.
    #[test]
    fn dispose_races_schedule() {
        loom::model(|| {
            let q = Arc::new(SerialQueue::new());
            let ctx = Arc::new(Context::new("loom", None));
            let probe = Probe::new();

            let disposer = {
                let q = q.clone();
                thread::spawn(move || q.dispose())
            };
            let handle = schedule(&q, &ctx, probe.task(1));
            assert!(disposer.join().unwrap());

            let ran = probe.check_serial().len();
            let stopped = handle.is_cancelled() || handle.is_rejected();
            assert!(ran <= 1, "ran twice");
            assert!(
                (ran == 1) != stopped,
                "ran {ran} time(s), stopped: {stopped}"
            );
            assert_eq!(q.push(&TaskCell::new(Box::new(|| {}))), Push::Rejected);
        });
    }
}
