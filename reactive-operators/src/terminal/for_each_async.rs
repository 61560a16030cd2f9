//! `for_each_async`: an async closure per item, with at most `concurrency` calls in flight.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;

use reactive_core::Publisher;

use super::async_subscriber::AsyncTerminal;
use super::inbox::{self, Received};

/// How many items one poll starts before it gives the executor back (waking itself), so
/// that a synchronous upstream and futures that are ready at once cannot hold a thread of the
/// executor for the whole stream.
const BUDGET: usize = 64;

/// Calls `f` for each item with at most `concurrency` calls in flight, requesting 1 more as
/// each finishes; resolves once the stream ended and every call finished.
///
/// # Panics
///
/// If `concurrency` is 0.
pub(crate) fn for_each_async<P, F, Fut>(publisher: P, mut f: F, concurrency: usize) -> AsyncTerminal
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
    AsyncTerminal::new(async move {
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
    })
}
