//! Sequential combining: `concat_map` over `range(0..1000)` inners (10M items) against the
//! `futures` `flatten` of `stream::iter` inners; `flat_map_iter` against `Iterator::flat_map`
//! and the `futures` `flat_map`; all summing the items (each through `black_box`, so that no
//! contender folds the sum of a range into a formula), unbounded demand.

use std::hint::black_box;
use std::sync::{Arc, Mutex};

use criterion::{Criterion, Throughput};
use futures_util::StreamExt;
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef, UNBOUNDED};
use reactive_operators::{PublisherExt, range};

const OUTER: u64 = 10_000;
const INNER: u64 = 1_000;

/// Sums what it receives, requesting unbounded.
struct Sum {
    sum: u64,
    out: Arc<Mutex<u64>>,
}

impl Subscriber<u64> for Sum {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        s.request(UNBOUNDED);
    }
    #[inline]
    fn on_next(&mut self, v: u64) {
        self.sum = self.sum.wrapping_add(black_box(v));
    }
    fn on_error(&mut self, e: Error) {
        panic!("{e}");
    }
    fn on_complete(&mut self) {
        *self.out.lock().unwrap() = self.sum;
    }
}

fn sum_of<P: Publisher<Item = u64>>(publisher: P) -> u64 {
    let out = Arc::new(Mutex::new(0));
    publisher.subscribe(Sum {
        sum: 0,
        out: out.clone(),
    });
    *out.lock().unwrap()
}

fn concat_map_fused(outer: u64, inner: u64) -> u64 {
    sum_of(range(0..outer).concat_map(move |_| range(0..inner), 32))
}

fn concat_map_subscribed(outer: u64, inner: u64) -> u64 {
    sum_of(range(0..outer).concat_map(move |_| range(0..inner).map(|v| v), 32))
}

fn futures_flatten(outer: u64, inner: u64) -> u64 {
    futures_executor::block_on(
        futures_util::stream::iter(0..outer)
            .map(move |_| futures_util::stream::iter(0..inner))
            .flatten()
            .fold(0u64, |a, v| {
                std::future::ready(a.wrapping_add(black_box(v)))
            }),
    )
}

fn flat_map_iter(outer: u64, inner: u64) -> u64 {
    sum_of(range(0..outer).flat_map_iter(move |_| 0..inner))
}

fn iterator_flat_map(outer: u64, inner: u64) -> u64 {
    (0..outer)
        .flat_map(move |_| 0..inner)
        .fold(0u64, |a, v| a.wrapping_add(black_box(v)))
}

fn futures_flat_map(outer: u64, inner: u64) -> u64 {
    futures_executor::block_on(
        futures_util::stream::iter(0..outer)
            .flat_map(move |_| futures_util::stream::iter(0..inner))
            .fold(0u64, |a, v| {
                std::future::ready(a.wrapping_add(black_box(v)))
            }),
    )
}

pub(crate) fn benches(c: &mut Criterion) {
    let expected = iterator_flat_map(OUTER, INNER);
    assert_eq!(concat_map_fused(OUTER, INNER), expected);
    assert_eq!(concat_map_subscribed(OUTER, INNER), expected);
    assert_eq!(futures_flatten(OUTER, INNER), expected);
    assert_eq!(flat_map_iter(OUTER, INNER), expected);
    assert_eq!(futures_flat_map(OUTER, INNER), expected);

    let mut g = c.benchmark_group("concat_map_10k_x_1000");
    g.throughput(Throughput::Elements(OUTER * INNER));
    g.sample_size(10);
    g.bench_function("concat_map_fused_range", |b| {
        b.iter(|| concat_map_fused(black_box(OUTER), INNER))
    });
    g.bench_function("concat_map_subscribed_inner", |b| {
        b.iter(|| concat_map_subscribed(black_box(OUTER), INNER))
    });
    g.bench_function("futures_flatten", |b| {
        b.iter(|| futures_flatten(black_box(OUTER), INNER))
    });
    g.finish();

    let mut g = c.benchmark_group("flat_map_iter_10k_x_1000");
    g.throughput(Throughput::Elements(OUTER * INNER));
    g.sample_size(10);
    g.bench_function("flat_map_iter", |b| {
        b.iter(|| flat_map_iter(black_box(OUTER), INNER))
    });
    g.bench_function("iterator_flat_map", |b| {
        b.iter(|| iterator_flat_map(black_box(OUTER), INNER))
    });
    g.bench_function("futures_flat_map", |b| {
        b.iter(|| futures_flat_map(black_box(OUTER), INNER))
    });
    g.finish();

    // Short iterators: the per-outer-item cost (a request(1) and a hand-off) shows.
    let (outer, inner) = (1_000_000, 10);
    let mut g = c.benchmark_group("flat_map_iter_1M_x_10");
    g.throughput(Throughput::Elements(outer * inner));
    g.sample_size(10);
    g.bench_function("flat_map_iter", |b| {
        b.iter(|| flat_map_iter(black_box(outer), inner))
    });
    g.bench_function("iterator_flat_map", |b| {
        b.iter(|| iterator_flat_map(black_box(outer), inner))
    });
    g.bench_function("futures_flat_map", |b| {
        b.iter(|| futures_flat_map(black_box(outer), inner))
    });
    g.finish();
}
