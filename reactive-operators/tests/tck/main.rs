//! Every source of this crate, and the operators over a source, through the Reactive Streams
//! TCK's publisher verification; the subscribers behind the bridges and terminals through its
//! blackbox subscriber verification (`async_subscribers`, `stream_subscribers`).
//!
//! Each module below expands into one `#[test]` per TCK test (40 each). A skipped TCK test
//! prints its reason and passes; the reasons for each source are listed on its verification.
//! Timeouts come from the environment (`DEFAULT_TIMEOUT_MILLIS` and friends; see
//! `reactive_tck::TestEnvironment`).

use std::sync::OnceLock;

use reactive_core::scheduler::{ImmediateScheduler, PoolScheduler};
use reactive_core::{BoxPublisher, Error};
use reactive_operators::ops::{PublishOn, SubscribeOn};
use reactive_operators::source::{Empty, FromIter, Just, Never, Range};
use reactive_operators::{PublisherExt, empty, error, from_iter, just, never, range};
use reactive_tck::PublisherVerification;

mod async_subscribers;
mod from_stream;
mod lockstep;
mod stream_subscribers;

// Sources and fallible user code.
mod sources_and_fallible;

// Transforms and filters.
mod transforms;

// Buffering transforms.
mod buffering;

// Aggregates, side effects and logging.
mod aggregates_and_side_effects;

// Sequential combining.
mod sequential;
// (end of sequential combining)

// Merging.
mod merging;
// (end of merging)

// Joining.
mod joining;
// (end of joining)

// Windows and groups.
mod windows_and_groups;
// (end of windows and groups)

/// `error(e)` is the failed publisher of every verification that has one.
fn failed() -> Option<BoxPublisher<u64>> {
    Some(BoxPublisher::new(error::<u64>(Error::msg(
        "failed on purpose",
    ))))
}

/// `range(0..n)`: all 40 tests apply except the 7 untested ones.
#[derive(Debug)]
pub struct RangeTck;

impl PublisherVerification for RangeTck {
    type Item = u64;
    type Publisher = Range<u64>;

    fn create_publisher(&self, elements: u64) -> Range<u64> {
        range(0..elements)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }
}

mod range_tck {
    reactive_tck::publisher_verification!(super::RangeTck);
}

/// `from_iter(0..n)`: like `range`.
#[derive(Debug)]
pub struct FromIterTck;

impl PublisherVerification for FromIterTck {
    type Item = u64;
    type Publisher = FromIter<std::ops::Range<u64>>;

    fn create_publisher(&self, elements: u64) -> FromIter<std::ops::Range<u64>> {
        from_iter(0..elements)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }
}

mod from_iter_tck {
    reactive_tck::publisher_verification!(super::FromIterTck);
}

/// `just(v)` emits exactly one item: every test that needs more is skipped ("required elements
/// nr: 3 is higher than supported by given producer: 1"), and the optional empty-stream test
/// (which needs a publisher of 0 items) fails as optional with the element it got instead.
#[derive(Debug)]
pub struct JustTck;

impl PublisherVerification for JustTck {
    type Item = u64;
    type Publisher = Just<u64>;

    fn create_publisher(&self, _: u64) -> Just<u64> {
        just(7)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }

    fn max_elements_from_publisher(&self) -> u64 {
        1
    }
}

mod just_tck {
    reactive_tck::publisher_verification!(super::JustTck);
}

/// `empty()` emits nothing: only the tests that need 0 elements run.
#[derive(Debug)]
pub struct EmptyTck;

impl PublisherVerification for EmptyTck {
    type Item = u64;
    type Publisher = Empty<u64>;

    fn create_publisher(&self, _: u64) -> Empty<u64> {
        empty()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }

    fn max_elements_from_publisher(&self) -> u64 {
        0
    }
}

mod empty_tck {
    reactive_tck::publisher_verification!(super::EmptyTck);
}

