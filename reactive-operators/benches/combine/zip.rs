//! `zip` of two sources, summing `a + b`, against `futures`' `StreamExt::zip` polled with
//! `block_on`: two fused `range`s (pulled from the zip's drain loop), and two `range(..).map`
//! sources (not fused: subscribed, each through its own ring) against the same pair of
//! mapped `stream::iter`s. The sum is the library's `fold`, read with `block_first`.

use criterion::{Criterion, Throughput};
use futures_util::{StreamExt, future, stream};
use reactive_core::Publisher;
use reactive_operators::{PublisherExt, range};
use std::hint::black_box;

const N: u64 = 10_000_000;

/// The sum of what `publisher` emits, through the library's own `fold` (which requests
/// unbounded).
fn sum_of<P: Publisher<Item = u64>>(publisher: P) -> u64 {
    publisher
        .fold(0u64, u64::wrapping_add)
        .block_first()
        .expect("no error")
        .expect("one sum")
}

fn fused(n: u64) -> u64 {
    sum_of(range(0..n).zip_with(range(0..n), |a, b| a.wrapping_add(b)))
}

fn futures_pair(n: u64) -> u64 {
    futures_executor::block_on(
        stream::iter(0..n)
            .zip(stream::iter(0..n))
            .fold(0u64, |acc, (a, b)| {
                future::ready(acc.wrapping_add(a).wrapping_add(b))
            }),
    )
}

fn subscribed(n: u64) -> u64 {
    let a = range(0..n).map(black_box);
    let b = range(0..n).map(black_box);
    sum_of(a.zip_with(b, |a, b| a.wrapping_add(b)))
}

fn futures_mapped_pair(n: u64) -> u64 {
    futures_executor::block_on(
        stream::iter(0..n)
            .map(black_box)
            .zip(stream::iter(0..n).map(black_box))
            .fold(0u64, |acc, (a, b)| {
                future::ready(acc.wrapping_add(a).wrapping_add(b))
            }),
    )
}

pub(crate) fn benches(c: &mut Criterion) {
    let expected = N.wrapping_mul(N - 1);
    assert_eq!(fused(N), expected);
    assert_eq!(futures_pair(N), expected);
    assert_eq!(subscribed(N), expected);
    assert_eq!(futures_mapped_pair(N), expected);
    let mut group = c.benchmark_group("zip");
    group.throughput(Throughput::Elements(N));
    group.sample_size(10);
    group.bench_function("fused ranges/reactive", |b| b.iter(|| fused(black_box(N))));
    group.bench_function("fused ranges/futures", |b| {
        b.iter(|| futures_pair(black_box(N)))
    });
    group.bench_function("mapped ranges/reactive", |b| {
        b.iter(|| subscribed(black_box(N)))
    });
    group.bench_function("mapped ranges/futures", |b| {
        b.iter(|| futures_mapped_pair(black_box(N)))
    });
    group.finish();
}
