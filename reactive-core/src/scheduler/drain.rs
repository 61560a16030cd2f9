//! The drain loop run on a worker: the piece every asynchronous boundary is built on.

use std::fmt;
use std::sync::Arc;

use crossbeam_utils::CachePadded;

use super::Worker;
use super::serial::catch;
use super::task::rejection_error;
use crate::Error;
use crate::loom::UnsafeCell;
use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// What a pass of a [`ScheduledDrain`] asks for when it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// The pass did all it could: the drain runs another pass if signals arrived while this
    /// one ran, and otherwise goes idle until the next [`signal`](ScheduledDrain::signal).
    Wait,
    /// The pass stopped with work left (it used up a budget): the drain gives the worker back,
    /// so that the worker's other tasks get a turn, and runs another pass after them.
    Yield,
    /// The stream is over: the drain disposes itself (see
    /// [`dispose`](ScheduledDrain::dispose)), dropping the state and the closures.
    Stop,
}

/// The drain loop of [`WipCell`](crate::support::WipCell), with each pass run on a
/// [`Worker`] instead of on the thread that signalled.
///
/// Every path that changes something (an upstream item, a `request`, a `cancel`, a timer)
/// records its change in shared atomics or queues and calls [`signal`](Self::signal). The
/// signal that finds the drain idle (its counter goes from 0 to 1) schedules one pass on the
/// worker; every other signal only bumps the counter and returns at once. The pass runs with
/// exclusive access to the state, and when it returns [`Pass::Wait`] the drain runs it again
/// if signals arrived meanwhile (all of them in one more pass: signals batch), then goes idle.
/// So:
///
/// * passes never overlap, and at most one pass is scheduled per idle-to-busy edge;
/// * no wake-up is lost: a signal made while a pass runs is seen by a later pass;
/// * a signal made from inside the pass (a `request` from `on_next`) only bumps the counter,
///   so a pass never recurses (rule 3.3);
/// * the worker's ordering keeps the passes in one place: on a pool, one thread.
///
/// No lock is held while a pass runs, so it may call user code and other stages.
///
/// # Disposal
///
/// [`dispose`](Self::dispose) stops future passes and drops the state and both closures
/// exactly once: at once if no pass is scheduled or running, otherwise on the worker when the
/// running pass returns (a pass is never interrupted). Later signals are ignored. Rule 3.13
/// needs this: the subscriber kept in the state is dropped when the stream ends. A pass can
/// end the drain itself by returning [`Pass::Stop`]. Dropping a handle does not dispose; the
/// state lives until disposal or until the last handle and pending pass are gone. The worker
/// is not disposed: it may be shared.
///
/// # Errors
///
/// `on_error` is called at most once, with exclusive access to the state, when the drain can
/// go no further, and the drain is disposed after it returns:
///
/// * a pass panicked: an [`ErrorKind::Panic`](crate::ErrorKind::Panic) error made by
///   [`Error::panic`], on the worker (the worker's own panic handler does not see it);
/// * the worker refused the pass or dropped it without running it (it was disposed, or its
///   scheduler shut down): an [`ErrorKind::Rejected`](crate::ErrorKind::Rejected) error, on
///   the thread that signalled or that disposed the worker.
///
/// An asynchronous boundary turns that into `on_error` downstream and `cancel` upstream. If
/// `on_error` itself panics, the drain is still disposed; on the worker, the panic goes on to
/// the scheduler, which reports it like any task panic.
///
/// # Examples
///
/// ```
/// use std::sync::{mpsc, Arc, Mutex};
/// use reactive_core::{Error, ErrorKind};
/// use reactive_core::scheduler::{Pass, PoolScheduler, Scheduler, ScheduledDrain};
///
/// let pool = PoolScheduler::new(2);
/// let inbox = Arc::new(Mutex::new(Vec::new())); // filled from any thread
/// let (out, got) = mpsc::channel::<Result<u32, Error>>();
///
/// let source = inbox.clone();
/// let drain = ScheduledDrain::new(
///     pool.worker(),
///     out, // the state: only passes touch it, one at a time, on the worker
///     move |out| {
///         for item in source.lock().unwrap().drain(..) {
///             assert!(item != 0, "zero is not allowed");
///             out.send(Ok(item)).unwrap();
///         }
///         Pass::Wait
///     },
///     |out, error| out.send(Err(error)).unwrap(),
/// );
///
/// for item in 1..=3 {
///     inbox.lock().unwrap().push(item);
///     drain.signal();
/// }
/// let items: Vec<u32> = got.iter().take(3).map(Result::unwrap).collect();
/// assert_eq!(items, [1, 2, 3]);
///
/// // A panicking pass reaches the owner as an error, and the drain is over.
/// inbox.lock().unwrap().push(0);
/// drain.signal();
/// let error = got.recv().unwrap().unwrap_err();
/// assert_eq!(error.kind(), ErrorKind::Panic);
/// assert!(error.message().contains("zero is not allowed"));
/// assert!(drain.is_disposed());
/// ```
pub struct ScheduledDrain<T> {
    inner: Arc<Inner<T>>,
}

