//! What the operators that watch a second publisher while they relay the first
//! (`take_until`, `skip_until`, `with_latest_from`) share: each side's subscription and end
//! flag ([`Side`]), and the serializer that lets the main side's items and the other side's
//! terminal signal reach the downstream one at a time ([`Serial`]).
//!
//! Who touches what:
//!
//! | state | written by | read by |
//! |---|---|---|
//! | each side's subscription ([`SubscriptionSlot`]) | that side's `on_subscribe` | `request` (main), `cancel`, the other side's end |
//! | each side's `done` | that side's terminal signal | a cancel (no cancel after a terminal, rule 2.4) |
//! | `ended`, `end` | the first terminal signal or cancel, once | the drainer |
//! | the downstream (in the `WipCell`) | only the drainer | |

use std::marker::PhantomData;
use std::sync::Arc;

use reactive_core::support::{SubscriptionSlot, WipCell};
use reactive_core::sync::Mutex;
use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Error, Subscriber, Subscription, SubscriptionRef};

/// One of the two upstreams: its subscription, and whether it has ended.
#[derive(Debug)]
pub(crate) struct Side {
    pub(crate) slot: SubscriptionSlot,
    done: AtomicBool,
}

impl Side {
    pub(crate) fn new() -> Self {
        Side {
            slot: SubscriptionSlot::new(),
            done: AtomicBool::new(false),
        }
    }

    /// This side sent its terminal signal: it is never cancelled afterwards.
    pub(crate) fn finished(&self) {
        self.done.store(true, Ordering::Release);
    }

    /// Cancels this side unless it has ended (a cancel after its terminal signal would break
    /// rule 2.4 on the subscriber side).
    pub(crate) fn cancel(&self) {
        if !self.done.load(Ordering::Acquire) {
            self.slot.cancel();
        }
    }
}

/// What only the drainer touches.
struct Out<D> {
    /// `None` once the stream has ended or was cancelled: dropping it is rule 3.13.
    downstream: Option<D>,
    /// The subscription for the downstream's `on_subscribe`, until the first pass.
    handle: Option<SubscriptionRef>,
}

/// The downstream behind a drain loop: the main side hands it items, any side (or a cancel)
/// hands it the end, from any thread, one at a time.
///
/// The main side's items arrive serially (rule 1.3), and only a terminal signal or a cancel
/// runs a pass from elsewhere; so an item whose caller finds the drain busy is dropped: the
/// stream is ending (the pass that holds the drain delivers the end).
pub(crate) struct Serial<T, D> {
    cell: WipCell<Out<D>>,
    /// The downstream's item type (a `fn` type: it is `Send` and `Sync` whatever `T` is).
    items: PhantomData<fn(T)>,
    /// An end was recorded (set once, before `end` is read by a pass).
    ended: AtomicBool,
    /// The end to deliver: `Some(result)`, or `None` for a cancel (no signal).
    end: Mutex<Option<Option<Result<(), Error>>>>,
}

impl<T, D> std::fmt::Debug for Serial<T, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serial")
            .field("ended", &self.ended.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<T, D: Subscriber<T>> Serial<T, D> {
    pub(crate) fn new(downstream: D) -> Self {
        Serial {
            items: PhantomData,
            cell: WipCell::new(Out {
                downstream: Some(downstream),
                handle: None,
            }),
            ended: AtomicBool::new(false),
            end: Mutex::new(None),
        }
    }

    /// Whether an end (or a cancel) was recorded.
    pub(crate) fn is_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    /// Records the end, once (the first one wins): `Some(result)` is delivered, `None` (a
    /// cancel) only drops the downstream. Returns whether this call was the first.
    pub(crate) fn end(&self, end: Option<Result<(), Error>>) -> bool {
        if self.ended.swap(true, Ordering::AcqRel) {
            return false;
        }
        // Record first, then drain: whoever holds the drain finds it.
        *self.end.lock() = Some(end);
        self.cell.drain(|out| self.deliver_end(out));
        true
    }

    /// Delivers the recorded end, if any.
    fn deliver_end(&self, out: &mut Out<D>) {
        if out.downstream.is_none() || !self.ended.load(Ordering::Acquire) {
            return;
        }
        let end = self.end.lock().take();
        let Some(end) = end else { return };
        out.handle = None;
        if let Some(mut downstream) = out.downstream.take() {
            match end {
                Some(Ok(())) => downstream.on_complete(),
                Some(Err(error)) => downstream.on_error(error),
                None => {}
            }
        }
    }

    /// Gives the downstream its subscription (before any other signal: nobody else can drain
    /// yet), then delivers an end recorded meanwhile.
    pub(crate) fn subscribe(&self, handle: SubscriptionRef) {
        self.cell.drain(|out| {
            if let Some(downstream) = out.downstream.as_mut() {
                downstream.on_subscribe(handle.clone());
            }
            self.deliver_end(out);
        });
    }

    /// Hands the downstream an item from the main side, on the plain path
    /// (`conditional == false`) or the conditional one; returns whether it was taken (always
    /// `true` on the plain path, unless the stream is ending).
    #[inline]
    pub(crate) fn next(&self, item: T, conditional: bool) -> bool {
        if self.is_ended() {
            return false;
        }
        let mut item = Some(item);
        let mut taken = false;
        self.cell.drain(|out| {
            if let Some(item) = item.take() {
                // An end recorded before this pass wins over the item.
                if !self.is_ended() {
                    if let Some(downstream) = out.downstream.as_mut() {
                        taken = if conditional {
                            downstream.try_on_next(item)
                        } else {
                            downstream.on_next(item);
                            true
                        };
                    }
                }
            }
            self.deliver_end(out);
        });
        taken
    }
}

/// Both sides, the serializer in front of the downstream, and the operator's own shared
/// `state`; it is also the subscription the downstream gets.
pub(crate) struct Joined<T, D, X> {
    pub(crate) main: Side,
    pub(crate) other: Side,
    pub(crate) serial: Serial<T, D>,
    pub(crate) state: X,
}

impl<T, D: Subscriber<T>, X> Joined<T, D, X> {
    /// Ends the stream with `end` (`None`: a cancel), cancelling both sides that are still
    /// running; only the first end counts.
    pub(crate) fn end(&self, end: Option<Result<(), Error>>) {
        self.main.cancel();
        self.other.cancel();
        self.serial.end(end);
    }

    /// The other side sent its terminal signal `end`, which ends the stream.
    pub(crate) fn other_ended(&self, end: Result<(), Error>) {
        self.other.finished();
        self.end(Some(end));
    }

    /// Keeps the other side's subscription and asks it for `n` (a second one, or one after
    /// the stream ended, is cancelled: rule 2.5).
    pub(crate) fn other_subscribed(&self, subscription: SubscriptionRef, n: u64) {
        if self.other.slot.set(subscription.clone()) {
            subscription.request(n);
        }
    }
}

impl<T, D, X> Joined<T, D, X>
where
    T: 'static,
    D: Subscriber<T> + 'static,
    X: Send + Sync + 'static,
{
    /// The shared part of a new subscription: the downstream has its subscription when this
    /// returns; the caller then subscribes the other side, then the main side.
    pub(crate) fn start(downstream: D, state: X) -> Arc<Self> {
        let joined = Arc::new(Joined {
            main: Side::new(),
            other: Side::new(),
            serial: Serial::new(downstream),
            state,
        });
        joined.serial.subscribe(joined.clone());
        joined
    }
}

impl<T, D, X> std::fmt::Debug for Joined<T, D, X> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Joined")
            .field("main", &self.main)
            .field("other", &self.other)
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

impl<T, D, X> Subscription for Joined<T, D, X>
where
    T: 'static,
    D: Subscriber<T> + 'static,
    X: Send + Sync + 'static,
{
    fn request(&self, n: u64) {
        // Pass-through: the main side keeps the demand (and reports a `request(0)`).
        self.main.slot.request(n);
    }

    fn cancel(&self) {
        self.end(None);
    }
}

/// What an operator of this family does with each item of the main side: the item to hand
/// downstream, or `None` to drop it (the downstream is then owed a replacement).
pub(crate) trait Gate<I, T, X>: Send + 'static {
    fn admit(&mut self, state: &X, item: I) -> Option<T>;
}

