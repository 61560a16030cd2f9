use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

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
        self.source.subscribe(DistinctUntilChangedSubscriber {
            downstream: subscriber,
            last: LastItem(None),
            upstream: None,
        });
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
        self.source.subscribe(DistinctUntilChangedSubscriber {
            downstream: subscriber,
            last: LastKey {
                key: self.key.clone(),
                last: None,
            },
            upstream: None,
        });
    }
}

/// What the operator remembers of the previous item, and the comparison with it.
trait Changed<T>: Send {
    /// Whether `item` differs from the previous one; if it does, it becomes the previous one.
    fn changed(&mut self, item: &T) -> bool;
}

/// The previous item itself: a clone per emitted item, none per repeated one.
struct LastItem<T>(Option<T>);

impl<T: PartialEq + Clone + Send> Changed<T> for LastItem<T> {
    #[inline]
    fn changed(&mut self, item: &T) -> bool {
        if self.0.as_ref() == Some(item) {
            return false;
        }
        self.0 = Some(item.clone());
        true
    }
}

/// The previous item's key.
struct LastKey<F, K> {
    key: F,
    last: Option<K>,
}

impl<T, F, K> Changed<T> for LastKey<F, K>
where
    F: FnMut(&T) -> K + Send,
    K: PartialEq + Send,
{
    #[inline]
    fn changed(&mut self, item: &T) -> bool {
        let key = (self.key)(item);
        if self.last.as_ref() == Some(&key) {
            return false;
        }
        self.last = Some(key);
        true
    }
}

struct DistinctUntilChangedSubscriber<S, C> {
    downstream: S,
    last: C,
    upstream: Option<SubscriptionRef>,
}

impl<T, S, C> Subscriber<T> for DistinctUntilChangedSubscriber<S, C>
where
    S: Subscriber<T>,
    C: Changed<T>,
{
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.upstream.is_some() {
            // Rule 2.5: a second subscription is cancelled, the first one stays.
            subscription.cancel();
            return;
        }
        self.upstream = Some(subscription.clone());
        self.downstream.on_subscribe(subscription);
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if self.last.changed(&item) {
            self.downstream.on_next(item);
        } else if let Some(upstream) = &self.upstream {
            // The upstream counted this item against the downstream's demand; replace it.
            upstream.request(1);
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        // Conditional path: a repeated item is "not delivered", so it costs no request.
        self.last.changed(&item) && self.downstream.try_on_next(item)
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        self.upstream = None;
        self.downstream.on_error(error);
    }

    #[inline]
    fn on_complete(&mut self) {
        self.upstream = None;
        self.downstream.on_complete();
    }
}
