//! A scheduler that runs tasks on the thread that schedules them.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use super::serial::{Context, Drained, Driver, SerialQueue, SerialWorker};
use super::{BUDGET, Scheduler, SchedulerBuilder, Worker, sealed};

/// Runs every task on the thread that calls `schedule`, before `schedule` returns, with no
/// threads of its own.
///
/// * **Trampolined.** When a task schedules another task (on any immediate worker) the new
///   task does not run nested inside the first: it is queued on a thread-local trampoline and
///   runs right after the current task returns, so a chain of tasks that each schedule the
///   next runs in a loop at constant stack depth, not as a recursion.
/// * **Serial per worker.** If another thread is running this worker's tasks when `schedule`
///   is called, the new task is queued and that thread runs it; `schedule` then returns
///   without waiting. Tasks of one worker never overlap, as the [`Worker`] contract requires.
/// * **Delays block the caller.** [`schedule_after`](Worker::schedule_after) sleeps on the
///   calling thread for the whole delay (inside a task, that task waits too) and then
///   releases the task. Use a thread-backed scheduler for real timers.
/// * **No waiting on nested tasks.** A task must not block until a task it scheduled has run:
///   that task runs only after the current one returns.
/// * **Panics** are caught and reported like on every scheduler (see the
///   [module docs](super)); they do not reach the caller of `schedule`.
///
/// [`shutdown`](Scheduler::shutdown) has no threads to stop; it makes every worker reject
/// new tasks.
///
/// Under the `reactive_loom` cfg there is no trampoline (each worker's own queue still keeps
/// its tasks serial) and a delay only yields to the model checker.
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use reactive_core::scheduler::{ImmediateScheduler, Scheduler};
///
/// let scheduler = ImmediateScheduler::new();
/// let worker = scheduler.worker();
/// let log = Arc::new(Mutex::new(Vec::new()));
///
/// let (l, w) = (log.clone(), worker.clone());
/// worker.schedule(Box::new(move || {
///     let inner = l.clone();
///     // Queued on the trampoline: runs after this task, not inside it.
///     w.schedule(Box::new(move || inner.lock().unwrap().push("second")));
///     l.lock().unwrap().push("first");
/// }));
/// // Both ran before `schedule` returned.
/// assert_eq!(*log.lock().unwrap(), ["first", "second"]);
/// ```
#[derive(Clone)]
pub struct ImmediateScheduler {
    ctx: Arc<Context>,
}

impl ImmediateScheduler {
    /// An immediate scheduler that reports panics only through `tracing`.
    pub fn new() -> Self {
        ImmediateScheduler::builder().build()
    }

    /// A builder, to set a panic handler or the name used in `tracing` events.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use reactive_core::Error;
    /// use reactive_core::scheduler::{ImmediateScheduler, Scheduler};
    ///
    /// let seen = Arc::new(Mutex::new(None));
    /// let s = seen.clone();
    /// let scheduler = ImmediateScheduler::builder()
    ///     .on_panic(move |err: Error| *s.lock().unwrap() = Some(err.to_string()))
    ///     .build();
    /// scheduler.schedule(Box::new(|| panic!("oops")));
    /// assert_eq!(seen.lock().unwrap().as_deref(), Some("panic: user code panicked: oops"));
    /// ```
    pub fn builder() -> SchedulerBuilder<ImmediateScheduler> {
        SchedulerBuilder::new("immediate", ())
    }
}

impl sealed::Build for ImmediateScheduler {
    type Config = ();

    fn build(settings: sealed::Settings, (): ()) -> Self {
        ImmediateScheduler {
            ctx: Context::new(settings),
        }
    }
}

impl Default for ImmediateScheduler {
    fn default() -> Self {
        ImmediateScheduler::new()
    }
}

impl Scheduler for ImmediateScheduler {
    fn worker(&self) -> Arc<dyn Worker> {
        Arc::new(SerialWorker::new(self.ctx.clone(), Trampoline))
    }

    fn shutdown(&self) {
        self.ctx.shut_down();
    }

    fn is_shut_down(&self) -> bool {
        self.ctx.is_shut_down()
    }
}

impl fmt::Debug for ImmediateScheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImmediateScheduler")
            .field("shut_down", &self.ctx.is_shut_down())
            .finish()
    }
}

