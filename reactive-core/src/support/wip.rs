//! The work-in-progress (WIP) drain loop.

use crate::loom::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};

/// State that only one thread at a time may work on, handed to whoever moves the
/// work-in-progress counter from 0.
///
/// Every path that changes something (a `request`, an upstream `on_next`, a timer, a `cancel`)
/// records its change in shared atomics or queues and then calls [`drain`](Self::drain).
/// The caller that moves the counter from 0 runs the closure with exclusive access to the state;
/// everyone else only bumps the counter and returns at once. The drainer runs the closure again
/// for every bump it missed, so no wake-up is lost, and a `request` made from inside the closure
/// (for example from `on_next`) only bumps the counter: recursion stays at depth 1 (rule 3.3).
///
/// No lock is held while the closure runs, so it may call into user code and other stages.
///
/// # Panics
///
/// If the closure panics, the panic propagates to the caller of `drain` and the cell stays
/// claimed: later calls return without running the closure. Synchronous pipelines let the
/// panic reach the caller of `subscribe`/`request`; asynchronous stages catch it before it
/// gets here and turn it into `on_error`.
///
/// # Examples
///
/// ```
/// use reactive_core::support::WipCell;
///
/// let cell = WipCell::new(Vec::new());
/// assert!(cell.drain(|v| v.push(1)));
/// // A re-entrant drain only records that work was missed; the outer drain runs again.
/// let mut runs = 0;
/// cell.drain(|v| {
///     runs += 1;
///     if v.len() < 3 {
///         v.push(v.len());
///         // imagine `on_next` calling `request` here:
///         // (a nested `cell.drain` would return `false` at once)
///     }
/// });
/// assert_eq!(runs, 1);
/// ```
pub struct WipCell<T> {
    wip: AtomicUsize,
    value: UnsafeCell<T>,
}

// SAFETY: the value is only reached through `drain`, whose closure runs on one thread at a time
// (the thread that moved `wip` from 0, until it moves it back to 0), and the AcqRel operations on
// `wip` order one drainer's accesses before the next drainer's. Moving `T` between threads this
// way needs `T: Send`, nothing more.
unsafe impl<T: Send> Sync for WipCell<T> {}
// SAFETY: owning a `WipCell<T>` is owning a `T`.
unsafe impl<T: Send> Send for WipCell<T> {}

impl<T> WipCell<T> {
    /// A cell that nobody is draining.
    pub fn new(value: T) -> Self {
        WipCell {
            wip: AtomicUsize::new(0),
            value: UnsafeCell::new(value),
        }
    }

    /// Runs `work` with exclusive access to the state if no other caller is draining; otherwise
    /// records that the drainer must run again, and returns at once.
    ///
    /// Returns `true` if this call drained.
    #[inline]
    pub fn drain<F>(&self, mut work: F) -> bool
    where
        F: FnMut(&mut T),
    {
        if self.wip.fetch_add(1, Ordering::AcqRel) != 0 {
            return false;
        }
        let mut missed = 1;
        loop {
            self.value.with_mut(|value| {
                // SAFETY: this thread moved `wip` from 0 and has not yet brought it back, so no
                // other thread is inside this block; a nested `drain` on this thread returns
                // before reaching it. The Acquire half of the `fetch_add`/`fetch_sub` that won
                // the counter orders this access after the previous drainer's last one.
                work(unsafe { &mut *value })
            });
            let before = self.wip.fetch_sub(missed, Ordering::AcqRel);
            missed = before - missed;
            if missed == 0 {
                return true;
            }
        }
    }

    /// Exclusive access without the counter, when the caller owns the cell.
    pub fn get_mut(&mut self) -> &mut T {
        self.value.with_mut(|value| {
            // SAFETY: `&mut self` proves no other reference to the cell exists.
            unsafe { &mut *value }
        })
    }

    /// Takes the state out of the cell.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T> std::fmt::Debug for WipCell<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WipCell")
            .field("wip", &self.wip.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn nested_drain_runs_again_instead_of_recursing() {
        let cell = Arc::new(WipCell::new(0u32));
        let inner = cell.clone();
        let mut depth = 0;
        let mut max_depth = 0;
        cell.drain(|n| {
            depth += 1;
            max_depth = max_depth.max(depth);
            *n += 1;
            if *n < 1000 {
                assert!(!inner.drain(|_| unreachable!("nested drain must not run")));
            }
            depth -= 1;
        });
        drop(inner);
        assert_eq!(*Arc::try_unwrap(cell).unwrap().get_mut(), 1000);
        assert_eq!(max_depth, 1);
    }

    #[test]
    fn threads_never_lose_a_wake_up() {
        use crate::loom::sync::atomic::AtomicU64;
        let cell = Arc::new(WipCell::new(0u64));
        let signals = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let cell = cell.clone();
                let signals = signals.clone();
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        signals.fetch_add(1, Ordering::AcqRel);
                        cell.drain(|seen| *seen = signals.load(Ordering::Acquire));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let mut cell = Arc::try_unwrap(cell).unwrap();
        assert_eq!(*cell.get_mut(), 20_000);
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use super::*;
    use crate::loom::sync::Arc;
    use crate::loom::sync::atomic::AtomicUsize;
    use crate::loom::thread;

    /// Two threads signal and drain: the last drain always sees both signals (no lost
    /// wake-up), and loom's cell tracking proves two drainers never overlap.
    #[test]
    fn drain_never_loses_a_wake_up() {
        loom::model(|| {
            let cell = Arc::new(WipCell::new(0usize));
            let signals = Arc::new(AtomicUsize::new(0));
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    let cell = cell.clone();
                    let signals = signals.clone();
                    thread::spawn(move || {
                        signals.fetch_add(1, Ordering::Release);
                        cell.drain(|seen| *seen = signals.load(Ordering::Acquire));
                    })
                })
                .collect();
            for h in handles {
                h.join().unwrap();
            }
            let seen = cell.value.with(|v| {
                // SAFETY: both threads have joined; no drain is running.
                unsafe { *v }
            });
            assert_eq!(seen, 2, "a signal was recorded but never drained");
        });
    }

    /// A drain on another thread races a drain that re-enters itself (as `request` from
    /// `on_next` does): the nested call never runs the closure (depth stays 1) and the signal
    /// it recorded is still drained by a later pass of the outer loop.
    #[test]
    fn reentrant_request_stays_at_depth_one() {
        #[derive(Default, Clone, Copy)]
        struct S {
            depth: usize,
            max_depth: usize,
            nested: bool,
            nested_pending: bool,
        }
        loom::model(|| {
            let cell = Arc::new(WipCell::new(S::default()));
            let other = cell.clone();
            let t = thread::spawn(move || {
                other.drain(|s| s.max_depth = s.max_depth.max(s.depth + 1));
            });
            let me = cell.clone();
            cell.drain(|s| {
                s.depth += 1;
                s.max_depth = s.max_depth.max(s.depth);
                if s.nested_pending {
                    s.nested_pending = false;
                }
                if !s.nested {
                    s.nested = true;
                    s.nested_pending = true;
                    assert!(!me.drain(|_| panic!("nested drain ran: recursion")));
                }
                s.depth -= 1;
            });
            t.join().unwrap();
            let s = cell.value.with(|v| {
                // SAFETY: the other thread has joined; no drain is running.
                unsafe { *v }
            });
            assert_eq!(s.max_depth, 1);
            assert!(!s.nested_pending, "the nested signal was lost");
        });
    }
}