/// `never()` emits nothing and never terminates: only the tests that need 0 elements run, and
/// the optional empty-stream test fails as optional because no completion comes.
#[derive(Debug)]
pub struct NeverTck;

impl PublisherVerification for NeverTck {
    type Item = u64;
    type Publisher = Never<u64>;

    fn create_publisher(&self, _: u64) -> Never<u64> {
        never()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }

    fn max_elements_from_publisher(&self) -> u64 {
        0
    }
}

mod never_tck {
    reactive_tck::publisher_verification!(super::NeverTck);
}

/// `range(0..n).map(..)`: the operator must keep every rule its source keeps.
#[derive(Debug)]
pub struct MapTck;

type Doubled = reactive_operators::ops::Map<Range<u64>, fn(u64) -> u64>;

impl PublisherVerification for MapTck {
    type Item = u64;
    type Publisher = Doubled;

    fn create_publisher(&self, elements: u64) -> Doubled {
        range(0..elements).map(double as fn(u64) -> u64)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }
}

fn double(x: u64) -> u64 {
    x * 2
}

mod map_tck {
    reactive_tck::publisher_verification!(super::MapTck);
}

/// `range(0..2n).filter(even)`: exactly `n` items pass, and every rejected one costs the
/// source a replacement (the conditional fast path).
#[derive(Debug)]
pub struct FilterTck;

type Evens = reactive_operators::ops::Filter<Range<u64>, fn(&u64) -> bool>;

impl PublisherVerification for FilterTck {
    type Item = u64;
    type Publisher = Evens;

    fn create_publisher(&self, elements: u64) -> Evens {
        range(0..elements.saturating_mul(2)).filter(even as fn(&u64) -> bool)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }
}

fn even(x: &u64) -> bool {
    x % 2 == 0
}

mod filter_tck {
    reactive_tck::publisher_verification!(super::FilterTck);
}

/// The thread pool the asynchronous boundaries run on: one for the whole test binary.
fn pool() -> PoolScheduler {
    static POOL: OnceLock<PoolScheduler> = OnceLock::new();
    POOL.get_or_init(|| PoolScheduler::builder().threads(2).name("tck-pool").build())
        .clone()
}

/// `error(e)` behind the same boundary as the publisher under test.
fn failed_via<P>(
    boundary: impl FnOnce(reactive_operators::source::ErrorSource<u64>) -> P,
) -> Option<BoxPublisher<u64>>
where
    P: reactive_core::Publisher<Item = u64> + Send + Sync + 'static,
{
    Some(boundary(error::<u64>(Error::msg("failed on purpose"))).boxed())
}

/// `range(0..n).publish_on(pool, 16)`: every signal from a pool thread, 16 items queued.
#[derive(Debug)]
pub struct PublishOnPoolTck;

impl PublisherVerification for PublishOnPoolTck {
    type Item = u64;
    type Publisher = PublishOn<Range<u64>, PoolScheduler>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements).publish_on(pool(), 16)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_via(|e| e.publish_on(pool(), 16))
    }
}

mod publish_on_pool_tck {
    reactive_tck::publisher_verification!(super::PublishOnPoolTck);
}

/// `range(0..n).publish_on(immediate, 4)`: the drain runs on whichever thread signals it.
#[derive(Debug)]
pub struct PublishOnImmediateTck;

impl PublisherVerification for PublishOnImmediateTck {
    type Item = u64;
    type Publisher = PublishOn<Range<u64>, ImmediateScheduler>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements).publish_on(ImmediateScheduler::new(), 4)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_via(|e| e.publish_on(ImmediateScheduler::new(), 4))
    }
}

mod publish_on_immediate_tck {
    reactive_tck::publisher_verification!(super::PublishOnImmediateTck);
}

/// `range(0..n).subscribe_on(pool)`: subscribed to and requested from on a pool thread.
#[derive(Debug)]
pub struct SubscribeOnPoolTck;

