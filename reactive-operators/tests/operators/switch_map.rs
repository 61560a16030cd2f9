//! `switch_map`: the latest inner only; a new outer item cancels the current inner, whose
//! late items are dropped; the outstanding demand moves to the new inner.

use reactive_core::scheduler::PoolScheduler;
use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, just, never, range};
use reactive_tck::harness::ManualPublisher;
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    PATIENCE, assert_clean, eventually, manual, request_zero_ends_with_rule_3_9,
    requests_from_on_next_do_not_recurse,
};

/// A manual outer and `n` manual inners; `switch_map` maps item `i` to inner `i`.
fn switching(
    n: usize,
    request: u64,
) -> (
    ManualPublisher<u64>,
    Vec<ManualPublisher<u64>>,
    TestSubscriber<u64>,
) {
    let (outer, _) = manual::<u64>();
    let inners: Vec<ManualPublisher<u64>> = (0..n).map(|_| manual::<u64>().0).collect();
    let ts = TestSubscriber::<u64>::with_request(request);
    let all = inners.clone();
    outer
        .clone()
        .switch_map(move |i| all[i as usize].clone())
        .subscribe(ts.tracked_clone());
    (outer, inners, ts)
}

#[test]
fn the_outer_is_requested_unbounded() {
    let (outer, _inners, _ts) = switching(1, 0);
    assert_eq!(outer.take_requests(), UNBOUNDED);
    assert_clean(outer.env());
}

#[test]
fn a_new_item_cancels_the_current_inner_and_drops_its_late_items() {
    let (outer, inners, ts) = switching(2, 10);
    outer.send_next(0);
    assert_eq!(inners[0].take_requests(), 10);
    inners[0].send_next(1);
    outer.send_next(1);
    assert!(inners[0].is_cancelled(), "the old inner is cancelled");
    inners[0].send_next(2); // late: dropped
    inners[1].send_next(3);
    assert_eq!(ts.values(), [1, 3]);
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(inners[0].env());
}

