//! The transforms and filters through the publisher verification, each over `range`: a
//! factory gives exactly the number of items the TCK asks for, so each operator's own
//! bookkeeping (the cap of `take`, the extra request of `skip`, the dropped items of the
//! filtering operators) is what is checked. The one-item `element_at` verifications set
//! `max_elements_from_publisher` to 1, `ignore_elements` to 0 (it emits no items), and
//! `distinct` to 1024 (it remembers every item it emitted).

use reactive_core::{BoxPublisher, Error};
use reactive_operators::ops::{
    Cast, Distinct, DistinctUntilChanged, DistinctUntilChangedByKey, ElementAt, ElementAtOr,
    Enumerate, FilterMap, IgnoreElements, Map, Scan, Skip, SkipWhile, StepBy, Take,
};
use reactive_operators::source::Range;
use reactive_operators::{PublisherExt, error, range};
use reactive_tck::PublisherVerification;

use super::failed;

/// `error(e)` behind the operator under test.
fn failed_through<P>(
    op: impl FnOnce(reactive_operators::source::ErrorSource<u64>) -> P,
) -> Option<BoxPublisher<P::Item>>
where
    P: reactive_core::Publisher + Send + Sync + 'static,
    P::Item: 'static,
{
    Some(op(error::<u64>(Error::msg("failed on purpose"))).boxed())
}

/// `range(0..n + 10).take(n)`: the cap ends the stream, not the source.
#[derive(Debug)]
pub(crate) struct TakeTck;

impl PublisherVerification for TakeTck {
    type Item = u64;
    type Publisher = Take<Range<u64>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements.saturating_add(10)).take(elements)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.take(10))
    }
}

mod take_tck {
    reactive_tck::publisher_verification!(super::TakeTck);
}

/// `range(0..n + 5).skip(5)`.
#[derive(Debug)]
pub(crate) struct SkipTck;

impl PublisherVerification for SkipTck {
    type Item = u64;
    type Publisher = Skip<Range<u64>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements.saturating_add(5)).skip(5)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.skip(5))
    }
}

mod skip_tck {
    reactive_tck::publisher_verification!(super::SkipTck);
}

/// `range(0..n + 10).take_while(|v| v < n)`: the first failing item ends the stream.
#[derive(Debug)]
pub(crate) struct TakeWhileTck;

impl PublisherVerification for TakeWhileTck {
    type Item = u64;
    type Publisher = BoxPublisher<u64>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements.saturating_add(10))
            .take_while(move |v| *v < elements)
            .boxed()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.take_while(|_| true))
    }
}

mod take_while_tck {
    reactive_tck::publisher_verification!(super::TakeWhileTck);
}

fn below_three(v: &u64) -> bool {
    *v < 3
}

/// `range(0..n + 3).skip_while(|v| v < 3)`.
#[derive(Debug)]
pub(crate) struct SkipWhileTck;

impl PublisherVerification for SkipWhileTck {
    type Item = u64;
    type Publisher = SkipWhile<Range<u64>, fn(&u64) -> bool>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements.saturating_add(3)).skip_while(below_three as fn(&u64) -> bool)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.skip_while(below_three))
    }
}

mod skip_while_tck {
    reactive_tck::publisher_verification!(super::SkipWhileTck);
}

fn half_of_even(v: u64) -> Option<u64> {
    (v % 2 == 0).then_some(v / 2)
}

/// `range(0..2n).filter_map(half of the even ones)`: every other item dropped.
#[derive(Debug)]
pub(crate) struct FilterMapTck;

impl PublisherVerification for FilterMapTck {
    type Item = u64;
    type Publisher = FilterMap<Range<u64>, fn(u64) -> Option<u64>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements.saturating_mul(2)).filter_map(half_of_even as fn(u64) -> Option<u64>)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.filter_map(half_of_even))
    }
}

mod filter_map_tck {
    reactive_tck::publisher_verification!(super::FilterMapTck);
}

fn running_sum(sum: &mut u64, v: u64) -> Option<u64> {
    *sum = sum.wrapping_add(v);
    Some(*sum)
}

