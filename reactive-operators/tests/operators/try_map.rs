//! `try_map`, and what every fallible operator shares (the failure cancels the upstream, later
//! upstream signals are dropped, `on_error_continue` replaces a skipped item with demand).

use std::num::ParseIntError;
use std::sync::{Arc, Mutex};

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, from_iter, range};
use reactive_tck::harness::ManualPublisher;
use reactive_tck::{StepVerifier, TestEnvironment, TestSubscriber};

use crate::support::{
    PATIENCE, assert_clean, manual, request_zero_ends_with_rule_3_9,
    requests_from_on_next_do_not_recurse,
};

/// `Ok(v)` below 100, `Err("v")` parse error otherwise (a `ParseIntError`, from a bad parse).
fn below_100(v: u64) -> Result<u64, ParseIntError> {
    if v < 100 {
        Ok(v * 2)
    } else {
        "not a number".parse::<u64>()
    }
}

/// A manual upstream behind `operator(upstream)`, subscribed by a `TestSubscriber` that
/// requested `initial` (nothing for 0); with the upstream's environment. Shared by the tests
/// of the fallible operators.
pub(crate) fn through<P>(
    initial: u64,
    operator: impl FnOnce(ManualPublisher<u64>) -> P,
) -> (
    ManualPublisher<u64>,
    TestEnvironment,
    TestSubscriber<P::Item>,
)
where
    P: Publisher,
    P::Item: Send + 'static,
{
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::with_request(initial);
    operator(upstream.clone()).subscribe(ts.clone());
    (upstream, env, ts)
}

#[test]
fn emits_the_ok_values_in_order_then_completes() {
    StepVerifier::create(&range(0u64..5).try_map(below_100))
        .expect_next_values([0, 2, 4, 6, 8])
        .expect_complete()
        .verify_timeout(PATIENCE)
        .unwrap();
}

#[test]
fn requests_go_upstream_unchanged() {
    let (upstream, env, ts) = through(3, |up| up.try_map(below_100));
    assert_eq!(upstream.take_requests(), 3);
    for v in 0..3 {
        upstream.send_next(v);
    }
    assert_eq!(
        upstream.take_requests(),
        0,
        "no request of its own per item"
    );
    ts.request(2);
    ts.request(5);
    assert_eq!(upstream.take_requests(), 7);
    ts.request(UNBOUNDED);
    assert_eq!(upstream.take_requests(), UNBOUNDED);
    upstream.send_completion();
    assert_eq!(ts.values(), [0, 2, 4]);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);
}

#[test]
fn an_err_cancels_the_upstream_and_ends_with_the_users_error() {
    let (upstream, env, ts) = through(10, |up| up.try_map(below_100));
    upstream.send_next(1);
    upstream.send_next(100);
    assert!(upstream.is_cancelled(), "the failure cancels the upstream");
    let error = ts.error().expect("on_error");
    assert_eq!(error.kind(), ErrorKind::User);
    assert_eq!(error.message(), "invalid digit found in string");
    let source = std::error::Error::source(&error).expect("the user's error is kept");
    assert_eq!(
        source.downcast_ref::<ParseIntError>(),
        "x".parse::<u64>().err().as_ref()
    );
    // An asynchronous upstream may still send a few signals after the cancel: all dropped.
    upstream.send_next(2);
    upstream.send_error(Error::msg("late"));
    assert_eq!(ts.values(), [2]);
    assert_eq!(
        ts.error().unwrap().message(),
        "invalid digit found in string"
    );
    assert!(ts.violations().is_empty(), "one terminal signal: {ts:?}");
    assert_clean(&env);
}

#[test]
fn a_completion_after_the_failure_is_dropped() {
    let (upstream, env, ts) = through(10, |up| up.try_map(below_100));
    upstream.send_next(500);
    upstream.send_next(1);
    upstream.send_completion();
    assert_eq!(ts.value_count(), 0);
    assert!(!ts.is_complete());
    assert_eq!(ts.error().unwrap().kind(), ErrorKind::User);
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);
}

