use std::marker::PhantomData;

use reactive_core::source::{self, Fused, Next, Pull};
use reactive_core::{Error, Publisher, Subscriber};

/// Completes at once without emitting anything.
///
/// # Backpressure
///
/// Emits no items, so needs no demand: `on_complete` follows `on_subscribe` directly
/// (rule 1.5 allows termination without a request).
///
/// # Errors
///
/// None.
///
/// # Reactive Streams TCK
///
/// Verified with `max_elements_from_publisher() == 0`: every test that needs an item is
/// skipped ("required elements nr: N is higher than supported by given producer: 0"); the
/// tests that run (subscribe, `on_subscribe` first, completion of an empty stream) pass.
///
/// # Examples
///
/// ```
/// use reactive_operators::{empty, PublisherExt};
/// use std::sync::{Arc, Mutex};
///
/// let done = Arc::new(Mutex::new(false));
/// let flag = done.clone();
/// empty::<u32>().subscribe_with(|_| unreachable!(), |_| {}, move || *flag.lock().unwrap() = true);
/// assert!(*done.lock().unwrap());
/// ```
pub fn empty<T>() -> Empty<T> {
    Empty { _item: PhantomData }
}

/// The publisher returned by [`empty`].
#[must_use = "publishers do nothing until subscribed"]
pub struct Empty<T> {
    _item: PhantomData<fn() -> T>,
}

impl<T> Clone for Empty<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Empty<T> {}

impl<T> std::fmt::Debug for Empty<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Empty")
    }
}

impl<T: Send + 'static> Publisher for Empty<T> {
    type Item = T;
    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<T> + 'static,
    {
        source::subscribe(Ended::<T>(PhantomData), subscriber);
    }

    fn fuse(&self) -> Option<Fused<T>> {
        // A zero-sized cursor: the box allocates nothing.
        Some(Fused::Cursor(Box::new(Ended::<T>(PhantomData))))
    }
}

struct Ended<T>(PhantomData<fn() -> T>);

impl<T: Send + 'static> Pull for Ended<T> {
    type Item = T;

    fn next(&mut self) -> Next<T> {
        Next::End(Ok(()))
    }

    fn end(&mut self) -> Option<Result<(), Error>> {
        Some(Ok(()))
    }
}
