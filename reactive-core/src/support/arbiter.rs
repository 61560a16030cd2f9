//! Switching between upstream subscriptions without losing or inventing demand.

use crate::loom::sync::Mutex;
use crate::support::add_cap;
use crate::{Subscription, SubscriptionRef, UNBOUNDED};

struct State {
    current: Option<SubscriptionRef>,
    /// Demand owed downstream: requested minus produced.
    owed: u64,
    /// A `request(0)` arrived with no upstream to report it; forwarded on the next `set`.
    zero_requested: bool,
    cancelled: bool,
}

/// The subscription an operator hands downstream when its upstream changes over time
/// (`concat`, `retry`, `repeat`, `on_error_resume`, `timeout` with a fallback).
///
/// It tracks the demand still owed downstream: every [`request`](Self::request) adds to it
/// (and goes to the current upstream), every item delivered is subtracted with
/// [`produced`](Self::produced) (batch it: count locally and call it once before switching),
/// and a new upstream passed to [`set`](Self::set) is asked for exactly what is still owed.
/// The previous upstream is cancelled on replacement (a no-op if it had already terminated).
///
/// When the current upstream terminates, call [`clear`](Self::clear) before subscribing the next
/// one: demand requested in between is then kept for the next upstream instead of being sent
/// to one that has finished. The same holds for a `request(0)`: it is forwarded to the current
/// upstream (which answers with an invalid-request error, rule 3.9), or kept for the next one.
/// Operators that recover from errors (`retry`, `on_error_resume`) must pass an error of kind
/// [`InvalidRequest`](crate::ErrorKind::InvalidRequest) downstream instead of recovering from
/// it: it reports a bug in the downstream, not a failure of the upstream.
///
/// The internal lock is held only to update the numbers, never while calling an upstream.
///
/// ```
/// use reactive_core::support::{SubscriptionArbiter, empty_subscription};
///
/// let arbiter = SubscriptionArbiter::new();
/// arbiter.request(10);
/// arbiter.set(empty_subscription()); // first upstream is asked for 10
/// arbiter.produced(4); // it delivered 4, then completed
/// arbiter.clear();
/// assert_eq!(arbiter.owed(), 6);
/// arbiter.set(empty_subscription()); // the next one is asked for the 6 still owed
/// ```
pub struct SubscriptionArbiter {
    state: Mutex<State>,
}

impl Default for SubscriptionArbiter {
    fn default() -> Self {
        Self::new()
    }
}

impl SubscriptionArbiter {
    /// An arbiter with no upstream and no demand.
    pub fn new() -> Self {
        SubscriptionArbiter {
            state: Mutex::new(State {
                current: None,
                owed: 0,
                zero_requested: false,
                cancelled: false,
            }),
        }
    }

    /// Adds downstream demand and forwards it to the current upstream, if any.
    pub fn request(&self, n: u64) {
        let mut state = self.state.lock();
        if state.cancelled {
            return;
        }
        state.owed = add_cap(state.owed, n);
        let current = state.current.clone();
        if current.is_none() && n == 0 {
            state.zero_requested = true;
        }
        drop(state);
        if let Some(s) = current {
            s.request(n);
        }
    }

    /// Records `n` items delivered downstream since the last call.
    pub fn produced(&self, n: u64) {
        let mut state = self.state.lock();
        if state.owed != UNBOUNDED {
            debug_assert!(
                n <= state.owed,
                "produced {n} items against {} owed (rule 1.1)",
                state.owed
            );
            state.owed = state.owed.saturating_sub(n);
        }
    }

    /// Forgets the current upstream after it terminated: demand and a `request(0)` that arrive
    /// before the next [`set`](Self::set) are kept for the next upstream.
    pub fn clear(&self) {
        let previous = self.state.lock().current.take();
        // Dropped after the lock is released: the last reference may run the upstream's `Drop`.
        drop(previous);
    }

