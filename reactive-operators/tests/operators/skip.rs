//! `skip(n)`: the first request raised by `n`, no per-item request.

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    assert_clean, manual, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};
use crate::transforms_support::{logged, logged_plain};

#[test]
fn drops_the_first_n_items_as_iterator_skip() {
    for n in [0u64, 1, 3, 9, 10, 11, 50] {
        let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
        range(0u64..10).skip(n).subscribe(ts.clone());
        let expected: Vec<u64> = (0u64..10).skip(n as usize).collect();
        assert_eq!(ts.values(), expected, "skip({n})");
        assert!(ts.is_complete());
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}

#[test]
fn first_request_is_raised_by_n_then_unchanged() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(2);
    upstream.clone().skip(3).subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), 5, "2 + 3");
    for i in 0..5 {
        upstream.send_next(i);
    }
    assert_eq!(upstream.take_requests(), 0, "no request per skipped item");
    assert_eq!(ts.values(), vec![3, 4]);
    ts.request(4);
    assert_eq!(upstream.take_requests(), 4);
    ts.request(1);
    assert_eq!(upstream.take_requests(), 1);
    upstream.send_completion();
    assert!(ts.is_complete());
    assert_clean(&env);
}

#[test]
fn first_request_saturates() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED - 1);
    upstream.clone().skip(3).subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), UNBOUNDED);
    assert_clean(&env);
}

#[test]
fn skip_zero_changes_no_request() {
    let (logged, log) = logged(range(0u64..10));
    let ts = TestSubscriber::<u64>::with_request(2);
    logged.skip(0).subscribe(ts.clone());
    ts.request(3);
    assert_eq!(*log.lock(), vec![2, 3]);
    assert_eq!(ts.values(), vec![0, 1, 2, 3, 4]);
}

#[test]
fn no_per_item_request_on_either_path() {
    for plain in [false, true] {
        let (source, log) = if plain {
            logged_plain(range(0u64..100))
        } else {
            logged(range(0u64..100))
        };
        let ts = TestSubscriber::<u64>::with_request(1);
        source.skip(10).subscribe(ts.clone());
        ts.request(2);
        assert_eq!(ts.values(), vec![10, 11, 12], "plain: {plain}");
        assert_eq!(*log.lock(), vec![11, 2], "plain: {plain}");
    }
}

#[test]
fn fewer_items_than_n_complete_empty() {
    StepVerifier::create(&range(0u64..3).skip(5))
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn errors_pass_through_while_skipping() {
    StepVerifier::create(&error::<u64>(Error::msg("boom")).skip(3))
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();

    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(1);
    upstream.clone().skip(3).subscribe(ts.clone());
    upstream.send_next(0);
    upstream.send_error(Error::msg("mid-skip"));
    assert!(ts.values().is_empty());
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
    assert_clean(&env);
}

#[test]
fn request_zero_is_rule_3_9() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).skip(3));
}

#[test]
fn cancel_mid_stream_reaches_upstream() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(5);
    upstream.clone().skip(1).subscribe(ts.tracked_clone());
    upstream.send_next(0);
    upstream.send_next(1);
    ts.cancel();
    assert!(upstream.is_cancelled());
    assert_eq!(ts.values(), vec![1]);
    assert_clean(&env);

    let ts = TestSubscriber::<u64>::with_request(3);
    range(0u64..100).skip(5).subscribe(ts.tracked_clone());
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");
    assert_eq!(ts.values(), vec![5, 6, 7]);
}

#[test]
fn request_from_on_next_stays_at_depth_one() {
    requests_from_on_next_do_not_recurse(&range(0u64..10_500).skip(500));
}
