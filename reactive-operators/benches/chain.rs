//! `range → map → filter → sum` over 1M `u64` (unbounded, in batches of 256, and one
//! `request(1)` per item), and the six-stage chain `map, filter, scan, take_while, skip, map`,
//! each side by side with the same chain as a plain `Iterator` (and the first as a `futures`
//! stream), in one run.
//!
//! Run: `cargo bench -p reactive-operators --bench chain`. Ratios go to `docs/benchmarks.md`.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures_util::StreamExt;
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef, UNBOUNDED};
use reactive_operators::{PublisherExt, range};

const N: u64 = 1_000_000;

#[inline(always)]
fn f(x: u64) -> u64 {
    x.wrapping_mul(3).wrapping_add(1)
}

#[inline(always)]
fn p(x: &u64) -> bool {
    x % 3 != 0
}

/// Sums what it receives; requests everything, or `batch` at a time replenishing at 75%.
struct Sum {
    batch: u64,
    limit: u64,
    consumed: u64,
    sum: u64,
    upstream: Option<SubscriptionRef>,
    out: Arc<Mutex<u64>>,
}

impl Sum {
    fn new(batch: u64, out: Arc<Mutex<u64>>) -> Self {
        Sum {
            batch,
            limit: batch - batch / 4,
            consumed: 0,
            sum: 0,
            upstream: None,
            out,
        }
    }
}

impl Subscriber<u64> for Sum {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        s.request(self.batch);
        self.upstream = Some(s);
    }
    #[inline]
    fn on_next(&mut self, v: u64) {
        self.sum = self.sum.wrapping_add(v);
        if self.batch != UNBOUNDED {
            self.consumed += 1;
            if self.consumed == self.limit {
                self.consumed = 0;
                if let Some(s) = &self.upstream {
                    s.request(self.limit);
                }
            }
        }
    }
    fn on_error(&mut self, e: Error) {
        panic!("{e}");
    }
    fn on_complete(&mut self) {
        *self.out.lock().unwrap() = self.sum;
    }
}

fn reactive(n: u64, batch: u64) -> u64 {
    let out = Arc::new(Mutex::new(0));
    range(0..n)
        .map(f)
        .filter(p)
        .subscribe(Sum::new(batch, out.clone()));
    *out.lock().unwrap()
}

fn iterator(n: u64) -> u64 {
    (0..n).map(f).filter(p).fold(0u64, |a, v| a.wrapping_add(v))
}

fn futures_stream(n: u64) -> u64 {
    futures_executor::block_on(
        futures_util::stream::iter(0..n)
            .map(f)
            .filter(|v| std::future::ready(p(v)))
            .fold(0u64, |a, v| std::future::ready(a.wrapping_add(v))),
    )
}

fn chain(c: &mut Criterion) {
    let expected = iterator(N);
    assert_eq!(reactive(N, UNBOUNDED), expected);
    assert_eq!(reactive(N, 256), expected);
    assert_eq!(reactive(N, 1), expected);
    assert_eq!(futures_stream(N), expected);

    let mut g = c.benchmark_group("range_map_filter_sum_1M");
    g.throughput(Throughput::Elements(N));
    g.sample_size(30);
    g.measurement_time(Duration::from_secs(4));
    g.bench_function("iterator", |b| b.iter(|| iterator(black_box(N))));
    g.bench_function("reactive_unbounded", |b| {
        b.iter(|| reactive(black_box(N), UNBOUNDED))
    });
    g.bench_function("reactive_batch256", |b| {
        b.iter(|| reactive(black_box(N), 256))
    });
    // `request(1)` from inside every `on_next`: the re-entrant request path, once per item.
    g.bench_function("reactive_request1", |b| {
        b.iter(|| reactive(black_box(N), 1))
    });
    g.bench_function("futures_stream", |b| {
        b.iter(|| futures_stream(black_box(N)))
    });
    g.finish();
}

/// `map, filter, scan, take_while, skip, map`: six stages, cheap work in each.
fn reactive_six(n: u64, batch: u64) -> u64 {
    let out = Arc::new(Mutex::new(0));
    range(0..n)
        .map(f)
        .filter(p)
        .scan(0u64, |acc, x| {
            *acc = acc.wrapping_add(x);
            Some(*acc)
        })
        .take_while(|x| *x != u64::MAX)
        .skip(10)
        .map(|x| x ^ 1)
        .subscribe(Sum::new(batch, out.clone()));
    *out.lock().unwrap()
}

fn iterator_six(n: u64) -> u64 {
    (0..n)
        .map(f)
        .filter(p)
        .scan(0u64, |acc, x| {
            *acc = acc.wrapping_add(x);
            Some(*acc)
        })
        .take_while(|x| *x != u64::MAX)
        .skip(10)
        .map(|x| x ^ 1)
        .fold(0u64, |a, v| a.wrapping_add(v))
}

fn six_stages(c: &mut Criterion) {
    let expected = iterator_six(N);
    assert_eq!(reactive_six(N, UNBOUNDED), expected);
    assert_eq!(reactive_six(N, 256), expected);

    let mut g = c.benchmark_group("six_stages_sum_1M");
    g.throughput(Throughput::Elements(N));
    g.sample_size(30);
    g.measurement_time(Duration::from_secs(4));
    g.bench_function("iterator", |b| b.iter(|| iterator_six(black_box(N))));
    g.bench_function("reactive_unbounded", |b| {
        b.iter(|| reactive_six(black_box(N), UNBOUNDED))
    });
    g.bench_function("reactive_batch256", |b| {
        b.iter(|| reactive_six(black_box(N), 256))
    });
    g.finish();
}

criterion_group!(benches, chain, six_stages);
criterion_main!(benches);
