// A small, correct synchronous publisher over a `Vec`: the stand-in source of the step
// verifier's unit tests and (through `include!`, so that it stays out of the public API) of its
// doc examples. It names only `std`, `parking_lot` and `reactive_core`, and has no inner
// attributes, so that it can be included inside a `mod` block.

use std::sync::Arc;

use parking_lot::Mutex;
use reactive_core::support::{Demand, WipCell};
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef};

/// Emits clones of `items` one per requested item, then completes, or fails with `error` if
/// one is set. Unicast and cold: every subscriber gets the whole sequence.
pub struct VecPublisher<T> {
    items: Vec<T>,
    error: Option<Error>,
}

/// A publisher of `items` that completes after the last one.
pub fn vec_publisher<T>(items: Vec<T>) -> VecPublisher<T> {
    VecPublisher { items, error: None }
}

/// A publisher of `items` that fails with `error` after the last one.
pub fn vec_publisher_then_error<T>(items: Vec<T>, error: Error) -> VecPublisher<T> {
    VecPublisher {
        items,
        error: Some(error),
    }
}

struct State<S, T> {
    subscriber: Option<S>,
    handle: Option<SubscriptionRef>,
    items: std::vec::IntoIter<T>,
    error: Option<Error>,
}

struct VecSubscription<S, T> {
    demand: Demand,
    zero_requested: Mutex<bool>,
    state: WipCell<State<S, T>>,
}

impl<S: Subscriber<T>, T> VecSubscription<S, T> {
    fn drain(&self) {
        self.state.drain(|st| {
            let Some(mut s) = st.subscriber.take() else {
                return;
            };
            if let Some(handle) = st.handle.take() {
                s.on_subscribe(handle); // a request in here makes the drain loop run again
            }
            if *self.zero_requested.lock() {
                s.on_error(Error::invalid_request(0));
                return;
            }
            loop {
                if self.demand.is_cancelled() {
                    return; // drops the subscriber (rule 3.13)
                }
                if st.items.len() == 0 {
                    match st.error.take() {
                        Some(e) => s.on_error(e),
                        None => s.on_complete(),
                    }
                    return;
                }
                if self.demand.get() == 0 {
                    st.subscriber = Some(s);
                    return;
                }
                self.demand.produced(1);
                if let Some(item) = st.items.next() {
                    s.on_next(item);
                }
            }
        });
    }
}

impl<S: Subscriber<T> + Send, T: Send> Subscription for VecSubscription<S, T> {
    fn request(&self, n: u64) {
        if n == 0 {
            *self.zero_requested.lock() = true;
        } else {
            self.demand.add(n);
        }
        self.drain();
    }

    fn cancel(&self) {
        self.demand.cancel();
        self.drain();
    }
}

impl<T: Clone + Send + 'static> Publisher for VecPublisher<T> {
    type Item = T;
    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<T> + 'static,
    {
        let subscription = Arc::new(VecSubscription {
            demand: Demand::new(),
            zero_requested: Mutex::new(false),
            state: WipCell::new(State {
                subscriber: Some(subscriber),
                handle: None,
                items: self.items.clone().into_iter(),
                error: self.error.clone(),
            }),
        });
        let handle: SubscriptionRef = subscription.clone();
        subscription
            .state
            .drain(|st| st.handle = Some(handle.clone()));
        subscription.drain();
    }
}
