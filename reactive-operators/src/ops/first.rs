use std::ops::ControlFlow;

use reactive_core::{Publisher, Subscriber};

use super::one_value::{self, Aggregator, Outcome, debug_with_source};

/// The publisher returned by [`PublisherExt::first`](crate::PublisherExt::first).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct First<P> {
    source: P,
}

impl<P> First<P> {
    pub(crate) fn new(source: P) -> Self {
        First { source }
    }
}

debug_with_source!(First);

impl<P> Publisher for First<P>
where
    P: Publisher,
    P::Item: Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        one_value::subscribe(&self.source, Head, subscriber);
    }
}

struct Head;

impl<T: Send + 'static> Aggregator<T> for Head {
    type Output = T;
    const REQUEST: u64 = 1;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<T>> {
        ControlFlow::Break(Ok(Some(item)))
    }

    fn finish(self) -> Outcome<T> {
        Ok(None)
    }
}
