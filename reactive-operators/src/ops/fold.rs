use std::ops::ControlFlow;

use reactive_core::{Publisher, Subscriber};

use super::one_value::{self, Aggregator, Outcome, debug_with_source};

/// The publisher returned by [`PublisherExt::fold`](crate::PublisherExt::fold).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Fold<P, B, F> {
    source: P,
    init: B,
    f: F,
}

impl<P, B, F> Fold<P, B, F> {
    pub(crate) fn new(source: P, init: B, f: F) -> Self {
        Fold { source, init, f }
    }
}

debug_with_source!(Fold, B, F);

impl<P, B, F> Publisher for Fold<P, B, F>
where
    P: Publisher,
    P::Item: Send + 'static,
    B: Clone + Send + 'static,
    F: FnMut(B, P::Item) -> B + Clone + Send + 'static,
{
    type Item = B;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<B> + 'static,
    {
        one_value::subscribe(
            &self.source,
            Folder {
                acc: Some(self.init.clone()),
                f: self.f.clone(),
            },
            subscriber,
        );
    }
}

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
