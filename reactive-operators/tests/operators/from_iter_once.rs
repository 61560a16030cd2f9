//! `from_iter_once`: a non-`Clone` iterator, for one subscriber.

use std::sync::{Arc, Mutex};

use reactive_core::{ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::from_iter_once;
use reactive_tck::harness::{DropToken, DropWatch};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{
    PATIENCE, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};

/// An iterator over `0..n` that is not `Clone`, counting its `next` calls and holding a
/// drop token.
struct Counted {
    next: u64,
    end: u64,
    calls: Arc<Mutex<u64>>,
    _token: Option<DropToken>,
}

impl Iterator for Counted {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        *self.calls.lock().unwrap() += 1;
        (self.next < self.end).then(|| {
            self.next += 1;
            self.next - 1
        })
    }
}

fn counted(end: u64) -> (Counted, Arc<Mutex<u64>>, DropWatch) {
    let calls = Arc::new(Mutex::new(0));
    let (token, watch) = DropWatch::new();
    let iter = Counted {
        next: 0,
        end,
        calls: calls.clone(),
        _token: Some(token),
    };
    (iter, calls, watch)
}

#[test]
fn emits_exactly_what_is_requested_looking_one_ahead() {
    let (iter, calls, watch) = counted(10);
    let source = from_iter_once(iter);
    let ts = TestSubscriber::with_request(0);
    source.subscribe(ts.clone());
    // The look-ahead (to complete eagerly) is the only pull without demand.
    assert!(*calls.lock().unwrap() <= 1, "at most one item ahead");
    ts.request(3);
    assert_eq!(ts.values(), [0, 1, 2]);
    assert!(*calls.lock().unwrap() <= 4, "at most one item ahead");
    ts.request(2);
    ts.request(1);
    assert_eq!(ts.values(), [0, 1, 2, 3, 4, 5]);
    assert!(*calls.lock().unwrap() <= 7);
    ts.request(4);
    assert_eq!(ts.value_count(), 10);
    assert!(ts.is_complete(), "completes right after the last item");
    assert!(watch.is_dropped(), "the iterator is dropped at the end");
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn a_second_subscriber_is_rejected() {
    let (iter, _, _watch) = counted(3);
    let source = from_iter_once(iter);
    StepVerifier::create(&source)
        .expect_next_values([0, 1, 2])
        .expect_complete()
        .verify_timeout(PATIENCE)
        .unwrap();
    StepVerifier::create(&source)
        .expect_error_matches(|e| {
            e.kind() == ErrorKind::Rejected && e.message().contains("subscribed to only once")
        })
        .verify_timeout(PATIENCE)
        .unwrap();
}

#[test]
fn a_second_subscriber_is_rejected_without_demand_even_while_the_first_runs() {
    let (iter, _, _watch) = counted(100);
    let source = from_iter_once(iter);
    let first = TestSubscriber::with_request(1);
    source.subscribe(first.clone());
    let second = TestSubscriber::<u64>::with_request(0);
    source.subscribe(second.clone());
    assert_eq!(second.error().unwrap().kind(), ErrorKind::Rejected);
    first.request(UNBOUNDED);
    assert_eq!(first.value_count(), 100);
    assert!(first.is_complete());
}

#[test]
fn cancel_mid_stream_drops_the_iterator() {
    let (iter, calls, watch) = counted(1_000);
    let ts = TestSubscriber::with_request(UNBOUNDED).with_on_next_hook(|ts, n| {
        if n == 4 {
            ts.cancel();
        }
    });
    from_iter_once(iter).subscribe(ts.clone());
    assert_eq!(ts.values(), [0, 1, 2, 3]);
    assert!(*calls.lock().unwrap() <= 5);
    assert!(watch.is_dropped());
    assert!(!ts.is_terminated());
}

#[test]
fn an_empty_iterator_completes_without_demand() {
    let ts = TestSubscriber::<u64>::with_request(0);
    from_iter_once(Vec::<u64>::new()).subscribe(ts.clone());
    assert!(ts.is_complete());
}

#[test]
fn request_zero_is_the_rule_3_9_error() {
    request_zero_ends_with_rule_3_9(&from_iter_once(counted(10).0));
}

#[test]
fn request_one_from_on_next_does_not_recurse() {
    requests_from_on_next_do_not_recurse(&from_iter_once(counted(10_000).0));
}

#[test]
fn subscribers_racing_on_threads_get_the_iterator_exactly_once() {
    for _ in 0..50 {
        let source = Arc::new(from_iter_once(0u64..100));
        let start = Arc::new(std::sync::Barrier::new(4));
        let racers: Vec<_> = (0..4)
            .map(|_| {
                let source = source.clone();
                let start = start.clone();
                std::thread::spawn(move || {
                    let ts = TestSubscriber::with_request(UNBOUNDED);
                    start.wait();
                    source.subscribe(ts.clone());
                    assert!(ts.await_terminal(PATIENCE));
                    ts
                })
            })
            .collect();
        let results: Vec<TestSubscriber<u64>> =
            racers.into_iter().map(|t| t.join().unwrap()).collect();
        let winners: Vec<_> = results.iter().filter(|ts| ts.is_complete()).collect();
        assert_eq!(winners.len(), 1, "exactly one subscriber gets the iterator");
        assert!(winners[0].values().into_iter().eq(0..100));
        let rejected = results
            .iter()
            .filter(|ts| ts.error().is_some_and(|e| e.kind() == ErrorKind::Rejected))
            .count();
        assert_eq!(rejected, 3);
    }
}
