//! 1000 random pipelines of the combining operators (`concat`, `concat_with`, `concat_map`,
//! `merge`, `flat_map`, `flat_map_iter`, `switch_map`, `zip_with`, `group_by`, `window`) nested up to three
//! deep over leaves that are fused (`range`), subscribed (`range(..).map(..)`) or asynchronous
//! (`publish_on` a pool, so inners signal from several threads at once), driven by random
//! request sizes from the consumer and, in a third of them, a cancel from another thread.
//!
//! Every value in a pipeline is distinct, so after each run: never more items than requested
//! (rule 1.1), at most one terminal signal (exactly one, a completion, when nobody
//! cancelled), nothing duplicated, nothing invented, nothing lost (but what a `switch_map`
//! drops), items in order where the operators keep order, and the subscriber dropped once the stream is over (rule 3.13).
//!
//! A failure names its seed and the pipeline; `STRESS_SEED=<seed>` runs that one first, and
//! `STRESS_PIPELINES=<n>` runs `n` pipelines instead of 1000.

use std::collections::HashSet;
use std::sync::OnceLock;

use reactive_core::scheduler::PoolScheduler;
use reactive_core::{BoxPublisher, Publisher};
use reactive_operators::ops::GroupOverflow;
use reactive_operators::{PublisherExt, concat, merge, range};
use reactive_tck::TestSubscriber;

use crate::stress::Rng;
use crate::stress_boundaries::drive;

fn pool() -> &'static PoolScheduler {
    static POOL: OnceLock<PoolScheduler> = OnceLock::new();
    POOL.get_or_init(|| PoolScheduler::builder().threads(3).name("combine").build())
}

const PIPELINES: u64 = 1_000;

/// How a leaf is published.
#[derive(Debug, Clone, Copy)]
enum Leaf {
    /// `range`: fuses.
    Fused,
    /// `range(..).map(identity)`: subscribed, synchronous.
    Subscribed,
    /// `range(..).publish_on(pool, prefetch)`: signals from a pool thread.
    Async(usize),
}

/// A pipeline, as a tree.
#[derive(Debug, Clone)]
enum Node {
    Range {
        lo: u64,
        len: u64,
        leaf: Leaf,
    },
    Concat(Vec<Node>),
    ConcatWith(Box<Node>, Box<Node>),
    Merge(Vec<Node>, usize),
    /// `range(0..outer).flat_map(i -> leaf of inner items at lo + i * inner)`.
    FlatMap {
        lo: u64,
        outer: u64,
        inner: u64,
        leaf: Leaf,
        concurrency: usize,
        prefetch: usize,
    },
    ConcatMap {
        lo: u64,
        outer: u64,
        inner: u64,
        leaf: Leaf,
        prefetch: usize,
    },
    FlatMapIter {
        lo: u64,
        outer: u64,
        inner: u64,
    },
    /// `range(0..outer).switch_map(i -> leaf)`: may drop the items of a replaced inner.
    SwitchMap {
        lo: u64,
        outer: u64,
        inner: u64,
        leaf: Leaf,
    },
    /// `a.zip_with(b, |x, _| x)` with `b` at least as long as `a`: emits `a`'s items.
    Zip(Box<Node>, Box<Node>),
    /// `child.group_by(v % keys)` with the backpressure policy, `.flat_map(group -> group, keys, 32)`.
    GroupBy(Box<Node>, u64),
    /// `child.window(size).concat_map(window -> window, 1)`.
    Window(Box<Node>, usize),
}

/// Hands out disjoint value ranges, so that every value in a pipeline is distinct.
struct Values(u64);

impl Values {
    fn take(&mut self, len: u64) -> u64 {
        let lo = self.0;
        self.0 += len;
        lo
    }
}

fn leaf_kind(rng: &mut Rng) -> Leaf {
    match rng.below(3) {
        0 => Leaf::Fused,
        1 => Leaf::Subscribed,
        _ => Leaf::Async(1 + rng.below(16) as usize),
    }
}

