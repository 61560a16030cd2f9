//! Real threads, random request and cancel schedules, invariants checked after each run:
//! never more items than requested, items in order with none lost or duplicated, at most one
//! terminal signal, and completion exactly when everything was requested and nobody cancelled.

use std::time::Duration;

use reactive_core::Publisher;
use reactive_operators::{PublisherExt, from_iter, range};
use reactive_tck::TestSubscriber;

/// A small deterministic generator (xorshift64*), so a failing seed can be replayed.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const ITEMS: u64 = 2_000;

fn run_schedule(seed: u64, subscribe: impl FnOnce(TestSubscriber<u64>)) {
    let ts = TestSubscriber::with_request(0);
    subscribe(ts.clone());
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let cancel_at = if rng.below(3) == 0 {
        Some(rng.below(ITEMS))
    } else {
        None
    };
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let ts = ts.clone();
            let mut rng = Rng(rng.next() | 1 | t);
            std::thread::spawn(move || {
                // Each thread requests half of the items (plus some slack) in random chunks.
                let mut asked = 0;
                while asked < ITEMS / 2 + 8 {
                    let n = 1 + rng.below(16);
                    ts.request(n);
                    asked += n;
                    if rng.below(8) == 0 {
                        std::thread::yield_now();
                    }
                }
            })
        })
        .collect();
    if let Some(at) = cancel_at {
        while ts.value_count() < at && !ts.is_terminated() {
            std::thread::yield_now();
        }
        ts.cancel();
    }
    for t in threads {
        t.join().unwrap();
    }
    if cancel_at.is_none() {
        assert!(
            ts.await_terminal(Duration::from_secs(10)),
            "seed {seed}: no terminal signal within 10 s: {ts:?}"
        );
    }
    let items = ts.values();
    let n = items.len() as u64;
    // Rule 1.1 (more items than requested) and two terminal signals (rule 1.7) are
    // violations.
    assert!(
        ts.violations().is_empty(),
        "seed {seed}: {:?}",
        ts.violations()
    );
    assert!(
        n <= ts.requested(),
        "seed {seed}: {n} items for {} requested",
        ts.requested()
    );
    assert!(
        items.iter().copied().eq(0..n),
        "seed {seed}: items out of order, lost or duplicated"
    );
    assert!(ts.error().is_none(), "seed {seed}: {ts:?}");
    if cancel_at.is_none() {
        assert_eq!(n, ITEMS, "seed {seed}");
        assert!(ts.is_complete(), "seed {seed}");
    }
}

#[test]
fn random_request_and_cancel_schedules_on_range() {
    for seed in 0..40 {
        run_schedule(seed, |ts| range(0..ITEMS).subscribe(ts));
    }
}

#[test]
fn random_request_and_cancel_schedules_on_from_iter_map_filter() {
    for seed in 100..140 {
        run_schedule(seed, |ts| {
            // Every item survives the filter, so the expected sequence stays 0..ITEMS, but the
            // conditional path through map and filter is exercised.
            from_iter(0..ITEMS)
                .map(|v| v + 1)
                .filter(|v| *v > 0)
                .map(|v| v - 1)
                .subscribe(ts)
        });
    }
}
