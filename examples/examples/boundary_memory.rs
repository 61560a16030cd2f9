//! Peak memory of a fast producer feeding a slow consumer on another thread: through
//! `publish_on` (bounded by its prefetch) and through an unbounded channel (bounded by nothing).
//!
//! Run (the figures in `docs/benchmarks.md` come from these):
//!
//! ```sh
//! cargo build --release --example boundary_memory
//! /usr/bin/time -v target/release/examples/boundary_memory publish_on 10000000
//! /usr/bin/time -v target/release/examples/boundary_memory unbounded 10000000
//! ```
//!
//! The consumer does about 100 times the producer's work per item (a short mixing loop), so
//! the producer is always ahead: with `publish_on` it waits for demand and at most `prefetch`
//! items exist at once; with the unbounded channel every item it gets ahead stays in memory.

#![forbid(unsafe_code)]

use std::sync::mpsc;
use std::thread;

use reactive_core::scheduler::{Scheduler, SingleThreadScheduler};
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef, UNBOUNDED};
use reactive_examples::slow;
use reactive_operators::{PublisherExt, range};

struct SlowSum {
    acc: u64,
    done: mpsc::Sender<Result<u64, Error>>,
}

impl Subscriber<u64> for SlowSum {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        s.request(UNBOUNDED);
    }
    fn on_next(&mut self, v: u64) {
        self.acc = self.acc.wrapping_add(slow(v));
    }
    fn on_error(&mut self, e: Error) {
        let _ = self.done.send(Err(e));
    }
    fn on_complete(&mut self) {
        let _ = self.done.send(Ok(self.acc));
    }
}

fn through_publish_on(n: u64) -> u64 {
    let source = SingleThreadScheduler::builder().name("source").build();
    let consumer = SingleThreadScheduler::builder().name("consumer").build();
    let (done, result) = mpsc::channel();
    range(0..n)
        .subscribe_on(source.clone())
        .publish_on(consumer.clone(), 256)
        .subscribe(SlowSum { acc: 0, done });
    let sum = result
        .recv()
        .expect("the pipeline ended")
        .expect("no error");
    source.shutdown();
    consumer.shutdown();
    sum
}

fn through_unbounded_channel(n: u64) -> u64 {
    let (tx, rx) = mpsc::channel::<u64>();
    let producer = thread::spawn(move || {
        for v in 0..n {
            tx.send(v).unwrap();
        }
    });
    let sum = rx.iter().fold(0u64, |acc, v| acc.wrapping_add(slow(v)));
    producer.join().unwrap();
    sum
}

fn main() {
    let mut args = std::env::args().skip(1);
    let how = args.next().unwrap_or_else(|| "publish_on".into());
    let n: u64 = args
        .next()
        .map(|s| s.parse().expect("N must be a number"))
        .unwrap_or(10_000_000);
    let sum = match how.as_str() {
        "publish_on" => through_publish_on(n),
        "unbounded" => through_unbounded_channel(n),
        other => panic!("unknown mode {other}: use publish_on or unbounded"),
    };
    println!("{how}: {n} items, checksum {sum}");
}
