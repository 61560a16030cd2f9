//! `try_filter` and `try_filter_map`: a filter whose closure may fail.

use std::num::ParseIntError;
use std::sync::{Arc, Mutex};

use reactive_core::{Error, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, from_iter, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    PATIENCE, assert_clean, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};
use crate::try_map::through;

/// Keeps multiples of 3; fails on 50 and above.
fn thirds(v: &u64) -> Result<bool, Error> {
    if *v < 50 {
        Ok(v % 3 == 0)
    } else {
        Err(Error::msg(format!("{v} is out of range")))
    }
}

/// Halves even numbers, drops odd ones; fails on 50 and above.
fn halve_evens(v: u64) -> Result<Option<u64>, Error> {
    if v < 50 {
        Ok((v % 2 == 0).then_some(v / 2))
    } else {
        Err(Error::msg(format!("{v} is out of range")))
    }
}

#[test]
fn try_filter_keeps_the_matching_items() {
    StepVerifier::create(&range(0u64..10).try_filter(thirds))
        .expect_next_values([0, 3, 6, 9])
        .expect_complete()
        .verify_timeout(PATIENCE)
        .unwrap();
}

#[test]
fn try_filter_rejections_cost_no_demand_on_the_conditional_path() {
    let ts = TestSubscriber::with_request(3);
    range(0u64..40).try_filter(thirds).subscribe(ts.clone());
    assert_eq!(
        ts.values(),
        [0, 3, 6],
        "exactly the 3 requested, rejected ones not counted"
    );
    ts.request(2);
    assert_eq!(ts.values(), [0, 3, 6, 9, 12]);
    ts.request(UNBOUNDED);
    assert_eq!(ts.value_count(), 14);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn try_filter_replaces_rejections_with_request_one_on_the_plain_path() {
    let (upstream, env, ts) = through(2, |up| up.try_filter(thirds));
    assert_eq!(upstream.take_requests(), 2);
    upstream.send_next(0);
    assert_eq!(upstream.take_requests(), 0);
    upstream.send_next(1);
    upstream.send_next(2);
    assert_eq!(
        upstream.take_requests(),
        2,
        "one request(1) per rejected item"
    );
    upstream.send_next(3);
    assert_eq!(upstream.take_requests(), 0);
    ts.request(4);
    assert_eq!(
        upstream.take_requests(),
        4,
        "the downstream's requests go up unchanged"
    );
    upstream.send_completion();
    assert_eq!(ts.values(), [0, 3]);
    assert!(ts.is_complete());
    assert_clean(&env);
}

#[test]
fn try_filter_err_cancels_and_drops_later_signals() {
    let (upstream, env, ts) = through(10, |up| up.try_filter(thirds));
    upstream.send_next(3);
    upstream.send_next(70);
    assert!(upstream.is_cancelled());
    upstream.send_next(6);
    upstream.send_completion();
    assert_eq!(ts.values(), [3]);
    assert_eq!(ts.error().unwrap().message(), "70 is out of range");
    assert!(!ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);
}

#[test]
fn try_filter_passes_upstream_errors_and_cancel() {
    let (upstream, env, ts) = through(10, |up| up.try_filter(thirds));
    let boom = Error::timeout("upstream");
    upstream.send_error(boom.clone());
    assert!(ts.error().unwrap().ptr_eq(&boom));
    assert_clean(&env);

    let (upstream, env, ts) = through(10, |up| up.try_filter(thirds));
    upstream.send_next(3);
    ts.cancel();
    assert!(upstream.is_cancelled());
    assert!(!ts.is_terminated());
    assert_clean(&env);
}

#[test]
fn try_filter_continue_skips_the_failed_items() {
    let errors = Arc::new(Mutex::new(Vec::new()));
    let log = errors.clone();
    let even = from_iter(["2", "x", "3", "8", "y"])
        .try_filter(|s| s.parse::<u8>().map(|v| v % 2 == 0))
        .on_error_continue(move |e: ParseIntError| log.lock().unwrap().push(e.to_string()));
    StepVerifier::create(&even)
        .initial_request(1)
        .expect_next("2")
        .then_request(1)
        .expect_next("8")
        .then_request(1)
        .expect_complete()
        .verify_timeout(PATIENCE)
        .unwrap();
    assert_eq!(errors.lock().unwrap().len(), 2);
}

#[test]
fn try_filter_continue_replaces_skipped_items_on_the_plain_path() {
    let (upstream, env, ts) = through(1, |up| up.try_filter(thirds).on_error_continue(|_| {}));
    assert_eq!(upstream.take_requests(), 1);
    upstream.send_next(60); // fails: skipped
    assert_eq!(upstream.take_requests(), 1);
    upstream.send_next(4); // rejected
    assert_eq!(upstream.take_requests(), 1);
    upstream.send_next(9);
    assert_eq!(upstream.take_requests(), 0);
    assert_eq!(ts.values(), [9]);
    assert!(!upstream.is_cancelled());
    assert_clean(&env);
}

#[test]
fn try_filter_request_zero_and_recursion() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).try_filter(thirds));
    requests_from_on_next_do_not_recurse(&range(0u64..10_000).try_filter(|_| Ok::<_, Error>(true)));
}

