//! The four Reactive Streams contracts: [`Publisher`], [`Subscriber`], [`Subscription`] and
//! [`Processor`], plus their type-erased forms.
//!
//! The traits follow the Reactive Streams specification 1.0.4 rule by rule. Rust's types settle
//! some rules by construction: a subscriber or item can never be null (rules 1.9 and 2.13), and
//! demand is a `u64`, so a negative request (rule 3.9) cannot be written. `request(0)` can, and
//! must end in [`on_error`](Subscriber::on_error) with [`ErrorKind::InvalidRequest`]
//! (see [`Error::invalid_request`]).
//!
//! [`ErrorKind::InvalidRequest`]: crate::ErrorKind::InvalidRequest

use std::sync::Arc;

use crate::Error;

/// The demand value that means "as many as you have": requesting it (or any sum that
/// saturates to it) switches a publisher to its unbounded mode for good (rule 3.17).
pub const UNBOUNDED: u64 = u64::MAX;

/// The link between one [`Publisher`] and one [`Subscriber`], through which the subscriber
/// asks for items and cancels.
///
/// A subscription is handed to the subscriber as an `Arc<dyn Subscription>` in
/// [`Subscriber::on_subscribe`]; the subscriber may keep it, clone it, and call it from any
/// thread.
///
/// # Rules an implementor must keep
///
/// * 3.2, 3.3: `request` may be called from inside `on_next` or `on_subscribe`; it must not
///   recurse without bound. Use the drain loop ([`support::WipCell`](crate::support::WipCell)
///   or the demand counter's 0-to-nonzero transition) so that a re-entrant `request` only
///   records demand and returns (depth 1).
/// * 3.4, 3.5: `request` and `cancel` return promptly; `cancel` is idempotent and thread-safe.
/// * 3.6, 3.7: after `cancel`, `request` and `cancel` do nothing.
/// * 3.8, 3.17: demand is additive and saturates at [`UNBOUNDED`]; a sum past `u64::MAX` never
///   errors or wraps ([`support::Demand`](crate::support::Demand) does this).
/// * 3.9: `request(0)` (while not cancelled) leads to `on_error` with
///   [`Error::invalid_request`].
/// * 3.12, 3.13: after `cancel`, signals stop eventually and the publisher drops its reference
///   to the subscriber.
/// * 3.15, 3.16: `request` and `cancel` return normally (they never panic on valid use).
pub trait Subscription: Send + Sync {
    /// Adds `n` to the demand: the publisher may send `n` more items.
    fn request(&self, n: u64);

    /// Asks the publisher to stop sending and to drop its reference to the subscriber.
    fn cancel(&self);
}

/// The shared handle to a [`Subscription`] that [`Subscriber::on_subscribe`] receives.
pub type SubscriptionRef = Arc<dyn Subscription>;

/// The receiving end of a stream.
///
/// All four signal methods take `&mut self`: rule 1.3 makes the signals to one subscriber
/// serial, so exclusive access is the honest type. The trait is object-safe
/// (`Box<dyn Subscriber<T>>` is a subscriber too).
///
/// # Rules an implementor must keep
///
/// * 2.1: ask for items with [`Subscription::request`]; none arrive before.
/// * 2.3: never call the subscription or the publisher from `on_complete` or `on_error`.
/// * 2.4: after a terminal signal, treat the subscription as cancelled.
/// * 2.5: if `on_subscribe` arrives while a subscription is active, cancel the new one
///   ([`support::SubscriptionSlot`](crate::support::SubscriptionSlot) does this).
/// * 2.6: call `cancel` when the subscription is no longer needed; do not just drop it.
/// * 2.7: calls to `request` and `cancel` are serial.
/// * 2.8: be ready for more `on_next` after `cancel` while requested items are outstanding.
/// * 2.9, 2.10: be ready for `on_complete` or `on_error` with or without a prior `request`.
/// * 2.12: `on_subscribe` is called at most once per subscriber.
/// * 2.13: the signal methods return normally; a subscriber that fails cancels its
///   subscription instead of panicking.
pub trait Subscriber<T>: Send {
    /// Receives the subscription; called exactly once, before any other signal (rule 1.9).
    fn on_subscribe(&mut self, subscription: SubscriptionRef);

    /// Receives one item; never more items than requested (rule 1.1).
    fn on_next(&mut self, item: T);

    /// Receives one item and says whether it was accepted.
    ///
    /// This is the conditional fast path: a synchronous source counts an item against demand
    /// only when this returns `true`, so a `filter` that rejects an item costs no
    /// `request(1)`. A subscriber that returns `false` must not count the item as delivered.
    /// The default delivers with [`on_next`](Self::on_next) and returns `true`.
    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        self.on_next(item);
        true
    }

    /// The stream failed; no further signals follow (rule 1.7).
    fn on_error(&mut self, error: Error);

    /// The stream ended successfully; no further signals follow (rule 1.7).
    fn on_complete(&mut self);
}

