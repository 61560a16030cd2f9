//! `map_err`: the upstream's error replaced, everything else untouched.

use std::sync::{Arc, Mutex};

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    PATIENCE, assert_clean, manual, request_zero_ends_with_rule_3_9,
    requests_from_on_next_do_not_recurse,
};
use crate::try_map::through;

#[derive(Debug, PartialEq)]
struct Wrapped(String);

impl std::fmt::Display for Wrapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "wrapped: {}", self.0)
    }
}

impl std::error::Error for Wrapped {}

fn wrap(e: Error) -> Wrapped {
    Wrapped(e.message().to_owned())
}

#[test]
fn the_error_becomes_the_users_type() {
    StepVerifier::create(&error::<u64>(Error::timeout("late")).map_err(wrap))
        .expect_error_matches(|e| {
            e.kind() == ErrorKind::User
                && e.message() == "wrapped: late"
                && std::error::Error::source(e).and_then(|s| s.downcast_ref())
                    == Some(&Wrapped("late".into()))
        })
        .verify_timeout(PATIENCE)
        .unwrap();
}

#[test]
fn an_error_returned_as_error_keeps_the_kind_it_was_given() {
    let relabelled = error::<u64>(Error::msg("db down")).map_err(|e| {
        Error::new(
            ErrorKind::Rejected,
            format!("service unavailable: {}", e.message()),
        )
    });
    StepVerifier::create(&relabelled)
        .expect_error_matches(|e| {
            e.kind() == ErrorKind::Rejected && e.message() == "service unavailable: db down"
        })
        .verify_timeout(PATIENCE)
        .unwrap();
}

#[test]
fn items_requests_completion_and_cancel_are_untouched() {
    let (upstream, env) = manual::<u64>();
    let calls = Arc::new(Mutex::new(0));
    let count = calls.clone();
    let ts = TestSubscriber::with_request(2);
    upstream
        .clone()
        .map_err(move |e| {
            *count.lock().unwrap() += 1;
            e
        })
        .subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), 2);
    upstream.send_next(7);
    upstream.send_next(8);
    ts.request(3);
    assert_eq!(upstream.take_requests(), 3);
    upstream.send_completion();
    assert_eq!(ts.values(), [7, 8]);
    assert!(ts.is_complete());
    assert_eq!(*calls.lock().unwrap(), 0, "f runs only for an error");
    assert_clean(&env);

    let (upstream, env, ts) = through(UNBOUNDED, |up| up.map_err(wrap));
    assert_eq!(upstream.take_requests(), UNBOUNDED);
    upstream.send_next(1);
    ts.cancel();
    assert!(upstream.is_cancelled());
    assert!(!ts.is_terminated());
    assert_clean(&env);
}

#[test]
fn an_upstream_error_after_items_is_mapped() {
    let (upstream, env, ts) = through(5, |up| up.map_err(wrap));
    upstream.send_next(1);
    upstream.send_error(Error::msg("gone"));
    assert_eq!(ts.values(), [1]);
    assert_eq!(ts.error().unwrap().message(), "wrapped: gone");
    assert_clean(&env);
}

#[test]
fn request_zero_reaches_f_with_its_kind() {
    // The source reports rule 3.9; `map_err` maps it like any other error, and an `Error`
    // returned unchanged keeps the kind.
    request_zero_ends_with_rule_3_9(&range(0u64..10).map_err(|e| e));
    StepVerifier::create(&range(0u64..10).map_err(wrap))
        .initial_request(0)
        .then_request(0)
        .expect_error_matches(|e| e.message().contains("wrapped: rule 3.9"))
        .verify_timeout(PATIENCE)
        .unwrap();
}

#[test]
fn keeps_the_conditional_path_and_does_not_recurse() {
    // `filter` after `map_err` still gets exactly what it asks for.
    let ts = TestSubscriber::with_request(3);
    range(0u64..100)
        .map_err(wrap)
        .filter(|v| v % 10 == 0)
        .subscribe(ts.clone());
    assert_eq!(ts.values(), [0, 10, 20]);
    assert!(ts.violations().is_empty(), "{ts:?}");
    requests_from_on_next_do_not_recurse(&range(0u64..10_000).map_err(wrap));
}
