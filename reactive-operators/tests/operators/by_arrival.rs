//! The operators that watch a second publisher while they relay the first: `take_until`,
//! `skip_until`, `with_latest_from`, `sample_on`. What each requests from both sides, when it
//! ends, what it cancels, across threads.

use std::sync::mpsc;

use reactive_core::scheduler::PoolScheduler;
use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, just, never, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{PATIENCE, assert_clean, manual, request_zero_ends_with_rule_3_9};

// ---- take_until ----

#[test]
fn take_until_passes_demand_through_and_asks_other_for_one() {
    let (main, env_m) = manual::<u64>();
    let (other, env_o) = manual::<()>();
    let ts = TestSubscriber::with_request(3);
    main.clone()
        .take_until(other.clone())
        .subscribe(ts.tracked_clone());
    assert_eq!(main.take_requests(), 3);
    assert_eq!(other.take_requests(), 1);
    main.send_next(1);
    main.send_next(2);
    ts.request(5);
    assert_eq!(main.take_requests(), 5, "pass-through");
    other.send_next(());
    assert_eq!(ts.values(), [1, 2]);
    assert!(ts.is_complete());
    assert!(main.is_cancelled() && other.is_cancelled());
    assert!(ts.is_dropped());
    assert_clean(&env_m);
    assert_clean(&env_o);
}

#[test]
fn take_until_other_completing_also_ends_the_stream() {
    let (main, env_m) = manual::<u64>();
    let (other, env_o) = manual::<()>();
    let ts = TestSubscriber::new();
    main.clone().take_until(other.clone()).subscribe(ts.clone());
    main.send_next(1);
    other.send_completion();
    assert_eq!(ts.values(), [1]);
    assert!(ts.is_complete());
    assert!(main.is_cancelled());
    // `assert_clean` checks that `other`, which completed, was not cancelled (rule 2.4).
    assert_clean(&env_m);
    assert_clean(&env_o);
}

#[test]
fn take_until_main_completing_cancels_other() {
    let (other, env) = manual::<()>();
    StepVerifier::create(&range(0u64..3).take_until(other.clone()))
        .expect_next_values([0, 1, 2])
        .expect_complete()
        .verify()
        .unwrap();
    assert!(other.is_cancelled());
    assert_clean(&env);
}

#[test]
fn take_until_errors_of_either_side_end_it_and_cancel_the_other() {
    let (main, env_m) = manual::<u64>();
    let (other, env_o) = manual::<()>();
    let ts = TestSubscriber::new();
    main.clone().take_until(other.clone()).subscribe(ts.clone());
    other.send_error(Error::msg("other failed"));
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
    assert!(main.is_cancelled());
    assert_clean(&env_m);
    assert_clean(&env_o);

    let (other, env_o) = manual::<()>();
    let failing = reactive_operators::error::<u64>(Error::msg("main failed"));
    StepVerifier::create(&failing.take_until(other.clone()))
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
    assert!(other.is_cancelled());
    assert_clean(&env_o);
}

#[test]
fn take_until_cancel_cancels_both_and_request_zero_is_rule_3_9() {
    let (main, env_m) = manual::<u64>();
    let (other, env_o) = manual::<()>();
    let ts = TestSubscriber::new();
    main.clone()
        .take_until(other.clone())
        .subscribe(ts.tracked_clone());
    ts.cancel();
    assert!(main.is_cancelled() && other.is_cancelled());
    assert!(ts.is_dropped());
    assert_clean(&env_m);
    assert_clean(&env_o);
    request_zero_ends_with_rule_3_9(&range(0u64..10).take_until(never::<()>()));
}

#[test]
fn take_until_other_firing_from_another_thread_ends_the_stream_once() {
    let pool = PoolScheduler::builder()
        .threads(2)
        .name("take-until")
        .build();
    for round in 0..50u64 {
        let (other, env) = manual::<()>();
        let (seen, at) = mpsc::channel();
        let ts = TestSubscriber::new().with_on_next_hook(move |_, received| {
            if received == 100 + round {
                let _ = seen.send(());
            }
        });
        range(0u64..1_000_000)
            .publish_on(pool.clone(), 16)
            .take_until(other.clone())
            .subscribe(ts.clone());
        at.recv_timeout(PATIENCE).unwrap();
        let fire = std::thread::spawn(move || other.send_next(()));
        fire.join().unwrap();
        assert!(ts.await_terminal(PATIENCE));
        assert!(ts.is_complete());
        let values = ts.values();
        assert!(values.len() as u64 >= 100 + round);
        assert!(values.iter().enumerate().all(|(i, &v)| v == i as u64));
        assert!(ts.violations().is_empty(), "{ts:?}");
        assert_clean(&env);
    }
}

// ---- skip_until ----

