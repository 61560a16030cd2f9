use std::ops::ControlFlow;

use reactive_core::{Publisher, Subscriber};

use super::one_value::{self, Aggregator, Outcome, debug_with_source};

/// The publisher returned by [`PublisherExt::any`](crate::PublisherExt::any).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Any<P, F> {
    source: P,
    predicate: F,
}

impl<P, F> Any<P, F> {
    pub(crate) fn new(source: P, predicate: F) -> Self {
        Any { source, predicate }
    }
}

debug_with_source!(Any, F);

impl<P, F> Publisher for Any<P, F>
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
        one_value::subscribe(&self.source, Some_(self.predicate.clone()), subscriber);
    }
}

struct Some_<F>(F);

impl<T, F> Aggregator<T> for Some_<F>
where
    F: FnMut(T) -> bool + Send + 'static,
{
    type Output = bool;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<bool>> {
        if (self.0)(item) {
            ControlFlow::Break(Ok(Some(true)))
        } else {
            ControlFlow::Continue(())
        }
    }

    fn finish(self) -> Outcome<bool> {
        Ok(Some(false))
    }
}
