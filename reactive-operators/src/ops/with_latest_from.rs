//! `with_latest_from`: each item of the main stream combined with the latest item of the
//! other publisher.
//!
//! The main side's items and the other side's end meet in a [`Serial`] (see `companion.rs`);
//! the other side's latest item is the one more piece of shared state:
//!
//! | state | written by | read by |
//! |---|---|---|
//! | `latest` (an `Arc` behind a short lock) | the other side's `on_next` | the main side's `on_next` (clones the `Arc`, then calls `f` without the lock) |

use std::marker::PhantomData;
use std::sync::Arc;

use reactive_core::sync::Mutex;
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef, UNBOUNDED};

use super::companion::{Serial, Side};

/// The publisher returned by
/// [`PublisherExt::with_latest_from`](crate::PublisherExt::with_latest_from).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct WithLatestFrom<P, O, F> {
    source: P,
    other: O,
    f: F,
}

impl<P, O, F> WithLatestFrom<P, O, F> {
    pub(crate) fn new(source: P, other: O, f: F) -> Self {
        WithLatestFrom { source, other, f }
    }
}

impl<P: std::fmt::Debug, O: std::fmt::Debug, F> std::fmt::Debug for WithLatestFrom<P, O, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WithLatestFrom")
            .field("source", &self.source)
            .field("other", &self.other)
            .finish_non_exhaustive()
    }
}

impl<P, O, F, R> Publisher for WithLatestFrom<P, O, F>
where
    P: Publisher,
    O: Publisher,
    P::Item: 'static,
    O::Item: Send + Sync + 'static,
    F: FnMut(P::Item, &O::Item) -> R + Clone + Send + 'static,
    R: 'static,
{
    type Item = R;

    fn subscribe<D>(&self, downstream: D)
    where
        D: Subscriber<R> + 'static,
    {
        let shared = Arc::new(Shared {
            main: Side::new(),
            other: Side::new(),
            latest: Mutex::new(None),
            serial: Serial::new(downstream),
        });
        shared.serial.subscribe(shared.clone());
        // The other side first: a value it has at once is there for the first main item.
        self.other.subscribe(OtherSubscriber {
            shared: shared.clone(),
            seen: false,
            items: PhantomData,
        });
        self.source.subscribe(MainSubscriber {
            shared,
            f: self.f.clone(),
        });
    }
}

struct Shared<U, R, D> {
    main: Side,
    other: Side,
    latest: Mutex<Option<Arc<U>>>,
    serial: Serial<R, D>,
}

impl<U, R, D: Subscriber<R>> Shared<U, R, D> {
    fn end(&self, end: Option<Result<(), Error>>) {
        self.main.cancel();
        self.other.cancel();
        self.serial.end(end);
    }
}

impl<U, R, D> std::fmt::Debug for Shared<U, R, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WithLatestFrom")
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

impl<U, R, D> Subscription for Shared<U, R, D>
where
    U: Send + Sync + 'static,
    R: 'static,
    D: Subscriber<R> + 'static,
{
    fn request(&self, n: u64) {
        // Pass-through: the main side keeps the demand (and reports a `request(0)`).
        self.main.slot.request(n);
    }

    fn cancel(&self) {
        self.end(None);
    }
}

struct MainSubscriber<U, R, D, F> {
    shared: Arc<Shared<U, R, D>>,
    f: F,
}

impl<U, R, D, F> MainSubscriber<U, R, D, F> {
    /// The combined item, or `None` (the item is dropped) while the other side has none.
    #[inline]
    fn combine<T>(&mut self, item: T) -> Option<R>
    where
        F: FnMut(T, &U) -> R,
    {
        let latest = self.shared.latest.lock().clone();
        latest.map(|latest| (self.f)(item, &latest))
    }
}

impl<T, U, R, D, F> Subscriber<T> for MainSubscriber<U, R, D, F>
where
    T: 'static,
    U: Send + Sync + 'static,
    R: 'static,
    D: Subscriber<R> + 'static,
    F: FnMut(T, &U) -> R + Send + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // A second subscription, or one after the stream ended, is cancelled (rule 2.5).
        self.shared.main.slot.set(subscription);
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        match self.combine(item) {
            Some(out) => {
                self.shared.serial.next(out, false);
            }
            // Dropped: the downstream asked for an item it did not get.
            None => self.shared.main.slot.request(1),
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        match self.combine(item) {
            Some(out) => self.shared.serial.next(out, true),
            None => false,
        }
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

struct OtherSubscriber<U, R, D> {
    shared: Arc<Shared<U, R, D>>,
    /// The other side has sent an item.
    seen: bool,
    items: PhantomData<fn(U)>,
}

impl<U, R, D> Subscriber<U> for OtherSubscriber<U, R, D>
where
    U: Send + Sync + 'static,
    R: 'static,
    D: Subscriber<R> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.shared.other.slot.set(subscription.clone()) {
            // Only the latest item is kept: nothing to bound.
            subscription.request(UNBOUNDED);
        }
    }

    fn on_next(&mut self, item: U) {
        self.seen = true;
        let latest = Arc::new(item);
        // The old value is dropped after the lock is released.
        let old = self.shared.latest.lock().replace(latest);
        drop(old);
    }

    fn on_error(&mut self, error: Error) {
        self.shared.other.finished();
        self.shared.end(Some(Err(error)));
    }

    fn on_complete(&mut self) {
        self.shared.other.finished();
        if !self.seen {
            // No item can ever be combined: the stream is over.
            self.shared.end(Some(Ok(())));
        }
    }
}
