//! The fallible operators (`try_map`, `try_filter`, `try_filter_map`, with and without
//! `on_error_continue`, and `map_err`) over `range`, and the sources `defer`, `generate`,
//! `from_iter_once`, `repeat_n` and `repeat` (cut to `n` items by `take(n)`: the verification
//! asks for publishers of exactly `n` items), through the publisher verification; then the
//! whole reports, so that a change of behaviour under the TCK shows in the counts.

use reactive_core::{BoxPublisher, Error};
use reactive_operators::ops::{ContinueOnError, MapErr, TryFilter, TryFilterMap, TryMap};
use reactive_operators::source::{FromIterOnce, Range, RepeatN};
use reactive_operators::{PublisherExt, defer, from_iter_once, generate, range, repeat_n};
use reactive_tck::PublisherVerification;

use crate::failed;

fn plus_one(v: u64) -> Result<u64, Error> {
    Ok(v + 1)
}

/// Fails for odd items (skipped under `on_error_continue`).
fn halve_even(v: u64) -> Result<u64, Error> {
    if v % 2 == 0 {
        Ok(v / 2)
    } else {
        Err(Error::msg("odd"))
    }
}

fn is_even(v: &u64) -> Result<bool, Error> {
    Ok(v % 2 == 0)
}

fn even_halves(v: u64) -> Result<Option<u64>, Error> {
    Ok((v % 2 == 0).then_some(v / 2))
}

fn ignore(_: Error) {}

fn relabel(e: Error) -> Error {
    Error::new(e.kind(), format!("relabelled: {}", e.message()))
}

/// `range(0..n).try_map(plus_one)`: every `Ok`, so exactly `n` items.
#[derive(Debug)]
pub(crate) struct TryMapTck;

type PlusOne = TryMap<Range<u64>, fn(u64) -> Result<u64, Error>>;

impl PublisherVerification for TryMapTck {
    type Item = u64;
    type Publisher = PlusOne;

    fn create_publisher(&self, elements: u64) -> PlusOne {
        range(0..elements).try_map(plus_one as fn(u64) -> Result<u64, Error>)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }
}

mod try_map_tck {
    reactive_tck::publisher_verification!(super::TryMapTck);
}

/// `range(0..2n).try_map(halve_even).on_error_continue(ignore)`: every odd item fails and is
/// skipped, exactly `n` pass.
#[derive(Debug)]
pub(crate) struct TryMapContinueTck;

type HalveEven = TryMap<Range<u64>, fn(u64) -> Result<u64, Error>, ContinueOnError<fn(Error)>>;

impl PublisherVerification for TryMapContinueTck {
    type Item = u64;
    type Publisher = HalveEven;

    fn create_publisher(&self, elements: u64) -> HalveEven {
        range(0..elements.saturating_mul(2))
            .try_map(halve_even as fn(u64) -> Result<u64, Error>)
            .on_error_continue(ignore as fn(Error))
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }
}

mod try_map_continue_tck {
    reactive_tck::publisher_verification!(super::TryMapContinueTck);
}

/// `range(0..2n).try_filter(is_even)`: exactly `n` pass.
#[derive(Debug)]
pub(crate) struct TryFilterTck;

type Evens = TryFilter<Range<u64>, fn(&u64) -> Result<bool, Error>>;

impl PublisherVerification for TryFilterTck {
    type Item = u64;
    type Publisher = Evens;

    fn create_publisher(&self, elements: u64) -> Evens {
        range(0..elements.saturating_mul(2)).try_filter(is_even as fn(&u64) -> Result<bool, Error>)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }
}

mod try_filter_tck {
    reactive_tck::publisher_verification!(super::TryFilterTck);
}

/// `range(0..2n).try_filter_map(even_halves)`: exactly `n` pass.
#[derive(Debug)]
pub(crate) struct TryFilterMapTck;

type EvenHalves = TryFilterMap<Range<u64>, fn(u64) -> Result<Option<u64>, Error>>;

impl PublisherVerification for TryFilterMapTck {
    type Item = u64;
    type Publisher = EvenHalves;

    fn create_publisher(&self, elements: u64) -> EvenHalves {
        range(0..elements.saturating_mul(2))
            .try_filter_map(even_halves as fn(u64) -> Result<Option<u64>, Error>)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }
}

mod try_filter_map_tck {
    reactive_tck::publisher_verification!(super::TryFilterMapTck);
}

/// `range(0..n).map_err(relabel)`, and the failed publisher through `map_err` too.
#[derive(Debug)]
pub(crate) struct MapErrTck;

type Relabelled = MapErr<Range<u64>, fn(Error) -> Error>;

impl PublisherVerification for MapErrTck {
    type Item = u64;
    type Publisher = Relabelled;

    fn create_publisher(&self, elements: u64) -> Relabelled {
        range(0..elements).map_err(relabel as fn(Error) -> Error)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed().map(|p| p.map_err(relabel).boxed())
    }
}