/// A source of items that subscribers attach to.
///
/// `subscribe` is generic over the subscriber so that a chain of operators monomorphizes into
/// one inlined loop; [`BoxPublisher`] erases the type where that is needed.
///
/// # Rules an implementor must keep
///
/// * 1.1: never send more `on_next` than requested in total.
/// * 1.2: may send fewer, then `on_complete` or `on_error`.
/// * 1.3: signals to one subscriber are serial (never overlapping, happens-before ordered).
/// * 1.4, 1.5: a failure ends in `on_error`, a finite successful stream in `on_complete`.
/// * 1.6, 1.7: after a terminal signal the subscription counts as cancelled and no signal
///   follows.
/// * 1.8: after `cancel`, signals stop eventually.
/// * 1.9: `subscribe` calls `on_subscribe` first and returns normally; any failure is signalled
///   with `on_error` after `on_subscribe`.
/// * 1.10, 1.11: may be subscribed many times, each time with a fresh subscriber; whether
///   subscribers share one stream (multicast) or each get their own (unicast) is the
///   publisher's choice and belongs in its docs.
pub trait Publisher {
    /// The type of the items this publisher emits.
    type Item;

    /// Attaches `subscriber`; it will receive `on_subscribe` first.
    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<Self::Item> + 'static;

    /// Offers this publisher's items as a cursor that an operator pulls itself instead of
    /// subscribing (synchronous fusion), or `None`, the default, when it is not a synchronous
    /// source.
    ///
    /// An operator that subscribes to many inner or zipped sources (`flat_map`, `concat_map`,
    /// `zip`) calls this first: a [`Fused`](crate::source::Fused) source needs no
    /// subscription, no queue and no atomic per item, because the operator pulls it from its
    /// own drain loop, and only while it has demand. The sources of `reactive-operators`
    /// built on the pull engine (`range`, `just`, `from_iter`, `empty`, `error`, `repeat`,
    /// `repeat_n`) return `Some`.
    ///
    /// # Contract for an implementor
    ///
    /// * Each call returns a fresh cursor over exactly the items (and the end) that a new
    ///   subscriber would get, as if it had subscribed with unbounded demand.
    /// * The cursor never returns [`Next::Pending`](crate::source::Next::Pending): a source
    ///   that may have nothing *for now* is not synchronous and returns `None`.
    /// * A cursor's [`next`](crate::source::Pull::next) and
    ///   [`end`](crate::source::Pull::end) do not block.
    ///
    /// # Contract for a caller
    ///
    /// The caller acts as the subscriber would: it calls `next` only when it has demand for one
    /// more item, stops after [`Next::End`](crate::source::Next::End), and drops the cursor
    /// to cancel. A caller that cannot keep these rules subscribes instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::source::{Fused, Next, Pull};
    /// use reactive_core::Publisher;
    /// # use reactive_core::{source, Subscriber};
    /// # #[derive(Clone, Copy)]
    /// # struct Upto(u32);
    /// # impl Pull for Upto {
    /// #     type Item = u32;
    /// #     fn next(&mut self) -> Next<u32> {
    /// #         if self.0 == 0 { return Next::End(Ok(())); }
    /// #         self.0 -= 1;
    /// #         Next::Item(self.0)
    /// #     }
    /// # }
    /// # impl Publisher for Upto {
    /// #     type Item = u32;
    /// #     fn subscribe<S: Subscriber<u32> + 'static>(&self, s: S) { source::subscribe(*self, s) }
    /// #     fn fuse(&self) -> Option<Fused<u32>> { Some(Fused::Cursor(Box::new(*self))) }
    /// # }
    /// // `Upto(n)` counts down from n - 1; its `fuse` returns `Some(Fused::Cursor(..))`.
    /// let Some(Fused::Cursor(mut cursor)) = Upto(2).fuse() else { unreachable!() };
    /// assert!(matches!(cursor.next(), Next::Item(1)));
    /// assert!(matches!(cursor.next(), Next::Item(0)));
    /// assert!(matches!(cursor.next(), Next::End(Ok(()))));
    /// ```
    #[inline]
    fn fuse(&self) -> Option<crate::source::Fused<Self::Item>> {
        None
    }
}

/// A stage that is both a [`Subscriber`] of `T` and a [`Publisher`] of `R` (rule 4.1).
///
/// # Rules an implementor must keep
///
/// * 4.1: every subscriber rule on its input side and every publisher rule on its output side.
/// * 4.2: it may recover from `on_error`; if it does, it treats the upstream subscription as
///   cancelled, otherwise it passes the error on to its subscribers at once.
///
/// Implemented for every type that is both; it exists to name the pair in bounds.
pub trait Processor<T, R>: Subscriber<T> + Publisher<Item = R> {}

