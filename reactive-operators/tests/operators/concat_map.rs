//! `concat_map`, `concat_map_delay_error`: inners one after another, the outer prefetched and
//! replenished by 75%, each subscribed inner asked only for what the downstream wants.

use reactive_core::scheduler::{PoolScheduler, SingleThreadScheduler};
use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::ops::CompositeError;
use reactive_operators::{PublisherExt, empty, error, from_iter, just, range};
use reactive_tck::harness::ManualPublisher;
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    PATIENCE, assert_clean, manual, request_zero_ends_with_rule_3_9,
    requests_from_on_next_do_not_recurse,
};

#[test]
fn the_inners_in_order_like_flat_map() {
    let expected: Vec<u64> = (0u64..20).flat_map(|n| 0..n % 5).collect();
    // Fused inners (range), subscribed inners (range(..).map, not fused), and both.
    StepVerifier::create(&range(0u64..20).concat_map(|n| range(0..n % 5), 4))
        .expect_next_values(expected.clone())
        .expect_complete()
        .verify()
        .unwrap();
    StepVerifier::create(&range(0u64..20).concat_map(|n| range(0..n % 5).map(|v| v), 1))
        .expect_next_values(expected.clone())
        .expect_complete()
        .verify()
        .unwrap();
    let mixed = range(0u64..20).concat_map(
        |n| {
            if n % 2 == 0 {
                range(0..n % 5).boxed()
            } else {
                range(0..n % 5).map(|v| v).boxed()
            }
        },
        3,
    );
    StepVerifier::create(&mixed)
        .expect_next_values(expected)
        .expect_complete()
        .verify()
        .unwrap();
    // `just`, `empty`, `from_iter` inners.
    StepVerifier::create(&range(0u64..3).concat_map(just, 2))
        .expect_next_values([0, 1, 2])
        .expect_complete()
        .verify()
        .unwrap();
    StepVerifier::create(&range(0u64..3).concat_map(|_| empty::<u64>(), 2))
        .initial_request(0)
        .expect_complete()
        .verify()
        .unwrap();
    StepVerifier::create(&range(0u64..3).concat_map(|n| from_iter(vec![n; 2]), 2))
        .expect_next_values([0, 0, 1, 1, 2, 2])
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn the_outer_is_asked_for_the_prefetch_then_by_75_percent() {
    let (outer, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    outer.clone().concat_map(just, 8).subscribe(ts.clone());
    assert_eq!(outer.take_requests(), 8, "the prefetch upfront");
    for i in 0..5 {
        outer.send_next(i);
    }
    assert_eq!(outer.take_requests(), 0, "5 taken: below the limit of 6");
    outer.send_next(5);
    assert_eq!(outer.take_requests(), 6, "6 taken: exactly the limit");
    for i in 6..12 {
        outer.send_next(i);
    }
    assert_eq!(outer.take_requests(), 6);
    outer.send_completion();
    assert_eq!(ts.values(), (0..12).collect::<Vec<_>>());
    assert!(ts.is_complete());
    assert_clean(&env);
    // A prefetch of 1 asks one at a time.
    let (outer, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    outer.clone().concat_map(just, 1).subscribe(ts.clone());
    assert_eq!(outer.take_requests(), 1);
    outer.send_next(1);
    assert_eq!(outer.take_requests(), 1);
    outer.send_completion();
    assert_eq!(ts.values(), [1]);
    assert_clean(&env);
}

#[test]
fn a_subscribed_inner_is_asked_only_for_what_the_downstream_wants() {
    let (outer, env) = manual::<u64>();
    let (inner, inner_env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(3);
    let i = inner.clone();
    outer
        .clone()
        .concat_map(move |_| i.clone(), 2)
        .subscribe(ts.clone());
    outer.send_next(0);
    assert_eq!(inner.take_requests(), 3, "the downstream's 3");
    inner.send_next(10);
    inner.send_next(11);
    assert_eq!(ts.values(), [10, 11]);
    assert_eq!(inner.take_requests(), 0, "1 still outstanding: enough");
    ts.request(100);
    assert_eq!(
        inner.take_requests(),
        31,
        "topped up to 32 outstanding, no more"
    );
    inner.send_next(12);
    assert_eq!(inner.take_requests(), 0);
    assert_clean(&env);
    assert_clean(&inner_env);
}

#[test]
fn the_next_inner_gets_the_demand_still_owed() {
    let (outer, env) = manual::<u64>();
    let inners: Vec<ManualPublisher<u64>> = (0..2).map(|_| manual::<u64>().0).collect();
    let ts = TestSubscriber::<u64>::with_request(5);
    let all = inners.clone();
    outer
        .clone()
        .concat_map(move |i| all[i as usize].clone(), 2)
        .subscribe(ts.clone());
    outer.send_next(0);
    outer.send_next(1);
    assert!(
        !inners[1].has_subscriber(),
        "the second inner waits for the first"
    );
    assert_eq!(inners[0].take_requests(), 5);
    inners[0].send_next(1);
    inners[0].send_next(2);
    inners[0].send_completion();
    assert!(inners[1].has_subscriber());
    assert_eq!(inners[1].take_requests(), 3, "5 requested - 2 delivered");
    inners[1].send_next(3);
    inners[1].send_completion();
    assert!(!ts.is_terminated(), "the outer has not completed");
    outer.send_completion();
    assert_eq!(ts.values(), [1, 2, 3]);
    assert!(
        ts.is_complete(),
        "completes after the outer and every inner"
    );
    assert_clean(&env);
}

#[test]
fn completion_waits_for_the_last_inner() {
    let (outer, env) = manual::<u64>();
    let (inner, _inner_env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::new();
    let i = inner.clone();
    outer
        .clone()
        .concat_map(move |_| i.clone(), 2)
        .subscribe(ts.clone());
    outer.send_next(0);
    outer.send_completion();
    assert!(!ts.is_terminated());
    inner.send_next(1);
    inner.send_completion();
    assert!(ts.is_complete());
    assert_eq!(ts.values(), [1]);
    assert_clean(&env);
}

#[test]
fn demand_is_exact_in_several_request_patterns() {
    let expected: Vec<u64> = (0u64..6).flat_map(|n| 0..n).collect();
    for fused in [true, false] {
        for pattern in [vec![1u64; 15], vec![2, 5, 8], vec![4, 1, 10], vec![15]] {
            let ts = TestSubscriber::<u64>::with_request(0);
            range(0u64..6)
                .concat_map(
                    move |n| {
                        if fused {
                            range(0..n).boxed()
                        } else {
                            range(0..n).map(|v| v).boxed()
                        }
                    },
                    2,
                )
                .subscribe(ts.clone());
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
}

#[test]
fn an_inner_error_fails_fast_and_cancels_the_outer() {
    let (outer, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::new();
    outer
        .clone()
        .concat_map(
            |n| {
                if n == 1 {
                    error(Error::msg("inner")).boxed()
                } else {
                    range(0..2).boxed()
                }
            },
            4,
        )
        .subscribe(ts.clone());
    outer.send_next(0);
    outer.send_next(1);
    assert_eq!(ts.values(), [0, 1]);
    assert_eq!(
        ts.error().map(|e| e.message().to_owned()),
        Some("inner".into())
    );
    assert!(outer.is_cancelled());
    assert_clean(&env);
}

#[test]
fn an_outer_error_fails_fast_and_cancels_the_inner() {
    let (outer, env) = manual::<u64>();
    let (inner, inner_env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::new();
    let i = inner.clone();
    outer
        .clone()
        .concat_map(move |_| i.clone(), 4)
        .subscribe(ts.clone());
    outer.send_next(0);
    outer.send_next(1); // queued behind the running inner
    inner.send_next(5);
    outer.send_error(Error::msg("outer"));
    assert_eq!(ts.values(), [5]);
    assert_eq!(
        ts.error().map(|e| e.message().to_owned()),
        Some("outer".into())
    );
    assert!(inner.is_cancelled(), "the running inner is cancelled");
    assert_clean(&env);
    assert_clean(&inner_env);
}

#[test]
fn delay_error_plays_every_inner_then_reports_all_errors() {
    let inners = range(0u64..4).concat_map_delay_error(
        |n| match n {
            1 => error(Error::msg("one")).boxed(),
            2 => range(0..3)
                .map(|v| v)
                .concat_with(error(Error::msg("two")))
                .boxed(),
            _ => just(n * 100).boxed(),
        },
        2,
    );
    StepVerifier::create(&inners)
        .expect_next_values([0, 0, 1, 2, 300])
        .expect_error_matches(|e| {
            CompositeError::of(e)
                .is_some_and(|c| c.errors().iter().map(Error::message).eq(["one", "two"]))
        })
        .verify()
        .unwrap();
    // The outer's error is kept until the queued items' inners have played.
    let (outer, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(0);
    outer
        .clone()
        .concat_map_delay_error(just, 4)
        .subscribe(ts.clone());
    outer.send_next(1);
    outer.send_next(2);
    outer.send_error(Error::msg("outer"));
    assert!(!ts.is_terminated());
    ts.request(2);
    assert_eq!(ts.values(), [1, 2]);
    assert_eq!(
        ts.error().map(|e| e.message().to_owned()),
        Some("outer".into())
    );
    assert_clean(&env);
}

#[test]
fn cancel_reaches_the_outer_and_the_running_inner() {
    let (outer, env) = manual::<u64>();
    let (inner, inner_env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(3);
    let i = inner.clone();
    outer
        .clone()
        .concat_map(move |_| i.clone(), 4)
        .subscribe(ts.tracked_clone());
    outer.send_next(0);
    inner.send_next(1);
    ts.cancel();
    assert!(outer.is_cancelled());
    assert!(inner.is_cancelled());
    // A late item of the cancelled inner goes nowhere.
    inner.send_next(2);
    assert_eq!(ts.values(), [1]);
    assert!(!ts.is_terminated());
    assert_clean(&env);
    assert_clean(&inner_env);
}

#[test]
fn an_inner_sending_more_than_asked_overflows() {
    let (outer, _env) = manual::<u64>();
    let (inner, _inner_env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(0);
    let i = inner.clone();
    outer
        .clone()
        .concat_map(move |_| i.clone(), 1)
        .subscribe(ts.clone());
    outer.send_next(0);
    for v in 0..=32 {
        inner.send_next(v); // nothing was requested: the ring holds 32
    }
    ts.request(40);
    assert_eq!(ts.value_count(), 32);
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::Overflow));
    assert!(inner.is_cancelled());
}

#[test]
fn request_zero_ends_with_rule_3_9_and_cancels_both_sides() {
    request_zero_ends_with_rule_3_9(&range(0u64..5).concat_map(|n| range(0..n), 2));
    request_zero_ends_with_rule_3_9(&range(0u64..5).concat_map(|n| range(0..n).map(|v| v), 2));
    let (outer, env) = manual::<u64>();
    let (inner, inner_env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(1);
    let i = inner.clone();
    outer
        .clone()
        .concat_map(move |_| i.clone(), 2)
        .subscribe(ts.clone());
    outer.send_next(0);
    ts.request(0);
    assert_eq!(
        ts.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
    assert!(outer.is_cancelled());
    assert!(inner.is_cancelled());
    assert_clean(&env);
    inner.take_requests();
    drop(inner_env);
}

#[test]
fn requests_from_on_next_stay_at_depth_one() {
    requests_from_on_next_do_not_recurse(
        &range(0u64..100).concat_map(|i| range(i * 100..(i + 1) * 100), 4),
    );
    requests_from_on_next_do_not_recurse(
        &range(0u64..100).concat_map(|i| range(i * 100..(i + 1) * 100).map(|v| v), 4),
    );
}

#[test]
fn inners_on_other_threads_play_in_order_with_exact_demand() {
    let pool = PoolScheduler::builder()
        .threads(2)
        .name("concat-map-pool")
        .build();
    let single = SingleThreadScheduler::new();
    let expected: Vec<u64> = (0u64..60).flat_map(|i| i * 10..i * 10 + i % 7).collect();
    for request in [1u64, 5, UNBOUNDED] {
        let (p, s) = (pool.clone(), single.clone());
        let ts = TestSubscriber::<u64>::with_request(request).with_on_next_hook(move |ts, _| {
            if request != UNBOUNDED && ts.value_count() % request == 0 {
                ts.request(request)
            }
        });
        range(0u64..60)
            .publish_on(pool.clone(), 4)
            .concat_map(
                move |i| match i % 3 {
                    0 => range(i * 10..i * 10 + i % 7)
                        .publish_on(p.clone(), 2)
                        .boxed(),
                    1 => range(i * 10..i * 10 + i % 7)
                        .publish_on(s.clone(), 3)
                        .boxed(),
                    _ => range(i * 10..i * 10 + i % 7).boxed(),
                },
                3,
            )
            .subscribe(ts.clone());
        assert!(ts.await_terminal(PATIENCE), "{ts:?}");
        assert_eq!(ts.values(), expected);
        assert!(ts.is_complete());
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}

#[test]
fn an_inner_driven_from_another_thread() {
    let (outer, env) = manual::<u64>();
    let (inner, inner_env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(4);
    let i = inner.clone();
    outer
        .clone()
        .concat_map(move |_| i.clone(), 2)
        .subscribe(ts.clone());
    outer.send_next(0);
    outer.send_completion();
    let driver = inner.clone();
    std::thread::spawn(move || {
        let asked = driver.expect_request().unwrap();
        for v in 0..asked {
            driver.send_next(v);
        }
        driver.send_completion();
    })
    .join()
    .unwrap();
    assert!(ts.await_terminal(PATIENCE));
    assert_eq!(ts.values(), [0, 1, 2, 3]);
    assert!(ts.is_complete());
    assert_clean(&env);
    assert_clean(&inner_env);
}

#[test]
#[should_panic(expected = "prefetch must be at least 1")]
fn a_prefetch_of_zero_panics() {
    let _ = range(0u64..1).concat_map(just, 0);
}