    /// Switches to `subscription`: cancels the previous one and requests what is still owed.
    /// After [`cancel`](Self::cancel), cancels `subscription` instead.
    pub fn set(&self, subscription: SubscriptionRef) {
        let mut state = self.state.lock();
        if state.cancelled {
            drop(state);
            subscription.cancel();
            return;
        }
        let previous = state.current.replace(subscription.clone());
        let owed = state.owed;
        let zero = std::mem::take(&mut state.zero_requested);
        drop(state);
        if let Some(previous) = previous {
            previous.cancel();
        }
        if zero {
            subscription.request(0);
        }
        if owed > 0 {
            subscription.request(owed);
        }
    }

    /// Cancels the current upstream and any later one. Idempotent.
    pub fn cancel(&self) {
        let mut state = self.state.lock();
        state.cancelled = true;
        let current = state.current.take();
        drop(state);
        if let Some(s) = current {
            s.cancel();
        }
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.state.lock().cancelled
    }

    /// Demand still owed downstream ([`UNBOUNDED`] if unbounded).
    pub fn owed(&self) -> u64 {
        self.state.lock().owed
    }
}

impl Subscription for SubscriptionArbiter {
    fn request(&self, n: u64) {
        SubscriptionArbiter::request(self, n)
    }
    fn cancel(&self) {
        SubscriptionArbiter::cancel(self)
    }
}

impl std::fmt::Debug for SubscriptionArbiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state.lock();
        f.debug_struct("SubscriptionArbiter")
            .field("owed", &state.owed)
            .field("cancelled", &state.cancelled)
            .finish()
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::*;
    use crate::support::test_support::Recording;

    #[test]
    fn next_upstream_gets_exactly_what_is_owed() {
        let arb = SubscriptionArbiter::new();
        arb.request(5);
        let a = Recording::start();
        arb.set(a.sub());
        assert_eq!(a.requests(), vec![5]);
        arb.request(2);
        assert_eq!(a.requests(), vec![5, 2]);
        arb.produced(3);
        let b = Recording::start();
        arb.set(b.sub());
        assert_eq!(a.cancels(), 1);
        assert_eq!(b.requests(), vec![4]);
    }

    #[test]
    fn request_zero_between_upstreams_reaches_the_next_one() {
        let arb = SubscriptionArbiter::new();
        let a = Recording::start();
        arb.set(a.sub());
        arb.request(5);
        arb.produced(1); // `a` delivered one item and completed
        arb.clear();
        arb.request(0); // rule 3.9 broken while no upstream is current
        let b = Recording::start();
        arb.set(b.sub());
        assert_eq!(a.requests(), vec![5]);
        assert_eq!(b.requests(), vec![0, 4]);
    }

    #[test]
    fn unbounded_stays_unbounded_across_switches() {
        let arb = SubscriptionArbiter::new();
        arb.request(UNBOUNDED);
        arb.produced(1_000);
        let b = Recording::start();
        arb.set(b.sub());
        assert_eq!(b.requests(), vec![UNBOUNDED]);
    }

    #[test]
    fn cancel_reaches_current_and_future_upstreams() {
        let arb = SubscriptionArbiter::new();
        let a = Recording::start();
        arb.set(a.sub());
        arb.cancel();
        arb.cancel();
        assert_eq!(a.cancels(), 1);
        let b = Recording::start();
        arb.set(b.sub());
        assert_eq!(b.cancels(), 1);
        assert!(b.requests().is_empty());
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use super::*;
    use crate::loom::sync::Arc;
    use crate::loom::thread;
    use crate::support::test_support::Recording;

    /// A downstream request races a switch to a new upstream after the old one delivered 1 of
    /// 2: the new upstream is asked for exactly the demand still owed, counting the racing
    /// request once, and the old one never receives more than it was owed plus the race.
    #[test]
    fn arbiter_switch_races_request() {
        loom::model(|| {
            let arb = Arc::new(SubscriptionArbiter::new());
            let old = Recording::start();
            arb.request(2);
            arb.set(old.sub());
            arb.produced(1);
            let a2 = arb.clone();
            let t = thread::spawn(move || a2.request(3));
            let new = Recording::start();
            arb.set(new.sub());
            t.join().unwrap();
            let new_total: u64 = new.requests().iter().sum();
            assert_eq!(
                new_total, 4,
                "the new upstream must be asked for 1 owed + 3 requested"
            );
            assert_eq!(arb.owed(), 4);
        });
    }
}
