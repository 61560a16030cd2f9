//! One scheduled task and the handle that can cancel it.

use std::fmt;
use std::sync::Arc;

use super::Task;
use super::serial::catch;
use crate::loom::sync::Mutex;
use crate::{Error, ErrorKind};

/// Where a task is in its life.
enum Slot {
    /// Waiting in a worker's line (or timer heap) with its closure.
    Pending(Task),
    /// Taken by the worker to run (or already run).
    Started,
    /// Stopped before it started, by [`TaskHandle::cancel`] or by disposal; closure dropped.
    Cancelled,
}

/// A scheduled closure, shared by the worker's line and the caller's [`TaskHandle`].
pub(crate) struct TaskCell {
    slot: Mutex<Slot>,
}

impl TaskCell {
    pub(crate) fn new(task: Task) -> Arc<Self> {
        Arc::new(TaskCell {
            slot: Mutex::new(Slot::Pending(task)),
        })
    }

    /// Takes the closure out if it is still pending, marking the task cancelled. The caller
    /// drops the returned closure, after every lock it holds is released.
    #[must_use = "drop the closure outside the caller's locks"]
    pub(crate) fn cancel(&self) -> Option<Task> {
        let mut slot = self.slot.lock();
        match std::mem::replace(&mut *slot, Slot::Cancelled) {
            Slot::Pending(task) => Some(task),
            other => {
                *slot = other;
                None
            }
        }
    }

    fn is_cancelled(&self) -> bool {
        matches!(*self.slot.lock(), Slot::Cancelled)
    }

    /// Runs the closure if nobody cancelled it; a panic is caught and returned for the
    /// scheduler to report.
    pub(crate) fn run(&self) -> Result<(), Error> {
        let task = {
            let mut slot = self.slot.lock();
            match std::mem::replace(&mut *slot, Slot::Started) {
                Slot::Pending(task) => Some(task),
                other => {
                    *slot = other;
                    None
                }
            }
        };
        task.map_or(Ok(()), catch)
    }
}

/// A task given to a [`Worker`](super::Worker): lets the caller cancel it, and says whether
/// the worker rejected it.
///
/// Cloning shares the task. Dropping the handle does not cancel it.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use reactive_core::scheduler::{Scheduler, SingleThreadScheduler};
///
/// let worker = SingleThreadScheduler::new().worker();
/// let handle = worker.schedule_after(Duration::from_secs(3600), Box::new(|| unreachable!()));
/// assert!(!handle.is_rejected());
/// handle.cancel(); // the closure is dropped now, not in an hour
/// assert!(handle.is_cancelled());
///
/// worker.dispose();
/// let rejected = worker.schedule(Box::new(|| unreachable!()));
/// assert!(rejected.is_rejected());
/// assert_eq!(rejected.rejection().unwrap().kind(), reactive_core::ErrorKind::Rejected);
/// ```
#[derive(Clone)]
pub struct TaskHandle {
    /// `None`: the worker refused the task.
    cell: Option<Arc<TaskCell>>,
}

impl TaskHandle {
    pub(crate) fn new(cell: Arc<TaskCell>) -> Self {
        TaskHandle { cell: Some(cell) }
    }

    pub(crate) fn rejected() -> Self {
        TaskHandle { cell: None }
    }

    /// Stops the task if it has not started, and drops its closure. A running or finished task
    /// is not affected. Idempotent, from any thread.
    pub fn cancel(&self) {
        if let Some(cell) = &self.cell {
            drop(cell.cancel());
        }
    }

    /// Whether the task was stopped before it started: by [`cancel`](Self::cancel), by
    /// [`Worker::dispose`](super::Worker::dispose) or by the scheduler's shutdown. A rejected
    /// task was never accepted, so it is not "cancelled"; see [`is_rejected`](Self::is_rejected).
    pub fn is_cancelled(&self) -> bool {
        self.cell.as_ref().is_some_and(|cell| cell.is_cancelled())
    }

    /// Whether the worker refused the task because it was disposed or its scheduler shut
    /// down. The closure was dropped without running.
    pub fn is_rejected(&self) -> bool {
        self.cell.is_none()
    }

    /// The error to signal downstream when the task was rejected (kind
    /// [`ErrorKind::Rejected`]), or `None` if it was accepted.
    pub fn rejection(&self) -> Option<Error> {
        self.is_rejected().then(rejection_error)
    }
}

/// The error of a task that a worker refused, or dropped without running it.
pub(crate) fn rejection_error() -> Error {
    Error::new(
        ErrorKind::Rejected,
        "scheduler rejected a task: the worker is disposed or the scheduler shut down",
    )
}

impl fmt::Debug for TaskHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.cell {
            None => "rejected",
            Some(cell) => match *cell.slot.lock() {
                Slot::Pending(_) => "pending",
                Slot::Started => "started",
                Slot::Cancelled => "cancelled",
            },
        };
        f.debug_struct("TaskHandle").field("state", &state).finish()
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::*;
    use crate::loom::sync::atomic::{AtomicUsize, Ordering};
    use crate::scheduler::testing::DropCount;

    #[test]
    fn cancel_before_run_drops_the_closure_and_skips_it() {
        let drops = Arc::new(AtomicUsize::new(0));
        let ran = Arc::new(AtomicUsize::new(0));
        let guard = DropCount(drops.clone());
        let r = ran.clone();
        let cell = TaskCell::new(Box::new(move || {
            let _guard = &guard;
            r.fetch_add(1, Ordering::SeqCst);
        }));
        let handle = TaskHandle::new(cell.clone());
        handle.cancel();
        assert_eq!(
            drops.load(Ordering::SeqCst),
            1,
            "cancel must drop the closure"
        );
        assert!(handle.is_cancelled());
        assert!(cell.run().is_ok());
        assert_eq!(ran.load(Ordering::SeqCst), 0);
        handle.cancel();
        assert_eq!(format!("{handle:?}"), "TaskHandle { state: \"cancelled\" }");
    }

    #[test]
    fn cancel_after_run_changes_nothing() {
        let ran = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        let cell = TaskCell::new(Box::new(move || {
            r.fetch_add(1, Ordering::SeqCst);
        }));
        let handle = TaskHandle::new(cell.clone());
        assert!(cell.run().is_ok());
        assert!(cell.run().is_ok());
        handle.cancel();
        assert_eq!(ran.load(Ordering::SeqCst), 1, "a task runs at most once");
        assert!(!handle.is_cancelled());
        assert!(!handle.is_rejected());
        assert!(handle.rejection().is_none());
    }

    #[test]
    fn a_rejected_handle_says_so() {
        let handle = TaskHandle::rejected();
        assert!(handle.is_rejected());
        assert!(!handle.is_cancelled());
        handle.cancel();
        let err = handle.rejection().unwrap();
        assert_eq!(err.kind(), ErrorKind::Rejected);
        assert!(err.message().contains("disposed"));
    }

    #[test]
    fn a_panicking_task_is_returned_not_propagated() {
        let err = TaskCell::new(Box::new(|| panic!("boom {}", 42)))
            .run()
            .unwrap_err();
        assert_eq!(err.to_string(), "panic: user code panicked: boom 42");
    }
}
