//! A set-once holder for an upstream subscription.

use crate::loom::sync::Mutex;
use crate::support::add_cap;
use crate::{Subscription, SubscriptionRef};

enum State {
    /// Not set yet; demand and a `request(0)` asked for before arrival are kept.
    Empty {
        pending: u64,
        zero_requested: bool,
    },
    Set(SubscriptionRef),
    Cancelled,
}

/// Holds the upstream subscription of a subscriber that is itself handed to someone else
/// before `on_subscribe` arrives.
///
/// * [`set`](Self::set) accepts the first subscription; a second one is cancelled at once
///   (rule 2.5), and so is one that arrives after [`cancel`](Self::cancel).
/// * [`request`](Self::request) before `set` is remembered and forwarded on arrival, so demand
///   is never lost (a `request(0)` is forwarded too, so the upstream can signal rule 3.9).
/// * [`cancel`](Self::cancel) before `set` cancels the subscription when it arrives.
///
/// The internal lock is only held to swap the state, never while calling the subscription.
///
/// ```
/// use reactive_core::support::{SubscriptionSlot, empty_subscription};
///
/// let slot = SubscriptionSlot::new();
/// slot.request(3); // remembered
/// assert!(slot.set(empty_subscription()));
/// assert!(!slot.set(empty_subscription())); // rule 2.5: the newcomer is cancelled
/// slot.cancel();
/// assert!(slot.is_cancelled());
/// ```
pub struct SubscriptionSlot {
    state: Mutex<State>,
}

impl Default for SubscriptionSlot {
    fn default() -> Self {
        Self::new()
    }
}

impl SubscriptionSlot {
    /// An empty slot.
    pub fn new() -> Self {
        SubscriptionSlot {
            state: Mutex::new(State::Empty {
                pending: 0,
                zero_requested: false,
            }),
        }
    }

    /// Stores `subscription` if the slot is empty and forwards demand requested so far.
    /// Otherwise cancels `subscription` and returns `false`.
    pub fn set(&self, subscription: SubscriptionRef) -> bool {
        let mut state = self.state.lock();
        match &*state {
            State::Empty {
                pending,
                zero_requested,
            } => {
                let (pending, zero) = (*pending, *zero_requested);
                *state = State::Set(subscription.clone());
                drop(state);
                if zero {
                    subscription.request(0);
                }
                if pending > 0 {
                    subscription.request(pending);
                }
                true
            }
            State::Set(_) | State::Cancelled => {
                drop(state);
                subscription.cancel();
                false
            }
        }
    }

    /// Requests `n` from the subscription, or remembers it until the subscription arrives.
    pub fn request(&self, n: u64) {
        let mut state = self.state.lock();
        match &mut *state {
            State::Empty {
                pending,
                zero_requested,
            } => {
                if n == 0 {
                    *zero_requested = true;
                } else {
                    *pending = add_cap(*pending, n);
                }
            }
            State::Set(s) => {
                let s = s.clone();
                drop(state);
                s.request(n);
            }
            State::Cancelled => {}
        }
    }

    /// Cancels the subscription now, or on arrival. Idempotent.
    pub fn cancel(&self) {
        let old = std::mem::replace(&mut *self.state.lock(), State::Cancelled);
        if let State::Set(s) = old {
            s.cancel();
        }
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        matches!(*self.state.lock(), State::Cancelled)
    }

    /// The subscription, once set and while not cancelled.
    pub fn get(&self) -> Option<SubscriptionRef> {
        match &*self.state.lock() {
            State::Set(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl Subscription for SubscriptionSlot {
    fn request(&self, n: u64) {
        SubscriptionSlot::request(self, n)
    }
    fn cancel(&self) {
        SubscriptionSlot::cancel(self)
    }
}

impl std::fmt::Debug for SubscriptionSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &*self.state.lock() {
            State::Empty { .. } => "empty",
            State::Set(_) => "set",
            State::Cancelled => "cancelled",
        };
        f.debug_struct("SubscriptionSlot")
            .field("state", &state)
            .finish()
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::*;
    use crate::support::test_support::Recording;

    #[test]
    fn demand_before_set_is_forwarded() {
        let slot = SubscriptionSlot::new();
        slot.request(2);
        slot.request(3);
        let rec = Recording::start();
        assert!(slot.set(rec.sub()));
        slot.request(1);
        assert_eq!(rec.requests(), vec![5, 1]);
    }

    #[test]
    fn second_subscription_is_cancelled() {
        let slot = SubscriptionSlot::new();
        let (a, b) = (Recording::start(), Recording::start());
        assert!(slot.set(a.sub()));
        assert!(!slot.set(b.sub()));
        assert_eq!(b.cancels(), 1);
        assert_eq!(a.cancels(), 0);
    }

    #[test]
    fn cancel_before_set_cancels_on_arrival() {
        let slot = SubscriptionSlot::new();
        slot.request(4);
        slot.cancel();
        let a = Recording::start();
        assert!(!slot.set(a.sub()));
        assert_eq!(a.cancels(), 1);
        assert!(a.requests().is_empty());
    }

    #[test]
    fn zero_request_before_set_reaches_upstream() {
        let slot = SubscriptionSlot::new();
        slot.request(0);
        let a = Recording::start();
        slot.set(a.sub());
        assert_eq!(a.requests(), vec![0]);
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use super::*;
    use crate::loom::sync::Arc;
    use crate::loom::thread;
    use crate::support::test_support::Recording;

    /// `set` on the subscriber's thread races `cancel` from downstream: the subscription is
    /// cancelled exactly once either way, and `set` reports acceptance only if it came first.
    #[test]
    fn slot_set_races_cancel() {
        loom::model(|| {
            let slot = Arc::new(SubscriptionSlot::new());
            let upstream = Recording::start();
            let s2 = slot.clone();
            let t = thread::spawn(move || s2.cancel());
            slot.set(upstream.sub());
            t.join().unwrap();
            assert_eq!(upstream.cancels(), 1, "cancel lost or doubled");
            assert!(slot.is_cancelled());
        });
    }

    /// A request races `set`: the upstream receives the demand exactly once.
    #[test]
    fn slot_request_races_set() {
        loom::model(|| {
            let slot = Arc::new(SubscriptionSlot::new());
            let upstream = Recording::start();
            let s2 = slot.clone();
            let t = thread::spawn(move || s2.request(3));
            slot.set(upstream.sub());
            t.join().unwrap();
            assert_eq!(upstream.requests().iter().sum::<u64>(), 3);
        });
    }
}
