//! `start_with(items)`: the prefix, then the source, with the demand split exactly.

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::buffering_support::{a_second_subscription_is_cancelled_by, over_manual};
use crate::support::{
    assert_clean, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};

#[test]
fn the_prefix_then_the_source_like_chain() {
    let ts = TestSubscriber::<u64>::new();
    range(3u64..6).start_with(vec![1, 2]).subscribe(ts.clone());
    assert_eq!(
        ts.values(),
        [1, 2].iter().copied().chain(3..6).collect::<Vec<_>>()
    );
    assert!(ts.is_complete());
    // Arrays, ranges and an empty prefix.
    let ts = TestSubscriber::<u64>::new();
    range(5u64..7)
        .start_with([0, 1])
        .start_with(10..12)
        .subscribe(ts.clone());
    assert_eq!(ts.values(), [10, 11, 0, 1, 5, 6]);
    let ts = TestSubscriber::<u64>::new();
    range(5u64..7).start_with(Vec::new()).subscribe(ts.clone());
    assert_eq!(ts.values(), [5, 6]);
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn the_source_is_asked_for_what_the_prefix_did_not_deliver() {
    let (upstream, env, ts) = over_manual(5, |up| up.start_with(vec![1, 2]));
    assert_eq!(ts.values(), [1, 2]);
    assert!(
        upstream.has_subscriber(),
        "subscribed right after the last prefix item"
    );
    assert_eq!(
        upstream.take_requests(),
        3,
        "5 requested, 2 delivered by the prefix"
    );
    ts.request(4);
    assert_eq!(
        upstream.take_requests(),
        4,
        "later requests go up unchanged"
    );
    upstream.send_next(3);
    upstream.send_completion();
    assert_eq!(ts.values(), [1, 2, 3]);
    assert!(ts.is_complete());
    assert_clean(&env);
}

#[test]
fn nothing_is_requested_upstream_while_the_prefix_uses_the_demand() {
    let (upstream, env, ts) = over_manual(1, |up| up.start_with(vec![1, 2, 3]));
    assert_eq!(ts.values(), [1]);
    assert!(!upstream.has_subscriber(), "the prefix is not done");
    ts.request(2);
    assert_eq!(ts.values(), [1, 2, 3]);
    assert!(upstream.has_subscriber());
    assert_eq!(
        upstream.take_requests(),
        0,
        "the prefix used all the demand"
    );
    ts.request(1);
    assert_eq!(upstream.take_requests(), 1);
    ts.request(UNBOUNDED);
    assert_eq!(upstream.take_requests(), UNBOUNDED);
    assert_clean(&env);
}

#[test]
fn demand_is_exact_in_several_request_patterns() {
    for pattern in [vec![1u64; 7], vec![2, 5], vec![4, 1, 2], vec![7]] {
        let ts = TestSubscriber::<u64>::with_request(0);
        range(10u64..14)
            .start_with(vec![0, 1, 2])
            .subscribe(ts.clone());
        let mut total = 0;
        for k in pattern {
            ts.request(k);
            total += k;
            assert_eq!(ts.value_count(), total);
        }
        assert_eq!(ts.values(), [0, 1, 2, 10, 11, 12, 13]);
        assert!(ts.is_complete());
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}

#[test]
fn a_rejected_prefix_item_costs_no_demand() {
    let ts = TestSubscriber::<u64>::with_request(2);
    range(10u64..20)
        .start_with(vec![1, 2, 3, 4])
        .filter(|v| v % 2 == 0)
        .subscribe(ts.clone());
    assert_eq!(ts.values(), [2, 4]);
    ts.request(1);
    assert_eq!(ts.values(), [2, 4, 10]);
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn cancel_during_the_prefix_never_subscribes_the_source() {
    let (upstream, env, ts) = over_manual(1, |up| up.start_with(vec![1, 2]));
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");
    assert!(!upstream.has_subscriber());
    assert_clean(&env);

    let (upstream, env, ts) = over_manual(3, |up| up.start_with(vec![1]));
    upstream.send_next(2);
    ts.cancel();
    assert!(upstream.is_cancelled(), "the cancel reaches the source");
    assert_clean(&env);
}

#[test]
fn the_source_error_passes_through() {
    let (upstream, env, ts) = over_manual(UNBOUNDED, |up| up.start_with(vec![1]));
    upstream.send_error(Error::msg("boom"));
    assert_eq!(ts.values(), [1]);
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
    assert_clean(&env);
}

#[test]
fn request_zero_is_rule_3_9_during_and_after_the_prefix() {
    request_zero_ends_with_rule_3_9(&range(0u64..5).start_with(vec![9]));
    StepVerifier::create(&range(0u64..5).start_with(vec![9]))
        .initial_request(2)
        .expect_next_values([9, 0])
        .then_request(0)
        .expect_error_kind(ErrorKind::InvalidRequest)
        .verify()
        .unwrap();
}

#[test]
fn a_request_from_on_next_does_not_recurse() {
    requests_from_on_next_do_not_recurse(&range(5_000u64..10_000).start_with(0..5_000u64));
}

#[test]
fn a_second_subscription_of_the_source_is_cancelled() {
    a_second_subscription_is_cancelled_by(|up| up.start_with(vec![1]));
}
