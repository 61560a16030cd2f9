use std::collections::VecDeque;
use std::sync::Arc;

use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

use super::post_complete::{Tail, Unchanged};

/// The publisher returned by
/// [`PublisherExt::default_if_empty`](crate::PublisherExt::default_if_empty).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct DefaultIfEmpty<P, T> {
    source: P,
    value: T,
}

impl<P, T> DefaultIfEmpty<P, T> {
    pub(crate) fn new(source: P, value: T) -> Self {
        DefaultIfEmpty { source, value }
    }
}

impl<P> Publisher for DefaultIfEmpty<P, P::Item>
where
    P: Publisher,
    P::Item: Clone + Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(DefaultIfEmptySubscriber {
            tail: Tail::new(Unchanged),
            downstream: Some(subscriber),
            value: Some(self.value.clone()),
            subscribed: false,
        });
    }
}

struct DefaultIfEmptySubscriber<T, S> {
    tail: Arc<Tail<T, S, Unchanged>>,
    /// `None` once terminated (or handed over with the default).
    downstream: Option<S>,
    /// The default; `None` once an item arrived.
    value: Option<T>,
    subscribed: bool,
}

impl<T, S> Subscriber<T> for DefaultIfEmptySubscriber<T, S>
where
    T: Send + 'static,
    S: Subscriber<T> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.subscribed {
            subscription.cancel(); // rule 2.5
            return;
        }
        self.subscribed = true;
        if let Some(downstream) = self.downstream.as_mut() {
            // Requests go upstream unchanged, and are counted for the default.
            self.tail.subscribed(subscription, downstream);
        }
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        self.value = None;
        if let Some(downstream) = self.downstream.as_mut() {
            downstream.on_next(item);
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        self.value = None;
        match self.downstream.as_mut() {
            Some(downstream) => downstream.try_on_next(item),
            None => false,
        }
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        self.tail.error(self.downstream.take(), error);
    }

    #[inline]
    fn on_complete(&mut self) {
        self.tail.upstream_done();
        let Some(mut downstream) = self.downstream.take() else {
            return;
        };
        match self.value.take() {
            // Empty: the default waits for demand, which the drain loop sees.
            Some(value) => self.tail.complete(downstream, VecDeque::from([value]), 0),
            None => downstream.on_complete(),
        }
    }
}
