//! Peak memory of `flat_map` over 10,000 inners of 1,000 items each (10 million items) into a
//! slow consumer: with fused inners (`range`), with inners that are subscribed and queued
//! (`range(..).map(..)`), and with inners on a thread pool (`range(..).publish_on(..)`).
//!
//! Run (the figures in `docs/benchmarks.md` come from these):
//!
//! ```sh
//! cargo build --release -p reactive-examples --example flat_map_memory
//! farm-bench -n 3 -- target/release/examples/flat_map_memory
//! ```
//!
//! With no argument it runs the three kinds one after the other; `fused`, `mapped` or
//! `pooled` runs one. The consumer does about 100 times the producer's work per item, so the
//! inners are always ahead of it: `flat_map(f, 8, 32)` keeps at most 8 inners open and 32
//! items queued per inner, whatever the total. The program prints its own peak resident set
//! (`VmHWM`) at the end and fails if it is above 64 MiB.

#![forbid(unsafe_code)]

use std::sync::mpsc;

use reactive_core::scheduler::{PoolScheduler, Scheduler};
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};
use reactive_examples::slow;
use reactive_operators::{PublisherExt, range};

const INNERS: u64 = 10_000;
const ITEMS: u64 = 1_000;

/// Requests 64, then 64 more each time 64 were consumed: a slow, paced consumer.
struct SlowSum {
    acc: u64,
    count: u64,
    subscription: Option<SubscriptionRef>,
    done: mpsc::Sender<Result<(u64, u64), Error>>,
}

impl Subscriber<u64> for SlowSum {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        s.request(64);
        self.subscription = Some(s);
    }
    fn on_next(&mut self, v: u64) {
        self.acc = self.acc.wrapping_add(slow(v));
        self.count += 1;
        if let Some(s) = self
            .subscription
            .as_ref()
            .filter(|_| self.count.is_multiple_of(64))
        {
            s.request(64);
        }
    }
    fn on_error(&mut self, e: Error) {
        let _ = self.done.send(Err(e));
    }
    fn on_complete(&mut self) {
        let _ = self.done.send(Ok((self.acc, self.count)));
    }
}

fn run<P: Publisher<Item = u64>>(name: &str, publisher: P) {
    let (done, result) = mpsc::channel();
    publisher.subscribe(SlowSum {
        acc: 0,
        count: 0,
        subscription: None,
        done,
    });
    let (sum, count) = result
        .recv()
        .expect("the pipeline ended")
        .expect("no error");
    assert_eq!(count, INNERS * ITEMS, "{name}: every item");
    println!("{name}: {count} items, checksum {sum:x}");
}

/// The peak resident set of this process, in KiB (`VmHWM` in `/proc/self/status`).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let which = std::env::args().nth(1);
    let pool = PoolScheduler::new(2);
    let wants = |name: &str| which.as_deref().is_none_or(|w| w == name);
    if wants("fused") {
        run(
            "fused",
            range(0..INNERS).flat_map(|i| range(i * ITEMS..(i + 1) * ITEMS), 8, 32),
        );
    }
    if wants("mapped") {
        run(
            "mapped",
            range(0..INNERS).flat_map(|i| range(i * ITEMS..(i + 1) * ITEMS).map(|v| v ^ 1), 8, 32),
        );
    }
    if wants("pooled") {
        let p = pool.clone();
        run(
            "pooled",
            range(0..INNERS).flat_map(
                move |i| range(i * ITEMS..(i + 1) * ITEMS).publish_on(p.clone(), 32),
                8,
                32,
            ),
        );
    }
    pool.shutdown();
    if let Some(peak) = peak_rss_kib() {
        println!("peak RSS: {} KiB ({:.1} MiB)", peak, peak as f64 / 1024.0);
        assert!(peak < 64 * 1024, "peak RSS {peak} KiB is above 64 MiB");
    }
}
