use std::ops::ControlFlow;

use super::one_value::{Aggregator, Outcome, aggregate_operator};

aggregate_operator!(
    /// The publisher returned by [`PublisherExt::count`](crate::PublisherExt::count).
    Count [] [] {} where [] => u64, |this| Counter(0)
);

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