struct Inner<T> {
    /// Signals not yet accounted for by a pass. Non-zero exactly while some party holds the
    /// claim: a scheduled or running pass, or (for good) whoever disposed the drain.
    wip: AtomicUsize,
    disposed: AtomicBool,
    worker: Arc<dyn Worker>,
    /// `None` once disposed. Touched only by the holder of the claim. On cache lines of its
    /// own: a pass writes its state on every item while other threads `signal` (a
    /// read-modify-write of `wip`) just as often; sharing a line made every item of a hot
    /// `publish_on` move that line between the two cores.
    body: CachePadded<UnsafeCell<Option<Body<T>>>>,
}

struct Body<T> {
    state: T,
    pass: Box<dyn FnMut(&mut T) -> Pass + Send>,
    on_error: Option<OnError<T>>,
}

type OnError<T> = Box<dyn FnOnce(&mut T, Error) + Send>;

// SAFETY: the body is only reached by the holder of the claim (whoever moved `wip` from 0, or
// the pass it handed the claim to, until `wip` is brought back to 0), and the AcqRel operations
// on `wip` order one holder's accesses before the next holder's. The state and closures move
// between threads this way, which needs them `Send` (the closures are boxed as `Send`).
unsafe impl<T: Send> Sync for Inner<T> {}
// SAFETY: owning the drain is owning its state and closures, all `Send`.
unsafe impl<T: Send> Send for Inner<T> {}

impl<T: Send + 'static> ScheduledDrain<T> {
    /// A drain whose passes run `pass` on `worker` with exclusive access to `state`; `on_error`
    /// hears of a panicking pass or a refused one (see [Errors](Self#errors)). Nothing runs
    /// before the first [`signal`](Self::signal).
    pub fn new<P, E>(worker: Arc<dyn Worker>, state: T, pass: P, on_error: E) -> Self
    where
        P: FnMut(&mut T) -> Pass + Send + 'static,
        E: FnOnce(&mut T, Error) + Send + 'static,
    {
        ScheduledDrain {
            inner: Arc::new(Inner {
                wip: AtomicUsize::new(0),
                disposed: AtomicBool::new(false),
                worker,
                body: CachePadded::new(UnsafeCell::new(Some(Body {
                    state,
                    pass: Box::new(pass),
                    on_error: Some(Box::new(on_error)),
                }))),
            }),
        }
    }

    /// Records that there is work: schedules a pass on the worker if the drain is idle, and
    /// otherwise makes the scheduled or running pass run once more. Never blocks and never
    /// runs the pass on this thread (unless the worker itself runs tasks in place, as the
    /// [`ImmediateScheduler`](super::ImmediateScheduler)'s does). Ignored after disposal.
    pub fn signal(&self) {
        if self.inner.disposed.load(Ordering::Acquire) {
            return;
        }
        if self.inner.wip.fetch_add(1, Ordering::AcqRel) == 0 {
            self.inner.schedule(1);
        }
    }

    /// Stops future passes and drops the state and closures: now, on this thread, if no pass
    /// is scheduled or running; otherwise when that pass returns, on the worker. Idempotent,
    /// from any thread, also from inside the pass.
    pub fn dispose(&self) {
        if self.inner.disposed.swap(true, Ordering::AcqRel) {
            return;
        }
        if self.inner.wip.fetch_add(1, Ordering::AcqRel) == 0 {
            // SAFETY: this call moved `wip` from 0, so it holds the claim, and keeps it for
            // good: `wip` is never decremented again, so no pass can start.
            drop(unsafe { self.inner.take_body() });
        }
    }

    /// Whether the drain was disposed: by [`dispose`](Self::dispose), by a pass that returned
    /// [`Pass::Stop`], or after `on_error`.
    pub fn is_disposed(&self) -> bool {
        self.inner.disposed.load(Ordering::Acquire)
    }
}

