//! `flat_map`, `flat_map_delay_error`, `merge`, `merge_delay_error`, `merge_with`: exact
//! requests to the outer and to each inner (recorded with `ManualPublisher`s), completion only
//! after every inner, fail fast and delay error, cancel of everything, rule 3.9, never more
//! than requested, fused inners (`range`, `just`) and inners on other threads, the queue
//! bound, overflow.
//!
//! The tests with manual publishers drive every signal from the test thread: the operator
//! runs its drain loop on the signalling thread, so what it does is done when the call
//! returns, and `take_requests()` reads it without waiting.

use reactive_core::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use reactive_core::scheduler::{PoolScheduler, SingleThreadScheduler};
use reactive_core::{Error, ErrorKind, Publisher};
use reactive_operators::{PublisherExt, error, just, merge, merge_delay_error, range};
use reactive_tck::harness::ManualPublisher;
use reactive_tck::{StepVerifier, TestEnvironment, TestSubscriber};

use crate::support::{
    PATIENCE, assert_clean, manual, request_zero_ends_with_rule_3_9,
    requests_from_on_next_do_not_recurse,
};

/// An outer manual publisher of indices, `n` manual inners, and `flat_map(inner i, c, p)`
/// subscribed by `ts`.
struct Rig {
    outer: ManualPublisher<usize>,
    inners: Vec<ManualPublisher<u64>>,
    env: TestEnvironment,
    ts: TestSubscriber<u64>,
}

fn rig(n: usize, concurrency: usize, prefetch: usize, delay: bool, initial: u64) -> Rig {
    let (outer, env) = manual::<usize>();
    let inners: Vec<_> = (0..n).map(|_| ManualPublisher::new(&env)).collect();
    let ts = TestSubscriber::with_request(initial);
    let all = inners.clone();
    let f = move |i: usize| all[i].clone();
    if delay {
        outer
            .clone()
            .flat_map_delay_error(f, concurrency, prefetch)
            .subscribe(ts.clone());
    } else {
        outer
            .clone()
            .flat_map(f, concurrency, prefetch)
            .subscribe(ts.clone());
    }
    Rig {
        outer,
        inners,
        env,
        ts,
    }
}

#[test]
fn flat_map_4_32_requests_exactly_what_its_docs_say() {
    let r = rig(8, 4, 32, false, 1_000);
    assert_eq!(r.outer.take_requests(), 4, "max_concurrency upfront");
    for i in 0..4 {
        r.outer.send_next(i);
        assert_eq!(r.inners[i].take_requests(), 32, "prefetch upfront");
    }
    // 23 items from inner 0: no replenish yet; the 24th: exactly 24 more.
    for v in 0..23 {
        r.inners[0].send_next(v);
    }
    assert_eq!(r.inners[0].take_requests(), 0);
    r.inners[0].send_next(23);
    assert_eq!(r.inners[0].take_requests(), 24, "75% of 32");
    assert_eq!(r.inners[1].take_requests(), 0);
    // Two completed inners: no outer request; the third: exactly 3.
    r.inners[0].send_completion();
    r.inners[1].send_completion();
    assert_eq!(r.outer.take_requests(), 0);
    r.inners[2].send_completion();
    assert_eq!(r.outer.take_requests(), 3, "75% of 4");
    assert_eq!(r.ts.value_count(), 24);
    r.ts.cancel();
    assert_clean(&r.env);
}

#[test]
fn replenishes_by_what_the_downstream_consumed_not_by_what_arrived() {
    let r = rig(1, 1, 4, false, 0);
    r.outer.send_next(0);
    assert_eq!(r.inners[0].take_requests(), 4);
    for v in 0..4 {
        r.inners[0].send_next(v);
    }
    // Queued, nothing delivered: nothing replenished.
    assert_eq!(r.inners[0].take_requests(), 0);
    r.ts.request(2);
    assert_eq!(r.ts.values(), [0, 1]);
    assert_eq!(r.inners[0].take_requests(), 0);
    r.ts.request(1);
    assert_eq!(r.inners[0].take_requests(), 3, "limit = 4 - 1 = 3 consumed");
    r.ts.cancel();
    assert!(r.inners[0].is_cancelled());
    assert_clean(&r.env);
}

