//! Sequential combining through the publisher verification: `concat` (synchronous and
//! `publish_on` sources), `concat_with`, `concat_delay_error`, `concat_map` (fused inners,
//! subscribed inners, `publish_on` inners, delay-error), `switch_map` (one outer item, a
//! synchronous and a `publish_on` inner) and `flat_map_iter` (a synchronous and a
//! `publish_on` outer).

use reactive_core::{BoxPublisher, Error};
use reactive_operators::{PublisherExt, concat, concat_delay_error, error, just, range};
use reactive_tck::PublisherVerification;

use super::pool;

/// `error(e)` through `op`.
fn failed_through(
    op: impl FnOnce(reactive_operators::source::ErrorSource<u64>) -> BoxPublisher<u64>,
) -> Option<BoxPublisher<u64>> {
    Some(op(error::<u64>(Error::msg("failed on purpose"))))
}

/// Declares a verification `$name` whose publisher of `n` items is `$make(n)` (boxed) and
/// whose failed publisher is `$fail(error(..))`.
macro_rules! verification {
    ($name:ident, $module:ident, $doc:literal, $make:expr, $fail:expr) => {
        #[doc = $doc]
        #[derive(Debug)]
        pub(crate) struct $name;

        impl PublisherVerification for $name {
            type Item = u64;
            type Publisher = BoxPublisher<u64>;

            fn create_publisher(&self, elements: u64) -> BoxPublisher<u64> {
                let make: fn(u64) -> BoxPublisher<u64> = $make;
                make(elements)
            }

            fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
                failed_through($fail)
            }
        }

        mod $module {
            reactive_tck::publisher_verification!(super::$name);
        }
    };
}

verification!(
    ConcatTck,
    concat_tck,
    "`concat` of three ranges splitting `0..n`.",
    |n| concat([range(0..n / 3), range(n / 3..n / 2), range(n / 2..n)]).boxed(),
    |e| concat([e.boxed(), range(0..3).boxed()]).boxed()
);

verification!(
    ConcatAsyncTck,
    concat_async_tck,
    "`concat` of two `publish_on(pool, 8)` ranges and a synchronous one.",
    |n| concat([
        range(0..n / 2).publish_on(pool(), 8).boxed(),
        range(n / 2..n / 2 + n / 4).boxed(),
        range(n / 2 + n / 4..n).publish_on(pool(), 8).boxed(),
    ])
    .boxed(),
    |e| concat([
        e.publish_on(pool(), 8).boxed(),
        range(0..2).publish_on(pool(), 8).boxed()
    ])
    .boxed()
);

verification!(
    ConcatWithTck,
    concat_with_tck,
    "`range(0..n/2).concat_with(range(n/2..n))`.",
    |n| range(0..n / 2).concat_with(range(n / 2..n)).boxed(),
    |e| e.concat_with(range(0..2)).boxed()
);

verification!(
    ConcatDelayErrorTck,
    concat_delay_error_tck,
    "`concat_delay_error` of two ranges; the failed one is an error and an empty source.",
    |n| concat_delay_error([range(0..n / 2), range(n / 2..n)]).boxed(),
    |e| concat_delay_error([e.boxed(), reactive_operators::empty().boxed()]).boxed()
);

verification!(
    ConcatMapFusedTck,
    concat_map_fused_tck,
    "`range(0..n).concat_map(just, 4)`: every inner fused (pulled, not subscribed).",
    |n| range(0..n).concat_map(just, 4).boxed(),
    |e| e.concat_map(just, 4).boxed()
);

verification!(
    ConcatMapSubscribedTck,
    concat_map_subscribed_tck,
    "`range(0..n).concat_map(|v| just(v).map(..), 2)`: every inner subscribed.",
    |n| range(0..n).concat_map(|v| just(v).map(|v| v), 2).boxed(),
    |e| e.concat_map(|v| just(v).map(|v| v), 2).boxed()
);

verification!(
    ConcatMapAsyncTck,
    concat_map_async_tck,
    "`range(0..n).publish_on(pool, 4).concat_map(|v| just(v).publish_on(pool, 2), 3)`.",
    |n| range(0..n)
        .publish_on(pool(), 4)
        .concat_map(|v| just(v).publish_on(pool(), 2), 3)
        .boxed(),
    |e| e
        .publish_on(pool(), 4)
        .concat_map(|v| just(v).publish_on(pool(), 2), 3)
        .boxed()
);

