//! The side-effect operators (`inspect`, `do_on_subscribe`, `do_on_request`, `do_on_cancel`,
//! `do_on_complete`, `do_on_error`, `do_finally`): each hook sees what it should, when it
//! should (before or after the downstream), exactly how often; requests reach the upstream
//! unchanged, the conditional path is kept, rule 3.9, cancel, and `do_finally` exactly once
//! when a cancel races the completion.

use std::sync::{Arc, Mutex};

use reactive_core::{BoxPublisher, Error, ErrorKind, Publisher, SubscriptionRef, UNBOUNDED};
use reactive_operators::{PublisherExt, error, range};
use reactive_tck::TestSubscriber;

use crate::support::{
    assert_clean, manual, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};

type Journal = Arc<Mutex<Vec<String>>>;

fn journal() -> Journal {
    Arc::new(Mutex::new(Vec::new()))
}

fn note(journal: &Journal, entry: impl Into<String>) {
    journal.lock().unwrap().push(entry.into());
}

fn entries(journal: &Journal) -> Vec<String> {
    journal.lock().unwrap().clone()
}

/// Every side-effect operator over `range(0..10_000)`, each with a hook that does nothing.
fn every_side_effect() -> Vec<(&'static str, BoxPublisher<u64>)> {
    let r = || range(0u64..10_000);
    vec![
        ("inspect", r().inspect(|_| {}).boxed()),
        ("do_on_subscribe", r().do_on_subscribe(|_| {}).boxed()),
        ("do_on_request", r().do_on_request(|_| {}).boxed()),
        ("do_on_cancel", r().do_on_cancel(|| {}).boxed()),
        ("do_on_complete", r().do_on_complete(|| {}).boxed()),
        ("do_on_error", r().do_on_error(|_| {}).boxed()),
        ("do_finally", r().do_finally(|| {}).boxed()),
        ("log", r().log("quiet").boxed()),
    ]
}

#[test]
fn every_one_keeps_items_demand_and_the_rules() {
    for (name, p) in every_side_effect() {
        // Exactly n items for request(n), in pieces.
        let ts = TestSubscriber::<u64>::with_request(3);
        p.subscribe(ts.clone());
        assert_eq!(ts.values(), [0, 1, 2], "{name}");
        ts.request(2);
        assert_eq!(ts.value_count(), 5, "{name}");
        ts.cancel();
        assert!(ts.violations().is_empty(), "{name}: {ts:?}");
        requests_from_on_next_do_not_recurse(&p);
        request_zero_ends_with_rule_3_9(&p);
    }
}

/// Builds the operator under test over a manual upstream.
type Build = fn(reactive_tck::harness::ManualPublisher<u64>) -> BoxPublisher<u64>;

#[test]
fn requests_reach_the_upstream_unchanged_and_cancel_reaches_it() {
    let make: Vec<(&str, Build)> = vec![
        ("inspect", |u| u.inspect(|_| {}).boxed()),
        ("do_on_subscribe", |u| u.do_on_subscribe(|_| {}).boxed()),
        ("do_on_request", |u| u.do_on_request(|_| {}).boxed()),
        ("do_on_cancel", |u| u.do_on_cancel(|| {}).boxed()),
        ("do_on_complete", |u| u.do_on_complete(|| {}).boxed()),
        ("do_on_error", |u| u.do_on_error(|_| {}).boxed()),
        ("do_finally", |u| u.do_finally(|| {}).boxed()),
        ("log", |u| u.log("quiet").boxed()),
    ];
    for (name, make) in make {
        let (upstream, env) = manual::<u64>();
        let ts = TestSubscriber::<u64>::with_request(0);
        make(upstream.clone()).subscribe(ts.clone());
        assert_eq!(
            upstream.take_requests(),
            0,
            "{name}: asks nothing on its own"
        );
        for n in [1, 5, 2] {
            ts.request(n);
            assert_eq!(upstream.take_requests(), n, "{name}: request({n})");
        }
        upstream.send_next(1);
        assert_eq!(ts.values(), [1], "{name}");
        ts.cancel();
        assert!(upstream.is_cancelled(), "{name}");
        assert_clean(&env);
    }
}