#[test]
fn completes_only_after_the_outer_and_every_inner() {
    let r = rig(2, 2, 8, false, 100);
    r.outer.send_next(0);
    r.outer.send_next(1);
    r.inners[0].send_next(1);
    r.outer.send_completion();
    r.inners[0].send_completion();
    assert!(!r.ts.is_terminated(), "inner 1 is still open");
    r.inners[1].send_next(2);
    assert!(!r.ts.is_terminated());
    r.inners[1].send_completion();
    assert!(r.ts.is_complete());
    assert_eq!(r.ts.values(), [1, 2]);
    // The outer was done: a completed inner asks it for nothing more.
    assert_eq!(r.outer.take_requests(), 2);
    assert_clean(&r.env);
}

#[test]
fn completes_without_demand_once_everything_ended() {
    let r = rig(1, 1, 8, false, 1);
    r.outer.send_next(0);
    r.inners[0].send_next(5);
    assert_eq!(r.ts.values(), [5]);
    r.inners[0].send_completion();
    r.outer.send_completion();
    assert!(r.ts.is_complete(), "completion needs no demand");
    assert_clean(&r.env);
}

#[test]
fn an_inner_error_fails_fast_and_cancels_everything() {
    let r = rig(3, 3, 8, false, 0);
    for i in 0..3 {
        r.outer.send_next(i);
    }
    r.inners[1].send_next(7); // queued: no demand
    r.inners[0].send_error(Error::msg("inner 0"));
    let e = r.ts.error().expect("delivered at once, without demand");
    assert_eq!(e.message(), "inner 0");
    assert_eq!(r.ts.value_count(), 0, "the queued item is dropped");
    assert!(r.outer.is_cancelled());
    assert!(r.inners[1].is_cancelled());
    assert!(r.inners[2].is_cancelled());
    assert_clean(&r.env);
}

#[test]
fn an_outer_error_fails_fast_and_cancels_every_inner() {
    let r = rig(2, 2, 8, false, 10);
    r.outer.send_next(0);
    r.outer.send_next(1);
    r.inners[0].send_next(1);
    r.outer.send_error(Error::msg("outer"));
    assert_eq!(r.ts.error().unwrap().message(), "outer");
    assert_eq!(r.ts.values(), [1]);
    assert!(r.inners[0].is_cancelled() && r.inners[1].is_cancelled());
    assert_clean(&r.env);
}

#[test]
fn delay_error_waits_for_every_inner_and_keeps_the_first_error() {
    let r = rig(3, 3, 8, true, 100);
    for i in 0..3 {
        r.outer.send_next(i);
    }
    r.inners[0].send_error(Error::msg("first"));
    assert!(!r.ts.is_terminated());
    assert!(!r.inners[1].is_cancelled() && !r.outer.is_cancelled());
    r.inners[1].send_next(1);
    r.outer.send_error(Error::msg("second"));
    r.inners[1].send_completion();
    assert!(!r.ts.is_terminated(), "inner 2 is still open");
    r.inners[2].send_next(2);
    r.inners[2].send_completion();
    assert_eq!(r.ts.values(), [1, 2]);
    assert_eq!(
        r.ts.error().expect("the error at the end").message(),
        "first"
    );
    assert_clean(&r.env);
}

#[test]
fn cancel_while_inners_run_cancels_the_outer_and_every_inner() {
    let r = rig(3, 3, 8, false, 5);
    for i in 0..3 {
        r.outer.send_next(i);
    }
    r.inners[0].send_next(1);
    r.inners[1].send_next(2);
    r.ts.cancel();
    assert!(r.outer.is_cancelled());
    assert!(r.inners.iter().all(ManualPublisher::is_cancelled));
    // Late signals after the cancel go nowhere.
    r.inners[2].send_next(3);
    assert_eq!(r.ts.values(), [1, 2]);
    assert!(!r.ts.is_terminated());
    assert_clean(&r.env);
}

#[test]
fn cancel_drops_the_downstream() {
    let ts = TestSubscriber::<u64>::with_request(1);
    let tracked = ts.tracked_clone();
    let (outer, env) = manual::<u64>();
    outer.clone().flat_map(just, 2, 2).subscribe(tracked);
    outer.send_next(1);
    assert_eq!(ts.values(), [1]);
    ts.cancel();
    assert!(ts.is_dropped(), "rule 3.13");
    assert!(outer.is_cancelled());
    assert_clean(&env);
}