#[test]
fn the_outstanding_demand_moves_to_the_new_inner() {
    let (outer, inners, ts) = switching(2, 5);
    outer.send_next(0);
    assert_eq!(inners[0].take_requests(), 5);
    inners[0].send_next(1);
    inners[0].send_next(2);
    outer.send_next(1);
    assert_eq!(inners[1].take_requests(), 3, "5 requested - 2 delivered");
    ts.request(2);
    assert_eq!(
        inners[1].take_requests(),
        0,
        "3 outstanding: enough for now"
    );
    for v in 0..3 {
        inners[1].send_next(v);
    }
    assert_eq!(ts.value_count(), 5);
    assert_eq!(
        inners[1].take_requests(),
        2,
        "asked again once nothing is outstanding"
    );
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn completes_after_the_outer_and_the_last_inner() {
    let (outer, inners, ts) = switching(2, UNBOUNDED);
    outer.send_next(0);
    outer.send_next(1);
    outer.send_completion();
    assert!(!ts.is_terminated(), "the last inner runs");
    inners[1].send_next(7);
    inners[1].send_completion();
    assert!(ts.is_complete());
    assert_eq!(ts.values(), [7]);
    // An inner that completes before the outer does not complete the stream.
    let (outer, inners, ts) = switching(1, UNBOUNDED);
    outer.send_next(0);
    inners[0].send_completion();
    assert!(!ts.is_terminated());
    outer.send_completion();
    assert!(ts.is_complete());
    assert_clean(outer.env());
}

#[test]
fn like_concat_map_when_each_inner_ends_before_the_next_item() {
    let expected: Vec<u64> = (0u64..20).flat_map(|n| 0..n % 4).collect();
    StepVerifier::create(&range(0u64..20).switch_map(|n| range(0..n % 4)))
        .expect_next_values(expected.clone())
        .expect_complete()
        .verify()
        .unwrap();
    StepVerifier::create(&range(0u64..20).switch_map(|n| range(0..n % 4).map(|v| v)))
        .expect_next_values(expected)
        .expect_complete()
        .verify()
        .unwrap();
    // A fused inner waiting for demand is switched away from like any other.
    let ts = TestSubscriber::<u64>::with_request(1);
    range(0u64..3)
        .switch_map(|n| range(n * 10..n * 10 + 5))
        .subscribe(ts.clone());
    // The outer is unbounded and synchronous: item 0's inner gives 1 item, items 1 and 2
    // replace it before more demand arrives.
    ts.request(2);
    assert_eq!(ts.values(), [0, 20, 21]);
}

#[test]
fn an_error_of_the_current_inner_or_the_outer_fails_fast() {
    let (outer, inners, ts) = switching(2, UNBOUNDED);
    outer.send_next(0);
    inners[0].send_error(Error::msg("inner"));
    assert_eq!(
        ts.error().map(|e| e.message().to_owned()),
        Some("inner".into())
    );
    assert!(outer.is_cancelled());

    let (outer, inners, ts) = switching(1, UNBOUNDED);
    outer.send_next(0);
    outer.send_error(Error::msg("outer"));
    assert_eq!(
        ts.error().map(|e| e.message().to_owned()),
        Some("outer".into())
    );
    assert!(inners[0].is_cancelled());
    assert_clean(inners[0].env());

    // A cancelled inner's error is ignored.
    let (outer, inners, ts) = switching(2, UNBOUNDED);
    outer.send_next(0);
    outer.send_next(1);
    inners[0].send_error(Error::msg("ignored"));
    assert!(!ts.is_terminated());
    StepVerifier::create(&range(0u64..2).switch_map(|n| {
        if n == 1 {
            error(Error::msg("x")).boxed()
        } else {
            just(n).boxed()
        }
    }))
    .expect_next(0)
    .expect_error_matches(|e| e.message() == "x")
    .verify()
    .unwrap();
}

#[test]
fn cancel_reaches_the_outer_and_the_current_inner() {
    let (outer, inners, ts) = switching(1, 3);
    outer.send_next(0);
    inners[0].send_next(1);
    ts.cancel();
    assert!(outer.is_cancelled());
    assert!(inners[0].is_cancelled());
    inners[0].send_next(2);
    assert_eq!(ts.values(), [1]);
    assert!(!ts.is_terminated());
    assert_clean(outer.env());
    assert_clean(inners[0].env());
    // Cancel while a fused inner that never ends waits.
    let ts = TestSubscriber::<u64>::with_request(1);
    range(0u64..1)
        .switch_map(|_| never::<u64>())
        .subscribe(ts.tracked_clone());
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");
}

#[test]
fn request_zero_is_reported_and_cancels_both_sides() {
    request_zero_ends_with_rule_3_9(&range(0u64..5).switch_map(|n| range(0..n)));
    let (outer, inners, ts) = switching(1, 1);
    outer.send_next(0);
    ts.request(0);
    assert_eq!(
        ts.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
    assert!(outer.is_cancelled());
    assert!(inners[0].is_cancelled());
}

#[test]
fn requests_from_on_next_stay_at_depth_one() {
    requests_from_on_next_do_not_recurse(&just(0u64).switch_map(|_| range(0u64..10_000)));
    requests_from_on_next_do_not_recurse(
        &just(0u64).switch_map(|_| range(0u64..10_000).map(|v| v)),
    );
}

#[test]
fn never_more_than_requested_with_inners_on_other_threads() {
    let pool = PoolScheduler::builder()
        .threads(2)
        .name("switch-map-pool")
        .build();
    for request in [1u64, 3, UNBOUNDED] {
        let p = pool.clone();
        let ts = TestSubscriber::<u64>::with_request(request).with_on_next_hook(move |ts, _| {
            if request != UNBOUNDED && ts.value_count() % request == 0 {
                ts.request(request)
            }
        });
        range(0u64..50)
            .publish_on(pool.clone(), 4)
            .switch_map(move |i| range(i * 1000..i * 1000 + 20).publish_on(p.clone(), 4))
            .subscribe(ts.clone());
        assert!(ts.await_terminal(PATIENCE), "{ts:?}");
        assert!(ts.is_complete());
        let values = ts.values();
        // Items of one inner are in order and inners never interleave backwards.
        assert!(values.windows(2).all(|w| w[0] < w[1]), "{values:?}");
        // The last inner always plays to its end.
        assert_eq!(
            values
                .iter()
                .rev()
                .take(20)
                .rev()
                .copied()
                .collect::<Vec<_>>(),
            (49_000..49_020).collect::<Vec<_>>()
        );
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}

#[test]
fn an_inner_driven_from_another_thread_late_items_dropped() {
    let (outer, inners, ts) = switching(2, UNBOUNDED);
    outer.send_next(0);
    let old = inners[0].clone();
    let (cancelled_tx, cancelled_rx) = std::sync::mpsc::channel();
    let t = std::thread::spawn(move || {
        old.send_next(1);
        cancelled_rx.recv().unwrap();
        old.send_next(2); // after its cancel: never delivered
    });
    assert!(ts.await_values(1, PATIENCE));
    outer.send_next(1);
    // The switch runs on whichever thread holds the drain (the old inner's may still).
    assert!(eventually(
        || inners[0].is_cancelled() && inners[1].has_subscriber()
    ));
    cancelled_tx.send(()).unwrap();
    t.join().unwrap();
    inners[1].send_next(3);
    assert_eq!(ts.values(), [1, 3]);
}
