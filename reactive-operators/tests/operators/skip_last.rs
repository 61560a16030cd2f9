//! `skip_last(n)`: every item but the last `n`, each delayed by `n` items; the downstream's
//! requests plus `n` once upstream.

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::buffering_support::{a_second_subscription_is_cancelled_by, over_manual};
use crate::support::{
    assert_clean, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};

#[test]
fn drops_the_last_n_like_the_iterator() {
    for (len, n) in [(10u64, 3usize), (3, 3), (2, 5), (0, 1), (7, 0), (1000, 999)] {
        let ts = TestSubscriber::<u64>::new();
        range(0..len).skip_last(n).subscribe(ts.clone());
        let keep = (len as usize).saturating_sub(n);
        let expected: Vec<u64> = (0..len).take(keep).collect();
        assert_eq!(ts.values(), expected, "len {len}, n {n}");
        assert!(ts.is_complete());
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}

#[test]
fn requests_n_once_on_top_of_the_downstream_requests() {
    let (upstream, env, ts) = over_manual(0, |up| up.skip_last(3));
    assert_eq!(upstream.take_requests(), 3, "n upfront, nothing else yet");
    ts.request(2);
    assert_eq!(upstream.take_requests(), 2);
    ts.request(1);
    ts.request(1);
    assert_eq!(upstream.take_requests(), 2);
    ts.request(UNBOUNDED);
    assert_eq!(upstream.take_requests(), UNBOUNDED);
    assert_clean(&env);

    // A request made in on_subscribe goes up first, then the n.
    let (upstream, env, _ts) = over_manual(2, |up| up.skip_last(3));
    assert_eq!(upstream.take_requests(), 5);
    assert_clean(&env);
}

#[test]
fn each_item_waits_for_n_more() {
    let (upstream, env, ts) = over_manual(5, |up| up.skip_last(2));
    upstream.send_next(10);
    upstream.send_next(11);
    assert_eq!(ts.value_count(), 0, "both may be among the last two");
    upstream.send_next(12);
    assert_eq!(ts.values(), [10]);
    upstream.send_next(13);
    assert_eq!(ts.values(), [10, 11]);
    upstream.send_completion();
    assert_eq!(ts.values(), [10, 11], "12 and 13 were the last two");
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);
}

#[test]
fn skip_last_zero_is_pass_through() {
    let (upstream, env, ts) = over_manual(0, |up| up.skip_last(0));
    assert_eq!(upstream.take_requests(), 0, "no request(0) upstream");
    ts.request(4);
    assert_eq!(upstream.take_requests(), 4);
    upstream.send_next(1);
    assert_eq!(ts.values(), [1]);
    assert_clean(&env);
}

#[test]
fn demand_is_exact_in_several_request_patterns() {
    for pattern in [vec![1u64; 8], vec![3, 5], vec![2, 1, 4, 1]] {
        let ts = TestSubscriber::<u64>::with_request(0);
        range(0u64..20).skip_last(4).subscribe(ts.clone());
        let mut total = 0;
        for k in pattern {
            ts.request(k);
            total += k;
            assert_eq!(ts.value_count(), total, "exactly what was requested");
        }
        assert_eq!(ts.values(), (0..8).collect::<Vec<_>>());
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}

#[test]
fn keeps_the_conditional_path() {
    // range delivers through try_on_next: a rejected item costs no demand.
    let ts = TestSubscriber::<u64>::with_request(3);
    range(0u64..100)
        .skip_last(5)
        .filter(|v| v % 10 == 0)
        .subscribe(ts.clone());
    assert_eq!(ts.values(), [0, 10, 20]);
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn errors_and_cancel_pass_through() {
    let (upstream, env, ts) = over_manual(5, |up| up.skip_last(1));
    upstream.send_next(1);
    upstream.send_next(2);
    upstream.send_error(Error::msg("boom"));
    assert_eq!(ts.values(), [1]);
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
    assert_clean(&env);

    let (upstream, env, ts) = over_manual(5, |up| up.skip_last(1));
    upstream.send_next(1);
    ts.cancel();
    assert!(upstream.is_cancelled());
    assert_clean(&env);

    StepVerifier::create(&range(0u64..1_000_000).skip_last(2))
        .initial_request(3)
        .expect_next_values([0, 1, 2])
        .then_cancel()
        .verify()
        .unwrap();
}

#[test]
fn request_zero_is_rule_3_9() {
    request_zero_ends_with_rule_3_9(&range(0u64..5).skip_last(2));
}

#[test]
fn a_request_from_on_next_does_not_recurse() {
    requests_from_on_next_do_not_recurse(&range(0u64..10_003).skip_last(3));
}

#[test]
fn a_second_subscription_is_cancelled() {
    a_second_subscription_is_cancelled_by(|up| up.skip_last(2));
}