#[test]
fn request_zero_is_the_rule_3_9_error() {
    request_zero_ends_with_rule_3_9(&range(0..10u64).flat_map(|v| range(0..v), 4, 32));
    request_zero_ends_with_rule_3_9(&merge([range(0..10u64), range(0..10u64)], 8));
    // The inners are cancelled with it.
    let r = rig(1, 1, 8, false, 0);
    r.outer.send_next(0);
    r.ts.request(0);
    let e = r.ts.error().unwrap();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.message().contains("rule 3.9"));
    assert!(r.inners[0].is_cancelled() && r.outer.is_cancelled());
    assert_clean(&r.env);
}

#[test]
fn never_more_than_requested_one_at_a_time_from_on_next() {
    requests_from_on_next_do_not_recurse(&range(0..100u64).flat_map(|_| range(0..100u64), 4, 32));
    requests_from_on_next_do_not_recurse(&range(0..10_000u64).flat_map(just, 4, 32));
    // An outer that does not fuse: subscribed, requested 4 then 3 at a time.
    requests_from_on_next_do_not_recurse(&range(0..10_000u64).map(|v| v).flat_map(just, 4, 32));
    requests_from_on_next_do_not_recurse(&range(0..100u64).map(|v| v).flat_map(
        |_| range(0..100u64),
        4,
        32,
    ));
    requests_from_on_next_do_not_recurse(&range(0..100u64).flat_map(
        |_| range(0..100u64).map(|v| v + 1), // not fused: subscribed, queued
        4,
        8,
    ));
}

