use reactive_core::{Publisher, Subscriber};

use super::judged::{Judge, JudgedSubscriber, Verdict};

/// The publisher returned by [`PublisherExt::filter_map`](crate::PublisherExt::filter_map).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct FilterMap<P, F> {
    source: P,
    f: F,
}

impl<P, F> FilterMap<P, F> {
    pub(crate) fn new(source: P, f: F) -> Self {
        FilterMap { source, f }
    }
}

impl<P: std::fmt::Debug, F> std::fmt::Debug for FilterMap<P, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilterMap")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<P, F, U> Publisher for FilterMap<P, F>
where
    P: Publisher,
    F: FnMut(P::Item) -> Option<U> + Clone + Send + 'static,
{
    type Item = U;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<U> + 'static,
    {
        self.source.subscribe(JudgedSubscriber::new(
            subscriber,
            FilterMapJudge(self.f.clone()),
        ));
    }
}

/// `Some` is emitted, `None` dropped.
struct FilterMapJudge<F>(F);

impl<T, U, F> Judge<T> for FilterMapJudge<F>
where
    F: FnMut(T) -> Option<U> + Send,
{
    type Out = U;

    #[inline]
    fn judge(&mut self, item: T) -> Verdict<U> {
        match (self.0)(item) {
            Some(out) => Verdict::Emit(out),
            None => Verdict::Drop,
        }
    }
}
