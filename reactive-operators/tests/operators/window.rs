//! `window` and `window_skip`: the windows and their items, each window's own demand, the
//! exact upstream requests, windows never subscribed or dropped, one subscriber per window,
//! rule 3.9 on both levels, cancelling the outer stream while a window runs, errors, and
//! windows consumed on other threads.

use std::sync::{Arc, Mutex};

use reactive_core::scheduler::{PoolScheduler, SingleThreadScheduler};
use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::ops::Window;
use reactive_operators::{PublisherExt, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{PATIENCE, assert_clean, manual};

/// Windows the test holds, unsubscribed, in arrival order.
type Held = Arc<Mutex<Vec<Window<u64>>>>;

/// The subscribers of the windows, in arrival order.
type Inners = Arc<Mutex<Vec<TestSubscriber<u64>>>>;

/// Subscribes every window with a `TestSubscriber::with_request(request)` as it arrives;
/// returns the outer subscriber (of window indexes) and the windows' subscribers.
fn subscribe_each<P>(windows: P, outer_request: u64, request: u64) -> (TestSubscriber<u64>, Inners)
where
    P: Publisher<Item = Window<u64>> + 'static,
{
    let inners: Inners = Arc::default();
    let keep = inners.clone();
    let outer = TestSubscriber::with_request(outer_request);
    windows
        .map(move |w| {
            let ts = TestSubscriber::with_request(request);
            w.subscribe(ts.tracked_clone());
            keep.lock().unwrap().push(ts);
            w.index()
        })
        .subscribe(outer.tracked_clone());
    (outer, inners)
}

/// Keeps every window unsubscribed in `held`; the outer subscriber sees the indexes.
fn hold_each<P>(windows: P, outer_request: u64) -> (TestSubscriber<u64>, Held)
where
    P: Publisher<Item = Window<u64>> + 'static,
{
    let held: Held = Arc::default();
    let keep = held.clone();
    let outer = TestSubscriber::with_request(outer_request);
    windows
        .map(move |w| {
            let index = w.index();
            keep.lock().unwrap().push(w);
            index
        })
        .subscribe(outer.clone());
    (outer, held)
}

fn values(inners: &Inners) -> Vec<Vec<u64>> {
    inners
        .lock()
        .unwrap()
        .iter()
        .map(|ts| ts.values())
        .collect()
}

#[test]
fn consecutive_windows_of_size_items_the_last_one_shorter() {
    let (outer, inners) = subscribe_each(range(1u64..=7).window(3), UNBOUNDED, UNBOUNDED);
    assert_eq!(outer.values(), [0, 1, 2]);
    assert!(outer.is_complete());
    assert_eq!(values(&inners), [vec![1, 2, 3], vec![4, 5, 6], vec![7]]);
    assert!(inners.lock().unwrap().iter().all(|ts| ts.is_complete()));
}

#[test]
fn window_skip_overlapping_and_with_gaps() {
    let (_, inners) = subscribe_each(range(1u64..=7).window_skip(3, 2), UNBOUNDED, UNBOUNDED);
    assert_eq!(
        values(&inners),
        [vec![1, 2, 3], vec![3, 4, 5], vec![5, 6, 7], vec![7]]
    );
    let (_, inners) = subscribe_each(range(1u64..=8).window_skip(2, 3), UNBOUNDED, UNBOUNDED);
    assert_eq!(values(&inners), [vec![1, 2], vec![4, 5], vec![7, 8]]);
    let (_, inners) = subscribe_each(range(1u64..=4).window_skip(2, 2), UNBOUNDED, UNBOUNDED);
    assert_eq!(values(&inners), [vec![1, 2], vec![3, 4]]);
}

#[test]
fn an_empty_upstream_gives_no_window() {
    StepVerifier::create(&range(0u64..0).window(3).map(|w| w.index()))
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn a_window_delivers_only_what_its_subscriber_requested() {
    let (outer, inners) = subscribe_each(range(0u64..10).window(5), UNBOUNDED, 2);
    assert!(outer.is_complete());
    let inners = inners.lock().unwrap().clone();
    assert_eq!(inners[0].values(), [0, 1]);
    assert_eq!(inners[1].values(), [5, 6]);
    assert!(!inners[0].is_complete());
    inners[0].request(2);
    assert_eq!(inners[0].values(), [0, 1, 2, 3]);
    inners[0].request(1);
    // The last item and the completion: it completes without being asked for more.
    assert_eq!(inners[0].values(), [0, 1, 2, 3, 4]);
    assert!(inners[0].is_complete());
    inners[1].request(UNBOUNDED);
    assert_eq!(inners[1].values(), [5, 6, 7, 8, 9]);
    assert!(inners[1].is_complete());
    assert!(inners.iter().all(|ts| ts.violations().is_empty()));
}

#[test]
fn the_outer_request_for_k_windows_asks_k_times_size_upstream() {
    let (upstream, env) = manual::<u64>();
    let (outer, inners) = subscribe_each(upstream.clone().window(3), 0, UNBOUNDED);
    assert_eq!(
        upstream.take_requests(),
        0,
        "no window asked for, no item asked for"
    );
    outer.request(2);
    upstream.expect_exact_request(6).unwrap();
    for i in 0..6 {
        upstream.send_next(i);
    }
    assert_eq!(outer.values(), [0, 1]);
    assert_eq!(values(&inners), [vec![0, 1, 2], vec![3, 4, 5]]);
    outer.request(1);
    upstream.expect_exact_request(3).unwrap();
    upstream.send_next(6);
    upstream.send_completion();
    assert_eq!(outer.values(), [0, 1, 2]);
    assert!(outer.is_complete());
    assert_eq!(values(&inners)[2], [6]);
    assert_clean(&env);
}

#[test]
fn window_skip_requests_up_to_the_end_of_the_kth_window() {
    // Gaps: size 2, skip 3: the first request(2) is 2 + 3 = 5, then 3 per window.
    let (upstream, env) = manual::<u64>();
    let (outer, inners) = subscribe_each(upstream.clone().window_skip(2, 3), 0, UNBOUNDED);
    outer.request(2);
    upstream.expect_exact_request(5).unwrap();
    for i in 0..5 {
        upstream.send_next(i);
    }
    outer.request(1);
    upstream.expect_exact_request(3).unwrap();
    assert_eq!(values(&inners), [vec![0, 1], vec![3, 4]]);
    // Overlap: size 3, skip 1: the first request(2) is 3 + 1 = 4, then 1 per window.
    let (upstream2, env2) = manual::<u64>();
    let (outer, _) = subscribe_each(upstream2.clone().window_skip(3, 1), 0, UNBOUNDED);
    outer.request(2);
    upstream2.expect_exact_request(4).unwrap();
    outer.request(5);
    upstream2.expect_exact_request(5).unwrap();
    assert_clean(&env);
    assert_clean(&env2);
}

#[test]
fn a_window_not_subscribed_yet_keeps_its_items_until_it_is() {
    let (outer, held) = hold_each(range(0u64..6).window(3), UNBOUNDED);
    assert!(outer.is_complete());
    let held = std::mem::take(&mut *held.lock().unwrap());
    assert_eq!(held.len(), 2);
    let ts = TestSubscriber::new();
    held[1].subscribe(ts.clone());
    assert_eq!(ts.values(), [3, 4, 5]);
    assert!(ts.is_complete());
}

#[test]
fn a_window_dropped_unsubscribed_is_cancelled_and_the_others_go_on() {
    let (upstream, env) = manual::<u64>();
    let inner = TestSubscriber::new();
    let sink = inner.clone();
    let outer = TestSubscriber::with_request(UNBOUNDED);
    upstream
        .clone()
        .window(2)
        .map(move |w| {
            if w.index() == 1 {
                w.subscribe(sink.tracked_clone());
            }
            w.index() // window 0 and 2 are dropped here
        })
        .subscribe(outer.clone());
    upstream.expect_exact_request(UNBOUNDED).unwrap();
    for i in 0..6 {
        upstream.send_next(i);
    }
    assert_eq!(outer.values(), [0, 1, 2]);
    assert_eq!(inner.values(), [2, 3]);
    assert!(inner.is_complete());
    assert!(
        !upstream.is_cancelled(),
        "the outer downstream still wants windows"
    );
    upstream.send_completion();
    assert!(outer.is_complete());
    assert_clean(&env);
}

#[test]
fn a_window_accepts_one_subscriber() {
    let (outer, held) = hold_each(range(0u64..3).window(3), UNBOUNDED);
    assert!(outer.is_complete());
    let window = held.lock().unwrap().pop().unwrap();
    let first = TestSubscriber::new();
    window.subscribe(first.clone());
    let second = TestSubscriber::new();
    window.subscribe(second.clone());
    assert_eq!(first.values(), [0, 1, 2]);
    assert!(first.is_complete());
    assert_eq!(second.error().map(|e| e.kind()), Some(ErrorKind::Rejected));
    assert!(second.error().unwrap().to_string().contains("window"));
}

#[test]
fn request_zero_on_the_outer_stream_or_on_a_window_is_rule_3_9() {
    let outer = TestSubscriber::with_request(0);
    range(0u64..10)
        .window(2)
        .map(|w| w.index())
        .subscribe(outer.clone());
    outer.request(0);
    let error = outer.error().expect("rule 3.9");
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert!(error.to_string().contains("3.9"));

    let (outer, inners) = subscribe_each(range(0u64..10).window(5), 1, 1);
    let inner = inners.lock().unwrap()[0].clone();
    assert_eq!(inner.values(), [0]);
    inner.request(0);
    assert_eq!(
        inner.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
    assert_eq!(inner.values(), [0], "nothing after the error");
    assert!(!outer.is_terminated(), "the outer stream goes on");
}

#[test]
fn cancelling_the_outer_stream_leaves_the_open_window_running() {
    let (upstream, env) = manual::<u64>();
    let (outer, inners) = subscribe_each(upstream.clone().window(3), 2, UNBOUNDED);
    upstream.expect_exact_request(6).unwrap();
    upstream.send_next(0);
    outer.cancel();
    assert!(!upstream.is_cancelled(), "window 0 still runs");
    upstream.send_next(1);
    upstream.send_next(2);
    let inner = inners.lock().unwrap()[0].clone();
    assert_eq!(inner.values(), [0, 1, 2]);
    assert!(inner.is_complete());
    assert!(
        upstream.is_cancelled(),
        "the outer is gone and every window ended"
    );
    assert_eq!(outer.values(), [0], "no window after the cancel");
    assert_clean(&env);

    // No window open: the cancel reaches the upstream at once.
    let (upstream, env) = manual::<u64>();
    let (outer, _) = subscribe_each(upstream.clone().window(3), 1, UNBOUNDED);
    outer.cancel();
    assert!(upstream.is_cancelled());
    assert!(outer.is_dropped());
    assert_clean(&env);
}

#[test]
fn cancelling_a_window_stops_its_items_not_the_stream() {
    let (upstream, env) = manual::<u64>();
    let (outer, inners) = subscribe_each(upstream.clone().window(3), UNBOUNDED, UNBOUNDED);
    upstream.send_next(0);
    let inner = inners.lock().unwrap()[0].clone();
    inner.cancel();
    upstream.send_next(1);
    upstream.send_next(2);
    upstream.send_next(3);
    assert_eq!(inner.values(), [0]);
    assert!(inner.is_dropped());
    assert_eq!(outer.values(), [0, 1]);
    assert_eq!(values(&inners)[1], [3]);
    assert!(!upstream.is_cancelled());
    assert_clean(&env);
}

#[test]
fn an_upstream_error_reaches_the_outer_stream_and_every_window() {
    let (upstream, env) = manual::<u64>();
    let (outer, inners) = subscribe_each(upstream.clone().window_skip(3, 1), UNBOUNDED, 0);
    upstream.send_next(0);
    upstream.send_next(1);
    upstream.send_error(Error::msg("boom"));
    assert_eq!(outer.error().map(|e| e.kind()), Some(ErrorKind::User));
    for ts in inners.lock().unwrap().iter() {
        assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
        assert!(
            ts.values().is_empty(),
            "fail fast: queued items are dropped"
        );
    }
    assert_clean(&env);
}

#[test]
fn windows_over_an_asynchronous_upstream_consumed_on_other_threads() {
    let pool = PoolScheduler::new(2);
    let single = SingleThreadScheduler::new();
    let (outer, inners) = subscribe_each(
        range(0u64..2_000).publish_on(pool.clone(), 16).window(7),
        UNBOUNDED,
        UNBOUNDED,
    );
    assert!(outer.await_terminal(PATIENCE));
    let inners = inners.lock().unwrap().clone();
    assert_eq!(inners.len(), 2_000_usize.div_ceil(7));
    let mut all = Vec::new();
    for ts in &inners {
        assert!(ts.await_terminal(PATIENCE));
        all.extend(ts.values());
    }
    assert_eq!(all, (0..2_000).collect::<Vec<_>>());

    // Each window re-published on a worker, requested in small steps from the test thread.
    let received: Arc<Mutex<Vec<TestSubscriber<u64>>>> = Arc::default();
    let keep = received.clone();
    let outer = TestSubscriber::with_request(UNBOUNDED);
    range(0u64..300)
        .publish_on(pool, 8)
        .window_skip(10, 5)
        .map(move |w| {
            let ts = TestSubscriber::with_request(0);
            let index = w.index();
            w.publish_on(single.clone(), 4).subscribe(ts.clone());
            keep.lock().unwrap().push(ts);
            index
        })
        .subscribe(outer.clone());
    assert!(outer.await_terminal(PATIENCE));
    let windows = received.lock().unwrap().clone();
    for (i, ts) in windows.iter().enumerate() {
        let start = i as u64 * 5;
        let expected: Vec<u64> = (start..(start + 10).min(300)).collect();
        while !ts.is_terminated() {
            let before = ts.value_count();
            ts.request(3);
            assert!(ts.await_values((before + 3).min(expected.len() as u64), PATIENCE));
            assert!(ts.value_count() <= before + 3, "never more than requested");
            if ts.value_count() == expected.len() as u64 {
                assert!(ts.await_terminal(PATIENCE));
            }
        }
        assert_eq!(ts.values(), expected);
        assert!(ts.is_complete());
        assert!(ts.violations().is_empty());
    }
}

/// A small deterministic generator for the random schedules below (and `group_by`'s).
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Children by index or key, each with its cancel plan and its subscriber.
pub(crate) type Planned = Arc<Mutex<Vec<(u64, Option<u64>, TestSubscriber<u64>)>>>;

/// A subscriber that asks for `batch` items, then `batch` more after every `batch`-th item,
/// and cancels after `cancel_after` items if given (all on the thread that delivers).
pub(crate) fn paced(batch: u64, cancel_after: Option<u64>) -> TestSubscriber<u64> {
    TestSubscriber::with_request(batch).with_on_next_hook(move |ts, n| {
        if Some(n) == cancel_after {
            ts.cancel();
        } else if n % batch == 0 {
            ts.request(batch);
        }
    })
}

/// 200 random pipelines: `window_skip(size, skip)` over `range(..).publish_on(pool, p)`, the
/// outer stream and each window paced in random batches (windows re-published on another
/// worker), some windows cancelled: every window gets exactly its items (a prefix, when
/// cancelled), never more than requested, one terminal signal.
#[test]
fn random_demand_and_cancel_across_threads() {
    let pool = PoolScheduler::new(2);
    let single = SingleThreadScheduler::new();
    let mut rng = Lcg(9);
    for _ in 0..200 {
        let (size, skip) = (1 + rng.below(4) as usize, 1 + rng.below(5) as usize);
        let n = rng.below(60);
        let prefetch = 1 + rng.below(8) as usize;
        let outer_batch = 1 + rng.below(3);
        let plans: Vec<(u64, Option<u64>)> = (0..n + 1)
            .map(|_| {
                (
                    1 + rng.below(4),
                    (rng.below(4) == 0).then(|| 1 + rng.below(3)),
                )
            })
            .collect();
        let windows: Planned = Arc::default();
        let keep = windows.clone();
        let worker = single.clone();
        let outer = paced(outer_batch, None);
        range(0..n)
            .publish_on(pool.clone(), prefetch)
            .window_skip(size, skip)
            .map(move |w| {
                let index = w.index();
                let (batch, cancel_after) = plans[index as usize];
                let ts = paced(batch, cancel_after);
                w.publish_on(worker.clone(), 2).subscribe(ts.clone());
                keep.lock().unwrap().push((index, cancel_after, ts));
                index
            })
            .subscribe(outer.clone());
        assert!(outer.await_terminal(PATIENCE), "outer stream hung");
        assert!(outer.is_complete() && outer.violations().is_empty());
        let windows = windows.lock().unwrap().clone();
        let starts: Vec<u64> = (0..n).step_by(skip).collect();
        assert_eq!(windows.len(), starts.len());
        for (index, cancel_after, ts) in windows {
            let start = index * skip as u64;
            let expected: Vec<u64> = (start..(start + size as u64).min(n)).collect();
            match cancel_after {
                // Cancelled at its k-th item (with k at most its length: at the last item, the
                // cancel may come before the completion).
                Some(k) if k <= expected.len() as u64 => {
                    assert!(ts.await_values(k, PATIENCE));
                    assert_eq!(ts.values(), expected[..k as usize]);
                }
                _ => {
                    assert!(
                        ts.await_terminal(PATIENCE),
                        "window {index} of window_skip({size}, {skip}) over {n} hung: {:?}",
                        ts.values()
                    );
                    assert_eq!(ts.values(), expected);
                    assert!(ts.is_complete());
                }
            }
            assert!(ts.violations().is_empty(), "{:?}", ts.violations());
        }
    }
}