/// `range(0..n).scan(0, running sum)`.
#[derive(Debug)]
pub(crate) struct ScanTck;

type Sums = Scan<Range<u64>, u64, fn(&mut u64, u64) -> Option<u64>>;

impl PublisherVerification for ScanTck {
    type Item = u64;
    type Publisher = Sums;

    fn create_publisher(&self, elements: u64) -> Sums {
        range(0..elements).scan(0, running_sum as fn(&mut u64, u64) -> Option<u64>)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.scan(0, running_sum))
    }
}

mod scan_tck {
    reactive_tck::publisher_verification!(super::ScanTck);
}

/// `range(0..n).enumerate()`, items `(usize, u64)`.
#[derive(Debug)]
pub(crate) struct EnumerateTck;

impl PublisherVerification for EnumerateTck {
    type Item = (usize, u64);
    type Publisher = Enumerate<Range<u64>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements).enumerate()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<(usize, u64)>> {
        failed_through(|e| e.enumerate())
    }
}

mod enumerate_tck {
    reactive_tck::publisher_verification!(super::EnumerateTck);
}

/// `range(0..3n).step_by(3)`: two of every three items dropped.
#[derive(Debug)]
pub(crate) struct StepByTck;

impl PublisherVerification for StepByTck {
    type Item = u64;
    type Publisher = StepBy<Range<u64>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements.saturating_mul(3)).step_by(3)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.step_by(3))
    }
}

mod step_by_tck {
    reactive_tck::publisher_verification!(super::StepByTck);
}

/// `range(0..n).distinct(1024)`: at most 1024 items, as the set holds every one.
#[derive(Debug)]
pub(crate) struct DistinctTck;

impl PublisherVerification for DistinctTck {
    type Item = u64;
    type Publisher = Distinct<Map<Range<u64>, fn(u64) -> u64>>;

    // Each item twice in a row (`0, 0, 1, 1, ...`): half of them are repeats to drop.
    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements.saturating_mul(2))
            .map(half as fn(u64) -> u64)
            .distinct(1024)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.distinct(1024))
    }

    fn max_elements_from_publisher(&self) -> u64 {
        1024
    }
}

fn half(v: u64) -> u64 {
    v / 2
}

mod distinct_tck {
    reactive_tck::publisher_verification!(super::DistinctTck);
}

/// `range(0..2n).map(v / 2).distinct_until_changed()`: every other item a repeat.
#[derive(Debug)]
pub(crate) struct DistinctUntilChangedTck;

impl PublisherVerification for DistinctUntilChangedTck {
    type Item = u64;
    type Publisher = DistinctUntilChanged<Map<Range<u64>, fn(u64) -> u64>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements.saturating_mul(2))
            .map(half as fn(u64) -> u64)
            .distinct_until_changed()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.distinct_until_changed())
    }
}

mod distinct_until_changed_tck {
    reactive_tck::publisher_verification!(super::DistinctUntilChangedTck);
}

fn half_key(v: &u64) -> u64 {
    v / 2
}

/// `range(0..2n).distinct_until_changed_by_key(v / 2)`: the first of each pair.
#[derive(Debug)]
pub(crate) struct DistinctUntilChangedByKeyTck;

impl PublisherVerification for DistinctUntilChangedByKeyTck {
    type Item = u64;
    type Publisher = DistinctUntilChangedByKey<Range<u64>, fn(&u64) -> u64>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements.saturating_mul(2))
            .distinct_until_changed_by_key(half_key as fn(&u64) -> u64)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.distinct_until_changed_by_key(half_key))
    }
}

mod distinct_until_changed_by_key_tck {
    reactive_tck::publisher_verification!(super::DistinctUntilChangedByKeyTck);
}

/// `range(0..100).ignore_elements()`: no items whatever is asked, so only the tests that
/// need 0 elements run.
#[derive(Debug)]
pub(crate) struct IgnoreElementsTck;

impl PublisherVerification for IgnoreElementsTck {
    type Item = u64;
    type Publisher = IgnoreElements<Range<u64>>;

