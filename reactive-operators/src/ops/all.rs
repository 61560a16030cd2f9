use std::ops::ControlFlow;

use super::one_value::{Aggregator, Outcome, aggregate_operator};

aggregate_operator!(
    /// The publisher returned by [`PublisherExt::all`](crate::PublisherExt::all).
    All [F] [] { predicate: F }
    where [F: FnMut(P::Item) -> bool + Clone + Send + 'static,]
    => bool, |this| Decide::<_, false>(this.predicate.clone())
);

/// `any` (`ANY = true`: decided by the first item that passes) or `all` (`false`: decided by
/// the first that fails); `Any` builds on it.
pub(super) struct Decide<F, const ANY: bool>(pub(super) F);

impl<T, F, const ANY: bool> Aggregator<T> for Decide<F, ANY>
where
    F: FnMut(T) -> bool + Send + 'static,
{
    type Output = bool;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<bool>> {
        if (self.0)(item) == ANY {
            ControlFlow::Break(Ok(Some(ANY)))
        } else {
            ControlFlow::Continue(())
        }
    }

    fn finish(self) -> Outcome<bool> {
        Ok(Some(!ANY))
    }
}
