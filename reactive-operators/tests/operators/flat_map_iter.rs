//! `flat_map_iter`: iterators pulled only under demand, the outer asked for 1 item at a time.

use reactive_core::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use reactive_core::scheduler::PoolScheduler;
use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    PATIENCE, assert_clean, manual, request_zero_ends_with_rule_3_9,
    requests_from_on_next_do_not_recurse,
};

#[test]
fn like_iterator_flat_map() {
    let expected: Vec<u64> = (0u64..30).flat_map(|n| 0..n % 4).collect();
    StepVerifier::create(&range(0u64..30).flat_map_iter(|n| 0..n % 4))
        .expect_next_values(expected)
        .expect_complete()
        .verify()
        .unwrap();
    // Empty iterators only: the outer items are taken under demand, and all of them with a
    // demand of 1 that no item uses.
    let ts = TestSubscriber::<u64>::with_request(0);
    range(0u64..30)
        .flat_map_iter(|_| Vec::<u64>::new())
        .subscribe(ts.clone());
    assert!(!ts.is_terminated());
    ts.request(1);
    assert!(ts.is_complete());
    // An empty outer completes without demand.
    let ts = TestSubscriber::<u64>::with_request(0);
    range(0u64..0).flat_map_iter(|n| 0..n).subscribe(ts.clone());
    assert!(ts.is_complete());
}

#[test]
fn items_are_pulled_only_under_demand() {
    let pulled = Arc::new(AtomicU64::new(0));
    let counter = pulled.clone();
    let ts = TestSubscriber::<u64>::with_request(0);
    range(0u64..3)
        .flat_map_iter(move |n| {
            let counter = counter.clone();
            (0..10u64).map(move |v| {
                counter.fetch_add(1, Ordering::SeqCst);
                n * 10 + v
            })
        })
        .subscribe(ts.clone());
    assert_eq!(pulled.load(Ordering::SeqCst), 0);
    ts.request(3);
    assert_eq!(
        pulled.load(Ordering::SeqCst),
        3,
        "exactly the demand, nothing ahead"
    );
    ts.request(10);
    assert_eq!(pulled.load(Ordering::SeqCst), 13);
    assert_eq!(ts.values(), (0..10).chain(10..13).collect::<Vec<_>>());
}

#[test]
fn the_outer_is_asked_for_one_item_when_the_iterator_is_exhausted() {
    let (outer, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(3);
    outer
        .clone()
        .flat_map_iter(|n| vec![n; 2])
        .subscribe(ts.clone());
    assert_eq!(outer.take_requests(), 1);
    outer.send_next(1);
    assert_eq!(ts.values(), [1, 1]);
    assert_eq!(
        outer.take_requests(),
        1,
        "exhausted (size_hint 0) with demand left"
    );
    outer.send_next(2);
    assert_eq!(ts.values(), [1, 1, 2]);
    assert_eq!(outer.take_requests(), 0, "the iterator still has an item");
    ts.request(1);
    assert_eq!(ts.values(), [1, 1, 2, 2]);
    assert_eq!(outer.take_requests(), 0, "no demand left: nothing asked");
    ts.request(5);
    assert_eq!(outer.take_requests(), 1);
    outer.send_completion();
    assert!(ts.is_complete());
    assert_clean(&env);
}

#[test]
fn demand_is_exact_in_several_request_patterns() {
    let expected: Vec<u64> = (0u64..6).flat_map(|n| 0..n).collect();
    for pattern in [vec![1u64; 15], vec![2, 5, 8], vec![4, 1, 10], vec![15]] {
        let ts = TestSubscriber::<u64>::with_request(0);
        range(0u64..6).flat_map_iter(|n| 0..n).subscribe(ts.clone());
        let mut total = 0;
        for k in pattern {
            ts.request(k);
            total += k;
            assert_eq!(ts.value_count(), total);
        }
        assert_eq!(ts.values(), expected);
        assert!(ts.is_complete());
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}

#[test]
fn an_outer_error_ends_the_stream() {
    let (outer, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(1);
    outer.clone().flat_map_iter(|n| 0..n).subscribe(ts.clone());
    outer.send_next(5);
    outer.send_error(Error::msg("outer"));
    assert_eq!(ts.values(), [0]);
    assert_eq!(
        ts.error().map(|e| e.message().to_owned()),
        Some("outer".into())
    );
    assert_clean(&env);
}

#[test]
fn an_outer_sending_two_items_for_one_request_overflows() {
    let (outer, _env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(0);
    outer.clone().flat_map_iter(|n| 0..n).subscribe(ts.clone());
    outer.send_next(1);
    outer.send_next(2);
    ts.request(1);
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::Overflow));
    assert!(outer.is_cancelled());
}

#[test]
fn cancel_reaches_the_outer_and_drops_the_iterator() {
    let (outer, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(2);
    outer
        .clone()
        .flat_map_iter(|n| 0..n)
        .subscribe(ts.tracked_clone());
    outer.send_next(10);
    ts.cancel();
    assert!(outer.is_cancelled());
    assert_eq!(ts.values(), [0, 1]);
    assert!(!ts.is_terminated());
    assert_clean(&env);
    let ts = TestSubscriber::<u64>::with_request(1).with_on_next_hook(|ts, _| ts.cancel());
    range(0u64..10)
        .flat_map_iter(|n| 0..n + 5)
        .subscribe(ts.tracked_clone());
    assert_eq!(ts.values(), [0]);
    assert!(ts.is_dropped(), "rule 3.13");
}

#[test]
fn request_zero_is_reported() {
    request_zero_ends_with_rule_3_9(&range(0u64..5).flat_map_iter(|n| 0..n));
}

#[test]
fn requests_from_on_next_stay_at_depth_one() {
    requests_from_on_next_do_not_recurse(
        &range(0u64..100).flat_map_iter(|i| i * 100..(i + 1) * 100),
    );
}

#[test]
fn an_outer_on_other_threads() {
    let pool = PoolScheduler::builder()
        .threads(2)
        .name("flat-map-iter-pool")
        .build();
    let expected: Vec<u64> = (0u64..200).flat_map(|n| 0..n % 5).collect();
    for request in [1u64, 4, UNBOUNDED] {
        let ts = TestSubscriber::<u64>::with_request(request).with_on_next_hook(move |ts, _| {
            if request != UNBOUNDED && ts.value_count() % request == 0 {
                ts.request(request)
            }
        });
        range(0u64..200)
            .publish_on(pool.clone(), 2)
            .flat_map_iter(|n| 0..n % 5)
            .subscribe(ts.clone());
        assert!(ts.await_terminal(PATIENCE), "{ts:?}");
        assert_eq!(ts.values(), expected);
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}