/// The immediate scheduler's driver: a drain runs on the calling thread, through the
/// thread's trampoline; a deadline is waited for by sleeping on the calling thread.
pub(crate) struct Trampoline;

impl Driver for Trampoline {
    fn start(&self, queue: Arc<SerialQueue>) -> bool {
        trampoline::drain(queue);
        true
    }

    fn start_at(&self, deadline: Instant, queue: Arc<SerialQueue>) -> bool {
        crate::loom::thread::sleep(deadline.saturating_duration_since(Instant::now()));
        if queue.fire_due(Instant::now().max(deadline)) {
            trampoline::drain(queue);
        }
        true
    }
}

/// The per-thread trampoline: the outermost drain on a thread runs every worker that becomes
/// ready while it runs, one bounded turn at a time, in FIFO order.
#[cfg(not(reactive_loom))]
mod trampoline {
    use std::cell::RefCell;
    use std::collections::VecDeque;

    use super::*;

    std::thread_local! {
        /// `Some` while a drain runs on this thread: workers that become ready wait here.
        static PENDING: RefCell<Option<VecDeque<Arc<SerialQueue>>>> = const { RefCell::new(None) };
    }

    /// Ends the trampoline even if a drain unwinds (a closure's `Drop` panicking).
    struct Leave;

    impl Drop for Leave {
        fn drop(&mut self) {
            // Dropped outside the borrow: a queue's last reference may run user `Drop` code.
            let rest = PENDING.try_with(|pending| pending.borrow_mut().take());
            drop(rest);
        }
    }

    /// Drains `queue` (which the caller claimed) now, or after the current task if a drain
    /// already runs on this thread.
    pub(super) fn drain(queue: Arc<SerialQueue>) {
        let mut job = Some(queue);
        let outermost = PENDING.try_with(|pending| {
            let mut pending = pending.borrow_mut();
            match pending.as_mut() {
                Some(waiting) => {
                    waiting.extend(job.take());
                    false
                }
                None => {
                    *pending = Some(VecDeque::new());
                    true
                }
            }
        });
        let Some(queue) = job else {
            return; // the running trampoline takes it from here
        };
        if outermost.is_err() {
            // The thread is exiting and its locals are gone: no trampoline, drain in place.
            while queue.drain(BUDGET) == Drained::More {}
            return;
        }
        let _leave = Leave;
        let mut next = Some(queue);
        while let Some(queue) = next {
            let more = queue.drain(BUDGET) == Drained::More;
            // A finished queue is dropped here, outside the borrow below.
            let again = more.then_some(queue);
            next = PENDING.with(|pending| {
                let mut pending = pending.borrow_mut();
                let waiting = pending.as_mut()?;
                waiting.extend(again);
                waiting.pop_front()
            });
        }
    }
}

/// Under loom, a drain runs in place: models are a few tasks deep.
#[cfg(reactive_loom)]
mod trampoline {
    use super::*;

