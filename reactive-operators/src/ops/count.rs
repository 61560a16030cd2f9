use std::ops::ControlFlow;

use reactive_core::{Publisher, Subscriber};

use super::one_value::{self, Aggregator, Outcome, debug_with_source};

/// The publisher returned by [`PublisherExt::count`](crate::PublisherExt::count).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Count<P> {
    source: P,
}

impl<P> Count<P> {
    pub(crate) fn new(source: P) -> Self {
        Count { source }
    }
}

debug_with_source!(Count);

impl<P> Publisher for Count<P>
where
    P: Publisher,
    P::Item: Send + 'static,
{
    type Item = u64;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<u64> + 'static,
    {
        one_value::subscribe(&self.source, Counter(0), subscriber);
    }
}

struct Counter(u64);

impl<T> Aggregator<T> for Counter {
    type Output = u64;

    #[inline]
    fn push(&mut self, _: T) -> ControlFlow<Outcome<u64>> {
        self.0 += 1;
        ControlFlow::Continue(())
    }

    fn finish(self) -> Outcome<u64> {
        Ok(Some(self.0))
    }
}
