//! `take_until`: relays the main stream until the other publisher emits its first item (or
//! completes), then cancels both and completes.
//!
//! The main side's items and the other side's signals meet in a [`Serial`]: see
//! `companion.rs` for who touches what.

use std::marker::PhantomData;
use std::sync::Arc;

use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef};

use super::companion::{Serial, Side};

/// The publisher returned by [`PublisherExt::take_until`](crate::PublisherExt::take_until).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct TakeUntil<P, O> {
    source: P,
    other: O,
}

impl<P, O> TakeUntil<P, O> {
    pub(crate) fn new(source: P, other: O) -> Self {
        TakeUntil { source, other }
    }
}

impl<P: std::fmt::Debug, O: std::fmt::Debug> std::fmt::Debug for TakeUntil<P, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TakeUntil")
            .field("source", &self.source)
            .field("other", &self.other)
            .finish()
    }
}

impl<P, O> Publisher for TakeUntil<P, O>
where
    P: Publisher,
    O: Publisher,
    P::Item: 'static,
    O::Item: 'static,
{
    type Item = P::Item;

    fn subscribe<D>(&self, downstream: D)
    where
        D: Subscriber<P::Item> + 'static,
    {
        let shared = Arc::new(Shared {
            main: Side::new(),
            other: Side::new(),
            serial: Serial::new(downstream),
        });
        shared.serial.subscribe(shared.clone());
        // The other side first: if it fires at once, the main side is cancelled on arrival.
        self.other.subscribe(OtherSubscriber {
            shared: shared.clone(),
            done: false,
            items: PhantomData,
        });
        self.source.subscribe(MainSubscriber { shared });
    }
}

/// Both sides and the downstream; the downstream's subscription.
struct Shared<T, D> {
    main: Side,
    other: Side,
    serial: Serial<T, D>,
}

impl<T, D: Subscriber<T>> Shared<T, D> {
    /// Ends the stream with `end` (`None`: a cancel), cancelling both sides that are still
    /// running; only the first end counts.
    fn end(&self, end: Option<Result<(), Error>>) {
        self.main.cancel();
        self.other.cancel();
        self.serial.end(end);
    }
}

impl<T, D> std::fmt::Debug for Shared<T, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TakeUntil")
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

impl<T: 'static, D: Subscriber<T> + 'static> Subscription for Shared<T, D> {
    fn request(&self, n: u64) {
        // Pass-through: the main side keeps the demand (and reports a `request(0)`).
        self.main.slot.request(n);
    }

    fn cancel(&self) {
        self.end(None);
    }
}

struct MainSubscriber<T, D> {
    shared: Arc<Shared<T, D>>,
}

impl<T: 'static, D: Subscriber<T> + 'static> Subscriber<T> for MainSubscriber<T, D> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // A second subscription, or one after the stream ended, is cancelled (rule 2.5).
        self.shared.main.slot.set(subscription);
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        self.shared.serial.next(item, false);
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        self.shared.serial.next(item, true)
    }

    fn on_error(&mut self, error: Error) {
        self.shared.main.finished();
        self.shared.end(Some(Err(error)));
    }

    fn on_complete(&mut self) {
        self.shared.main.finished();
        self.shared.end(Some(Ok(())));
    }
}

struct OtherSubscriber<T, D> {
    shared: Arc<Shared<T, D>>,
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
            self.shared.other.finished();
        }
        self.shared.end(Some(end));
    }
}

impl<T, U, D> Subscriber<U> for OtherSubscriber<T, D>
where
    T: 'static,
    D: Subscriber<T> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.shared.other.slot.set(subscription.clone()) {
            // Only its first signal matters.
            subscription.request(1);
        }
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

    use super::super::loom_harness::{Asked, Manual, Slot};
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

    fn manual() -> (Manual, Slot) {
        let slot: Slot = Arc::new(Mutex::new(None));
        let manual = Manual {
            asked: Arc::new(Asked::default()),
            subscriber: slot.clone(),
        };
        (manual, slot)
    }

    /// The main side sends two items on one thread while the other side fires on another:
    /// the downstream gets a prefix of the items, then exactly one completion, and nothing
    /// after it.
    #[test]
    fn take_until_other_vs_main_on_next() {
        loom::model(|| {
            let (main, main_slot) = manual();
            let (other, other_slot) = manual();
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
