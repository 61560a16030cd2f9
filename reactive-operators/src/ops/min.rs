use std::ops::ControlFlow;

use reactive_core::{Publisher, Subscriber};

use super::one_value::{self, Aggregator, Outcome, debug_with_source};

/// The publisher returned by [`PublisherExt::min`](crate::PublisherExt::min).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Min<P> {
    source: P,
}

impl<P> Min<P> {
    pub(crate) fn new(source: P) -> Self {
        Min { source }
    }
}

debug_with_source!(Min);

impl<P> Publisher for Min<P>
where
    P: Publisher,
    P::Item: Send + 'static,
    P::Item: Ord,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        one_value::subscribe(&self.source, Least(None), subscriber);
    }
}

struct Least<T>(Option<T>);

impl<T: Ord + Send + 'static> Aggregator<T> for Least<T> {
    type Output = T;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<T>> {
        // As `Iterator::min`: of equal items, the first one stays.
        match &self.0 {
            Some(least) if *least <= item => {}
            _ => self.0 = Some(item),
        }
        ControlFlow::Continue(())
    }

    fn finish(self) -> Outcome<T> {
        Ok(self.0)
    }
}
