//! `skip_while(p)`: drops while the predicate holds, then passes everything.

use reactive_core::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, from_iter, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    assert_clean, manual, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};
use crate::transforms_support::logged;

#[test]
fn drops_while_the_predicate_holds_as_iterator_skip_while() {
    let items = vec![1u64, 3, 5, 2, 7, 4];
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    from_iter(items.clone())
        .skip_while(move |v| {
            counted.fetch_add(1, Ordering::SeqCst);
            v % 2 == 1
        })
        .subscribe(ts.clone());
    let expected: Vec<u64> = items.into_iter().skip_while(|v| v % 2 == 1).collect();
    assert_eq!(ts.values(), expected);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        4,
        "not asked after it first failed"
    );
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn skipped_items_cost_no_request_on_the_conditional_path() {
    let (source, log) = logged(range(0u64..100));
    let ts = TestSubscriber::<u64>::with_request(2);
    source.skip_while(|v| *v < 10).subscribe(ts.clone());
    assert_eq!(ts.values(), vec![10, 11]);
    assert_eq!(*log.lock(), vec![2]);
}

#[test]
fn skipped_items_are_replaced_with_request_one_on_the_plain_path() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(2);
    upstream
        .clone()
        .skip_while(|v| *v < 3)
        .subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), 2);
    for i in 0..3 {
        upstream.send_next(i);
    }
    assert_eq!(
        upstream.take_requests(),
        3,
        "one request(1) per skipped item"
    );
    upstream.send_next(3);
    upstream.send_next(0); // passes: the skipping is over
    assert_eq!(upstream.take_requests(), 0);
    assert_eq!(ts.values(), vec![3, 0]);
    upstream.send_completion();
    assert!(ts.is_complete());
    assert_clean(&env);
}

#[test]
fn errors_pass_through() {
    StepVerifier::create(&error::<u64>(Error::msg("boom")).skip_while(|_| true))
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
    StepVerifier::create(&range(0u64..3).skip_while(|_| true))
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn request_zero_is_rule_3_9() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).skip_while(|v| *v < 3));
}

#[test]
fn cancel_mid_stream_reaches_upstream() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(2);
    upstream
        .clone()
        .skip_while(|_| false)
        .subscribe(ts.tracked_clone());
    upstream.send_next(1);
    ts.cancel();
    assert!(upstream.is_cancelled());
    assert_eq!(ts.values(), vec![1]);
    assert_clean(&env);
}

#[test]
fn request_from_on_next_stays_at_depth_one() {
    requests_from_on_next_do_not_recurse(&range(0u64..10_100).skip_while(|v| *v < 100));
}
