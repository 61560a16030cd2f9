//! `skip_until`: drops the main stream's items until the other publisher emits its first item
//! (or completes), then relays them.
//!
//! The main side's items and the other side's error meet in a [`Joined`] (see
//! `companion.rs`); the gate is its state, one flag opened once by the other side.

use std::marker::PhantomData;
use std::sync::Arc;

use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

use super::companion::{Gate, Joined, MainSubscriber, main_and_other};

main_and_other! {
    /// The publisher returned by [`PublisherExt::skip_until`](crate::PublisherExt::skip_until).
    SkipUntil,
    state: AtomicBool::new(false),
    gate: IfOpen
}

/// Items pass once the other side has fired.
struct IfOpen;

impl<T> Gate<T, T, AtomicBool> for IfOpen {
    #[inline]
    fn admit(&mut self, open: &AtomicBool, item: T) -> Option<T> {
        open.load(Ordering::Acquire).then_some(item)
    }
}

struct OtherSubscriber<T, D> {
    joined: Arc<Joined<T, D, AtomicBool>>,
    /// Fired or ended: later signals are ignored.
    done: bool,
    items: PhantomData<fn(T)>,
}

impl<T, D: Subscriber<T>> OtherSubscriber<T, D> {
    /// Opens the gate, once; returns whether this call did.
    fn open(&mut self) -> bool {
        if std::mem::replace(&mut self.done, true) {
            return false;
        }
        self.joined.state.store(true, Ordering::Release);
        true
    }
}

impl<T, U, D> Subscriber<U> for OtherSubscriber<T, D>
where
    T: 'static,
    D: Subscriber<T> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // Only its first signal matters.
        self.joined.other_subscribed(subscription, 1);
    }

    fn on_next(&mut self, _: U) {
        if self.open() {
            self.joined.other.cancel();
        }
    }

    fn on_error(&mut self, error: Error) {
        if !std::mem::replace(&mut self.done, true) {
            self.joined.other_ended(Err(error));
        }
    }

    fn on_complete(&mut self) {
        self.joined.other.finished();
        self.open();
    }
}
