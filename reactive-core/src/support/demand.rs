//! Demand arithmetic: saturating, sticky-unbounded, with an invalid-request state (rule 3.9) and
//! a cancelled state.

use crate::loom::sync::atomic::{AtomicU64, Ordering};
use crate::{Error, Subscriber, UNBOUNDED};

/// The internal marker for "cancelled". It is never reported as demand.
const CANCELLED: u64 = u64::MAX - 1;

/// The internal marker for "`request(0)` arrived and has not been reported yet" (rule 3.9). It is
/// never reported as demand either: sums saturate to [`UNBOUNDED`] below both markers.
const INVALID: u64 = u64::MAX - 2;

/// Adds two demands, saturating at [`UNBOUNDED`] (rule 3.17): unbounded stays unbounded and a
/// sum past `u64::MAX - 3` (the largest bounded demand) never wraps.
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
    if sum >= INVALID { UNBOUNDED } else { sum }
}

/// What an emission loop may do, read from a [`Demand`] in one atomic load by
/// [`Demand::requested`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requested {
    /// This many items may be emitted ([`UNBOUNDED`] for no limit; 0 for none yet).
    Demand(u64),
    /// A `request(0)` arrived: stop emitting and, if [`Demand::claim_invalid`] says this caller
    /// won, signal `on_error(Error::invalid_request(0))` (rule 3.9).
    Invalid,
    /// Cancelled, or the invalid request was already claimed: stop emitting.
    Cancelled,
}