#[test]
fn fused_inners_are_pulled_oldest_first_under_demand() {
    StepVerifier::create(&range(0..3u64).flat_map(|i| range(i * 10..i * 10 + 3), 3, 32))
        .initial_request(4)
        .expect_next_values([0, 1, 2, 10])
        // Oldest first, whatever the split of the demand: the order of concatenation.
        .then_request(1)
        .expect_next(11)
        .then_request(10)
        .expect_next_values([12, 20, 21, 22])
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn a_just_inner_waits_for_demand_and_counts_against_concurrency() {
    let (outer, env) = manual::<u64>();
    let ts = TestSubscriber::with_request(0);
    outer.clone().flat_map(just, 4, 32).subscribe(ts.clone());
    assert_eq!(outer.take_requests(), 4);
    for v in 0..4 {
        outer.send_next(v);
    }
    assert_eq!(ts.value_count(), 0);
    ts.request(2);
    assert_eq!(ts.values(), [0, 1]);
    assert_eq!(outer.take_requests(), 0, "2 of 3 completed");
    ts.request(1);
    assert_eq!(outer.take_requests(), 3);
    ts.request(10);
    assert_eq!(ts.values(), [0, 1, 2, 3]);
    outer.send_completion();
    assert!(ts.is_complete());
    assert_clean(&env);
}

#[test]
fn fused_inner_errors_fail_fast_or_wait() {
    let failing = |v: u64| {
        if v == 1 {
            error(Error::msg("boom")).boxed()
        } else {
            range(0..3u64).boxed()
        }
    };
    StepVerifier::create(&range(0..3u64).flat_map(failing, 1, 8))
        .expect_next_values([0, 1, 2])
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
    StepVerifier::create(&range(0..3u64).flat_map_delay_error(failing, 1, 8))
        .expect_next_count(6)
        .expect_error_matches(|e| e.message() == "boom")
        .verify()
        .unwrap();
}

#[test]
fn an_inner_sending_more_than_requested_is_an_overflow() {
    let r = rig(1, 1, 2, false, 0);
    r.outer.send_next(0);
    for v in 0..3 {
        r.inners[0].send_next(v);
    }
    let e = r.ts.error().expect("overflow");
    assert_eq!(e.kind(), ErrorKind::Overflow);
    assert!(e.message().contains("flat_map"), "{e}");
    assert!(r.inners[0].is_cancelled() && r.outer.is_cancelled());
}

#[test]
fn an_outer_sending_more_than_requested_is_an_overflow() {
    let r = rig(3, 2, 2, false, 0);
    for i in 0..3 {
        r.outer.send_next(i);
    }
    let e = r.ts.error().expect("overflow");
    assert_eq!(e.kind(), ErrorKind::Overflow);
    assert!(e.message().contains("flat_map"), "{e}");
    assert!(r.outer.is_cancelled());
    assert!(r.inners[0].is_cancelled() && r.inners[1].is_cancelled());
}

#[test]
fn inners_on_other_threads_deliver_everything_in_order_per_inner() {
    let pool = PoolScheduler::new(2);
    let single = SingleThreadScheduler::new();
    for concurrency in [1, 3, 16] {
        let (p, s) = (pool.clone(), single.clone());
        let flat = range(0..20u64).flat_map(
            move |i| {
                let inner = range(i * 1000..i * 1000 + 50);
                if i % 2 == 0 {
                    inner.publish_on(p.clone(), 4).boxed()
                } else if i % 3 == 0 {
                    inner.publish_on(s.clone(), 8).boxed()
                } else {
                    inner.boxed() // fused
                }
            },
            concurrency,
            8,
        );
        let ts = TestSubscriber::with_request(3).with_on_next_hook(|ts, _| ts.request(1));
        flat.subscribe(ts.clone());
        assert!(ts.await_terminal(PATIENCE));
        assert!(ts.is_complete(), "{:?}", ts.error());
        let values = ts.values();
        assert_eq!(values.len(), 1000);
        for i in 0..20u64 {
            let mine: Vec<_> = values.iter().filter(|v| **v / 1000 == i).copied().collect();
            assert_eq!(mine, (i * 1000..i * 1000 + 50).collect::<Vec<_>>());
        }
        assert!(ts.violations().is_empty(), "{:?}", ts.violations());
    }
}

#[test]
fn inners_driven_from_two_threads_at_once() {
    let (outer, env) = manual::<usize>();
    let inners: Vec<ManualPublisher<u64>> = (0..2).map(|_| ManualPublisher::new(&env)).collect();
    let all = inners.clone();
    // One at a time, requested from inside `on_next` on whichever thread delivers.
    let ts = TestSubscriber::with_request(1).with_on_next_hook(|ts, _| ts.request(1));
    outer
        .clone()
        .flat_map(move |i| all[i].clone(), 2, 4)
        .subscribe(ts.clone());
    outer.send_next(0);
    outer.send_next(1);
    outer.send_completion();
    let threads: Vec<_> = inners
        .iter()
        .enumerate()
        .map(|(i, inner)| {
            let inner = inner.clone();
            std::thread::spawn(move || {
                // Sends only what was requested, waiting (yielding) for more.
                let mut credit = 0;
                for v in 0..500u64 {
                    while credit == 0 {
                        credit += inner.take_requests();
                        std::thread::yield_now();
                    }
                    credit -= 1;
                    inner.send_next(i as u64 * 1000 + v);
                }
                inner.send_completion();
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert!(ts.await_terminal(PATIENCE));
    assert!(ts.is_complete(), "{:?}", ts.error());
    let values = ts.values();
    assert_eq!(values.len(), 1000);
    for i in 0..2u64 {
        let mine: Vec<_> = values.iter().filter(|v| **v / 1000 == i).copied().collect();
        assert_eq!(mine, (i * 1000..i * 1000 + 500).collect::<Vec<_>>());
    }
    assert_clean(&env);
}

#[test]
fn the_queued_items_stay_within_concurrency_times_prefetch() {
    // Counts items that left an inner and did not reach the downstream yet.
    let in_flight = Arc::new(AtomicU64::new(0));
    let max = Arc::new(AtomicU64::new(0));
    let (up, top) = (in_flight.clone(), max.clone());
    let pool = PoolScheduler::new(2);
    let flat = range(0..200u64).flat_map(
        move |_| {
            let (up, top) = (up.clone(), top.clone());
            range(0..100u64)
                .map(move |v| {
                    let now = up.fetch_add(1, Ordering::SeqCst) + 1;
                    top.fetch_max(now, Ordering::SeqCst);
                    v
                })
                .publish_on(pool.clone(), 2) // the items queued in publish_on count too
        },
        4,
        8,
    );
    let down = in_flight.clone();
    let ts = TestSubscriber::with_request(1).with_on_next_hook(move |ts, _| {
        down.fetch_sub(1, Ordering::SeqCst);
        ts.request(1);
    });
    flat.subscribe(ts.clone());
    assert!(ts.await_terminal(PATIENCE));
    assert_eq!(ts.value_count(), 20_000);
    let max = max.load(Ordering::SeqCst);
    // 4 inners × (8 in flat_map's ring + 2 in publish_on's queue) + 1 in hand per inner.
    assert!(max <= 4 * (8 + 2 + 1), "{max} items queued at once");
    assert!(max > 0);
}

#[test]
fn merge_requests_prefetch_from_each_source_and_replenishes_by_75_percent() {
    let env = TestEnvironment::with_timeouts(2_000);
    let sources: Vec<ManualPublisher<u64>> = (0..3).map(|_| ManualPublisher::new(&env)).collect();
    let ts = TestSubscriber::with_request(100);
    merge(sources.clone(), 8).subscribe(ts.clone());
    for s in &sources {
        assert_eq!(s.take_requests(), 8);
    }
    for v in 0..6 {
        sources[1].send_next(v);
    }
    assert_eq!(sources[1].take_requests(), 6);
    sources[0].send_completion();
    sources[1].send_completion();
    assert!(!ts.is_terminated());
    sources[2].send_next(9);
    sources[2].send_completion();
    assert!(ts.is_complete());
    assert_eq!(ts.value_count(), 7);
    assert_clean(&env);
}

#[test]
fn merge_fails_fast_and_merge_delay_error_waits() {
    let env = TestEnvironment::with_timeouts(2_000);
    let sources: Vec<ManualPublisher<u64>> = (0..2).map(|_| ManualPublisher::new(&env)).collect();
    let ts = TestSubscriber::with_request(10);
    merge(sources.clone(), 4).subscribe(ts.clone());
    sources[0].send_error(Error::msg("a"));
    assert_eq!(ts.error().unwrap().message(), "a");
    assert!(sources[1].is_cancelled());

    let sources: Vec<ManualPublisher<u64>> = (0..2).map(|_| ManualPublisher::new(&env)).collect();
    let ts = TestSubscriber::with_request(10);
    merge_delay_error(sources.clone(), 4).subscribe(ts.clone());
    sources[0].send_error(Error::msg("a"));
    assert!(!ts.is_terminated() && !sources[1].is_cancelled());
    sources[1].send_next(1);
    sources[1].send_completion();
    assert_eq!(ts.values(), [1]);
    assert_eq!(ts.error().unwrap().message(), "a");
    assert_clean(&env);
}

#[test]
fn merge_cancel_cancels_every_source() {
    let env = TestEnvironment::with_timeouts(2_000);
    let sources: Vec<ManualPublisher<u64>> = (0..3).map(|_| ManualPublisher::new(&env)).collect();
    let ts = TestSubscriber::with_request(1);
    merge(sources.clone(), 4).subscribe(ts.clone());
    sources[2].send_next(1);
    ts.cancel();
    assert!(sources.iter().all(ManualPublisher::is_cancelled));
    assert_clean(&env);
}

#[test]
fn merge_of_nothing_completes() {
    StepVerifier::create(&merge(
        Vec::<reactive_operators::source::Range<u64>>::new(),
        4,
    ))
    .initial_request(0)
    .expect_complete()
    .verify()
    .unwrap();
}

#[test]
fn merge_of_publish_on_sources_delivers_everything() {
    let pool = PoolScheduler::new(2);
    let sources: Vec<_> = (0..4u64)
        .map(|i| range(i * 10_000..i * 10_000 + 5_000).publish_on(pool.clone(), 16))
        .collect();
    let ts = TestSubscriber::with_request(7).with_on_next_hook(|ts, _| ts.request(1));
    merge(sources, 8).subscribe(ts.clone());
    assert!(ts.await_terminal(PATIENCE));
    assert!(ts.is_complete());
    let mut values = ts.values();
    assert_eq!(values.len(), 20_000);
    values.sort_unstable();
    values.dedup();
    assert_eq!(values.len(), 20_000, "an item was duplicated");
}

#[test]
fn merge_with_interleaves_two_sources() {
    let single = SingleThreadScheduler::new();
    let ts = TestSubscriber::new();
    range(0..100u64)
        .publish_on(single, 8)
        .merge_with(range(100..200u64))
        .subscribe(ts.clone());
    assert!(ts.await_terminal(PATIENCE));
    let mut values = ts.values();
    values.sort_unstable();
    assert_eq!(values, (0..200).collect::<Vec<_>>());
    StepVerifier::create(&just(1u64).merge_with(just(2)))
        .expect_next_values([1, 2])
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn a_just_with_demand_does_not_wait_behind_an_idle_older_inner() {
    for outer in [range(0..2u64).boxed(), range(0..2u64).map(|v| v).boxed()] {
        let (idle, env) = manual::<u64>();
        let older = idle.clone();
        let ts = TestSubscriber::with_request(1);
        outer
            .flat_map(
                move |i| {
                    if i == 0 {
                        older.clone().boxed()
                    } else {
                        just(5).boxed()
                    }
                },
                2,
                4,
            )
            .subscribe(ts.clone());
        assert_eq!(ts.values(), [5], "the idle inner holds nothing back");
        ts.cancel();
        assert!(idle.is_cancelled());
        assert_clean(&env);
    }
}
