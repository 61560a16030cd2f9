//! A scheduler with a fixed pool of threads.

use std::fmt;
use std::sync::Arc;

use super::event_loop::ThreadGroup;
use super::{Scheduler, SchedulerBuilder, Worker, available_parallelism, sealed};

/// Runs tasks on a fixed set of `n` dedicated threads (`reactive-pool-0`, `reactive-pool-1`,
/// ... unless [renamed](SchedulerBuilder::name)).
///
/// [`worker`](Scheduler::worker) picks a thread round-robin, and the worker stays on that
/// thread for its whole life: its tasks run in order on one thread, while different workers
/// run in parallel on different threads. Workers that share a thread take turns of at most
/// 64 tasks. Each thread keeps its own timer heap for delayed tasks. This is the shape of
/// Reactor's `parallel()` and RxJava's `computation()` schedulers: meant for work that does
/// not block (a blocked task holds up the other workers on its thread).
///
/// Handles are cheap to clone. The threads stop after the task they are running when
/// [`shutdown`](Scheduler::shutdown) is called or when the last scheduler handle and the last
/// worker from it are dropped; pending tasks are then cancelled.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use reactive_core::scheduler::{PoolScheduler, Scheduler};
///
/// let pool = PoolScheduler::new(2);
/// let (tx, rx) = mpsc::channel();
/// let workers: Vec<_> = (0..2).map(|_| pool.worker()).collect();
/// for (w, worker) in workers.iter().enumerate() {
///     for i in 0..3 {
///         let tx = tx.clone();
///         worker.schedule(Box::new(move || tx.send((w, i)).unwrap()));
///     }
/// }
/// drop(tx);
/// let got: Vec<_> = rx.iter().collect();
/// // Each worker's tasks in order; the two workers ran in parallel.
/// for w in 0..2 {
///     let mine: Vec<_> = got.iter().filter(|(x, _)| *x == w).map(|(_, i)| *i).collect();
///     assert_eq!(mine, [0, 1, 2]);
/// }
/// ```
#[derive(Clone)]
pub struct PoolScheduler {
    group: Arc<ThreadGroup>,
}

impl PoolScheduler {
    /// Starts `threads` threads.
    ///
    /// # Panics
    ///
    /// If `threads` is 0, or the operating system cannot start a thread.
    pub fn new(threads: usize) -> Self {
        PoolScheduler::builder().threads(threads).build()
    }

    /// A builder, to set the number of threads (default: the available parallelism), their
    /// name or a panic handler; see [`SchedulerBuilder`] for an example.
    pub fn builder() -> SchedulerBuilder<PoolScheduler> {
        SchedulerBuilder::new("reactive-pool", available_parallelism())
    }

    /// How many threads the pool has.
    pub fn threads(&self) -> usize {
        self.group.threads()
    }

    /// Starts `threads` threads named `<name>-<i>` if `numbered`, else `<name>`.
    pub(crate) fn start(threads: usize, numbered: bool, settings: sealed::Settings) -> Self {
        assert!(threads > 0, "PoolScheduler needs at least one thread");
        let name = settings.name.clone();
        let group = ThreadGroup::start(threads, numbered, settings)
            .unwrap_or_else(|err| panic!("cannot start scheduler threads {name}: {err}"));
        PoolScheduler { group }
    }

    pub(crate) fn name(&self) -> &str {
        self.group.name()
    }
}

impl sealed::Build for PoolScheduler {
    type Config = usize;

    fn build(settings: sealed::Settings, threads: usize) -> Self {
        PoolScheduler::start(threads, true, settings)
    }
}

impl Scheduler for PoolScheduler {
    fn worker(&self) -> Arc<dyn Worker> {
        self.group.worker()
    }

    fn shutdown(&self) {
        self.group.shutdown();
    }

    fn is_shut_down(&self) -> bool {
        self.group.is_shut_down()
    }
}

