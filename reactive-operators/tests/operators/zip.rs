//! `zip`, `zip_with`, `zip_all`: what they request from each source and when, what they
//! buffer, when they complete, fail and cancel, across threads.

use std::sync::mpsc;

use reactive_core::scheduler::{PoolScheduler, SingleThreadScheduler};
use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, empty, error, just, never, range, zip, zip_all};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    PATIENCE, assert_clean, manual, request_zero_ends_with_rule_3_9,
    requests_from_on_next_do_not_recurse,
};

#[test]
fn fused_sources_pair_up_and_complete_with_the_shorter_without_demand() {
    StepVerifier::create(&zip(range(0u64..2), range(10u64..15)))
        .initial_request(2)
        .expect_next_values([(0, 10), (1, 11)])
        .expect_complete() // no demand left: the end needs none
        .verify()
        .unwrap();
    StepVerifier::create(&zip(range(0u64..0), never::<u64>()))
        .initial_request(0)
        .expect_complete()
        .verify()
        .unwrap();
    StepVerifier::create(&zip(just(1u8), empty::<u8>()))
        .initial_request(0)
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn rows_wait_for_demand() {
    StepVerifier::create(&range(0u64..5).zip_with(range(0u64..5).map(|v| v * 10), |a, b| a + b))
        .initial_request(0)
        .expect_subscription()
        .expect_no_event(std::time::Duration::from_millis(20))
        .then_request(2)
        .expect_next_values([0, 11])
        .then_request(UNBOUNDED)
        .expect_next_values([22, 33, 44])
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn each_subscribed_source_is_asked_for_its_prefetch_then_the_75_percent_rule() {
    for downstream in [0, 1, UNBOUNDED] {
        let (a, env_a) = manual::<u64>();
        let (b, env_b) = manual::<u64>();
        let ts = TestSubscriber::with_request(downstream);
        zip(a.clone(), b.clone()).subscribe(ts.clone());
        assert_eq!(a.take_requests(), 32, "downstream request({downstream})");
        assert_eq!(b.take_requests(), 32);
        ts.request(1000);
        assert_eq!(
            a.take_requests(),
            0,
            "the downstream's demand is not forwarded"
        );
        for i in 0..32 {
            a.send_next(i);
        }
        assert_eq!(
            a.take_requests(),
            0,
            "A's ring is full: nothing more is asked"
        );
        for i in 0..22 {
            b.send_next(i);
        }
        // 22 rows out, and A's next item already taken out of its ring as the head.
        assert_eq!(ts.value_count(), 22);
        assert_eq!((a.take_requests(), b.take_requests()), (0, 0));
        b.send_next(22);
        // 24 items taken out of A's ring: exactly 24 more from A.
        assert_eq!((a.take_requests(), b.take_requests()), (24, 0));
        b.send_next(23);
        assert_eq!((a.take_requests(), b.take_requests()), (0, 24));
        ts.cancel();
        assert!(a.is_cancelled() && b.is_cancelled());
        assert!(ts.violations().is_empty(), "{ts:?}");
        assert_clean(&env_a);
        assert_clean(&env_b);
    }
}

#[test]
fn a_custom_prefetch_sizes_the_rings_and_the_requests() {
    let (a, env) = manual::<u64>();
    let ts = TestSubscriber::new();
    zip(a.clone(), range(0u64..100))
        .prefetch(4)
        .subscribe(ts.clone());
    assert_eq!(a.take_requests(), 4);
    for i in 0..3 {
        a.send_next(i);
    }
    assert_eq!(a.take_requests(), 3, "4 - 4/4 = 3 after 3 were taken");
    assert_eq!(ts.values(), [(0, 0), (1, 1), (2, 2)]);
    ts.cancel();
    assert_clean(&env);
}

#[test]
fn a_source_that_sends_more_than_asked_overflows_its_ring() {
    let (a, env_a) = manual::<u64>();
    let (b, env_b) = manual::<u64>();
    let ts = TestSubscriber::new();
    zip(a.clone(), b.clone())
        .prefetch(2)
        .subscribe(ts.tracked_clone());
    // Asked for 2: the first becomes the head (taken out of the ring), two more fill the
    // ring, and the fourth finds it full.
    for i in 0..4 {
        a.send_next(i);
    }
    let error = ts.error().expect("the overflow ends the stream");
    assert_eq!(error.kind(), ErrorKind::Overflow);
    assert!(error.message().contains("zip"), "{error}");
    assert!(a.is_cancelled() && b.is_cancelled());
    assert!(ts.is_dropped());
    assert_clean(&env_a);
    assert_clean(&env_b);
}

#[test]
fn completes_once_a_completed_source_is_used_up_and_cancels_the_other() {
    let (a, env_a) = manual::<u64>();
    let (b, env_b) = manual::<u64>();
    let ts = TestSubscriber::new();
    zip(a.clone(), b.clone()).subscribe(ts.tracked_clone());
    a.send_next(1);
    a.send_next(2);
    a.send_completion();
    assert!(!ts.is_terminated(), "two items of A wait for B");
    b.send_next(10);
    assert!(!ts.is_terminated());
    assert!(!b.is_cancelled());
    b.send_next(20);
    assert_eq!(ts.values(), [(1, 10), (2, 20)]);
    assert!(ts.is_complete());
    assert!(b.is_cancelled(), "the other source is cancelled");
    assert!(ts.is_dropped(), "rule 3.13");
    // `assert_clean` also checks that A, which completed, was not cancelled (rule 2.4).
    assert_clean(&env_a);
    assert_clean(&env_b);
}

#[test]
fn an_error_fails_fast_and_cancels_the_other_source() {
    let (a, env_a) = manual::<u64>();
    let (b, env_b) = manual::<u64>();
    let ts = TestSubscriber::with_request(0);
    zip(a.clone(), b.clone()).subscribe(ts.clone());
    a.send_next(1);
    b.send_next(10);
    a.send_next(2);
    b.send_error(Error::msg("boom"));
    assert_eq!(
        ts.value_count(),
        0,
        "queued rows do not hold the error back"
    );
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
    assert!(a.is_cancelled());
    assert_clean(&env_a);
    assert_clean(&env_b);

    StepVerifier::create(&zip(range(0u64..10), error::<u64>(Error::msg("boom"))))
        .initial_request(0)
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
}

#[test]
fn cancel_cancels_every_source_and_drops_the_downstream() {
    let (a, env_a) = manual::<u64>();
    let (b, env_b) = manual::<u64>();
    let (c, env_c) = manual::<u64>();
    let ts = TestSubscriber::new();
    zip_all([a.clone(), b.clone(), c.clone()]).subscribe(ts.tracked_clone());
    a.send_next(1);
    ts.cancel();
    assert!(a.is_cancelled() && b.is_cancelled() && c.is_cancelled());
    assert!(ts.is_dropped());
    for env in [env_a, env_b, env_c] {
        assert_clean(&env);
    }
}

#[test]
fn request_zero_is_rule_3_9_and_cancels_the_sources() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).zip_with(range(0u64..10), |a, b| a + b));
    let (a, env) = manual::<u64>();
    let ts = TestSubscriber::with_request(0);
    zip(a.clone(), range(0u64..3)).subscribe(ts.clone());
    ts.request(0);
    assert_eq!(
        ts.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
    assert!(a.is_cancelled());
    assert_clean(&env);
}

