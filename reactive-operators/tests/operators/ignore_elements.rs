//! `ignore_elements()`: no items, requests unbounded once, the terminal signal passes.

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, never, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{assert_clean, manual, request_zero_ends_with_rule_3_9};

#[test]
fn requests_unbounded_once_and_emits_nothing() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(0);
    upstream.clone().ignore_elements().subscribe(ts.clone());
    assert_eq!(
        upstream.take_requests(),
        UNBOUNDED,
        "without downstream demand"
    );
    for i in 0..5 {
        upstream.send_next(i);
    }
    ts.request(3);
    upstream.send_next(5);
    assert!(ts.values().is_empty());
    upstream.send_completion();
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);
}

#[test]
fn completes_without_demand() {
    StepVerifier::create(&range(0u64..10_000).ignore_elements())
        .initial_request(0)
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn errors_pass_through_without_demand() {
    StepVerifier::create(&error::<u64>(Error::msg("boom")).ignore_elements())
        .initial_request(0)
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(0);
    upstream.clone().ignore_elements().subscribe(ts.clone());
    upstream.send_next(1);
    upstream.send_error(Error::msg("late"));
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
    assert!(ts.values().is_empty());
    assert_clean(&env);
}

#[test]
fn request_zero_is_rule_3_9() {
    request_zero_ends_with_rule_3_9(&never::<u64>().ignore_elements());
}

#[test]
fn cancel_reaches_upstream_and_drops_the_subscriber() {
    let ts = TestSubscriber::<u64>::with_request(0);
    never::<u64>()
        .ignore_elements()
        .subscribe(ts.tracked_clone());
    assert!(!ts.is_dropped());
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");

    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(0);
    upstream.clone().ignore_elements().subscribe(ts.clone());
    ts.cancel();
    assert!(upstream.is_cancelled());
    assert_clean(&env);
}
