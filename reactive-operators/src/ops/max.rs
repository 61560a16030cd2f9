use std::ops::ControlFlow;

use reactive_core::{Publisher, Subscriber};

use super::one_value::{self, Aggregator, Outcome, debug_with_source};

/// The publisher returned by [`PublisherExt::max`](crate::PublisherExt::max).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Max<P> {
    source: P,
}

impl<P> Max<P> {
    pub(crate) fn new(source: P) -> Self {
        Max { source }
    }
}

debug_with_source!(Max);

impl<P> Publisher for Max<P>
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
        one_value::subscribe(&self.source, Greatest(None), subscriber);
    }
}

struct Greatest<T>(Option<T>);

impl<T: Ord + Send + 'static> Aggregator<T> for Greatest<T> {
    type Output = T;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<T>> {
        // As `Iterator::max`: of equal items, the last one wins.
        match &self.0 {
            Some(greatest) if *greatest > item => {}
            _ => self.0 = Some(item),
        }
        ControlFlow::Continue(())
    }

    fn finish(self) -> Outcome<T> {
        Ok(self.0)
    }
}
