//! `filter_map(f)`: `Some` passes mapped, `None` is dropped like a rejected `filter` item.

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    assert_clean, manual, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};
use crate::transforms_support::logged;

fn third(v: u64) -> Option<String> {
    (v % 3 == 0).then(|| format!("#{}", v / 3))
}

#[test]
fn maps_and_drops_as_iterator_filter_map() {
    let ts = TestSubscriber::<String>::with_request(UNBOUNDED);
    range(0u64..10).filter_map(third).subscribe(ts.clone());
    let expected: Vec<String> = (0u64..10).filter_map(third).collect();
    assert_eq!(ts.values(), expected);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn dropped_items_cost_no_request_on_the_conditional_path() {
    let (source, log) = logged(range(0u64..100));
    let ts = TestSubscriber::<String>::with_request(3);
    source.filter_map(third).subscribe(ts.clone());
    assert_eq!(ts.values(), vec!["#0", "#1", "#2"]);
    assert_eq!(*log.lock(), vec![3]);
}

#[test]
fn dropped_items_are_replaced_with_request_one_on_the_plain_path() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<String>::with_request(1);
    upstream.clone().filter_map(third).subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), 1);
    upstream.send_next(1);
    upstream.send_next(2);
    assert_eq!(upstream.take_requests(), 2);
    upstream.send_next(3);
    assert_eq!(upstream.take_requests(), 0);
    assert_eq!(ts.values(), vec!["#1"]);
    upstream.send_completion();
    assert!(ts.is_complete());
    assert_clean(&env);
}

#[test]
fn errors_pass_through() {
    StepVerifier::create(&error::<u64>(Error::msg("boom")).filter_map(Some))
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
}

#[test]
fn request_zero_is_rule_3_9() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).filter_map(Some));
}

#[test]
fn cancel_mid_stream_drops_the_subscriber() {
    let ts = TestSubscriber::<u64>::with_request(2);
    range(0u64..100)
        .filter_map(Some)
        .subscribe(ts.tracked_clone());
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");
    assert_eq!(ts.values(), vec![0, 1]);
}

#[test]
fn request_from_on_next_stays_at_depth_one() {
    requests_from_on_next_do_not_recurse(
        &range(0u64..20_000).filter_map(|v| (v % 2 == 0).then_some(v / 2)),
    );
}