fn pipeline(rng: &mut Rng, values: &mut Values, depth: u32) -> Node {
    let leaf_only = depth == 0 || rng.below(4) == 0;
    if leaf_only {
        let len = rng.below(40);
        return Node::Range {
            lo: values.take(len),
            len,
            leaf: leaf_kind(rng),
        };
    }
    let children = |rng: &mut Rng, values: &mut Values| {
        (0..1 + rng.below(3))
            .map(|_| pipeline(rng, values, depth - 1))
            .collect::<Vec<_>>()
    };
    match rng.below(9) {
        0 => Node::Concat(children(rng, values)),
        1 => Node::ConcatWith(
            Box::new(pipeline(rng, values, depth - 1)),
            Box::new(pipeline(rng, values, depth - 1)),
        ),
        2 => Node::Merge(children(rng, values), 1 + rng.below(8) as usize),
        3..=5 => {
            let (outer, inner) = (rng.below(8), rng.below(16));
            let lo = values.take(outer * inner);
            let leaf = leaf_kind(rng);
            match rng.below(3) {
                0 => Node::FlatMap {
                    lo,
                    outer,
                    inner,
                    leaf,
                    concurrency: 1 + rng.below(4) as usize,
                    prefetch: 1 + rng.below(8) as usize,
                },
                1 => Node::ConcatMap {
                    lo,
                    outer,
                    inner,
                    leaf,
                    prefetch: 1 + rng.below(4) as usize,
                },
                2 if rng.below(2) == 0 => Node::SwitchMap {
                    lo,
                    outer,
                    inner,
                    leaf,
                },
                _ => Node::FlatMapIter { lo, outer, inner },
            }
        }
        6 => {
            let a = pipeline(rng, values, depth - 1);
            let len = expected(&a).items.len() as u64;
            let extra = rng.below(4);
            let b = Node::Range {
                lo: values.take(len + extra),
                len: len + extra,
                leaf: leaf_kind(rng),
            };
            Node::Zip(Box::new(a), Box::new(b))
        }
        7 => Node::GroupBy(Box::new(pipeline(rng, values, depth - 1)), 1 + rng.below(4)),
        _ => Node::Window(
            Box::new(pipeline(rng, values, depth - 1)),
            1 + rng.below(6) as usize,
        ),
    }
}

fn leaf(lo: u64, len: u64, kind: Leaf) -> BoxPublisher<u64> {
    let items = range(lo..lo + len);
    match kind {
        Leaf::Fused => items.boxed(),
        Leaf::Subscribed => items.map(|v| v).boxed(),
        Leaf::Async(prefetch) => items.publish_on(pool().clone(), prefetch).boxed(),
    }
}

fn build(node: &Node) -> BoxPublisher<u64> {
    match node {
        &Node::Range {
            lo,
            len,
            leaf: kind,
        } => leaf(lo, len, kind),
        Node::Concat(children) => concat(children.iter().map(build).collect::<Vec<_>>()).boxed(),
        Node::ConcatWith(a, b) => build(a).concat_with(build(b)).boxed(),
        Node::Merge(children, prefetch) => {
            merge(children.iter().map(build).collect::<Vec<_>>(), *prefetch).boxed()
        }
        &Node::FlatMap {
            lo,
            outer,
            inner,
            leaf: kind,
            concurrency,
            prefetch,
        } => range(0..outer)
            .flat_map(
                move |i| leaf(lo + i * inner, inner, kind),
                concurrency,
                prefetch,
            )
            .boxed(),
        &Node::ConcatMap {
            lo,
            outer,
            inner,
            leaf: kind,
            prefetch,
        } => range(0..outer)
            .concat_map(move |i| leaf(lo + i * inner, inner, kind), prefetch)
            .boxed(),
        &Node::SwitchMap {
            lo,
            outer,
            inner,
            leaf: kind,
        } => range(0..outer)
            .switch_map(move |i| leaf(lo + i * inner, inner, kind))
            .boxed(),
        &Node::FlatMapIter { lo, outer, inner } => range(0..outer)
            .flat_map_iter(move |i| lo + i * inner..lo + (i + 1) * inner)
            .boxed(),
        Node::Zip(a, b) => build(a).zip_with(build(b), |x, _| x).boxed(),
        &Node::GroupBy(ref child, keys) => build(child)
            .group_by(move |v| v % keys, 32)
            .overflow(GroupOverflow::Backpressure)
            .flat_map(|group| group, keys as usize, 32)
            .boxed(),
        &Node::Window(ref child, size) => build(child)
            .window(size)
            .concat_map(|window| window, 1)
            .boxed(),
    }
}

