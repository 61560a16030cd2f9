//! `enumerate()`: `(usize, item)`, as `Iterator::enumerate`.

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{assert_clean, manual, request_zero_ends_with_rule_3_9};
use crate::transforms_support::logged;

#[test]
fn matches_iterator_enumerate() {
    let ts = TestSubscriber::<(usize, char)>::with_request(UNBOUNDED);
    range(0u8..5)
        .map(|v| (b'a' + v) as char)
        .enumerate()
        .subscribe(ts.clone());
    let expected: Vec<(usize, char)> = "abcde".chars().enumerate().collect();
    assert_eq!(ts.values(), expected);
    assert!(ts.is_complete());
}

#[test]
fn the_index_counts_items_seen_per_subscription() {
    // A filter below sees the indices of the rejected items as gaps, as with `Iterator`.
    let evens = range(10u64..16).enumerate().filter(|(_, v)| v % 2 == 0);
    for _ in 0..2 {
        StepVerifier::create(&evens)
            .expect_next_values([(0, 10), (2, 12), (4, 14)])
            .expect_complete()
            .verify()
            .unwrap();
    }
}

#[test]
fn demand_passes_through_and_keeps_the_conditional_path() {
    let (source, log) = logged(range(0u64..100));
    let ts = TestSubscriber::<(usize, u64)>::with_request(2);
    source
        .enumerate()
        .filter(|(i, _)| i % 10 == 0)
        .subscribe(ts.clone());
    ts.request(1);
    assert_eq!(ts.values(), vec![(0, 0), (10, 10), (20, 20)]);
    assert_eq!(*log.lock(), vec![2, 1]);
}

#[test]
fn errors_and_cancel() {
    StepVerifier::create(&error::<u64>(Error::msg("boom")).enumerate())
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();

    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<(usize, u64)>::with_request(3);
    upstream.clone().enumerate().subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), 3);
    upstream.send_next(7);
    ts.cancel();
    assert!(upstream.is_cancelled());
    assert_eq!(ts.values(), vec![(0, 7)]);
    assert_clean(&env);
}

#[test]
fn request_zero_is_rule_3_9() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).enumerate().map(|(i, _)| i as u64));
}
