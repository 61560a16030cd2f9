//! `switch_map`: each outer item mapped to an inner publisher that replaces the current one
//! (the drain loop is in `sequential.rs`).

use reactive_core::{Publisher, Subscriber};

use super::sequential::{self, Mode};

/// The publisher returned by [`PublisherExt::switch_map`](crate::PublisherExt::switch_map).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Debug, Clone)]
pub struct SwitchMap<P, F> {
    source: P,
    f: F,
}

impl<P, F> SwitchMap<P, F> {
    pub(crate) fn new(source: P, f: F) -> Self {
        SwitchMap { source, f }
    }
}

impl<P, Q, F> Publisher for SwitchMap<P, F>
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
        sequential::subscribe(&self.source, self.f.clone(), Mode::Switch, subscriber);
    }
}
