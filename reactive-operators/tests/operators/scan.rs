//! `scan(init, f)`: `Iterator::scan`, state per subscription, `None` ends the stream.

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    assert_clean, manual, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};

fn running_sum(sum: &mut u64, v: u64) -> Option<u64> {
    *sum += v;
    (*sum < 40).then_some(*sum)
}

#[test]
fn matches_iterator_scan() {
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    range(0u64..100).scan(0, running_sum).subscribe(ts.clone());
    let expected: Vec<u64> = (0u64..100).scan(0, running_sum).collect();
    assert_eq!(ts.values(), expected);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn state_is_per_subscription() {
    let sums = range(1u64..4).scan(10, |acc, v| {
        *acc += v;
        Some(*acc)
    });
    for _ in 0..2 {
        StepVerifier::create(&sums)
            .expect_next_values([11, 13, 16])
            .expect_complete()
            .verify()
            .unwrap();
    }
}

#[test]
fn none_cancels_upstream_and_completes() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(10);
    upstream
        .clone()
        .scan(0u64, |n, v| {
            *n += 1;
            (*n <= 2).then_some(v * 10)
        })
        .subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), 10, "pass-through");
    upstream.send_next(1);
    upstream.send_next(2);
    assert!(!upstream.is_cancelled());
    upstream.send_next(3);
    assert!(upstream.is_cancelled());
    assert!(ts.is_complete());
    upstream.send_next(4); // late: ignored
    assert_eq!(ts.values(), vec![10, 20]);
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);
}

#[test]
fn demand_passes_through() {
    StepVerifier::create(&range(0u64..100).scan((), |_, v| Some(v)))
        .initial_request(1)
        .expect_next(0)
        .then_request(2)
        .expect_next_values([1, 2])
        .then_cancel()
        .verify()
        .unwrap();
}

#[test]
fn errors_pass_through() {
    StepVerifier::create(&error::<u64>(Error::msg("boom")).scan(0, |_, v| Some(v)))
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
}

#[test]
fn request_zero_is_rule_3_9() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).scan(0, |_, v| Some(v)));
}

#[test]
fn cancel_mid_stream_drops_the_subscriber() {
    let ts = TestSubscriber::<u64>::with_request(2);
    range(0u64..100)
        .scan(0, |_, v| Some(v))
        .subscribe(ts.tracked_clone());
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");
}

#[test]
fn request_from_on_next_stays_at_depth_one() {
    requests_from_on_next_do_not_recurse(&range(0u64..10_000).scan(0, |_, v| Some(v)));
}