impl fmt::Debug for PoolScheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolScheduler")
            .field("name", &self.name())
            .field("threads", &self.threads())
            .field("shut_down", &self.is_shut_down())
            .finish()
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::loom::sync::Mutex;
    use crate::scheduler::testing::{self, PATIENCE};
    use std::collections::HashSet;
    use std::sync::mpsc;
    use std::time::Duration;

    fn thread_name() -> String {
        std::thread::current().name().unwrap_or("?").to_owned()
    }

    #[test]
    fn workers_are_spread_round_robin_and_stay_on_their_thread() {
        let pool = PoolScheduler::new(3);
        let (tx, rx) = mpsc::channel();
        let workers: Vec<_> = (0..6).map(|_| pool.worker()).collect();
        for round in 0..20 {
            for (w, worker) in workers.iter().enumerate() {
                let tx = tx.clone();
                worker.schedule(Box::new(move || {
                    tx.send((w, round, thread_name())).unwrap()
                }));
            }
        }
        drop(tx);
        let got: Vec<_> = rx.iter().collect();
        assert_eq!(got.len(), 120);
        let thread_of: Vec<HashSet<String>> = (0..6)
            .map(|w| {
                let mine: Vec<_> = got.iter().filter(|g| g.0 == w).collect();
                assert!(
                    mine.iter().map(|g| g.1).eq(0..20),
                    "worker {w} out of order"
                );
                let threads: HashSet<_> = mine.iter().map(|g| g.2.clone()).collect();
                assert_eq!(threads.len(), 1, "worker {w} moved between threads");
                threads
            })
            .collect();
        let name = |w: usize| thread_of[w].iter().next().unwrap().clone();
        let distinct: HashSet<_> = (0..3).map(name).collect();
        assert_eq!(distinct.len(), 3, "the first three workers share a thread");
        for w in 0..3 {
            assert_eq!(name(w), name(w + 3), "round-robin wraps around");
            assert!(name(w).starts_with("reactive-pool-"));
        }
    }

    #[test]
    fn different_workers_run_in_parallel() {
        let pool = PoolScheduler::new(2);
        let (a, b) = (pool.worker(), pool.worker());
        // Each task waits for the other: only possible if both run at once.
        let (to_b, from_a) = mpsc::channel();
        let (to_a, from_b) = mpsc::channel();
        let (done_tx, done) = mpsc::channel();
        let d = done_tx.clone();
        a.schedule(Box::new(move || {
            to_b.send(()).unwrap();
            d.send(from_b.recv_timeout(PATIENCE).is_ok()).unwrap();
        }));
        b.schedule(Box::new(move || {
            to_a.send(()).unwrap();
            done_tx.send(from_a.recv_timeout(PATIENCE).is_ok()).unwrap();
        }));
        assert!(done.recv().unwrap() && done.recv().unwrap());
    }

    #[test]
    fn a_panicking_task_does_not_kill_its_thread() {
        let errors = Arc::new(Mutex::new(Vec::new()));
        let e = errors.clone();
        let pool = PoolScheduler::builder()
            .threads(2)
            .name("panicky")
            .on_panic(move |err| e.lock().push((err, thread_name())))
            .build();
        let worker = pool.worker();
        let (tx, rx) = mpsc::channel();
        let t = tx.clone();
        worker.schedule(Box::new(move || {
            t.send(thread_name()).unwrap();
            panic!("task {} exploded", 3);
        }));
        worker.schedule(Box::new(move || tx.send(thread_name()).unwrap()));
        let before = rx.recv_timeout(PATIENCE).unwrap();
        let after = rx.recv_timeout(PATIENCE).unwrap();
        assert_eq!(before, after, "the worker's thread survived");
        let errors = errors.lock();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0.kind(), ErrorKind::Panic);
        assert_eq!(errors[0].0.message(), "user code panicked: task 3 exploded");
        assert_eq!(errors[0].1, before, "the handler runs on the pool thread");
    }

    #[test]
    fn tasks_scheduled_from_many_threads_never_overlap_on_one_worker() {
        testing::two_threads_share_a_worker_serially_and_in_order(PoolScheduler::new(2).worker());
    }

    #[test]
    fn delayed_tasks_of_one_worker_run_by_deadline_on_its_thread() {
        let pool = PoolScheduler::new(2);
        let worker = pool.worker();
        let (tx, rx) = mpsc::channel();
        // "c" is given first but due last (unless giving "a" took half a second).
        for (delay, label) in [(500, "c"), (1, "a"), (1, "b")] {
            let tx = tx.clone();
            worker.schedule_after(
                Duration::from_millis(delay),
                Box::new(move || tx.send((label, thread_name())).unwrap()),
            );
        }
        let got: Vec<_> = rx.iter().take(3).collect();
        assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert!(got.iter().all(|g| g.1 == got[0].1));
    }

    #[test]
    fn shutdown_from_a_task_on_another_pool_thread_returns() {
        let pool = PoolScheduler::new(2);
        let (tx, rx) = mpsc::channel();
        let p = pool.clone();
        let _first = pool.worker();
        pool.worker().schedule(Box::new(move || {
            p.shutdown();
            tx.send(()).unwrap();
        }));
        rx.recv_timeout(PATIENCE).unwrap();
        assert!(pool.is_shut_down());
        assert!(pool.schedule(Box::new(|| unreachable!())).is_rejected());
        pool.shutdown();
    }

    #[test]
    #[should_panic(expected = "at least one thread")]
    fn zero_threads_is_refused() {
        let _ = PoolScheduler::new(0);
    }
}
