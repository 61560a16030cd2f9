use std::marker::PhantomData;

use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// The publisher returned by [`PublisherExt::cast`](crate::PublisherExt::cast).
#[must_use = "publishers do nothing until subscribed"]
pub struct Cast<P, U> {
    source: P,
    // `fn() -> U`: the publisher holds no `U`, and stays `Send + Sync` whatever `U` is.
    target: PhantomData<fn() -> U>,
}

impl<P, U> Cast<P, U> {
    pub(crate) fn new(source: P) -> Self {
        Cast {
            source,
            target: PhantomData,
        }
    }
}

impl<P: Clone, U> Clone for Cast<P, U> {
    fn clone(&self) -> Self {
        Cast::new(self.source.clone())
    }
}

impl<P: std::fmt::Debug, U> std::fmt::Debug for Cast<P, U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cast")
            .field("source", &self.source)
            .field("target", &std::any::type_name::<U>())
            .finish()
    }
}

impl<P, U> Publisher for Cast<P, U>
where
    P: Publisher,
    P::Item: Into<U>,
    U: 'static,
{
    type Item = U;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<U> + 'static,
    {
        self.source.subscribe(CastSubscriber {
            downstream: subscriber,
            target: PhantomData,
        });
    }
}

struct CastSubscriber<S, U> {
    downstream: S,
    target: PhantomData<fn(U)>,
}

impl<T, U, S> Subscriber<T> for CastSubscriber<S, U>
where
    T: Into<U>,
    S: Subscriber<U>,
{
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // Cast changes no demand, so the upstream subscription goes downstream unchanged.
        self.downstream.on_subscribe(subscription);
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        self.downstream.on_next(item.into());
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        self.downstream.try_on_next(item.into())
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        self.downstream.on_error(error);
    }

    #[inline]
    fn on_complete(&mut self) {
        self.downstream.on_complete();
    }
}