/// Outstanding demand of one subscription, shared between the threads that request and the
/// thread that emits: one `AtomicU64` holding the demand, or one of two terminal markers.
///
/// * [`add`](Self::add) is what `Subscription::request` calls, for every `n`: it saturates at
///   [`UNBOUNDED`] and returns the demand that was there before, so the caller that moves
///   demand from 0 to more than 0 knows it must start emitting (the demand counter doubles as
///   the emitter election; see the crate docs). `add(0)` records rule 3.9's invalid request in
///   the same word.
/// * [`requested`](Self::requested) is the one question an emission loop asks: cancelled,
///   invalid request, or how much.
/// * [`claim_invalid`](Self::claim_invalid) turns the invalid request into "cancelled" for
///   exactly one caller, which then signals the error; a [`cancel`](Self::cancel) that lands
///   first suppresses the error. [`check`](Self::check) does both questions and the error in
///   one call, for emission loops.
/// * [`produced`](Self::produced) subtracts what an emission loop delivered, in one batch:
///   loops count locally and call it when the demand they read is used up, never once per item.
///   Unbounded demand is never decremented.
/// * [`cancel`](Self::cancel) moves it into the terminal cancelled state, in which `add` refuses
///   all demand (rule 3.6) and `produced` reports 0, so every loop stops.
///
/// ```
/// use reactive_core::{support::{Demand, Requested}, UNBOUNDED};
///
/// let d = Demand::new();
/// assert_eq!(d.add(5), Some(0)); // 0 -> 5: this caller starts emitting
/// assert_eq!(d.add(u64::MAX), Some(5)); // saturates
/// assert_eq!(d.requested(), Requested::Demand(UNBOUNDED));
/// assert_eq!(d.produced(1_000), UNBOUNDED); // unbounded is sticky
/// assert!(d.cancel());
/// assert_eq!(d.add(1), None);
/// assert_eq!(d.requested(), Requested::Cancelled);
///
/// // request(0): recorded in the same word; exactly one caller gets to report it.
/// let d = Demand::new();
/// d.add(3);
/// assert_eq!(d.add(0), Some(3));
/// assert_eq!(d.add(2), None); // refused: the subscription is ending
/// assert_eq!(d.requested(), Requested::Invalid);
/// assert!(d.claim_invalid()); // this caller signals on_error(Error::invalid_request(0))
/// assert!(!d.claim_invalid());
/// assert_eq!(d.requested(), Requested::Cancelled);
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

    /// Records `request(n)`: adds `n` to the demand (saturating at [`UNBOUNDED`]), or for
    /// `n == 0` moves to the invalid-request state (rule 3.9), from any demand.
    ///
    /// Returns the demand before the call, or `None` if the call was refused because the
    /// subscription is ending: cancelled (rule 3.6), or an invalid request is already recorded.
    #[inline]
    pub fn add(&self, n: u64) -> Option<u64> {
        let mut current = self.state.load(Ordering::Acquire);
        loop {
            let next = match current {
                CANCELLED | INVALID => return None,
                _ if n == 0 => INVALID,
                UNBOUNDED => return Some(UNBOUNDED),
                _ => add_cap(current, n),
            };
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

    /// Whether a [`cancel`](Self::cancel) or an invalid request (`add(0)`) has been recorded,
    /// in one `Relaxed` load: the per-item question of an emission loop that works from a
    /// demand it already read with [`check`](Self::check) (or [`requested`](Self::requested)),
    /// and calls `check` again when the answer is `true`, to report the invalid request.
    ///
    /// `Relaxed` is enough here: the loop takes no demand from this load, only "stop or go
    /// on", and the demand it goes on with was read with `Acquire` (a new one is read the same
    /// way, when that one is used up). When it says stop, `check`'s `Acquire` load reads the
    /// state again and synchronises with the cancel or the invalid request. The weaker load
    /// matters for speed: the compiler may keep the loop's state in registers across it, where
    /// an `Acquire` load forces every field the loop touches back to memory on each item.
    ///
    /// ```
    /// use reactive_core::support::Demand;
    ///
    /// let d = Demand::new();
    /// d.add(5);
    /// assert!(!d.is_stopping());
    /// d.cancel();
    /// assert!(d.is_stopping());
    ///
    /// let d = Demand::new();
    /// d.add(0);
    /// assert!(d.is_stopping());
    /// ```
    #[inline(always)]
    pub fn is_stopping(&self) -> bool {
        matches!(self.state.load(Ordering::Relaxed), CANCELLED | INVALID)
    }

    /// The state in one load: the demand, an invalid request waiting to be reported, or
    /// cancelled.
    #[inline]
    pub fn requested(&self) -> Requested {
        match self.state.load(Ordering::Acquire) {
            CANCELLED => Requested::Cancelled,
            INVALID => Requested::Invalid,
            d => Requested::Demand(d),
        }
    }

    /// Moves an invalid request to the cancelled state; returns `true` for the one call that
    /// did it, which must then signal `on_error(Error::invalid_request(0))`. Returns `false`
    /// if there is no invalid request, or a [`cancel`](Self::cancel) or another claim came
    /// first.
    #[inline]
    pub fn claim_invalid(&self) -> bool {
        self.state
            .compare_exchange(INVALID, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// What an emission loop asks before each item: the demand, or `None` when it must stop.
    ///
    /// [`requested`](Self::requested) and, for an invalid request,
    /// [`claim_invalid`](Self::claim_invalid) in one call: the call that claims the invalid
    /// request signals `on_error(Error::invalid_request(0))` to `subscriber` before returning
    /// `None`, so the error goes out exactly once, and never after a cancel that landed first
    /// (rule 3.9).
    /// Call it only where calling the subscriber is allowed (inside the drain loop).
    ///
    /// ```
    /// use reactive_core::support::Demand;
    /// use reactive_core::{Error, ErrorKind, Subscriber, SubscriptionRef};
    ///
    /// #[derive(Default)]
    /// struct Errors(Vec<ErrorKind>);
    /// impl Subscriber<u8> for Errors {
    ///     fn on_subscribe(&mut self, _: SubscriptionRef) {}
    ///     fn on_next(&mut self, _: u8) {}
    ///     fn on_error(&mut self, e: Error) { self.0.push(e.kind()) }
    ///     fn on_complete(&mut self) {}
    /// }
    ///
    /// let (d, mut s) = (Demand::new(), Errors::default());
    /// d.add(2);
    /// assert_eq!(d.check(&mut s), Some(2));
    /// d.add(0);
    /// assert_eq!(d.check(&mut s), None);
    /// assert_eq!(d.check(&mut s), None);
    /// assert_eq!(s.0, [ErrorKind::InvalidRequest]); // once
    /// ```
    #[inline(always)]
    pub fn check<T, S: Subscriber<T> + ?Sized>(&self, subscriber: &mut S) -> Option<u64> {
        match self.requested() {
            Requested::Demand(n) => Some(n),
            Requested::Cancelled => None,
            Requested::Invalid => {
                if self.claim_invalid() {
                    subscriber.on_error(Error::invalid_request(0));
                }
                None
            }
        }
    }

    /// The current demand: [`UNBOUNDED`] for unbounded, 0 when cancelled or after `request(0)`.
    #[inline]
    pub fn get(&self) -> u64 {
        match self.requested() {
            Requested::Demand(d) => d,
            Requested::Invalid | Requested::Cancelled => 0,
        }
    }

    /// Subtracts `n` delivered items and returns what remains: [`UNBOUNDED`] stays unbounded,
    /// and a cancelled demand (or one with an invalid request) reports 0 and stays as it is.
    ///
    /// Delivering more than was requested is a bug in the caller (rule 1.1); in debug builds it
    /// panics, in release builds the demand clamps at 0.
    #[inline]
    pub fn produced(&self, n: u64) -> u64 {
        let mut current = self.state.load(Ordering::Acquire);
        loop {
            if current == CANCELLED || current == INVALID {
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

    /// Moves to the cancelled state; returns `true` for the call that did it. A pending invalid
    /// request is dropped with it: after a cancel, [`claim_invalid`](Self::claim_invalid) fails,
    /// so no error follows the cancel.
    #[inline]
    pub fn cancel(&self) -> bool {
        self.state.swap(CANCELLED, Ordering::AcqRel) != CANCELLED
    }

    /// Whether the demand is cancelled (by [`cancel`](Self::cancel), or by a successful
    /// [`claim_invalid`](Self::claim_invalid)). An invalid request not yet claimed is not
    /// cancelled: emission loops ask [`requested`](Self::requested) instead, which tells both.
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

    #[test]
    fn sums_saturate_below_both_markers() {
        let d = Demand::new();
        d.add(INVALID - 1);
        assert_eq!(d.requested(), Requested::Demand(INVALID - 1)); // the largest bounded demand
        d.add(1);
        assert_eq!(d.requested(), Requested::Demand(UNBOUNDED));
        assert_eq!(add_cap(INVALID - 2, 1), INVALID - 1);
        assert_eq!(add_cap(INVALID - 1, 1), UNBOUNDED);
        assert_eq!(add_cap(CANCELLED, 0), UNBOUNDED);
    }

    #[test]
    fn request_zero_is_recorded_from_any_demand() {
        for before in [0, 7, UNBOUNDED] {
            let d = Demand::new();
            if before > 0 {
                d.add(before);
            }
            assert_eq!(d.add(0), Some(before));
            assert_eq!(d.requested(), Requested::Invalid);
            assert_eq!(d.get(), 0, "no demand while the error is pending");
            assert!(!d.is_cancelled(), "not cancelled until claimed");
        }
    }

    #[test]
    fn invalid_request_refuses_demand_and_is_not_consumed_by_produced() {
        let d = Demand::new();
        d.add(5);
        d.add(0);
        assert_eq!(d.add(3), None);
        assert_eq!(d.add(0), None, "a second request(0) changes nothing");
        assert_eq!(d.produced(2), 0);
        assert_eq!(d.requested(), Requested::Invalid);
    }

    #[test]
    fn claim_invalid_succeeds_once() {
        let d = Demand::new();
        assert!(!d.claim_invalid(), "nothing to claim");
        d.add(0);
        assert!(d.claim_invalid());
        assert!(!d.claim_invalid());
        assert!(d.is_cancelled());
        assert_eq!(d.add(1), None);
        assert!(!d.cancel(), "already cancelled by the claim");
    }

    #[test]
    fn cancel_before_claim_suppresses_the_error() {
        let d = Demand::new();
        d.add(0);
        assert!(d.cancel());
        assert!(!d.claim_invalid());
        assert_eq!(d.requested(), Requested::Cancelled);
    }

    #[test]
    fn request_zero_after_cancel_is_refused() {
        let d = Demand::new();
        d.cancel();
        assert_eq!(d.add(0), None);
        assert_eq!(d.requested(), Requested::Cancelled);
        assert!(!d.claim_invalid());
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

    /// `request(0)` (its caller then drains and claims the error) races a cancel: exactly one
    /// of them ends the subscription. Either the claim wins and the cancel finds the demand
    /// already cancelled, or the cancel lands first and the error is suppressed.
    #[test]
    fn request_zero_races_cancel() {
        loom::model(|| {
            let d = Arc::new(Demand::new());
            d.add(1);
            let d1 = d.clone();
            let zero = thread::spawn(move || {
                d1.add(0);
                d1.claim_invalid()
            });
            let cancelled = d.cancel();
            let claimed = zero.join().unwrap();
            assert!(
                claimed ^ cancelled,
                "exactly one of claim ({claimed}) and cancel ({cancelled}) ends it"
            );
            assert_eq!(d.requested(), Requested::Cancelled);
        });
    }

    /// `request(0)` races a valid request: the invalid request survives it (a later request
    /// cannot clear it or turn it into demand) and is claimed exactly once.
    #[test]
    fn request_zero_races_request() {
        loom::model(|| {
            let d = Arc::new(Demand::new());
            let d1 = d.clone();
            let zero = thread::spawn(move || d1.add(0));
            let before = d.add(3);
            let zero_before = zero.join().unwrap();
            match (before, zero_before) {
                (Some(0), Some(3)) | (None, Some(0)) => {}
                other => panic!("impossible previous demands {other:?}"),
            }
            assert_eq!(
                d.requested(),
                Requested::Invalid,
                "the rule 3.9 error was lost"
            );
            assert!(d.claim_invalid());
            assert!(!d.claim_invalid());
        });
    }

    /// The three-way race: `request(0)` (then a claim), a cancel and a valid request. Exactly
    /// one of claim and cancel ends the subscription, and the valid request never brings
    /// demand back.
    #[test]
    fn request_zero_races_cancel_and_request() {
        loom::model(|| {
            let d = Arc::new(Demand::new());
            let (d1, d2) = (d.clone(), d.clone());
            let zero = thread::spawn(move || {
                d1.add(0);
                d1.claim_invalid()
            });
            let canceller = thread::spawn(move || d2.cancel());
            d.add(2);
            let claimed = zero.join().unwrap();
            let cancelled = canceller.join().unwrap();
            assert!(
                claimed ^ cancelled,
                "exactly one of claim ({claimed}) and cancel ({cancelled}) ends it"
            );
            assert_eq!(d.requested(), Requested::Cancelled);
            assert_eq!(d.add(1), None);
        });
    }
}
