//! The aggregates (`count`, `first`, `last`, `single`, `reduce`, `fold`, `collect`, `all`,
//! `any`, `has_elements`, `min`, `max`, `min_by_key`, `max_by_key`): what each requests
//! upstream and when, that the one value waits for the downstream's request (and goes out at
//! once when the request came first), cancel, errors, completion, rule 3.9, short-circuits,
//! and each result against the `Iterator` method of the same name.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use futures_util::StreamExt;
use reactive_core::{BoxPublisher, Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, empty, error, from_iter, just, never, range};
use reactive_tck::harness::ManualPublisher;
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{PATIENCE, assert_clean, manual};

/// Every aggregate over a `u64` source, by name, with its result as text (one item type for
/// all, so that one test can walk through them).
fn every_aggregate<P>(source: P) -> Vec<(&'static str, BoxPublisher<String>)>
where
    P: Publisher<Item = u64> + Clone + Send + Sync + 'static,
{
    fn text<V: std::fmt::Debug>(v: V) -> String {
        format!("{v:?}")
    }
    vec![
        ("count", source.clone().count().map(text).boxed()),
        ("first", source.clone().first().map(text).boxed()),
        ("last", source.clone().last().map(text).boxed()),
        ("single", source.clone().single().map(text).boxed()),
        (
            "reduce",
            source.clone().reduce(|a, b| a + b).map(text).boxed(),
        ),
        (
            "fold",
            source.clone().fold(0u64, |a, b| a + b).map(text).boxed(),
        ),
        (
            "collect",
            source.clone().collect::<Vec<_>>().map(text).boxed(),
        ),
        ("all", source.clone().all(|v| v < 100).map(text).boxed()),
        ("any", source.clone().any(|v| v > 100).map(text).boxed()),
        (
            "has_elements",
            source.clone().has_elements().map(text).boxed(),
        ),
        ("min", source.clone().min().map(text).boxed()),
        ("max", source.clone().max().map(text).boxed()),
        (
            "min_by_key",
            source.clone().min_by_key(|v| *v).map(text).boxed(),
        ),
        ("max_by_key", source.max_by_key(|v| *v).map(text).boxed()),
    ]
}

/// What each aggregate asks its upstream for on subscribe.
fn upfront(name: &str) -> u64 {
    match name {
        "first" | "has_elements" => 1,
        "single" => 2,
        _ => UNBOUNDED,
    }
}

/// The aggregate called `name` over `source`.
fn aggregate<P>(name: &str, source: P) -> BoxPublisher<String>
where
    P: Publisher<Item = u64> + Clone + Send + Sync + 'static,
{
    every_aggregate(source)
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| p)
        .unwrap()
}

fn names() -> Vec<&'static str> {
    every_aggregate(empty::<u64>())
        .into_iter()
        .map(|(n, _)| n)
        .collect()
}

#[test]
fn each_requests_upstream_on_subscribe_whatever_the_downstream_requests() {
    for downstream in [0, 1, 5, UNBOUNDED] {
        for name in names() {
            let (upstream, env) = manual::<u64>();
            let ts = TestSubscriber::<String>::with_request(downstream);
            aggregate(name, upstream.clone()).subscribe(ts.clone());
            assert_eq!(
                upstream.take_requests(),
                upfront(name),
                "{name} with downstream request({downstream})"
            );
            ts.request(7);
            assert_eq!(
                upstream.take_requests(),
                0,
                "{name}: a downstream request is not forwarded"
            );
            ts.cancel();
            assert!(
                upstream.is_cancelled(),
                "{name}: cancel reaches the upstream"
            );
            assert_clean(&env);
        }
    }
}

#[test]
fn the_value_waits_for_the_downstream_request() {
    for name in names() {
        let (upstream, env) = manual::<u64>();
        let aggregate = aggregate(name, upstream.clone());
        let ts = TestSubscriber::<String>::with_request(0);
        aggregate.subscribe(ts.tracked_clone());
        upstream.send_next(3);
        if !upstream.is_cancelled() {
            upstream.send_completion(); // `first`, `any`... decided at the first item
        }
        assert_eq!(ts.value_count(), 0, "{name}: nothing without demand");
        assert!(
            !ts.is_terminated(),
            "{name}: the completion waits with the value"
        );
        ts.request(1);
        assert_eq!(ts.value_count(), 1, "{name}");
        assert!(
            ts.is_complete(),
            "{name}: completes right after its one item"
        );
        assert!(ts.is_dropped(), "{name}: rule 3.13 after completion");
        assert!(ts.violations().is_empty(), "{name}: {ts:?}");
        assert_clean(&env);
    }
}

