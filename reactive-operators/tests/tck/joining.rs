//! The joining operators through the publisher verification, over `range` (fused sources,
//! pulled from the drain loop) and over `range(..).publish_on(pool, n)` (subscribed sources
//! signalling from pool threads, each through its own ring). Each factory gives exactly the
//! number of items the TCK asks for.

use reactive_core::scheduler::PoolScheduler;
use reactive_core::{BoxPublisher, Error, Publisher};
use reactive_operators::ops::{
    CombineLatest, PublishOn, SampleOn, SkipUntil, StartWith, TakeUntil, WithLatestFrom, Zip,
    ZipAll,
};
use reactive_operators::source::{Just, Never, Range};
use reactive_operators::{PublisherExt, combine_latest, error, just, never, range, zip_all};
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

type AsyncZip =
    Zip<PublishOn<Range<u64>, PoolScheduler>, PublishOn<Range<u64>, PoolScheduler>, Add>;

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

/// `combine_latest(just(100), range(0..n), add)`: `just` has its item first, so every item of
/// the range makes one row.
#[derive(Debug)]
pub(crate) struct CombineLatestTck;

type AddRefs = fn(&u64, &u64) -> u64;

fn add_refs(a: &u64, b: &u64) -> u64 {
    a + b
}

impl PublisherVerification for CombineLatestTck {
    type Item = u64;
    type Publisher = CombineLatest<Just<u64>, Range<u64>, AddRefs>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        combine_latest(just(100), range(0..elements), add_refs as AddRefs)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| combine_latest(just(100), e, add_refs as AddRefs))
    }
}

mod combine_latest_tck {
    reactive_tck::publisher_verification!(super::CombineLatestTck);
}

/// The same with the range on a pool thread (rings of 4).
#[derive(Debug)]
pub(crate) struct CombineLatestAsyncTck;

impl PublisherVerification for CombineLatestAsyncTck {
    type Item = u64;
    type Publisher = CombineLatest<Just<u64>, PublishOn<Range<u64>, PoolScheduler>, AddRefs>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        combine_latest(just(100), async_range(elements, 16), add_refs as AddRefs).prefetch(4)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| combine_latest(just(100), e.publish_on(pool(), 4), add_refs as AddRefs))
    }
}

mod combine_latest_async_tck {
    reactive_tck::publisher_verification!(super::CombineLatestAsyncTck);
}

/// `range(0..n).take_until(never())`: the other side never fires.
#[derive(Debug)]
pub(crate) struct TakeUntilTck;

impl PublisherVerification for TakeUntilTck {
    type Item = u64;
    type Publisher = TakeUntil<Range<u64>, Never<()>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements).take_until(never())
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.take_until(never::<()>()))
    }
}

mod take_until_tck {
    reactive_tck::publisher_verification!(super::TakeUntilTck);
}

/// The main side on a pool thread, the other side never firing.
#[derive(Debug)]
pub(crate) struct TakeUntilAsyncTck;

impl PublisherVerification for TakeUntilAsyncTck {
    type Item = u64;
    type Publisher =
        TakeUntil<PublishOn<Range<u64>, PoolScheduler>, PublishOn<Never<()>, PoolScheduler>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        async_range(elements, 8).take_until(never().publish_on(pool(), 1))
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.publish_on(pool(), 4).take_until(never::<()>()))
    }
}

mod take_until_async_tck {
    reactive_tck::publisher_verification!(super::TakeUntilAsyncTck);
}

/// `range(0..n).skip_until(just(()))`: the gate opens at once.
#[derive(Debug)]
pub(crate) struct SkipUntilTck;

impl PublisherVerification for SkipUntilTck {
    type Item = u64;
    type Publisher = SkipUntil<Range<u64>, Just<()>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements).skip_until(just(()))
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.skip_until(just(())))
    }
}

mod skip_until_tck {
    reactive_tck::publisher_verification!(super::SkipUntilTck);
}

/// The main side on a pool thread; the gate (a synchronous `just`) opens before it starts.
#[derive(Debug)]
pub(crate) struct SkipUntilAsyncTck;

