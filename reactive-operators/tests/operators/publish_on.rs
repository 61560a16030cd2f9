//! `publish_on`: order, the worker's thread, prefetch and replenish, errors behind or before
//! the queue, overflow, rule 3.9, cancel, panics and a refused worker.
//!
//! The tests that count requests or drops run on the `ImmediateScheduler` (the pass runs on
//! the thread that signals, before the signal returns), so they need no waiting; the ones
//! about threads run on a named `SingleThreadScheduler` and wait with the `TestSubscriber`.

use std::sync::{Arc, Weak};

use reactive_core::scheduler::{ImmediateScheduler, Scheduler, SingleThreadScheduler};
use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, range};
use reactive_tck::TestSubscriber;

use reactive_tck::TestEnvironment;
use reactive_tck::harness::ManualPublisher;

use crate::support::{
    PATIENCE, assert_clean, barrier, manual, on_thread, request_zero_ends_with_rule_3_9,
    requests_from_on_next_do_not_recurse,
};

/// A manual upstream behind `publish_on(immediate, prefetch)` (`error_first` if asked),
/// subscribed by `subscriber`; with its environment.
fn behind_immediate<T: Send + Clone + std::fmt::Debug + 'static>(
    prefetch: usize,
    error_first: bool,
    subscriber: TestSubscriber<T>,
) -> (ManualPublisher<T>, TestEnvironment) {
    let (upstream, env) = manual::<T>();
    let boundary = upstream
        .clone()
        .publish_on(ImmediateScheduler::new(), prefetch);
    if error_first {
        boundary.error_first().subscribe(subscriber);
    } else {
        boundary.subscribe(subscriber);
    }
    (upstream, env)
}

/// `n` items whose drops can be watched.
fn tokens(n: u64) -> (Vec<Arc<u64>>, Vec<Weak<u64>>) {
    let items: Vec<Arc<u64>> = (0..n).map(Arc::new).collect();
    let weak = items.iter().map(Arc::downgrade).collect();
    (items, weak)
}

