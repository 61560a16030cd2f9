use std::fmt;

use reactive_core::Error;

use super::blocking_iter::{BlockingIter, named_blocking_subscriber};
use crate::bridge::StreamSubscriber;

/// The buffer of [`for_each`](crate::PublisherExt::for_each) and
/// [`block_last`](crate::PublisherExt::block_last): requested upfront, replenished by
/// `BATCH - BATCH / 4` (192) each time that many items were taken.
pub(crate) const BATCH: usize = 256;

/// The consuming half of [`for_each_subscriber`]: [`run`](Self::run) calls the closure for
/// every item the subscriber receives, on the calling thread.
///
/// ```
/// use reactive_core::Publisher;
/// use reactive_operators::range;
/// use reactive_operators::terminal::for_each_subscriber;
///
/// let mut seen = Vec::new();
/// let (subscriber, run) = for_each_subscriber(|v: u64| seen.push(v));
/// range(0u64..3).subscribe(subscriber);
/// run.run().unwrap();
/// assert_eq!(seen, vec![0, 1, 2]);
/// ```
#[must_use = "nothing is consumed until `run` is called"]
pub struct ForEach<T, F> {
    items: BlockingIter<T>,
    f: F,
}

impl<T, F: FnMut(T)> ForEach<T, F> {
    /// Blocks the calling thread until the stream ends, calling the closure for every item
    /// on this thread; returns the stream's error, if any.
    ///
    /// # Errors
    ///
    /// The error the stream ended with, after the closure has seen every item before it;
    /// [`ErrorKind::Overflow`](reactive_core::ErrorKind::Overflow) if the upstream sent more
    /// than it was asked for.
    ///
    /// # Panics
    ///
    /// A panic in the closure propagates, and cancels the subscription on its way out.
    ///
    /// ```
    /// use reactive_core::{Error, Publisher};
    /// use reactive_operators::error;
    /// use reactive_operators::terminal::for_each_subscriber;
    ///
    /// let (subscriber, run) = for_each_subscriber(|_: u8| {});
    /// error::<u8>(Error::msg("boom")).subscribe(subscriber);
    /// assert_eq!(run.run().unwrap_err().message(), "boom");
    /// ```
    pub fn run(self) -> Result<(), Error> {
        let ForEach { items, mut f } = self;
        for item in items {
            f(item?);
        }
        Ok(())
    }
}

impl<T, F> fmt::Debug for ForEach<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForEach")
            .field("items", &self.items)
            .finish_non_exhaustive()
    }
}

/// Creates the subscriber behind [`PublisherExt::for_each`](crate::PublisherExt::for_each)
/// and the [`ForEach`] that runs `f` for what it receives, for subscribing it yourself (or
/// driving it by hand).
///
/// # Backpressure
///
/// The subscriber requests 256 when subscribed; [`ForEach::run`] requests 192 more each
/// time it has passed 192 items to `f`, so at most 256 items are ever buffered.
///
/// # Errors
///
/// [`ForEach::run`] returns the upstream's error; see there.
///
/// # Examples
///
/// ```
/// use reactive_core::Publisher;
/// use reactive_operators::range;
/// use reactive_operators::terminal::for_each_subscriber;
///
/// let mut sum = 0;
/// let (subscriber, run) = for_each_subscriber(|v: u64| sum += v);
/// let producer = std::thread::spawn(move || range(1u64..101).subscribe(subscriber));
/// run.run().unwrap();
/// producer.join().unwrap();
/// assert_eq!(sum, 5050);
/// ```
pub fn for_each_subscriber<T, F>(f: F) -> (StreamSubscriber<T>, ForEach<T, F>)
where
    F: FnMut(T),
{
    let (subscriber, items) = named_blocking_subscriber(BATCH, "for_each");
    (subscriber, ForEach { items, f })
}
