//! Demand behaviour shared by the synchronous sources `range` and `from_iter`: exactly n items
//! for request(n) in every request pattern, rule 3.9, saturation past u64::MAX, bounded
//! recursion, cancellation and rule 3.13.
//!
//! Every test subscribes a `reactive_tck::TestSubscriber`, which also checks the publisher's
//! side of the contract on every signal (never more items than requested, nothing after the
//! terminal signal, one `on_subscribe`): `violations()` must stay empty.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use reactive_core::{ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{from_iter, range};
use reactive_tck::TestSubscriber;

/// Makes a fresh publisher of `0..n`.
type Factory = Arc<dyn Fn() -> Box<dyn Run> + Send + Sync>;

/// Both sources, each emitting `0..n`.
fn sources(n: u64) -> Vec<(&'static str, Factory)> {
    vec![
        (
            "range",
            Arc::new(move || Box::new(range(0..n)) as Box<dyn Run>),
        ),
        (
            "from_iter",
            Arc::new(move || Box::new(from_iter(0..n)) as Box<dyn Run>),
        ),
    ]
}

/// Object-safe "subscribe a test subscriber" so one test body covers both sources.
trait Run: Send + Sync {
    fn run(&self, ts: TestSubscriber<u64>);
}

impl<P: Publisher<Item = u64> + Send + Sync> Run for P {
    fn run(&self, ts: TestSubscriber<u64>) {
        self.subscribe(ts);
    }
}

/// A hook for `with_on_next_hook` that cancels at item `at`.
fn cancel_at(at: u64) -> impl Fn(&TestSubscriber<u64>, u64) + Send + Sync + 'static {
    move |ts, n| {
        if n == at {
            ts.cancel();
        }
    }
}

#[test]
fn one_at_a_time_from_the_test_thread() {
    for (name, make) in sources(50) {
        let ts = TestSubscriber::with_request(0);
        make().run(ts.clone());
        assert_eq!(ts.value_count(), 0, "{name}: emitted before any request");
        for i in 1..=50 {
            ts.request(1);
            assert_eq!(ts.value_count(), i, "{name}: request(1) #{i}");
        }
        assert_eq!(ts.values(), (0..50).collect::<Vec<_>>(), "{name}");
        assert!(ts.is_complete(), "{name}: {ts:?}");
        assert!(ts.violations().is_empty(), "{name}: {ts:?}");
    }
}

#[test]
fn batches_deliver_exactly_what_was_requested() {
    for (name, make) in sources(20) {
        let ts = TestSubscriber::with_request(3);
        make().run(ts.clone());
        let subscription = ts.subscription().expect("subscribed");
        assert_eq!(ts.value_count(), 3, "{name}");
        ts.request(5);
        assert_eq!(ts.value_count(), 8, "{name}");
        assert!(!ts.is_terminated(), "{name}: completed early");
        ts.request(12);
        assert_eq!(ts.value_count(), 20, "{name}");
        // Completes eagerly once the last item is out, without waiting for more demand.
        assert!(ts.is_complete(), "{name}");
        assert!(ts.violations().is_empty(), "{name}: {ts:?}");
        subscription.request(10); // after completion: no effect
        assert_eq!(ts.value_count(), 20, "{name}");
        assert!(ts.violations().is_empty(), "{name}: {ts:?}");
    }
}

#[test]
fn requests_from_inside_on_next() {
    for (name, make) in sources(1_000) {
        let ts = TestSubscriber::with_request(1).with_on_next_hook(|ts, _| ts.request(1));
        make().run(ts.clone());
        assert_eq!(ts.values(), (0..1_000).collect::<Vec<_>>(), "{name}");
        assert!(ts.is_complete(), "{name}");
        assert!(ts.violations().is_empty(), "{name}: {ts:?}");
    }
}

#[test]
fn requests_from_other_threads() {
    for (name, make) in sources(20_000) {
        let ts = TestSubscriber::with_request(0);
        make().run(ts.clone());
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let ts = ts.clone();
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        ts.request(1);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(
            ts.await_terminal(Duration::from_secs(10)),
            "{name}: no terminal signal within 10 s: {ts:?}"
        );
        assert_eq!(ts.values(), (0..20_000).collect::<Vec<_>>(), "{name}");
        assert!(ts.is_complete(), "{name}");
        assert!(ts.violations().is_empty(), "{name}: {ts:?}");
    }
}

#[test]
fn request_zero_is_an_invalid_request_error() {
    for (name, make) in sources(10) {
        let ts = TestSubscriber::with_request(2);
        make().run(ts.tracked_clone());
        let subscription = ts.subscription().expect("subscribed");
        ts.request(0);
        assert_eq!(ts.values(), vec![0, 1], "{name}");
        assert!(!ts.is_complete(), "{name}");
        let error = ts.error().expect("on_error");
        assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{name}");
        assert!(error.message().contains("rule 3.9"), "{name}");
        assert!(ts.violations().is_empty(), "{name}: {ts:?}"); // one terminal signal
        subscription.request(5); // the subscription is over
        assert_eq!(ts.value_count(), 2, "{name}");
        assert!(ts.violations().is_empty(), "{name}: {ts:?}");
        assert!(ts.is_dropped(), "{name}: subscriber kept after error");
    }
}

#[test]
fn request_zero_as_the_first_request() {
    for (name, make) in sources(10) {
        let ts = TestSubscriber::with_request(0);
        make().run(ts.clone());
        ts.request(0);
        assert_eq!(ts.value_count(), 0, "{name}");
        assert_eq!(
            ts.error().map(|e| e.kind()),
            Some(ErrorKind::InvalidRequest),
            "{name}"
        );
        assert!(ts.violations().is_empty(), "{name}: {ts:?}");
    }
}

