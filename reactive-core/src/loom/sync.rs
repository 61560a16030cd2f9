//! The synchronization primitives that switch to [loom](https://docs.rs/loom) for model
//! checking: the supported route for code outside this workspace (your own operators and
//! publishers) to share the loom configuration `reactive-core` is tested under.
//!
//! In a normal build these are the standard library's atomics, `Arc` and threads, and
//! `parking_lot`'s `Mutex`. In a build with `RUSTFLAGS="--cfg reactive_loom"` every name here
//! is loom's, and so are the atomics inside [`support::Demand`](crate::support::Demand),
//! [`support::WipCell`](crate::support::WipCell) and the other toolkit types. Code that takes
//! its atomics, locks, cells and threads from this module therefore runs unchanged in
//! production and under loom, where a model explores every interleaving of your state *and*
//! of the toolkit's.
//!
//! | name | normal build | `--cfg reactive_loom` |
//! |---|---|---|
//! | [`Arc`] | `std::sync::Arc` | `loom::sync::Arc` |
//! | [`atomic`]`::{AtomicBool, AtomicU64, AtomicUsize, Ordering}` | `std::sync::atomic` | `loom::sync::atomic` |
//! | [`Mutex`], [`MutexGuard`] | `parking_lot` (no poisoning) | a wrapper over loom's mutex with the same `new` / `lock` shape |
//! | [`UnsafeCell`] | a wrapper over `std::cell::UnsafeCell` with loom's closure API (`with`, `with_mut`) | `loom::cell::UnsafeCell` |
//! | [`thread`]`::{spawn, yield_now, park, current, JoinHandle, Thread}` | `std::thread` | `loom::thread` |
//!
//! Use only what both columns have: `Mutex::new` and `Mutex::lock` (no `try_lock`, no `const`
//! construction), `UnsafeCell::new`, `with`, `with_mut` and `into_inner`. There is no
//! condition variable: a model cannot block on one.
//!
//! The recipe for loom models of your own code (the `loom` dev-dependency, the flags, a model)
//! is in the repository's guide `docs/writing-an-operator.md`, section "Loom models from your
//! own crate".
//!
//! # Examples
//!
//! ```
//! use reactive_core::sync::atomic::{AtomicU64, Ordering};
//! use reactive_core::sync::{thread, Arc, Mutex};
//!
//! let hits = Arc::new(AtomicU64::new(0));
//! let log = Arc::new(Mutex::new(Vec::new()));
//! let workers: Vec<_> = (0..2)
//!     .map(|i| {
//!         let (hits, log) = (hits.clone(), log.clone());
//!         thread::spawn(move || {
//!             hits.fetch_add(1, Ordering::AcqRel);
//!             log.lock().push(i);
//!         })
//!     })
//!     .collect();
//! for w in workers {
//!     w.join().unwrap();
//! }
//! assert_eq!(hits.load(Ordering::Acquire), 2);
//! assert_eq!(log.lock().len(), 2);
//! ```

pub use crate::loom::UnsafeCell;
pub use crate::loom::sync::{Arc, Mutex, MutexGuard};

/// Atomic integers and flags, and their memory orderings.
///
/// ```
/// use reactive_core::sync::atomic::{AtomicBool, Ordering};
///
/// let done = AtomicBool::new(false);
/// done.store(true, Ordering::Release);
/// assert!(done.load(Ordering::Acquire));
/// ```
pub mod atomic {
    pub use crate::loom::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
}

/// Threads: under loom, each is a thread of the model. `park` and [`Thread::unpark`](self::thread::Thread::unpark) are how
/// a blocking terminal waits for a signal from another thread (loom models them, so a lost
/// unpark shows up as a deadlock in the model).
///
/// ```
/// use reactive_core::sync::thread;
///
/// let t = thread::spawn(|| 40 + 2);
/// thread::yield_now();
/// assert_eq!(t.join().unwrap(), 42);
///
/// let me = thread::current();
/// let waker = thread::spawn(move || me.unpark());
/// thread::park(); // returns at once if the unpark came first
/// waker.join().unwrap();
/// ```
pub mod thread {
    pub use crate::loom::thread::{JoinHandle, Thread, current, park, spawn, yield_now};
}