#[test]
fn skip_until_drops_until_other_fires_and_replaces_what_it_drops() {
    let (main, env_m) = manual::<u64>();
    let (other, env_o) = manual::<u8>();
    let ts = TestSubscriber::with_request(2);
    main.clone().skip_until(other.clone()).subscribe(ts.clone());
    assert_eq!((main.take_requests(), other.take_requests()), (2, 1));
    main.send_next(1);
    main.send_next(2);
    assert_eq!(main.take_requests(), 2, "one replacement per dropped item");
    other.send_next(9);
    assert!(other.is_cancelled(), "only its first item matters");
    main.send_next(3);
    main.send_next(4);
    assert_eq!(main.take_requests(), 0);
    assert_eq!(ts.values(), [3, 4]);
    main.send_completion();
    assert!(ts.is_complete());
    assert_clean(&env_m);
    assert_clean(&env_o);
}

#[test]
fn skip_until_other_completing_opens_the_gate() {
    let (main, env_m) = manual::<u64>();
    let (other, env_o) = manual::<u8>();
    let ts = TestSubscriber::new();
    main.clone().skip_until(other.clone()).subscribe(ts.clone());
    main.send_next(1);
    other.send_completion();
    main.send_next(2);
    main.send_completion();
    assert_eq!(ts.values(), [2]);
    assert!(ts.is_complete());
    assert_clean(&env_m);
    assert_clean(&env_o);
}

#[test]
fn skip_until_with_a_synchronous_source_gets_exactly_what_was_asked() {
    // `range` drives the conditional path: dropped items are not counted against demand.
    StepVerifier::create(&range(0u64..10).skip_until(just(())))
        .initial_request(3)
        .expect_next_values([0, 1, 2])
        .then_request(UNBOUNDED)
        .expect_next_count(7)
        .expect_complete()
        .verify()
        .unwrap();
    let (other, env) = manual::<u8>();
    let ts = TestSubscriber::with_request(3);
    range(0u64..10)
        .skip_until(other.clone())
        .subscribe(ts.clone());
    assert!(
        ts.is_complete(),
        "all 10 dropped (never counted), then the completion"
    );
    assert_eq!(ts.value_count(), 0);
    assert!(other.is_cancelled());
    assert_clean(&env);
}

#[test]
fn skip_until_errors_cancel_and_request_zero_is_rule_3_9() {
    let (main, env_m) = manual::<u64>();
    let (other, env_o) = manual::<u8>();
    let ts = TestSubscriber::new();
    main.clone()
        .skip_until(other.clone())
        .subscribe(ts.tracked_clone());
    other.send_error(Error::msg("boom"));
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
    assert!(main.is_cancelled());
    assert!(ts.is_dropped());
    assert_clean(&env_m);
    assert_clean(&env_o);
    request_zero_ends_with_rule_3_9(&range(0u64..10).skip_until(just(())));
}

// ---- with_latest_from ----

#[test]
fn with_latest_from_drops_items_before_other_has_a_value_and_replaces_them() {
    let (main, env_m) = manual::<u64>();
    let (other, env_o) = manual::<u64>();
    let ts = TestSubscriber::with_request(2);
    main.clone()
        .with_latest_from(other.clone(), |v, k| v * k)
        .subscribe(ts.clone());
    assert_eq!(main.take_requests(), 2);
    assert_eq!(other.take_requests(), UNBOUNDED);
    main.send_next(1);
    assert_eq!(
        main.take_requests(),
        1,
        "a replacement for the dropped item"
    );
    other.send_next(10);
    main.send_next(2);
    other.send_next(100);
    other.send_next(1000);
    main.send_next(3);
    assert_eq!(ts.values(), [20, 3000]);
    other.send_completion(); // its last value stays in use
    ts.request(1);
    main.send_next(4);
    assert_eq!(ts.values(), [20, 3000, 4000]);
    main.send_completion();
    assert!(ts.is_complete());
    assert_clean(&env_m);
    assert_clean(&env_o);
}

#[test]
fn with_latest_from_other_completing_empty_ends_the_stream() {
    let (main, env_m) = manual::<u64>();
    let (other, env_o) = manual::<u64>();
    let ts = TestSubscriber::new();
    main.clone()
        .with_latest_from(other.clone(), |v, k| v + k)
        .subscribe(ts.clone());
    other.send_completion();
    assert!(ts.is_complete());
    assert!(main.is_cancelled());
    assert_clean(&env_m);
    assert_clean(&env_o);
}

#[test]
fn with_latest_from_errors_cancel_and_request_zero_is_rule_3_9() {
    let (other, env) = manual::<u64>();
    let ts = TestSubscriber::new();
    reactive_operators::error::<u64>(Error::msg("boom"))
        .with_latest_from(other.clone(), |v, k| v + k)
        .subscribe(ts.clone());
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
    assert!(other.is_cancelled());
    assert_clean(&env);
    request_zero_ends_with_rule_3_9(&range(0u64..10).with_latest_from(just(1u64), |v, k| v + k));
    StepVerifier::create(&range(0u64..1000).with_latest_from(just(1u64), |v, k| v + k))
        .initial_request(3)
        .expect_next_values([1, 2, 3])
        .then_cancel()
        .verify()
        .unwrap();
}

