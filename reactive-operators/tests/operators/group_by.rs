//! `group_by`: groups and their items, each group's own demand, the exact upstream requests
//! under each overflow policy, a group nobody consumes (fails, drops, or stalls and resumes),
//! `max_groups`, fresh groups after a cancel, one subscriber per group, rule 3.9 on both
//! levels, cancelling the outer stream while groups run, errors, the memory bound, and groups
//! consumed on other threads.

use reactive_core::sync::atomic::{AtomicU64, Ordering};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use reactive_core::scheduler::{PoolScheduler, SingleThreadScheduler};
use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::ops::{GroupOverflow, GroupedPublisher};
use reactive_operators::{PublisherExt, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{PATIENCE, assert_clean, manual};
use crate::window::{Lcg, Planned, paced};

type Inners = Arc<Mutex<Vec<(u64, TestSubscriber<u64>)>>>;

/// Subscribes every group with a `TestSubscriber::with_request(request)` as it arrives;
/// returns the outer subscriber (of keys) and the groups' subscribers, in arrival order.
fn subscribe_each<P>(groups: P, outer_request: u64, request: u64) -> (TestSubscriber<u64>, Inners)
where
    P: Publisher<Item = GroupedPublisher<u64, u64>> + 'static,
{
    let inners: Inners = Arc::default();
    let keep = inners.clone();
    let outer = TestSubscriber::with_request(outer_request);
    groups
        .map(move |g| {
            let ts = TestSubscriber::with_request(request);
            g.subscribe(ts.tracked_clone());
            keep.lock().unwrap().push((*g.key(), ts));
            *g.key()
        })
        .subscribe(outer.tracked_clone());
    (outer, inners)
}

/// The subscriber of the `i`-th group to arrive.
fn inner(inners: &Inners, i: usize) -> TestSubscriber<u64> {
    inners.lock().unwrap()[i].1.clone()
}

#[test]
fn every_item_reaches_the_group_of_its_key_in_order() {
    let (outer, inners) = subscribe_each(
        range(0u64..100).group_by(|x| x % 7, 256),
        UNBOUNDED,
        UNBOUNDED,
    );
    assert_eq!(outer.values(), (0..7).collect::<Vec<_>>());
    assert!(outer.is_complete());
    for (key, ts) in inners.lock().unwrap().iter() {
        assert_eq!(
            ts.values(),
            (0..100).filter(|x| x % 7 == *key).collect::<Vec<_>>()
        );
        assert!(ts.is_complete());
    }
}

#[test]
fn a_group_delivers_only_what_its_subscriber_requested() {
    let (outer, inners) = subscribe_each(range(0u64..20).group_by(|x| x % 2, 16), UNBOUNDED, 3);
    assert!(outer.is_complete());
    let even = inner(&inners, 0);
    assert_eq!(even.values(), [0, 2, 4]);
    even.request(2);
    assert_eq!(even.values(), [0, 2, 4, 6, 8]);
    assert!(!even.is_complete());
    even.request(UNBOUNDED);
    assert_eq!(even.values().len(), 10);
    assert!(even.is_complete(), "completes after its queued items");
    assert!(even.violations().is_empty());
}

#[test]
fn requests_prefetch_then_the_replenish_limit_per_limit_items_taken() {
    let (upstream, env) = manual::<u64>();
    let (_, inners) = subscribe_each(upstream.clone().group_by(|x| x % 2, 4), UNBOUNDED, 0);
    upstream.expect_exact_request(4).unwrap();
    upstream.send_next(0);
    upstream.send_next(1);
    assert_eq!(upstream.take_requests(), 0);
    upstream.send_next(2);
    // 3 = 4 - 4/4 items taken off the upstream (queued; nobody consumed yet): 3 more.
    upstream.expect_exact_request(3).unwrap();
    assert_eq!(
        inner(&inners, 0).values(),
        Vec::<u64>::new(),
        "the groups' own demand is 0"
    );
    assert_clean(&env);
}

#[test]
fn backpressure_replenishes_as_the_groups_consume_and_resumes_after_a_stall() {
    let (upstream, env) = manual::<u64>();
    let (_, inners) = subscribe_each(
        upstream
            .clone()
            .group_by(|x| x % 2, 4)
            .overflow(GroupOverflow::Backpressure),
        UNBOUNDED,
        0,
    );
    upstream.expect_exact_request(4).unwrap();
    for i in [0, 2, 4, 6] {
        upstream.send_next(i);
    }
    // Group 0 holds the whole prefetch and nobody consumes it: the pipeline stalls.
    assert_eq!(upstream.take_requests(), 0, "stalled: nothing consumed");
    let even = inner(&inners, 0);
    even.request(2);
    assert_eq!(upstream.take_requests(), 0, "2 consumed, the limit is 3");
    even.request(1);
    upstream.expect_exact_request(3).unwrap(); // resumed
    upstream.send_next(1);
    upstream.send_next(8);
    even.request(UNBOUNDED);
    assert_eq!(even.values(), [0, 2, 4, 6, 8]);
    assert_eq!(
        upstream.take_requests(),
        0,
        "5 consumed: 3 then 2 toward the next 3"
    );
    let odd = inner(&inners, 1);
    odd.request(1);
    upstream.expect_exact_request(3).unwrap();
    upstream.send_completion();
    assert!(even.is_complete() && odd.is_complete());
    assert_clean(&env);
}

#[test]
fn error_policy_a_group_nobody_consumes_fails_the_stream_naming_the_key() {
    let (upstream, env) = manual::<u64>();
    let (outer, inners) = subscribe_each(upstream.clone().group_by(|x| x % 2, 4), UNBOUNDED, 0);
    for i in [1, 0, 2, 4, 6] {
        upstream.send_next(i);
    }
    assert!(!outer.is_terminated(), "4 items fit in group 0's queue");
    upstream.send_next(8);
    assert!(upstream.is_cancelled());
    let error = outer.error().expect("overflow");
    assert_eq!(error.kind(), ErrorKind::Overflow);
    let message = error.to_string();
    assert!(
        message.contains("group_by") && message.contains("group 0"),
        "{message}"
    );
    assert!(message.contains("4 of 4"), "{message}");
    assert_eq!(
        inner(&inners, 0).error().map(|e| e.kind()),
        Some(ErrorKind::Overflow)
    );
    assert_eq!(
        inner(&inners, 1).error().map(|e| e.kind()),
        Some(ErrorKind::Overflow)
    );
    assert_clean(&env);
}

#[test]
fn error_policy_groups_the_downstream_does_not_take_fail_the_stream() {
    let (upstream, env) = manual::<u64>();
    // One group asked for; key 1's group waits, its queue (2) fills.
    let (outer, _) = subscribe_each(upstream.clone().group_by(|x| x % 2, 2), 1, UNBOUNDED);
    for i in [0, 1, 3] {
        upstream.send_next(i);
    }
    assert!(!outer.is_terminated());
    upstream.send_next(5);
    assert_eq!(outer.values(), [0]);
    assert!(outer.error().unwrap().to_string().contains("group 1"));
    assert!(upstream.is_cancelled());
    assert_clean(&env);
}

#[test]
fn drop_policy_drops_what_a_full_queue_cannot_take_and_the_others_go_on() {
    let dropped = Arc::new(Mutex::new(Vec::new()));
    let seen = dropped.clone();
    let (outer, inners) = subscribe_each(
        range(0u64..20)
            .group_by(|x| x % 2, 3)
            .on_dropped(move |key, item| seen.lock().unwrap().push((*key, item))),
        UNBOUNDED,
        0,
    );
    assert!(outer.is_complete());
    let (even, odd) = (inner(&inners, 0), inner(&inners, 1));
    even.request(UNBOUNDED);
    assert_eq!(even.values(), [0, 2, 4]);
    odd.request(UNBOUNDED);
    assert_eq!(odd.values(), [1, 3, 5]);
    assert!(even.is_complete() && odd.is_complete());
    let dropped = dropped.lock().unwrap().clone();
    assert_eq!(dropped.len(), 14);
    assert!(
        dropped
            .iter()
            .all(|(key, item)| item % 2 == *key && *item >= 6)
    );
}

#[test]
fn max_groups_bounds_the_open_groups() {
    let held: Arc<Mutex<Vec<GroupedPublisher<u64, u64>>>> = Arc::default();
    let keep = held.clone();
    let outer = TestSubscriber::new();
    range(0u64..10)
        .group_by(|x| *x, 4)
        .max_groups(3)
        .map(move |g| {
            let key = *g.key();
            keep.lock().unwrap().push(g);
            key
        })
        .subscribe(outer.clone());
    assert_eq!(outer.values(), [0, 1, 2]);
    let error = outer.error().expect("a fourth group");
    assert_eq!(error.kind(), ErrorKind::Overflow);
    assert!(error.to_string().contains("max_groups"), "{error}");

    // Groups that ended (dropped unsubscribed here) no longer count.
    StepVerifier::create(
        &range(0u64..10)
            .group_by(|x| *x, 4)
            .max_groups(1)
            .map(|g| *g.key()),
    )
    .expect_next_values(0..10)
    .expect_complete()
    .verify()
    .unwrap();
}

#[test]
fn a_cancelled_group_stops_and_its_key_opens_a_fresh_group() {
    let (upstream, env) = manual::<u64>();
    let (outer, inners) = subscribe_each(
        upstream.clone().group_by(|x| x % 2, 8),
        UNBOUNDED,
        UNBOUNDED,
    );
    upstream.send_next(0);
    let first = inner(&inners, 0);
    first.cancel();
    upstream.send_next(2);
    assert_eq!(first.values(), [0]);
    assert!(first.is_dropped());
    assert_eq!(outer.values(), [0, 0], "a fresh group for key 0");
    assert_eq!(inner(&inners, 1).values(), [2]);
    assert!(!upstream.is_cancelled());
    upstream.send_completion();
    assert!(outer.is_complete() && inner(&inners, 1).is_complete());
    assert_clean(&env);
}

#[test]
fn a_group_accepts_one_subscriber() {
    let held: Arc<Mutex<Vec<GroupedPublisher<u64, u64>>>> = Arc::default();
    let keep = held.clone();
    let outer = TestSubscriber::new();
    range(0u64..3)
        .group_by(|_| 7, 4)
        .map(move |g| keep.lock().unwrap().push(g))
        .subscribe(outer.clone());
    assert!(outer.is_complete());
    let group = held.lock().unwrap().pop().unwrap();
    assert_eq!(*group.key(), 7);
    let (first, second) = (TestSubscriber::new(), TestSubscriber::new());
    group.subscribe(first.clone());
    group.subscribe(second.clone());
    assert_eq!(first.values(), [0, 1, 2]);
    assert!(first.is_complete());
    let error = second.error().expect("rejected");
    assert_eq!(error.kind(), ErrorKind::Rejected);
    assert!(error.to_string().contains("group_by"));
}

#[test]
fn request_zero_on_the_outer_stream_or_on_a_group_is_rule_3_9() {
    let outer = TestSubscriber::with_request(0);
    // 4 items fit in the two groups' queues while the outer downstream asks for none.
    range(0u64..4)
        .group_by(|x| x % 2, 4)
        .map(|g| *g.key())
        .subscribe(outer.clone());
    outer.request(0);
    let error = outer.error().expect("rule 3.9");
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert!(error.to_string().contains("3.9"));

    let (upstream, env) = manual::<u64>();
    let (outer, inners) = subscribe_each(upstream.clone().group_by(|x| x % 2, 4), UNBOUNDED, 1);
    upstream.send_next(0);
    upstream.send_next(2);
    let even = inner(&inners, 0);
    even.request(0);
    assert_eq!(
        even.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
    assert_eq!(even.values(), [0]);
    assert!(!outer.is_terminated(), "the outer stream goes on");
    assert_clean(&env);
}

#[test]
fn cancelling_the_outer_stream_leaves_the_groups_running_until_they_end() {
    let (upstream, env) = manual::<u64>();
    let (outer, inners) = subscribe_each(
        upstream.clone().group_by(|x| x % 3, 8),
        UNBOUNDED,
        UNBOUNDED,
    );
    upstream.send_next(0);
    upstream.send_next(1);
    outer.cancel();
    assert!(!upstream.is_cancelled(), "two groups still run");
    upstream.send_next(3);
    upstream.send_next(2); // a new key: dropped, no group
    upstream.send_next(4);
    assert_eq!(outer.values(), [0, 1]);
    assert_eq!(inner(&inners, 0).values(), [0, 3]);
    assert_eq!(inner(&inners, 1).values(), [1, 4]);
    inner(&inners, 0).cancel();
    assert!(!upstream.is_cancelled(), "group 1 still runs");
    inner(&inners, 1).cancel();
    assert!(
        upstream.is_cancelled(),
        "the outer is gone and every group ended"
    );
    assert!(outer.is_dropped());
    assert_clean(&env);

    // Or the upstream ends first: the groups complete.
    let (upstream, env) = manual::<u64>();
    let (outer, inners) = subscribe_each(
        upstream.clone().group_by(|x| x % 3, 8),
        UNBOUNDED,
        UNBOUNDED,
    );
    upstream.send_next(0);
    outer.cancel();
    upstream.send_next(3);
    upstream.send_completion();
    assert_eq!(inner(&inners, 0).values(), [0, 3]);
    assert!(inner(&inners, 0).is_complete());
    assert!(!outer.is_terminated());
    assert_clean(&env);
}

#[test]
fn an_upstream_error_reaches_the_outer_stream_and_every_group() {
    let (upstream, env) = manual::<u64>();
    let (outer, inners) = subscribe_each(upstream.clone().group_by(|x| x % 2, 4), UNBOUNDED, 0);
    upstream.send_next(0);
    upstream.send_next(1);
    upstream.send_error(Error::msg("boom"));
    assert_eq!(outer.error().map(|e| e.kind()), Some(ErrorKind::User));
    for (_, ts) in inners.lock().unwrap().iter() {
        assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
        assert!(
            ts.values().is_empty(),
            "fail fast: queued items are dropped"
        );
    }
    assert_clean(&env);
}

/// 1,000 items over 10 groups of prefetch 16; group 0 is kept and never consumed. Counted
/// on the way in (before `group_by`) and on the way out (delivered or dropped): what sits in
/// the queues never exceeds `groups * prefetch`.
#[test]
fn queued_items_never_exceed_groups_times_prefetch() {
    const GROUPS: u64 = 10;
    const PREFETCH: u64 = 16;
    let emitted = Arc::new(AtomicU64::new(0));
    let delivered = Arc::new(AtomicU64::new(0));
    let dropped = Arc::new(AtomicU64::new(0));
    let most_queued = Arc::new(AtomicU64::new(0));
    let (e, d, x, m) = (
        emitted.clone(),
        delivered.clone(),
        dropped.clone(),
        most_queued.clone(),
    );
    let slow: Arc<Mutex<Vec<GroupedPublisher<u64, u64>>>> = Arc::default();
    let keep = slow.clone();
    let d2 = delivered.clone();
    let outer = TestSubscriber::new();
    range(0u64..50_000)
        .inspect(move |_| {
            // Everything before this item went in; what did not come out is queued.
            let queued =
                e.load(Ordering::Relaxed) - d.load(Ordering::Relaxed) - x.load(Ordering::Relaxed);
            m.fetch_max(queued, Ordering::Relaxed);
            e.fetch_add(1, Ordering::Relaxed);
        })
        .group_by(|x| x % GROUPS, PREFETCH as usize)
        .on_dropped(move |_, _| {
            dropped.fetch_add(1, Ordering::Relaxed);
        })
        .map(move |g| {
            if *g.key() == 0 {
                keep.lock().unwrap().push(g);
            } else {
                let d = d2.clone();
                g.subscribe_with(
                    move |_| {
                        d.fetch_add(1, Ordering::Relaxed);
                    },
                    |_| {},
                    || {},
                );
            }
        })
        .subscribe(outer.clone());
    assert!(outer.is_complete());
    let most = most_queued.load(Ordering::Relaxed);
    assert!(most <= GROUPS * PREFETCH, "{most} queued");
    assert_eq!(
        most, PREFETCH,
        "the slow group's queue filled, nothing else waited"
    );
    assert_eq!(delivered.load(Ordering::Relaxed), 45_000);
    let slow = slow.lock().unwrap().pop().unwrap();
    let ts = TestSubscriber::new();
    slow.subscribe(ts.clone());
    assert_eq!(
        ts.values(),
        (0..PREFETCH).map(|i| i * GROUPS).collect::<Vec<_>>()
    );
    assert!(ts.is_complete());
}

#[test]
fn groups_over_an_asynchronous_upstream_consumed_on_other_threads() {
    let pool = PoolScheduler::new(2);
    // Error policy (the default): the groups are consumed inside the drain, as items arrive.
    let (outer, inners) = subscribe_each(
        range(0u64..5_000)
            .publish_on(pool.clone(), 32)
            .group_by(|x| x % 5, 16),
        UNBOUNDED,
        UNBOUNDED,
    );
    assert!(outer.await_terminal(PATIENCE));
    assert!(outer.is_complete(), "{:?}", outer.error());
    for (key, ts) in inners.lock().unwrap().iter() {
        assert!(ts.await_terminal(PATIENCE));
        assert_eq!(
            ts.values(),
            (0..5_000).filter(|x| x % 5 == *key).collect::<Vec<_>>()
        );
    }

    // Backpressure: each group re-published on a worker, requesting 7 more after every 7th
    // item (on the worker's thread); the upstream waits for the slowest.
    let single = SingleThreadScheduler::new();
    let groups: Arc<Mutex<HashMap<u64, TestSubscriber<u64>>>> = Arc::default();
    let keep = groups.clone();
    let outer = TestSubscriber::new();
    range(0u64..3_000)
        .publish_on(pool, 16)
        .group_by(|x| x % 3, 8)
        .overflow(GroupOverflow::Backpressure)
        .map(move |g| {
            let ts = TestSubscriber::with_request(7).with_on_next_hook(|ts, n| {
                if n % 7 == 0 {
                    ts.request(7);
                }
            });
            let key = *g.key();
            g.publish_on(single.clone(), 4).subscribe(ts.clone());
            keep.lock().unwrap().insert(key, ts);
            key
        })
        .subscribe(outer.clone());
    assert!(outer.await_terminal(PATIENCE) && outer.is_complete());
    for (key, ts) in groups.lock().unwrap().iter() {
        assert!(ts.await_terminal(PATIENCE));
        assert_eq!(
            ts.values(),
            (0..3_000).filter(|x| x % 3 == *key).collect::<Vec<_>>()
        );
        assert!(ts.is_complete());
        assert!(ts.violations().is_empty());
    }
}

/// 200 random pipelines: `group_by(x % keys, prefetch)` with `Backpressure` over
/// `range(..).publish_on(pool, p)`, the outer stream and each group paced in random batches
/// (groups re-published on another worker), some groups cancelled (their key then opens a
/// fresh group): every item reaches exactly one group of its key, in order, never more than
/// requested, one terminal signal each; nothing hangs.
#[test]
fn random_demand_and_cancel_across_threads() {
    let pool = PoolScheduler::new(2);
    let single = SingleThreadScheduler::new();
    let mut rng = Lcg(17);
    for _ in 0..200 {
        let keys = 1 + rng.below(4);
        let n = rng.below(80);
        let (prefetch, upstream_prefetch) = (1 + rng.below(6) as usize, 1 + rng.below(8) as usize);
        let outer_batch = 1 + rng.below(3);
        let seed = rng.below(1 << 30);
        let groups: Planned = Arc::default();
        let keep = groups.clone();
        let worker = single.clone();
        let plan = Arc::new(Mutex::new(Lcg(seed)));
        let outer = paced(outer_batch, None);
        range(0..n)
            .publish_on(pool.clone(), upstream_prefetch)
            .group_by(move |x| x % keys, prefetch)
            .overflow(GroupOverflow::Backpressure)
            .map(move |g| {
                let mut plan = plan.lock().unwrap();
                let batch = 1 + plan.below(4);
                let cancel_after = (plan.below(5) == 0).then(|| 1 + plan.below(3));
                let ts = paced(batch, cancel_after);
                let key = *g.key();
                g.publish_on(worker.clone(), 2).subscribe(ts.clone());
                keep.lock().unwrap().push((key, cancel_after, ts));
                key
            })
            .subscribe(outer.clone());
        assert!(outer.await_terminal(PATIENCE), "outer stream hung");
        assert!(outer.is_complete() && outer.violations().is_empty());
        let groups = groups.lock().unwrap().clone();
        let mut received: HashMap<u64, Vec<u64>> = HashMap::new();
        for (key, cancel_after, ts) in groups {
            match cancel_after {
                // The k-th item's hook cancels, inside that `on_next`: nothing can follow.
                Some(k) if ts.await_values(k, PATIENCE) => {
                    assert_eq!(ts.value_count(), k);
                }
                _ => {
                    assert!(
                        ts.await_terminal(PATIENCE),
                        "group {key} hung: keys {keys}, {n} items, prefetch {prefetch}, plan {cancel_after:?}, got {:?}, cancelled {}",
                        ts.values(),
                        ts.is_cancelled()
                    );
                    assert!(ts.is_complete());
                }
            }
            assert!(ts.violations().is_empty(), "{:?}", ts.violations());
            let values = ts.values();
            assert!(values.iter().all(|v| v % keys == key));
            received.entry(key).or_default().extend(values);
        }
        // Items after a cancel and before the fresh group may be dropped (the group was
        // gone); what arrived is in order and never twice.
        for (key, values) in received {
            assert!(
                values.windows(2).all(|w| w[0] < w[1]),
                "key {key}: {values:?}"
            );
        }
    }
}
