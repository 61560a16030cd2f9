use std::ops::ControlFlow;

use reactive_core::{Publisher, Subscriber};

use super::one_value::{self, Aggregator, Outcome, debug_with_source};

/// The publisher returned by [`PublisherExt::has_elements`](crate::PublisherExt::has_elements).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct HasElements<P> {
    source: P,
}

impl<P> HasElements<P> {
    pub(crate) fn new(source: P) -> Self {
        HasElements { source }
    }
}

debug_with_source!(HasElements);

impl<P> Publisher for HasElements<P>
where
    P: Publisher,
    P::Item: Send + 'static,
{
    type Item = bool;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<bool> + 'static,
    {
        one_value::subscribe(&self.source, NonEmpty, subscriber);
    }
}

struct NonEmpty;

impl<T> Aggregator<T> for NonEmpty {
    type Output = bool;
    const REQUEST: u64 = 1;

    #[inline]
    fn push(&mut self, _: T) -> ControlFlow<Outcome<bool>> {
        ControlFlow::Break(Ok(Some(true)))
    }

    fn finish(self) -> Outcome<bool> {
        Ok(Some(false))
    }
}
