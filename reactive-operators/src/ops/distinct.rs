use std::collections::HashSet;
use std::hash::Hash;

use reactive_core::{Error, Publisher, Subscriber};

use super::judged::{Judge, JudgedSubscriber, Verdict};

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
        self.source.subscribe(JudgedSubscriber::new(
            subscriber,
            DistinctJudge {
                seen: HashSet::new(),
                max_keys: self.max_keys,
            },
        ));
    }
}

/// The items emitted so far, per subscription.
struct DistinctJudge<T> {
    /// Every item emitted so far; grows by one per new item, up to `max_keys`.
    seen: HashSet<T>,
    max_keys: usize,
}

impl<T: Hash + Eq + Clone + Send> Judge<T> for DistinctJudge<T> {
    type Out = T;

    #[inline]
    fn judge(&mut self, item: T) -> Verdict<T> {
        if self.seen.contains(&item) {
            Verdict::Drop
        } else if self.seen.len() == self.max_keys {
            // The set is full: the stream fails rather than grow it or forget an item.
            self.seen = HashSet::new();
            Verdict::Fail(Error::buffer_overflow("distinct", self.max_keys))
        } else {
            self.seen.insert(item.clone());
            Verdict::Emit(item)
        }
    }
}
