use std::ops::ControlFlow;

use reactive_core::{Publisher, Subscriber};

use super::one_value::{self, Aggregator, Outcome, debug_with_source};

/// The publisher returned by [`PublisherExt::collect`](crate::PublisherExt::collect).
#[must_use = "publishers do nothing until subscribed"]
pub struct Collect<P, C> {
    source: P,
    /// The collection type: each subscription fills a new `C::default()`.
    _into: std::marker::PhantomData<fn() -> C>,
}

impl<P, C> Collect<P, C> {
    pub(crate) fn new(source: P) -> Self {
        Collect {
            source,
            _into: std::marker::PhantomData,
        }
    }
}

impl<P: Clone, C> Clone for Collect<P, C> {
    fn clone(&self) -> Self {
        Collect::new(self.source.clone())
    }
}

debug_with_source!(Collect, C);

impl<P, C> Publisher for Collect<P, C>
where
    P: Publisher,
    P::Item: Send + 'static,
    C: Default + Extend<P::Item> + Send + 'static,
{
    type Item = C;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<C> + 'static,
    {
        one_value::subscribe(&self.source, Collector(C::default()), subscriber);
    }
}

struct Collector<C>(C);

impl<T, C> Aggregator<T> for Collector<C>
where
    C: Extend<T> + Send + 'static,
{
    type Output = C;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<C>> {
        self.0.extend(std::iter::once(item));
        ControlFlow::Continue(())
    }

    fn finish(self) -> Outcome<C> {
        Ok(Some(self.0))
    }
}
