//! No operator allocates per item: each chain below runs over 1,000 and over 100,000 items,
//! and the number of heap allocations made on the test's thread must be the same for both
//! (what is allocated per subscription does not grow with the stream).
//!
//! A binary of its own, because it installs a counting global allocator.

use std::sync::{Arc, Mutex};

use reactive_core::testing::{CountingAllocator, allocations};
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef, UNBOUNDED};
use reactive_operators::{PublisherExt, range};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Sums what it receives; requests `batch` and replenishes 75% of it (or unbounded).
struct Sum {
    batch: u64,
    consumed: u64,
    sum: u64,
    upstream: Option<SubscriptionRef>,
    out: Arc<Mutex<Option<u64>>>,
}

impl Subscriber<u64> for Sum {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        s.request(self.batch);
        self.upstream = Some(s);
    }
    fn on_next(&mut self, v: u64) {
        self.sum = self.sum.wrapping_add(v);
        if self.batch != UNBOUNDED {
            self.consumed += 1;
            let limit = self.batch - self.batch / 4;
            if self.consumed == limit {
                self.consumed = 0;
                if let Some(s) = &self.upstream {
                    s.request(limit);
                }
            }
        }
    }
    fn on_error(&mut self, e: Error) {
        panic!("{e}");
    }
    fn on_complete(&mut self) {
        self.upstream = None;
        *self.out.lock().unwrap() = Some(self.sum);
    }
}

/// The allocations made by subscribing `chain(n)` with demand `batch`, until it completes.
fn count_allocations<P>(chain: &impl Fn(u64) -> P, n: u64, batch: u64) -> u64
where
    P: Publisher<Item = u64>,
{
    let out = Arc::new(Mutex::new(None));
    let publisher = chain(n);
    let subscriber = Sum {
        batch,
        consumed: 0,
        sum: 0,
        upstream: None,
        out: out.clone(),
    };
    let before = allocations();
    publisher.subscribe(subscriber);
    let after = allocations();
    assert!(out.lock().unwrap().is_some(), "the chain did not complete");
    after - before
}

/// Asserts that `chain` allocates as much over 100,000 items as over 1,000, with unbounded
/// demand, with batches of 256, and with one item at a time.
fn assert_no_allocation_per_item<P>(name: &str, chain: impl Fn(u64) -> P)
where
    P: Publisher<Item = u64>,
{
    for batch in [UNBOUNDED, 256, 1] {
        let small = count_allocations(&chain, 1_000, batch);
        let large = count_allocations(&chain, 100_000, batch);
        assert_eq!(
            small, large,
            "{name} (batch {batch}): {small} allocations over 1,000 items, {large} over 100,000"
        );
    }
}

#[test]
fn no_operator_allocates_per_item() {
    assert_no_allocation_per_item("range", |n| range(0..n));
    assert_no_allocation_per_item("map", |n| range(0..n).map(|x| x + 1));
    assert_no_allocation_per_item("filter", |n| range(0..n).filter(|x| x % 3 != 0));
}

#[test]
fn fallible_operators_and_the_new_sources_do_not_allocate_per_item() {
    // `fmt::Error` is a unit error: skipping it allocates nothing, so what is counted is the
    // operator's own cost.
    let every_third = |x: u64| {
        if x % 3 == 0 {
            Err(std::fmt::Error)
        } else {
            Ok(x)
        }
    };
    assert_no_allocation_per_item("try_map", |n| {
        range(0..n).try_map(|x| Ok::<_, std::fmt::Error>(x + 1))
    });
    assert_no_allocation_per_item("try_map.on_error_continue", move |n| {
        range(0..n).try_map(every_third).on_error_continue(|_| {})
    });
    assert_no_allocation_per_item("try_filter", |n| {
        range(0..n).try_filter(|x| Ok::<_, std::fmt::Error>(x % 3 != 0))
    });
    assert_no_allocation_per_item("try_filter_map", move |n| {
        range(0..n)
            .try_filter_map(move |x| every_third(x).map(Some))
            .on_error_continue(|_| {})
    });
    assert_no_allocation_per_item("map_err", |n| range(0..n).map_err(|e| e));
    assert_no_allocation_per_item("defer", |n| reactive_operators::defer(move || range(0..n)));
    assert_no_allocation_per_item("generate", |n| {
        reactive_operators::generate(
            || 0u64,
            move |next: &mut u64| {
                (*next < n).then(|| {
                    *next += 1;
                    Ok::<_, std::fmt::Error>(*next)
                })
            },
        )
    });
    assert_no_allocation_per_item("from_iter_once", |n| {
        reactive_operators::from_iter_once(0..n)
    });
    assert_no_allocation_per_item("repeat_n", |n| {
        reactive_operators::repeat_n(1u64, usize::try_from(n).unwrap())
    });
}

