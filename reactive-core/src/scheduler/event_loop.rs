//! Dedicated threads, each running an event loop with a timer heap: the driver behind
//! [`PoolScheduler`](super::PoolScheduler) (and so behind
//! [`SingleThreadScheduler`](super::SingleThreadScheduler), a pool of one).
//!
//! Each thread owns an [`EventLoop`]: a line of workers whose [`SerialQueue`] needs a drain,
//! and a heap of deadlines. The thread takes one worker at a time and gives it a turn of at
//! most [`BUDGET`] tasks (so one busy worker cannot starve the others on the same thread),
//! moves due timers into their workers' lines, and otherwise sleeps on a condition variable
//! until the next deadline or the next submission. Before it sleeps, an idle thread looks for
//! new work for a few tens of microseconds ([`EventLoop::spin_for_work`]): an asynchronous
//! boundary in a hot stream hands work back and forth between two threads every few
//! microseconds, and a thread that went to sleep each time would cost a futex wait and wake
//! per hand-off (measured: 2-3 M items/s through `subscribe_on` + `publish_on` without the
//! spin, see `docs/benchmarks.md`). A worker is pinned to one thread for its
//! whole life, which with the queue's own claim keeps its tasks serial and in order.
//!
//! Lock order: an event loop's lock may be held while taking a queue's lock (to move due
//! timers), never the other way round; no lock is held while a task runs or a closure drops.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::sync::Arc;
use std::thread::ThreadId;
use std::time::Instant;

use super::serial::{Context, Drained, Driver, SerialQueue, SerialWorker};
use super::timers::Timers;
use super::{BUDGET, Worker, sealed::Settings};
use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::loom::sync::{Condvar, Mutex};
use crate::loom::thread::{self, JoinHandle};

/// The threads of one scheduler. Scheduler handles and workers keep it alive; when the last
/// of them is dropped, the threads are told to stop (and are not waited for).
pub(crate) struct ThreadGroup {
    ctx: Arc<Context>,
    loops: Vec<Arc<EventLoop>>,
    thread_ids: Vec<ThreadId>,
    /// Taken (and joined) by the first explicit `shutdown`.
    threads: Mutex<Vec<JoinHandle<()>>>,
    next: AtomicUsize,
}

impl ThreadGroup {
    /// Starts `count` threads named `<name>-<i>` if `numbered`, else `<name>`.
    pub(crate) fn start(count: usize, numbered: bool, settings: Settings) -> io::Result<Arc<Self>> {
        debug_assert!(count > 0, "the builders refuse zero threads");
        let loops: Vec<_> = (0..count).map(|_| Arc::new(EventLoop::new())).collect();
        let mut threads = Vec::with_capacity(count);
        for (i, event_loop) in loops.iter().enumerate() {
            let name = if numbered {
                format!("{}-{i}", settings.name)
            } else {
                settings.name.clone()
            };
            let event_loop = event_loop.clone();
            match thread::Builder::new()
                .name(name)
                .spawn(move || event_loop.run())
            {
                Ok(handle) => threads.push(handle),
                Err(err) => {
                    for event_loop in &loops {
                        event_loop.stop();
                    }
                    return Err(err);
                }
            }
        }
        Ok(Arc::new(ThreadGroup {
            ctx: Context::new(settings),
            loops,
            thread_ids: threads.iter().map(|t| t.thread().id()).collect(),
            threads: Mutex::new(threads),
            next: AtomicUsize::new(0),
        }))
    }

    /// A worker on the next thread, round-robin.
    pub(crate) fn worker(self: &Arc<Self>) -> Arc<dyn Worker> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.loops.len();
        let driver = LoopDriver {
            event_loop: self.loops[i].clone(),
            _group: self.clone(),
        };
        Arc::new(SerialWorker::new(self.ctx.clone(), driver))
    }

    pub(crate) fn name(&self) -> &str {
        self.ctx.name()
    }

    pub(crate) fn threads(&self) -> usize {
        self.loops.len()
    }

    /// Stops every thread and, unless called from one of them, waits until they have exited.
    pub(crate) fn shutdown(&self) {
        self.signal_stop();
        if self.thread_ids.contains(&thread::current().id()) {
            return; // joining ourselves (or a sibling joining us) would never end
        }
        let mut threads = self.threads.lock();
        for handle in threads.drain(..) {
            // Task panics are caught inside the loop; a thread can only have failed on a panic
            // outside any task (a closure's `Drop`), which was reported when it happened.
            let _ = handle.join();
        }
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        self.ctx.is_shut_down()
    }

    fn signal_stop(&self) {
        self.ctx.shut_down();
        for event_loop in &self.loops {
            event_loop.stop();
        }
    }
}

impl Drop for ThreadGroup {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

impl fmt::Debug for ThreadGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadGroup")
            .field("name", &self.ctx.name())
            .field("threads", &self.loops.len())
            .field("shut_down", &self.ctx.is_shut_down())
            .finish()
    }
}