#[test]
fn demand_past_u64_max_saturates_without_error() {
    for (name, make) in sources(1_000) {
        let ts = TestSubscriber::with_request(u64::MAX - 1);
        make().run(ts.clone());
        ts.request(u64::MAX - 1);
        ts.request(UNBOUNDED);
        assert_eq!(ts.value_count(), 1_000, "{name}");
        assert!(ts.error().is_none(), "{name}: {ts:?}");
        assert!(ts.is_complete(), "{name}");
        assert!(ts.violations().is_empty(), "{name}: {ts:?}");
    }
    // On an endless source: bounded, then past the maximum, then cancel from inside on_next.
    let ts = TestSubscriber::with_request(5).with_on_next_hook(|ts, n| {
        if n == 5 {
            ts.request(u64::MAX);
            ts.request(u64::MAX);
        }
        if n == 10_000 {
            ts.cancel();
        }
    });
    range(0..u64::MAX).subscribe(ts.clone());
    assert_eq!(ts.value_count(), 10_000);
    assert!(!ts.is_terminated(), "{ts:?}");
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn a_million_reentrant_requests_do_not_grow_the_stack() {
    for (name, make) in sources(1_000_000) {
        let low = Arc::new(Mutex::new((usize::MAX, 0usize)));
        let seen = low.clone();
        let ts = TestSubscriber::with_request(1).with_on_next_hook(move |ts, _| {
            let marker = 0u8;
            let addr = std::hint::black_box(&marker) as *const u8 as usize;
            {
                let mut s = seen.lock();
                s.0 = s.0.min(addr);
                s.1 = s.1.max(addr);
            }
            ts.request(1);
        });
        make().run(ts.clone());
        assert_eq!(ts.value_count(), 1_000_000, "{name}");
        assert!(ts.is_complete(), "{name}");
        assert!(ts.violations().is_empty(), "{name}: {ts:?}");
        assert_eq!(ts.max_on_next_depth(), 1, "{name}: on_next re-entered");
        let (lo, hi) = *low.lock();
        assert!(
            hi - lo < 4096,
            "{name}: on_next ran at stack depths {} bytes apart: request recursed",
            hi - lo
        );
    }
}

#[test]
fn cancel_from_on_next_stops_at_once_and_drops_the_subscriber() {
    for (name, make) in sources(100) {
        let ts = TestSubscriber::with_request(UNBOUNDED).with_on_next_hook(cancel_at(7));
        // A tracked clone: the record keeps the subscription, so the source's state stays
        // alive and only the source itself can drop the subscriber.
        make().run(ts.tracked_clone());
        assert_eq!(ts.value_count(), 7, "{name}");
        assert!(!ts.is_terminated(), "{name}");
        assert!(ts.is_dropped(), "{name}: rule 3.13");
    }
}

#[test]
fn cancel_before_any_request_drops_the_subscriber() {
    for (name, make) in sources(100) {
        let ts = TestSubscriber::with_request(0);
        make().run(ts.tracked_clone());
        let subscription = ts.subscription().expect("subscribed");
        ts.cancel();
        subscription.cancel(); // idempotent
        subscription.request(3); // no-op after cancel (rule 3.6)
        assert_eq!(ts.value_count(), 0, "{name}");
        assert!(ts.violations().is_empty(), "{name}: {ts:?}");
        assert!(ts.is_dropped(), "{name}: rule 3.13");
    }
}

#[test]
fn cancel_from_another_thread_races_emission_and_never_overflows() {
    for _ in 0..20 {
        let ts = TestSubscriber::with_request(0);
        range(0..u64::MAX).subscribe(ts.clone());
        let subscription = ts.subscription().expect("subscribed");
        let requester_side = ts.clone();
        let requester = std::thread::spawn(move || {
            for _ in 0..1_000 {
                requester_side.request(3);
            }
        });
        let canceller_side = ts.clone();
        let canceller = std::thread::spawn(move || {
            while canceller_side.value_count() < 100 {
                std::thread::yield_now();
            }
            canceller_side.cancel();
            // Requests after the cancel went through reach the source and must do nothing
            // (rule 3.6): they are not counted as demand, so an item would be a violation.
            for _ in 0..100 {
                subscription.request(3);
            }
        });
        requester.join().unwrap();
        canceller.join().unwrap();
        assert!(
            ts.violations().is_empty(),
            "more items than requested: {ts:?}"
        );
        assert!(ts.value_count() <= ts.requested());
        let items = ts.values();
        assert!(items.iter().copied().eq(0..items.len() as u64));
    }
}

#[test]
fn each_subscriber_gets_its_own_run() {
    for (name, make) in sources(3) {
        let publisher = make();
        let first = TestSubscriber::new();
        let second = TestSubscriber::new();
        publisher.run(first.clone());
        publisher.run(second.clone());
        assert_eq!(first.values(), vec![0, 1, 2], "{name}");
        assert_eq!(second.values(), vec![0, 1, 2], "{name}");
    }
}

#[test]
fn cancel_from_on_next_with_bounded_demand_stops_at_once() {
    for (name, make) in sources(1_000) {
        let ts = TestSubscriber::with_request(100).with_on_next_hook(cancel_at(7));
        make().run(ts.tracked_clone());
        assert_eq!(ts.value_count(), 7, "{name}: items after cancel");
        assert!(ts.is_dropped(), "{name}: rule 3.13");
    }
}
