use reactive_core::support::add_cap;
use reactive_core::{Publisher, Subscriber, UNBOUNDED};

use super::buffer_skip::GapSubscriber;

/// A buffer's first allocation is capped at this many items; it grows to the buffer size only
/// if the upstream sends that many.
pub(crate) const MAX_INITIAL_CAPACITY: usize = 1024;

/// `k * n`, or [`UNBOUNDED`] when it does not fit (rule 3.17: that much is "everything").
#[inline]
pub(crate) fn multiply_cap(k: u64, n: u64) -> u64 {
    k.checked_mul(n).map_or(UNBOUNDED, |p| add_cap(0, p))
}

/// The publisher returned by [`PublisherExt::buffer`](crate::PublisherExt::buffer).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct Buffer<P> {
    source: P,
    size: usize,
}

impl<P> Buffer<P> {
    pub(crate) fn new(source: P, size: usize) -> Self {
        assert!(size > 0, "buffer: the size must be at least 1");
        Buffer { source, size }
    }
}

impl<P> Publisher for Buffer<P>
where
    P: Publisher,
    P::Item: Send + 'static,
{
    type Item = Vec<P::Item>;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<Vec<P::Item>> + 'static,
    {
        // `buffer_skip(size, size)`: no gaps, so a request for `k` buffers is one for
        // `k * size` items.
        self.source
            .subscribe(GapSubscriber::new(subscriber, self.size, self.size));
    }
}
