use std::iter::Peekable;

use reactive_core::source::{self, Fused, Next, Pull};
use reactive_core::{Error, Publisher, Subscriber};

/// Emits the items of an iterable, then completes.
///
/// Each subscriber iterates its own clone of `iterable` (a cold publisher), so a `Vec`, a
/// range or any `Clone` iterator can be subscribed many times.
///
/// # Backpressure
///
/// Pulls from the iterator only when there is demand and emits exactly as many items as
/// requested (rule 1.1); buffers at most one item: to complete without waiting for more
/// demand once the iterator is exhausted, it looks one item ahead (`Peekable`), so the
/// iterator's `next` may run one item before that item is requested. Unbounded demand runs a
/// tight loop without demand accounting; `request` from inside `on_next` never grows the
/// stack (rule 3.3).
///
/// # Errors
///
/// `request(0)` ends the stream with an [`ErrorKind::InvalidRequest`] error (rule 3.9).
/// A panicking iterator propagates the panic to the caller of `subscribe` or `request`.
///
/// [`ErrorKind::InvalidRequest`]: reactive_core::ErrorKind::InvalidRequest
///
/// # Reactive Streams TCK
///
/// Passes every required, optional and stochastic test of the publisher verification (as
/// `from_iter(0..n)`); the seven `untested_*` tests are skipped for every publisher.
///
/// # Examples
///
/// ```
/// use reactive_operators::{from_iter, PublisherExt};
/// use std::sync::{Arc, Mutex};
///
/// let words = from_iter(vec!["a", "b"]);
/// let seen = Arc::new(Mutex::new(String::new()));
/// let sink = seen.clone();
/// words.subscribe_with(move |w| sink.lock().unwrap().push_str(w), |_| {}, || {});
/// assert_eq!(*seen.lock().unwrap(), "ab");
/// ```
pub fn from_iter<I>(iterable: I) -> FromIter<I>
where
    I: IntoIterator + Clone,
{
    FromIter { iterable }
}

/// The publisher returned by [`from_iter`].
#[must_use = "publishers do nothing until subscribed"]
#[derive(Debug, Clone)]
pub struct FromIter<I> {
    iterable: I,
}

impl<I> Publisher for FromIter<I>
where
    I: IntoIterator + Clone,
    I::IntoIter: Send + 'static,
    I::Item: Send + 'static,
{
    type Item = I::Item;
    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<I::Item> + 'static,
    {
        source::subscribe(IterPull::new(self.iterable.clone().into_iter()), subscriber);
    }

    fn fuse(&self) -> Option<Fused<I::Item>> {
        Some(Fused::Cursor(Box::new(IterPull::new(
            self.iterable.clone().into_iter(),
        ))))
    }
}

/// The cursor over an iterator, looking one item ahead to complete eagerly (shared with
/// `from_iter_once`).
pub(crate) struct IterPull<I: Iterator> {
    iter: Peekable<I>,
}

impl<I: Iterator> IterPull<I> {
    pub(crate) fn new(iter: I) -> Self {
        IterPull {
            iter: iter.peekable(),
        }
    }
}

impl<I> Pull for IterPull<I>
where
    I: Iterator + Send + 'static,
    I::Item: Send,
{
    type Item = I::Item;

    #[inline(always)]
    fn next(&mut self) -> Next<I::Item> {
        match self.iter.next() {
            Some(v) => Next::Item(v),
            None => Next::End(Ok(())),
        }
    }

    #[inline(always)]
    fn end(&mut self) -> Option<Result<(), Error>> {
        self.iter.peek().is_none().then_some(Ok(()))
    }
}
