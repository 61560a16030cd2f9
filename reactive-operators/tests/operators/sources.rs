//! `just`, `empty`, `error`, `never`, and the edges of `range` and `from_iter`.

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{empty, error, from_iter, just, never, range};
use reactive_tck::TestSubscriber;

#[test]
fn just_emits_on_demand_then_completes() {
    let ts = TestSubscriber::with_request(0);
    just("x").subscribe(ts.clone());
    assert_eq!(ts.value_count(), 0);
    ts.request(1);
    assert_eq!(ts.values(), vec!["x"]);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn just_request_zero_fails() {
    let ts = TestSubscriber::<u8>::with_request(0);
    just(1u8).subscribe(ts.clone());
    ts.request(0);
    assert_eq!(ts.value_count(), 0);
    assert_eq!(
        ts.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
}

#[test]
fn empty_completes_without_demand() {
    let ts = TestSubscriber::<u8>::with_request(0);
    empty::<u8>().subscribe(ts.tracked_clone());
    assert!(ts.is_subscribed());
    assert!(ts.is_complete());
    assert_eq!(ts.value_count(), 0);
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert!(ts.is_dropped());
}

#[test]
fn error_fails_without_demand_with_the_same_error() {
    let e = Error::msg("no data");
    let source = error::<u8>(e.clone());
    for _ in 0..2 {
        let ts = TestSubscriber::<u8>::with_request(0);
        source.subscribe(ts.clone());
        assert!(ts.is_subscribed());
        assert!(ts.error().expect("on_error").ptr_eq(&e));
        assert!(!ts.is_complete());
        assert!(ts.violations().is_empty(), "{ts:?}"); // one terminal signal
    }
}

#[test]
fn never_stays_silent_until_cancelled() {
    let ts = TestSubscriber::<u8>::with_request(UNBOUNDED);
    never::<u8>().subscribe(ts.tracked_clone());
    ts.request(10);
    assert!(ts.is_subscribed());
    assert_eq!(ts.value_count(), 0);
    assert!(!ts.is_terminated());
    assert!(!ts.is_dropped());
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");
}

#[test]
fn never_reports_request_zero() {
    let ts = TestSubscriber::<u8>::with_request(0);
    never::<u8>().subscribe(ts.clone());
    ts.request(0);
    assert_eq!(
        ts.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn empty_range_and_iterator_complete_at_once() {
    let ts = TestSubscriber::<u64>::with_request(0);
    range(5u64..5).subscribe(ts.clone());
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
    let ts = TestSubscriber::<u64>::with_request(0);
    from_iter(Vec::<u64>::new()).subscribe(ts.clone());
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn range_starts_where_asked() {
    let ts = TestSubscriber::with_request(UNBOUNDED);
    range(u64::MAX - 3..u64::MAX).subscribe(ts.clone());
    assert_eq!(ts.values(), vec![u64::MAX - 3, u64::MAX - 2, u64::MAX - 1]);
}

#[test]
fn inclusive_range_reaches_the_type_maximum_without_overflow() {
    let ts = TestSubscriber::with_request(UNBOUNDED);
    range(253..=u8::MAX).subscribe(ts.clone());
    assert_eq!(ts.values(), vec![253u8, 254, 255]);
    assert!(ts.is_complete());
    // One at a time: the last item is emitted and the stream completes right after it.
    let ts = TestSubscriber::with_request(1);
    range(i64::MAX - 1..=i64::MAX).subscribe(ts.clone());
    assert_eq!(ts.values(), vec![i64::MAX - 1]);
    assert!(!ts.is_complete());
    ts.request(1);
    assert_eq!(ts.values(), vec![i64::MAX - 1, i64::MAX]);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn range_over_signed_and_narrow_types_matches_the_iterator() {
    let ts = TestSubscriber::with_request(UNBOUNDED);
    range(-3..=3i8).subscribe(ts.clone());
    assert_eq!(ts.values(), (-3..=3i8).collect::<Vec<_>>());
    let ts = TestSubscriber::with_request(UNBOUNDED);
    range(i32::MIN..i32::MIN + 2).subscribe(ts.clone());
    assert_eq!(ts.values(), vec![i32::MIN, i32::MIN + 1]);
    let ts = TestSubscriber::with_request(UNBOUNDED);
    range(0..3usize).subscribe(ts.clone());
    assert_eq!(ts.values(), vec![0usize, 1, 2]);
    let ts = TestSubscriber::with_request(UNBOUNDED);
    range(u128::MAX - 1..=u128::MAX).subscribe(ts.clone());
    assert_eq!(ts.values(), vec![u128::MAX - 1, u128::MAX]);
}

#[test]
#[allow(clippy::reversed_empty_ranges)]
fn inverted_ranges_are_empty_as_iterator_ranges_are() {
    for publisher in [range(5..3i32), range(3..=2i32), range(7..7i32)] {
        let ts = TestSubscriber::<i32>::with_request(0);
        publisher.subscribe(ts.clone());
        assert!(ts.is_complete(), "{ts:?}");
        assert!(ts.values().is_empty());
    }
}

#[test]
fn on_subscribe_comes_first_and_once() {
    let ts = TestSubscriber::<u64>::with_request(0);
    range(0u64..3).subscribe(ts.clone());
    assert!(ts.is_subscribed());
    // A second on_subscribe, or a signal before the first, would be a violation.
    assert!(ts.violations().is_empty(), "{ts:?}");
}
