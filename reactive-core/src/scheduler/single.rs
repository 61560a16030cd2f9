//! A scheduler with one dedicated thread: a pool of one.

use std::fmt;
use std::sync::Arc;

use super::{PoolScheduler, Scheduler, SchedulerBuilder, Worker, sealed};

/// Runs every task on one dedicated, named thread (`reactive-single` unless
/// [renamed](SchedulerBuilder::name)), with a timer heap for delayed tasks: a
/// [`PoolScheduler`] of one thread, whose thread name has no number.
///
/// All workers share the thread, so tasks of different workers never run in parallel either;
/// the thread gives each ready worker a turn of at most 64 tasks, round the line. Delays are
/// kept by the thread, which sleeps on a condition variable until the earliest deadline.
///
/// Handles are cheap to clone. The thread stops after the task it is running when
/// [`shutdown`](Scheduler::shutdown) is called or when the last scheduler handle and the last
/// worker from it are dropped; pending tasks are then cancelled.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use std::time::Duration;
/// use reactive_core::scheduler::{Scheduler, SingleThreadScheduler};
///
/// let scheduler = SingleThreadScheduler::new();
/// let worker = scheduler.worker();
/// let (tx, rx) = mpsc::channel();
/// for i in 0..3 {
///     let tx = tx.clone();
///     worker.schedule(Box::new(move || {
///         let name = std::thread::current().name().map(str::to_owned);
///         tx.send((i, name)).unwrap();
///     }));
/// }
/// let (late_tx, late) = (tx.clone(), 99);
/// worker.schedule_after(Duration::from_millis(1), Box::new(move || late_tx.send((late, None)).unwrap()));
///
/// let got: Vec<_> = rx.iter().take(4).collect();
/// assert_eq!(got[0], (0, Some("reactive-single".to_owned())));
/// assert_eq!(got[2].0, 2);
/// assert_eq!(got[3].0, 99);
/// scheduler.shutdown(); // waits for the thread to exit
/// ```
#[derive(Clone)]
pub struct SingleThreadScheduler(PoolScheduler);

impl SingleThreadScheduler {
    /// Starts the thread.
    ///
    /// # Panics
    ///
    /// If the operating system cannot start a thread.
    pub fn new() -> Self {
        SingleThreadScheduler::builder().build()
    }

    /// A builder, to name the thread or set a panic handler.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use reactive_core::scheduler::{Scheduler, SingleThreadScheduler};
    ///
    /// let (tx, rx) = mpsc::channel();
    /// let scheduler = SingleThreadScheduler::builder()
    ///     .name("audio")
    ///     .on_panic(move |err| tx.send(err.to_string()).unwrap())
    ///     .build();
    /// scheduler.schedule(Box::new(|| panic!("buffer underrun")));
    /// assert_eq!(rx.recv().unwrap(), "panic: user code panicked: buffer underrun");
    /// ```
    pub fn builder() -> SchedulerBuilder<SingleThreadScheduler> {
        SchedulerBuilder::new("reactive-single", ())
    }
}

impl sealed::Build for SingleThreadScheduler {
    type Config = ();

    fn build(settings: sealed::Settings, (): ()) -> Self {
        SingleThreadScheduler(PoolScheduler::start(1, false, settings))
    }
}

impl Default for SingleThreadScheduler {
    fn default() -> Self {
        SingleThreadScheduler::new()
    }
}

impl Scheduler for SingleThreadScheduler {
    fn worker(&self) -> Arc<dyn Worker> {
        self.0.worker()
    }

    fn shutdown(&self) {
        self.0.shutdown();
    }

    fn is_shut_down(&self) -> bool {
        self.0.is_shut_down()
    }
}

