use std::collections::VecDeque;

use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

use super::take_last::INITIAL_CAPACITY;

/// The publisher returned by [`PublisherExt::skip_last`](crate::PublisherExt::skip_last).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct SkipLast<P> {
    source: P,
    n: usize,
}

impl<P> SkipLast<P> {
    pub(crate) fn new(source: P, n: usize) -> Self {
        SkipLast { source, n }
    }
}

impl<P> Publisher for SkipLast<P>
where
    P: Publisher,
    P::Item: Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(SkipLastSubscriber {
            downstream: subscriber,
            ring: VecDeque::new(),
            n: self.n,
            subscribed: false,
        });
    }
}

struct SkipLastSubscriber<T, S> {
    downstream: S,
    /// The last `n` items, not yet known not to be among the last `n` of the stream.
    ring: VecDeque<T>,
    n: usize,
    subscribed: bool,
}

impl<T, S> Subscriber<T> for SkipLastSubscriber<T, S>
where
    T: Send,
    S: Subscriber<T>,
{
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.subscribed {
            subscription.cancel(); // rule 2.5
            return;
        }
        self.subscribed = true;
        self.ring = VecDeque::with_capacity(self.n.min(INITIAL_CAPACITY));
        // The downstream's requests go upstream unchanged; the `n` items the ring holds back
        // are asked for once, on top, after the downstream has its subscription (so that a
        // short upstream cannot complete before it).
        self.downstream.on_subscribe(subscription.clone());
        if self.n > 0 {
            subscription.request(self.n as u64);
        }
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if self.n == 0 {
            self.downstream.on_next(item);
            return;
        }
        if self.ring.len() == self.n {
            if let Some(oldest) = self.ring.pop_front() {
                self.downstream.on_next(oldest);
            }
        }
        self.ring.push_back(item);
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        if self.n == 0 {
            return self.downstream.try_on_next(item);
        }
        if self.ring.len() < self.n {
            // One of the `n` requested upfront: it counts.
            self.ring.push_back(item);
            return true;
        }
        // The item goes into the ring and the oldest one out: the downstream's verdict on
        // the oldest is the verdict on this delivery (a rejected one costs no demand).
        let oldest = self.ring.pop_front();
        self.ring.push_back(item);
        match oldest {
            Some(oldest) => self.downstream.try_on_next(oldest),
            None => true,
        }
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        self.ring.clear();
        self.downstream.on_error(error);
    }

    #[inline]
    fn on_complete(&mut self) {
        self.ring.clear(); // the last `n`: never emitted
        self.downstream.on_complete();
    }
}
