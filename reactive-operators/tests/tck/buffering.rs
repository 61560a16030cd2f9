//! The buffering transforms over `range` through the publisher verification: `take_last`,
//! `skip_last`, `buffer`, `buffer_skip` (gaps and overlapping), `start_with`,
//! `default_if_empty` (items flowing, and the default alone) and `switch_if_empty` (no
//! switch, and the switch).

use reactive_core::{BoxPublisher, Error};
use reactive_operators::ops::{
    Buffer, BufferSkip, DefaultIfEmpty, SkipLast, StartWith, SwitchIfEmpty, TakeLast,
};
use reactive_operators::source::{Empty, Range};
use reactive_operators::{PublisherExt, empty, error, range};
use reactive_tck::PublisherVerification;

use super::failed;

/// `error(e)` through `op`: the failed publisher of a verification of `Vec` items.
fn failed_buffers(
    op: impl FnOnce(reactive_operators::source::ErrorSource<u64>) -> BoxPublisher<Vec<u64>>,
) -> Option<BoxPublisher<Vec<u64>>> {
    Some(op(error::<u64>(Error::msg("failed on purpose"))))
}

/// `range(0..n + 10).take_last(n)`: the last `n` of `n + 10`.
#[derive(Debug)]
pub(crate) struct TakeLastTck;

impl PublisherVerification for TakeLastTck {
    type Item = u64;
    type Publisher = TakeLast<Range<u64>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements + 10).take_last(elements as usize)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        Some(
            error::<u64>(Error::msg("failed on purpose"))
                .take_last(3)
                .boxed(),
        )
    }

    // take_last requests everything before it emits: keep the streams small (rule 3.17's
    // test, which needs 2^31 items, is skipped).
    fn max_elements_from_publisher(&self) -> u64 {
        1024
    }
}

mod take_last_tck {
    reactive_tck::publisher_verification!(super::TakeLastTck);
}

/// `range(0..n + 3).skip_last(3)`.
#[derive(Debug)]
pub(crate) struct SkipLastTck;

impl PublisherVerification for SkipLastTck {
    type Item = u64;
    type Publisher = SkipLast<Range<u64>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements.saturating_add(3)).skip_last(3)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }
}

mod skip_last_tck {
    reactive_tck::publisher_verification!(super::SkipLastTck);
}

/// `range(0..2n).buffer(2)`: `n` buffers of 2.
#[derive(Debug)]
pub(crate) struct BufferTck;

impl PublisherVerification for BufferTck {
    type Item = Vec<u64>;
    type Publisher = Buffer<Range<u64>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements.saturating_mul(2)).buffer(2)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<Vec<u64>>> {
        failed_buffers(|e| e.buffer(2).boxed())
    }
}

mod buffer_tck {
    reactive_tck::publisher_verification!(super::BufferTck);
}

/// `range(0..3n).buffer_skip(2, 3)`: `n` buffers of 2, one item dropped after each.
#[derive(Debug)]
pub(crate) struct BufferGapsTck;

impl PublisherVerification for BufferGapsTck {
    type Item = Vec<u64>;
    type Publisher = BufferSkip<Range<u64>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements.saturating_mul(3)).buffer_skip(2, 3)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<Vec<u64>>> {
        failed_buffers(|e| e.buffer_skip(2, 3).boxed())
    }
}

mod buffer_gaps_tck {
    reactive_tck::publisher_verification!(super::BufferGapsTck);
}

/// `range(0..n).buffer_skip(3, 1)`: `n` overlapping buffers, the last two partial and
/// emitted after the upstream completed.
#[derive(Debug)]
pub(crate) struct BufferOverlapTck;

impl PublisherVerification for BufferOverlapTck {
    type Item = Vec<u64>;
    type Publisher = BufferSkip<Range<u64>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements).buffer_skip(3, 1)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<Vec<u64>>> {
        failed_buffers(|e| e.buffer_skip(3, 1).boxed())
    }
}

mod buffer_overlap_tck {
    reactive_tck::publisher_verification!(super::BufferOverlapTck);
}

/// `range(k..n).start_with(0..k)` with `k = min(n, 3)`: a prefix of up to 3, then the source.
#[derive(Debug)]
pub(crate) struct StartWithTck;

impl PublisherVerification for StartWithTck {
    type Item = u64;
    type Publisher = StartWith<Range<u64>, std::ops::Range<u64>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        let k = elements.min(3);
        range(k..elements).start_with(0..k)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        Some(
            error::<u64>(Error::msg("failed on purpose"))
                .start_with(Vec::new())
                .boxed(),
        )
    }
}

