//! The joining operators through the publisher verification, over `range` (fused sources,
//! pulled from the drain loop) and over `range(..).publish_on(pool, n)` (subscribed sources
//! signalling from pool threads, each through its own ring). Each factory gives exactly the
//! number of items the TCK asks for.

use reactive_core::scheduler::PoolScheduler;
use reactive_core::{BoxPublisher, Error, Publisher};
use reactive_operators::ops::{PublishOn, Zip, ZipAll};
use reactive_operators::source::Range;
use reactive_operators::{PublisherExt, error, range, zip_all};
use reactive_tck::{PublisherVerification, Report, run_publisher_verification};

use super::{failed, pool};

/// `error(e)` joined by `op`.
fn failed_through<P>(
    op: impl FnOnce(reactive_operators::source::ErrorSource<u64>) -> P,
) -> Option<BoxPublisher<u64>>
where
    P: Publisher<Item = u64> + Send + Sync + 'static,
{
    Some(op(error::<u64>(Error::msg("failed on purpose"))).boxed())
}

/// `range(0..n)` on a pool thread, `prefetch` queued.
fn async_range(n: u64, prefetch: usize) -> PublishOn<Range<u64>, PoolScheduler> {
    range(0..n).publish_on(pool(), prefetch)
}

fn add(a: u64, b: u64) -> u64 {
    a + b
}

type Add = fn(u64, u64) -> u64;

/// `range(0..n).zip_with(range(0..n + 5), add)`: both fused.
#[derive(Debug)]
pub(crate) struct ZipTck;

impl PublisherVerification for ZipTck {
    type Item = u64;
    type Publisher = Zip<Range<u64>, Range<u64>, Add>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements).zip_with(range(0..elements.saturating_add(5)), add as Add)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| range(0..10).zip_with(e, add as Add))
    }
}

mod zip_tck {
    reactive_tck::publisher_verification!(super::ZipTck);
}

/// Both sources on pool threads (prefetch 4 and 32 behind rings of 32 and 2).
#[derive(Debug)]
pub(crate) struct ZipAsyncTck;

type AsyncZip = Zip<PublishOn<Range<u64>, PoolScheduler>, PublishOn<Range<u64>, PoolScheduler>, Add>;

impl PublisherVerification for ZipAsyncTck {
    type Item = u64;
    type Publisher = AsyncZip;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        async_range(elements, 4)
            .zip_with(async_range(elements.saturating_add(3), 32), add as Add)
            .prefetch(2)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| async_range(10, 4).zip_with(e.publish_on(pool(), 4), add as Add))
    }
}

mod zip_async_tck {
    reactive_tck::publisher_verification!(super::ZipAsyncTck);
}

/// `zip_all` of three: a fused range, a range on the pool, a fused longer range; the row is
/// summed.
#[derive(Debug)]
pub(crate) struct ZipAllTck;

type Summed = reactive_operators::ops::Map<ZipAll<BoxPublisher<u64>>, fn(Vec<u64>) -> u64>;

fn sum(row: Vec<u64>) -> u64 {
    row.into_iter().sum()
}

impl PublisherVerification for ZipAllTck {
    type Item = u64;
    type Publisher = Summed;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        zip_all([
            range(0..elements).boxed(),
            async_range(elements, 16).boxed(),
            range(0..elements.saturating_add(1)).boxed(),
        ])
        .map(sum as fn(Vec<u64>) -> u64)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }
}

mod zip_all_tck {
    reactive_tck::publisher_verification!(super::ZipAllTck);
}

/// Prints a report's counts and checks that nothing failed, optional tests included.
fn check(name: &str, report: Report) -> (usize, usize) {
    println!(
        "{name}: {} passed, {} skipped, {} failed, {} optional failed",
        report.passed(),
        report.skipped(),
        report.failed(),
        report.optional_failed()
    );
    assert_eq!(
        (report.failed(), report.optional_failed()),
        (0, 0),
        "{name}:\n{report}"
    );
    (report.passed(), report.skipped())
}

/// Whole reports: every required and optional test passes; the 7 the TCK leaves untested are
/// skipped.
#[test]
fn joining_reports() {
    assert_eq!(check("zip", run_publisher_verification(&ZipTck)), (33, 7));
    assert_eq!(check("zip (async)", run_publisher_verification(&ZipAsyncTck)), (33, 7));
    assert_eq!(check("zip_all", run_publisher_verification(&ZipAllTck)), (33, 7));
}