#[test]
fn an_err_on_the_conditional_path_stops_a_synchronous_source() {
    let calls = Arc::new(Mutex::new(0u64));
    let seen = calls.clone();
    let failing = range(0u64..1_000).try_map(move |v| {
        *seen.lock().unwrap() += 1;
        below_100(v + 95)
    });
    StepVerifier::create(&failing)
        .expect_next_values([190, 192, 194, 196, 198])
        .expect_error_kind(ErrorKind::User)
        .verify_timeout(PATIENCE)
        .unwrap();
    assert_eq!(
        *calls.lock().unwrap(),
        6,
        "the source stops at the failed item"
    );
}

#[test]
fn an_error_of_type_error_keeps_its_kind_and_identity() {
    let timeout = Error::timeout("no answer");
    let expected = timeout.clone();
    let failing =
        range(0u64..10).try_map(move |v| if v < 2 { Ok(v) } else { Err(timeout.clone()) });
    StepVerifier::create(&failing)
        .expect_next_values([0, 1])
        .expect_error_matches(move |e| e.kind() == ErrorKind::Timeout && e.ptr_eq(&expected))
        .verify_timeout(PATIENCE)
        .unwrap();
}

#[test]
fn upstream_errors_and_completion_pass_through() {
    let (upstream, env, ts) = through(1, |up| up.try_map(below_100));
    upstream.send_next(4);
    let boom = Error::msg("boom");
    upstream.send_error(boom.clone());
    assert_eq!(ts.values(), [8]);
    assert!(
        ts.error().unwrap().ptr_eq(&boom),
        "the upstream's error, untouched"
    );
    assert_clean(&env);

    StepVerifier::create(&range(0u64..0).try_map(below_100))
        .expect_complete()
        .verify_timeout(PATIENCE)
        .unwrap();
}

#[test]
fn cancel_mid_stream_reaches_the_upstream() {
    let (upstream, env, ts) = through(5, |up| up.try_map(below_100));
    upstream.send_next(1);
    ts.cancel();
    assert!(upstream.is_cancelled());
    assert_eq!(ts.values(), [2]);
    assert!(!ts.is_terminated());
    assert_clean(&env);

    // Over a synchronous source: exactly the items before the cancel.
    let ts = TestSubscriber::with_request(UNBOUNDED).with_on_next_hook(|ts, n| {
        if n == 3 {
            ts.cancel();
        }
    });
    range(0u64..1_000).try_map(below_100).subscribe(ts.clone());
    assert_eq!(ts.values(), [0, 2, 4]);
    assert!(!ts.is_terminated());
}

#[test]
fn request_zero_is_the_rule_3_9_error() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).try_map(below_100));
}

#[test]
fn request_one_from_on_next_does_not_recurse() {
    requests_from_on_next_do_not_recurse(&range(0u64..10_000).try_map(Ok::<u64, Error>));
}

#[test]
fn a_panic_in_the_closure_reaches_the_caller() {
    let panicking = range(0u64..10).try_map(|v| -> Result<u64, Error> {
        assert!(v < 3, "closure panicked at {v}");
        Ok(v)
    });
    let ts = TestSubscriber::with_request(0);
    panicking.subscribe(ts.clone());
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ts.request(10)));
    assert!(outcome.is_err(), "the panic propagates to the requester");
    assert_eq!(ts.values(), [0, 1, 2]);
    assert!(!ts.is_terminated(), "no signal after a panic");
}

// ----- on_error_continue -----

#[test]
fn continue_skips_failed_items_and_hands_the_errors_to_the_callback() {
    let errors = Arc::new(Mutex::new(Vec::new()));
    let log = errors.clone();
    let parsed = from_iter(["1", "x", "3", "", "5"])
        .try_map(|s| s.parse::<u32>())
        .on_error_continue(move |e: ParseIntError| log.lock().unwrap().push(e.to_string()));
    StepVerifier::create(&parsed)
        .expect_next_values([1, 3, 5])
        .expect_complete()
        .verify_timeout(PATIENCE)
        .unwrap();
    assert_eq!(
        *errors.lock().unwrap(),
        [
            "invalid digit found in string",
            "cannot parse integer from empty string"
        ]
    );
}

