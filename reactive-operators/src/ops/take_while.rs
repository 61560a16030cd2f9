use reactive_core::{Publisher, Subscriber};

use super::judged::{Judge, JudgedSubscriber, Verdict};

/// The publisher returned by [`PublisherExt::take_while`](crate::PublisherExt::take_while).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct TakeWhile<P, F> {
    source: P,
    predicate: F,
}

impl<P, F> TakeWhile<P, F> {
    pub(crate) fn new(source: P, predicate: F) -> Self {
        TakeWhile { source, predicate }
    }
}

impl<P: std::fmt::Debug, F> std::fmt::Debug for TakeWhile<P, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TakeWhile")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<P, F> Publisher for TakeWhile<P, F>
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
            TakeWhileJudge(self.predicate.clone()),
        ));
    }
}

/// The first item failing the predicate stops the stream (and is not emitted).
struct TakeWhileJudge<F>(F);

impl<T, F> Judge<T> for TakeWhileJudge<F>
where
    F: FnMut(&T) -> bool + Send,
{
    type Out = T;

    #[inline]
    fn judge(&mut self, item: T) -> Verdict<T> {
        if (self.0)(&item) {
            Verdict::Emit(item)
        } else {
            Verdict::Stop
        }
    }
}
