//! `concat_map` and `concat_map_delay_error`: each outer item mapped to an inner publisher,
//! the inners played one after another (the drain loop is in `sequential.rs`).

use reactive_core::{Publisher, Subscriber};

use super::sequential::{self, Mode};

/// The publisher returned by [`PublisherExt::concat_map`](crate::PublisherExt::concat_map)
/// and [`PublisherExt::concat_map_delay_error`](crate::PublisherExt::concat_map_delay_error).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Debug, Clone)]
pub struct ConcatMap<P, F> {
    source: P,
    f: F,
    prefetch: usize,
    delay_error: bool,
}

impl<P, F> ConcatMap<P, F> {
    pub(crate) fn new(source: P, f: F, prefetch: usize, delay_error: bool) -> Self {
        assert!(prefetch > 0, "concat_map: prefetch must be at least 1");
        assert!(
            prefetch <= usize::MAX / 2,
            "concat_map: prefetch {prefetch} is too large for a bounded queue"
        );
        ConcatMap {
            source,
            f,
            prefetch,
            delay_error,
        }
    }
}

impl<P, Q, F> Publisher for ConcatMap<P, F>
where
    P: Publisher,
    P::Item: Send + 'static,
    Q: Publisher + Send + 'static,
    Q::Item: Send + 'static,
    F: FnMut(P::Item) -> Q + Clone + Send + 'static,
{
    type Item = Q::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<Q::Item> + 'static,
    {
        let mode = Mode::Concat {
            prefetch: self.prefetch,
            delay_error: self.delay_error,
        };
        sequential::subscribe(&self.source, self.f.clone(), mode, subscriber);
    }
}