#[test]
fn continue_replaces_each_skipped_item_with_request_one_on_the_plain_path() {
    let (upstream, env) = manual::<u64>();
    let skipped = Arc::new(Mutex::new(0));
    let count = skipped.clone();
    let ts = TestSubscriber::with_request(2);
    upstream
        .clone()
        .try_map(below_100)
        .on_error_continue(move |_| *count.lock().unwrap() += 1)
        .subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), 2);
    upstream.send_next(1);
    assert_eq!(
        upstream.take_requests(),
        0,
        "a delivered item needs no replacement"
    );
    upstream.send_next(200);
    assert_eq!(upstream.take_requests(), 1, "a skipped item is replaced");
    upstream.send_next(300);
    assert_eq!(upstream.take_requests(), 1);
    upstream.send_next(3);
    assert_eq!(upstream.take_requests(), 0);
    assert!(!upstream.is_cancelled(), "the stream goes on");
    upstream.send_completion();
    assert_eq!(ts.values(), [2, 6]);
    assert!(ts.is_complete());
    assert_eq!(*skipped.lock().unwrap(), 2);
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);
}

#[test]
fn continue_costs_no_demand_on_the_conditional_path() {
    // Every odd item fails. If a skipped item counted against the demand of 3, fewer than 3
    // items would arrive; if it were replaced with a request as well, more would (and the
    // TestSubscriber would record the excess as a violation).
    let odd_fails = |v: u64| {
        if v % 2 == 0 {
            Ok(v)
        } else {
            Err(Error::msg("odd"))
        }
    };
    let ts = TestSubscriber::with_request(3);
    range(0u64..100)
        .try_map(odd_fails)
        .on_error_continue(|_| {})
        .subscribe(ts.clone());
    assert_eq!(ts.values(), [0, 2, 4]);
    assert!(!ts.is_terminated());
    ts.request(UNBOUNDED);
    assert_eq!(ts.value_count(), 50);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn continue_leaves_upstream_errors_alone() {
    let (upstream, env, ts) = through(5, |up| up.try_map(below_100).on_error_continue(|_| {}));
    upstream.send_next(150);
    upstream.send_error(Error::timeout("upstream"));
    assert_eq!(ts.error().unwrap().kind(), ErrorKind::Timeout);
    assert_clean(&env);
}

#[test]
fn continue_with_request_zero_is_the_rule_3_9_error() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).try_map(below_100).on_error_continue(|_| {}));
}

/// A subscription that only records whether it was cancelled.
struct Recorded(Arc<Mutex<Vec<&'static str>>>);

impl reactive_core::Subscription for Recorded {
    fn request(&self, _: u64) {
        self.0.lock().unwrap().push("request");
    }
    fn cancel(&self) {
        self.0.lock().unwrap().push("cancel");
    }
}

#[test]
fn a_second_subscription_is_cancelled_not_adopted() {
    let (upstream, env, ts) = through(1, |up| up.try_map(below_100).on_error_continue(|_| {}));
    let log = Arc::new(Mutex::new(Vec::new()));
    let second: reactive_core::SubscriptionRef = Arc::new(Recorded(log.clone()));
    upstream.with_subscriber("second on_subscribe", |s| s.on_subscribe(second));
    assert_eq!(*log.lock().unwrap(), ["cancel"], "rule 2.5");
    // A skipped item is still replaced on the first subscription.
    upstream.send_next(500);
    assert_eq!(
        upstream.take_requests(),
        2,
        "the initial 1, then the replacement"
    );
    assert_eq!(
        *log.lock().unwrap(),
        ["cancel"],
        "nothing asked of the second"
    );
    assert!(
        ts.violations().is_empty(),
        "one on_subscribe downstream: {ts:?}"
    );
    assert_clean(&env);
}
