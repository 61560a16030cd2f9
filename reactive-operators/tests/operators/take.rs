//! `take(n)`: the cap on the total upstream demand, completion right after the n-th item.

use reactive_core::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, never, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    PATIENCE, assert_clean, manual, request_zero_ends_with_rule_3_9,
    requests_from_on_next_do_not_recurse,
};
use crate::transforms_support::{logged, logged_plain, total};

#[test]
fn emits_the_first_n_items_as_iterator_take() {
    for n in [0u64, 1, 3, 10, 11, 50] {
        let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
        range(0u64..10).take(n).subscribe(ts.clone());
        let expected: Vec<u64> = (0u64..10).take(n as usize).collect();
        assert_eq!(ts.values(), expected, "take({n})");
        assert!(ts.is_complete());
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}

#[test]
fn one_big_request_is_capped_at_n() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(100);
    upstream.clone().take(5).subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), 5);
    ts.request(100);
    assert_eq!(upstream.take_requests(), 0, "asked past the cap");
    assert_clean(&env);
}

#[test]
fn unbounded_request_is_capped_at_n() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    upstream.clone().take(7).subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), 7);
    ts.request(UNBOUNDED);
    assert_eq!(upstream.take_requests(), 0);
    assert_clean(&env);
}

#[test]
fn small_requests_are_forwarded_until_the_cap() {
    let (logged, log) = logged(range(0u64..100));
    let ts = TestSubscriber::<u64>::with_request(2);
    logged.take(5).subscribe(ts.clone());
    for _ in 0..4 {
        ts.request(2);
    }
    assert_eq!(
        *log.lock(),
        vec![2, 2, 1],
        "the last request past the cap is not sent"
    );
    assert_eq!(ts.values(), vec![0, 1, 2, 3, 4]);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn take_of_u64_max_is_unbounded() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    upstream.clone().take(u64::MAX).subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), UNBOUNDED);
    assert_clean(&env);
}

#[test]
fn concurrent_requests_never_exceed_the_cap() {
    for _ in 0..20 {
        let (upstream, env) = manual::<u64>();
        let ts = TestSubscriber::<u64>::with_request(0);
        upstream.clone().take(1_000).subscribe(ts.clone());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let ts = ts.clone();
                std::thread::spawn(move || {
                    for _ in 0..300 {
                        ts.request(1);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(
            upstream.take_requests(),
            1_000,
            "1,200 asked, capped at 1,000"
        );
        assert_clean(&env);
    }
}

#[test]
fn requests_from_another_thread_get_exactly_n_items() {
    let ts = TestSubscriber::<u64>::with_request(0);
    range(0u64..1_000_000).take(5_000).subscribe(ts.clone());
    let other = ts.clone();
    let t = std::thread::spawn(move || {
        for _ in 0..10_000 {
            other.request(1);
        }
    });
    t.join().unwrap();
    assert!(ts.await_terminal(PATIENCE));
    assert_eq!(ts.values(), (0..5_000).collect::<Vec<_>>());
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn completes_and_cancels_right_after_the_nth_item() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(10);
    upstream.clone().take(2).subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), 2);
    upstream.send_next(1);
    assert!(!upstream.is_cancelled());
    assert!(!ts.is_terminated());
    upstream.send_next(2);
    assert!(upstream.is_cancelled(), "cancelled after the 2nd item");
    assert!(
        ts.is_complete(),
        "completed without waiting for the upstream"
    );
    // A late item (rule 2.8) is dropped.
    upstream.send_next(3);
    assert_eq!(ts.values(), vec![1, 2]);
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);
}

#[test]
fn take_zero_cancels_and_completes_without_demand() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(0);
    upstream.clone().take(0).subscribe(ts.clone());
    assert!(ts.is_complete(), "completed at once");
    assert!(upstream.is_cancelled());
    assert_eq!(upstream.take_requests(), 0);
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);

    // Over a source that never ends, too.
    StepVerifier::create(&never::<u64>().take(0))
        .initial_request(0)
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn fewer_items_than_n_pass_the_completion_through() {
    StepVerifier::create(&range(0u64..3).take(10))
        .expect_next_values([0, 1, 2])
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn errors_pass_through() {
    StepVerifier::create(&error::<u64>(Error::msg("boom")).take(3))
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();

    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(5);
    upstream.clone().take(5).subscribe(ts.clone());
    upstream.send_next(1);
    upstream.send_error(Error::msg("late"));
    assert_eq!(ts.values(), vec![1]);
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
    assert!(!upstream.is_cancelled());
    assert_clean(&env);
}

#[test]
fn request_zero_is_rule_3_9() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).take(5));
}

#[test]
fn cancel_mid_stream_reaches_upstream_and_drops_the_subscriber() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(5);
    upstream.clone().take(5).subscribe(ts.tracked_clone());
    upstream.send_next(1);
    ts.cancel();
    assert!(upstream.is_cancelled());
    assert_eq!(ts.values(), vec![1]);
    assert!(!ts.is_terminated());
    assert_clean(&env);

    let ts = TestSubscriber::<u64>::with_request(3);
    range(0u64..100).take(50).subscribe(ts.tracked_clone());
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");
    assert_eq!(ts.values(), vec![0, 1, 2]);
}

#[test]
fn every_item_counts_towards_n_on_the_conditional_path() {
    // As `(0..).take(5).filter(even)`: 5 items looked at, 3 kept; the rejected ones cost
    // no request.
    let (logged, log) = logged(range(0u64..100));
    let ts = TestSubscriber::<u64>::with_request(2);
    logged.take(5).filter(|v| v % 2 == 0).subscribe(ts.clone());
    assert_eq!(ts.values(), vec![0, 2]);
    assert_eq!(*log.lock(), vec![2]);
    ts.request(10);
    assert_eq!(ts.values(), vec![0, 2, 4]);
    assert!(ts.is_complete());
    assert_eq!(*log.lock(), vec![2, 3], "capped at 5 in total");
}

#[test]
fn every_item_counts_towards_n_on_the_plain_path() {
    let (logged, log) = logged_plain(range(0u64..100));
    let ts = TestSubscriber::<u64>::with_request(2);
    logged.take(5).filter(|v| v % 2 == 0).subscribe(ts.clone());
    ts.request(10);
    assert_eq!(ts.values(), vec![0, 2, 4]);
    assert!(ts.is_complete());
    assert!(total(&log) <= 5, "over the cap: {:?}", log.lock());
}

#[test]
fn request_from_on_next_stays_at_depth_one() {
    requests_from_on_next_do_not_recurse(&range(0u64..1_000_000).take(10_000));
}

#[test]
fn request_from_on_next_past_the_cap_is_not_forwarded() {
    let (logged, log) = logged(range(0u64..100));
    let asked_after = Arc::new(AtomicBool::new(false));
    let flag = asked_after.clone();
    let ts = TestSubscriber::with_request(1).with_on_next_hook(move |ts, n| {
        if n == 3 {
            flag.store(true, Ordering::SeqCst);
        }
        ts.request(1);
    });
    logged.take(3).subscribe(ts.clone());
    assert_eq!(ts.values(), vec![0, 1, 2]);
    assert!(ts.is_complete());
    assert!(asked_after.load(Ordering::SeqCst));
    assert_eq!(total(&log), 3, "{:?}", log.lock());
}
