//! `take_until`: relays the main stream until the other publisher emits its first item (or
//! completes), then cancels both and completes.
//!
//! The main side's items and the other side's signals meet in a [`Joined`]: see
//! `companion.rs` for who touches what.

use std::marker::PhantomData;
use std::sync::Arc;

use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

use super::companion::{Gate, Joined, MainSubscriber, main_and_other};

main_and_other! {
    /// The publisher returned by [`PublisherExt::take_until`](crate::PublisherExt::take_until).
    TakeUntil,
    state: (),
    gate: Always
}

/// Every item of the main side passes (until the end).
struct Always;

impl<T> Gate<T, T, ()> for Always {
    #[inline]
    fn admit(&mut self, _: &(), item: T) -> Option<T> {
        Some(item)
    }
}

struct OtherSubscriber<T, D> {
    joined: Arc<Joined<T, D, ()>>,
    /// Fired or ended: later signals are ignored.
    done: bool,
    items: PhantomData<fn(T)>,
}

impl<T, D: Subscriber<T>> OtherSubscriber<T, D> {
    /// The other side fired (`finished`: with its own terminal signal): the stream ends.
    fn fire(&mut self, end: Result<(), Error>, finished: bool) {
        if std::mem::replace(&mut self.done, true) {
            return;
        }
        if finished {
            self.joined.other_ended(end);
        } else {
            self.joined.end(Some(end));
        }
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
        self.fire(Ok(()), false);
    }

    fn on_error(&mut self, error: Error) {
        self.fire(Err(error), true);
    }

    fn on_complete(&mut self) {
        self.fire(Ok(()), true);
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;

    use reactive_core::sync::Mutex;
    use reactive_core::sync::thread;
    use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef, UNBOUNDED};

    use super::super::loom_support::Manual;
    use super::TakeUntil;

    /// Every signal in order: items as themselves, the completion as `u64::MAX`.
    struct Events(Arc<Mutex<Vec<u64>>>, Arc<Mutex<Option<SubscriptionRef>>>);

    impl Subscriber<u64> for Events {
        fn on_subscribe(&mut self, s: SubscriptionRef) {
            *self.1.lock() = Some(s);
        }
        fn on_next(&mut self, item: u64) {
            self.0.lock().push(item);
        }
        fn on_error(&mut self, error: Error) {
            panic!("unexpected {error}");
        }
        fn on_complete(&mut self) {
            self.0.lock().push(u64::MAX);
        }
    }

    /// The main side sends two items on one thread while the other side fires on another:
    /// the downstream gets a prefix of the items, then exactly one completion, and nothing
    /// after it.
    #[test]
    fn take_until_other_vs_main_on_next() {
        loom::model(|| {
            let (main, _, main_slot) = Manual::new();
            let (other, _, other_slot) = Manual::new();
            let events = Arc::new(Mutex::new(Vec::new()));
            let subscription = Arc::new(Mutex::new(None));
            TakeUntil::new(main, other).subscribe(Events(events.clone(), subscription.clone()));
            let s = subscription.lock().clone().expect("on_subscribe ran");
            s.request(UNBOUNDED);
            let mut main = main_slot.lock().take().expect("main subscribed");
            let mut other = other_slot.lock().take().expect("other subscribed");
            let producer = thread::spawn(move || {
                main.on_next(1);
                main.on_next(2);
            });
            other.on_next(0);
            producer.join().unwrap();
            let events = events.lock();
            let (last, items) = events.split_last().expect("a completion");
            assert_eq!(*last, u64::MAX, "the completion comes last: {events:?}");
            assert!(
                items.is_empty() || items == [1] || items == [1, 2],
                "a prefix of the items, then the completion, once: {events:?}"
            );
        });
    }
}