#[test]
fn keeps_the_order_across_the_boundary_in_any_request_pattern() {
    let scheduler = SingleThreadScheduler::new();
    for (prefetch, batch) in [(1, 1), (4, 3), (16, 100), (256, UNBOUNDED)] {
        let ts = TestSubscriber::with_request(0);
        range(0u64..5_000)
            .publish_on(scheduler.clone(), prefetch)
            .subscribe(ts.clone());
        while !ts.is_terminated() {
            let before = ts.value_count();
            ts.request(batch);
            if batch == UNBOUNDED {
                break;
            }
            assert!(ts.await_values((before + batch).min(5_000), PATIENCE));
            if before + batch >= 5_000 {
                break;
            }
        }
        assert!(ts.await_terminal(PATIENCE), "prefetch {prefetch}: {ts:?}");
        assert!(ts.is_complete());
        assert!(ts.values().into_iter().eq(0..5_000), "prefetch {prefetch}");
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}

#[test]
fn every_downstream_signal_runs_on_the_worker() {
    let scheduler = SingleThreadScheduler::builder()
        .name("publish-on-test")
        .build();
    let ts = TestSubscriber::new();
    let threads = on_thread(&range(0u64..50).publish_on(scheduler.clone(), 8), &ts);
    assert!(ts.await_terminal(PATIENCE));
    assert_eq!(ts.value_count(), 50);
    let threads = threads.lock().unwrap().clone();
    assert_eq!(threads.len(), 52, "on_subscribe, 50 items, on_complete");
    assert_eq!(threads[0].0, "on_subscribe");
    assert_eq!(threads[51].0, "on_complete");
    for (signal, thread) in &threads {
        assert_eq!(thread.as_deref(), Some("publish-on-test"), "{signal}");
    }

    let ts = TestSubscriber::<u64>::new();
    let failing = error::<u64>(Error::msg("boom")).publish_on(scheduler, 8);
    let threads = on_thread(&failing, &ts);
    assert!(ts.await_terminal(PATIENCE));
    let threads = threads.lock().unwrap().clone();
    let expected = Some("publish-on-test".to_owned());
    assert_eq!(
        threads,
        [("on_subscribe", expected.clone()), ("on_error", expected)]
    );
}

#[test]
fn requests_prefetch_then_replenishes_after_three_quarters() {
    let ts = TestSubscriber::with_request(0);
    let (upstream, env) = behind_immediate::<u64>(8, false, ts.clone());
    assert_eq!(upstream.take_requests(), 8, "prefetch upfront");
    for i in 0..8 {
        upstream.send_next(i);
    }
    assert_eq!(ts.value_count(), 0, "queued: nothing requested downstream");
    ts.request(5);
    assert_eq!(ts.values(), [0, 1, 2, 3, 4]);
    assert_eq!(
        upstream.take_requests(),
        0,
        "5 of 8 handed down: below the limit of 6"
    );
    ts.request(1);
    assert_eq!(
        upstream.take_requests(),
        6,
        "the 6th item: replenish 8 - 8/4"
    );
    ts.request(UNBOUNDED);
    assert_eq!(ts.value_count(), 8);
    assert_eq!(upstream.take_requests(), 0);
    for i in 8..14 {
        upstream.send_next(i);
    }
    assert_eq!(upstream.take_requests(), 6, "2 left over + 4: the next 6");
    upstream.send_completion();
    assert!(ts.is_complete());
    assert!(ts.values().into_iter().eq(0..14));
    assert_clean(&env);
}

#[test]
fn prefetch_one_asks_for_one_at_a_time() {
    let ts = TestSubscriber::with_request(UNBOUNDED);
    let (upstream, env) = behind_immediate::<u64>(1, false, ts.clone());
    assert_eq!(upstream.take_requests(), 1);
    for i in 0..3 {
        upstream.send_next(i);
        assert_eq!(upstream.take_requests(), 1, "item {i}");
    }
    assert_eq!(ts.values(), [0, 1, 2]);
    assert_clean(&env);
}

#[test]
#[should_panic(expected = "prefetch must be at least 1")]
fn prefetch_zero_panics() {
    let _ = range(0u64..1).publish_on(ImmediateScheduler::new(), 0);
}

#[test]
fn an_error_waits_behind_the_queued_items_by_default() {
    let ts = TestSubscriber::with_request(0);
    let (upstream, env) = behind_immediate::<u64>(8, false, ts.clone());
    for i in 0..3 {
        upstream.send_next(i);
    }
    upstream.send_error(Error::msg("late"));
    assert!(!ts.is_terminated(), "three items still queued");
    ts.request(2);
    assert_eq!(ts.values(), [0, 1]);
    assert!(!ts.is_terminated());
    ts.request(1);
    assert_eq!(ts.values(), [0, 1, 2]);
    assert_eq!(
        ts.error().map(|e| e.message().to_owned()),
        Some("late".into())
    );
    assert_clean(&env);
}

#[test]
fn error_first_overtakes_and_drops_the_queued_items() {
    let ts = TestSubscriber::with_request(1);
    let (upstream, env) = behind_immediate::<Arc<u64>>(8, true, ts.tracked_clone());
    let (items, weak) = tokens(3);
    for item in items {
        upstream.send_next(item);
    }
    assert_eq!(ts.value_count(), 1);
    upstream.send_error(Error::msg("first"));
    assert_eq!(ts.value_count(), 1, "the error overtook the 2 queued items");
    assert_eq!(
        ts.error().map(|e| e.message().to_owned()),
        Some("first".into())
    );
    assert!(ts.is_dropped(), "rule 3.13");
    assert!(
        weak[1..].iter().all(|w| w.strong_count() == 0),
        "queued items dropped"
    );
    assert_clean(&env);
}

#[test]
fn completion_waits_for_the_queue_even_with_error_first() {
    let ts = TestSubscriber::with_request(0);
    let (upstream, env) = behind_immediate::<u64>(4, true, ts.clone());
    upstream.send_next(1);
    upstream.send_next(2);
    upstream.send_completion();
    assert!(!ts.is_terminated());
    ts.request(2);
    assert_eq!(ts.values(), [1, 2]);
    assert!(ts.is_complete(), "completes without more demand");
    assert_clean(&env);
}

#[test]
fn an_upstream_that_sends_too_much_overflows_with_a_named_error() {
    for error_first in [false, true] {
        let ts = TestSubscriber::with_request(0);
        let (upstream, env) = behind_immediate::<u64>(2, error_first, ts.clone());
        assert_eq!(upstream.take_requests(), 2);
        for i in 0..3 {
            upstream.send_next(i); // the third was never asked for
        }
        assert!(upstream.is_cancelled(), "the upstream is cancelled");
        if !error_first {
            assert!(!ts.is_terminated(), "the error waits behind 2 items");
            ts.request(2);
            assert_eq!(ts.values(), [0, 1]);
        }
        let error = ts.error().expect("overflow error");
        assert_eq!(error.kind(), ErrorKind::Overflow);
        assert!(
            error.message().contains("publish_on") && error.message().contains('2'),
            "{error}"
        );
        upstream.send_next(3); // after the cancel: ignored
        assert_eq!(ts.value_count(), if error_first { 0 } else { 2 });
        assert!(ts.violations().is_empty(), "{ts:?}");
        assert_clean(&env);
    }
}

#[test]
fn request_zero_is_rule_3_9_and_cancels_the_upstream() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).publish_on(SingleThreadScheduler::new(), 4));

    let ts = TestSubscriber::with_request(1);
    let (upstream, env) = behind_immediate::<u64>(4, false, ts.tracked_clone());
    upstream.send_next(0);
    upstream.send_next(1);
    ts.request(0);
    assert_eq!(ts.values(), [0]);
    assert_eq!(
        ts.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
    assert!(upstream.is_cancelled());
    assert!(ts.is_dropped(), "rule 3.13");
    assert_clean(&env);
}

