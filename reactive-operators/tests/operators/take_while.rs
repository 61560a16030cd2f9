//! `take_while(p)`: the first failing item cancels the upstream and completes.

use reactive_core::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, from_iter, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    assert_clean, manual, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};

#[test]
fn emits_while_the_predicate_holds_as_iterator_take_while() {
    let items = vec![1u64, 3, 5, 2, 7, 9];
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    from_iter(items.clone())
        .take_while(|v| v % 2 == 1)
        .subscribe(ts.clone());
    let expected: Vec<u64> = items.into_iter().take_while(|v| v % 2 == 1).collect();
    assert_eq!(ts.values(), expected);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn the_failing_item_cancels_upstream_and_completes() {
    let (upstream, env) = manual::<u64>();
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let ts = TestSubscriber::<u64>::with_request(10);
    upstream
        .clone()
        .take_while(move |v| {
            counted.fetch_add(1, Ordering::SeqCst);
            *v < 2
        })
        .subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), 10, "pass-through");
    upstream.send_next(0);
    upstream.send_next(1);
    assert!(!upstream.is_cancelled());
    upstream.send_next(2);
    assert!(upstream.is_cancelled());
    assert!(ts.is_complete());
    upstream.send_next(0); // late (rule 2.8): ignored, the predicate is not asked again
    assert_eq!(ts.values(), vec![0, 1]);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);
}

#[test]
fn demand_passes_through() {
    StepVerifier::create(&range(0u64..100).take_while(|v| *v < 50))
        .initial_request(2)
        .expect_next_values([0, 1])
        .then_request(3)
        .expect_next_values([2, 3, 4])
        .then_cancel()
        .verify()
        .unwrap();
}

#[test]
fn errors_and_completion_pass_through() {
    StepVerifier::create(&error::<u64>(Error::msg("boom")).take_while(|_| true))
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
    StepVerifier::create(&range(0u64..3).take_while(|_| true))
        .expect_next_values([0, 1, 2])
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn request_zero_is_rule_3_9() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).take_while(|_| true));
}

#[test]
fn cancel_mid_stream_drops_the_subscriber() {
    let ts = TestSubscriber::<u64>::with_request(2);
    range(0u64..100)
        .take_while(|_| true)
        .subscribe(ts.tracked_clone());
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");
    assert_eq!(ts.values(), vec![0, 1]);
}

#[test]
fn request_from_on_next_stays_at_depth_one() {
    requests_from_on_next_do_not_recurse(&range(0u64..20_000).take_while(|v| *v < 10_000));
}
