//! `for_each_async`: an async closure per item, with at most `concurrency` calls in flight.

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll};

use reactive_core::{Error, Publisher};

use super::inbox::{self, Received};

/// How many items one poll starts before it gives the executor back (waking itself), so
/// that a synchronous upstream and futures that are ready at once cannot hold a thread of the
/// executor for the whole stream.
const BUDGET: usize = 64;

/// The future returned by
/// [`PublisherExt::for_each_async`](crate::PublisherExt::for_each_async): resolves once the
/// stream has ended and every call it started has finished, with `Ok(())` after completion or
/// with the stream's error.
///
/// Subscribes when first polled. Dropping it before it resolves cancels the subscription and
/// drops the calls in flight.
///
/// ```
/// use reactive_operators::{range, PublisherExt};
///
/// let done = range(0, 3).for_each_async(|v| async move { println!("{v}") }, 2);
/// assert!(futures_executor::block_on(done).is_ok());
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct ForEachAsync {
    inner: Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>,
}

impl ForEachAsync {
    pub(crate) fn new<P, F, Fut>(publisher: P, mut f: F, concurrency: usize) -> Self
    where
        P: Publisher + Send + 'static,
        P::Item: Send + 'static,
        F: FnMut(P::Item) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        assert!(
            concurrency > 0,
            "for_each_async: concurrency must be at least 1"
        );
        ForEachAsync {
            inner: Box::pin(async move {
                let mut inbox = inbox::subscribe(publisher, "for_each_async", concurrency as u64);
                let mut running: Vec<Pin<Box<Fut>>> = Vec::with_capacity(concurrency);
                let mut end = None;
                poll_fn(move |cx| {
                    let mut started = 0;
                    loop {
                        let before = running.len();
                        running.retain_mut(|call| call.as_mut().poll(cx).is_pending());
                        let finished = before - running.len();
                        if finished > 0 {
                            inbox.request(finished as u64); // nothing once the stream ended
                        }
                        let mut new_calls = false;
                        while end.is_none() && running.len() < concurrency {
                            if started == BUDGET {
                                cx.waker().wake_by_ref();
                                return Poll::Pending;
                            }
                            match inbox.poll_next(cx) {
                                Poll::Ready(Received::Item(item)) => {
                                    running.push(Box::pin(f(item)));
                                    started += 1;
                                    new_calls = true;
                                }
                                Poll::Ready(Received::End(result)) => end = Some(result),
                                Poll::Pending => break,
                            }
                        }
                        if !new_calls {
                            break; // new calls get their first poll on the next round
                        }
                    }
                    match end.take() {
                        Some(result) if running.is_empty() => Poll::Ready(result),
                        other => {
                            end = other;
                            Poll::Pending
                        }
                    }
                })
                .await
            }),
        }
    }
}

impl Future for ForEachAsync {
    type Output = Result<(), Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl fmt::Debug for ForEachAsync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForEachAsync").finish_non_exhaustive()
    }
}