#[test]
fn buffering_transforms_do_not_allocate_per_item() {
    assert_no_allocation_per_item("take_last", |n| range(0..n).take_last(10));
    assert_no_allocation_per_item("skip_last", |n| range(0..n).skip_last(10));
    assert_no_allocation_per_item("start_with", |n| range(0..n).start_with(vec![1, 2, 3]));
    assert_no_allocation_per_item("default_if_empty", |n| range(0..n).default_if_empty(7));
    assert_no_allocation_per_item("switch_if_empty", |n| {
        range(0..n).switch_if_empty(range(0..3u64))
    });
    assert_no_allocation_per_item("switch_if_empty, switched", |n| {
        reactive_operators::empty::<u64>().switch_if_empty(range(0..n))
    });
}

/// The buffers are the output: exactly one allocation per emitted buffer, none per item
/// beyond it.
#[test]
fn buffers_allocate_once_per_emitted_buffer() {
    fn sum(b: Vec<u64>) -> u64 {
        b.iter().sum()
    }
    let cases: [Case; 3] = [
        ("buffer(8)", |n| range(0..n).buffer(8).map(sum).boxed(), 8),
        (
            "buffer_skip(4, 2)",
            |n| range(0..n).buffer_skip(4, 2).map(sum).boxed(),
            2,
        ),
        (
            "buffer_skip(2, 3)",
            |n| range(0..n).buffer_skip(2, 3).map(sum).boxed(),
            3,
        ),
    ];
    for (name, chain, every) in cases {
        for batch in [UNBOUNDED, 256, 1] {
            let small = count_allocations(&chain, 1_000, batch);
            let large = count_allocations(&chain, 100_000, batch);
            // One buffer starts every `every` items.
            let buffers = |n: u64| n.div_ceil(every);
            assert_eq!(
                large - small,
                buffers(100_000) - buffers(1_000),
                "{name} (batch {batch}): {small} allocations over 1,000 items, {large} over 100,000"
            );
        }
    }
}

/// A chain's name, the chain over `0..n`, and how many items apart its buffers start.
type Case = (
    &'static str,
    fn(u64) -> reactive_core::BoxPublisher<u64>,
    u64,
);

#[test]
fn transforms_and_filters_do_not_allocate_per_item() {
    assert_no_allocation_per_item("filter_map", |n| {
        range(0..n).filter_map(|x| (x % 3 != 0).then_some(x))
    });
    assert_no_allocation_per_item("scan", |n| {
        range(0..n).scan(0u64, |sum, x| {
            *sum = sum.wrapping_add(x);
            Some(*sum)
        })
    });
    assert_no_allocation_per_item("enumerate", |n| {
        range(0..n).enumerate().map(|(i, x)| i as u64 + x)
    });
    assert_no_allocation_per_item("step_by", |n| range(0..n * 2).step_by(2));
    assert_no_allocation_per_item("take", |n| range(0..n * 2).take(n));
    assert_no_allocation_per_item("take_while", |n| {
        range(0..n * 2).take_while(move |x| *x < n)
    });
    assert_no_allocation_per_item("skip", |n| range(0..n + 10).skip(10));
    assert_no_allocation_per_item("skip_while", |n| range(0..n + 10).skip_while(|x| *x < 10));
    assert_no_allocation_per_item("distinct_until_changed", |n| {
        range(0..n * 2).map(|x| x / 2).distinct_until_changed()
    });
    assert_no_allocation_per_item("distinct_until_changed_by_key", |n| {
        range(0..n * 2).distinct_until_changed_by_key(|x| x / 2)
    });
    // The set grows with the distinct items, not with the stream: 100 of them either way
    // (with one distinct item per item it fails: 11 allocations over 1,000, 17 over 100,000).
    assert_no_allocation_per_item("distinct", |n| range(0..n).map(|x| x % 100).distinct(1_000));
    assert_no_allocation_per_item("ignore_elements", |n| range(0..n).ignore_elements());
    assert_no_allocation_per_item("element_at", |n| range(0..n).element_at(n - 1));
    assert_no_allocation_per_item("element_at_or", |n| range(0..n).element_at_or(n, 7));
    assert_no_allocation_per_item("cast", |n| {
        range(0..u32::try_from(n).unwrap()).cast::<u64>()
    });
}

#[test]
fn no_aggregate_or_side_effect_allocates_per_item() {
    assert_no_allocation_per_item("count", |n| range(0..n).count());
    assert_no_allocation_per_item("last", |n| range(0..n).last());
    assert_no_allocation_per_item("reduce", |n| range(0..n).reduce(u64::wrapping_add));
    assert_no_allocation_per_item("fold", |n| range(0..n).fold(0, u64::wrapping_add));
    assert_no_allocation_per_item("max_by_key", |n| range(0..n).max_by_key(|v| v % 7));
    assert_no_allocation_per_item("all", |n| range(0..n).all(move |v| v < n).map(u64::from));
    assert_no_allocation_per_item("inspect", |n| range(0..n).inspect(|_| {}));
    assert_no_allocation_per_item("do_on_request", |n| range(0..n).do_on_request(|_| {}));
    assert_no_allocation_per_item("do_finally", |n| range(0..n).do_finally(|| {}));
    assert_no_allocation_per_item("log", |n| range(0..n).log("quiet"));
}
