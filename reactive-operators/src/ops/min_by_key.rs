use std::ops::ControlFlow;

use reactive_core::{Publisher, Subscriber};

use super::one_value::{self, Aggregator, Outcome, debug_with_source};

/// The publisher returned by [`PublisherExt::min_by_key`](crate::PublisherExt::min_by_key).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct MinByKey<P, F> {
    source: P,
    f: F,
}

impl<P, F> MinByKey<P, F> {
    pub(crate) fn new(source: P, f: F) -> Self {
        MinByKey { source, f }
    }
}

debug_with_source!(MinByKey, F);

impl<P, F, K> Publisher for MinByKey<P, F>
where
    P: Publisher,
    P::Item: Send + 'static,
    F: FnMut(&P::Item) -> K + Clone + Send + 'static,
    K: Ord + Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        one_value::subscribe(
            &self.source,
            LeastBy {
                best: None,
                f: self.f.clone(),
            },
            subscriber,
        );
    }
}

struct LeastBy<K, T, F> {
    best: Option<(K, T)>,
    f: F,
}

impl<K, T, F> Aggregator<T> for LeastBy<K, T, F>
where
    K: Ord + Send + 'static,
    T: Send + 'static,
    F: FnMut(&T) -> K + Send + 'static,
{
    type Output = T;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<T>> {
        let key = (self.f)(&item);
        // As `Iterator::min_by_key`: of equal keys, the first item stays.
        match &self.best {
            Some((least, _)) if *least <= key => {}
            _ => self.best = Some((key, item)),
        }
        ControlFlow::Continue(())
    }

    fn finish(self) -> Outcome<T> {
        Ok(self.best.map(|(_, item)| item))
    }
}
