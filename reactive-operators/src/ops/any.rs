use super::all::Decide;
use super::one_value::aggregate_operator;

aggregate_operator!(
    /// The publisher returned by [`PublisherExt::any`](crate::PublisherExt::any).
    Any [F] [] { predicate: F }
    where [F: FnMut(P::Item) -> bool + Clone + Send + 'static,]
    => bool, |this| Decide::<_, true>(this.predicate.clone())
);
