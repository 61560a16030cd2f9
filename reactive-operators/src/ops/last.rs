use std::ops::ControlFlow;

use super::one_value::{Aggregator, Outcome, aggregate_operator};

aggregate_operator!(
    /// The publisher returned by [`PublisherExt::last`](crate::PublisherExt::last).
    Last [] [] {} where [] => P::Item, |this| Latest(None)
);

/// The latest item; `Single` builds on it.
pub(super) struct Latest<T>(pub(super) Option<T>);

impl<T: Send + 'static> Aggregator<T> for Latest<T> {
    type Output = T;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<T>> {
        self.0 = Some(item);
        ControlFlow::Continue(())
    }

    fn finish(self) -> Outcome<T> {
        Ok(self.0)
    }
}