#[test]
fn the_pass_through_ones_hand_the_upstream_subscription_down_unchanged() {
    let seen: Arc<Mutex<Option<SubscriptionRef>>> = Arc::new(Mutex::new(None));
    for name in [
        "inspect",
        "do_on_complete",
        "do_on_error",
        "do_on_subscribe",
    ] {
        let slot = seen.clone();
        let spy = range(0u64..3).do_on_subscribe(move |s| *slot.lock().unwrap() = Some(s.clone()));
        let p: BoxPublisher<u64> = match name {
            "inspect" => spy.inspect(|_| {}).boxed(),
            "do_on_complete" => spy.do_on_complete(|| {}).boxed(),
            "do_on_error" => spy.do_on_error(|_| {}).boxed(),
            _ => spy.do_on_subscribe(|_| {}).boxed(),
        };
        let ts = TestSubscriber::<u64>::with_request(0);
        p.subscribe(ts.clone());
        let upstream = seen.lock().unwrap().take().unwrap();
        assert!(
            Arc::ptr_eq(&upstream, &ts.subscription().unwrap()),
            "{name} wrapped the subscription"
        );
    }
}

#[test]
fn inspect_sees_every_item_before_the_downstream_and_keeps_the_conditional_path() {
    let j = journal();
    let (a, b) = (j.clone(), j.clone());
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    range(0u64..4)
        .inspect(move |v| note(&a, format!("saw {v}")))
        .inspect(move |v| note(&b, format!("then {v}")))
        .subscribe(ts.clone());
    assert_eq!(ts.values(), [0, 1, 2, 3]);
    assert_eq!(
        entries(&j),
        [
            "saw 0", "then 0", "saw 1", "then 1", "saw 2", "then 2", "saw 3", "then 3"
        ]
    );

    // inspect between the source and a filter: rejected items cost no request(1) upstream.
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    let seen = journal();
    let s2 = seen.clone();
    let ts = TestSubscriber::<u64>::with_request(3);
    range(0u64..100)
        .do_on_request(move |n| log.lock().unwrap().push(n))
        .inspect(move |v| note(&s2, v.to_string()))
        .filter(|v| v % 10 == 0)
        .subscribe(ts.clone());
    assert_eq!(ts.values(), [0, 10, 20]);
    assert_eq!(
        *requests.lock().unwrap(),
        [3],
        "the conditional path was lost"
    );
    assert_eq!(
        entries(&seen).len(),
        21,
        "inspect saw the rejected items too"
    );
}

#[test]
fn do_on_subscribe_runs_before_the_downstream_on_subscribe() {
    let j = journal();
    let a = j.clone();
    let ts = TestSubscriber::<u64>::with_request(0);
    range(0u64..3)
        .do_on_subscribe(move |_| note(&a, "hook"))
        .subscribe(ts.clone());
    assert_eq!(entries(&j), ["hook"]);
    assert!(ts.is_subscribed());
    assert_eq!(ts.value_count(), 0, "the hook requests nothing");
}

#[test]
fn do_on_request_sees_every_n_including_zero() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let ts = TestSubscriber::<u64>::with_request(2);
    range(0u64..100)
        .do_on_request(move |n| log.lock().unwrap().push(n))
        .subscribe(ts.clone());
    ts.request(1);
    ts.request(UNBOUNDED);
    assert_eq!(*seen.lock().unwrap(), [2, 1, UNBOUNDED]);
    assert!(ts.is_complete());

    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let ts = TestSubscriber::<u64>::with_request(0);
    range(0u64..100)
        .do_on_request(move |n| log.lock().unwrap().push(n))
        .subscribe(ts.clone());
    ts.request(0);
    assert_eq!(*seen.lock().unwrap(), [0]);
    assert_eq!(
        ts.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
}

#[test]
fn do_on_cancel_runs_once_on_cancel_and_never_on_completion() {
    let j = journal();
    let a = j.clone();
    let ts = TestSubscriber::<u64>::with_request(1);
    let (upstream, env) = manual::<u64>();
    upstream
        .clone()
        .do_on_cancel(move || note(&a, "cancel"))
        .subscribe(ts.clone());
    let subscription = ts.subscription().unwrap();
    subscription.cancel();
    subscription.cancel(); // rule 3.7: a no-op, and the hook does not run again
    assert_eq!(entries(&j), ["cancel"]);
    assert!(upstream.is_cancelled());
    assert_clean(&env);

    let j = journal();
    let a = j.clone();
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    range(0u64..3)
        .do_on_cancel(move || note(&a, "cancel"))
        .subscribe(ts.clone());
    assert!(ts.is_complete());
    assert!(entries(&j).is_empty(), "completion is not a cancel");
}