#[test]
fn a_request_made_before_the_value_lets_it_go_at_once() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::with_request(1);
    upstream
        .clone()
        .fold(0u64, |a, b| a + b)
        .subscribe(ts.clone());
    for v in [1, 2, 3] {
        upstream.send_next(v);
    }
    assert_eq!(ts.value_count(), 0);
    upstream.send_completion();
    assert_eq!(ts.values(), [6]);
    assert!(ts.is_complete());
    assert_clean(&env);
}

#[test]
fn cancel_mid_stream_drops_the_partial_result_and_cancels_upstream() {
    let (upstream, env) = manual::<Arc<u64>>();
    let ts = TestSubscriber::<Vec<Arc<u64>>>::with_request(1);
    upstream
        .clone()
        .collect::<Vec<_>>()
        .subscribe(ts.tracked_clone());
    let item = Arc::new(1);
    let watch = Arc::downgrade(&item);
    upstream.send_next(item);
    ts.cancel();
    assert!(upstream.is_cancelled());
    assert!(
        ts.is_dropped(),
        "rule 3.13, while the subscription is still held"
    );
    // The upstream lets go of its subscriber (and the partial Vec) when it stops: here, when
    // the manual publisher is dropped.
    drop(upstream);
    assert_eq!(
        watch.strong_count(),
        0,
        "the partial collection was dropped"
    );
    assert_eq!(ts.value_count(), 0);
    assert!(!ts.is_terminated(), "no signal after cancel");
    assert_clean(&env);
}

#[test]
fn cancel_after_the_value_is_ready_drops_it_undelivered() {
    let (upstream, env) = manual::<Arc<u64>>();
    let ts = TestSubscriber::<Arc<u64>>::with_request(0);
    upstream.clone().last().subscribe(ts.tracked_clone());
    let item = Arc::new(1);
    let watch = Arc::downgrade(&item);
    upstream.send_next(item);
    upstream.send_completion();
    ts.cancel();
    assert!(ts.is_dropped());
    assert_eq!(
        watch.strong_count(),
        0,
        "the ready value was dropped by the cancel"
    );
    assert!(
        !upstream.is_cancelled(),
        "the upstream had completed: nothing to cancel"
    );
    ts.request(1);
    assert_eq!(ts.value_count(), 0);
    assert_clean(&env);
}

