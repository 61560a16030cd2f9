//! `element_at(index)` and `element_at_or(index, default)`: one item, under demand.

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, empty, error, never, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{PATIENCE, assert_clean, manual, request_zero_ends_with_rule_3_9};
use crate::transforms_support::{logged, logged_plain};

#[test]
fn emits_the_item_iterator_nth_returns() {
    for index in [0u64, 1, 5, 9] {
        let ts = TestSubscriber::<u64>::with_request(1);
        range(0u64..10)
            .map(|v| v * 3)
            .element_at(index)
            .subscribe(ts.clone());
        let expected = (0u64..10).map(|v| v * 3).nth(index as usize);
        assert_eq!(ts.values(), expected.into_iter().collect::<Vec<_>>());
        assert!(ts.is_complete());
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}

#[test]
fn asks_for_index_plus_one_on_the_first_request_only() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(0);
    upstream.clone().element_at(3).subscribe(ts.clone());
    assert_eq!(
        upstream.take_requests(),
        0,
        "nothing before the downstream asks"
    );
    ts.request(1);
    assert_eq!(upstream.take_requests(), 4);
    ts.request(5);
    assert_eq!(
        upstream.take_requests(),
        0,
        "later requests are not forwarded"
    );
    for i in 0..3 {
        upstream.send_next(i);
    }
    assert!(!upstream.is_cancelled());
    assert!(ts.values().is_empty());
    upstream.send_next(30);
    assert!(upstream.is_cancelled(), "cancelled once the item is found");
    assert_eq!(ts.values(), vec![30]);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);
}

#[test]
fn the_request_saturates() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    upstream.clone().element_at(u64::MAX).subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), UNBOUNDED);
    ts.cancel();
    assert_clean(&env);
}

#[test]
fn the_source_sees_one_request_on_either_path() {
    for plain in [false, true] {
        let (source, log) = if plain {
            logged_plain(range(0u64..100))
        } else {
            logged(range(0u64..100))
        };
        let ts = TestSubscriber::<u64>::with_request(3);
        source.element_at(7).subscribe(ts.clone());
        assert_eq!(ts.values(), vec![7], "plain: {plain}");
        assert!(ts.is_complete());
        assert_eq!(*log.lock(), vec![8], "plain: {plain}");
    }
}

#[test]
fn a_short_stream_fails_naming_the_index_without_demand() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(0);
    upstream.clone().element_at(4).subscribe(ts.clone());
    upstream.send_completion();
    let e = ts.error().expect("no_item error before any request");
    assert_eq!(e.kind(), ErrorKind::ItemCount);
    assert!(e.message().contains("element_at"), "{e}");
    assert!(e.message().contains("index 4"), "{e}");
    assert_clean(&env);

    StepVerifier::create(&range(0u64..3).element_at(3))
        .expect_error_kind(ErrorKind::ItemCount)
        .verify()
        .unwrap();
}

#[test]
fn element_at_or_emits_the_default_once_requested() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(0);
    upstream.clone().element_at_or(4, 99).subscribe(ts.clone());
    upstream.send_completion();
    assert!(!ts.is_terminated(), "the default waits for demand");
    assert!(ts.values().is_empty());
    ts.request(1);
    assert_eq!(ts.values(), vec![99]);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);

    StepVerifier::create(&empty::<u64>().element_at_or(0, 5))
        .initial_request(0)
        .expect_subscription()
        .expect_no_event(std::time::Duration::from_millis(20))
        .then_request(3)
        .expect_next(5)
        .expect_complete()
        .verify()
        .unwrap();
    StepVerifier::create(&range(0u64..10).element_at_or(4, 99))
        .expect_next(4)
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn a_request_from_another_thread_gets_the_default() {
    for _ in 0..100 {
        let ts = TestSubscriber::<u64>::with_request(0);
        empty::<u64>().element_at_or(2, 7).subscribe(ts.clone());
        let other = ts.clone();
        std::thread::spawn(move || other.request(1)).join().unwrap();
        assert!(ts.await_terminal(PATIENCE));
        assert_eq!(ts.values(), vec![7]);
        assert!(ts.is_complete());
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}

#[test]
fn errors_pass_through_without_demand() {
    StepVerifier::create(&error::<u64>(Error::msg("boom")).element_at(2))
        .initial_request(0)
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
    StepVerifier::create(&error::<u64>(Error::msg("boom")).element_at_or(2, 1))
        .initial_request(0)
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
}

#[test]
fn request_zero_is_rule_3_9_and_cancels_upstream() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).element_at(3));
    request_zero_ends_with_rule_3_9(&range(0u64..10).element_at_or(30, 1));

    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(0);
    upstream.clone().element_at(3).subscribe(ts.clone());
    ts.request(0);
    assert!(upstream.is_cancelled());
    assert_eq!(
        ts.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
    assert_clean(&env);
}

#[test]
fn cancel_mid_stream_reaches_upstream_and_drops_the_subscriber() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(1);
    upstream.clone().element_at(3).subscribe(ts.tracked_clone());
    upstream.send_next(0);
    ts.cancel();
    assert!(upstream.is_cancelled());
    assert!(ts.is_dropped(), "rule 3.13");
    upstream.send_next(1);
    upstream.send_next(2);
    upstream.send_next(3);
    assert!(ts.values().is_empty());
    assert_clean(&env);

    let ts = TestSubscriber::<u64>::with_request(1);
    never::<u64>().element_at(0).subscribe(ts.tracked_clone());
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");
}
