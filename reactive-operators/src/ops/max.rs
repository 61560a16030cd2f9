use super::min::Extreme;
use super::one_value::aggregate_operator;

aggregate_operator!(
    /// The publisher returned by [`PublisherExt::max`](crate::PublisherExt::max).
    Max [] [] {} where [P::Item: Ord,] => P::Item, |this| Extreme::<_, true>(None)
);
