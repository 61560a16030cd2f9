//! Real threads, random request and cancel schedules, invariants checked after each run:
//! never more items than requested, items in order with none lost or duplicated, at most one
//! terminal signal, and completion exactly when everything was requested and nobody cancelled.

use reactive_core::Publisher;
use reactive_operators::{PublisherExt, from_iter, range};

use crate::probe::{Probe, ProbeHandle, probe};

/// A small deterministic generator (xorshift64*), so a failing seed can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const ITEMS: u64 = 2_000;

fn run_schedule(seed: u64, subscribe: impl FnOnce(Probe<u64>)) {
    let (p, h) = probe::<u64>(0);
    subscribe(p);
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let cancel_at = if rng.below(3) == 0 {
        Some(rng.below(ITEMS))
    } else {
        None
    };
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let h: ProbeHandle<u64> = h.clone();
            let mut rng = Rng(rng.next() | 1 | t);
            std::thread::spawn(move || {
                // Each thread requests half of the items (plus some slack) in random chunks.
                let mut asked = 0;
                while asked < ITEMS / 2 + 8 {
                    let n = 1 + rng.below(16);
                    h.request(n);
                    asked += n;
                    if rng.below(8) == 0 {
                        std::thread::yield_now();
                    }
                }
            })
        })
        .collect();
    if let Some(at) = cancel_at {
        while (h.len() as u64) < at && !h.is_terminated() {
            std::thread::yield_now();
        }
        h.cancel();
    }
    for t in threads {
        t.join().unwrap();
    }
    if cancel_at.is_none() {
        h.await_terminal();
    }
    h.with(|r| {
        let n = r.items.len() as u64;
        assert!(!r.overflow, "seed {seed}: rule 1.1 broken");
        assert!(
            n <= r.requested,
            "seed {seed}: {n} items for {} requested",
            r.requested
        );
        assert!(
            r.items.iter().copied().eq(0..n),
            "seed {seed}: items out of order, lost or duplicated"
        );
        assert!(
            r.completed + r.errors.len() <= 1,
            "seed {seed}: two terminal signals"
        );
        assert!(r.errors.is_empty(), "seed {seed}: {:?}", r.errors);
        if cancel_at.is_none() {
            assert_eq!(n, ITEMS, "seed {seed}");
            assert_eq!(r.completed, 1, "seed {seed}");
        }
    });
}

#[test]
fn random_request_and_cancel_schedules_on_range() {
    for seed in 0..40 {
        run_schedule(seed, |p| range(0, ITEMS).subscribe(p));
    }
}

#[test]
fn random_request_and_cancel_schedules_on_from_iter_map_filter() {
    for seed in 100..140 {
        run_schedule(seed, |p| {
            // Every item survives the filter, so the expected sequence stays 0..ITEMS, but the
            // conditional path through map and filter is exercised.
            from_iter(0..ITEMS)
                .map(|v| v + 1)
                .filter(|v| *v > 0)
                .map(|v| v - 1)
                .subscribe(p)
        });
    }
}
