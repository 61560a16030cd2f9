//! `window`, `window_skip` and `group_by` through the publisher verification: the outer
//! stream, whose items are windows and groups (mapped to their index or key; each is dropped
//! unsubscribed, which cancels it), over `range` and over an asynchronous upstream
//! (`publish_on` on a pool).
//!
//! `group_by` runs with `GroupOverflow::Backpressure` (the upstream follows what the groups
//! and the outer downstream take, so any demand pattern works) and with the default `Error`
//! policy on streams of at most 1,024 items and `max_groups(2048)`: with `Error` the upstream
//! is not held back by the outer downstream's demand, so groups it has not asked for yet wait
//! (each in its own queue, all counted against `max_groups`).

use std::sync::OnceLock;

use reactive_core::scheduler::PoolScheduler;
use reactive_core::{BoxPublisher, Error};
use reactive_operators::ops::GroupOverflow;
use reactive_operators::{PublisherExt, error, range};
use reactive_tck::PublisherVerification;

/// One pool for every asynchronous verification here.
fn pool() -> PoolScheduler {
    static POOL: OnceLock<PoolScheduler> = OnceLock::new();
    POOL.get_or_init(|| PoolScheduler::new(2)).clone()
}

fn failed_windows() -> Option<BoxPublisher<u64>> {
    Some(
        error::<u64>(Error::msg("failed on purpose"))
            .window(2)
            .map(|w| w.index())
            .boxed(),
    )
}

fn failed_groups() -> Option<BoxPublisher<u64>> {
    Some(
        error::<u64>(Error::msg("failed on purpose"))
            .group_by(|x| *x, 16)
            .map(|g| *g.key())
            .boxed(),
    )
}

/// A verification of `u64` items (an index or a key per window or group) named `$name`,
/// run in module `$module`: `$publisher` for `$n` elements, `$failed` as the failed
/// publisher, and optionally the most elements it supports.
macro_rules! verification {
    ($(#[$doc:meta])* $name:ident in $module:ident, $failed:expr, |$n:ident| $publisher:expr $(, max $max:expr)?) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub(crate) struct $name;

        impl PublisherVerification for $name {
            type Item = u64;
            type Publisher = BoxPublisher<u64>;

            fn create_publisher(&self, $n: u64) -> BoxPublisher<u64> {
                $publisher.boxed()
            }

            fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
                $failed
            }

            $(fn max_elements_from_publisher(&self) -> u64 {
                $max
            })?
        }

        mod $module {
            reactive_tck::publisher_verification!(super::$name);
        }
    };
}

verification!(
    /// `range(0..2n).window(2)`: `n` windows.
    WindowTck in window_tck,
    failed_windows(),
    |n| range(0..n.saturating_mul(2)).window(2).map(|w| w.index())
);

verification!(
    /// `range(0..3n).window_skip(2, 3)`: `n` windows of 2, one item dropped after each.
    WindowGapsTck in window_gaps_tck,
    failed_windows(),
    |n| range(0..n.saturating_mul(3)).window_skip(2, 3).map(|w| w.index())
);

verification!(
    /// `range(0..n).window_skip(3, 1)`: `n` overlapping windows, one opening at every item.
    WindowOverlapTck in window_overlap_tck,
    failed_windows(),
    |n| range(0..n).window_skip(3, 1).map(|w| w.index())
);

verification!(
    /// `range(0..2n).publish_on(pool, 8).window(2)`: windows over an asynchronous upstream.
    WindowAsyncTck in window_async_tck,
    failed_windows(),
    |n| range(0..n.saturating_mul(2)).publish_on(pool(), 8).window(2).map(|w| w.index())
);

verification!(
    /// `range(0..n).group_by(identity, 16)` with `Backpressure`: `n` groups of one item.
    GroupByTck in group_by_tck,
    failed_groups(),
    |n| range(0..n)
        .group_by(|x| *x, 16)
        .overflow(GroupOverflow::Backpressure)
        .map(|g| *g.key())
);

verification!(
    /// `range(0..n).publish_on(pool, 8).group_by(identity, 16)` with `Backpressure`.
    GroupByAsyncTck in group_by_async_tck,
    failed_groups(),
    |n| range(0..n)
        .publish_on(pool(), 8)
        .group_by(|x| *x, 16)
        .overflow(GroupOverflow::Backpressure)
        .map(|g| *g.key())
);

verification!(
    /// `range(0..n).group_by(identity, 16).max_groups(2048)` with the default `Error`
    /// policy, for `n` up to 1,024.
    GroupByErrorPolicyTck in group_by_error_policy_tck,
    failed_groups(),
    |n| range(0..n).group_by(|x| *x, 16).max_groups(2048).map(|g| *g.key()),
    max 1024
);
