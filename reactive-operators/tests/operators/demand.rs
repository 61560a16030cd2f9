//! Demand behaviour shared by the synchronous sources `range` and `from_iter`: exactly n items
//! for request(n) in every request pattern, rule 3.9, saturation past u64::MAX, bounded
//! recursion, cancellation and rule 3.13.

use std::sync::Arc;

use reactive_core::{ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{from_iter, range};

use crate::probe::probe;

/// Makes a fresh publisher of `0..n`.
type Factory = Arc<dyn Fn() -> Box<dyn Run> + Send + Sync>;

/// Both sources, each emitting `0..n`.
fn sources(n: u64) -> Vec<(&'static str, Factory)> {
    vec![
        (
            "range",
            Arc::new(move || Box::new(range(0, n)) as Box<dyn Run>),
        ),
        (
            "from_iter",
            Arc::new(move || Box::new(from_iter(0..n)) as Box<dyn Run>),
        ),
    ]
}

/// Object-safe "subscribe a probe" so one test body covers both sources.
trait Run: Send + Sync {
    fn run(&self, p: crate::probe::Probe<u64>);
}

impl<P: Publisher<Item = u64> + Send + Sync> Run for P {
    fn run(&self, p: crate::probe::Probe<u64>) {
        self.subscribe(p);
    }
}

#[test]
fn one_at_a_time_from_the_test_thread() {
    for (name, make) in sources(50) {
        let (p, h) = probe::<u64>(0);
        make().run(p);
        assert_eq!(h.len(), 0, "{name}: emitted before any request");
        for i in 1..=50 {
            h.request(1);
            assert_eq!(h.len(), i, "{name}: request(1) #{i}");
        }
        assert_eq!(h.items(), (0..50).collect::<Vec<_>>(), "{name}");
        assert!(
            h.with(|r| r.completed == 1 && r.errors.is_empty() && !r.overflow),
            "{name}"
        );
    }
}

#[test]
fn batches_deliver_exactly_what_was_requested() {
    for (name, make) in sources(20) {
        let (p, h) = probe::<u64>(3);
        make().run(p);
        assert_eq!(h.len(), 3, "{name}");
        h.request(5);
        assert_eq!(h.len(), 8, "{name}");
        assert!(!h.is_terminated(), "{name}: completed early");
        h.request(12);
        assert_eq!(h.len(), 20, "{name}");
        // Completes eagerly once the last item is out, without waiting for more demand.
        assert!(h.with(|r| r.completed == 1 && !r.overflow), "{name}");
        h.request(10); // after completion: no effect
        assert_eq!(h.len(), 20, "{name}");
        assert!(h.with(|r| r.completed == 1), "{name}");
    }
}

#[test]
fn requests_from_inside_on_next() {
    for (name, make) in sources(1_000) {
        let (p, h) = probe::<u64>(1);
        let p = p.with_hook(|h, _| h.request(1));
        make().run(p);
        assert_eq!(h.items(), (0..1_000).collect::<Vec<_>>(), "{name}");
        assert!(h.with(|r| r.completed == 1 && !r.overflow), "{name}");
    }
}

#[test]
fn requests_from_other_threads() {
    for (name, make) in sources(20_000) {
        let (p, h) = probe::<u64>(0);
        make().run(p);
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let h = h.clone();
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        h.request(1);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        h.await_terminal();
        assert_eq!(h.items(), (0..20_000).collect::<Vec<_>>(), "{name}");
        assert!(h.with(|r| r.completed == 1 && !r.overflow), "{name}");
    }
}

#[test]
fn request_zero_is_an_invalid_request_error() {
    for (name, make) in sources(10) {
        let (p, h) = probe::<u64>(2);
        make().run(p);
        h.request(0);
        h.with(|r| {
            assert_eq!(r.items, vec![0, 1], "{name}");
            assert_eq!(r.completed, 0, "{name}");
            assert_eq!(r.errors.len(), 1, "{name}");
            assert_eq!(r.errors[0].kind(), ErrorKind::InvalidRequest, "{name}");
            assert!(r.errors[0].message().contains("rule 3.9"), "{name}");
        });
        h.request(5); // the subscription is over
        assert_eq!(h.len(), 2, "{name}");
        assert!(
            h.subscriber_dropped(),
            "{name}: subscriber kept after error"
        );
    }
}

#[test]
fn request_zero_as_the_first_request() {
    for (name, make) in sources(10) {
        let (p, h) = probe::<u64>(0);
        make().run(p);
        h.request(0);
        h.with(|r| {
            assert!(r.items.is_empty(), "{name}");
            assert_eq!(r.errors.len(), 1, "{name}");
            assert_eq!(r.errors[0].kind(), ErrorKind::InvalidRequest, "{name}");
        });
    }
}

#[test]
fn demand_past_u64_max_saturates_without_error() {
    for (name, make) in sources(1_000) {
        let (p, h) = probe::<u64>(u64::MAX - 1);
        make().run(p);
        h.request(u64::MAX - 1);
        h.request(UNBOUNDED);
        h.with(|r| {
            assert_eq!(r.items.len(), 1_000, "{name}");
            assert!(r.errors.is_empty(), "{name}: {:?}", r.errors);
            assert_eq!(r.completed, 1, "{name}");
        });
    }
    // On an endless source: bounded, then past the maximum, then cancel from inside on_next.
    let (p, h) = probe::<u64>(5);
    let p = p.with_hook(|h, n| {
        if n == 5 {
            h.request(u64::MAX);
            h.request(u64::MAX);
        }
        if n == 10_000 {
            h.cancel();
        }
    });
    range(0, u64::MAX).subscribe(p);
    h.with(|r| {
        assert_eq!(r.items.len(), 10_000);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.completed, 0);
    });
}

