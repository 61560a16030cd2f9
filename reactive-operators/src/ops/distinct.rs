use std::collections::HashSet;
use std::hash::Hash;

use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// The publisher returned by [`PublisherExt::distinct`](crate::PublisherExt::distinct).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct Distinct<P> {
    source: P,
    max_keys: usize,
}

impl<P> Distinct<P> {
    pub(crate) fn new(source: P, max_keys: usize) -> Self {
        assert!(max_keys != 0, "distinct: max_keys must not be 0");
        Distinct { source, max_keys }
    }
}

impl<P> Publisher for Distinct<P>
where
    P: Publisher,
    P::Item: Hash + Eq + Clone + Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(DistinctSubscriber {
            downstream: subscriber,
            seen: HashSet::new(),
            max_keys: self.max_keys,
            upstream: None,
            subscribed: false,
            done: false,
        });
    }
}

struct DistinctSubscriber<S, T> {
    downstream: S,
    /// Every item emitted so far; grows by one per new item, up to `max_keys`.
    seen: HashSet<T>,
    max_keys: usize,
    upstream: Option<SubscriptionRef>,
    subscribed: bool,
    /// Set once a terminal signal went downstream; later upstream signals are ignored.
    done: bool,
}

/// What to do with an item.
enum Verdict {
    Emit,
    Drop,
    /// A new item with the set full.
    Overflow,
}

impl<S, T: Hash + Eq + Clone> DistinctSubscriber<S, T> {
    #[inline]
    fn judge(&mut self, item: &T) -> Verdict {
        if self.seen.contains(item) {
            Verdict::Drop
        } else if self.seen.len() == self.max_keys {
            Verdict::Overflow
        } else {
            self.seen.insert(item.clone());
            Verdict::Emit
        }
    }

    /// The set is full: cancel the upstream, fail.
    fn overflow(&mut self)
    where
        S: Subscriber<T>,
    {
        self.done = true;
        self.seen = HashSet::new();
        if let Some(upstream) = self.upstream.take() {
            upstream.cancel();
        }
        self.downstream
            .on_error(Error::buffer_overflow("distinct", self.max_keys));
    }
}

impl<T, S> Subscriber<T> for DistinctSubscriber<S, T>
where
    S: Subscriber<T>,
    T: Hash + Eq + Clone + Send,
{
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.subscribed {
            // Rule 2.5: a second subscription is cancelled, the first one stays.
            subscription.cancel();
            return;
        }
        self.subscribed = true;
        self.upstream = Some(subscription.clone());
        self.downstream.on_subscribe(subscription);
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if self.done {
            return;
        }
        match self.judge(&item) {
            Verdict::Emit => self.downstream.on_next(item),
            Verdict::Drop => {
                if let Some(upstream) = &self.upstream {
                    // The upstream counted this item against the downstream's demand.
                    upstream.request(1);
                }
            }
            Verdict::Overflow => self.overflow(),
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        if self.done {
            return false;
        }
        match self.judge(&item) {
            Verdict::Emit => self.downstream.try_on_next(item),
            // Conditional path: a repeated item is "not delivered", so it costs no request.
            Verdict::Drop => false,
            Verdict::Overflow => {
                self.overflow();
                false
            }
        }
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        if !self.done {
            self.done = true;
            self.upstream = None;
            self.seen = HashSet::new();
            self.downstream.on_error(error);
        }
    }

    #[inline]
    fn on_complete(&mut self) {
        if !self.done {
            self.done = true;
            self.upstream = None;
            self.seen = HashSet::new();
            self.downstream.on_complete();
        }
    }
}
