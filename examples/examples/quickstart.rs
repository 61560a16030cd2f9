//! A fast producer on one thread, a slow consumer on another, and a bounded queue between
//! them: watch the producer wait.
//!
//! `range` could produce a billion items as fast as the CPU allows. `subscribe_on` puts it on
//! the thread `producer`; `publish_on(consumer, 8)` moves every item to the thread `consumer`
//! through a queue of 8 slots, and asks the producer for 8 items upfront and 6 more each time
//! the consumer has taken 6 (the 75% rule). The consumer needs 20 ms per item. The producer
//! fills the queue in a few microseconds and then does nothing until the consumer has made
//! room: the timestamps show it waiting, and the queue never holds more than 8 items.
//!
//! Run: `cargo run --release --example quickstart`

#![forbid(unsafe_code)]

use std::sync::mpsc;
use std::time::{Duration, Instant};

use reactive_core::scheduler::{Scheduler, SingleThreadScheduler};
use reactive_core::sync::Arc;
use reactive_core::sync::atomic::{AtomicU64, Ordering};
use reactive_operators::{PublisherExt, range};

const ITEMS: u64 = 24;
const QUEUE: usize = 8;

fn main() {
    let producer = SingleThreadScheduler::builder().name("producer").build();
    let consumer = SingleThreadScheduler::builder().name("consumer").build();
    let start = Instant::now();
    let ms = move || start.elapsed().as_secs_f64() * 1e3;

    // What the producer made and what the consumer took: their difference is the queue fill.
    let made = Arc::new(AtomicU64::new(0));
    let taken = Arc::new(AtomicU64::new(0));
    let (made_p, taken_p) = (made.clone(), taken.clone());
    let (made_c, taken_c) = (made.clone(), taken.clone());

    let (done_tx, done) = mpsc::channel();
    let done_err = done_tx.clone();
    let handle = range(1u64..1_000_000_001)
        .map(move |v| {
            let n = made_p.fetch_add(1, Ordering::AcqRel) + 1;
            let fill = n - taken_p.load(Ordering::Acquire);
            println!(
                "{:>7.2} ms  [{}] made  {v:>2}   queue {fill}/{QUEUE}",
                ms(),
                std::thread::current().name().unwrap_or("?"),
            );
            v
        })
        .subscribe_on(producer.clone())
        .publish_on(consumer.clone(), QUEUE)
        .subscribe_with(
            move |v| {
                if taken_c.load(Ordering::Acquire) == ITEMS {
                    return; // enough: main is cancelling; ignore what is still in flight
                }
                std::thread::sleep(Duration::from_millis(20)); // slow work
                let t = taken_c.fetch_add(1, Ordering::AcqRel) + 1;
                let fill = made_c.load(Ordering::Acquire) - t;
                println!(
                    "{:>7.2} ms  [{}] took  {v:>2}   queue {fill}/{QUEUE}",
                    ms(),
                    std::thread::current().name().unwrap_or("?"),
                );
                if t == ITEMS {
                    let _ = done_tx.send(());
                }
            },
            move |e| {
                eprintln!("failed: {e}");
                let _ = done_err.send(());
            },
            || {},
        );
    let _ = done.recv();
    handle.cancel();

    println!(
        "the source could emit 1000000000 items; it made {} for the {} the consumer took \
         (the rest waited in the queue when the consumer cancelled)",
        made.load(Ordering::Acquire),
        taken.load(Ordering::Acquire)
    );
    producer.shutdown();
    consumer.shutdown();
}
