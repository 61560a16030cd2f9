//! 10M `u64` from a producer thread to a consumer thread: `publish_on(prefetch 256)` side by
//! side with the channels and rings a Rust programmer would reach for, in one run; and a
//! pipeline consumed by a tokio task through `into_stream(256)` against `tokio::sync::mpsc`.
//!
//! Run: `cargo bench -p reactive-operators --bench boundary`. Ratios go to `docs/benchmarks.md`.
//!
//! Every variant moves the same items (`0..N`) and the consumer sums them (cheap per-item work,
//! so the hand-off's own cost shows); the sum is checked so nothing can be optimized away.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::hint::black_box;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

mod peers;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use futures_util::StreamExt;
use reactive_core::scheduler::{PoolScheduler, Scheduler, SingleThreadScheduler};
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef, UNBOUNDED};
use reactive_operators::{PublisherExt, range};

const N: u64 = 10_000_000;
const CAPACITY: usize = 256;
const CHUNK: usize = 64;
const EXPECTED: u64 = N * (N - 1) / 2;

fn std_sync_channel() -> u64 {
    let (tx, rx) = mpsc::sync_channel::<u64>(CAPACITY);
    let producer = thread::spawn(move || {
        for i in 0..N {
            tx.send(i).unwrap();
        }
    });
    let sum = rx.iter().fold(0u64, u64::wrapping_add);
    producer.join().unwrap();
    sum
}

/// The raw ring, one item per push and per pop, both sides spinning: no wake-ups at all.
fn rtrb_per_item() -> u64 {
    let (mut tx, mut rx) = rtrb::RingBuffer::<u64>::new(CAPACITY);
    let producer = thread::spawn(move || {
        for i in 0..N {
            let mut v = i;
            loop {
                match tx.push(v) {
                    Ok(()) => break,
                    Err(rtrb::PushError::Full(back)) => {
                        v = back;
                        std::hint::spin_loop();
                    }
                }
            }
        }
    });
    let mut sum = 0u64;
    let mut got = 0;
    while got < N {
        match rx.pop() {
            Ok(v) => {
                sum = sum.wrapping_add(v);
                got += 1;
            }
            Err(_) => std::hint::spin_loop(),
        }
    }
    producer.join().unwrap();
    sum
}

/// The practical limit: the raw ring written and read in chunks of 64.
fn rtrb_chunked() -> u64 {
    let (mut tx, mut rx) = rtrb::RingBuffer::<u64>::new(CAPACITY);
    let producer = thread::spawn(move || {
        let mut next = 0u64;
        while next < N {
            let want = CHUNK.min((N - next) as usize);
            match tx.write_chunk_uninit(want) {
                Ok(chunk) => {
                    let end = next + want as u64;
                    chunk.fill_from_iter(next..end);
                    next = end;
                }
                Err(_) => std::hint::spin_loop(),
            }
        }
    });
    let mut sum = 0u64;
    let mut got = 0u64;
    while got < N {
        let ready = rx.slots().min(CHUNK);
        if ready == 0 {
            std::hint::spin_loop();
            continue;
        }
        let chunk = rx.read_chunk(ready).unwrap();
        for v in chunk {
            sum = sum.wrapping_add(v);
        }
        got += ready as u64;
    }
    producer.join().unwrap();
    sum
}

/// Sums what it receives (requesting everything) and sends the sum when the stream completes.
struct SumTo {
    sum: u64,
    done: mpsc::Sender<u64>,
}

impl Subscriber<u64> for SumTo {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        s.request(UNBOUNDED);
    }
    #[inline]
    fn on_next(&mut self, v: u64) {
        self.sum = self.sum.wrapping_add(v);
    }
    fn on_error(&mut self, e: Error) {
        panic!("boundary bench failed: {e}");
    }
    fn on_complete(&mut self) {
        self.done.send(self.sum).unwrap();
    }
}

/// `range` emits on one thread (`subscribe_on` runs its requests there), `publish_on` hands
/// the items to another, where the subscriber sums them.
fn publish_on(source: &SingleThreadScheduler, consumer: &SingleThreadScheduler) -> u64 {
    let (done, sum) = mpsc::channel();
    range(0..N)
        .subscribe_on(source.clone())
        .publish_on(consumer.clone(), CAPACITY)
        .subscribe(SumTo { sum: 0, done });
    sum.recv().unwrap()
}

fn into_stream(rt: &tokio::runtime::Runtime, source: &PoolScheduler) -> u64 {
    let stream = range(0..N)
        .subscribe_on(source.clone())
        .into_stream(CAPACITY);
    rt.block_on(async move {
        tokio::spawn(async move {
            let mut stream = stream;
            let mut sum = 0u64;
            while let Some(v) = stream.next().await {
                sum = sum.wrapping_add(v.unwrap());
            }
            sum
        })
        .await
        .unwrap()
    })
}

/// A group of N-item runs: 10 samples, each a whole 10M-item run.
fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(N));
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(8));
    g
}

fn handoff(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let source = SingleThreadScheduler::builder()
        .name("bench-source")
        .build();
    let consumer = SingleThreadScheduler::builder()
        .name("bench-consumer")
        .build();

    let mut g = group(c, "handoff_10M");
    g.bench_function("publish_on_256", |b| {
        b.iter(|| assert_eq!(black_box(publish_on(&source, &consumer)), EXPECTED))
    });
    g.bench_function("crossbeam_bounded_256", |b| {
        b.iter(|| assert_eq!(black_box(peers::crossbeam_bounded(N, CAPACITY)), EXPECTED))
    });
    g.bench_function("std_sync_channel_256", |b| {
        b.iter(|| assert_eq!(black_box(std_sync_channel()), EXPECTED))
    });
    g.bench_function("tokio_mpsc_256", |b| {
        b.iter(|| assert_eq!(black_box(peers::tokio_mpsc(&rt, N, CAPACITY)), EXPECTED))
    });
    g.bench_function("rtrb_per_item_256", |b| {
        b.iter(|| assert_eq!(black_box(rtrb_per_item()), EXPECTED))
    });
    g.bench_function("rtrb_chunks_64_of_256", |b| {
        b.iter(|| assert_eq!(black_box(rtrb_chunked()), EXPECTED))
    });
    g.finish();

    let pool = PoolScheduler::builder()
        .threads(1)
        .name("bench-pool")
        .build();
    let mut g = group(c, "tokio_task_10M");
    g.bench_function("into_stream_256", |b| {
        b.iter(|| assert_eq!(black_box(into_stream(&rt, &pool)), EXPECTED))
    });
    g.bench_function("tokio_mpsc_256", |b| {
        b.iter(|| assert_eq!(black_box(peers::tokio_mpsc(&rt, N, CAPACITY)), EXPECTED))
    });
    g.finish();
    source.shutdown();
    consumer.shutdown();
    pool.shutdown();
}

criterion_group!(benches, handoff);
criterion_main!(benches);