impl<T: Send + 'static> Inner<T> {
    /// Hands the claim to a pass on the worker; `missed` is how many signals the claim has
    /// counted so far. If the worker refuses the task or drops it unrun, the task's `Drop`
    /// reports it.
    fn schedule(self: &Arc<Self>, missed: usize) {
        let task = PassTask {
            inner: Some(self.clone()),
            missed,
            started: false,
        };
        self.worker.schedule(Box::new(move || task.run()));
    }

    /// Takes the body out; the caller drops it (outside any `with_mut`).
    ///
    /// # Safety
    ///
    /// The caller holds the claim.
    unsafe fn take_body(&self) -> Option<Body<T>> {
        self.body.with_mut(|body| {
            // SAFETY: the caller holds the claim, so nobody else touches the body.
            unsafe { (*body).take() }
        })
    }
}

/// One scheduled pass, holding the claim while it exists.
struct PassTask<T: Send + 'static> {
    /// `Some` while this task holds the claim.
    inner: Option<Arc<Inner<T>>>,
    missed: usize,
    /// Whether the worker ran the task (a `Drop` before that means it was refused).
    started: bool,
}

/// What one pass asked for, acted on outside the body's cell.
enum Outcome {
    Pass(Pass),
    Failed,
}

impl<T: Send + 'static> PassTask<T> {
    fn run(mut self) {
        self.started = true;
        let Some(inner) = self.inner.clone() else {
            return;
        };
        loop {
            if inner.disposed.load(Ordering::Acquire) {
                self.finish(&inner);
                return;
            }
            let outcome = inner.body.with_mut(|body| {
                // SAFETY: this task holds the claim (see `Inner`'s `Sync` argument).
                let Some(body) = (unsafe { &mut *body }) else {
                    return Outcome::Pass(Pass::Stop);
                };
                match catch(|| (body.pass)(&mut body.state)) {
                    Ok(pass) => Outcome::Pass(pass),
                    Err(error) => {
                        // Disposed before `on_error` runs, so that whoever sees its effects
                        // also sees the drain disposed.
                        inner.disposed.store(true, Ordering::Release);
                        if let Some(on_error) = body.on_error.take() {
                            on_error(&mut body.state, error);
                        }
                        Outcome::Failed
                    }
                }
            });
            match outcome {
                Outcome::Pass(Pass::Wait) => {}
                Outcome::Pass(Pass::Yield) => {
                    self.inner = None;
                    inner.schedule(self.missed);
                    return;
                }
                Outcome::Pass(Pass::Stop) | Outcome::Failed => {
                    inner.disposed.store(true, Ordering::Release);
                    self.finish(&inner);
                    return;
                }
            }
            let before = inner.wip.fetch_sub(self.missed, Ordering::AcqRel);
            self.missed = before - self.missed;
            if self.missed == 0 {
                self.inner = None; // the claim is given back
                return;
            }
        }
    }

    /// The drain is disposed and this task holds the claim: drop the body, keep the claim.
    fn finish(&mut self, inner: &Inner<T>) {
        self.inner = None;
        // SAFETY: this task holds the claim; it is never given back, so no pass starts again.
        drop(unsafe { inner.take_body() });
    }
}

impl<T: Send + 'static> Drop for PassTask<T> {
    /// Still holding the claim: the worker refused or dropped the task before it ran, or
    /// `on_error` panicked during the pass. Either way no pass can follow: dispose.
    fn drop(&mut self) {
        let Some(inner) = self.inner.clone() else {
            return;
        };
        let refused = !self.started && !inner.disposed.swap(true, Ordering::AcqRel);
        if refused {
            inner.body.with_mut(|body| {
                // SAFETY: this task holds the claim (it was never run, so nobody else has it).
                let Some(body) = (unsafe { &mut *body }) else {
                    return;
                };
                if let Some(on_error) = body.on_error.take() {
                    // Not on a worker: nobody else would catch it, and this may run inside a
                    // scheduler's dispose, which must get to its other tasks.
                    if let Err(error) = catch(|| on_error(&mut body.state, rejection_error())) {
                        tracing::error!(%error, "a scheduled drain's on_error panicked");
                    }
                }
            });
        }
        inner.disposed.store(true, Ordering::Release);
        self.finish(&inner);
    }
}

