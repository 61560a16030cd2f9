use std::ops::ControlFlow;

use super::one_value::{Aggregator, Outcome, aggregate_operator};

aggregate_operator!(
    /// The publisher returned by
    /// [`PublisherExt::has_elements`](crate::PublisherExt::has_elements).
    HasElements [] [] {} where [] => bool, |this| NonEmpty
);

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
