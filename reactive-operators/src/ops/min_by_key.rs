use std::ops::ControlFlow;

use super::one_value::{Aggregator, Outcome, aggregate_operator};

aggregate_operator!(
    /// The publisher returned by [`PublisherExt::min_by_key`](crate::PublisherExt::min_by_key).
    MinByKey [F] [K] { f: F }
    where [F: FnMut(&P::Item) -> K + Clone + Send + 'static, K: Ord + Send + 'static,]
    => P::Item, |this| ExtremeByKey::<_, _, _, false> { best: None, f: this.f.clone() }
);

/// The item with the smallest key (`GREATEST = false`, the first of equal keys stays, as
/// `Iterator::min_by_key`) or the greatest (`true`, the last wins, as
/// `Iterator::max_by_key`); `MaxByKey` builds on it.
pub(super) struct ExtremeByKey<K, T, F, const GREATEST: bool> {
    pub(super) best: Option<(K, T)>,
    pub(super) f: F,
}

impl<K, T, F, const GREATEST: bool> Aggregator<T> for ExtremeByKey<K, T, F, GREATEST>
where
    K: Ord + Send + 'static,
    T: Send + 'static,
    F: FnMut(&T) -> K + Send + 'static,
{
    type Output = T;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<T>> {
        let key = (self.f)(&item);
        let keep = match &self.best {
            None => false,
            Some((best, _)) if GREATEST => *best > key,
            Some((best, _)) => *best <= key,
        };
        if !keep {
            self.best = Some((key, item));
        }
        ControlFlow::Continue(())
    }

    fn finish(self) -> Outcome<T> {
        Ok(self.best.map(|(_, item)| item))
    }
}
