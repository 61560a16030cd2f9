//! `skip_until`: drops the main stream's items until the other publisher emits its first item
//! (or completes), then relays them.
//!
//! The main side's items and the other side's error meet in a [`Serial`]: see `companion.rs`
//! for who touches what; the gate is one flag, opened once by the other side.

use std::marker::PhantomData;
use std::sync::Arc;

use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef};

use super::companion::{Serial, Side};

/// The publisher returned by [`PublisherExt::skip_until`](crate::PublisherExt::skip_until).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct SkipUntil<P, O> {
    source: P,
    other: O,
}

impl<P, O> SkipUntil<P, O> {
    pub(crate) fn new(source: P, other: O) -> Self {
        SkipUntil { source, other }
    }
}

impl<P: std::fmt::Debug, O: std::fmt::Debug> std::fmt::Debug for SkipUntil<P, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SkipUntil")
            .field("source", &self.source)
            .field("other", &self.other)
            .finish()
    }
}

impl<P, O> Publisher for SkipUntil<P, O>
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
            open: AtomicBool::new(false),
            serial: Serial::new(downstream),
        });
        shared.serial.subscribe(shared.clone());
        // The other side first: one that fires at once opens the gate before the first item.
        self.other.subscribe(OtherSubscriber {
            shared: shared.clone(),
            done: false,
            items: PhantomData,
        });
        self.source.subscribe(MainSubscriber { shared });
    }
}

struct Shared<T, D> {
    main: Side,
    other: Side,
    /// The other side has fired: items pass.
    open: AtomicBool,
    serial: Serial<T, D>,
}

impl<T, D: Subscriber<T>> Shared<T, D> {
    fn end(&self, end: Option<Result<(), Error>>) {
        self.main.cancel();
        self.other.cancel();
        self.serial.end(end);
    }
}

impl<T, D> std::fmt::Debug for Shared<T, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SkipUntil")
            .field("open", &self.open.load(Ordering::Relaxed))
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
        if self.shared.open.load(Ordering::Acquire) {
            self.shared.serial.next(item, false);
        } else {
            // Dropped: the downstream asked for an item it did not get.
            self.shared.main.slot.request(1);
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        self.shared.open.load(Ordering::Acquire) && self.shared.serial.next(item, true)
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
    /// Opens the gate, once.
    fn open(&mut self) -> bool {
        if std::mem::replace(&mut self.done, true) {
            return false;
        }
        self.shared.open.store(true, Ordering::Release);
        true
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
        if self.open() {
            self.shared.other.cancel();
        }
    }

    fn on_error(&mut self, error: Error) {
        if !std::mem::replace(&mut self.done, true) {
            self.shared.other.finished();
            self.shared.end(Some(Err(error)));
        }
    }

    fn on_complete(&mut self) {
        self.shared.other.finished();
        self.open();
    }
}