#[test]
fn try_filter_map_maps_and_drops() {
    StepVerifier::create(&range(0u64..10).try_filter_map(halve_evens))
        .expect_next_values([0, 1, 2, 3, 4])
        .expect_complete()
        .verify_timeout(PATIENCE)
        .unwrap();
}

#[test]
fn try_filter_map_drops_cost_no_demand_on_the_conditional_path() {
    let ts = TestSubscriber::with_request(2);
    range(0u64..20)
        .try_filter_map(halve_evens)
        .subscribe(ts.clone());
    assert_eq!(ts.values(), [0, 1]);
    assert!(!ts.is_terminated());
    ts.request(UNBOUNDED);
    assert_eq!(ts.value_count(), 10);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn try_filter_map_replaces_drops_with_request_one_on_the_plain_path() {
    let (upstream, env, ts) = through(3, |up| up.try_filter_map(halve_evens));
    assert_eq!(upstream.take_requests(), 3);
    for v in [1, 3, 5] {
        upstream.send_next(v);
    }
    assert_eq!(upstream.take_requests(), 3);
    upstream.send_next(8);
    assert_eq!(upstream.take_requests(), 0);
    upstream.send_completion();
    assert_eq!(ts.values(), [4]);
    assert!(ts.is_complete());
    assert_clean(&env);
}

#[test]
fn try_filter_map_err_cancels_and_drops_later_signals() {
    let (upstream, env, ts) = through(10, |up| up.try_filter_map(halve_evens));
    upstream.send_next(2);
    upstream.send_next(99);
    assert!(upstream.is_cancelled());
    upstream.send_next(4);
    upstream.send_error(Error::msg("late"));
    assert_eq!(ts.values(), [1]);
    assert_eq!(ts.error().unwrap().message(), "99 is out of range");
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);
}

#[test]
fn try_filter_map_passes_completion_errors_and_cancel() {
    let (upstream, env, ts) = through(10, |up| up.try_filter_map(halve_evens));
    upstream.send_next(2);
    upstream.send_completion();
    assert_eq!(ts.values(), [1]);
    assert!(ts.is_complete());
    assert_clean(&env);

    StepVerifier::create(&range(0u64..10).try_filter_map(halve_evens))
        .initial_request(2)
        .expect_next_values([0, 1])
        .then_cancel()
        .verify_timeout(PATIENCE)
        .unwrap();
}

#[test]
fn try_filter_map_continue_skips_the_failed_items() {
    let skipped = Arc::new(Mutex::new(Vec::new()));
    let log = skipped.clone();
    let ts = TestSubscriber::with_request(UNBOUNDED);
    range(45u64..56)
        .try_filter_map(halve_evens)
        .on_error_continue(move |e: Error| log.lock().unwrap().push(e.message().to_owned()))
        .subscribe(ts.clone());
    assert_eq!(ts.values(), [23, 24]);
    assert!(ts.is_complete());
    assert_eq!(skipped.lock().unwrap().len(), 6);
}

#[test]
fn try_filter_map_request_zero_and_recursion() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).try_filter_map(halve_evens));
    requests_from_on_next_do_not_recurse(
        &range(0u64..10_000).try_filter_map(|v| Ok::<_, Error>(Some(v))),
    );
}
