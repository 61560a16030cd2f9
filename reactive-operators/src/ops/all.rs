use std::ops::ControlFlow;

use reactive_core::{Publisher, Subscriber};

use super::one_value::{self, Aggregator, Outcome, debug_with_source};

/// The publisher returned by [`PublisherExt::all`](crate::PublisherExt::all).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct All<P, F> {
    source: P,
    predicate: F,
}

impl<P, F> All<P, F> {
    pub(crate) fn new(source: P, predicate: F) -> Self {
        All { source, predicate }
    }
}

debug_with_source!(All, F);

impl<P, F> Publisher for All<P, F>
where
    P: Publisher,
    P::Item: Send + 'static,
    F: FnMut(P::Item) -> bool + Clone + Send + 'static,
{
    type Item = bool;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<bool> + 'static,
    {
        one_value::subscribe(&self.source, Every(self.predicate.clone()), subscriber);
    }
}

struct Every<F>(F);

impl<T, F> Aggregator<T> for Every<F>
where
    F: FnMut(T) -> bool + Send + 'static,
{
    type Output = bool;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<bool>> {
        if (self.0)(item) {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(Ok(Some(false)))
        }
    }

    fn finish(self) -> Outcome<bool> {
        Ok(Some(true))
    }
}
