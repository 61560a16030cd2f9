//! Merging: `flat_map` onto `range` and onto `just` inners, and `merge` of four `publish_on`
//! sources, side by side with the `futures` `StreamExt` equivalents polled with `block_on`.
//! The consumer sums the items (cheap per-item work) and the sum is checked.

use std::hint::black_box;
use std::sync::mpsc;
use std::thread;

use criterion::{Criterion, Throughput};
use futures_util::StreamExt;
use futures_util::stream;
use reactive_core::scheduler::PoolScheduler;
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef, UNBOUNDED};
use reactive_operators::{PublisherExt, just, merge, range};

/// Requests everything, sums, and sends the sum on completion.
struct Sum {
    total: u64,
    done: mpsc::Sender<u64>,
}

impl Subscriber<u64> for Sum {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        s.request(UNBOUNDED);
    }
    #[inline]
    fn on_next(&mut self, v: u64) {
        self.total = self.total.wrapping_add(v);
    }
    fn on_error(&mut self, e: Error) {
        panic!("{e}");
    }
    fn on_complete(&mut self) {
        self.done.send(self.total).unwrap();
    }
}

/// Subscribes a [`Sum`] and waits for its total.
fn sum_of<P: Publisher<Item = u64>>(publisher: &P) -> u64 {
    let (tx, rx) = mpsc::channel();
    publisher.subscribe(Sum { total: 0, done: tx });
    rx.recv().unwrap()
}

const OUTER: u64 = 10_000;
const INNER: u64 = 1_000;
const RANGE_SUM: u64 = OUTER * (INNER * (INNER - 1) / 2);
const SCALARS: u64 = 10_000_000;
const SCALAR_SUM: u64 = SCALARS * (SCALARS - 1) / 2;
const PER_SOURCE: u64 = 1_000_000;
const SOURCES: u64 = 4;
const MERGE_SUM: u64 = {
    let n = PER_SOURCE * SOURCES;
    n * (n - 1) / 2
};

fn flat_map_range_reactive() -> u64 {
    sum_of(&range(0..OUTER).flat_map(|_| range(0..INNER), 4, 32))
}

fn flat_map_range_futures() -> u64 {
    futures_executor::block_on(
        stream::iter(0..OUTER)
            .flat_map(|_| stream::iter(0..INNER))
            .fold(0u64, |a, v| async move { a.wrapping_add(v) }),
    )
}

fn flat_map_just_reactive() -> u64 {
    sum_of(&range(0..SCALARS).flat_map(just, 4, 32))
}

fn flat_map_just_futures() -> u64 {
    futures_executor::block_on(
        stream::iter(0..SCALARS)
            .flat_map(|x| stream::once(std::future::ready(x)))
            .fold(0u64, |a, v| async move { a.wrapping_add(v) }),
    )
}

fn merge_publish_on_reactive(pool: &PoolScheduler) -> u64 {
    let sources: Vec<_> = (0..SOURCES)
        .map(|i| range(i * PER_SOURCE..(i + 1) * PER_SOURCE).publish_on(pool.clone(), 256))
        .collect();
    sum_of(&merge(sources, 32))
}

/// Four threads feed four bounded tokio channels (256 each); `select_all` merges them.
fn select_all_channels() -> u64 {
    let mut receivers = Vec::new();
    let mut producers = Vec::new();
    for i in 0..SOURCES {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(256);
        producers.push(thread::spawn(move || {
            for v in i * PER_SOURCE..(i + 1) * PER_SOURCE {
                tx.blocking_send(v).unwrap();
            }
        }));
        receivers.push(stream::poll_fn(move |cx| rx.poll_recv(cx)).boxed());
    }
    let sum = futures_executor::block_on(
        stream::select_all(receivers).fold(0u64, |a, v| async move { a.wrapping_add(v) }),
    );
    for p in producers {
        p.join().unwrap();
    }
    sum
}

pub(crate) fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("flat_map_range_10k_x_1000");
    g.throughput(Throughput::Elements(OUTER * INNER));
    g.bench_function("reactive flat_map(range, 4, 32)", |b| {
        b.iter(|| assert_eq!(black_box(flat_map_range_reactive()), RANGE_SUM))
    });
    g.bench_function("futures flat_map(stream::iter)", |b| {
        b.iter(|| assert_eq!(black_box(flat_map_range_futures()), RANGE_SUM))
    });
    g.finish();

    let mut g = c.benchmark_group("flat_map_just_10M");
    g.throughput(Throughput::Elements(SCALARS));
    g.bench_function("reactive flat_map(just, 4, 32)", |b| {
        b.iter(|| assert_eq!(black_box(flat_map_just_reactive()), SCALAR_SUM))
    });
    g.bench_function("futures flat_map(stream::once)", |b| {
        b.iter(|| assert_eq!(black_box(flat_map_just_futures()), SCALAR_SUM))
    });
    g.finish();

    let pool = PoolScheduler::new(4);
    let mut g = c.benchmark_group("merge_4_threads_x_1M");
    g.throughput(Throughput::Elements(SOURCES * PER_SOURCE));
    g.sample_size(10);
    g.bench_function("reactive merge(4 x publish_on(pool, 256), 32)", |b| {
        b.iter(|| assert_eq!(black_box(merge_publish_on_reactive(&pool)), MERGE_SUM))
    });
    g.bench_function("futures select_all(4 tokio channels)", |b| {
        b.iter(|| assert_eq!(black_box(select_all_channels()), MERGE_SUM))
    });
    g.finish();
}
