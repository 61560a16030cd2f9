//! The differential property test: random chains of operators over random inputs, driven by
//! random request patterns, must produce exactly what the same chain written with `Iterator`
//! produces, never more than requested, and exactly one terminal signal (none after a cancel).
//!
//! Each operator appears twice below: once as a publisher stage (`Op::stage`) and once as the
//! `Iterator` adapter of the same meaning (`Op::iter`). Items stay `u64` through the chain so
//! that stages compose freely; operators that change the item type are followed by a fixed
//! `map` back to `u64` in both forms.

use proptest::prelude::*;
use reactive_core::{BoxPublisher, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, from_iter};
use reactive_tck::TestSubscriber;

type Iter = Box<dyn Iterator<Item = u64>>;

/// One stage of a chain, with its parameters.
#[derive(Debug, Clone)]
enum Op {
    Map(u64),
    Filter(u64),
    /// `try_map` failing on multiples of `m`, with the failures skipped.
    TryMapSkipping(u64),
    /// `try_filter` that never fails.
    TryFilter(u64),
    TakeLast(usize),
    SkipLast(usize),
    /// `buffer(n)`, each buffer summed.
    Buffer(usize),
    /// `buffer_skip(size, skip)`, each buffer summed.
    BufferSkip(usize, usize),
    StartWith(Vec<u64>),
    DefaultIfEmpty(u64),
    /// `switch_if_empty(from_iter(items))`.
    SwitchIfEmpty(Vec<u64>),
    Take(u64),
    Skip(u64),
    /// `take_while` / `skip_while` on "not a multiple of `m`".
    TakeWhile(u64),
    SkipWhile(u64),
    /// Doubles the items that are not multiples of `m`, drops the others.
    FilterMap(u64),
    /// Running sum, ending the stream once it passes `limit`.
    Scan(u64),
    /// `enumerate`, folded back into one number.
    Enumerate,
    StepBy(usize),
    DistinctUntilChanged,
    /// `distinct` with room for every key these inputs can have.
    Distinct,
    IgnoreElements,
    /// `element_at_or(index, default)`.
    ElementAtOr(u64, u64),
    /// `cast::<u64>()` from `u32` and back.
    Cast,
    Count,
    /// `fold` into a sum.
    Fold,
    /// `reduce` by `max`.
    Reduce,
    First,
    Last,
    Min,
    Max,
    /// `all` / `any` on "below `m`", as 0 or 1.
    All(u64),
    Any(u64),
    HasElements,
    /// `collect::<Vec<_>>()`, summed.
    Collect,
    /// `inspect`, `do_on_request` and `do_finally` with no effect.
    Peek,
}

/// `scan`'s step: the running sum, or the end once it passes `limit`.
fn running_sum(acc: &mut u64, x: u64, limit: u64) -> Option<u64> {
    *acc += x;
    (*acc <= limit).then_some(*acc)
}

/// The sums of `items[i..i + size]` for `i` = 0, `skip`, 2 `skip`, ... (cut at the end): what
/// `buffer_skip(size, skip)` emits, summed.
fn chunk_sums(items: Vec<u64>, size: usize, skip: usize) -> Iter {
    let sums: Vec<u64> = (0..items.len())
        .step_by(skip)
        .map(|i| items[i..(i + size).min(items.len())].iter().sum())
        .collect();
    Box::new(sums.into_iter())
}

/// Fails on multiples of `m`.
fn fails_on_multiples(m: u64) -> impl FnMut(u64) -> Result<u64, std::fmt::Error> + Clone {
    move |x| {
        if x % m == 0 {
            Err(std::fmt::Error)
        } else {
            Ok(x + 1)
        }
    }
}

