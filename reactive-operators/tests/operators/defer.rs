//! `defer`: a fresh publisher per subscriber.

use reactive_core::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use reactive_core::{BoxPublisher, Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, defer, error, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    PATIENCE, assert_clean, manual, request_zero_ends_with_rule_3_9,
    requests_from_on_next_do_not_recurse,
};

#[test]
fn calls_the_factory_once_per_subscriber_and_only_then() {
    let calls = Arc::new(AtomicU64::new(0));
    let count = calls.clone();
    let deferred = defer(move || {
        let n = count.fetch_add(1, Ordering::Relaxed);
        range(n * 10..n * 10 + 2)
    });
    assert_eq!(
        calls.load(Ordering::Relaxed),
        0,
        "nothing built before a subscribe"
    );
    for n in 0..3u64 {
        StepVerifier::create(&deferred)
            .expect_next_values([n * 10, n * 10 + 1])
            .expect_complete()
            .verify_timeout(PATIENCE)
            .unwrap();
    }
    assert_eq!(calls.load(Ordering::Relaxed), 3);
}

#[test]
fn requests_and_cancel_reach_the_built_publisher_unchanged() {
    let (upstream, env) = manual::<u64>();
    let inner = upstream.clone();
    let ts = TestSubscriber::with_request(3);
    defer(move || inner.clone()).subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), 3);
    upstream.send_next(1);
    ts.request(4);
    assert_eq!(upstream.take_requests(), 4);
    ts.request(UNBOUNDED);
    assert_eq!(upstream.take_requests(), UNBOUNDED);
    ts.cancel();
    assert!(upstream.is_cancelled());
    assert_eq!(ts.values(), [1]);
    assert!(!ts.is_terminated());
    assert_clean(&env);
}

#[test]
fn errors_and_completion_of_the_built_publisher_pass_through() {
    let (upstream, env) = manual::<u64>();
    let inner = upstream.clone();
    let ts = TestSubscriber::with_request(1);
    defer(move || inner.clone()).subscribe(ts.clone());
    let boom = Error::msg("boom");
    upstream.send_error(boom.clone());
    assert!(ts.error().unwrap().ptr_eq(&boom));
    assert_clean(&env);

    // A factory that picks the failing publisher when it cannot build the real one.
    let unavailable = defer(|| -> BoxPublisher<u64> {
        let connected = false;
        if connected {
            range(0u64..3).boxed()
        } else {
            error(Error::new(ErrorKind::Rejected, "no connection")).boxed()
        }
    });
    StepVerifier::create(&unavailable)
        .expect_error_kind(ErrorKind::Rejected)
        .verify_timeout(PATIENCE)
        .unwrap();
}

#[test]
fn request_zero_is_the_rule_3_9_error() {
    request_zero_ends_with_rule_3_9(&defer(|| range(0u64..10)));
}

#[test]
fn request_one_from_on_next_does_not_recurse() {
    requests_from_on_next_do_not_recurse(&defer(|| range(0u64..10_000)));
}

#[test]
fn a_panic_in_the_factory_reaches_the_subscriber_caller() {
    let failing = defer(|| -> reactive_operators::source::Range<u64> { panic!("factory failed") });
    let ts = TestSubscriber::<u64>::with_request(1);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        failing.subscribe(ts.clone())
    }));
    assert!(outcome.is_err());
    assert!(!ts.is_subscribed());
}
