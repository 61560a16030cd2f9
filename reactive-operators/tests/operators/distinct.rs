//! `distinct(max_keys)`, `distinct_until_changed()` and `distinct_until_changed_by_key(f)`.

use std::collections::HashSet;

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, from_iter, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    assert_clean, manual, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};
use crate::transforms_support::logged;

const ITEMS: [u64; 12] = [3, 3, 1, 4, 1, 5, 9, 2, 6, 5, 5, 3];

#[test]
fn distinct_keeps_first_occurrences_in_order() {
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    from_iter(ITEMS).distinct(100).subscribe(ts.clone());
    let mut seen = HashSet::new();
    let expected: Vec<u64> = ITEMS.into_iter().filter(|v| seen.insert(*v)).collect();
    assert_eq!(ts.values(), expected);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn distinct_set_is_per_subscription() {
    let p = from_iter(ITEMS).distinct(100);
    for _ in 0..2 {
        StepVerifier::create(&p)
            .expect_next_values([3, 1, 4, 5, 9, 2, 6])
            .expect_complete()
            .verify()
            .unwrap();
    }
}

#[test]
fn distinct_fails_when_the_set_is_full() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(10);
    upstream.clone().distinct(2).subscribe(ts.clone());
    upstream.send_next(1);
    upstream.send_next(2);
    upstream.send_next(1); // a repeat: still fine with the set full
    assert!(!ts.is_terminated());
    upstream.send_next(3);
    assert!(
        upstream.is_cancelled(),
        "the upstream is cancelled on overflow"
    );
    let e = ts.error().expect("overflow error");
    assert_eq!(e.kind(), ErrorKind::Overflow);
    assert!(e.message().contains("distinct"), "{e}");
    assert!(e.message().contains('2'), "{e}");
    upstream.send_next(4); // late: ignored
    assert_eq!(ts.values(), vec![1, 2]);
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);
}

#[test]
#[should_panic(expected = "max_keys")]
fn distinct_of_zero_keys_panics() {
    let _ = range(0u64..3).distinct(0);
}

#[test]
fn repeats_cost_no_request_on_the_conditional_path() {
    let (source, log) = logged(from_iter(ITEMS));
    let ts = TestSubscriber::<u64>::with_request(4);
    source.distinct(100).subscribe(ts.clone());
    assert_eq!(ts.values(), vec![3, 1, 4, 5]);
    assert_eq!(*log.lock(), vec![4]);

    let (source, log) = logged(from_iter(ITEMS));
    let ts = TestSubscriber::<u64>::with_request(3);
    source.distinct_until_changed().subscribe(ts.clone());
    assert_eq!(ts.values(), vec![3, 1, 4]);
    assert_eq!(*log.lock(), vec![3]);
}

#[test]
fn repeats_are_replaced_with_request_one_on_the_plain_path() {
    for until_changed in [false, true] {
        let (upstream, env) = manual::<u64>();
        let ts = TestSubscriber::<u64>::with_request(2);
        if until_changed {
            upstream
                .clone()
                .distinct_until_changed()
                .subscribe(ts.clone());
        } else {
            upstream.clone().distinct(10).subscribe(ts.clone());
        }
        assert_eq!(upstream.take_requests(), 2);
        upstream.send_next(1);
        upstream.send_next(1);
        upstream.send_next(1);
        assert_eq!(upstream.take_requests(), 2, "two repeats replaced");
        upstream.send_next(2);
        assert_eq!(ts.values(), vec![1, 2]);
        upstream.send_completion();
        assert!(ts.is_complete());
        assert_clean(&env);
    }
}

#[test]
fn distinct_until_changed_drops_consecutive_repeats_only() {
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    from_iter(ITEMS)
        .distinct_until_changed()
        .subscribe(ts.clone());
    let mut expected: Vec<u64> = ITEMS.to_vec();
    expected.dedup();
    assert_eq!(ts.values(), expected);
    assert!(ts.is_complete());
}

#[test]
fn distinct_until_changed_by_key_compares_keys() {
    let ts = TestSubscriber::<String>::with_request(UNBOUNDED);
    from_iter(["apple", "avocado", "banana", "blueberry", "apricot"])
        .map(str::to_owned)
        .distinct_until_changed_by_key(|s| s.chars().next())
        .subscribe(ts.clone());
    let mut expected = vec!["apple", "avocado", "banana", "blueberry", "apricot"];
    expected.dedup_by_key(|s| s.chars().next());
    assert_eq!(ts.values(), expected);
    assert!(ts.is_complete());
}

#[test]
fn errors_pass_through() {
    StepVerifier::create(&error::<u64>(Error::msg("boom")).distinct(4))
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
    StepVerifier::create(&error::<u64>(Error::msg("boom")).distinct_until_changed())
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
    StepVerifier::create(&error::<u64>(Error::msg("boom")).distinct_until_changed_by_key(|v| *v))
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
}

#[test]
fn request_zero_is_rule_3_9() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).distinct(100));
    request_zero_ends_with_rule_3_9(&range(0u64..10).distinct_until_changed());
    request_zero_ends_with_rule_3_9(&range(0u64..10).distinct_until_changed_by_key(|v| v / 2));
}

#[test]
fn cancel_mid_stream_drops_the_subscriber() {
    let ts = TestSubscriber::<u64>::with_request(2);
    range(0u64..100)
        .distinct(1_000)
        .subscribe(ts.tracked_clone());
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");
    let ts = TestSubscriber::<u64>::with_request(2);
    range(0u64..100)
        .distinct_until_changed()
        .subscribe(ts.tracked_clone());
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");
}

#[test]
fn request_from_on_next_stays_at_depth_one() {
    requests_from_on_next_do_not_recurse(&range(0u64..20_000).map(|v| v / 2).distinct(20_000));
    requests_from_on_next_do_not_recurse(
        &range(0u64..20_000).map(|v| v / 2).distinct_until_changed(),
    );
}