impl Op {
    fn stage(&self, p: BoxPublisher<u64>) -> BoxPublisher<u64> {
        match *self {
            Op::Map(k) => p.map(move |x| (x * k + 1) % 37).boxed(),
            Op::Filter(m) => p.filter(move |x| x % m != 0).boxed(),
            Op::TryMapSkipping(m) => p
                .try_map(fails_on_multiples(m))
                .on_error_continue(|_| {})
                .boxed(),
            Op::TryFilter(m) => p
                .try_filter(move |x| Ok::<_, std::fmt::Error>(x % m != 1))
                .boxed(),
            Op::TakeLast(n) => p.take_last(n).boxed(),
            Op::SkipLast(n) => p.skip_last(n).boxed(),
            Op::Buffer(n) => p.buffer(n).map(|b| b.iter().sum()).boxed(),
            Op::BufferSkip(size, skip) => p.buffer_skip(size, skip).map(|b| b.iter().sum()).boxed(),
            Op::StartWith(ref items) => p.start_with(items.clone()).boxed(),
            Op::DefaultIfEmpty(v) => p.default_if_empty(v).boxed(),
            Op::SwitchIfEmpty(ref items) => p.switch_if_empty(from_iter(items.clone())).boxed(),
            Op::Take(n) => p.take(n).boxed(),
            Op::Skip(n) => p.skip(n).boxed(),
            Op::TakeWhile(m) => p.take_while(move |x| x % m != 0).boxed(),
            Op::SkipWhile(m) => p.skip_while(move |x| x % m != 0).boxed(),
            Op::FilterMap(m) => p.filter_map(move |x| (x % m != 0).then_some(x * 2)).boxed(),
            Op::Scan(limit) => p
                .scan(0u64, move |acc, x| running_sum(acc, x, limit))
                .boxed(),
            Op::Enumerate => p.enumerate().map(|(i, x)| i as u64 * 100 + x).boxed(),
            Op::StepBy(k) => p.step_by(k).boxed(),
            Op::DistinctUntilChanged => p.distinct_until_changed().boxed(),
            Op::Distinct => p.distinct(1_000).boxed(),
            Op::IgnoreElements => p.ignore_elements().boxed(),
            Op::ElementAtOr(i, default) => p.element_at_or(i, default).boxed(),
            Op::Cast => p.map(|x| x as u32).cast::<u64>().boxed(),
            Op::Count => p.count().boxed(),
            Op::Fold => p.fold(0u64, |a, x| a + x).boxed(),
            Op::Reduce => p.reduce(u64::max).boxed(),
            Op::First => p.first().boxed(),
            Op::Last => p.last().boxed(),
            Op::Min => p.min().boxed(),
            Op::Max => p.max().boxed(),
            Op::All(m) => p.all(move |x| x < m).map(u64::from).boxed(),
            Op::Any(m) => p.any(move |x| x < m).map(u64::from).boxed(),
            Op::HasElements => p.has_elements().map(u64::from).boxed(),
            Op::Collect => p.collect::<Vec<u64>>().map(|v| v.iter().sum()).boxed(),
            Op::Peek => p
                .inspect(|_| {})
                .do_on_request(|_| {})
                .do_finally(|| {})
                .boxed(),
        }
    }