mod start_with_tck {
    reactive_tck::publisher_verification!(super::StartWithTck);
}

/// `range(0..n).default_if_empty(u64::MAX)`: the items flow through. For `n == 0` the
/// default is what this operator is for, so the optional empty-stream test gets it instead
/// of the end of the stream (the one optional failure, checked in `reports`).
#[derive(Debug)]
pub(crate) struct DefaultIfEmptyTck;

impl PublisherVerification for DefaultIfEmptyTck {
    type Item = u64;
    type Publisher = DefaultIfEmpty<Range<u64>, u64>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements).default_if_empty(u64::MAX)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        Some(
            error::<u64>(Error::msg("failed on purpose"))
                .default_if_empty(1)
                .boxed(),
        )
    }
}

mod default_if_empty_tck {
    reactive_tck::publisher_verification!(super::DefaultIfEmptyTck);
}

/// `empty().default_if_empty(7)`: the default alone, a one-item publisher.
#[derive(Debug)]
pub(crate) struct DefaultValueTck;

impl PublisherVerification for DefaultValueTck {
    type Item = u64;
    type Publisher = DefaultIfEmpty<Empty<u64>, u64>;

    fn create_publisher(&self, _: u64) -> Self::Publisher {
        empty().default_if_empty(7)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }

    fn max_elements_from_publisher(&self) -> u64 {
        1
    }
}

mod default_value_tck {
    reactive_tck::publisher_verification!(super::DefaultValueTck);
}

/// `range(0..n).switch_if_empty(empty())`: no switch unless `n == 0`.
#[derive(Debug)]
pub(crate) struct SwitchIfEmptyTck;

impl PublisherVerification for SwitchIfEmptyTck {
    type Item = u64;
    type Publisher = SwitchIfEmpty<Range<u64>, Empty<u64>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        range(0..elements).switch_if_empty(empty())
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        failed()
    }
}

mod switch_if_empty_tck {
    reactive_tck::publisher_verification!(super::SwitchIfEmptyTck);
}

/// `empty().switch_if_empty(range(0..n))`: always switched, the demand moved over.
#[derive(Debug)]
pub(crate) struct SwitchedTck;

impl PublisherVerification for SwitchedTck {
    type Item = u64;
    type Publisher = SwitchIfEmpty<Empty<u64>, Range<u64>>;

    fn create_publisher(&self, elements: u64) -> Self::Publisher {
        empty().switch_if_empty(range(0..elements))
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        Some(
            empty::<u64>()
                .switch_if_empty(error::<u64>(Error::msg("failed on purpose")))
                .boxed(),
        )
    }
}

mod switched_tck {
    reactive_tck::publisher_verification!(super::SwitchedTck);
}

/// Whole reports: passed, skipped (untested by the TCK, or needing more items than the
/// publisher has) and optional failures.
mod reports {
    use super::*;
    use crate::reports::{EMPTY_STREAM, check, check_optional_failure};
    use reactive_tck::run_publisher_verification;

    #[test]
    fn take_last_report() {
        // 7 untested, and rule 3.17's test that needs 2^31 items.
        check(run_publisher_verification(&TakeLastTck), 32, 8, 0);
    }

    #[test]
    fn skip_last_report() {
        check(run_publisher_verification(&SkipLastTck), 33, 7, 0);
    }

    #[test]
    fn buffer_report() {
        check(run_publisher_verification(&BufferTck), 33, 7, 0);
    }

    #[test]
    fn buffer_gaps_report() {
        check(run_publisher_verification(&BufferGapsTck), 33, 7, 0);
    }

    #[test]
    fn buffer_overlap_report() {
        check(run_publisher_verification(&BufferOverlapTck), 33, 7, 0);
    }

    #[test]
    fn start_with_report() {
        check(run_publisher_verification(&StartWithTck), 33, 7, 0);
    }

    #[test]
    fn default_if_empty_report() {
        let report = run_publisher_verification(&DefaultIfEmptyTck);
        check_optional_failure(
            &report,
            EMPTY_STREAM,
            "Expected end-of-stream but got element",
        );
        check(report, 32, 7, 1);
    }

    #[test]
    fn default_value_report() {
        let report = run_publisher_verification(&DefaultValueTck);
        check_optional_failure(
            &report,
            EMPTY_STREAM,
            "Expected end-of-stream but got element [7]",
        );
        check(report, 12, 27, 1);
    }

    #[test]
    fn switch_if_empty_report() {
        check(run_publisher_verification(&SwitchIfEmptyTck), 33, 7, 0);
    }

    #[test]
    fn switched_report() {
        check(run_publisher_verification(&SwitchedTck), 33, 7, 0);
    }
}
