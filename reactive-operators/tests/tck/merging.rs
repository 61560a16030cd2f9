//! The merging operators through the publisher verification: `flat_map` onto fused `just`
//! and `range` inners, onto inners on a pool (`publish_on`), `flat_map_delay_error`, `merge`
//! of synchronous and of asynchronous sources, `merge_delay_error` and `merge_with`.

use reactive_core::scheduler::PoolScheduler;
use reactive_core::{BoxPublisher, Error};
use reactive_operators::ops::{FlatMap, Merge, MergeWith, PublishOn};
use reactive_operators::source::{Just, Range};
use reactive_operators::{PublisherExt, empty, error, just, merge, merge_delay_error, range};
use reactive_tck::PublisherVerification;

use super::pool;

/// `error(e)` through `op`, as the failed publisher.
fn failed_through(
    op: impl FnOnce(reactive_operators::source::ErrorSource<u64>) -> BoxPublisher<u64>,
) -> Option<BoxPublisher<u64>> {
    Some(op(error::<u64>(Error::msg("failed on purpose"))))
}

type OntoJust = FlatMap<Range<u64>, fn(u64) -> Just<u64>>;

/// `range(0..n).flat_map(just, 4, 32)`: every inner is a fused scalar.
#[derive(Debug)]
pub(crate) struct FlatMapJustTck;

impl PublisherVerification for FlatMapJustTck {
    type Item = u64;
    type Publisher = OntoJust;

    fn create_publisher(&self, elements: u64) -> OntoJust {
        range(0..elements).flat_map(just as fn(u64) -> Just<u64>, 4, 32)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.flat_map(just, 4, 32).boxed())
    }
}

mod flat_map_just_tck {
    reactive_tck::publisher_verification!(super::FlatMapJustTck);
}

/// Inner `i` of a stream of `n` items in groups of 3: `range(3i..min(3i + 3, n))`.
fn group_count(elements: u64) -> u64 {
    elements.div_ceil(3)
}

/// `range(0..n/3).flat_map(|i| range(3i..3i+3), 2, 8)`: fused cursors, two at a time.
#[derive(Debug)]
pub(crate) struct FlatMapRangeTck;

impl PublisherVerification for FlatMapRangeTck {
    type Item = u64;
    type Publisher = BoxPublisher<u64>;

    fn create_publisher(&self, elements: u64) -> BoxPublisher<u64> {
        range(0..group_count(elements))
            .flat_map(move |i| range(3 * i..(3 * i + 3).min(elements)), 2, 8)
            .boxed()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.flat_map(|i| range(i..i + 1), 2, 8).boxed())
    }
}

mod flat_map_range_tck {
    reactive_tck::publisher_verification!(super::FlatMapRangeTck);
}

/// `range(0..4).flat_map(|i| .. .publish_on(pool, 2), 4, 4)`: four inners at once, each
/// signalling from a pool thread; the first carries the `n` items, the other three are empty
/// (so that the order, which the multicast tests compare, does not depend on the threads'
/// timing).
#[derive(Debug)]
pub(crate) struct FlatMapAsyncTck;

impl PublisherVerification for FlatMapAsyncTck {
    type Item = u64;
    type Publisher = BoxPublisher<u64>;

    fn create_publisher(&self, elements: u64) -> BoxPublisher<u64> {
        range(0..4u64)
            .flat_map(
                move |i| {
                    let items = if i == 0 { 0..elements } else { 0..0 };
                    range(items).publish_on(pool(), 2)
                },
                4,
                4,
            )
            .boxed()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| {
            e.flat_map(|i| range(i..i + 1).publish_on(pool(), 2), 4, 4)
                .boxed()
        })
    }
}

mod flat_map_async_tck {
    reactive_tck::publisher_verification!(super::FlatMapAsyncTck);
}

/// `range(0..n).flat_map_delay_error(just, 4, 32)`.
#[derive(Debug)]
pub(crate) struct FlatMapDelayErrorTck;

impl PublisherVerification for FlatMapDelayErrorTck {
    type Item = u64;
    type Publisher = OntoJust;

    fn create_publisher(&self, elements: u64) -> OntoJust {
        range(0..elements).flat_map_delay_error(just as fn(u64) -> Just<u64>, 4, 32)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.flat_map_delay_error(just, 4, 32).boxed())
    }
}