    fn iter(&self, it: Iter) -> Iter {
        match *self {
            Op::Map(k) => Box::new(it.map(move |x| (x * k + 1) % 37)),
            Op::Filter(m) => Box::new(it.filter(move |x| x % m != 0)),
            Op::TryMapSkipping(m) => {
                Box::new(it.filter_map(move |x| fails_on_multiples(m)(x).ok()))
            }
            Op::TryFilter(m) => Box::new(it.filter(move |x| x % m != 1)),
            Op::TakeLast(n) => {
                let all: Vec<u64> = it.collect();
                let from = all.len().saturating_sub(n);
                Box::new(all.into_iter().skip(from))
            }
            Op::SkipLast(n) => {
                let all: Vec<u64> = it.collect();
                let keep = all.len().saturating_sub(n);
                Box::new(all.into_iter().take(keep))
            }
            Op::Buffer(n) => chunk_sums(it.collect(), n, n),
            Op::BufferSkip(size, skip) => chunk_sums(it.collect(), size, skip),
            Op::StartWith(ref items) => Box::new(items.clone().into_iter().chain(it)),
            Op::DefaultIfEmpty(v) => {
                let mut it = it.peekable();
                if it.peek().is_none() {
                    Box::new(std::iter::once(v))
                } else {
                    Box::new(it)
                }
            }
            Op::SwitchIfEmpty(ref items) => {
                let mut it = it.peekable();
                if it.peek().is_none() {
                    Box::new(items.clone().into_iter())
                } else {
                    Box::new(it)
                }
            }
            Op::Take(n) => Box::new(it.take(n as usize)),
            Op::Skip(n) => Box::new(it.skip(n as usize)),
            Op::TakeWhile(m) => Box::new(it.take_while(move |x| x % m != 0)),
            Op::SkipWhile(m) => Box::new(it.skip_while(move |x| x % m != 0)),
            Op::FilterMap(m) => Box::new(it.filter_map(move |x| (x % m != 0).then_some(x * 2))),
            Op::Scan(limit) => Box::new(it.scan(0u64, move |acc, x| running_sum(acc, x, limit))),
            Op::Enumerate => Box::new(it.enumerate().map(|(i, x)| i as u64 * 100 + x)),
            Op::StepBy(k) => Box::new(it.step_by(k)),
            Op::DistinctUntilChanged => {
                let mut last = None;
                Box::new(it.filter(move |x| last.replace(*x) != Some(*x)))
            }
            Op::Distinct => {
                let mut seen = std::collections::HashSet::new();
                Box::new(it.filter(move |x| seen.insert(*x)))
            }
            Op::IgnoreElements => Box::new(it.filter(|_| false)),
            Op::ElementAtOr(i, default) => {
                let mut it = it;
                Box::new(std::iter::once(it.nth(i as usize).unwrap_or(default)))
            }
            Op::Cast => Box::new(it.map(|x| u64::from(x as u32))),
            Op::Count => Box::new(std::iter::once(it.count() as u64)),
            Op::Fold => Box::new(std::iter::once(it.sum())),
            Op::Reduce => Box::new(it.reduce(u64::max).into_iter()),
            Op::First => {
                let mut it = it;
                Box::new(it.next().into_iter())
            }
            Op::Last => Box::new(it.last().into_iter()),
            Op::Min => Box::new(it.min().into_iter()),
            Op::Max => Box::new(it.max().into_iter()),
            Op::All(m) => {
                let mut it = it;
                Box::new(std::iter::once(u64::from(it.all(|x| x < m))))
            }
            Op::Any(m) => {
                let mut it = it;
                Box::new(std::iter::once(u64::from(it.any(|x| x < m))))
            }
            Op::HasElements => {
                let mut it = it;
                Box::new(std::iter::once(u64::from(it.next().is_some())))
            }
            Op::Collect => Box::new(std::iter::once(it.sum())),
            Op::Peek => it,
        }
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1u64..5).prop_map(Op::Map),
        (2u64..5).prop_map(Op::Filter),
        (2u64..5).prop_map(Op::TryMapSkipping),
        (2u64..5).prop_map(Op::TryFilter),
        (0usize..5).prop_map(Op::TakeLast),
        (0usize..5).prop_map(Op::SkipLast),
        (1usize..5).prop_map(Op::Buffer),
        (1usize..5, 1usize..5).prop_map(|(size, skip)| Op::BufferSkip(size, skip)),
        proptest::collection::vec(0u64..20, 0..3).prop_map(Op::StartWith),
        (0u64..20).prop_map(Op::DefaultIfEmpty),
        proptest::collection::vec(0u64..20, 0..3).prop_map(Op::SwitchIfEmpty),
        (0u64..8).prop_map(Op::Take),
        (0u64..8).prop_map(Op::Skip),
        (2u64..7).prop_map(Op::TakeWhile),
        (2u64..7).prop_map(Op::SkipWhile),
        (2u64..5).prop_map(Op::FilterMap),
        (0u64..200).prop_map(Op::Scan),
        Just(Op::Enumerate),
        (1usize..4).prop_map(Op::StepBy),
        Just(Op::DistinctUntilChanged),
        Just(Op::Distinct),
        Just(Op::IgnoreElements),
        (0u64..6, 0u64..20).prop_map(|(i, d)| Op::ElementAtOr(i, d)),
        Just(Op::Cast),
        Just(Op::Count),
        Just(Op::Fold),
        Just(Op::Reduce),
        Just(Op::First),
        Just(Op::Last),
        Just(Op::Min),
        Just(Op::Max),
        (1u64..20).prop_map(Op::All),
        (1u64..20).prop_map(Op::Any),
        Just(Op::HasElements),
        Just(Op::Collect),
        Just(Op::Peek),
    ]
}