impl fmt::Debug for SingleThreadScheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SingleThreadScheduler")
            .field("name", &self.0.name())
            .field("shut_down", &self.is_shut_down())
            .finish()
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::loom::sync::Mutex;
    use crate::loom::sync::atomic::{AtomicUsize, Ordering};
    use crate::scheduler::testing::{DropCount, PATIENCE, block};
    use crate::scheduler::{Task, TaskHandle};
    use std::sync::mpsc;
    use std::time::Duration;

    fn send<T: Send + 'static>(tx: &mpsc::Sender<T>, value: T) -> Task {
        let tx = tx.clone();
        Box::new(move || tx.send(value).unwrap())
    }

    #[test]
    fn one_workers_tasks_run_in_submission_order_on_the_named_thread() {
        let scheduler = SingleThreadScheduler::builder().name("single-test").build();
        let worker = scheduler.worker();
        let (tx, rx) = mpsc::channel();
        for i in 0..1_000 {
            let tx = tx.clone();
            worker.schedule(Box::new(move || {
                tx.send((i, std::thread::current().name().map(str::to_owned)))
                    .unwrap();
            }));
        }
        let got: Vec<_> = rx.iter().take(1_000).collect();
        assert!(got.iter().map(|(i, _)| *i).eq(0..1_000));
        assert!(got.iter().all(|(_, n)| n.as_deref() == Some("single-test")));
    }

    #[test]
    fn workers_take_turns_on_the_thread() {
        let scheduler = SingleThreadScheduler::new();
        let (a, b) = (scheduler.worker(), scheduler.worker());
        let release = block(&a);
        let (tx, rx) = mpsc::channel();
        for i in 0..100 {
            a.schedule(send(&tx, ('a', i)));
            b.schedule(send(&tx, ('b', i)));
        }
        drop(release);
        let got: Vec<_> = rx.iter().take(200).collect();
        // b got a turn before a had run all of its 100 tasks.
        let first_b = got.iter().position(|(w, _)| *w == 'b').unwrap();
        assert!(first_b < 100, "b waited for all of a: {first_b}");
        for w in ['a', 'b'] {
            let mine: Vec<_> = got
                .iter()
                .filter(|(x, _)| *x == w)
                .map(|(_, i)| *i)
                .collect();
            assert!(mine.iter().copied().eq(0..100), "{w} out of order");
        }
    }

    /// The thread is held while the tasks are given, so that how long scheduling takes does
    /// not matter: whatever is due when it is released fires in deadline order.
    #[test]
    fn delayed_tasks_run_by_deadline() {
        let worker = SingleThreadScheduler::new().worker();
        let release = block(&worker);
        let (tx, rx) = mpsc::channel();
        worker.schedule_after(Duration::from_millis(500), send(&tx, "long"));
        worker.schedule_after(Duration::from_millis(1), send(&tx, "short-1"));
        worker.schedule_after(Duration::from_millis(1), send(&tx, "short-2"));
        worker.schedule_after(Duration::ZERO, send(&tx, "zero"));
        worker.schedule(send(&tx, "now"));
        drop(release);
        let got: Vec<_> = rx.iter().take(5).collect();
        assert_eq!(got, ["zero", "now", "short-1", "short-2", "long"]);
    }

    #[test]
    fn a_delay_too_long_for_the_clock_waits_forever_instead_of_panicking() {
        let worker = SingleThreadScheduler::new().worker();
        let handle = worker.schedule_after(Duration::MAX, Box::new(|| unreachable!()));
        assert!(!handle.is_rejected());
        let (tx, rx) = mpsc::channel();
        worker.schedule(send(&tx, "the thread is fine"));
        rx.recv_timeout(PATIENCE).unwrap();
        handle.cancel();
        assert!(handle.is_cancelled());
    }

    #[test]
    fn after_a_panic_the_next_task_runs_and_the_handler_saw_it() {
        let errors = Arc::new(Mutex::new(Vec::new()));
        let e = errors.clone();
        let scheduler = SingleThreadScheduler::builder()
            .on_panic(move |err| e.lock().push((err, std::thread::current().id())))
            .build();
        let worker = scheduler.worker();
        let (tx, rx) = mpsc::channel();
        worker.schedule(Box::new(|| panic!("kaboom {}", 1)));
        let t = tx.clone();
        worker.schedule(Box::new(move || {
            t.send(std::thread::current().id()).unwrap()
        }));
        let thread = rx.recv_timeout(PATIENCE).unwrap();
        let errors = errors.lock();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0.kind(), ErrorKind::Panic);
        assert_eq!(errors[0].0.message(), "user code panicked: kaboom 1");
        assert_eq!(errors[0].1, thread, "the same thread survived the panic");
    }

    #[test]
    fn a_panicking_handler_does_not_kill_the_thread() {
        let scheduler = SingleThreadScheduler::builder()
            .on_panic(|_| panic!("handler fails too"))
            .build();
        let (tx, rx) = mpsc::channel();
        scheduler.schedule(Box::new(|| panic!("task fails")));
        scheduler.schedule(send(&tx, "alive"));
        assert_eq!(rx.recv_timeout(PATIENCE).unwrap(), "alive");
    }

    #[test]
    fn dispose_cancels_pending_and_delayed_tasks_and_rejects_later_ones() {
        let scheduler = SingleThreadScheduler::new();
        let worker = scheduler.worker();
        let release = block(&worker);
        let drops = Arc::new(AtomicUsize::new(0));
        let ran = Arc::new(AtomicUsize::new(0));
        let mut handles = Vec::new();
        for delay in [Duration::ZERO, Duration::from_secs(3600)] {
            let guard = DropCount(drops.clone());
            let r = ran.clone();
            handles.push(worker.schedule_after(
                delay,
                Box::new(move || {
                    let _g = &guard;
                    r.fetch_add(1, Ordering::SeqCst);
                }),
            ));
        }
        worker.dispose();
        assert_eq!(
            drops.load(Ordering::SeqCst),
            2,
            "closures dropped at dispose"
        );
        assert!(handles.iter().all(TaskHandle::is_cancelled));
        assert!(worker.is_disposed());
        let rejected = worker.schedule(Box::new(|| unreachable!()));
        assert!(rejected.is_rejected());
        assert!(
            worker
                .schedule_after(Duration::from_millis(1), Box::new(|| {}))
                .is_rejected()
        );
        drop(release);
        // The thread goes on serving other workers.
        let (tx, rx) = mpsc::channel();
        scheduler.schedule(send(&tx, ()));
        rx.recv_timeout(PATIENCE).unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn shutdown_cancels_pending_work_waits_for_the_thread_and_rejects_later_work() {
        let scheduler = SingleThreadScheduler::new();
        let worker = scheduler.worker();
        let release = block(&worker);
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = DropCount(drops.clone());
        let pending = worker.schedule(Box::new(move || drop(guard)));
        let guard = DropCount(drops.clone());
        let delayed =
            worker.schedule_after(Duration::from_secs(3600), Box::new(move || drop(guard)));
        let other = scheduler.worker();
        let s = scheduler.clone();
        let stopper = std::thread::spawn(move || s.shutdown());
        // shutdown waits for the running task.
        while !scheduler.is_shut_down() {
            std::thread::yield_now();
        }
        drop(release);
        stopper.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 2);
        assert!(pending.is_cancelled() && delayed.is_cancelled());
        assert!(worker.is_disposed() && other.is_disposed());
        assert!(other.schedule(Box::new(|| unreachable!())).is_rejected());
        assert!(
            scheduler
                .schedule(Box::new(|| unreachable!()))
                .is_rejected()
        );
        scheduler.shutdown(); // idempotent
    }

    #[test]
    fn shutdown_from_the_schedulers_own_thread_does_not_deadlock() {
        let scheduler = SingleThreadScheduler::new();
        let (tx, rx) = mpsc::channel();
        let s = scheduler.clone();
        scheduler.schedule(Box::new(move || {
            s.shutdown();
            tx.send(s.is_shut_down()).unwrap();
        }));
        assert!(rx.recv_timeout(PATIENCE).unwrap());
    }

    #[test]
    fn dropping_the_last_handle_stops_the_thread() {
        /// Sends when the thread that holds it exits (thread-local destructors run then).
        struct OnExit(mpsc::Sender<()>);
        impl Drop for OnExit {
            fn drop(&mut self) {
                let _ = self.0.send(());
            }
        }
        std::thread_local! {
            static ON_EXIT: std::cell::RefCell<Option<OnExit>> = const { std::cell::RefCell::new(None) };
        }

        let scheduler = SingleThreadScheduler::new();
        let worker = scheduler.worker();
        let (exit_tx, exited) = mpsc::channel();
        let (ran_tx, ran) = mpsc::channel();
        worker.schedule(Box::new(move || {
            ON_EXIT.with(|slot| *slot.borrow_mut() = Some(OnExit(exit_tx)));
            ran_tx.send(()).unwrap();
        }));
        ran.recv_timeout(PATIENCE).unwrap();
        drop(scheduler);
        // The worker still holds the thread.
        let (tx, rx) = mpsc::channel();
        worker.schedule(send(&tx, "worker keeps it alive"));
        rx.recv_timeout(PATIENCE).unwrap();
        assert!(exited.try_recv().is_err());
        drop(worker);
        exited
            .recv_timeout(PATIENCE)
            .expect("the thread did not exit after the last handle was dropped");
    }
}