/// What a pipeline may emit.
struct Expected {
    /// Every item it emits when nothing is dropped, in order if `ordered`.
    items: Vec<u64>,
    /// The items come in the order of `items`.
    ordered: bool,
    /// Some items may be dropped (a `switch_map` replaced an inner), so what arrives is a
    /// subset of `items` (a subsequence if `ordered`).
    lossy: bool,
}

fn expected(node: &Node) -> Expected {
    let join = |children: &[&Node], keeps_order: bool| {
        let mut all = Expected {
            items: Vec::new(),
            ordered: keeps_order,
            lossy: false,
        };
        for c in children {
            let e = expected(c);
            all.items.extend(e.items);
            all.ordered &= e.ordered;
            all.lossy |= e.lossy;
        }
        all
    };
    let span = |lo: u64, outer: u64, inner: u64, ordered: bool, lossy: bool| Expected {
        items: (lo..lo + outer * inner).collect(),
        ordered,
        lossy,
    };
    match node {
        &Node::Range { lo, len, .. } => span(lo, 1, len, true, false),
        Node::Concat(children) => join(&children.iter().collect::<Vec<_>>(), true),
        Node::ConcatWith(a, b) => join(&[&**a, &**b], true),
        Node::Merge(children, _) => join(&children.iter().collect::<Vec<_>>(), children.len() <= 1),
        &Node::FlatMap {
            lo,
            outer,
            inner,
            concurrency,
            ..
        } => span(lo, outer, inner, concurrency == 1 || outer <= 1, false),
        &Node::ConcatMap {
            lo, outer, inner, ..
        }
        | &Node::FlatMapIter { lo, outer, inner } => span(lo, outer, inner, true, false),
        &Node::SwitchMap {
            lo, outer, inner, ..
        } => span(lo, outer, inner, true, true),
        Node::Zip(a, _) => expected(a),
        Node::GroupBy(child, keys) => {
            let mut e = expected(child);
            e.ordered &= *keys == 1 || e.items.len() <= 1;
            e
        }
        Node::Window(child, _) => expected(child),
    }
}

fn run(seed: u64) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let depth = 1 + rng.below(3) as u32;
    let node = pipeline(&mut rng, &mut Values(0), depth);
    let Expected {
        items,
        ordered,
        lossy,
    } = expected(&node);
    let n = items.len() as u64;
    let cancel_at = (rng.below(3) == 0).then(|| rng.below(n + 1));
    let what = format!("seed {seed}: cancel at {cancel_at:?}, {node:?}");

    let ts = TestSubscriber::<u64>::with_request(0);
    build(&node).subscribe(ts.tracked_clone());

    let got = drive(&ts, &mut rng, n, cancel_at, &what);
    let allowed: HashSet<u64> = items.iter().copied().collect();
    let mut seen = HashSet::new();
    for v in &got {
        assert!(allowed.contains(v), "{what}: invented item {v}: {got:?}");
        assert!(seen.insert(*v), "{what}: item {v} delivered twice: {got:?}");
    }
    if ordered && !lossy {
        assert_eq!(got[..], items[..got.len()], "{what}: out of order or lost");
    } else if ordered {
        let mut rest = items.iter();
        assert!(
            got.iter().all(|v| rest.any(|w| w == v)),
            "{what}: out of order: {got:?}"
        );
    }
    if cancel_at.is_none() && !lossy {
        assert_eq!(got.len(), items.len(), "{what}: items lost: {got:?}");
    }
    if cancel_at.is_none() {
        assert!(ts.is_complete(), "{what}");
    }
}

#[test]
fn random_combining_pipelines_keep_the_rules() {
    let first = std::env::var("STRESS_SEED")
        .ok()
        .and_then(|s| s.parse().ok());
    if let Some(seed) = first {
        run(seed);
    }
    let count = std::env::var("STRESS_PIPELINES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(PIPELINES);
    for seed in 0..count {
        run(seed);
    }
}
