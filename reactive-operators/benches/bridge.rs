//! 1M `u64` handed from one side to the other, in one run:
//!
//! * between two tokio tasks (2 worker threads): `into_stream(256)` read by one task while the
//!   other emits into its subscriber as demand allows (waiting on a `Notify` while it has
//!   none), against a `tokio::sync::mpsc` channel of 256;
//! * between two plain threads: `blocking_iter(256)` read by one thread while the other emits
//!   as demand allows (spinning, then yielding, then parking while it has none, much as
//!   crossbeam's sender does while its channel is full), against a
//!   `crossbeam_channel::bounded(256)`.
//!
//! Run: `cargo bench -p reactive-operators --bench bridge`. Ratios go to
//! `docs/benchmarks.md`.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use reactive_core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::hint::black_box;
use std::sync::Arc;
use std::thread::{self, JoinHandle, Thread};
use std::time::Duration;

mod peers;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures_util::StreamExt;
use reactive_core::{Subscriber, Subscription};
use reactive_operators::bridge::{StreamSubscriber, stream_subscriber};
use reactive_operators::terminal::blocking_subscriber;

const N: u64 = 1_000_000;
const CAPACITY: usize = 256;
/// Rounds of 1, 2, 4, ... spin hints the producer spends looking for demand before it parks.
const SPIN_ROUNDS: u32 = 7;
/// Then this many yields of its core.
const YIELD_ROUNDS: u32 = 16;

/// The producer thread's demand: requests add to it and unpark the producer if it waits.
struct Demand {
    requested: AtomicU64,
    parked: AtomicBool,
    producer: Thread,
}

impl Subscription for Demand {
    fn request(&self, n: u64) {
        self.requested.fetch_add(n, Ordering::SeqCst);
        if self.parked.swap(false, Ordering::SeqCst) {
            self.producer.unpark();
        }
    }
    fn cancel(&self) {}
}

/// Emits 0..n into `subscriber` from a new thread, as demand allows, then completes.
fn produce(mut subscriber: StreamSubscriber<u64>, n: u64) -> JoinHandle<()> {
    thread::spawn(move || {
        let demand = Arc::new(Demand {
            requested: AtomicU64::new(0),
            parked: AtomicBool::new(false),
            producer: thread::current(),
        });
        subscriber.on_subscribe(demand.clone());
        let mut sent = 0;
        let mut idle = 0u32;
        while sent < n {
            let mut requested = demand.requested.load(Ordering::SeqCst);
            if requested == sent && idle < SPIN_ROUNDS + YIELD_ROUNDS {
                // As crossbeam's sender does: spin, then yield, a little before blocking.
                if idle < SPIN_ROUNDS {
                    for _ in 0..1u32 << idle {
                        std::hint::spin_loop();
                    }
                } else {
                    thread::yield_now();
                }
                idle += 1;
                continue;
            }
            idle = 0;
            if requested == sent {
                demand.parked.store(true, Ordering::SeqCst);
                requested = demand.requested.load(Ordering::SeqCst);
                if requested == sent {
                    thread::park();
                    continue;
                }
                demand.parked.store(false, Ordering::SeqCst);
            }
            let until = requested.min(n);
            while sent < until {
                subscriber.on_next(sent);
                sent += 1;
            }
        }
        subscriber.on_complete();
    })
}

/// The async producer's demand: requests add to it and notify the producer task.
struct AsyncDemand {
    requested: AtomicU64,
    more: tokio::sync::Notify,
}

impl Subscription for AsyncDemand {
    fn request(&self, n: u64) {
        self.requested.fetch_add(n, Ordering::SeqCst);
        self.more.notify_one();
    }
    fn cancel(&self) {}
}

/// Emits 0..n into `subscriber` from a tokio task, as demand allows, then completes.
async fn produce_async(mut subscriber: StreamSubscriber<u64>, n: u64) {
    let demand = Arc::new(AsyncDemand {
        requested: AtomicU64::new(0),
        more: tokio::sync::Notify::new(),
    });
    subscriber.on_subscribe(demand.clone());
    let mut sent = 0;
    while sent < n {
        let requested = demand.requested.load(Ordering::SeqCst);
        if requested == sent {
            // `notify_one` stores a permit if nobody waits, so a request is never lost.
            demand.more.notified().await;
            continue;
        }
        let until = requested.min(n);
        while sent < until {
            subscriber.on_next(sent);
            sent += 1;
        }
    }
    subscriber.on_complete();
}

fn into_stream(rt: &tokio::runtime::Runtime, n: u64) -> u64 {
    let (subscriber, stream) = stream_subscriber::<u64>(CAPACITY);
    rt.block_on(async move {
        let producer = tokio::spawn(produce_async(subscriber, n));
        let consumer =
            tokio::spawn(stream.fold(0u64, |a, v| std::future::ready(a.wrapping_add(v.unwrap()))));
        producer.await.unwrap();
        consumer.await.unwrap()
    })
}

fn blocking_iter(n: u64) -> u64 {
    let (subscriber, items) = blocking_subscriber::<u64>(CAPACITY);
    let producer = produce(subscriber, n);
    let sum = items.fold(0u64, |a, v| a.wrapping_add(v.unwrap()));
    producer.join().unwrap();
    sum
}

fn bridge(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let expected = (0..N).fold(0u64, |a, v| a.wrapping_add(v));
    assert_eq!(into_stream(&rt, N), expected);
    assert_eq!(peers::tokio_mpsc(&rt, N, CAPACITY), expected);
    assert_eq!(blocking_iter(N), expected);
    assert_eq!(peers::crossbeam_bounded(N, CAPACITY), expected);

    let mut g = c.benchmark_group("handoff_1M");
    g.throughput(Throughput::Elements(N));
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(5));
    g.bench_function("into_stream_256", |b| {
        b.iter(|| into_stream(&rt, black_box(N)))
    });
    g.bench_function("tokio_mpsc_256", |b| {
        b.iter(|| peers::tokio_mpsc(&rt, black_box(N), CAPACITY))
    });
    g.bench_function("blocking_iter_256", |b| {
        b.iter(|| blocking_iter(black_box(N)))
    });
    g.bench_function("crossbeam_bounded_256", |b| {
        b.iter(|| peers::crossbeam_bounded(black_box(N), CAPACITY))
    });
    g.finish();
}

criterion_group!(benches, bridge);
criterion_main!(benches);
