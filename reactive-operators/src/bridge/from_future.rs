//! `from_future`: a publisher of one future's output, on `from_stream`'s polling machinery.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use reactive_core::scheduler::Scheduler;
use reactive_core::{Publisher, Subscriber};

use super::from_stream::{FromStream, Source};

/// Emits the output of `future` once the subscriber requests it, then completes.
///
/// The future is polled only once there is demand (`request(n)` with `n >= 1`), on the same
/// worker as [`from_stream`](super::from_stream)'s polls (by default an
/// [`ImmediateScheduler`](reactive_core::scheduler::ImmediateScheduler): the thread that
/// requests or wakes; move it with [`FromFuture::poll_on`], which tokio futures need, for the
/// reasons given under [Which worker](super::from_stream#which-worker)). Completion follows the
/// item at once, without more demand. Like a stream, a future can be consumed once.
///
/// # Backpressure
///
/// Exact: nothing is polled before the first `request`; the one item is delivered as soon as
/// the future is ready. Buffers nothing.
///
/// # Errors
///
/// * A panic in the future's `poll` becomes `on_error` with an
///   [`ErrorKind::Panic`](reactive_core::ErrorKind::Panic) error, and the future is dropped.
/// * `request(0)` before the output was delivered ends the stream with an
///   [`ErrorKind::InvalidRequest`](reactive_core::ErrorKind::InvalidRequest) error (rule 3.9).
/// * A second subscriber gets an [`ErrorKind::Rejected`](reactive_core::ErrorKind::Rejected)
///   error right after `on_subscribe` ("from_future: the future was already consumed ...").
///
/// `cancel` drops the future (at once, or right after a poll in progress). A future whose
/// output is a `Result` emits the `Result` as its item.
///
/// # Examples
///
/// ```
/// use reactive_operators::from_future;
/// use reactive_tck::StepVerifier;
///
/// StepVerifier::create(&from_future(async { 6 * 7 }))
///     .initial_request(1)
///     .expect_next(42)
///     .expect_complete()
///     .verify()
///     .unwrap();
/// ```
pub fn from_future<F: Future>(future: F) -> FromFuture<F> {
    FromFuture {
        inner: FromStream::new(OneItem(Some(Box::pin(future))), Source::FUTURE),
    }
}

/// The publisher returned by [`from_future`].
///
/// Holds the future until the first subscriber takes it.
#[must_use = "publishers do nothing until subscribed"]
pub struct FromFuture<F> {
    inner: FromStream<OneItem<F>>,
}

impl<F> FromFuture<F> {
    /// Polls the future, and delivers every signal, on a worker of `scheduler`; see
    /// [`FromStream::poll_on`].
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::scheduler::PoolScheduler;
    /// use reactive_operators::from_future;
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&from_future(async { "on the pool" }).poll_on(PoolScheduler::new(1)))
    ///     .expect_next("on the pool")
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn poll_on<Sch: Scheduler + 'static>(self, scheduler: Sch) -> Self {
        FromFuture {
            inner: self.inner.poll_on(scheduler),
        }
    }

    /// Whether a subscriber has taken the future.
    ///
    /// ```
    /// use reactive_operators::{from_future, PublisherExt};
    ///
    /// let source = from_future(async { 1 });
    /// source.subscribe_with(|_| {}, |_| {}, || {});
    /// assert!(source.is_consumed());
    /// ```
    pub fn is_consumed(&self) -> bool {
        self.inner.is_consumed()
    }
}

impl<F> fmt::Debug for FromFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl<F> Publisher for FromFuture<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    type Item = F::Output;

    fn subscribe<S: Subscriber<F::Output> + 'static>(&self, subscriber: S) {
        self.inner.subscribe(subscriber);
    }
}

/// A future as a stream of its one output. Its `size_hint` says `(0, Some(0))` once the
/// output was taken, which is what makes `from_stream`'s poller complete right after the item.
struct OneItem<F>(Option<Pin<Box<F>>>);

impl<F: Future> Stream for OneItem<F> {
    type Item = F::Output;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<F::Output>> {
        let this = self.get_mut();
        let Some(future) = this.0.as_mut() else {
            return Poll::Ready(None);
        };
        let output = std::task::ready!(future.as_mut().poll(cx));
        this.0 = None; // dropped as soon as it is done
        Poll::Ready(Some(output))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::from(self.0.is_some());
        (left, Some(left))
    }
}