    fn create_publisher(&self, _: u64) -> Self::Publisher {
        range(0..100).ignore_elements()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.ignore_elements())
    }

    fn max_elements_from_publisher(&self) -> u64 {
        0
    }
}

mod ignore_elements_tck {
    reactive_tck::publisher_verification!(super::IgnoreElementsTck);
}

/// `range(0..10).element_at(3)`: one item, like `just`.
#[derive(Debug)]
pub(crate) struct ElementAtTck;

impl PublisherVerification for ElementAtTck {
    type Item = u64;
    type Publisher = ElementAt<Range<u64>>;

    fn create_publisher(&self, _: u64) -> Self::Publisher {
        range(0..10).element_at(3)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }

    fn max_elements_from_publisher(&self) -> u64 {
        1
    }
}

mod element_at_tck {
    reactive_tck::publisher_verification!(super::ElementAtTck);
}

/// `range(0..2).element_at_or(5, 7)`: the default, held until it is requested.
#[derive(Debug)]
pub(crate) struct ElementAtOrTck;

impl PublisherVerification for ElementAtOrTck {
    type Item = u64;
    type Publisher = ElementAtOr<Range<u64>, u64>;

    fn create_publisher(&self, _: u64) -> Self::Publisher {
        range(0..2).element_at_or(5, 7)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed_through(|e| e.element_at_or(5, 7))
    }

    fn max_elements_from_publisher(&self) -> u64 {
        1
    }
}

mod element_at_or_tck {
    reactive_tck::publisher_verification!(super::ElementAtOrTck);
}

/// `range(0..n)` over `u32`, `cast::<u64>()`.
#[derive(Debug)]
pub(crate) struct CastTck;

impl PublisherVerification for CastTck {
    type Item = u64;
    type Publisher = Cast<Range<u32>, u64>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..u32::try_from(elements).unwrap_or(u32::MAX)).cast::<u64>()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        Some(
            error::<u32>(Error::msg("failed on purpose"))
                .cast::<u64>()
                .boxed(),
        )
    }
}

mod cast_tck {
    reactive_tck::publisher_verification!(super::CastTck);
}

/// The macro's tests let an optional failure pass (printing it); every verification of this
/// file must pass its optional tests too, except, for the one-item publishers, the one that
/// needs an empty stream (`optional_spec105`): `element_at` and `element_at_or` emit exactly
/// one item or an error, never nothing, as `just` and `from_future`. Prints each report's
/// counts.
#[test]
fn no_verification_fails_an_optional_test() {
    fn check<V: PublisherVerification>(name: &str, v: &V, one_item: bool) {
        let report = reactive_tck::run_publisher_verification(v);
        println!(
            "{name}: {} passed, {} skipped, {} failed, {} optional failed",
            report.passed(),
            report.skipped(),
            report.failed(),
            report.optional_failed()
        );
        assert_eq!(report.failed(), 0, "{name}:\n{report}");
        let allowed: &[&str] = if one_item {
            &["optional_spec105_empty_stream_must_terminate_by_signalling_on_complete"]
        } else {
            &[]
        };
        for r in report.results.iter().filter(|r| r.optional_failed()) {
            assert!(allowed.contains(&r.name), "{name}:\n{report}");
        }
    }
    check("take", &TakeTck, false);
    check("skip", &SkipTck, false);
    check("take_while", &TakeWhileTck, false);
    check("skip_while", &SkipWhileTck, false);
    check("filter_map", &FilterMapTck, false);
    check("scan", &ScanTck, false);
    check("enumerate", &EnumerateTck, false);
    check("step_by", &StepByTck, false);
    check("distinct", &DistinctTck, false);
    check("distinct_until_changed", &DistinctUntilChangedTck, false);
    check(
        "distinct_until_changed_by_key",
        &DistinctUntilChangedByKeyTck,
        false,
    );
    check("ignore_elements", &IgnoreElementsTck, false);
    check("element_at", &ElementAtTck, true);
    check("element_at_or", &ElementAtOrTck, true);
    check("cast", &CastTck, false);
}