/// The subscriber put on the main side: each item through the operator's [`Gate`], a
/// dropped one replaced by `request(1)` (or not counted, on the conditional path).
pub(crate) struct MainSubscriber<T, D, X, G> {
    joined: Arc<Joined<T, D, X>>,
    gate: G,
}

impl<T, D, X, G> MainSubscriber<T, D, X, G> {
    pub(crate) fn new(joined: Arc<Joined<T, D, X>>, gate: G) -> Self {
        MainSubscriber { joined, gate }
    }
}

impl<I, T, D, X, G> Subscriber<I> for MainSubscriber<T, D, X, G>
where
    T: 'static,
    D: Subscriber<T> + 'static,
    X: Send + Sync + 'static,
    G: Gate<I, T, X>,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // A second subscription, or one after the stream ended, is cancelled (rule 2.5).
        self.joined.main.slot.set(subscription);
    }

    #[inline]
    fn on_next(&mut self, item: I) {
        match self.gate.admit(&self.joined.state, item) {
            Some(out) => {
                self.joined.serial.next(out, false);
            }
            // Dropped: the downstream asked for an item it did not get.
            None => self.joined.main.slot.request(1),
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: I) -> bool {
        match self.gate.admit(&self.joined.state, item) {
            Some(out) => self.joined.serial.next(out, true),
            None => false,
        }
    }

    fn on_error(&mut self, error: Error) {
        self.joined.main.finished();
        self.joined.end(Some(Err(error)));
    }

    fn on_complete(&mut self) {
        self.joined.main.finished();
        self.joined.end(Some(Ok(())));
    }
}

/// The publisher struct of an operator over a main source and another publisher: the
/// fields, `new` and `Debug`; with `state` and `gate`, also its `Publisher` impl, which
/// subscribes the file's `OtherSubscriber { joined, done, items }` first, then the main side.
macro_rules! main_and_other {
    ($(#[$doc:meta])* $name:ident, state: $state:expr, gate: $gate:expr) => {
        $crate::ops::companion::main_and_other! { $(#[$doc])* $name }

        impl<P, O> Publisher for $name<P, O>
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
                let joined = Joined::start(downstream, $state);
                // The other side first: one that fires at once does so before any item.
                self.other.subscribe(OtherSubscriber {
                    joined: joined.clone(),
                    done: false,
                    items: PhantomData,
                });
                self.source.subscribe(MainSubscriber::new(joined, $gate));
            }
        }
    };
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[must_use = "publishers do nothing until subscribed"]
        #[derive(Clone)]
        pub struct $name<P, O> {
            source: P,
            other: O,
        }

        impl<P, O> $name<P, O> {
            pub(crate) fn new(source: P, other: O) -> Self {
                $name { source, other }
            }
        }

        impl<P: std::fmt::Debug, O: std::fmt::Debug> std::fmt::Debug for $name<P, O> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("source", &self.source)
                    .field("other", &self.other)
                    .finish()
            }
        }
    };
}
pub(crate) use main_and_other;