// ---- sample_on ----

#[test]
fn sample_on_emits_the_latest_item_once_per_tick_within_demand() {
    let (main, env_m) = manual::<u64>();
    let (ticks, env_t) = manual::<()>();
    let ts = TestSubscriber::with_request(1);
    main.clone().sample_on(ticks.clone()).subscribe(ts.clone());
    assert_eq!(main.take_requests(), UNBOUNDED);
    assert_eq!(ticks.take_requests(), UNBOUNDED);
    ticks.send_next(()); // nothing yet
    main.send_next(1);
    main.send_next(2);
    ticks.send_next(());
    ticks.send_next(()); // nothing new since the last sample
    assert_eq!(ts.values(), [2]);
    main.send_next(3);
    ticks.send_next(()); // no demand: the sample waits
    main.send_next(4);
    ticks.send_next(()); // a newer sample replaces it
    assert_eq!(ts.values(), [2]);
    ts.request(5);
    assert_eq!(ts.values(), [2, 4]);
    main.send_next(5);
    main.send_completion(); // 5 was never sampled: dropped
    assert!(ts.is_complete());
    assert_eq!(ts.values(), [2, 4]);
    assert!(ticks.is_cancelled());
    assert_clean(&env_m);
    assert_clean(&env_t);
}

#[test]
fn sample_on_completion_waits_for_a_sample_that_waits_for_demand() {
    let (main, env_m) = manual::<u64>();
    let (ticks, env_t) = manual::<()>();
    let ts = TestSubscriber::with_request(0);
    main.clone()
        .sample_on(ticks.clone())
        .subscribe(ts.tracked_clone());
    main.send_next(7);
    ticks.send_next(());
    ticks.send_completion();
    assert!(!ts.is_terminated());
    assert!(main.is_cancelled());
    ts.request(1);
    assert_eq!(ts.values(), [7]);
    assert!(ts.is_complete());
    assert!(ts.is_dropped());
    assert_clean(&env_m);
    assert_clean(&env_t);
}

#[test]
fn sample_on_errors_fail_fast_cancel_and_request_zero_is_rule_3_9() {
    let (main, env_m) = manual::<u64>();
    let (ticks, env_t) = manual::<()>();
    let ts = TestSubscriber::with_request(0);
    main.clone().sample_on(ticks.clone()).subscribe(ts.clone());
    main.send_next(7);
    ticks.send_next(());
    main.send_error(Error::msg("boom"));
    assert_eq!(ts.value_count(), 0, "the waiting sample is dropped");
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
    assert!(ticks.is_cancelled());
    assert_clean(&env_m);
    assert_clean(&env_t);

    let (main, env_m) = manual::<u64>();
    let (ticks, env_t) = manual::<()>();
    let ts = TestSubscriber::with_request(0);
    main.clone()
        .sample_on(ticks.clone())
        .subscribe(ts.tracked_clone());
    ts.request(0);
    let error = ts.error().expect("rule 3.9");
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert!(error.message().contains("3.9"));
    assert!(main.is_cancelled() && ticks.is_cancelled());
    assert!(ts.is_dropped());
    assert_clean(&env_m);
    assert_clean(&env_t);

    let (main, env_m) = manual::<u64>();
    let (ticks, env_t) = manual::<()>();
    let ts = TestSubscriber::new();
    main.clone()
        .sample_on(ticks.clone())
        .subscribe(ts.tracked_clone());
    ts.cancel();
    assert!(main.is_cancelled() && ticks.is_cancelled());
    assert!(ts.is_dropped());
    assert_clean(&env_m);
    assert_clean(&env_t);
}

#[test]
fn sample_on_with_ticks_from_another_thread_never_exceeds_demand() {
    let pool = PoolScheduler::builder()
        .threads(2)
        .name("sample-on")
        .build();
    for _ in 0..20 {
        let (ticks, env) = manual::<()>();
        let ts = TestSubscriber::with_request(3);
        range(0u64..200_000)
            .publish_on(pool.clone(), 32)
            .sample_on(ticks.clone())
            .subscribe(ts.clone());
        let ticker = std::thread::spawn(move || {
            for _ in 0..50 {
                ticks.send_next(());
            }
            ticks
        });
        let ticks = ticker.join().unwrap();
        ticks.send_completion();
        ts.request(UNBOUNDED);
        assert!(ts.await_terminal(PATIENCE));
        let values = ts.values();
        assert!(values.len() <= 50);
        assert!(
            values.windows(2).all(|w| w[0] < w[1]),
            "samples move forward"
        );
        assert!(ts.violations().is_empty(), "{ts:?}");
        assert_clean(&env);
    }
}