#[test]
fn a_million_reentrant_requests_do_not_grow_the_stack() {
    for (name, make) in sources(1_000_000) {
        let (p, h) = probe::<u64>(1);
        let low = Arc::new(parking_lot::Mutex::new((usize::MAX, 0usize)));
        let seen = low.clone();
        let p = p.with_hook(move |h, _| {
            let marker = 0u8;
            let addr = std::hint::black_box(&marker) as *const u8 as usize;
            {
                let mut s = seen.lock();
                s.0 = s.0.min(addr);
                s.1 = s.1.max(addr);
            }
            h.request(1);
        });
        make().run(p);
        assert_eq!(h.len(), 1_000_000, "{name}");
        assert!(h.with(|r| r.completed == 1 && !r.overflow), "{name}");
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
        let (p, h) = probe::<u64>(UNBOUNDED);
        let p = p.with_hook(|h, n| {
            if n == 7 {
                h.cancel();
            }
        });
        make().run(p);
        assert_eq!(h.len(), 7, "{name}");
        assert!(!h.is_terminated(), "{name}");
        h.forget_subscription();
        assert!(h.subscriber_dropped(), "{name}: rule 3.13");
    }
}

#[test]
fn cancel_before_any_request_drops_the_subscriber() {
    for (name, make) in sources(100) {
        let (p, h) = probe::<u64>(0);
        make().run(p);
        h.cancel();
        h.cancel(); // idempotent
        h.request(3); // no-op after cancel (rule 3.6)
        assert_eq!(h.len(), 0, "{name}");
        h.forget_subscription();
        assert!(h.subscriber_dropped(), "{name}: rule 3.13");
    }
}

#[test]
fn cancel_from_another_thread_races_emission_and_never_overflows() {
    for _ in 0..20 {
        let (p, h) = probe::<u64>(0);
        range(0, u64::MAX).subscribe(p);
        let h2 = h.clone();
        let requester = std::thread::spawn(move || {
            for _ in 0..1_000 {
                h2.request(3);
            }
        });
        let h3 = h.clone();
        let canceller = std::thread::spawn(move || {
            while h3.len() < 100 {
                std::thread::yield_now();
            }
            h3.cancel();
        });
        requester.join().unwrap();
        canceller.join().unwrap();
        h.with(|r| {
            assert!(!r.overflow, "more items than requested");
            assert!(r.items.len() as u64 <= r.requested);
            assert!(r.items.iter().copied().eq(0..r.items.len() as u64));
        });
    }
}

#[test]
fn each_subscriber_gets_its_own_run() {
    for (name, make) in sources(3) {
        let publisher = make();
        let (p1, h1) = probe::<u64>(UNBOUNDED);
        let (p2, h2) = probe::<u64>(UNBOUNDED);
        publisher.run(p1);
        publisher.run(p2);
        assert_eq!(h1.items(), vec![0, 1, 2], "{name}");
        assert_eq!(h2.items(), vec![0, 1, 2], "{name}");
    }
}

#[test]
fn cancel_from_on_next_with_bounded_demand_stops_at_once() {
    for (name, make) in sources(1_000) {
        let (p, h) = probe::<u64>(100);
        let p = p.with_hook(|h, n| {
            if n == 7 {
                h.cancel();
            }
        });
        make().run(p);
        assert_eq!(h.len(), 7, "{name}: items after cancel");
        h.forget_subscription();
        assert!(h.subscriber_dropped(), "{name}: rule 3.13");
    }
}
