use std::ops::ControlFlow;

use super::one_value::{Aggregator, Outcome, aggregate_operator};

aggregate_operator!(
    /// The publisher returned by [`PublisherExt::fold`](crate::PublisherExt::fold).
    Fold [B, F] [] { init: B, f: F }
    where [B: Clone + Send + 'static, F: FnMut(B, P::Item) -> B + Clone + Send + 'static,]
    => B, |this| Folder { acc: Some(this.init.clone()), f: this.f.clone() }
);

struct Folder<B, F> {
    /// `None` only while `f` runs (and after a panic in it).
    acc: Option<B>,
    f: F,
}

impl<T, B, F> Aggregator<T> for Folder<B, F>
where
    B: Send + 'static,
    F: FnMut(B, T) -> B + Send + 'static,
{
    type Output = B;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<B>> {
        if let Some(acc) = self.acc.take() {
            self.acc = Some((self.f)(acc, item));
        }
        ControlFlow::Continue(())
    }

    fn finish(self) -> Outcome<B> {
        Ok(self.acc)
    }
}
