use std::ops::ControlFlow;

use reactive_core::{Publisher, Subscriber};

use super::one_value::{self, Aggregator, Outcome, debug_with_source};

/// The publisher returned by [`PublisherExt::last`](crate::PublisherExt::last).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Last<P> {
    source: P,
}

impl<P> Last<P> {
    pub(crate) fn new(source: P) -> Self {
        Last { source }
    }
}

debug_with_source!(Last);

impl<P> Publisher for Last<P>
where
    P: Publisher,
    P::Item: Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        one_value::subscribe(&self.source, Tail(None), subscriber);
    }
}

struct Tail<T>(Option<T>);

impl<T: Send + 'static> Aggregator<T> for Tail<T> {
    type Output = T;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<T>> {
        self.0 = Some(item);
        ControlFlow::Continue(())
    }

    fn finish(self) -> Outcome<T> {
        Ok(self.0)
    }
}
