use reactive_core::{Publisher, Subscriber};

use super::judged::{Judge, JudgedSubscriber, Verdict};

/// The publisher returned by [`PublisherExt::skip_while`](crate::PublisherExt::skip_while).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct SkipWhile<P, F> {
    source: P,
    predicate: F,
}

impl<P, F> SkipWhile<P, F> {
    pub(crate) fn new(source: P, predicate: F) -> Self {
        SkipWhile { source, predicate }
    }
}

impl<P: std::fmt::Debug, F> std::fmt::Debug for SkipWhile<P, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SkipWhile")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<P, F> Publisher for SkipWhile<P, F>
where
    P: Publisher,
    F: FnMut(&P::Item) -> bool + Clone + Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(JudgedSubscriber::new(
            subscriber,
            SkipWhileJudge {
                predicate: self.predicate.clone(),
                skipping: true,
            },
        ));
    }
}

/// Drops items until the predicate first fails; never asks it again after that.
struct SkipWhileJudge<F> {
    predicate: F,
    skipping: bool,
}

impl<T, F> Judge<T> for SkipWhileJudge<F>
where
    F: FnMut(&T) -> bool + Send,
{
    type Out = T;

    #[inline]
    fn judge(&mut self, item: T) -> Verdict<T> {
        if self.skipping {
            if (self.predicate)(&item) {
                return Verdict::Drop;
            }
            self.skipping = false;
        }
        Verdict::Emit(item)
    }
}
