//! `default_if_empty(value)` and `switch_if_empty(other)`.

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, empty, error, never, range};
use reactive_tck::harness::ManualPublisher;
use reactive_tck::{StepVerifier, TestEnvironment, TestSubscriber};

use crate::buffering_support::{a_second_subscription_is_cancelled_by, over_manual};
use crate::support::{
    assert_clean, manual, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};

#[test]
fn default_if_empty_passes_items_through_with_requests_unchanged() {
    let (upstream, env, ts) = over_manual(2, |up| up.default_if_empty(42));
    assert_eq!(upstream.take_requests(), 2);
    ts.request(3);
    assert_eq!(upstream.take_requests(), 3);
    upstream.send_next(1);
    upstream.send_next(2);
    upstream.send_completion();
    assert_eq!(ts.values(), [1, 2]);
    assert!(ts.is_complete());
    assert_clean(&env);
}

#[test]
fn the_default_waits_for_demand() {
    let (upstream, env, ts) = over_manual(0, |up| up.default_if_empty(42));
    upstream.send_completion();
    assert!(!ts.is_terminated(), "no demand: the default waits");
    ts.request(1);
    assert_eq!(ts.values(), [42]);
    assert!(ts.is_complete());
    ts.request(1);
    assert_eq!(
        upstream.take_requests(),
        0,
        "nothing to a finished upstream"
    );
    assert_clean(&env);

    // Demand already there: at once.
    StepVerifier::create(&empty::<u64>().default_if_empty(7))
        .initial_request(1)
        .expect_next(7)
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn default_if_empty_errors_cancel_and_rule_3_9() {
    StepVerifier::create(&error::<u64>(Error::msg("boom")).default_if_empty(1))
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
    let ts = TestSubscriber::<u64>::new();
    never::<u64>()
        .default_if_empty(1)
        .subscribe(ts.tracked_clone());
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");

    // While the default waits, this stage reports a request(0).
    let (upstream, env, ts) = over_manual(0, |up| up.default_if_empty(42));
    upstream.send_completion();
    ts.request(0);
    assert_eq!(
        ts.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
    assert!(ts.is_dropped());
    assert_clean(&env);

    // A cancel while the default waits: no signal, downstream dropped.
    let (upstream, env, ts) = over_manual(0, |up| up.default_if_empty(42));
    upstream.send_completion();
    ts.cancel();
    assert!(!ts.is_terminated());
    assert!(ts.is_dropped());
    assert!(!upstream.is_cancelled(), "the upstream had finished");
    assert_clean(&env);

    request_zero_ends_with_rule_3_9(&range(0u64..5).default_if_empty(1));
    requests_from_on_next_do_not_recurse(&range(0u64..10_000).default_if_empty(1));
    a_second_subscription_is_cancelled_by(|up| up.default_if_empty(1));
}

#[test]
fn default_if_empty_keeps_the_conditional_path() {
    let ts = TestSubscriber::<u64>::with_request(2);
    range(0u64..100)
        .default_if_empty(1)
        .filter(|v| v % 10 == 0)
        .subscribe(ts.clone());
    assert_eq!(ts.values(), [0, 10]);
    assert!(ts.violations().is_empty(), "{ts:?}");
}

/// `first.switch_if_empty(second)` over two manual publishers, subscribed by `ts`.
struct Switch {
    first: ManualPublisher<u64>,
    env1: TestEnvironment,
    second: ManualPublisher<u64>,
    env2: TestEnvironment,
    ts: TestSubscriber<u64>,
}

fn switch_between_manuals(initial_request: u64) -> Switch {
    let (first, env1) = manual::<u64>();
    let (second, env2) = manual::<u64>();
    let ts = TestSubscriber::with_request(initial_request);
    first
        .clone()
        .switch_if_empty(second.clone())
        .subscribe(ts.clone());
    Switch {
        first,
        env1,
        second,
        env2,
        ts,
    }
}

#[test]
fn switch_if_empty_moves_the_outstanding_demand_over_exactly() {
    let Switch {
        first,
        env1,
        second,
        env2,
        ts,
    } = switch_between_manuals(3);
    assert_eq!(first.take_requests(), 3);
    ts.request(2);
    assert_eq!(first.take_requests(), 2);
    first.send_completion();
    assert!(second.has_subscriber());
    assert_eq!(
        second.take_requests(),
        5,
        "everything requested, nothing delivered"
    );
    ts.request(1);
    assert_eq!(second.take_requests(), 1);
    assert_eq!(first.take_requests(), 0);
    second.send_next(7);
    second.send_completion();
    assert_eq!(ts.values(), [7]);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env1);
    assert_clean(&env2);
}

#[test]
fn switch_if_empty_without_demand_asks_other_for_nothing() {
    let Switch {
        first,
        env1,
        second,
        env2,
        ts,
    } = switch_between_manuals(0);
    first.send_completion();
    assert!(second.has_subscriber());
    assert_eq!(second.take_requests(), 0);
    ts.request(UNBOUNDED);
    assert_eq!(second.take_requests(), UNBOUNDED);
    assert_clean(&env1);
    assert_clean(&env2);
}

#[test]
fn switch_if_empty_does_not_switch_after_an_item_or_an_error() {
    let Switch {
        first,
        env1,
        second,
        env2,
        ts,
    } = switch_between_manuals(UNBOUNDED);
    first.send_next(1);
    first.send_completion();
    assert_eq!(ts.values(), [1]);
    assert!(ts.is_complete());
    assert!(!second.has_subscriber());
    assert_clean(&env1);
    assert_clean(&env2);

    StepVerifier::create(&error::<u64>(Error::msg("boom")).switch_if_empty(range(0u64..3)))
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
    StepVerifier::create(&empty::<u64>().switch_if_empty(error::<u64>(Error::msg("b"))))
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
}

#[test]
fn switch_if_empty_cancel_reaches_the_current_publisher() {
    let Switch {
        first,
        env1,
        second,
        env2,
        ts,
    } = switch_between_manuals(1);
    first.send_completion();
    ts.cancel();
    assert!(second.is_cancelled());
    assert!(!first.is_cancelled(), "the first had finished");
    assert_clean(&env1);
    assert_clean(&env2);

    let ts = TestSubscriber::<u64>::new();
    never::<u64>()
        .switch_if_empty(range(0u64..3))
        .subscribe(ts.tracked_clone());
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");
}

#[test]
fn switch_if_empty_rule_3_9_and_recursion() {
    request_zero_ends_with_rule_3_9(&range(0u64..5).switch_if_empty(range(0u64..3)));
    request_zero_ends_with_rule_3_9(&empty::<u64>().switch_if_empty(range(0u64..3)));
    requests_from_on_next_do_not_recurse(&empty::<u64>().switch_if_empty(range(0u64..10_000)));
    requests_from_on_next_do_not_recurse(&range(0u64..10_000).switch_if_empty(range(0u64..3)));
    a_second_subscription_is_cancelled_by(|up| up.switch_if_empty(range(0u64..3)));
}
