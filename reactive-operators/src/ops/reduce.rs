use std::ops::ControlFlow;

use super::one_value::{Aggregator, Outcome, aggregate_operator};

aggregate_operator!(
    /// The publisher returned by [`PublisherExt::reduce`](crate::PublisherExt::reduce).
    Reduce [F] [] { f: F }
    where [F: FnMut(P::Item, P::Item) -> P::Item + Clone + Send + 'static,]
    => P::Item, |this| Reducer { acc: None, f: this.f.clone() }
);

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