mod flat_map_delay_error_tck {
    reactive_tck::publisher_verification!(super::FlatMapDelayErrorTck);
}

/// `merge([range(0..n/2), range(n/2..n)], 8)`: two fused sources.
#[derive(Debug)]
pub(crate) struct MergeTck;

impl PublisherVerification for MergeTck {
    type Item = u64;
    type Publisher = Merge<Range<u64>>;

    fn create_publisher(&self, elements: u64) -> Merge<Range<u64>> {
        let half = elements / 2;
        merge([range(0..half), range(half..elements)], 8)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| merge([e.boxed(), range(0..3u64).boxed()], 8).boxed())
    }
}

mod merge_tck {
    reactive_tck::publisher_verification!(super::MergeTck);
}

/// `merge` of three `publish_on(pool, 4)` sources, prefetch 4: the first carries the items,
/// the others complete empty from their pool threads meanwhile (the multicast tests compare
/// the order, which must not depend on the threads' timing).
#[derive(Debug)]
pub(crate) struct MergeAsyncTck;

impl PublisherVerification for MergeAsyncTck {
    type Item = u64;
    type Publisher = Merge<PublishOn<Range<u64>, PoolScheduler>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        merge(
            [
                range(0..elements).publish_on(pool(), 4),
                range(0..0).publish_on(pool(), 4),
                range(0..0).publish_on(pool(), 4),
            ],
            4,
        )
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| {
            merge(
                [
                    e.publish_on(pool(), 4).boxed(),
                    range(0..3u64).publish_on(pool(), 4).boxed(),
                ],
                4,
            )
            .boxed()
        })
    }
}

mod merge_async_tck {
    reactive_tck::publisher_verification!(super::MergeAsyncTck);
}

/// `merge_delay_error([range(0..n/2), range(n/2..n)], 8)`.
#[derive(Debug)]
pub(crate) struct MergeDelayErrorTck;

impl PublisherVerification for MergeDelayErrorTck {
    type Item = u64;
    type Publisher = Merge<Range<u64>>;

    fn create_publisher(&self, elements: u64) -> Merge<Range<u64>> {
        let half = elements / 2;
        merge_delay_error([range(0..half), range(half..elements)], 8)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| merge_delay_error([e.boxed(), empty().boxed()], 8).boxed())
    }
}

mod merge_delay_error_tck {
    reactive_tck::publisher_verification!(super::MergeDelayErrorTck);
}

/// `range(0..n/2).merge_with(range(n/2..n).publish_on(pool, 8))`: one fused side, one on a
/// pool thread.
#[derive(Debug)]
pub(crate) struct MergeWithTck;

impl PublisherVerification for MergeWithTck {
    type Item = u64;
    type Publisher = MergeWith<Range<u64>, PublishOn<Range<u64>, PoolScheduler>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        let half = elements / 2;
        range(0..half).merge_with(range(half..elements).publish_on(pool(), 8))
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.merge_with(range(0..3u64).publish_on(pool(), 8)).boxed())
    }
}

mod merge_with_tck {
    reactive_tck::publisher_verification!(super::MergeWithTck);
}

/// Whole reports: no failure, and the expected pass / skip counts.
mod reports {
    use super::*;
    use crate::reports::check;
    use reactive_tck::run_publisher_verification;

    #[test]
    fn flat_map_just_report() {
        check(run_publisher_verification(&FlatMapJustTck), 33, 7, 0);
    }

    #[test]
    fn flat_map_range_report() {
        check(run_publisher_verification(&FlatMapRangeTck), 33, 7, 0);
    }

    #[test]
    fn flat_map_async_report() {
        check(run_publisher_verification(&FlatMapAsyncTck), 33, 7, 0);
    }

    #[test]
    fn flat_map_delay_error_report() {
        check(run_publisher_verification(&FlatMapDelayErrorTck), 33, 7, 0);
    }

    #[test]
    fn merge_report() {
        check(run_publisher_verification(&MergeTck), 33, 7, 0);
    }

    #[test]
    fn merge_async_report() {
        check(run_publisher_verification(&MergeAsyncTck), 33, 7, 0);
    }

    #[test]
    fn merge_delay_error_report() {
        check(run_publisher_verification(&MergeDelayErrorTck), 33, 7, 0);
    }

    #[test]
    fn merge_with_report() {
        check(run_publisher_verification(&MergeWithTck), 33, 7, 0);
    }
}
