//! Demand arithmetic: saturating, sticky-unbounded, with a cancelled state.

use crate::UNBOUNDED;
use crate::loom::sync::atomic::{AtomicU64, Ordering};

/// The internal marker for "cancelled". It is never reported as demand: a sum that reaches it
/// saturates to [`UNBOUNDED`] instead.
const CANCELLED: u64 = u64::MAX - 1;

/// Adds two demands, saturating at [`UNBOUNDED`] (rule 3.17): unbounded stays unbounded and a
/// sum past `u64::MAX` never wraps.
///
/// ```
/// use reactive_core::{support::add_cap, UNBOUNDED};
/// assert_eq!(add_cap(3, 4), 7);
/// assert_eq!(add_cap(u64::MAX - 10, 100), UNBOUNDED);
/// assert_eq!(add_cap(UNBOUNDED, 1), UNBOUNDED);
/// ```
#[inline]
pub const fn add_cap(a: u64, b: u64) -> u64 {
    let sum = a.saturating_add(b);
    if sum >= CANCELLED { UNBOUNDED } else { sum }
}

/// Outstanding demand of one subscription, shared between the thread that requests and the
/// thread that emits.
///
/// * [`add`](Self::add) is what `Subscription::request` calls: it saturates at [`UNBOUNDED`]
///   and returns the demand that was there before, so the caller that moves demand from 0 to
///   more than 0 knows it must start emitting (the demand counter doubles as the emitter
///   election; see the crate docs).
/// * [`produced`](Self::produced) subtracts what an emission loop delivered, in one batch:
///   loops count locally and call it when the demand they read is used up, never once per item.
///   Unbounded demand is never decremented.
/// * [`cancel`](Self::cancel) moves it into a terminal cancelled state in which `add` refuses
///   all demand (rule 3.6) and `produced` reports 0, so every loop stops.
///
/// ```
/// use reactive_core::{support::Demand, UNBOUNDED};
///
/// let d = Demand::new();
/// assert_eq!(d.add(5), Some(0)); // 0 -> 5: this caller starts emitting
/// assert_eq!(d.add(u64::MAX), Some(5)); // saturates
/// assert_eq!(d.get(), UNBOUNDED);
/// assert_eq!(d.produced(1_000), UNBOUNDED); // unbounded is sticky
/// assert!(d.cancel());
/// assert_eq!(d.add(1), None);
/// assert_eq!(d.get(), 0);
/// ```
#[derive(Debug)]
pub struct Demand {
    state: AtomicU64,
}

impl Default for Demand {
    fn default() -> Self {
        Self::new()
    }
}

impl Demand {
    /// No demand yet.
    pub fn new() -> Self {
        Demand {
            state: AtomicU64::new(0),
        }
    }

