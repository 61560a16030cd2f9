//! `repeat` and `repeat_n`.

use reactive_core::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use reactive_core::{Publisher, UNBOUNDED};
use reactive_operators::{repeat, repeat_n};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    PATIENCE, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};

/// A value that counts its clones.
#[derive(Debug)]
struct Clones(Arc<AtomicU64>);

impl Clone for Clones {
    fn clone(&self) -> Self {
        self.0.fetch_add(1, Ordering::Relaxed);
        Clones(self.0.clone())
    }
}

#[test]
fn repeat_emits_exactly_what_is_requested_forever() {
    let ts = TestSubscriber::with_request(0);
    repeat(7u8).subscribe(ts.clone());
    assert_eq!(ts.value_count(), 0);
    ts.request(3);
    assert_eq!(ts.values(), [7; 3]);
    ts.request(1);
    ts.request(2);
    assert_eq!(ts.value_count(), 6);
    assert!(!ts.is_terminated(), "repeat never completes");
    ts.cancel();
    ts.request(10);
    assert_eq!(ts.value_count(), 6, "nothing after a cancel");
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn repeat_stops_on_cancel_under_unbounded_demand() {
    let ts = TestSubscriber::with_request(UNBOUNDED).with_on_next_hook(|ts, n| {
        if n == 1_000 {
            ts.cancel();
        }
    });
    repeat("x").subscribe(ts.clone());
    assert_eq!(ts.value_count(), 1_000);
    assert!(!ts.is_terminated());
}

#[test]
fn repeat_clones_once_per_item() {
    let clones = Arc::new(AtomicU64::new(0));
    let ts = TestSubscriber::with_request(5);
    repeat(Clones(clones.clone())).subscribe(ts.clone());
    assert_eq!(ts.value_count(), 5);
    assert_eq!(
        clones.load(Ordering::Relaxed),
        6,
        "the subscriber's copy, then one per item"
    );
}

#[test]
fn repeat_n_matches_the_iterator() {
    for n in [0usize, 1, 2, 7] {
        let ts = TestSubscriber::with_request(UNBOUNDED);
        repeat_n('a', n).subscribe(ts.clone());
        assert_eq!(
            ts.values(),
            std::iter::repeat_n('a', n).collect::<Vec<_>>(),
            "n = {n}"
        );
        assert!(ts.is_complete());
    }
}

#[test]
fn repeat_n_emits_on_demand_and_completes_right_after_the_last() {
    StepVerifier::create(&repeat_n(1u64, 5))
        .initial_request(2)
        .expect_next_values([1, 1])
        .then_request(3)
        .expect_next_values([1, 1, 1])
        .expect_complete()
        .verify_timeout(PATIENCE)
        .unwrap();
    StepVerifier::create(&repeat_n(1u64, 0))
        .expect_complete()
        .verify_timeout(PATIENCE)
        .unwrap();
}

#[test]
fn repeat_n_moves_the_value_out_for_the_last_item() {
    let clones = Arc::new(AtomicU64::new(0));
    let ts = TestSubscriber::with_request(UNBOUNDED);
    repeat_n(Clones(clones.clone()), 3).subscribe(ts.clone());
    assert_eq!(ts.value_count(), 3);
    // The subscriber's copy, then a clone for each item but the last.
    assert_eq!(clones.load(Ordering::Relaxed), 3);
}

#[test]
fn repeat_n_cancel_mid_stream() {
    StepVerifier::create(&repeat_n(2u64, 100))
        .initial_request(4)
        .expect_next_values([2; 4])
        .then_cancel()
        .verify_timeout(PATIENCE)
        .unwrap();
}

#[test]
fn request_zero_is_the_rule_3_9_error() {
    request_zero_ends_with_rule_3_9(&repeat(1u64));
    request_zero_ends_with_rule_3_9(&repeat_n(1u64, 10));
}

#[test]
fn request_one_from_on_next_does_not_recurse() {
    requests_from_on_next_do_not_recurse(&repeat_n(3u64, 10_000));
}
