use std::ops::ControlFlow;

use reactive_core::Error;
use reactive_core::{Publisher, Subscriber};

use super::one_value::{self, Aggregator, Outcome, debug_with_source};

/// The publisher returned by [`PublisherExt::single`](crate::PublisherExt::single).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Single<P> {
    source: P,
}

impl<P> Single<P> {
    pub(crate) fn new(source: P) -> Self {
        Single { source }
    }
}

debug_with_source!(Single);

impl<P> Publisher for Single<P>
where
    P: Publisher,
    P::Item: Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        one_value::subscribe(&self.source, Only(None), subscriber);
    }
}

struct Only<T>(Option<T>);

impl<T: Send + 'static> Aggregator<T> for Only<T> {
    type Output = T;
    /// The one item, and a second one to find out whether there is one.
    const REQUEST: u64 = 2;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<T>> {
        if self.0.is_some() {
            return ControlFlow::Break(Err(Error::too_many_items("single", 1)));
        }
        self.0 = Some(item);
        ControlFlow::Continue(())
    }

    fn finish(self) -> Outcome<T> {
        match self.0 {
            Some(item) => Ok(Some(item)),
            None => Err(Error::no_item("single", "an item")),
        }
    }
}
