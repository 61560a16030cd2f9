//! `just`, `empty`, `error`, `never`, and the edges of `range` and `from_iter`.

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{empty, error, from_iter, just, never, range};

use crate::probe::probe;

#[test]
fn just_emits_on_demand_then_completes() {
    let (p, h) = probe::<&str>(0);
    just("x").subscribe(p);
    assert_eq!(h.len(), 0);
    h.request(1);
    assert_eq!(h.items(), vec!["x"]);
    assert!(h.with(|r| r.completed == 1));
}

#[test]
fn just_request_zero_fails() {
    let (p, h) = probe::<u8>(0);
    just(1u8).subscribe(p);
    h.request(0);
    assert!(h.with(|r| r.items.is_empty() && r.errors[0].kind() == ErrorKind::InvalidRequest));
}

#[test]
fn empty_completes_without_demand() {
    let (p, h) = probe::<u8>(0);
    empty::<u8>().subscribe(p);
    assert!(h.with(|r| r.subscribed == 1 && r.completed == 1 && r.items.is_empty()));
    assert!(h.subscriber_dropped());
}

#[test]
fn error_fails_without_demand_with_the_same_error() {
    let e = Error::msg("no data");
    let source = error::<u8>(e.clone());
    for _ in 0..2 {
        let (p, h) = probe::<u8>(0);
        source.subscribe(p);
        h.with(|r| {
            assert_eq!(r.subscribed, 1);
            assert_eq!(r.errors.len(), 1);
            assert!(r.errors[0].ptr_eq(&e));
            assert_eq!(r.completed, 0);
        });
    }
}

#[test]
fn never_stays_silent_until_cancelled() {
    let (p, h) = probe::<u8>(UNBOUNDED);
    never::<u8>().subscribe(p);
    h.request(10);
    assert!(h.with(|r| r.subscribed == 1 && r.items.is_empty()));
    assert!(!h.is_terminated());
    assert!(!h.subscriber_dropped());
    h.cancel();
    h.forget_subscription();
    assert!(h.subscriber_dropped(), "rule 3.13");
}

#[test]
fn never_reports_request_zero() {
    let (p, h) = probe::<u8>(0);
    never::<u8>().subscribe(p);
    h.request(0);
    assert!(h.with(|r| r.errors.len() == 1 && r.errors[0].kind() == ErrorKind::InvalidRequest));
}

#[test]
fn empty_range_and_iterator_complete_at_once() {
    let (p, h) = probe::<u64>(0);
    range(5, 0).subscribe(p);
    assert!(h.with(|r| r.completed == 1));
    let (p, h) = probe::<u64>(0);
    from_iter(Vec::<u64>::new()).subscribe(p);
    assert!(h.with(|r| r.completed == 1));
}

#[test]
fn range_starts_where_asked() {
    let (p, h) = probe::<u64>(UNBOUNDED);
    range(u64::MAX - 3, 3).subscribe(p);
    assert_eq!(h.items(), vec![u64::MAX - 3, u64::MAX - 2, u64::MAX - 1]);
}

#[test]
#[should_panic(expected = "overflows u64")]
fn range_past_u64_max_panics() {
    let _ = range(u64::MAX, 2);
}

#[test]
fn on_subscribe_comes_first_and_once() {
    let (p, h) = probe::<u64>(0);
    range(0, 3).subscribe(p);
    assert_eq!(h.with(|r| r.subscribed), 1);
}