impl PublisherVerification for SkipUntilAsyncTck {
    type Item = u64;
    type Publisher = SkipUntil<PublishOn<Range<u64>, PoolScheduler>, Just<()>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        async_range(elements, 8).skip_until(just(()))
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.publish_on(pool(), 4).skip_until(just(())))
    }
}

mod skip_until_async_tck {
    reactive_tck::publisher_verification!(super::SkipUntilAsyncTck);
}

/// `range(0..n).with_latest_from(just(10), add)`: every item combined.
#[derive(Debug)]
pub(crate) struct WithLatestFromTck;

type AddRef = fn(u64, &u64) -> u64;

fn add_ref(a: u64, b: &u64) -> u64 {
    a + b
}

impl PublisherVerification for WithLatestFromTck {
    type Item = u64;
    type Publisher = WithLatestFrom<Range<u64>, Just<u64>, AddRef>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements).with_latest_from(just(10), add_ref as AddRef)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.with_latest_from(just(10), add_ref as AddRef))
    }
}

mod with_latest_from_tck {
    reactive_tck::publisher_verification!(super::WithLatestFromTck);
}

/// The main side on a pool thread, the other side synchronous (it has its value first).
#[derive(Debug)]
pub(crate) struct WithLatestFromAsyncTck;

impl PublisherVerification for WithLatestFromAsyncTck {
    type Item = u64;
    type Publisher = WithLatestFrom<PublishOn<Range<u64>, PoolScheduler>, Just<u64>, AddRef>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        async_range(elements, 8).with_latest_from(just(10), add_ref as AddRef)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| {
            e.publish_on(pool(), 4)
                .with_latest_from(just(10), add_ref as AddRef)
        })
    }
}

mod with_latest_from_async_tck {
    reactive_tck::publisher_verification!(super::WithLatestFromAsyncTck);
}

/// `never().start_with([7]).sample_on(range(0..n))`: the first tick samples 7, the other
/// ticks find nothing new, the ticks' completion ends the stream. At most one item: the TCK
/// runs the tests that need 0 or 1.
#[derive(Debug)]
pub(crate) struct SampleOnTck;

type Sampled = SampleOn<StartWith<Never<u64>, std::array::IntoIter<u64, 1>>, Range<u64>>;

impl PublisherVerification for SampleOnTck {
    type Item = u64;
    type Publisher = Sampled;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        never().start_with([7]).sample_on(range(0..elements))
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.sample_on(never::<()>()))
    }

    fn max_elements_from_publisher(&self) -> u64 {
        1
    }
}

mod sample_on_tck {
    reactive_tck::publisher_verification!(super::SampleOnTck);
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
    assert_eq!(
        check("zip (async)", run_publisher_verification(&ZipAsyncTck)),
        (33, 7)
    );
    assert_eq!(
        check("zip_all", run_publisher_verification(&ZipAllTck)),
        (33, 7)
    );
    assert_eq!(
        check(
            "combine_latest",
            run_publisher_verification(&CombineLatestTck)
        ),
        (33, 7)
    );
    assert_eq!(
        check(
            "combine_latest (async)",
            run_publisher_verification(&CombineLatestAsyncTck)
        ),
        (33, 7)
    );
    assert_eq!(
        check("take_until", run_publisher_verification(&TakeUntilTck)),
        (33, 7)
    );
    assert_eq!(
        check(
            "take_until (async)",
            run_publisher_verification(&TakeUntilAsyncTck)
        ),
        (33, 7)
    );
    assert_eq!(
        check("skip_until", run_publisher_verification(&SkipUntilTck)),
        (33, 7)
    );
    assert_eq!(
        check(
            "skip_until (async)",
            run_publisher_verification(&SkipUntilAsyncTck)
        ),
        (33, 7)
    );
    assert_eq!(
        check(
            "with_latest_from",
            run_publisher_verification(&WithLatestFromTck)
        ),
        (33, 7)
    );
    assert_eq!(
        check(
            "with_latest_from (async)",
            run_publisher_verification(&WithLatestFromAsyncTck)
        ),
        (33, 7)
    );
    assert_eq!(
        check("sample_on", run_publisher_verification(&SampleOnTck)),
        (13, 27)
    );
}
