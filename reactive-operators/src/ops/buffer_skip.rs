use std::collections::VecDeque;
use std::sync::Arc;

use reactive_core::support::add_cap;
use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef};

use super::buffer::{MAX_INITIAL_CAPACITY, multiply_cap};
use super::post_complete::{Forward, Tail};

/// The publisher returned by [`PublisherExt::buffer_skip`](crate::PublisherExt::buffer_skip).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct BufferSkip<P> {
    source: P,
    size: usize,
    skip: usize,
}

impl<P> BufferSkip<P> {
    pub(crate) fn new(source: P, size: usize, skip: usize) -> Self {
        assert!(size > 0, "buffer_skip: the size must be at least 1");
        assert!(skip > 0, "buffer_skip: the skip must be at least 1");
        BufferSkip { source, size, skip }
    }
}

impl<P> Publisher for BufferSkip<P>
where
    P: Publisher,
    P::Item: Clone + Send + 'static,
{
    type Item = Vec<P::Item>;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<Vec<P::Item>> + 'static,
    {
        if self.skip >= self.size {
            self.source
                .subscribe(GapSubscriber::new(subscriber, self.size, self.skip));
        } else {
            self.source.subscribe(OverlapSubscriber {
                tail: Tail::new(Overlapping {
                    size: self.size as u64,
                    skip: self.skip as u64,
                    first: AtomicBool::new(true),
                }),
                downstream: Some(subscriber),
                open: VecDeque::new(),
                size: self.size,
                skip: self.skip,
                position: 0,
                produced: 0,
                subscribed: false,
            });
        }
    }
}

fn fresh<T>(size: usize) -> Vec<T> {
    Vec::with_capacity(size.min(MAX_INITIAL_CAPACITY))
}

// ---- skip >= size: one buffer at a time, `skip - size` items dropped after each ----

/// The subscription of the gap case: `k` buffers are `k * size` items plus the `k - 1` gaps
/// between them on the first request, then `k * skip` (a gap and a buffer each).
struct Gaps {
    upstream: SubscriptionRef,
    size: u64,
    skip: u64,
    /// The first request has not been made yet; exactly one request takes it.
    first: AtomicBool,
}

impl Subscription for Gaps {
    fn request(&self, k: u64) {
        if k == 0 {
            self.upstream.request(0); // the upstream reports rule 3.9
            return;
        }
        let n = if self.first.swap(false, Ordering::AcqRel) {
            add_cap(
                multiply_cap(k, self.size),
                multiply_cap(k - 1, self.skip - self.size),
            )
        } else {
            multiply_cap(k, self.skip)
        };
        self.upstream.request(n);
    }
    fn cancel(&self) {
        self.upstream.cancel();
    }
}

/// One buffer at a time; with `skip == size` this is `buffer(size)`.
pub(crate) struct GapSubscriber<T, S> {
    downstream: S,
    current: Vec<T>,
    size: usize,
    skip: usize,
    /// The item's place in its period of `skip` items: below `size` it joins the buffer.
    position: usize,
    subscribed: bool,
}

impl<T, S> GapSubscriber<T, S> {
    /// Buffers of `size` items, one starting every `skip >= size` items.
    pub(crate) fn new(downstream: S, size: usize, skip: usize) -> Self {
        debug_assert!(skip >= size && size > 0);
        GapSubscriber {
            downstream,
            current: Vec::new(),
            size,
            skip,
            position: 0,
            subscribed: false,
        }
    }
}

impl<T, S> Subscriber<T> for GapSubscriber<T, S>
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
        self.current = fresh(self.size);
        self.downstream.on_subscribe(Arc::new(Gaps {
            upstream: subscription,
            size: self.size as u64,
            skip: self.skip as u64,
            first: AtomicBool::new(true),
        }));
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        // Gap items were requested too (see `Gaps`), so they count against the upstream's
        // demand and are simply dropped.
        if self.position < self.size {
            self.current.push(item);
            if self.current.len() == self.size {
                let full = std::mem::replace(&mut self.current, fresh(self.size));
                self.downstream.on_next(full);
            }
        }
        self.position += 1;
        if self.position == self.skip {
            self.position = 0;
        }
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        self.current = Vec::new();
        self.downstream.on_error(error);
    }

    #[inline]
    fn on_complete(&mut self) {
        if !self.current.is_empty() {
            let last = std::mem::take(&mut self.current);
            self.downstream.on_next(last);
        }
        self.downstream.on_complete();
    }
}