verification!(
    ConcatMapDelayErrorTck,
    concat_map_delay_error_tck,
    "`concat_map_delay_error` splitting `0..n` into ranges of 3.",
    |n| range(0..n.div_ceil(3))
        .concat_map_delay_error(move |i| range(i * 3..(i * 3 + 3).min(n)), 2)
        .boxed(),
    |e| e.concat_map_delay_error(just, 2).boxed()
);

verification!(
    SwitchMapTck,
    switch_map_tck,
    "`just(n).switch_map(|n| range(0..n))`: one outer item, nothing to switch away from.",
    |n| just(n).switch_map(|n| range(0..n)).boxed(),
    |e| e.switch_map(just).boxed()
);

verification!(
    SwitchMapAsyncTck,
    switch_map_async_tck,
    "`just(n).switch_map(|n| range(0..n).publish_on(pool, 8))`.",
    |n| just(n)
        .switch_map(|n| range(0..n).publish_on(pool(), 8))
        .boxed(),
    |e| just(0u64)
        .switch_map(move |_| e.clone().publish_on(pool(), 8))
        .boxed()
);

verification!(
    FlatMapIterTck,
    flat_map_iter_tck,
    "`range(0..n/2).flat_map_iter(|v| [2v, 2v + 1])` (one more item for odd `n`).",
    |n| range(0..n / 2)
        .flat_map_iter(|v| [2 * v, 2 * v + 1])
        .concat_with(range(n - n % 2..n))
        .boxed(),
    |e| e.flat_map_iter(|v| [v, v]).boxed()
);

verification!(
    FlatMapIterAsyncTck,
    flat_map_iter_async_tck,
    "`range(0..n).publish_on(pool, 4).flat_map_iter(std::iter::once)`.",
    |n| range(0..n)
        .publish_on(pool(), 4)
        .flat_map_iter(std::iter::once)
        .boxed(),
    |e| e
        .publish_on(pool(), 4)
        .flat_map_iter(std::iter::once)
        .boxed()
);

/// Whole reports, with the pass / skip counts.
mod reports {
    use super::*;
    use crate::reports::check;
    use reactive_tck::run_publisher_verification;

    #[test]
    fn concat_report() {
        check(run_publisher_verification(&ConcatTck), 33, 7, 0);
    }

    #[test]
    fn concat_async_report() {
        check(run_publisher_verification(&ConcatAsyncTck), 33, 7, 0);
    }

    #[test]
    fn concat_with_report() {
        check(run_publisher_verification(&ConcatWithTck), 33, 7, 0);
    }

    #[test]
    fn concat_delay_error_report() {
        check(run_publisher_verification(&ConcatDelayErrorTck), 33, 7, 0);
    }

    #[test]
    fn concat_map_fused_report() {
        check(run_publisher_verification(&ConcatMapFusedTck), 33, 7, 0);
    }

    #[test]
    fn concat_map_subscribed_report() {
        check(
            run_publisher_verification(&ConcatMapSubscribedTck),
            33,
            7,
            0,
        );
    }

    #[test]
    fn concat_map_async_report() {
        check(run_publisher_verification(&ConcatMapAsyncTck), 33, 7, 0);
    }

    #[test]
    fn concat_map_delay_error_report() {
        check(
            run_publisher_verification(&ConcatMapDelayErrorTck),
            33,
            7,
            0,
        );
    }

    #[test]
    fn switch_map_report() {
        check(run_publisher_verification(&SwitchMapTck), 33, 7, 0);
    }

    #[test]
    fn switch_map_async_report() {
        check(run_publisher_verification(&SwitchMapAsyncTck), 33, 7, 0);
    }

    #[test]
    fn flat_map_iter_report() {
        check(run_publisher_verification(&FlatMapIterTck), 33, 7, 0);
    }

    #[test]
    fn flat_map_iter_async_report() {
        check(run_publisher_verification(&FlatMapIterAsyncTck), 33, 7, 0);
    }
}