/// A worker's way onto its event loop; it also keeps the threads alive while the worker
/// exists.
struct LoopDriver {
    event_loop: Arc<EventLoop>,
    _group: Arc<ThreadGroup>,
}

impl Driver for LoopDriver {
    fn start(&self, queue: Arc<SerialQueue>) -> bool {
        self.event_loop.submit(queue)
    }

    fn start_at(&self, deadline: Instant, queue: Arc<SerialQueue>) -> bool {
        self.event_loop.add_timer(deadline, queue)
    }
}

struct LoopState {
    /// Workers whose queue is claimed and waits for a turn.
    ready: VecDeque<Arc<SerialQueue>>,
    /// Deadlines of delayed tasks, with the worker that holds each task.
    timers: Timers<Arc<SerialQueue>>,
    stopped: bool,
}

/// One thread's line of work.
struct EventLoop {
    state: Mutex<LoopState>,
    wake: Condvar,
    /// A hint for the spin before sleeping: set (under the lock) when a worker is submitted,
    /// cleared (under the lock) when the line is found empty. Read without the lock; the
    /// thread always re-checks the line under the lock before it sleeps.
    has_work: AtomicBool,
}

/// Rounds of the spin before sleeping: rounds `0..SPIN_ROUNDS` spin `2^round` hints each,
/// then `YIELD_ROUNDS` rounds give the core away with `yield_now`.
const SPIN_ROUNDS: u32 = 10;
const YIELD_ROUNDS: u32 = 8;
/// No spin when a timer is due sooner than this: the wait for it is short anyway.
const SPIN_LIMIT: std::time::Duration = std::time::Duration::from_micros(200);

impl EventLoop {
    fn new() -> Self {
        EventLoop {
            state: Mutex::new(LoopState {
                ready: VecDeque::new(),
                timers: Timers::new(),
                stopped: false,
            }),
            wake: Condvar::new(),
            has_work: AtomicBool::new(false),
        }
    }

    /// Looks for submitted work for a short while without the lock; `true` if some arrived.
    fn spin_for_work(&self) -> bool {
        for round in 0..SPIN_ROUNDS + YIELD_ROUNDS {
            if self.has_work.load(Ordering::Acquire) {
                return true;
            }
            if round < SPIN_ROUNDS {
                for _ in 0..1u32 << round {
                    std::hint::spin_loop();
                }
            } else {
                thread::yield_now();
            }
        }
        self.has_work.load(Ordering::Acquire)
    }

    /// Gives a claimed queue a turn on this thread; `false` once the loop has stopped.
    fn submit(&self, queue: Arc<SerialQueue>) -> bool {
        let mut st = self.state.lock();
        if st.stopped {
            return false;
        }
        st.ready.push_back(queue);
        self.has_work.store(true, Ordering::Release);
        drop(st);
        self.wake.notify_one();
        true
    }

    /// Wakes this thread at `deadline` to release `queue`'s due tasks; `false` once stopped.
    fn add_timer(&self, deadline: Instant, queue: Arc<SerialQueue>) -> bool {
        let mut st = self.state.lock();
        if st.stopped {
            return false;
        }
        let earliest = st.timers.push(deadline, queue);
        drop(st);
        if earliest {
            self.wake.notify_one();
        }
        true
    }

    fn stop(&self) {
        self.state.lock().stopped = true;
        self.wake.notify_one();
    }

    /// The thread's body.
    fn run(&self) {
        let mut st = self.state.lock();
        while !st.stopped {
            let now = Instant::now();
            while let Some(queue) = st.timers.pop_due(now) {
                if queue.fire_due(now) {
                    st.ready.push_back(queue);
                }
            }
            if let Some(queue) = st.ready.pop_front() {
                drop(st);
                let more = queue.drain(BUDGET) == Drained::More;
                st = self.state.lock();
                if more {
                    st.ready.push_back(queue);
                }
                continue;
            }
            self.has_work.store(false, Ordering::Release);
            if st
                .timers
                .next_deadline()
                .is_none_or(|d| d > now + SPIN_LIMIT)
            {
                drop(st);
                let arrived = self.spin_for_work();
                st = self.state.lock();
                if arrived || !st.ready.is_empty() || st.stopped {
                    continue;
                }
            }
            match st.timers.next_deadline() {
                Some(deadline) => {
                    self.wake.wait_until(&mut st, deadline);
                }
                None => self.wake.wait(&mut st),
            }
        }
        // Stopped: whatever is still waiting here is cancelled, outside the lock.
        let ready = std::mem::take(&mut st.ready);
        let timers = st.timers.take_all();
        drop(st);
        for queue in ready.into_iter().chain(timers) {
            queue.dispose();
        }
    }
}