impl PublisherVerification for SubscribeOnPoolTck {
    type Item = u64;
    type Publisher = SubscribeOn<Range<u64>, PoolScheduler>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements).subscribe_on(pool())
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_via(|e| e.subscribe_on(pool()))
    }
}

mod subscribe_on_pool_tck {
    reactive_tck::publisher_verification!(super::SubscribeOnPoolTck);
}

/// `range(0..n).subscribe_on(pool).publish_on(pool, 16)`: both boundaries, two workers.
#[derive(Debug)]
pub struct BothBoundariesTck;

type BothBoundaries = PublishOn<SubscribeOn<Range<u64>, PoolScheduler>, PoolScheduler>;

impl PublisherVerification for BothBoundariesTck {
    type Item = u64;
    type Publisher = BothBoundaries;

    fn create_publisher(&self, elements: u64) -> BothBoundaries {
        range(0..elements)
            .subscribe_on(pool())
            .publish_on(pool(), 16)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_via(|e| e.subscribe_on(pool()).publish_on(pool(), 16))
    }
}

mod both_boundaries_tck {
    reactive_tck::publisher_verification!(super::BothBoundariesTck);
}

/// Whole reports, with the expected pass / skip totals and no failure: a change in a source's
/// behaviour under the TCK shows up here as a changed count.
mod reports {
    use super::*;
    use reactive_tck::{Outcome, Report, run_publisher_verification};

    /// No failure; `passed`, `skipped` and `optional_failed` tests.
    #[track_caller]
    pub(crate) fn check(report: Report, passed: usize, skipped: usize, optional_failed: usize) {
        println!("{report}");
        assert_eq!(
            (
                report.passed(),
                report.failed(),
                report.skipped(),
                report.optional_failed()
            ),
            (passed, 0, skipped, optional_failed),
            "\n{report}"
        );
    }

    #[test]
    fn range_report() {
        check(run_publisher_verification(&RangeTck), 33, 7, 0);
    }

    #[test]
    fn from_iter_report() {
        check(run_publisher_verification(&FromIterTck), 33, 7, 0);
    }

    #[test]
    fn map_report() {
        check(run_publisher_verification(&MapTck), 33, 7, 0);
    }

    #[test]
    fn filter_report() {
        check(run_publisher_verification(&FilterTck), 33, 7, 0);
    }

    /// The test `name` of `report` failed as optional, for a reason that contains `reason`.
    #[track_caller]
    pub(crate) fn check_optional_failure(report: &Report, name: &str, reason: &str) {
        let result = report.get(name).unwrap();
        assert!(
            matches!(&result.outcome, Outcome::OptionalFailed(r) if r.contains(reason)),
            "{result:?}"
        );
    }

    pub(crate) const EMPTY_STREAM: &str =
        "optional_spec105_empty_stream_must_terminate_by_signalling_on_complete";

    #[test]
    fn publish_on_pool_report() {
        check(run_publisher_verification(&PublishOnPoolTck), 33, 7, 0);
    }

    #[test]
    fn publish_on_immediate_report() {
        check(run_publisher_verification(&PublishOnImmediateTck), 33, 7, 0);
    }

    #[test]
    fn subscribe_on_pool_report() {
        check(run_publisher_verification(&SubscribeOnPoolTck), 33, 7, 0);
    }

    #[test]
    fn both_boundaries_report() {
        check(run_publisher_verification(&BothBoundariesTck), 33, 7, 0);
    }

    #[test]
    fn just_report() {
        let report = run_publisher_verification(&JustTck);
        check_optional_failure(
            &report,
            EMPTY_STREAM,
            "Expected end-of-stream but got element [7]",
        );
        check(report, 12, 27, 1);
    }

    #[test]
    fn empty_report() {
        check(run_publisher_verification(&EmptyTck), 8, 32, 0);
    }

    #[test]
    fn never_report() {
        let report = run_publisher_verification(&NeverTck);
        check_optional_failure(
            &report,
            EMPTY_STREAM,
            "Did not receive expected stream completion",
        );
        check(report, 7, 32, 1);
    }
}