/// How the test subscriber asks for items.
#[derive(Debug, Clone)]
enum Pattern {
    /// `request(u64::MAX)` once.
    Unbounded,
    /// `request(k)` from the test, again each time the stage has gone quiet.
    Batches(u64),
    /// `request(1)` upfront, then one more from inside every `on_next`.
    OneAtATime,
    /// Unbounded, cancelled from inside the `k`th `on_next`.
    CancelAfter(u64),
}

fn pattern() -> impl Strategy<Value = Pattern> {
    prop_oneof![
        Just(Pattern::Unbounded),
        (1u64..8).prop_map(Pattern::Batches),
        Just(Pattern::OneAtATime),
        (1u64..10).prop_map(Pattern::CancelAfter),
    ]
}

/// Runs `publisher` under `pattern` and checks it against `expected`.
fn check(publisher: &BoxPublisher<u64>, expected: &[u64], pattern: &Pattern) -> Result<(), String> {
    let ts = match *pattern {
        Pattern::Unbounded | Pattern::Batches(_) => TestSubscriber::with_request(match pattern {
            Pattern::Batches(_) => 0,
            _ => UNBOUNDED,
        }),
        Pattern::OneAtATime => {
            TestSubscriber::with_request(1).with_on_next_hook(|ts, _| ts.request(1))
        }
        Pattern::CancelAfter(k) => {
            TestSubscriber::with_request(UNBOUNDED).with_on_next_hook(move |ts, n| {
                if n == k {
                    ts.cancel();
                }
            })
        }
    };
    publisher.subscribe(ts.clone());
    if let Pattern::Batches(k) = *pattern {
        // A synchronous chain delivers each batch inside `request`; one batch per item (plus
        // one for the terminal signal) is always enough.
        for _ in 0..=expected.len() + 1 {
            if ts.is_terminated() {
                break;
            }
            ts.request(k);
        }
    }
    let violations = ts.violations();
    if !violations.is_empty() {
        return Err(format!("protocol violations: {violations:?}"));
    }
    let got = ts.values();
    match *pattern {
        Pattern::CancelAfter(k) if (expected.len() as u64) >= k => {
            let want = &expected[..k as usize];
            if got != want {
                return Err(format!("got {got:?}, want {want:?} (cancelled after {k})"));
            }
            if ts.is_terminated() && ts.value_count() < k {
                return Err("terminated before the cancel".into());
            }
        }
        _ => {
            if got != expected {
                return Err(format!("got {got:?}, want {expected:?}"));
            }
            if !ts.is_complete() {
                return Err(format!("not completed (error: {:?})", ts.error()));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 10_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn chains_match_their_iterator_equivalent(
        input in proptest::collection::vec(0u64..20, 0..40),
        ops in proptest::collection::vec(op(), 1..=6),
        pattern in pattern(),
    ) {
        let mut publisher = from_iter(input.clone()).boxed();
        let mut iter: Iter = Box::new(input.into_iter());
        for op in &ops {
            publisher = op.stage(publisher);
            iter = op.iter(iter);
        }
        let expected: Vec<u64> = iter.collect();
        if let Err(why) = check(&publisher, &expected, &pattern) {
            return Err(TestCaseError::fail(why));
        }
    }
}
