//! `combine_latest`: rows from the latest item of each side, what it requests from each
//! source and when, when it completes, fails and cancels, across threads.

use reactive_core::scheduler::PoolScheduler;
use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, combine_latest, empty, just, never, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{PATIENCE, assert_clean, manual, request_zero_ends_with_rule_3_9};

fn pair(a: &u64, b: &u64) -> (u64, u64) {
    (*a, *b)
}

#[test]
fn every_item_after_both_have_one_makes_a_row() {
    let (a, env_a) = manual::<u64>();
    let (b, env_b) = manual::<u64>();
    let ts = TestSubscriber::new();
    combine_latest(a.clone(), b.clone(), pair).subscribe(ts.clone());
    a.send_next(1);
    a.send_next(2); // replaces 1: no row yet
    b.send_next(10);
    a.send_next(3);
    b.send_next(20);
    assert_eq!(ts.values(), [(2, 10), (3, 10), (3, 20)]);
    a.send_completion(); // its latest stays in use
    b.send_next(30);
    assert_eq!(ts.values().last(), Some(&(3, 30)));
    assert!(!ts.is_terminated());
    b.send_completion();
    assert!(ts.is_complete(), "both completed");
    assert_clean(&env_a);
    assert_clean(&env_b);
}

#[test]
fn requests_prefetch_upfront_and_the_75_percent_rule_never_beyond_the_rings() {
    let (a, env_a) = manual::<u64>();
    let (b, env_b) = manual::<u64>();
    let ts = TestSubscriber::with_request(0);
    combine_latest(a.clone(), b.clone(), pair)
        .prefetch(4)
        .subscribe(ts.clone());
    assert_eq!((a.take_requests(), b.take_requests()), (4, 4));
    b.send_next(0);
    for i in 0..4 {
        a.send_next(i);
    }
    assert_eq!(ts.value_count(), 0, "no demand: items wait in their rings");
    assert_eq!(a.take_requests(), 0, "nothing consumed: nothing more asked");
    ts.request(UNBOUNDED);
    assert_eq!(ts.value_count(), 4);
    assert_eq!(a.take_requests(), 3, "4 - 4/4 after 3 were taken");
    ts.cancel();
    assert!(a.is_cancelled() && b.is_cancelled());
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env_a);
    assert_clean(&env_b);
}

#[test]
fn rows_never_exceed_demand() {
    StepVerifier::create(&combine_latest(just(100u64), range(0u64..10), |a, b| a + b))
        .initial_request(2)
        .expect_next_values([100, 101])
        .expect_no_event(std::time::Duration::from_millis(20))
        .then_request(8)
        .expect_next_count(8)
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn a_source_that_completes_empty_ends_it_and_cancels_the_other() {
    let (b, env) = manual::<u64>();
    StepVerifier::create(&combine_latest(empty::<u64>(), b.clone(), pair))
        .initial_request(0)
        .expect_complete()
        .verify()
        .unwrap();
    assert!(b.is_cancelled());
    assert_clean(&env);
}

#[test]
fn errors_fail_fast_and_cancel_the_other() {
    let (a, env_a) = manual::<u64>();
    let (b, env_b) = manual::<u64>();
    let ts = TestSubscriber::with_request(0);
    combine_latest(a.clone(), b.clone(), pair).subscribe(ts.tracked_clone());
    a.send_next(1);
    b.send_next(2);
    b.send_error(Error::msg("boom"));
    assert_eq!(
        ts.value_count(),
        0,
        "the waiting row does not hold the error back"
    );
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
    assert!(a.is_cancelled());
    assert!(ts.is_dropped());
    assert_clean(&env_a);
    assert_clean(&env_b);
}

#[test]
fn overflow_cancel_and_request_zero() {
    let (a, env_a) = manual::<u64>();
    let ts = TestSubscriber::new();
    combine_latest(a.clone(), never::<u64>(), pair)
        .prefetch(1)
        .subscribe(ts.clone());
    // With demand, items without a partner are consumed as they come; the ring of 1 holds
    // one that arrives while the drain is busy, so a source that ignores its demand only
    // overflows when the drain cannot keep up: here it keeps up.
    a.send_next(1);
    a.send_next(2);
    assert!(!ts.is_terminated());
    ts.cancel();
    assert!(a.is_cancelled());
    assert_clean(&env_a);

    let (a, env_a) = manual::<u64>();
    let ts = TestSubscriber::with_request(0);
    combine_latest(a.clone(), never::<u64>(), pair)
        .prefetch(1)
        .subscribe(ts.clone());
    for i in 0..3 {
        a.send_next(i);
    }
    let error = ts
        .error()
        .expect("no demand: the ring of 1 and the head overflow");
    assert_eq!(error.kind(), ErrorKind::Overflow);
    assert!(error.message().contains("combine_latest"), "{error}");
    assert_clean(&env_a);

    request_zero_ends_with_rule_3_9(&combine_latest(just(1u64), range(0u64..10), |a, b| a + b));
}

#[test]
fn sources_on_other_threads() {
    let pool = PoolScheduler::builder().threads(2).name("combine").build();
    for _ in 0..20 {
        let a = range(0u64..2000).publish_on(pool.clone(), 8);
        let b = range(0u64..2000).publish_on(pool.clone(), 16);
        let ts = TestSubscriber::with_request(5).with_on_next_hook(|ts, _| ts.request(1));
        combine_latest(a, b, pair).subscribe(ts.clone());
        assert!(ts.await_terminal(PATIENCE));
        assert!(ts.is_complete());
        let rows = ts.values();
        // Every item makes at most one row, each side's values only move forward, and the
        // last row holds both last items.
        assert!(rows.len() <= 4000);
        assert!(
            rows.windows(2)
                .all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1)
        );
        assert_eq!(rows.last(), Some(&(1999, 1999)));
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}
