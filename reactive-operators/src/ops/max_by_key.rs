use super::min_by_key::ExtremeByKey;
use super::one_value::aggregate_operator;

aggregate_operator!(
    /// The publisher returned by [`PublisherExt::max_by_key`](crate::PublisherExt::max_by_key).
    MaxByKey [F] [K] { f: F }
    where [F: FnMut(&P::Item) -> K + Clone + Send + 'static, K: Ord + Send + 'static,]
    => P::Item, |this| ExtremeByKey::<_, _, _, true> { best: None, f: this.f.clone() }
);