mod map_err_tck {
    reactive_tck::publisher_verification!(super::MapErrTck);
}

/// `defer(move || range(0..n))`, erased (the closure has no name).
#[derive(Debug)]
pub(crate) struct DeferTck;

impl PublisherVerification for DeferTck {
    type Item = u64;
    type Publisher = BoxPublisher<u64>;

    fn create_publisher(&self, elements: u64) -> BoxPublisher<u64> {
        defer(move || range(0..elements)).boxed()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        Some(defer(|| failed().expect("a failed publisher")).boxed())
    }
}

mod defer_tck {
    reactive_tck::publisher_verification!(super::DeferTck);
}

/// `generate` counting from 0 below `n`, erased.
#[derive(Debug)]
pub(crate) struct GenerateTck;

impl PublisherVerification for GenerateTck {
    type Item = u64;
    type Publisher = BoxPublisher<u64>;

    fn create_publisher(&self, elements: u64) -> BoxPublisher<u64> {
        generate(
            || 0u64,
            move |next: &mut u64| {
                (*next < elements).then(|| {
                    *next += 1;
                    Ok::<_, Error>(*next - 1)
                })
            },
        )
        .boxed()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        // A step runs only under demand, and the TCK's failed publisher must fail without
        // it, so the shared `error(..)` stands in.
        failed()
    }
}

mod generate_tck {
    reactive_tck::publisher_verification!(super::GenerateTck);
}

/// `from_iter_once(0..n)`: one subscriber per publisher, so the multi-subscriber tests of
/// rule 1.11 fail as optional (the second subscriber is rejected).
#[derive(Debug)]
pub(crate) struct FromIterOnceTck;

impl PublisherVerification for FromIterOnceTck {
    type Item = u64;
    type Publisher = FromIterOnce<std::ops::Range<u64>>;

    fn create_publisher(&self, elements: u64) -> FromIterOnce<std::ops::Range<u64>> {
        from_iter_once(0..elements)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        // A used-up `from_iter_once`: every subscriber gets on_subscribe, then the rejection.
        let used = from_iter_once(0..0u64);
        used.subscribe_with(|_| {}, |_| {}, || {});
        Some(used.boxed())
    }
}

mod from_iter_once_tck {
    reactive_tck::publisher_verification!(super::FromIterOnceTck);
}

/// `repeat_n(7, n)`.
#[derive(Debug)]
pub(crate) struct RepeatNTck;

impl PublisherVerification for RepeatNTck {
    type Item = u64;
    type Publisher = RepeatN<u64>;

    fn create_publisher(&self, elements: u64) -> RepeatN<u64> {
        repeat_n(7, usize::try_from(elements).expect("fits a usize"))
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }
}

mod repeat_n_tck {
    reactive_tck::publisher_verification!(super::RepeatNTck);
}

/// `repeat(7).take(n)`: the endless source, cut to the `n` items the verification asks for.
#[derive(Debug)]
pub(crate) struct RepeatTck;

impl PublisherVerification for RepeatTck {
    type Item = u64;
    type Publisher = reactive_operators::ops::Take<reactive_operators::source::Repeat<u64>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        reactive_operators::repeat(7).take(elements)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }
}

mod repeat_tck {
    reactive_tck::publisher_verification!(super::RepeatTck);
}

mod reports {
    use super::*;
    use crate::reports::{check, check_optional_failure};
    use reactive_tck::run_publisher_verification;

    #[test]
    fn try_map_report() {
        check(run_publisher_verification(&TryMapTck), 33, 7, 0);
    }

    #[test]
    fn try_map_continue_report() {
        check(run_publisher_verification(&TryMapContinueTck), 33, 7, 0);
    }

    #[test]
    fn try_filter_report() {
        check(run_publisher_verification(&TryFilterTck), 33, 7, 0);
    }

    #[test]
    fn try_filter_map_report() {
        check(run_publisher_verification(&TryFilterMapTck), 33, 7, 0);
    }

    #[test]
    fn map_err_report() {
        check(run_publisher_verification(&MapErrTck), 33, 7, 0);
    }

    #[test]
    fn defer_report() {
        check(run_publisher_verification(&DeferTck), 33, 7, 0);
    }

    #[test]
    fn generate_report() {
        check(run_publisher_verification(&GenerateTck), 33, 7, 0);
    }

    /// The 6 optional failures are the multi-subscriber tests of rule 1.11: the second
    /// subscriber of a `from_iter_once` is rejected, by design.
    #[test]
    fn from_iter_once_report() {
        let report = run_publisher_verification(&FromIterOnceTck);
        check_optional_failure(
            &report,
            "optional_spec111_may_support_multi_subscribe",
            "subscribed to only once",
        );
        check(report, 27, 7, 6);
    }

    #[test]
    fn repeat_n_report() {
        check(run_publisher_verification(&RepeatNTck), 33, 7, 0);
    }

    #[test]
    fn repeat_report() {
        check(run_publisher_verification(&RepeatTck), 33, 7, 0);
    }
}
