//! The one place that names atomics, cells, locks and threads.
//!
//! Normal builds use `std` and `parking_lot`; builds with `RUSTFLAGS="--cfg reactive_loom"` use
//! [loom](https://docs.rs/loom) so that the concurrency models in this crate can explore every
//! interleaving. Everything else in this crate imports these names from here, never from
//! `std::sync::atomic` directly; other crates (ours and third parties') use the public
//! re-export, `reactive_core::sync` (`sync.rs` in this folder).

#[cfg(not(reactive_loom))]
mod imp {
    pub mod sync {
        pub use std::sync::Arc;
        pub mod atomic {
            pub use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
        }
        pub use parking_lot::{Condvar, Mutex, MutexGuard};
    }
    pub mod thread {
        pub use std::thread::{
            Builder, JoinHandle, Thread, ThreadId, current, park, sleep, spawn, yield_now,
        };

        std::thread_local! {
            static TOKEN: u8 = const { 0 };
        }

        /// A number that identifies the calling thread among the threads alive now, and is
        /// never 0: the address of a thread-local (one TLS access, no atomic, no allocation).
        #[inline(always)]
        pub(crate) fn token() -> usize {
            TOKEN.with(|t| t as *const u8 as usize)
        }
    }

    /// An `UnsafeCell` with loom's closure-based access API, so that code compiles unchanged
    /// under both configurations. Under loom, each access is checked against every other one
    /// for a data race.
    ///
    /// ```
    /// use reactive_core::sync::UnsafeCell;
    ///
    /// let cell = UnsafeCell::new(1);
    /// // SAFETY: the cell is not shared, so this access is exclusive.
    /// cell.with_mut(|p| unsafe { *p += 1 });
    /// // SAFETY: as above; no write is in progress.
    /// let value = cell.with(|p| unsafe { *p });
    /// assert_eq!(value, 2);
    /// assert_eq!(cell.into_inner(), 2);
    /// ```
    #[derive(Debug)]
    pub struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        /// A cell holding `value`.
        #[inline(always)]
        pub const fn new(value: T) -> Self {
            Self(std::cell::UnsafeCell::new(value))
        }

        /// Runs `f` with a shared pointer to the value; the caller guarantees no write races
        /// the read.
        #[inline(always)]
        pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        /// Runs `f` with a mutable pointer to the value; the caller guarantees the access is
        /// exclusive.
        #[inline(always)]
        pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }

        /// Takes the value out of the cell.
        #[inline(always)]
        pub fn into_inner(self) -> T {
            self.0.into_inner()
        }
    }
}

#[cfg(reactive_loom)]
mod imp {
    pub mod sync {
        pub use loom::sync::Arc;
        pub mod atomic {
            pub use loom::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
        }

        /// `parking_lot`-shaped wrapper over loom's mutex (no poisoning, guard from `lock()`).
        #[derive(Debug)]
        pub struct Mutex<T>(loom::sync::Mutex<T>);
        pub type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

        impl<T> Mutex<T> {
            pub fn new(value: T) -> Self {
                Self(loom::sync::Mutex::new(value))
            }
            pub fn lock(&self) -> MutexGuard<'_, T> {
                self.0.lock().unwrap()
            }
        }
        // No condition variable under loom: only the thread-based schedulers use one, and
        // they are compiled out of loom builds (their serial queue is what the models test).
    }
    pub mod thread {
        pub use loom::thread::{
            Builder, JoinHandle, Thread, ThreadId, current, park, spawn, yield_now,
        };

        /// Loom has no clock: a sleep only hands control back to the model checker.
        pub fn sleep(_duration: std::time::Duration) {
            loom::thread::yield_now();
        }

        /// Numbers the model's threads in the order they first ask (a plain counter outside
        /// the model: the numbering is not something a model explores).
        static NEXT_TOKEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

        loom::thread_local! {
            static TOKEN: usize = NEXT_TOKEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }

        /// A number that identifies the calling thread among the model's threads, never 0.
        pub(crate) fn token() -> usize {
            TOKEN.with(|t| *t)
        }
    }

    pub use loom::cell::UnsafeCell;
}

#[allow(unused_imports)]
pub use imp::*;