#[test]
fn cancel_drops_the_queued_items_and_the_downstream_and_cancels_upstream() {
    let ts = TestSubscriber::with_request(1);
    let (upstream, env) = behind_immediate::<Arc<u64>>(8, false, ts.tracked_clone());
    let (items, weak) = tokens(4);
    for item in items {
        upstream.send_next(item);
    }
    let subscription = ts.subscription().unwrap();
    assert!(!ts.is_dropped());
    ts.cancel();
    assert!(upstream.is_cancelled());
    assert!(
        ts.is_dropped(),
        "rule 3.13, while the subscription is still held"
    );
    assert!(
        weak[1..].iter().all(|w| w.strong_count() == 0),
        "the 3 queued items were dropped"
    );
    subscription.request(5); // rule 3.6: nothing happens
    assert_eq!(ts.value_count(), 1);
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);
}

#[test]
fn a_request_from_on_next_does_not_recurse() {
    requests_from_on_next_do_not_recurse(
        &range(0u64..10_000).publish_on(ImmediateScheduler::new(), 16),
    );
}

#[test]
fn a_panic_downstream_becomes_on_error_and_cancels_upstream() {
    let (upstream, env) = manual::<u64>();
    let scheduler = SingleThreadScheduler::new();
    let ts = TestSubscriber::new();
    upstream
        .clone()
        .publish_on(scheduler.clone(), 8)
        .map(|v| {
            assert!(v != 2, "map failed at {v}");
            v
        })
        .subscribe(ts.tracked_clone());
    for i in 0..5 {
        upstream.send_next(i);
    }
    assert!(ts.await_terminal(PATIENCE));
    let error = ts.error().expect("the panic as an error");
    assert_eq!(error.kind(), ErrorKind::Panic);
    assert!(error.message().contains("map failed at 2"), "{error}");
    assert_eq!(ts.values(), [0, 1]);
    upstream.expect_cancelling();
    barrier(&scheduler); // the worker's thread survived, and the pass has finished
    assert!(ts.is_dropped(), "rule 3.13");
    assert_clean(&env);
}

#[test]
fn a_shut_down_scheduler_gives_a_rejected_error() {
    let scheduler = SingleThreadScheduler::new();
    scheduler.shutdown();
    let ts = TestSubscriber::<u64>::new();
    range(0u64..10)
        .publish_on(scheduler, 4)
        .subscribe(ts.clone());
    assert!(ts.is_subscribed(), "rule 1.9: on_subscribe first");
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::Rejected));
    assert_eq!(ts.value_count(), 0);

    // Shut down mid-stream: the next signal finds out, and the upstream is cancelled.
    let (upstream, env) = manual::<u64>();
    let scheduler = SingleThreadScheduler::new();
    let ts = TestSubscriber::new();
    upstream
        .clone()
        .publish_on(scheduler.clone(), 4)
        .subscribe(ts.clone());
    upstream.send_next(0);
    assert!(ts.await_values(1, PATIENCE));
    scheduler.shutdown();
    upstream.send_next(1);
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::Rejected));
    assert!(upstream.is_cancelled());
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);
}
