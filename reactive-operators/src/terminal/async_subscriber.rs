//! `AsyncSubscriber` and `subscribe_async`: a subscriber written with `async fn`s, driven by a
//! future.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use async_trait::async_trait;
use reactive_core::{Error, Publisher};

use super::inbox::{self, Received};

/// A subscriber whose signal methods are `async`: the end of a pipeline in async Rust.
///
/// Drive one with [`PublisherExt::subscribe_async`](crate::PublisherExt::subscribe_async),
/// which calls the methods one at a time, in order, from the future it returns: `on_next` for
/// each item, awaited before the next item is asked for, then `on_complete` or `on_error`.
/// Write implementations with the [`async_trait`](macro@crate::async_trait) attribute, which
/// this crate re-exports so that no other dependency is needed.
///
/// # Examples
///
/// ```
/// use reactive_operators::{async_trait, range, AsyncSubscriber, PublisherExt};
///
/// struct Sum(u64);
///
/// #[async_trait]
/// impl AsyncSubscriber<u64> for Sum {
///     async fn on_next(&mut self, item: u64) {
///         self.0 += item; // could await a database write here
///     }
///     async fn on_complete(&mut self) {
///         println!("total: {}", self.0);
///     }
/// }
///
/// let result = futures_executor::block_on(range(1u64..5).subscribe_async(Sum(0)));
/// assert!(result.is_ok());
/// ```
#[async_trait]
pub trait AsyncSubscriber<T: Send + 'static>: Send {
    /// One item. The next item is requested when this returns.
    async fn on_next(&mut self, item: T);

    /// The stream failed with `error`; nothing follows. Does nothing by default: the error
    /// is also what the driving future resolves with.
    async fn on_error(&mut self, error: Error) {
        let _ = error;
    }

    /// The stream completed; nothing follows. Does nothing by default.
    async fn on_complete(&mut self) {}
}

/// The future of an async terminal
/// ([`PublisherExt::subscribe_async`](crate::PublisherExt::subscribe_async),
/// [`PublisherExt::for_each_async`](crate::PublisherExt::for_each_async)): resolves with
/// `Ok(())` once the stream completed and the terminal finished its work, or with the
/// stream's error.
///
/// Subscribes when first polled. Dropping it before it resolves cancels the subscription.
///
/// ```
/// use reactive_operators::{async_trait, just, AsyncSubscriber, PublisherExt};
///
/// struct Print;
///
/// #[async_trait]
/// impl AsyncSubscriber<&'static str> for Print {
///     async fn on_next(&mut self, item: &'static str) {
///         println!("{item}");
///     }
/// }
///
/// let done = just("hello").subscribe_async(Print);
/// assert!(futures_executor::block_on(done).is_ok());
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct AsyncTerminal {
    inner: Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>,
}

impl AsyncTerminal {
    pub(crate) fn new(future: impl Future<Output = Result<(), Error>> + Send + 'static) -> Self {
        AsyncTerminal {
            inner: Box::pin(future),
        }
    }
}

impl Future for AsyncTerminal {
    type Output = Result<(), Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl fmt::Debug for AsyncTerminal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncTerminal").finish_non_exhaustive()
    }
}

/// Drives `subscriber` from a future: one `on_next` at a time, requesting 1 more after each.
pub(crate) fn subscribe_async<P, A>(publisher: P, mut subscriber: A) -> AsyncTerminal
where
    P: Publisher + Send + 'static,
    P::Item: Send + 'static,
    A: AsyncSubscriber<P::Item> + 'static,
{
    AsyncTerminal::new(async move {
        let mut inbox = inbox::subscribe(publisher, "subscribe_async", 1);
        loop {
            match inbox.next().await {
                Received::Item(item) => {
                    subscriber.on_next(item).await;
                    inbox.request(1);
                }
                Received::End(Ok(())) => {
                    subscriber.on_complete().await;
                    return Ok(());
                }
                Received::End(Err(error)) => {
                    subscriber.on_error(error.clone()).await;
                    return Err(error);
                }
            }
        }
    })
}
