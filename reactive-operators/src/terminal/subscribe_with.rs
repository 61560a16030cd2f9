use std::sync::Arc;

use reactive_core::support::SubscriptionSlot;
use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Error, Subscriber, SubscriptionRef, UNBOUNDED};

/// The handle returned by [`PublisherExt::subscribe_with`](crate::PublisherExt::subscribe_with)
/// and [`PublisherExt::subscribe_with_demand`](crate::PublisherExt::subscribe_with_demand):
/// cancels the subscription and tells whether the stream has ended.
///
/// Dropping the handle does **not** cancel (like a detached task); call
/// [`cancel`](Self::cancel).
///
/// The stream has one terminal state: the first `on_complete` or `on_error` ends it, runs its
/// callback, and everything the upstream sends after that is ignored (a publisher that breaks
/// rule 1.7 cannot run both callbacks, one twice, or `on_next` after the end).
///
/// ```
/// use reactive_operators::{never, PublisherExt};
///
/// let handle = never::<u8>().subscribe_with(|_| {}, |_| {}, || {});
/// assert!(!handle.is_terminated());
/// handle.cancel();
/// assert!(handle.is_cancelled());
/// ```
#[derive(Clone)]
pub struct SubscribeHandle {
    shared: Arc<Shared>,
}

struct Shared {
    upstream: SubscriptionSlot,
    terminated: AtomicBool,
}

impl SubscribeHandle {
    /// Cancels the subscription: the callbacks stop being called (eventually, if the publisher
    /// emits on another thread). Idempotent; does nothing after the stream ended.
    ///
    /// ```
    /// use reactive_operators::{never, PublisherExt};
    ///
    /// let handle = never::<u8>().subscribe_with(|_| {}, |_| {}, || {});
    /// handle.cancel();
    /// handle.cancel(); // idempotent
    /// assert!(handle.is_cancelled());
    /// assert!(!handle.is_terminated());
    /// ```
    pub fn cancel(&self) {
        self.shared.upstream.cancel();
    }

    /// Whether the stream has ended with `on_complete` or `on_error` (set just before the
    /// callback runs).
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    ///
    /// let handle = range(0u64..3).subscribe_with(|_| {}, |_| {}, || {});
    /// assert!(handle.is_terminated());
    /// ```
    pub fn is_terminated(&self) -> bool {
        self.shared.terminated.load(Ordering::Acquire)
    }

    /// Whether [`cancel`](Self::cancel) was called.
    ///
    /// ```
    /// use reactive_operators::{never, PublisherExt};
    ///
    /// let handle = never::<u8>().subscribe_with(|_| {}, |_| {}, || {});
    /// assert!(!handle.is_cancelled());
    /// handle.cancel();
    /// assert!(handle.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.shared.upstream.is_cancelled()
    }
}

impl std::fmt::Debug for SubscribeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubscribeHandle")
            .field("terminated", &self.is_terminated())
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// How a callback subscriber asks for items: everything at once ([`Unbounded`], for
/// `subscribe_with`), or in batches as the callbacks return (`Batched`, for
/// `subscribe_with_demand`).
pub(crate) trait Pace: Send {
    /// What to request on subscribe.
    fn initial(&self) -> u64;
    /// An `on_next` callback returned: how many items to request now (0 for none).
    fn consumed(&mut self) -> u64;
}

/// Requests `u64::MAX` once; nothing per item (the per-item call compiles away).
pub(crate) struct Unbounded;

impl Pace for Unbounded {
    fn initial(&self) -> u64 {
        UNBOUNDED
    }

    #[inline(always)]
    fn consumed(&mut self) -> u64 {
        0
    }
}

pub(crate) struct CallbackSubscriber<N, E, C, P> {
    on_next: N,
    pace: P,
    /// The terminal callbacks, taken together by the first terminal signal. `None` means the
    /// stream has ended: a broken upstream (`on_error` then `on_complete`, a second
    /// `on_complete`, `on_next` after the end; rule 1.7) can never run both callbacks, one of
    /// them twice, or `on_next` after either.
    terminal: Option<(E, C)>,
    shared: Arc<Shared>,
}

pub(crate) fn callback_subscriber<N, E, C, P>(
    pace: P,
    on_next: N,
    on_error: E,
    on_complete: C,
) -> (CallbackSubscriber<N, E, C, P>, SubscribeHandle) {
    let shared = Arc::new(Shared {
        upstream: SubscriptionSlot::new(),
        terminated: AtomicBool::new(false),
    });
    (
        CallbackSubscriber {
            on_next,
            pace,
            terminal: Some((on_error, on_complete)),
            shared: shared.clone(),
        },
        SubscribeHandle { shared },
    )
}

impl<N, E, C, P> CallbackSubscriber<N, E, C, P> {
    /// Ends the stream: returns the terminal callbacks the first time, `None` after.
    fn end(&mut self) -> Option<(E, C)> {
        let callbacks = self.terminal.take()?;
        self.shared.terminated.store(true, Ordering::Release);
        Some(callbacks)
    }
}

impl<T, N, E, C, P> Subscriber<T> for CallbackSubscriber<N, E, C, P>
where
    N: FnMut(T) + Send,
    E: FnOnce(Error) + Send,
    C: FnOnce() + Send,
    P: Pace,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.shared.upstream.set(subscription) {
            self.shared.upstream.request(self.pace.initial());
        }
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if self.terminal.is_some() {
            (self.on_next)(item);
            let more = self.pace.consumed();
            if more > 0 {
                // After the callback returned: the application paces the stream. A cancel
                // from inside the callback makes this a no-op (rule 3.6).
                self.shared.upstream.request(more);
            }
        }
    }

    fn on_error(&mut self, error: Error) {
        if let Some((on_error, _)) = self.end() {
            on_error(error);
        }
    }

    fn on_complete(&mut self) {
        if let Some((_, on_complete)) = self.end() {
            on_complete();
        }
    }
}
