//! `concat`, `concat_with`, `concat_delay_error`: the sources one after another, the demand
//! still owed carried to each next source exactly once.

use reactive_core::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use reactive_core::scheduler::{PoolScheduler, SingleThreadScheduler};
use reactive_core::{BoxPublisher, Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::ops::CompositeError;
use reactive_operators::{PublisherExt, concat, concat_delay_error, empty, error, just, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    PATIENCE, assert_clean, manual, request_zero_ends_with_rule_3_9,
    requests_from_on_next_do_not_recurse,
};

#[test]
fn the_sources_in_order_like_flatten() {
    let sources = vec![range(0u64..3), range(10..12), range(5..5), range(20..21)];
    let expected: Vec<u64> = [0..3, 10..12, 5..5, 20..21].into_iter().flatten().collect();
    StepVerifier::create(&concat(sources))
        .expect_next_values(expected)
        .expect_complete()
        .verify()
        .unwrap();
    StepVerifier::create(&range(0u64..2).concat_with(range(7..9)))
        .expect_next_values([0, 1, 7, 8])
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn no_sources_completes_at_once() {
    StepVerifier::create(&concat(Vec::<BoxPublisher<u64>>::new()))
        .initial_request(0)
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn the_owed_demand_goes_to_the_next_source_exactly_once() {
    let (a, env_a) = manual::<u64>();
    let (b, env_b) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(5);
    concat(vec![a.clone(), b.clone()]).subscribe(ts.tracked_clone());
    assert_eq!(a.take_requests(), 5);
    assert!(!b.has_subscriber(), "the second source waits for the first");
    a.send_next(1);
    a.send_next(2);
    ts.request(3); // goes to `a`, unchanged
    assert_eq!(a.take_requests(), 3);
    a.send_completion();
    assert!(b.has_subscriber());
    assert_eq!(b.take_requests(), 6, "8 requested - 2 delivered");
    assert_eq!(
        a.take_requests(),
        0,
        "nothing re-requested from the finished source"
    );
    assert!(!a.is_cancelled(), "a finished source is not cancelled");
    ts.request(1);
    assert_eq!(b.take_requests(), 1);
    b.send_next(3);
    b.send_completion();
    assert_eq!(ts.values(), [1, 2, 3]);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env_a);
    assert_clean(&env_b);
}

#[test]
fn a_request_between_two_sources_waits_for_the_next() {
    // The first source used all the demand; the next is subscribed with nothing owed.
    let ts = TestSubscriber::<u64>::with_request(2);
    let (b, env) = manual::<u64>();
    range(0u64..2).concat_with(b.clone()).subscribe(ts.clone());
    assert!(
        b.has_subscriber(),
        "subscribed right after the first source's completion"
    );
    assert_eq!(b.take_requests(), 0, "nothing owed");
    ts.request(4);
    assert_eq!(b.take_requests(), 4);
    assert_clean(&env);
}

#[test]
fn demand_is_exact_in_several_request_patterns() {
    for pattern in [vec![1u64; 9], vec![2, 5, 2], vec![4, 1, 4], vec![9]] {
        let ts = TestSubscriber::<u64>::with_request(0);
        concat(vec![range(0u64..3), range(0..0), range(3..6), range(6..9)]).subscribe(ts.clone());
        let mut total = 0;
        for k in pattern {
            ts.request(k);
            total += k;
            assert_eq!(ts.value_count(), total);
        }
        assert_eq!(ts.values(), (0..9).collect::<Vec<_>>());
        assert!(ts.is_complete());
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}

#[test]
fn a_hundred_thousand_synchronous_sources_do_not_grow_the_stack() {
    // Each `just` and `empty` completes inside its own `subscribe`: the trampoline
    // subscribes the next one after that call returned.
    let justs: Vec<_> = (0..100_000u64).map(just).collect();
    let ts = TestSubscriber::<u64>::new();
    concat(justs).subscribe(ts.clone());
    assert_eq!(ts.value_count(), 100_000);
    assert!(ts.is_complete());
    let empties: Vec<_> = (0..100_000).map(|_| empty::<u64>()).collect();
    let ts = TestSubscriber::<u64>::with_request(0);
    concat(empties).subscribe(ts.clone());
    assert!(ts.is_complete(), "completes without any demand");
    // One at a time from inside `on_next`, over many one-item sources.
    let justs: Vec<_> = (0..100_000u64).map(just).collect();
    let ts = TestSubscriber::<u64>::with_request(1).with_on_next_hook(|ts, _| ts.request(1));
    concat(justs).subscribe(ts.clone());
    assert_eq!(ts.value_count(), 100_000);
    assert!(ts.is_complete());
    assert_eq!(ts.max_on_next_depth(), 1);
}

#[test]
fn the_first_error_stops_at_once() {
    let subscribed = Arc::new(AtomicUsize::new(0));
    let counter = subscribed.clone();
    let later = reactive_operators::defer(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        range(0u64..3)
    });
    let sources = vec![
        range(0u64..2).boxed(),
        error(Error::msg("boom")).boxed(),
        later.boxed(),
    ];
    StepVerifier::create(&concat(sources))
        .expect_next_values([0, 1])
        .expect_error_matches(|e| e.message() == "boom")
        .verify()
        .unwrap();
    assert_eq!(
        subscribed.load(Ordering::SeqCst),
        0,
        "later sources never subscribed"
    );
}

#[test]
fn delay_error_goes_on_and_reports_the_errors_at_the_end() {
    let one = vec![error(Error::msg("first")).boxed(), range(0u64..2).boxed()];
    StepVerifier::create(&concat_delay_error(one))
        .expect_next_values([0, 1])
        .expect_error_matches(|e| e.message() == "first" && CompositeError::of(e).is_none())
        .verify()
        .unwrap();
    let two = vec![
        error(Error::msg("a")).boxed(),
        range(0u64..1).boxed(),
        error(Error::msg("b")).boxed(),
    ];
    StepVerifier::create(&concat_delay_error(two))
        .expect_next(0)
        .expect_error_matches(|e| {
            CompositeError::of(e)
                .is_some_and(|c| c.errors().iter().map(Error::message).eq(["a", "b"]))
        })
        .verify()
        .unwrap();
    // The demand still owed moves past a failed source too.
    let (a, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(3);
    concat_delay_error(vec![a.clone().boxed(), range(10u64..20).boxed()]).subscribe(ts.clone());
    a.send_next(1);
    a.send_error(Error::msg("late"));
    assert_eq!(ts.values(), [1, 10, 11]);
    assert!(!ts.is_terminated());
    ts.request(UNBOUNDED);
    assert_eq!(ts.value_count(), 11);
    assert_eq!(
        ts.error().map(|e| e.message().to_owned()),
        Some("late".into())
    );
    assert_clean(&env);
}

#[test]
fn delay_error_does_not_delay_rule_3_9() {
    let (a, _env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(1);
    concat_delay_error(vec![a.clone().boxed(), range(0u64..3).boxed()]).subscribe(ts.clone());
    a.take_requests();
    a.send_error(Error::invalid_request(0));
    assert_eq!(
        ts.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
    assert_eq!(ts.value_count(), 0, "the next source is never played");
}

#[test]
fn cancel_reaches_the_current_source_and_no_later_one() {
    let (a, env_a) = manual::<u64>();
    let (b, env_b) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(2);
    concat(vec![a.clone(), b.clone()]).subscribe(ts.tracked_clone());
    a.send_next(1);
    ts.cancel();
    assert!(a.is_cancelled());
    assert!(!b.has_subscriber(), "never subscribed after a cancel");
    assert!(
        !ts.is_terminated(),
        "no terminal signal after a cancel: {ts:?}"
    );
    assert_clean(&env_a);
    assert_clean(&env_b);
    // Cancelled between sources: the trampoline lets go of the downstream.
    let ts = TestSubscriber::<u64>::with_request(1).with_on_next_hook(|ts, _| ts.cancel());
    let tracked = ts.tracked_clone();
    concat(vec![range(0u64..1), range(1..2)]).subscribe(tracked);
    assert_eq!(ts.values(), [0]);
    assert!(ts.is_dropped(), "rule 3.13");
}

#[test]
fn request_zero_is_reported_by_the_current_or_next_source() {
    request_zero_ends_with_rule_3_9(&concat(vec![range(0u64..3), range(3..6)]));
    // After a source used all the demand: the source subscribed next (with nothing owed)
    // reports it.
    let (b, env) = manual::<u64>();
    let ts = TestSubscriber::<u64>::with_request(2);
    range(0u64..2)
        .concat_with(range(5u64..6))
        .concat_with(b.clone())
        .subscribe(ts.clone());
    ts.request(0);
    assert_eq!(
        ts.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
    assert_eq!(ts.values(), [0, 1]);
    drop(env);
}

#[test]
fn requests_from_on_next_stay_at_depth_one() {
    let sources: Vec<_> = (0..100).map(|i| range(i * 100..(i + 1) * 100)).collect();
    requests_from_on_next_do_not_recurse(&concat(sources));
}

#[test]
fn sources_on_other_threads_play_in_order_with_exact_demand() {
    let pool = PoolScheduler::builder()
        .threads(2)
        .name("concat-pool")
        .build();
    let single = SingleThreadScheduler::new();
    let sources = vec![
        range(0u64..500).publish_on(pool.clone(), 16).boxed(),
        range(500u64..600).boxed(),
        range(600u64..1000).publish_on(single.clone(), 8).boxed(),
        just(1000u64).boxed(),
    ];
    for request in [1u64, 7, UNBOUNDED] {
        let ts = TestSubscriber::<u64>::with_request(request).with_on_next_hook(move |ts, _| {
            if request != UNBOUNDED && ts.value_count() % request == 0 {
                ts.request(request)
            }
        });
        concat(sources.clone()).subscribe(ts.clone());
        assert!(ts.await_terminal(PATIENCE), "{ts:?}");
        assert_eq!(ts.values(), (0..=1000).collect::<Vec<_>>());
        assert!(ts.is_complete());
        assert!(ts.violations().is_empty(), "{ts:?}");
    }
}