    /// Adds `n` to the demand (saturating at [`UNBOUNDED`]) and returns the demand before the
    /// call, or `None` if cancelled. Adding 0 changes nothing; callers check for `request(0)`
    /// themselves and signal rule 3.9.
    #[inline]
    pub fn add(&self, n: u64) -> Option<u64> {
        let mut current = self.state.load(Ordering::Acquire);
        loop {
            if current == CANCELLED {
                return None;
            }
            if current == UNBOUNDED {
                return Some(UNBOUNDED);
            }
            let next = add_cap(current, n);
            match self.state.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Some(current),
                Err(actual) => current = actual,
            }
        }
    }

    /// The current demand: [`UNBOUNDED`] for unbounded, 0 when cancelled.
    #[inline]
    pub fn get(&self) -> u64 {
        match self.state.load(Ordering::Acquire) {
            CANCELLED => 0,
            d => d,
        }
    }

    /// Subtracts `n` delivered items and returns what remains: [`UNBOUNDED`] stays unbounded,
    /// and a cancelled demand reports 0.
    ///
    /// Delivering more than was requested is a bug in the caller (rule 1.1); in debug builds it
    /// panics, in release builds the demand clamps at 0.
    #[inline]
    pub fn produced(&self, n: u64) -> u64 {
        let mut current = self.state.load(Ordering::Acquire);
        loop {
            if current == CANCELLED {
                return 0;
            }
            if current == UNBOUNDED {
                return UNBOUNDED;
            }
            debug_assert!(
                n <= current,
                "produced {n} items against a demand of {current} (rule 1.1)"
            );
            let next = current.saturating_sub(n);
            match self.state.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return next,
                Err(actual) => current = actual,
            }
        }
    }

    /// Moves to the cancelled state; returns `true` for the call that did it.
    #[inline]
    pub fn cancel(&self) -> bool {
        self.state.swap(CANCELLED, Ordering::AcqRel) != CANCELLED
    }

    /// Whether [`cancel`](Self::cancel) has been called.
    #[inline]
    pub fn is_cancelled(&self) -> bool {
        self.state.load(Ordering::Acquire) == CANCELLED
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::*;

    #[test]
    fn add_reports_previous_and_saturates() {
        let d = Demand::new();
        assert_eq!(d.add(1), Some(0));
        assert_eq!(d.add(2), Some(1));
        assert_eq!(d.get(), 3);
        assert_eq!(d.add(u64::MAX - 2), Some(3));
        assert_eq!(d.get(), UNBOUNDED);
        assert_eq!(d.add(7), Some(UNBOUNDED));
        assert_eq!(d.get(), UNBOUNDED);
    }

    #[test]
    fn sum_reaching_the_cancel_marker_saturates_not_cancels() {
        let d = Demand::new();
        d.add(CANCELLED - 1);
        d.add(1);
        assert!(!d.is_cancelled());
        assert_eq!(d.get(), UNBOUNDED);
    }

    #[test]
    fn produced_subtracts_in_batches() {
        let d = Demand::new();
        d.add(10);
        assert_eq!(d.produced(4), 6);
        assert_eq!(d.produced(6), 0);
    }

    #[test]
    fn cancel_is_terminal_and_idempotent() {
        let d = Demand::new();
        d.add(3);
        assert!(d.cancel());
        assert!(!d.cancel());
        assert_eq!(d.add(1), None);
        assert_eq!(d.produced(1), 0);
        assert_eq!(d.get(), 0);
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use super::*;
    use crate::loom::sync::Arc;
    use crate::loom::thread;

    /// Two threads request concurrently: the demand ends exactly at the sum of the requests,
    /// and exactly one requester sees the 0 -> n transition that elects the emitter.
    #[test]
    fn concurrent_requests_add_exactly() {
        loom::model(|| {
            let d = Arc::new(Demand::new());
            let d1 = d.clone();
            let d2 = d.clone();
            let t1 = thread::spawn(move || d1.add(2).unwrap() == 0);
            let t2 = thread::spawn(move || d2.add(3).unwrap() == 0);
            let first1 = t1.join().unwrap();
            let first2 = t2.join().unwrap();
            assert!(
                first1 ^ first2,
                "exactly one requester elects itself emitter"
            );
            assert_eq!(d.get(), 5);
            assert_eq!(d.produced(5), 0);
        });
    }

    /// A request races an emitter's batched `produced`: nothing is lost, the emitter sees
    /// remaining demand exactly when the request landed first.
    #[test]
    fn request_races_produced() {
        loom::model(|| {
            let d = Arc::new(Demand::new());
            d.add(2);
            let d1 = d.clone();
            let t = thread::spawn(move || d1.add(1).unwrap());
            let remaining = d.produced(2);
            let before = t.join().unwrap();
            assert_eq!(d.get(), 1);
            // either the request saw 2 (landed first, emitter sees 1 left) or 0 (emitter
            // finished first and the requester becomes the new emitter).
            match before {
                2 => assert_eq!(remaining, 1),
                0 => assert_eq!(remaining, 0),
                other => panic!("impossible previous demand {other}"),
            }
        });
    }

    /// Cancel races a request: after both, the demand is cancelled and reports 0.
    #[test]
    fn cancel_races_request() {
        loom::model(|| {
            let d = Arc::new(Demand::new());
            let d1 = d.clone();
            let t = thread::spawn(move || d1.add(4));
            assert!(d.cancel());
            let _ = t.join().unwrap();
            assert!(d.is_cancelled());
            assert_eq!(d.get(), 0);
            assert_eq!(d.add(1), None);
        });
    }
}
