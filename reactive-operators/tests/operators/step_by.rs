//! `step_by(step)`: items 0, step, 2 × step, …, as `Iterator::step_by`.

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    assert_clean, manual, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};
use crate::transforms_support::logged;

#[test]
fn matches_iterator_step_by() {
    for step in [1usize, 2, 3, 7, 10, 11, 100] {
        let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
        range(0u64..10).step_by(step).subscribe(ts.clone());
        let expected: Vec<u64> = (0u64..10).step_by(step).collect();
        assert_eq!(ts.values(), expected, "step_by({step})");
        assert!(ts.is_complete());
    }
}

#[test]
#[should_panic(expected = "step")]
fn a_step_of_zero_panics() {
    let _ = range(0u64..10).step_by(0);
}

#[test]
fn dropped_items_cost_no_request_on_the_conditional_path() {
    let (source, log) = logged(range(0u64..100));
    let ts = TestSubscriber::<u64>::with_request(3);
    source.step_by(5).subscribe(ts.clone());
    assert_eq!(ts.values(), vec![0, 5, 10]);
    assert_eq!(*log.lock(), vec![3]);
}

#[test]
fn dropped_items_are_replaced_with_request_one_on_the_plain_path() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(2);
    upstream.clone().step_by(3).subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), 2);
    for i in 0..4 {
        upstream.send_next(i);
    }
    assert_eq!(upstream.take_requests(), 2, "items 1 and 2 replaced");
    assert_eq!(ts.values(), vec![0, 3]);
    upstream.send_completion();
    assert!(ts.is_complete());
    assert_clean(&env);
}

#[test]
fn errors_and_cancel() {
    StepVerifier::create(&error::<u64>(Error::msg("boom")).step_by(2))
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
    let ts = TestSubscriber::<u64>::with_request(2);
    range(0u64..100).step_by(2).subscribe(ts.tracked_clone());
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");
    assert_eq!(ts.values(), vec![0, 2]);
}

#[test]
fn request_zero_is_rule_3_9() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).step_by(2));
}

#[test]
fn request_from_on_next_stays_at_depth_one() {
    requests_from_on_next_do_not_recurse(&range(0u64..30_000).step_by(3));
}
