use std::fmt::Debug;
use std::sync::Arc;

use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef};

use super::peek::{Hooks, PeekSubscriber};

/// The publisher returned by [`PublisherExt::log`](crate::PublisherExt::log).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Log<P> {
    source: P,
    name: Arc<str>,
}

impl<P> Log<P> {
    pub(crate) fn new(source: P, name: &str) -> Self {
        Log {
            source,
            name: name.into(),
        }
    }
}

impl<P: Debug> Debug for Log<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Log")
            .field("source", &self.source)
            .field("name", &self.name)
            .finish()
    }
}

impl<P> Publisher for Log<P>
where
    P: Publisher,
    P::Item: Debug,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(PeekSubscriber {
            downstream: subscriber,
            hooks: Logger(self.name.clone()),
        });
    }
}

/// The target of every event `log` emits.
const TARGET: &str = "reactive_operators::log";

struct Logger(Arc<str>);

impl<T: Debug> Hooks<T> for Logger {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) -> SubscriptionRef {
        tracing::info!(target: TARGET, name = &*self.0, signal = "on_subscribe");
        // The one allocation of this operator: per subscription, never per item.
        Arc::new(Logged {
            upstream: subscription,
            name: self.0.clone(),
        })
    }

    #[inline]
    fn on_next(&mut self, item: &T) {
        tracing::info!(target: TARGET, name = &*self.0, signal = "on_next", item = ?item);
    }

    fn on_error(&mut self, error: &Error) {
        tracing::info!(target: TARGET, name = &*self.0, signal = "on_error", error = %error);
    }

    fn on_complete(&mut self) {
        tracing::info!(target: TARGET, name = &*self.0, signal = "on_complete");
    }
}

/// The subscription handed downstream: logs, then forwards.
struct Logged {
    upstream: SubscriptionRef,
    name: Arc<str>,
}

impl Subscription for Logged {
    fn request(&self, n: u64) {
        tracing::info!(target: TARGET, name = &*self.name, signal = "request", n);
        self.upstream.request(n);
    }

    fn cancel(&self) {
        tracing::info!(target: TARGET, name = &*self.name, signal = "cancel");
        self.upstream.cancel();
    }
}
