use std::ops::ControlFlow;

use super::one_value::{Aggregator, Outcome, aggregate_operator};

aggregate_operator!(
    /// The publisher returned by [`PublisherExt::min`](crate::PublisherExt::min).
    Min [] [] {} where [P::Item: Ord,] => P::Item, |this| Extreme::<_, false>(None)
);

/// The smallest item (`GREATEST = false`, the first of equals stays, as `Iterator::min`) or
/// the greatest (`true`, the last of equals wins, as `Iterator::max`); `Max` builds on it.
pub(super) struct Extreme<T, const GREATEST: bool>(pub(super) Option<T>);

impl<T: Ord + Send + 'static, const GREATEST: bool> Aggregator<T> for Extreme<T, GREATEST> {
    type Output = T;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<T>> {
        let keep = match &self.0 {
            None => false,
            Some(best) if GREATEST => *best > item,
            Some(best) => *best <= item,
        };
        if !keep {
            self.0 = Some(item);
        }
        ControlFlow::Continue(())
    }

    fn finish(self) -> Outcome<T> {
        Ok(self.0)
    }
}
