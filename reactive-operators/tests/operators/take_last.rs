//! `take_last(n)`: requests everything, keeps the last `n`, emits them after completion as
//! the downstream requests them.

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, empty, error, never, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::buffering_support::{a_second_subscription_is_cancelled_by, over_manual};
use crate::support::{
    assert_clean, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};

#[test]
fn keeps_the_last_n_like_the_iterator() {
    for (len, n) in [(10u64, 3usize), (2, 5), (5, 5), (0, 3), (1000, 1)] {
        let ts = TestSubscriber::<u64>::new();
        range(0..len).take_last(n).subscribe(ts.clone());
        let mut expected: Vec<u64> = (0..len).rev().take(n).collect();
        expected.reverse();
        assert_eq!(ts.values(), expected, "len {len}, n {n}");
        assert!(ts.is_complete());
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}

#[test]
fn requests_unbounded_once_and_forwards_no_downstream_request() {
    let (upstream, env, ts) = over_manual(1, |up| up.take_last(2));
    assert_eq!(upstream.take_requests(), UNBOUNDED);
    ts.request(5);
    ts.request(UNBOUNDED);
    assert_eq!(upstream.take_requests(), 0, "downstream requests stay here");
    for i in 0..4 {
        upstream.send_next(i);
    }
    assert_eq!(ts.value_count(), 0, "nothing before completion");
    upstream.send_completion();
    assert_eq!(ts.values(), [2, 3]);
    assert!(ts.is_complete());
    assert_eq!(upstream.take_requests(), 0);
    assert_clean(&env);
}

#[test]
fn emits_the_kept_items_as_requested_after_completion() {
    let (upstream, env, ts) = over_manual(0, |up| up.take_last(3));
    for i in 0..10 {
        upstream.send_next(i);
    }
    upstream.send_completion();
    assert_eq!(ts.value_count(), 0, "no demand yet");
    ts.request(1);
    assert_eq!(ts.values(), [7]);
    ts.request(1);
    assert_eq!(ts.values(), [7, 8]);
    assert!(!ts.is_complete());
    ts.request(1);
    assert_eq!(ts.values(), [7, 8, 9]);
    assert!(ts.is_complete(), "completes right after the last item");
    // Requests and a cancel after the end go nowhere: the finished upstream is not called.
    ts.request(3);
    ts.cancel();
    assert!(!upstream.is_cancelled());
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);
}

#[test]
fn take_last_zero_completes_with_the_upstream_without_demand() {
    let (upstream, env, ts) = over_manual(0, |up| up.take_last(0));
    assert_eq!(upstream.take_requests(), UNBOUNDED);
    upstream.send_next(1);
    upstream.send_next(2);
    assert!(!ts.is_terminated());
    upstream.send_completion();
    assert!(ts.is_complete());
    assert_eq!(ts.value_count(), 0);
    assert_clean(&env);
}

#[test]
fn an_empty_upstream_completes_without_demand() {
    StepVerifier::create(&empty::<u64>().take_last(4))
        .initial_request(0)
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn an_error_is_passed_on_at_once_and_the_items_dropped() {
    let (upstream, env, ts) = over_manual(0, |up| up.take_last(3));
    upstream.send_next(1);
    upstream.send_error(Error::msg("boom"));
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
    assert_eq!(ts.value_count(), 0);
    assert!(!upstream.is_cancelled());
    StepVerifier::create(&error::<u64>(Error::msg("boom")).take_last(3))
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
    assert_clean(&env);
}

#[test]
fn cancel_before_completion_cancels_the_upstream_and_drops_the_downstream() {
    let (upstream, env, ts) = over_manual(5, |up| up.take_last(2));
    upstream.send_next(1);
    ts.cancel();
    assert!(upstream.is_cancelled());
    upstream.send_next(2); // in flight: ignored (rule 2.8)
    upstream.send_completion();
    assert_eq!(ts.value_count(), 0);
    assert!(!ts.is_terminated(), "no signal after cancel");
    assert_clean(&env);

    let ts = TestSubscriber::<u64>::new();
    never::<u64>().take_last(3).subscribe(ts.tracked_clone());
    assert!(!ts.is_dropped());
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");
}

#[test]
fn cancel_while_emitting_after_completion_stops_and_drops() {
    // The hook sees the item's number: cancel from inside the second on_next.
    let ts = TestSubscriber::<u64>::with_request(3).with_on_next_hook(|ts, k| {
        if k == 2 {
            ts.cancel();
        }
    });
    range(0u64..10).take_last(5).subscribe(ts.tracked_clone());
    assert_eq!(ts.values(), [5, 6]);
    assert!(!ts.is_terminated());
    assert!(ts.is_dropped(), "rule 3.13");
}

#[test]
fn request_zero_is_rule_3_9_before_and_after_completion() {
    // Before: the upstream (range) reports it.
    request_zero_ends_with_rule_3_9(&range(0u64..5).take_last(2));
    // After: the upstream is done, this stage reports it.
    let (upstream, env, ts) = over_manual(0, |up| up.take_last(2));
    upstream.send_next(1);
    upstream.send_completion();
    ts.request(0);
    let e = ts.error().expect("the rule 3.9 error");
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.message().contains("rule 3.9"), "{e}");
    assert_eq!(ts.value_count(), 0);
    assert_clean(&env);
}

#[test]
fn a_request_from_on_next_does_not_recurse() {
    requests_from_on_next_do_not_recurse(&range(0u64..20_000).take_last(10_000));
}

#[test]
fn requests_from_another_thread_after_completion() {
    let ts = TestSubscriber::with_request(0);
    range(0u64..1_000).take_last(100).subscribe(ts.clone());
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let ts = ts.clone();
            std::thread::spawn(move || {
                for _ in 0..50 {
                    ts.request(1);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(ts.values(), (900..1_000).collect::<Vec<_>>());
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn a_second_subscription_is_cancelled() {
    a_second_subscription_is_cancelled_by(|up| up.take_last(2));
}