impl<T> Clone for ScheduledDrain<T> {
    fn clone(&self) -> Self {
        ScheduledDrain {
            inner: self.inner.clone(),
        }
    }
}

impl<T> fmt::Debug for ScheduledDrain<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScheduledDrain")
            .field("wip", &self.inner.wip.load(Ordering::Relaxed))
            .field("disposed", &self.inner.disposed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::loom::sync::Mutex;
    use crate::scheduler::testing::{DropCount, PATIENCE, block};
    use crate::scheduler::{
        ImmediateScheduler, PoolScheduler, Scheduler, SingleThreadScheduler, Task,
    };
    use std::sync::mpsc;

    fn no_error<T>() -> impl FnOnce(&mut T, Error) + Send + 'static {
        |_, error| panic!("unexpected on_error: {error}")
    }

    /// Signals made while the worker is busy batch into one pass, run on the worker's thread.
    #[test]
    fn signals_batch_into_one_pass_on_the_worker() {
        let scheduler = SingleThreadScheduler::builder().name("drain-test").build();
        let worker = scheduler.worker();
        let (tx, rx) = mpsc::channel();
        let drain = ScheduledDrain::new(
            worker.clone(),
            0u32,
            move |passes| {
                *passes += 1;
                let thread = std::thread::current().name().map(str::to_owned);
                tx.send((*passes, thread)).unwrap();
                Pass::Wait
            },
            no_error(),
        );
        let release = block(&worker);
        for _ in 0..3 {
            drain.signal();
        }
        drop(release);
        assert_eq!(
            rx.recv_timeout(PATIENCE).unwrap(),
            (1, Some("drain-test".to_owned()))
        );
        // The three signals were one pass: the next signal makes the second.
        drain.signal();
        assert_eq!(rx.recv_timeout(PATIENCE).unwrap().0, 2);
        assert!(rx.try_recv().is_err());
    }

    /// Two threads signal while passes run on a pool: passes never overlap and the last pass
    /// sees every signal.
    #[test]
    fn concurrent_signals_are_all_seen_and_passes_never_overlap() {
        let pool = PoolScheduler::new(2);
        let signals = Arc::new(AtomicUsize::new(0));
        let active = Arc::new(AtomicUsize::new(0));
        let overlaps = Arc::new(AtomicUsize::new(0));
        let (seen_tx, seen) = mpsc::channel();
        let (s, a, o) = (signals.clone(), active.clone(), overlaps.clone());
        let drain = ScheduledDrain::new(
            pool.worker(),
            (),
            move |()| {
                if a.fetch_add(1, Ordering::SeqCst) != 0 {
                    o.fetch_add(1, Ordering::SeqCst);
                }
                seen_tx.send(s.load(Ordering::SeqCst)).unwrap();
                a.fetch_sub(1, Ordering::SeqCst);
                Pass::Wait
            },
            no_error(),
        );
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (drain, signals) = (drain.clone(), signals.clone());
                std::thread::spawn(move || {
                    for _ in 0..5_000 {
                        signals.fetch_add(1, Ordering::SeqCst);
                        drain.signal();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        while seen.recv_timeout(PATIENCE).unwrap() != 10_000 {}
        assert_eq!(overlaps.load(Ordering::SeqCst), 0);
    }

    /// A signal from inside the pass (a `request` from `on_next`) does not recurse: it makes
    /// the drain run one more pass after this one.
    #[test]
    fn a_signal_from_inside_the_pass_runs_another_pass_not_a_nested_one() {
        let (tx, rx) = mpsc::channel();
        let me: Arc<Mutex<Option<ScheduledDrain<u32>>>> = Arc::new(Mutex::new(None));
        let m = me.clone();
        let depth = Arc::new(AtomicUsize::new(0));
        let drain = ScheduledDrain::new(
            ImmediateScheduler::new().worker(),
            0u32,
            move |passes| {
                let d = depth.fetch_add(1, Ordering::SeqCst) + 1;
                *passes += 1;
                tx.send((*passes, d)).unwrap();
                if *passes < 3 {
                    let handle = m.lock().clone().unwrap();
                    handle.signal();
                }
                depth.fetch_sub(1, Ordering::SeqCst);
                Pass::Wait
            },
            no_error(),
        );
        *me.lock() = Some(drain.clone());
        drain.signal();
        let got: Vec<_> = rx.try_iter().collect();
        assert_eq!(got, [(1, 1), (2, 1), (3, 1)]);
        drain.dispose(); // breaks the cycle through `me`
    }

    /// `Pass::Yield` lets the worker's other tasks run before the next pass.
    #[test]
    fn yield_gives_the_worker_to_its_other_tasks_first() {
        let scheduler = SingleThreadScheduler::new();
        let worker = scheduler.worker();
        let (tx, rx) = mpsc::channel();
        let t = tx.clone();
        let drain = ScheduledDrain::new(
            worker.clone(),
            0u32,
            move |done| {
                *done += 1;
                t.send(format!("pass {done}")).unwrap();
                if *done < 3 { Pass::Yield } else { Pass::Wait }
            },
            no_error(),
        );
        let release = block(&worker);
        drain.signal();
        let other: Task = Box::new(move || tx.send("other".to_owned()).unwrap());
        worker.schedule(other);
        drop(release);
        let got: Vec<_> = rx.iter().take(4).collect();
        assert_eq!(got, ["pass 1", "other", "pass 2", "pass 3"]);
    }

    /// `Pass::Stop` drops the state and closures at once; later signals run nothing.
    #[test]
    fn stop_disposes_and_drops_the_state() {
        let drops = Arc::new(AtomicUsize::new(0));
        let passes = Arc::new(AtomicUsize::new(0));
        let p = passes.clone();
        let drain = ScheduledDrain::new(
            ImmediateScheduler::new().worker(),
            DropCount(drops.clone()),
            move |_| {
                p.fetch_add(1, Ordering::SeqCst);
                Pass::Stop
            },
            no_error(),
        );
        drain.signal();
        assert!(drain.is_disposed());
        assert_eq!(drops.load(Ordering::SeqCst), 1, "state dropped (rule 3.13)");
        assert_eq!(
            Arc::strong_count(&passes),
            1,
            "the pass closure was dropped too"
        );
        drain.signal();
        assert_eq!(passes.load(Ordering::SeqCst), 1);
    }

    /// Disposing an idle drain drops the state on the spot; disposing during a pass drops it
    /// when that pass returns, and no pass runs afterwards.
    #[test]
    fn dispose_drops_the_state_once_now_or_after_the_running_pass() {
        let drops = Arc::new(AtomicUsize::new(0));
        let idle = ScheduledDrain::new(
            SingleThreadScheduler::new().worker(),
            DropCount(drops.clone()),
            |_| Pass::Wait,
            no_error(),
        );
        idle.dispose();
        idle.dispose();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        idle.signal();

        let drops = Arc::new(AtomicUsize::new(0));
        let (entered_tx, entered) = mpsc::channel();
        let (leave_tx, leave) = mpsc::channel::<()>();
        let leave = Mutex::new(leave);
        let passes = Arc::new(AtomicUsize::new(0));
        let p = passes.clone();
        let scheduler = SingleThreadScheduler::new();
        let busy = ScheduledDrain::new(
            scheduler.worker(),
            DropCount(drops.clone()),
            move |_| {
                p.fetch_add(1, Ordering::SeqCst);
                entered_tx.send(()).unwrap();
                let _ = leave.lock().recv();
                Pass::Wait
            },
            no_error(),
        );
        busy.signal();
        entered.recv_timeout(PATIENCE).unwrap();
        busy.dispose();
        busy.signal();
        assert_eq!(drops.load(Ordering::SeqCst), 0, "not while the pass runs");
        drop(leave_tx);
        // A task behind the pass on the same thread: when it runs, the pass has finished.
        let (done_tx, done) = mpsc::channel();
        scheduler.schedule(Box::new(move || done_tx.send(()).unwrap()));
        done.recv_timeout(PATIENCE).unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert_eq!(passes.load(Ordering::SeqCst), 1, "no pass after dispose");
    }

    /// A panicking pass reaches `on_error` (not the scheduler's handler), the drain is
    /// disposed, and the worker goes on.
    #[test]
    fn a_panicking_pass_is_reported_to_the_owner_and_ends_the_drain() {
        let (handler_tx, handler) = mpsc::channel();
        let scheduler = SingleThreadScheduler::builder()
            .on_panic(move |e| handler_tx.send(e).unwrap())
            .build();
        let worker = scheduler.worker();
        let drops = Arc::new(AtomicUsize::new(0));
        let (errors_tx, errors) = mpsc::channel();
        let drain = ScheduledDrain::new(
            worker.clone(),
            DropCount(drops.clone()),
            |_| panic!("pass {} failed", 1),
            move |_, error| errors_tx.send(error).unwrap(),
        );
        drain.signal();
        let error = errors.recv_timeout(PATIENCE).unwrap();
        assert_eq!(error.kind(), ErrorKind::Panic);
        assert_eq!(error.message(), "user code panicked: pass 1 failed");
        assert!(drain.is_disposed());
        let (tx, rx) = mpsc::channel();
        worker.schedule(Box::new(move || tx.send("worker alive").unwrap()));
        assert_eq!(rx.recv_timeout(PATIENCE).unwrap(), "worker alive");
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert!(handler.try_recv().is_err(), "the drain caught it");
    }

    /// A panicking `on_error` still disposes the drain, and the scheduler reports the panic.
    #[test]
    fn a_panicking_on_error_goes_to_the_scheduler_and_still_disposes() {
        let (handler_tx, handler) = mpsc::channel();
        let scheduler = SingleThreadScheduler::builder()
            .on_panic(move |e| handler_tx.send(e).unwrap())
            .build();
        let drops = Arc::new(AtomicUsize::new(0));
        let drain = ScheduledDrain::new(
            scheduler.worker(),
            DropCount(drops.clone()),
            |_| panic!("first"),
            |_, _| panic!("second"),
        );
        drain.signal();
        let error = handler.recv_timeout(PATIENCE).unwrap();
        assert_eq!(error.message(), "user code panicked: second");
        assert!(drain.is_disposed());
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }

    /// A worker that refuses the pass (disposed) makes `on_error` run on the signalling thread
    /// with a rejection; so does a worker disposed while the pass waits in its line.
    #[test]
    fn a_refused_or_dropped_pass_is_reported_as_rejected() {
        let worker = ImmediateScheduler::new().worker();
        worker.dispose();
        let drops = Arc::new(AtomicUsize::new(0));
        let (errors_tx, errors) = mpsc::channel();
        let e = errors_tx.clone();
        let drain = ScheduledDrain::new(
            worker,
            DropCount(drops.clone()),
            |_| unreachable!("the worker runs nothing"),
            move |_, error| e.send((error, std::thread::current().id())).unwrap(),
        );
        drain.signal();
        let (error, thread) = errors.try_recv().unwrap();
        assert_eq!(error.kind(), ErrorKind::Rejected);
        assert_eq!(thread, std::thread::current().id());
        assert!(drain.is_disposed());
        assert_eq!(drops.load(Ordering::SeqCst), 1);

        let scheduler = SingleThreadScheduler::new();
        let worker = scheduler.worker();
        let release = block(&worker);
        let drops = Arc::new(AtomicUsize::new(0));
        let drain = ScheduledDrain::new(
            worker.clone(),
            DropCount(drops.clone()),
            |_| unreachable!("disposed before its turn"),
            move |_, error| {
                errors_tx
                    .send((error, std::thread::current().id()))
                    .unwrap()
            },
        );
        drain.signal();
        worker.dispose();
        let (error, _) = errors.try_recv().unwrap();
        assert_eq!(error.kind(), ErrorKind::Rejected);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        drop(release);
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::collections::VecDeque;

    use super::*;
    use crate::loom::sync::Mutex;
    use crate::loom::thread;
    use crate::scheduler::task::{TaskCell, TaskHandle};
    use crate::scheduler::{Task, Worker};
    use std::time::Duration;

    /// A worker whose tasks any thread may run (`run_pending`), so that nothing but the
    /// drain's own claim keeps two passes apart. It counts a task scheduled while another one
    /// still waits unstarted in its line: a second pass scheduled without a second edge.
    struct TestWorker {
        line: Mutex<VecDeque<Arc<TaskCell>>>,
        doubled: AtomicUsize,
    }

    impl TestWorker {
        fn new() -> Arc<Self> {
            Arc::new(TestWorker {
                line: Mutex::new(VecDeque::new()),
                doubled: AtomicUsize::new(0),
            })
        }

        /// Runs tasks until the line is empty. A task's panic (an assertion, or loom's report
        /// of a data race) fails the model instead of being swallowed.
        fn run_pending(&self) {
            loop {
                let next = self.line.lock().pop_front();
                let Some(cell) = next else { return };
                if let Err(error) = cell.run() {
                    panic!("{error}");
                }
            }
        }

        fn pending(&self) -> usize {
            self.line.lock().len()
        }
    }

    impl Worker for TestWorker {
        fn schedule(&self, task: Task) -> TaskHandle {
            let cell = TaskCell::new(task);
            let mut line = self.line.lock();
            if !line.is_empty() {
                self.doubled.fetch_add(1, Ordering::AcqRel);
            }
            line.push_back(cell.clone());
            TaskHandle::new(cell)
        }

        fn schedule_after(&self, _delay: Duration, task: Task) -> TaskHandle {
            self.schedule(task)
        }

        fn dispose(&self) {}

        fn is_disposed(&self) -> bool {
            false
        }
    }

    /// A signal races the pass it would otherwise have to schedule: the signal is never lost
    /// (the last pass sees both), passes never overlap (loom tracks the state's cell, and the
    /// test worker lets both threads run passes), and no second pass is scheduled while the
    /// first still holds the claim; the drain ends idle.
    #[test]
    fn signal_races_worker_pass() {
        loom::model(|| {
            let worker = TestWorker::new();
            let signals = Arc::new(AtomicUsize::new(0));
            let seen = Arc::new(AtomicUsize::new(0));
            let (s, v) = (signals.clone(), seen.clone());
            let drain = ScheduledDrain::new(
                worker.clone(),
                0usize,
                move |passes| {
                    *passes += 1;
                    v.store(s.load(Ordering::Acquire), Ordering::Release);
                    Pass::Wait
                },
                |_, error| panic!("unexpected on_error: {error}"),
            );
            signals.fetch_add(1, Ordering::Release);
            drain.signal();

            let other = {
                let (drain, signals, worker) = (drain.clone(), signals.clone(), worker.clone());
                thread::spawn(move || {
                    signals.fetch_add(1, Ordering::Release);
                    drain.signal();
                    worker.run_pending();
                })
            };
            worker.run_pending();
            other.join().unwrap();
            worker.run_pending();

            assert_eq!(
                seen.load(Ordering::Acquire),
                2,
                "a signal was recorded but never drained"
            );
            assert_eq!(
                worker.doubled.load(Ordering::Acquire),
                0,
                "a second pass was scheduled while the first held the claim"
            );
            drain.signal();
            assert_eq!(worker.pending(), 1, "the drain was left claimed");
        });
    }

    /// `dispose` races a signal and the pass: the state is dropped exactly once (checked while
    /// a handle is still held), never while a pass touches it (loom's cell tracking), and once
    /// `dispose` has returned no pass runs again.
    #[test]
    fn dispose_races_signal() {
        struct DropCount(Arc<AtomicUsize>);
        impl Drop for DropCount {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::AcqRel);
            }
        }

        loom::model(|| {
            let worker = TestWorker::new();
            let drops = Arc::new(AtomicUsize::new(0));
            let after_dispose = Arc::new(AtomicBool::new(false));
            let late = Arc::new(AtomicUsize::new(0));
            let (flag, l) = (after_dispose.clone(), late.clone());
            let drain = ScheduledDrain::new(
                worker.clone(),
                DropCount(drops.clone()),
                move |_| {
                    if flag.load(Ordering::Acquire) {
                        l.fetch_add(1, Ordering::AcqRel);
                    }
                    Pass::Wait
                },
                |_, error| panic!("unexpected on_error: {error}"),
            );
            drain.signal();

            let disposer = {
                let drain = drain.clone();
                thread::spawn(move || drain.dispose())
            };
            worker.run_pending();
            drain.signal();
            worker.run_pending();
            disposer.join().unwrap();

            // From here on `dispose` has returned (the join orders it before this thread).
            after_dispose.store(true, Ordering::Release);
            drain.signal();
            worker.run_pending();

            assert_eq!(late.load(Ordering::Acquire), 0, "a pass ran after dispose");
            assert_eq!(
                drops.load(Ordering::Acquire),
                1,
                "the state must be dropped exactly once, while handles remain"
            );
            assert!(drain.is_disposed());
        });
    }
}
