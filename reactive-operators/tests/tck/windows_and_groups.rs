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

/// `range(0..2n).window(2)`: `n` windows.
#[derive(Debug)]
pub(crate) struct WindowTck;

impl PublisherVerification for WindowTck {
    type Item = u64;
    type Publisher = BoxPublisher<u64>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements.saturating_mul(2))
            .window(2)
            .map(|w| w.index())
            .boxed()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_windows()
    }
}

mod window_tck {
    reactive_tck::publisher_verification!(super::WindowTck);
}

/// `range(0..3n).window_skip(2, 3)`: `n` windows of 2, one item dropped after each.
#[derive(Debug)]
pub(crate) struct WindowGapsTck;

impl PublisherVerification for WindowGapsTck {
    type Item = u64;
    type Publisher = BoxPublisher<u64>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements.saturating_mul(3))
            .window_skip(2, 3)
            .map(|w| w.index())
            .boxed()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_windows()
    }
}

mod window_gaps_tck {
    reactive_tck::publisher_verification!(super::WindowGapsTck);
}

/// `range(0..n).window_skip(3, 1)`: `n` overlapping windows, one opening at every item.
#[derive(Debug)]
pub(crate) struct WindowOverlapTck;

impl PublisherVerification for WindowOverlapTck {
    type Item = u64;
    type Publisher = BoxPublisher<u64>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements)
            .window_skip(3, 1)
            .map(|w| w.index())
            .boxed()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_windows()
    }
}

mod window_overlap_tck {
    reactive_tck::publisher_verification!(super::WindowOverlapTck);
}

/// `range(0..2n).publish_on(pool, 8).window(2)`: windows over an asynchronous upstream.
#[derive(Debug)]
pub(crate) struct WindowAsyncTck;

impl PublisherVerification for WindowAsyncTck {
    type Item = u64;
    type Publisher = BoxPublisher<u64>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements.saturating_mul(2))
            .publish_on(pool(), 8)
            .window(2)
            .map(|w| w.index())
            .boxed()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_windows()
    }
}

mod window_async_tck {
    reactive_tck::publisher_verification!(super::WindowAsyncTck);
}

/// `range(0..n).group_by(identity, 16)` with `Backpressure`: `n` groups of one item.
#[derive(Debug)]
pub(crate) struct GroupByTck;

impl PublisherVerification for GroupByTck {
    type Item = u64;
    type Publisher = BoxPublisher<u64>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements)
            .group_by(|x| *x, 16)
            .overflow(GroupOverflow::Backpressure)
            .map(|g| *g.key())
            .boxed()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_groups()
    }
}

mod group_by_tck {
    reactive_tck::publisher_verification!(super::GroupByTck);
}

/// `range(0..n).publish_on(pool, 8).group_by(identity, 16)` with `Backpressure`.
#[derive(Debug)]
pub(crate) struct GroupByAsyncTck;

impl PublisherVerification for GroupByAsyncTck {
    type Item = u64;
    type Publisher = BoxPublisher<u64>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements)
            .publish_on(pool(), 8)
            .group_by(|x| *x, 16)
            .overflow(GroupOverflow::Backpressure)
            .map(|g| *g.key())
            .boxed()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_groups()
    }
}

mod group_by_async_tck {
    reactive_tck::publisher_verification!(super::GroupByAsyncTck);
}

/// `range(0..n).group_by(identity, 16).max_groups(2048)` with the default `Error` policy, for
/// `n` up to 1,024.
#[derive(Debug)]
pub(crate) struct GroupByErrorPolicyTck;

impl PublisherVerification for GroupByErrorPolicyTck {
    type Item = u64;
    type Publisher = BoxPublisher<u64>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements)
            .group_by(|x| *x, 16)
            .max_groups(2048)
            .map(|g| *g.key())
            .boxed()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_groups()
    }

    fn max_elements_from_publisher(&self) -> u64 {
        1024
    }
}

mod group_by_error_policy_tck {
    reactive_tck::publisher_verification!(super::GroupByErrorPolicyTck);
}
