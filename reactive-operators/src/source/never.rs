use std::marker::PhantomData;

use reactive_core::source::{self, Next, Pull};
use reactive_core::{Publisher, Subscriber};

/// Never emits and never terminates.
///
/// Useful in tests (a stream that stays open) and as the "no fallback yet" case of timeouts.
/// The subscriber is held until it cancels, then dropped (rule 3.13).
///
/// # Backpressure
///
/// Accepts any demand and emits nothing.
///
/// # Errors
///
/// `request(0)` ends the stream with an [`ErrorKind::InvalidRequest`] error (rule 3.9);
/// nothing else.
///
/// [`ErrorKind::InvalidRequest`]: reactive_core::ErrorKind::InvalidRequest
///
/// # Reactive Streams TCK
///
/// Emits nothing and never completes, so every test that needs an item is skipped ("required
/// elements nr: N is higher than supported by given producer: 0") and
/// `optional_spec105_empty_stream…` ends as an optional failure (`opt-fail`: "Did not receive
/// expected stream completion"), because it never signals completion. Its
/// `request(0)` error and the release of the subscriber on cancel (rule 3.13) are checked by
/// this crate's behaviour tests (`tests/operators/sources.rs`).
///
/// # Examples
///
/// ```
/// use reactive_operators::{never, PublisherExt};
///
/// let handle = never::<u32>().subscribe_with(|_| unreachable!(), |_| unreachable!(), || unreachable!());
/// assert!(!handle.is_terminated());
/// handle.cancel();
/// ```
pub fn never<T>() -> Never<T> {
    Never { _item: PhantomData }
}

/// The publisher returned by [`never`](fn@never).
#[must_use = "publishers do nothing until subscribed"]
pub struct Never<T> {
    _item: PhantomData<fn() -> T>,
}

impl<T> Clone for Never<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Never<T> {}

impl<T> std::fmt::Debug for Never<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Never")
    }
}

impl<T: Send + 'static> Publisher for Never<T> {
    type Item = T;
    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<T> + 'static,
    {
        source::subscribe(Silent::<T>(PhantomData), subscriber);
    }
}

struct Silent<T>(PhantomData<fn() -> T>);

impl<T: Send + 'static> Pull for Silent<T> {
    type Item = T;

    fn next(&mut self) -> Next<T> {
        Next::Pending
    }
}