    pub(super) fn drain(queue: Arc<SerialQueue>) {
        while queue.drain(BUDGET) == Drained::More {}
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::loom::sync::Mutex;
    use crate::loom::sync::atomic::{AtomicUsize, Ordering};
    use crate::scheduler::testing;
    use std::time::Duration;

    #[test]
    fn runs_before_schedule_returns_on_the_calling_thread() {
        let scheduler = ImmediateScheduler::new();
        let caller = std::thread::current().id();
        let ran_on = Arc::new(Mutex::new(None));
        let r = ran_on.clone();
        let handle = scheduler.schedule(Box::new(move || {
            *r.lock() = Some(std::thread::current().id());
        }));
        assert_eq!(*ran_on.lock(), Some(caller));
        assert!(!handle.is_rejected() && !handle.is_cancelled());
    }

    /// A chain of 100 000 tasks, each scheduling the next on a fresh worker, would overflow
    /// the stack if nested; trampolined, it runs at depth 1.
    #[test]
    fn nested_schedules_are_trampolined_not_recursive() {
        fn link(
            s: ImmediateScheduler,
            left: usize,
            depth: Arc<AtomicUsize>,
            max: Arc<AtomicUsize>,
        ) {
            let s2 = s.clone();
            s.schedule(Box::new(move || {
                let d = depth.fetch_add(1, Ordering::SeqCst) + 1;
                max.fetch_max(d, Ordering::SeqCst);
                if left > 0 {
                    link(s2, left - 1, depth.clone(), max.clone());
                }
                depth.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        let depth = Arc::new(AtomicUsize::new(0));
        let max = Arc::new(AtomicUsize::new(0));
        let count = Arc::new(AtomicUsize::new(0));
        let c = count.clone();
        let s = ImmediateScheduler::new();
        link(s.clone(), 100_000, depth.clone(), max.clone());
        s.schedule(Box::new(move || {
            c.fetch_add(1, Ordering::SeqCst);
        }));
        assert_eq!(max.load(Ordering::SeqCst), 1);
        assert_eq!(depth.load(Ordering::SeqCst), 0);
        assert_eq!(count.load(Ordering::SeqCst), 1, "the trampoline ended");
    }

    #[test]
    fn nested_tasks_run_after_the_current_one_in_fifo_order() {
        let scheduler = ImmediateScheduler::new();
        let a = scheduler.worker();
        let b = scheduler.worker();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (l, a2, b2) = (log.clone(), a.clone(), b.clone());
        a.schedule(Box::new(move || {
            let (l1, l2, l3) = (l.clone(), l.clone(), l.clone());
            b2.schedule(Box::new(move || l1.lock().push("b1")));
            a2.schedule(Box::new(move || l2.lock().push("a2")));
            b2.schedule(Box::new(move || l3.lock().push("b2")));
            l.lock().push("a1");
        }));
        assert_eq!(*log.lock(), ["a1", "a2", "b1", "b2"]);
    }

    #[test]
    fn schedule_after_sleeps_on_the_caller_then_runs() {
        let worker = ImmediateScheduler::new().worker();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (l1, l2) = (log.clone(), log.clone());
        worker.schedule_after(
            Duration::from_millis(5),
            Box::new(move || l1.lock().push("delayed")),
        );
        worker.schedule(Box::new(move || l2.lock().push("after")));
        assert_eq!(*log.lock(), ["delayed", "after"]);
    }

    #[test]
    fn threads_sharing_a_worker_never_overlap() {
        testing::two_threads_share_a_worker_serially_and_in_order(
            ImmediateScheduler::new().worker(),
        );
    }

    #[test]
    fn a_panicking_task_is_reported_and_the_worker_goes_on() {
        let errors = Arc::new(Mutex::new(Vec::new()));
        let e = errors.clone();
        let scheduler = ImmediateScheduler::builder()
            .on_panic(move |err| e.lock().push(err))
            .build();
        let worker = scheduler.worker();
        let ran = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        worker.schedule(Box::new(|| panic!("task 1 failed")));
        worker.schedule(Box::new(move || {
            r.fetch_add(1, Ordering::SeqCst);
        }));
        assert_eq!(ran.load(Ordering::SeqCst), 1);
        let errors = errors.lock();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].kind(), ErrorKind::Panic);
        assert!(errors[0].message().contains("task 1 failed"));
    }

    #[test]
    fn dispose_from_inside_a_task_cancels_the_rest() {
        let worker = ImmediateScheduler::new().worker();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (w, l) = (worker.clone(), log.clone());
        worker.schedule(Box::new(move || {
            let l2 = l.clone();
            let h = w.schedule(Box::new(move || l2.lock().push("never")));
            w.dispose();
            l.lock().push(if h.is_cancelled() {
                "cancelled"
            } else {
                "pending"
            });
        }));
        assert_eq!(*log.lock(), ["cancelled"]);
        assert!(worker.is_disposed());
        assert!(worker.schedule(Box::new(|| {})).is_rejected());
    }

    #[test]
    fn shutdown_rejects_new_tasks() {
        let scheduler = ImmediateScheduler::new();
        let worker = scheduler.worker();
        scheduler.shutdown();
        assert!(scheduler.is_shut_down());
        assert!(worker.is_disposed());
        assert!(worker.schedule(Box::new(|| unreachable!())).is_rejected());
        assert!(
            scheduler
                .schedule(Box::new(|| unreachable!()))
                .is_rejected()
        );
    }
}