#[test]
fn errors_pass_through_without_demand() {
    for (name, aggregate) in every_aggregate(error::<u64>(Error::msg("boom"))) {
        StepVerifier::create(&aggregate)
            .initial_request(0)
            .expect_error_matches(|e| e.kind() == ErrorKind::User && e.message() == "boom")
            .verify()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // An error after some items drops what was aggregated.
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    upstream.clone().count().subscribe(ts.clone());
    upstream.send_next(1);
    upstream.send_error(Error::msg("late"));
    assert_eq!(ts.value_count(), 0);
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
    assert_clean(&env);
}

#[test]
fn request_zero_is_rule_3_9_and_cancels_a_running_upstream() {
    // A running upstream (the request comes first) and a finished one (the value is ready).
    let sources = every_aggregate(never::<u64>())
        .into_iter()
        .chain(every_aggregate(just(1u64)));
    for (name, aggregate) in sources {
        StepVerifier::create(&aggregate)
            .initial_request(0)
            .then_request(0)
            .expect_error_matches(|e| {
                e.kind() == ErrorKind::InvalidRequest && e.message().contains("rule 3.9")
            })
            .verify()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(0);
    upstream.clone().count().subscribe(ts.tracked_clone());
    upstream.send_next(1);
    ts.request(0);
    assert_eq!(
        ts.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
    assert!(upstream.is_cancelled(), "the upstream was still running");
    assert!(ts.is_dropped());
    assert_clean(&env);
}

#[test]
fn empty_streams_follow_iterator() {
    let cases: Vec<(&str, BoxPublisher<String>, Option<&str>)> = every_aggregate(empty::<u64>())
        .into_iter()
        .map(|(name, p)| {
            let expected = match name {
                "count" => Some("0"),
                "fold" => Some("0"),
                "collect" => Some("[]"),
                "all" => Some("true"),
                "any" | "has_elements" => Some("false"),
                _ => None, // first, last, reduce, min, max, *_by_key: no item; single: fails
            };
            (name, p, expected)
        })
        .collect();
    for (name, aggregate, expected) in cases {
        let ts = TestSubscriber::<String>::with_request(UNBOUNDED);
        aggregate.subscribe(ts.clone());
        if name == "single" {
            let e = ts.error().expect("single fails on an empty stream");
            assert_eq!(e.kind(), ErrorKind::ItemCount);
            assert!(e.message().contains("single"), "{e}");
            continue;
        }
        assert!(ts.is_complete(), "{name}");
        assert_eq!(
            ts.values().first().map(String::as_str),
            expected,
            "{name} of an empty stream"
        );
    }
}

#[test]
fn results_match_the_iterator_methods() {
    let inputs: Vec<Vec<u64>> = vec![
        vec![],
        vec![4],
        vec![3, 1, 4, 1, 5, 9, 2, 6],
        (0..1000).map(|v| (v * 7919) % 101).collect(),
    ];
    fn one<T: Clone + Send + std::fmt::Debug + 'static>(p: impl Publisher<Item = T>) -> Option<T> {
        let ts = TestSubscriber::with_request(UNBOUNDED);
        p.subscribe(ts.clone());
        assert!(ts.is_complete(), "{ts:?}");
        assert!(ts.value_count() <= 1);
        ts.values().pop()
    }
    for input in inputs {
        let src = || from_iter(input.clone());
        let it = || input.iter().copied();
        assert_eq!(one(src().count()), Some(it().count() as u64));
        assert_eq!(one(src().first()), it().next());
        assert_eq!(one(src().last()), it().last());
        assert_eq!(
            one(src().reduce(|a, b| a.wrapping_mul(3) ^ b)),
            it().reduce(|a, b| a.wrapping_mul(3) ^ b)
        );
        assert_eq!(
            one(src().fold(1u64, |a, b| a.wrapping_mul(b + 1))),
            Some(it().fold(1u64, |a, b| a.wrapping_mul(b + 1)))
        );
        assert_eq!(
            one(src().collect::<Vec<_>>()),
            Some(it().collect::<Vec<_>>())
        );
        assert_eq!(
            one(src().collect::<BTreeSet<_>>()),
            Some(it().collect::<BTreeSet<_>>())
        );
        assert_eq!(one(src().all(|v| v < 50)), Some(it().all(|v| v < 50)));
        assert_eq!(one(src().any(|v| v == 9)), Some(it().any(|v| v == 9)));
        assert_eq!(
            one(src().has_elements()),
            Some(it().peekable().peek().is_some())
        );
        assert_eq!(one(src().min()), it().min());
        assert_eq!(one(src().max()), it().max());
        assert_eq!(one(src().min_by_key(|v| v % 7)), it().min_by_key(|v| v % 7));
        assert_eq!(one(src().max_by_key(|v| v % 7)), it().max_by_key(|v| v % 7));
    }
}

/// Ordered by `key` only: equal items stay distinguishable by `tag`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Keyed {
    key: u8,
    tag: char,
}

impl PartialOrd for Keyed {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Keyed {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

#[test]
fn ties_follow_iterator_min_keeps_the_first_max_the_last() {
    let items = vec![
        Keyed { key: 2, tag: 'a' },
        Keyed { key: 1, tag: 'b' },
        Keyed { key: 2, tag: 'c' },
        Keyed { key: 1, tag: 'd' },
    ];
    let src = || from_iter(items.clone());
    let first = |p: BoxPublisher<Keyed>| {
        let ts = TestSubscriber::with_request(1);
        p.subscribe(ts.clone());
        ts.values()[0].tag
    };
    assert_eq!(first(src().min().boxed()), items.iter().min().unwrap().tag);
    assert_eq!(first(src().min().boxed()), 'b');
    assert_eq!(first(src().max().boxed()), 'c');
    assert_eq!(first(src().min_by_key(|k| k.key).boxed()), 'b');
    assert_eq!(first(src().max_by_key(|k| k.key).boxed()), 'c');
    assert_eq!(
        first(src().max_by_key(|k| k.key).boxed()),
        items.iter().max_by_key(|k| k.key).unwrap().tag
    );
}

#[test]
fn single_fails_at_the_second_item_and_cancels_the_upstream() {
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(0);
    upstream.clone().single().subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), 2, "the item and one more");
    upstream.send_next(1);
    assert!(!ts.is_terminated());
    upstream.send_next(2);
    assert!(upstream.is_cancelled());
    let e = ts.error().expect("too many items, without demand");
    assert_eq!(e.kind(), ErrorKind::ItemCount);
    assert_eq!(e.message(), Error::too_many_items("single", 1).message());
    assert_clean(&env);

    StepVerifier::create(&just(5u64).single())
        .expect_next(5)
        .expect_complete()
        .verify()
        .unwrap();
}

/// Builds the operator under test over a manual upstream.
type Build<T> = Box<dyn Fn(ManualPublisher<u64>) -> BoxPublisher<T>>;

#[test]
fn short_circuits_cancel_the_upstream_at_the_deciding_item() {
    let cases: Vec<(&str, Build<String>)> = vec![
        (
            "first",
            Box::new(|u| u.first().map(|v| v.to_string()).boxed()),
        ),
        (
            "has_elements",
            Box::new(|u| u.has_elements().map(|v| v.to_string()).boxed()),
        ),
        (
            "any",
            Box::new(|u| u.any(|v| v == 2).map(|v| v.to_string()).boxed()),
        ),
        (
            "all",
            Box::new(|u| u.all(|v| v != 2).map(|v| v.to_string()).boxed()),
        ),
    ];
    for (name, make) in cases {
        let (upstream, env) = manual::<u64>();
        let ts = TestSubscriber::<String>::with_request(1);
        make(upstream.clone()).subscribe(ts.clone());
        let mut sent = 0;
        for v in 1..=3 {
            if upstream.is_cancelled() {
                break;
            }
            upstream.send_next(v);
            sent += 1;
        }
        assert!(upstream.is_cancelled(), "{name}");
        let expected = match name {
            "first" | "has_elements" => 1,
            _ => 2,
        };
        assert_eq!(
            sent, expected,
            "{name}: the deciding item is the last one it took"
        );
        assert_eq!(ts.value_count(), 1, "{name}");
        assert!(ts.is_complete(), "{name}");
        assert_clean(&env);
    }
    // An endless source: the short-circuit is what ends it.
    StepVerifier::create(&range(0u64..u64::MAX).any(|v| v == 1000))
        .expect_next(true)
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn never_ending_upstream_gives_no_value_until_cancelled() {
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    never::<u64>().count().subscribe(ts.tracked_clone());
    assert!(!ts.is_terminated());
    ts.cancel();
    assert!(ts.is_dropped());
}

#[test]
fn a_request_from_another_thread_racing_the_completion_delivers_once() {
    for round in 0..500u64 {
        let ts = TestSubscriber::<u64>::with_request(0);
        let (upstream, env) = manual::<u64>();
        upstream.clone().count().subscribe(ts.clone());
        let requester = {
            let ts = ts.clone();
            std::thread::spawn(move || ts.request(1))
        };
        upstream.send_next(round);
        upstream.send_completion();
        requester.join().unwrap();
        assert!(ts.await_terminal(PATIENCE));
        assert_eq!(ts.values(), [1], "round {round}");
        assert!(ts.is_complete());
        assert!(ts.violations().is_empty(), "{ts:?}");
        assert_clean(&env);
    }
}

#[test]
fn works_with_the_blocking_and_async_terminals() {
    assert_eq!(range(0u64..100).count().block_first().unwrap(), Some(100));
    assert_eq!(range(0u64..0).first().block_last().unwrap(), None);
    let mut stream = range(0u64..5).collect::<Vec<_>>().into_stream(1);
    let got = futures_executor::block_on(async {
        let first = stream.next().await;
        let end = stream.next().await;
        (first, end.is_none())
    });
    assert_eq!(got.0.unwrap().unwrap(), vec![0, 1, 2, 3, 4]);
    assert!(got.1);
    let pairs = from_iter([("a", 1u64), ("b", 2)]).collect::<HashMap<_, _>>();
    let map = pairs.blocking_iter(1).next().unwrap().unwrap();
    assert_eq!(map.get("b"), Some(&2));
}

#[test]
fn each_subscription_starts_afresh() {
    let sum = range(1u64..=3).fold(10u64, |a, b| a + b);
    for _ in 0..2 {
        StepVerifier::create(&sum)
            .expect_next(16)
            .expect_complete()
            .verify()
            .unwrap();
    }
    let firsts = range(0u64..3).collect::<Vec<_>>();
    let ts1 = TestSubscriber::with_request(1);
    let ts2 = TestSubscriber::with_request(1);
    firsts.subscribe(ts1.clone());
    firsts.subscribe(ts2.clone());
    assert_eq!(ts1.values(), ts2.values());
}
