use std::sync::Arc;

use reactive_core::support::add_cap;
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef, UNBOUNDED};

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
        self.source.subscribe(BufferSubscriber {
            downstream: subscriber,
            current: Vec::new(),
            size: self.size,
            subscribed: false,
        });
    }
}

/// The subscription handed downstream: a request for `k` buffers is one for `k * size` items.
struct Buffers {
    upstream: SubscriptionRef,
    size: u64,
}

impl Subscription for Buffers {
    fn request(&self, k: u64) {
        // `request(0)` goes up as it is: the upstream reports rule 3.9.
        self.upstream.request(multiply_cap(k, self.size));
    }
    fn cancel(&self) {
        self.upstream.cancel();
    }
}

struct BufferSubscriber<T, S> {
    downstream: S,
    current: Vec<T>,
    size: usize,
    subscribed: bool,
}

impl<T, S> BufferSubscriber<T, S> {
    fn fresh(&self) -> Vec<T> {
        Vec::with_capacity(self.size.min(MAX_INITIAL_CAPACITY))
    }
}

impl<T, S> Subscriber<T> for BufferSubscriber<T, S>
where
    T: Send,
    S: Subscriber<Vec<T>>,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.subscribed {
            subscription.cancel(); // rule 2.5
            return;
        }
        self.subscribed = true;
        self.current = self.fresh();
        self.downstream.on_subscribe(Arc::new(Buffers {
            upstream: subscription,
            size: self.size as u64,
        }));
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        self.current.push(item);
        if self.current.len() == self.size {
            let fresh = self.fresh();
            let full = std::mem::replace(&mut self.current, fresh);
            // Plain `on_next`: a downstream `filter` that rejects the buffer asks this stage
            // for one more buffer, which becomes `size` items upstream.
            self.downstream.on_next(full);
        }
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        self.current = Vec::new();
        self.downstream.on_error(error);
    }

    #[inline]
    fn on_complete(&mut self) {
        // A partial buffer is only open if fewer buffers than requested were emitted, so there
        // is demand for it.
        if !self.current.is_empty() {
            let last = std::mem::take(&mut self.current);
            self.downstream.on_next(last);
        }
        self.downstream.on_complete();
    }
}
