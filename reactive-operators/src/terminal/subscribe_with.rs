use std::sync::Arc;

use reactive_core::__private::loom::sync::atomic::{AtomicBool, Ordering};
use reactive_core::support::SubscriptionSlot;
use reactive_core::{Error, Subscriber, SubscriptionRef, UNBOUNDED};

/// The handle returned by [`PublisherExt::subscribe_with`](crate::PublisherExt::subscribe_with):
/// cancels the subscription and tells whether the stream has ended.
///
/// Dropping the handle does **not** cancel (like a detached task); call
/// [`cancel`](Self::cancel).
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
    pub fn cancel(&self) {
        self.shared.upstream.cancel();
    }

    /// Whether `on_complete` or `on_error` has run.
    pub fn is_terminated(&self) -> bool {
        self.shared.terminated.load(Ordering::Acquire)
    }

    /// Whether [`cancel`](Self::cancel) was called.
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

pub(crate) struct CallbackSubscriber<N, E, C> {
    on_next: N,
    on_error: Option<E>,
    on_complete: Option<C>,
    shared: Arc<Shared>,
}

pub(crate) fn callback_subscriber<N, E, C>(
    on_next: N,
    on_error: E,
    on_complete: C,
) -> (CallbackSubscriber<N, E, C>, SubscribeHandle) {
    let shared = Arc::new(Shared {
        upstream: SubscriptionSlot::new(),
        terminated: AtomicBool::new(false),
    });
    (
        CallbackSubscriber {
            on_next,
            on_error: Some(on_error),
            on_complete: Some(on_complete),
            shared: shared.clone(),
        },
        SubscribeHandle { shared },
    )
}

impl<T, N, E, C> Subscriber<T> for CallbackSubscriber<N, E, C>
where
    N: FnMut(T) + Send,
    E: FnOnce(Error) + Send,
    C: FnOnce() + Send,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.shared.upstream.set(subscription) {
            self.shared.upstream.request(UNBOUNDED);
        }
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        (self.on_next)(item);
    }

    fn on_error(&mut self, error: Error) {
        self.shared.terminated.store(true, Ordering::Release);
        if let Some(f) = self.on_error.take() {
            f(error);
        }
    }

    fn on_complete(&mut self) {
        self.shared.terminated.store(true, Ordering::Release);
        if let Some(f) = self.on_complete.take() {
            f();
        }
    }
}
