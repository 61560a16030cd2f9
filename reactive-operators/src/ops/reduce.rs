use std::ops::ControlFlow;

use reactive_core::{Publisher, Subscriber};

use super::one_value::{self, Aggregator, Outcome, debug_with_source};

/// The publisher returned by [`PublisherExt::reduce`](crate::PublisherExt::reduce).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Reduce<P, F> {
    source: P,
    f: F,
}

impl<P, F> Reduce<P, F> {
    pub(crate) fn new(source: P, f: F) -> Self {
        Reduce { source, f }
    }
}

debug_with_source!(Reduce, F);

impl<P, F> Publisher for Reduce<P, F>
where
    P: Publisher,
    P::Item: Send + 'static,
    F: FnMut(P::Item, P::Item) -> P::Item + Clone + Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        one_value::subscribe(
            &self.source,
            Reducer {
                acc: None,
                f: self.f.clone(),
            },
            subscriber,
        );
    }
}

struct Reducer<T, F> {
    acc: Option<T>,
    f: F,
}

impl<T, F> Aggregator<T> for Reducer<T, F>
where
    T: Send + 'static,
    F: FnMut(T, T) -> T + Send + 'static,
{
    type Output = T;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<T>> {
        self.acc = Some(match self.acc.take() {
            Some(acc) => (self.f)(acc, item),
            None => item,
        });
        ControlFlow::Continue(())
    }

    fn finish(self) -> Outcome<T> {
        Ok(self.acc)
    }
}
