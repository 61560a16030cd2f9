//! Peak memory of `group_by` into 1,000 groups with one slow group: the queues stay bounded
//! (`groups * prefetch` items with `GroupOverflow::Drop`, `prefetch` with `Backpressure`),
//! whatever the number of items.
//!
//! Run (the figures in `docs/benchmarks.md` come from these):
//!
//! ```sh
//! cargo build --release -p reactive-examples --example group_by_memory
//! farm-bench -n 3 -- target/release/examples/group_by_memory drop 10000000
//! farm-bench -n 3 -- target/release/examples/group_by_memory backpressure 1000000
//! ```
//!
//! Group 0 is consumed on a worker thread that does about 2,000,000 multiply-adds per item,
//! far slower than the items arrive; the other 999 groups are summed where the items
//! arrive. With `Drop`, what group 0's queue (256 items) cannot take is dropped and counted;
//! with `Backpressure`, the whole pipeline waits for group 0.

#![forbid(unsafe_code)]

use reactive_core::sync::atomic::{AtomicU64, Ordering};
use std::hint::black_box;
use std::sync::Arc;
use std::sync::mpsc;

use reactive_core::scheduler::SingleThreadScheduler;
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef, UNBOUNDED};
use reactive_operators::ops::GroupOverflow;
use reactive_operators::{PublisherExt, range};

const GROUPS: u64 = 1_000;
const PREFETCH: usize = 256;

/// The slow group's per-item work.
#[inline(never)]
fn slow(v: u64) -> u64 {
    let mut x = v;
    for _ in 0..2_000_000 {
        x = black_box(
            x.wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407),
        );
    }
    x
}

/// Group 0's subscriber: slow work per item, then tells `main` it is done.
struct Slow {
    seen: Arc<AtomicU64>,
    done: mpsc::Sender<&'static str>,
}

impl Subscriber<u64> for Slow {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        s.request(UNBOUNDED);
    }
    fn on_next(&mut self, v: u64) {
        black_box(slow(v));
        self.seen.fetch_add(1, Ordering::Relaxed);
    }
    fn on_error(&mut self, e: Error) {
        panic!("slow group failed: {e}");
    }
    fn on_complete(&mut self) {
        let _ = self.done.send("slow group");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let policy = args.get(1).map_or("drop", String::as_str);
    let n: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let worker = SingleThreadScheduler::new();
    let (done, finished) = mpsc::channel();
    let sum = Arc::new(AtomicU64::new(0));
    let slow_seen = Arc::new(AtomicU64::new(0));
    let dropped = Arc::new(AtomicU64::new(0));

    let groups = range(0..n).group_by(|x| x % GROUPS, PREFETCH);
    let groups = match policy {
        "drop" => {
            let dropped = dropped.clone();
            groups.on_dropped(move |_, _| {
                dropped.fetch_add(1, Ordering::Relaxed);
            })
        }
        "backpressure" => groups.overflow(GroupOverflow::Backpressure),
        other => panic!("policy {other:?}: use drop or backpressure"),
    };
    let (s, seen, slow_done, outer_done) = (sum.clone(), slow_seen.clone(), done.clone(), done);
    groups
        .map(move |group| {
            if *group.key() == 0 {
                group.publish_on(worker.clone(), 16).subscribe(Slow {
                    seen: seen.clone(),
                    done: slow_done.clone(),
                });
            } else {
                let s = s.clone();
                group.subscribe_with(
                    move |v| {
                        s.fetch_add(v, Ordering::Relaxed);
                    },
                    |e| panic!("group failed: {e}"),
                    || {},
                );
            }
        })
        .subscribe_with(
            |_| {},
            |e| panic!("group_by failed: {e}"),
            move || {
                let _ = outer_done.send("outer");
            },
        );
    for _ in 0..2 {
        finished
            .recv()
            .expect("both the outer stream and the slow group complete");
    }
    println!(
        "{policy}: {n} items into {GROUPS} groups (prefetch {PREFETCH}): sum of the fast groups {}, slow group consumed {}, dropped {}",
        sum.load(Ordering::Relaxed),
        slow_seen.load(Ordering::Relaxed),
        dropped.load(Ordering::Relaxed),
    );
}