#[test]
fn do_on_complete_and_do_on_error_run_before_the_downstream_signal() {
    let j = journal();
    let (a, b) = (j.clone(), j.clone());
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    range(0u64..2)
        .do_on_error(move |_| note(&b, "error"))
        .do_on_complete(move || note(&a, "complete hook"))
        .inspect({
            let j = j.clone();
            move |v| note(&j, format!("item {v}"))
        })
        .subscribe(ts.clone());
    assert_eq!(entries(&j), ["item 0", "item 1", "complete hook"]);
    assert!(ts.is_complete());

    let j = journal();
    let (a, b) = (j.clone(), j.clone());
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    error::<u64>(Error::msg("boom"))
        .do_on_complete(move || note(&a, "complete"))
        .do_on_error(move |e| note(&b, format!("error {}", e.message())))
        .subscribe(ts.clone());
    assert_eq!(entries(&j), ["error boom"]);
    assert_eq!(
        ts.error().map(|e| e.message().to_string()).as_deref(),
        Some("boom")
    );
    // Before the downstream: a hook that checks the subscriber has not seen it yet.
    let probe = TestSubscriber::<u64>::with_request(UNBOUNDED);
    let watched = probe.clone();
    error::<u64>(Error::msg("x"))
        .do_on_error(move |_| assert!(!watched.is_terminated(), "hook after the downstream"))
        .subscribe(probe.clone());
    assert!(probe.error().is_some());
}

#[test]
fn do_finally_runs_once_after_complete_error_or_cancel() {
    let counted = |p: &dyn Fn(Arc<Mutex<u32>>) -> BoxPublisher<u64>, request: u64, cancel: bool| {
        let runs = Arc::new(Mutex::new(0));
        let ts = TestSubscriber::<u64>::with_request(request);
        // The subscription `do_finally` hands down, kept past the end of the stream.
        let kept: Arc<Mutex<Option<SubscriptionRef>>> = Arc::new(Mutex::new(None));
        let slot = kept.clone();
        p(runs.clone())
            .do_on_subscribe(move |s| *slot.lock().unwrap() = Some(s.clone()))
            .subscribe(ts.clone());
        if cancel {
            let raw = kept.lock().unwrap().clone().unwrap();
            raw.cancel();
            raw.cancel();
        }
        let n = *runs.lock().unwrap();
        (n, ts)
    };
    let over_range = |runs: Arc<Mutex<u32>>| {
        range(0u64..3)
            .do_finally(move || *runs.lock().unwrap() += 1)
            .boxed()
    };
    let (n, ts) = counted(&over_range, UNBOUNDED, false);
    assert_eq!(n, 1, "after completion");
    assert!(ts.is_complete());
    let (n, ts) = counted(&over_range, UNBOUNDED, true);
    assert_eq!(n, 1, "a cancel after completion does not run it again");
    assert!(ts.is_complete());
    let (n, ts) = counted(&over_range, 1, true);
    assert_eq!(n, 1, "after cancel (twice)");
    assert!(!ts.is_terminated());
    let failing = |runs: Arc<Mutex<u32>>| {
        error::<u64>(Error::msg("boom"))
            .do_finally(move || *runs.lock().unwrap() += 1)
            .boxed()
    };
    let (n, ts) = counted(&failing, 0, false);
    assert_eq!(n, 1, "after error");
    assert!(ts.error().is_some());

    // After the downstream's terminal signal.
    let probe = TestSubscriber::<u64>::with_request(UNBOUNDED);
    let watched = probe.clone();
    range(0u64..1)
        .do_finally(move || assert!(watched.is_complete(), "ran before on_complete"))
        .subscribe(probe.clone());
    assert!(probe.is_complete());
}

#[test]
fn do_finally_runs_once_when_a_cancel_races_the_completion() {
    for _ in 0..500 {
        let runs = Arc::new(Mutex::new(0u32));
        let counter = runs.clone();
        let (upstream, _env) = manual::<u64>();
        let ts = TestSubscriber::<u64>::with_request(1);
        upstream
            .clone()
            .do_finally(move || *counter.lock().unwrap() += 1)
            .subscribe(ts.clone());
        let canceller = {
            let s = ts.subscription().unwrap();
            std::thread::spawn(move || s.cancel())
        };
        upstream.send_completion();
        canceller.join().unwrap();
        assert_eq!(*runs.lock().unwrap(), 1);
        // The manual publisher may record the late cancel as a rule 2.4 call after the
        // terminal signal: that is the race being tested, so its environment is not checked.
    }
}
