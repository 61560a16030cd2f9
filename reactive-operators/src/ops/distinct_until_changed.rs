use reactive_core::{Publisher, Subscriber};

use super::judged::{Judge, JudgedSubscriber, Verdict};

/// The publisher returned by
/// [`PublisherExt::distinct_until_changed`](crate::PublisherExt::distinct_until_changed).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct DistinctUntilChanged<P> {
    source: P,
}

impl<P> DistinctUntilChanged<P> {
    pub(crate) fn new(source: P) -> Self {
        DistinctUntilChanged { source }
    }
}

impl<P> Publisher for DistinctUntilChanged<P>
where
    P: Publisher,
    P::Item: PartialEq + Clone + Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source
            .subscribe(JudgedSubscriber::new(subscriber, LastItem(None)));
    }
}

/// The publisher returned by
/// [`PublisherExt::distinct_until_changed_by_key`](crate::PublisherExt::distinct_until_changed_by_key).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct DistinctUntilChangedByKey<P, F> {
    source: P,
    key: F,
}

impl<P, F> DistinctUntilChangedByKey<P, F> {
    pub(crate) fn new(source: P, key: F) -> Self {
        DistinctUntilChangedByKey { source, key }
    }
}

impl<P: std::fmt::Debug, F> std::fmt::Debug for DistinctUntilChangedByKey<P, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DistinctUntilChangedByKey")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<P, F, K> Publisher for DistinctUntilChangedByKey<P, F>
where
    P: Publisher,
    F: FnMut(&P::Item) -> K + Clone + Send + 'static,
    K: PartialEq + Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(JudgedSubscriber::new(
            subscriber,
            LastKey {
                key: self.key.clone(),
                last: None,
            },
        ));
    }
}

/// The previous emitted item itself: a clone per emitted item, none per repeated one.
struct LastItem<T>(Option<T>);

impl<T: PartialEq + Clone + Send> Judge<T> for LastItem<T> {
    type Out = T;

    #[inline]
    fn judge(&mut self, item: T) -> Verdict<T> {
        if self.0.as_ref() == Some(&item) {
            return Verdict::Drop;
        }
        self.0 = Some(item.clone());
        Verdict::Emit(item)
    }
}

/// The previous emitted item's key.
struct LastKey<F, K> {
    key: F,
    last: Option<K>,
}

impl<T, F, K> Judge<T> for LastKey<F, K>
where
    F: FnMut(&T) -> K + Send,
    K: PartialEq + Send,
{
    type Out = T;

    #[inline]
    fn judge(&mut self, item: T) -> Verdict<T> {
        let key = (self.key)(&item);
        if self.last.as_ref() == Some(&key) {
            return Verdict::Drop;
        }
        self.last = Some(key);
        Verdict::Emit(item)
    }
}
