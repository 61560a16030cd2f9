use std::marker::PhantomData;

use reactive_core::source::{self, Fused};
use reactive_core::{Error, Publisher, Subscriber};

/// Fails at once with `error`, without emitting anything.
///
/// Every subscriber receives a clone of the same error.
///
/// # Backpressure
///
/// Emits no items, so needs no demand: `on_error` follows `on_subscribe` directly (rule 1.4,
/// 1.9).
///
/// # Errors
///
/// Always: `error`.
///
/// # Reactive Streams TCK
///
/// Serves as the failed publisher (`create_failed_publisher`) of every source's verification:
/// the `required_spec109_may_reject_calls_to_subscribe…` and `optional_spec104…` tests pass
/// with it.
///
/// # Examples
///
/// ```
/// use reactive_core::{Error, ErrorKind};
/// use reactive_operators::{error, PublisherExt};
/// use std::sync::{Arc, Mutex};
///
/// let seen = Arc::new(Mutex::new(None));
/// let sink = seen.clone();
/// error::<u32>(Error::msg("no data"))
///     .subscribe_with(|_| {}, move |e| *sink.lock().unwrap() = Some(e.kind()), || {});
/// assert_eq!(*seen.lock().unwrap(), Some(ErrorKind::User));
/// ```
pub fn error<T>(error: Error) -> ErrorSource<T> {
    ErrorSource {
        error,
        _item: PhantomData,
    }
}

/// The publisher returned by [`error`](fn@error).
#[must_use = "publishers do nothing until subscribed"]
pub struct ErrorSource<T> {
    error: Error,
    _item: PhantomData<fn() -> T>,
}

impl<T> Clone for ErrorSource<T> {
    fn clone(&self) -> Self {
        ErrorSource {
            error: self.error.clone(),
            _item: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for ErrorSource<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrorSource")
            .field("error", &self.error)
            .finish()
    }
}

impl<T: Send + 'static> Publisher for ErrorSource<T> {
    type Item = T;
    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<T> + 'static,
    {
        source::subscribe_error(self.error.clone(), subscriber);
    }

    fn fuse(&self) -> Option<Fused<T>> {
        Some(Fused::Cursor(source::failed(self.error.clone())))
    }
}
