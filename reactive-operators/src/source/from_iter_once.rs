use reactive_core::source;
use reactive_core::sync::Mutex;
use reactive_core::{Error, ErrorKind, Publisher, Subscriber};

use super::from_iter::IterPull;

/// Emits the items of an iterator that can be consumed only once (not `Clone`), then
/// completes; only the first subscriber gets them.
///
/// For an iterator that owns something it cannot duplicate (a `std::vec::Drain`, a channel's
/// `IntoIter`, a parser over a reader, `std::iter::from_fn` with a non-`Clone` closure). A
/// `Clone` iterable belongs in [`from_iter`](crate::from_iter), which every subscriber can
/// replay. The first subscriber takes the iterator; it is dropped when that subscription ends
/// (completion, error or cancel).
///
/// # Backpressure
///
/// Exactly as [`from_iter`](crate::from_iter) (the same cursor): pulls from the iterator only
/// under demand, emits exactly what is requested, and looks one item ahead so that it can
/// complete right after the last item; buffers at most that one item.
///
/// # Errors
///
/// * A second (and every later) subscriber gets `on_subscribe`, then at once an
///   [`ErrorKind::Rejected`] error: "from_iter_once: the iterator was already taken by an
///   earlier subscriber; it can be subscribed to only once".
/// * `request(0)` ends the stream with an [`ErrorKind::InvalidRequest`] error (rule 3.9).
/// * A panicking iterator propagates the panic to the caller of `subscribe` or `request`.
///
/// [`ErrorKind::InvalidRequest`]: reactive_core::ErrorKind::InvalidRequest
///
/// # Examples
///
/// ```
/// use reactive_core::ErrorKind;
/// use reactive_operators::from_iter_once;
/// use reactive_tck::StepVerifier;
///
/// let (tx, rx) = std::sync::mpsc::channel();
/// tx.send("a").unwrap();
/// tx.send("b").unwrap();
/// drop(tx);
/// let letters = from_iter_once(rx); // a `Receiver` is an iterator, but not `Clone`
/// StepVerifier::create(&letters)
///     .initial_request(1)
///     .expect_next("a")
///     .then_request(1)
///     .expect_next("b")
///     .expect_complete()
///     .verify()
///     .unwrap();
/// // The iterator is gone.
/// StepVerifier::create(&letters)
///     .expect_error_kind(ErrorKind::Rejected)
///     .verify()
///     .unwrap();
/// ```
pub fn from_iter_once<I>(iterable: I) -> FromIterOnce<I::IntoIter>
where
    I: IntoIterator,
{
    FromIterOnce {
        iter: Mutex::new(Some(iterable.into_iter())),
    }
}

/// The publisher returned by [`from_iter_once`].
#[must_use = "publishers do nothing until subscribed"]
pub struct FromIterOnce<I> {
    /// `None` once a subscriber took it.
    iter: Mutex<Option<I>>,
}

impl<I> std::fmt::Debug for FromIterOnce<I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FromIterOnce")
            .field("taken", &self.iter.lock().is_none())
            .finish()
    }
}

impl<I> Publisher for FromIterOnce<I>
where
    I: Iterator + Send + 'static,
    I::Item: Send + 'static,
{
    type Item = I::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<I::Item> + 'static,
    {
        // The lock is released before the subscriber runs: a second subscribe from inside
        // `on_next` finds `None` and is rejected, it does not deadlock.
        let taken = self.iter.lock().take();
        match taken {
            Some(iter) => source::subscribe(IterPull::new(iter), subscriber),
            None => source::subscribe_error(
                Error::new(
                    ErrorKind::Rejected,
                    "from_iter_once: the iterator was already taken by an earlier subscriber; \
                     it can be subscribed to only once",
                ),
                subscriber,
            ),
        }
    }
}