// ---- skip < size: overlapping buffers, the partial ones emitted after completion ----

/// The upstream requests of the overlapping case: `k` buffers need `size + (k - 1) * skip`
/// items on the first request (the first buffer, then one start every `skip` items), then
/// `k * skip` (each later buffer fills `skip` items after the one before).
pub(crate) struct Overlapping {
    size: u64,
    skip: u64,
    first: AtomicBool,
}

impl Forward for Overlapping {
    fn upstream_request(&self, k: u64) -> u64 {
        if self.first.swap(false, Ordering::AcqRel) {
            add_cap(self.size, multiply_cap(k - 1, self.skip))
        } else {
            multiply_cap(k, self.skip)
        }
    }
}

struct OverlapSubscriber<T, S> {
    tail: Arc<Tail<Vec<T>, S, Overlapping>>,
    /// `None` once handed over (completion) or terminated.
    downstream: Option<S>,
    /// The open buffers, oldest (fullest) first: at most `ceil(size / skip)`.
    open: VecDeque<Vec<T>>,
    size: usize,
    skip: usize,
    /// Items since the last buffer opened; a new one opens at 0.
    position: usize,
    /// Buffers emitted before completion (subtracted from the demand at the hand-off).
    produced: u64,
    subscribed: bool,
}

impl<T, S> Subscriber<T> for OverlapSubscriber<T, S>
where
    T: Clone + Send + 'static,
    S: Subscriber<Vec<T>> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.subscribed {
            subscription.cancel(); // rule 2.5
            return;
        }
        self.subscribed = true;
        self.open =
            VecDeque::with_capacity(self.size.div_ceil(self.skip).min(MAX_INITIAL_CAPACITY));
        if let Some(downstream) = self.downstream.as_mut() {
            self.tail.subscribed(subscription, downstream);
        }
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        let Some(downstream) = self.downstream.as_mut() else {
            return;
        };
        if self.position == 0 {
            self.open.push_back(fresh(self.size));
        }
        self.position += 1;
        if self.position == self.skip {
            self.position = 0;
        }
        // A clone for every open buffer but the newest, which takes the item itself.
        let older = self.open.len().saturating_sub(1);
        for buffer in self.open.iter_mut().take(older) {
            buffer.push(item.clone());
        }
        if let Some(newest) = self.open.back_mut() {
            newest.push(item);
        }
        if self.open.front().is_some_and(|b| b.len() == self.size) {
            if let Some(full) = self.open.pop_front() {
                self.produced += 1;
                downstream.on_next(full);
            }
        }
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        self.open.clear();
        self.tail.error(self.downstream.take(), error);
    }

    #[inline]
    fn on_complete(&mut self) {
        if let Some(downstream) = self.downstream.take() {
            let open = std::mem::take(&mut self.open);
            self.tail.complete(downstream, open, self.produced);
        }
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;

    use reactive_core::sync::atomic::Ordering;
    use reactive_core::sync::thread;
    use reactive_core::{Subscription, SubscriptionRef};

    use super::Gaps;
    use crate::ops::loom_support::Asked;

    /// Two first requests of one buffer each race (size 2, skip 3): exactly one of them is
    /// the first (2 items, no gap before it), the other asks for a gap and a buffer (3), so the
    /// upstream is asked for exactly 5: two buffers and the gap between them.
    #[test]
    fn first_requests_race() {
        loom::model(|| {
            let asked = Arc::new(Asked::default());
            let upstream: SubscriptionRef = asked.clone();
            let gaps = Arc::new(Gaps {
                upstream,
                size: 2,
                skip: 3,
                first: reactive_core::sync::atomic::AtomicBool::new(true),
            });
            let other = gaps.clone();
            let t = thread::spawn(move || other.request(1));
            gaps.request(1);
            t.join().unwrap();
            assert_eq!(
                asked.requested.load(Ordering::Acquire),
                5,
                "exactly two buffers and one gap"
            );
        });
    }
}
