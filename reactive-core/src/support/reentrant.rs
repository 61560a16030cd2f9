//! Requests made from inside an emission pass, counted without atomic read-modify-writes.

use crate::loom::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::thread;
use crate::support::add_cap;

/// The demand that a subscriber adds from inside the signals of the pass that is emitting to
/// it, on the emitting thread: counted in a plain field, with no atomic read-modify-write.
///
/// A subscriber that requests from `on_next` (`request(1)` per item is the extreme case)
/// would otherwise pay, per item, an atomic update of the demand and one of the drain
/// counter, only to tell the loop that is calling it that it may go on. The emitter
/// [`enter`](Self::enter)s before it signals and the returned guard leaves when it is done
/// (also when a signal panics); meanwhile `request` calls [`try_add`](Self::try_add) first,
/// which counts the demand locally when it runs on the emitting thread, and the emitter
/// [`take`](Self::take)s it where it would otherwise reload the shared demand. A request from
/// any other thread finds another thread's mark, and goes the usual way (`Demand::add`, then
/// the drain loop).
///
/// Only the emitter may call `enter` and `take` (the one thread inside the drain loop).
///
/// # Examples
///
/// ```
/// use reactive_core::support::ReentrantRequests;
///
/// let local = ReentrantRequests::new();
/// assert!(!local.try_add(5)); // nobody is emitting: the caller records it as usual
/// {
///     let _pass = local.enter();
///     // ...a signal to the subscriber, which calls `request(1)` on this thread:
///     assert!(local.try_add(1));
///     assert!(local.try_add(2));
///     assert_eq!(local.take(), 3);
///     assert_eq!(local.take(), 0);
/// }
/// assert!(!local.try_add(1));
/// ```
pub struct ReentrantRequests {
    /// The token of the thread that is emitting, 0 when none is.
    emitter: AtomicUsize,
    /// Demand requested on the emitting thread during its pass, not yet taken.
    pending: UnsafeCell<u64>,
}

// SAFETY: `pending` is only reached by the thread whose token is in `emitter`: `take` is called
// by the emitter between `enter` and the guard's drop (its contract), and `try_add` touches it
// only after reading its own thread's token from `emitter`. A thread reads its own token there
// only between its own `enter` and the guard's drop: no other thread writes that token (tokens
// of live threads differ), and once a thread has overwritten it with 0, coherence keeps it
// from reading its older store again. So every access to `pending` is made by the one emitting
// thread, during its pass; one pass's accesses are ordered before the next pass's by the drain
// loop that elects the emitters (its counter's AcqRel operations), which the contract of
// `enter` requires.
unsafe impl Sync for ReentrantRequests {}
// SAFETY: a `u64` and an atomic: nothing tied to a thread.
unsafe impl Send for ReentrantRequests {}

impl Default for ReentrantRequests {
    fn default() -> Self {
        Self::new()
    }
}

impl ReentrantRequests {
    /// Nobody emitting, nothing pending.
    pub fn new() -> Self {
        ReentrantRequests {
            emitter: AtomicUsize::new(0),
            pending: UnsafeCell::new(0),
        }
    }

    /// Marks the calling thread as the emitter until the guard is dropped.
    ///
    /// Call it only with exclusive access to the emission (inside `WipCell::drain` or an
    /// equivalent that orders one emitter's pass before the next one's), never nested.
    #[inline]
    pub fn enter(&self) -> EmittingGuard<'_> {
        self.emitter.store(thread::token(), Ordering::Relaxed);
        EmittingGuard(self)
    }

    /// Counts `n` (saturating) if the caller is the emitting thread, inside its pass, and
    /// returns `true`; otherwise does nothing and returns `false`, and the caller records the
    /// request the usual way.
    #[inline]
    pub fn try_add(&self, n: u64) -> bool {
        if self.emitter.load(Ordering::Relaxed) != thread::token() {
            return false;
        }
        self.pending.with_mut(|pending| {
            // SAFETY: the emitter's token was read back on its own thread, so this is the
            // emitting thread inside its pass (see the `Sync` impl): no other access races.
            unsafe { *pending = add_cap(*pending, n) }
        });
        true
    }

    /// The demand counted since the last `take`, and resets it. For the emitter only, between
    /// [`enter`](Self::enter) and the guard's drop.
    #[inline]
    pub fn take(&self) -> u64 {
        self.pending.with_mut(|pending| {
            // SAFETY: only the emitter calls this, inside its pass (the contract above).
            unsafe { std::mem::take(&mut *pending) }
        })
    }
}

impl std::fmt::Debug for ReentrantRequests {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReentrantRequests")
            .field("emitting", &(self.emitter.load(Ordering::Relaxed) != 0))
            .finish_non_exhaustive()
    }
}

/// The emitter's mark, from [`ReentrantRequests::enter`]; dropping it (also while a panic
/// unwinds) clears the mark, so later requests go the usual way.
#[must_use = "the mark is cleared when the guard is dropped"]
#[derive(Debug)]
pub struct EmittingGuard<'a>(&'a ReentrantRequests);

impl Drop for EmittingGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        self.0.emitter.store(0, Ordering::Relaxed);
    }
}