#[test]
fn a_request_from_on_next_does_not_recurse() {
    requests_from_on_next_do_not_recurse(
        &range(0u64..10_000).zip_with(range(0u64..10_000), |a, b| a + b),
    );
    requests_from_on_next_do_not_recurse(
        &range(0u64..10_000).zip_with(range(0u64..10_000).map(|v| v), |a, b| a + b),
    );
}

#[test]
fn zip_all_rows_in_source_order_mixing_fused_and_subscribed() {
    let sources = vec![
        range(0u64..4).boxed(),
        range(10u64..13).map(|v| v).boxed(),
        just(7u64).boxed(),
        range(100u64..200).boxed(),
    ];
    // `just` has one item: one row.
    StepVerifier::create(&zip_all(sources))
        .expect_next(vec![0, 10, 7, 100])
        .expect_complete()
        .verify()
        .unwrap();
    let none: Vec<reactive_operators::source::Range<u64>> = Vec::new();
    StepVerifier::create(&zip_all(none))
        .initial_request(0)
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn sources_on_other_threads_lose_and_invent_nothing() {
    let pool = PoolScheduler::builder().threads(2).name("zip-pool").build();
    let single = SingleThreadScheduler::new();
    for round in 0..20 {
        let n = 5_000u64;
        let a = range(0..n).publish_on(pool.clone(), 8);
        let b = range(0..n + round).publish_on(single.clone(), 16);
        let ts = TestSubscriber::with_request(7).with_on_next_hook(|ts, _| ts.request(1));
        a.zip_with(b, |a, b| (a, b)).subscribe(ts.clone());
        assert!(ts.await_terminal(PATIENCE), "round {round}: {ts:?}");
        let values = ts.values();
        assert_eq!(values.len() as u64, n);
        assert!(
            values
                .iter()
                .enumerate()
                .all(|(i, &(a, b))| a == i as u64 && b == a)
        );
        assert!(ts.is_complete());
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
    // A fused source against one on a pool thread, three ways.
    let rows = zip_all([
        range(0u64..3000).boxed(),
        range(0u64..3000).publish_on(pool.clone(), 4).boxed(),
        range(0u64..3000).publish_on(single.clone(), 32).boxed(),
    ]);
    let ts = TestSubscriber::new();
    rows.subscribe(ts.clone());
    assert!(ts.await_terminal(PATIENCE));
    assert_eq!(ts.value_count(), 3000);
    assert!(
        ts.values()
            .iter()
            .enumerate()
            .all(|(i, row)| row.iter().all(|&v| v == i as u64))
    );
}

#[test]
fn a_source_driven_from_another_thread_meets_a_fused_one() {
    let (a, env) = manual::<u64>();
    let ts = TestSubscriber::new();
    zip(range(0u64..1000), a.clone()).subscribe(ts.clone());
    let (done, finished) = mpsc::channel();
    let producer = std::thread::spawn(move || {
        let mut sent = 0;
        while sent < 100 {
            let asked = a.expect_request().expect("zip replenishes");
            for _ in 0..asked.min(100 - sent) {
                a.send_next(sent);
                sent += 1;
            }
        }
        a.send_completion();
        done.send(()).unwrap();
    });
    finished.recv_timeout(PATIENCE).unwrap();
    producer.join().unwrap();
    assert!(ts.await_terminal(PATIENCE));
    assert_eq!(ts.value_count(), 100);
    assert!(ts.values().iter().all(|&(x, y)| x == y));
    assert!(ts.is_complete());
    assert_clean(&env);
}