impl<T, R, P> Processor<T, R> for P where P: Subscriber<T> + Publisher<Item = R> {}

/// A type-erased subscriber.
pub type BoxSubscriber<T> = Box<dyn Subscriber<T>>;

impl<T, S> Subscriber<T> for Box<S>
where
    S: Subscriber<T> + ?Sized,
{
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        (**self).on_subscribe(subscription)
    }
    #[inline]
    fn on_next(&mut self, item: T) {
        (**self).on_next(item)
    }
    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        (**self).try_on_next(item)
    }
    #[inline]
    fn on_error(&mut self, error: Error) {
        (**self).on_error(error)
    }
    #[inline]
    fn on_complete(&mut self) {
        (**self).on_complete()
    }
}

/// The object-safe form of [`Publisher`], implemented for every `Send + Sync` publisher.
pub trait DynPublisher<T>: Send + Sync {
    /// Attaches a boxed subscriber.
    fn subscribe_boxed(&self, subscriber: BoxSubscriber<T>);

    /// The publisher's [`Publisher::fuse`].
    fn fuse_boxed(&self) -> Option<crate::source::Fused<T>>;
}

impl<P> DynPublisher<P::Item> for P
where
    P: Publisher + Send + Sync,
    P::Item: 'static,
{
    fn subscribe_boxed(&self, subscriber: BoxSubscriber<P::Item>) {
        self.subscribe(subscriber)
    }

    fn fuse_boxed(&self) -> Option<crate::source::Fused<P::Item>> {
        self.fuse()
    }
}

/// A type-erased, cloneable publisher.
///
/// Use it to store publishers of different types in one place or to return one from a function
/// without naming its type. Each subscribe costs one allocation (the boxed subscriber) and the
/// signals go through a virtual call.
///
/// ```
/// use reactive_core::{BoxPublisher, Publisher, Subscriber, SubscriptionRef, Error};
///
/// struct Nothing;
/// impl Publisher for Nothing {
///     type Item = u8;
///     fn subscribe<S: Subscriber<u8> + 'static>(&self, mut s: S) {
///         s.on_subscribe(reactive_core::support::empty_subscription());
///         s.on_complete();
///     }
/// }
///
/// let boxed: BoxPublisher<u8> = BoxPublisher::new(Nothing);
/// let again = boxed.clone();
/// # struct Done(bool);
/// # impl Subscriber<u8> for Done {
/// #     fn on_subscribe(&mut self, _: SubscriptionRef) {}
/// #     fn on_next(&mut self, _: u8) {}
/// #     fn on_error(&mut self, _: Error) {}
/// #     fn on_complete(&mut self) { self.0 = true; }
/// # }
/// again.subscribe(Done(false));
/// ```
pub struct BoxPublisher<T> {
    inner: Arc<dyn DynPublisher<T>>,
    type_name: &'static str,
}

impl<T: 'static> BoxPublisher<T> {
    /// Erases the type of `publisher`.
    pub fn new<P>(publisher: P) -> Self
    where
        P: Publisher<Item = T> + Send + Sync + 'static,
    {
        BoxPublisher {
            inner: Arc::new(publisher),
            type_name: std::any::type_name::<P>(),
        }
    }

    /// The full type name of the publisher that was boxed, for messages: a report about a
    /// boxed publisher names the type the user wrote, not `BoxPublisher`.
    ///
    /// ```
    /// use reactive_core::{BoxPublisher, Publisher, Subscriber};
    /// struct Mine;
    /// impl Publisher for Mine {
    ///     type Item = u8;
    ///     fn subscribe<S: Subscriber<u8> + 'static>(&self, _s: S) {}
    /// }
    /// assert!(BoxPublisher::new(Mine).type_name().ends_with("Mine"));
    /// ```
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }
}

impl<T> Clone for BoxPublisher<T> {
    fn clone(&self) -> Self {
        BoxPublisher {
            inner: Arc::clone(&self.inner),
            type_name: self.type_name,
        }
    }
}

impl<T> std::fmt::Debug for BoxPublisher<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("BoxPublisher")
            .field(&self.type_name)
            .finish()
    }
}

impl<T: 'static> Publisher for BoxPublisher<T> {
    type Item = T;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<T> + 'static,
    {
        self.inner.subscribe_boxed(Box::new(subscriber))
    }

    fn fuse(&self) -> Option<crate::source::Fused<T>> {
        self.inner.fuse_boxed()
    }
}

impl<P> Publisher for Arc<P>
where
    P: Publisher + ?Sized,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        (**self).subscribe(subscriber)
    }

    #[inline]
    fn fuse(&self) -> Option<crate::source::Fused<P::Item>> {
        (**self).fuse()
    }
}
