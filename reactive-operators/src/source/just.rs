use reactive_core::source::{self, Fused, Next, Pull};
use reactive_core::{Error, Publisher, Subscriber};

/// Emits one item, then completes.
///
/// Each subscriber gets its own clone of `item`.
///
/// # Backpressure
///
/// Emits the item on the first `request`; buffers nothing beyond the item itself. Completes
/// right after the item, without waiting for more demand.
///
/// # Errors
///
/// `request(0)` before the item was sent ends the stream with an
/// [`ErrorKind::InvalidRequest`] error (rule 3.9).
///
/// [`ErrorKind::InvalidRequest`]: reactive_core::ErrorKind::InvalidRequest
///
/// # Reactive Streams TCK
///
/// Verified with `max_elements_from_publisher() == 1`: every test that needs more than one
/// item is skipped with "required elements nr: N is higher than supported by given producer:
/// 1", and `optional_spec105_empty_stream…` ends as an optional failure (`opt-fail`: "Expected
/// end-of-stream but got element"), because `just` is never empty. The
/// rules those tests cover (3.9 `request(0)`, cancellation, rule 3.13) are checked by this
/// crate's behaviour tests instead (`tests/operators/sources.rs`).
///
/// # Examples
///
/// ```
/// use reactive_operators::{just, PublisherExt};
/// use std::sync::{Arc, Mutex};
///
/// let got = Arc::new(Mutex::new(None));
/// let sink = got.clone();
/// just("hello").subscribe_with(move |v| *sink.lock().unwrap() = Some(v), |_| {}, || {});
/// assert_eq!(*got.lock().unwrap(), Some("hello"));
/// ```
pub fn just<T: Clone>(item: T) -> Just<T> {
    Just { item }
}

/// The publisher returned by [`just`].
#[must_use = "publishers do nothing until subscribed"]
#[derive(Debug, Clone)]
pub struct Just<T> {
    item: T,
}

impl<T> Publisher for Just<T>
where
    T: Clone + Send + 'static,
{
    type Item = T;
    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<T> + 'static,
    {
        source::subscribe(
            OnePull {
                item: Some(self.item.clone()),
            },
            subscriber,
        );
    }

    fn fuse(&self) -> Option<Fused<T>> {
        Some(Fused::Scalar(self.item.clone()))
    }
}

struct OnePull<T> {
    item: Option<T>,
}

impl<T: Send + 'static> Pull for OnePull<T> {
    type Item = T;

    fn next(&mut self) -> Next<T> {
        match self.item.take() {
            Some(v) => Next::Item(v),
            None => Next::End(Ok(())),
        }
    }

    fn end(&mut self) -> Option<Result<(), Error>> {
        self.item.is_none().then_some(Ok(()))
    }
}
