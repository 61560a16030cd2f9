use std::ops::ControlFlow;

use super::one_value::{Aggregator, Outcome, aggregate_operator};

aggregate_operator!(
    /// The publisher returned by [`PublisherExt::first`](crate::PublisherExt::first).
    First [] [] {} where [] => P::Item, |this| Head
);

struct Head;

impl<T: Send + 'static> Aggregator<T> for Head {
    type Output = T;
    const REQUEST: u64 = 1;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<T>> {
        ControlFlow::Break(Ok(Some(item)))
    }

    fn finish(self) -> Outcome<T> {
        Ok(None)
    }
}
