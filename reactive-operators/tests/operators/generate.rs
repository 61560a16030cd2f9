//! `generate`: a state machine stepped once per requested item.

use std::io::BufRead;
use std::sync::{Arc, Mutex};

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::generate;
use reactive_tck::harness::DropWatch;
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{PATIENCE, request_zero_ends_with_rule_3_9};

/// A counter from 0 below `end`, counting its `step` calls in `calls`.
fn counter(end: u64, calls: Arc<Mutex<u64>>) -> impl reactive_core::Publisher<Item = u64> + Clone {
    generate(
        || 0u64,
        move |next: &mut u64| {
            *calls.lock().unwrap() += 1;
            (*next < end).then(|| {
                *next += 1;
                Ok::<_, Error>(*next - 1)
            })
        },
    )
}

#[test]
fn steps_exactly_once_per_requested_item() {
    let calls = Arc::new(Mutex::new(0));
    let ts = TestSubscriber::with_request(0);
    counter(100, calls.clone()).subscribe(ts.clone());
    assert_eq!(*calls.lock().unwrap(), 0, "no step without demand");
    ts.request(2);
    assert_eq!(*calls.lock().unwrap(), 2);
    ts.request(1);
    ts.request(3);
    assert_eq!(*calls.lock().unwrap(), 6, "never ahead of demand");
    assert_eq!(ts.values(), [0, 1, 2, 3, 4, 5]);
    ts.cancel();
    ts.request(5);
    assert_eq!(*calls.lock().unwrap(), 6, "nothing after a cancel");
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn none_completes_on_the_request_after_the_last_item() {
    let calls = Arc::new(Mutex::new(0));
    StepVerifier::create(&counter(3, calls.clone()))
        .initial_request(3)
        .expect_next_values([0, 1, 2])
        .then_request(1)
        .expect_complete()
        .verify_timeout(PATIENCE)
        .unwrap();
    assert_eq!(*calls.lock().unwrap(), 4, "three items and the None");
}

#[test]
fn each_subscriber_gets_its_own_state() {
    let calls = Arc::new(Mutex::new(0));
    let source = counter(3, calls);
    let first = TestSubscriber::with_request(2);
    source.subscribe(first.clone());
    let second = TestSubscriber::with_request(UNBOUNDED);
    source.subscribe(second.clone());
    assert_eq!(first.values(), [0, 1]);
    assert_eq!(second.values(), [0, 1, 2]);
    assert!(second.is_complete());
    first.request(5);
    assert_eq!(first.values(), [0, 1, 2]);
    assert!(first.is_complete());
}

#[test]
fn an_err_ends_the_stream_with_the_users_error_and_drops_the_state() {
    let (token, watch) = DropWatch::new();
    let token = Arc::new(Mutex::new(Some(token)));
    let reader = generate(
        move || {
            (
                token.lock().unwrap().take(),
                std::io::Cursor::new("1\n2\nx\n4\n").lines(),
            )
        },
        |(_token, lines)| {
            lines.next().map(|line| {
                line.map_err(Error::user)
                    .and_then(|l| l.parse::<u32>().map_err(Error::user))
            })
        },
    );
    let ts = TestSubscriber::with_request(UNBOUNDED);
    reader.subscribe(ts.clone());
    assert_eq!(ts.values(), [1, 2]);
    let e = ts.error().expect("on_error");
    assert_eq!(e.kind(), ErrorKind::User);
    assert!(
        std::error::Error::source(&e)
            .and_then(|s| s.downcast_ref::<std::num::ParseIntError>())
            .is_some()
    );
    assert!(
        watch.is_dropped(),
        "the state is dropped with the subscription"
    );
}

#[test]
fn cancel_mid_stream_drops_the_state_and_stops_stepping() {
    let (token, watch) = DropWatch::new();
    let token = Arc::new(Mutex::new(Some(token)));
    let steps = Arc::new(Mutex::new(0));
    let count = steps.clone();
    let endless = generate(
        move || token.lock().unwrap().take(),
        move |_| {
            *count.lock().unwrap() += 1;
            Some(Ok::<_, Error>(1u8))
        },
    );
    let ts = TestSubscriber::with_request(UNBOUNDED).with_on_next_hook(|ts, n| {
        if n == 5 {
            ts.cancel();
        }
    });
    endless.subscribe(ts.clone());
    assert_eq!(ts.value_count(), 5);
    assert_eq!(*steps.lock().unwrap(), 5);
    assert!(watch.is_dropped());
    assert!(!ts.is_terminated());
}

#[test]
fn request_zero_is_the_rule_3_9_error() {
    request_zero_ends_with_rule_3_9(&counter(10, Arc::new(Mutex::new(0))));
}

#[test]
fn requests_from_on_next_do_not_recurse() {
    // 10,000 items: the 10,001st request finds the end.
    let ts = TestSubscriber::with_request(1).with_on_next_hook(|ts, _| ts.request(1));
    counter(10_000, Arc::new(Mutex::new(0))).subscribe(ts.clone());
    assert!(ts.await_terminal(PATIENCE));
    assert_eq!(ts.value_count(), 10_000);
    assert!(ts.is_complete());
    assert_eq!(ts.max_on_next_depth(), 1);
}

#[test]
fn a_panic_in_step_reaches_the_requester() {
    let panicking = generate(
        || 0u8,
        |_| -> Option<Result<u8, Error>> { panic!("step failed") },
    );
    let ts = TestSubscriber::with_request(0);
    panicking.subscribe(ts.clone());
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ts.request(1)));
    assert!(outcome.is_err());
    assert!(!ts.is_terminated());
}

#[test]
fn subscribe_on_moves_init_and_step_to_the_worker() {
    use reactive_core::scheduler::SingleThreadScheduler;
    use reactive_operators::PublisherExt;

    let thread = || std::thread::current().name().map(str::to_owned);
    let on_worker = generate(thread, move |init_thread: &mut Option<String>| {
        Some(Ok::<_, Error>((init_thread.clone(), thread())))
    })
    .subscribe_on(SingleThreadScheduler::builder().name("blocking-io").build());
    let io = Some("blocking-io".to_owned());
    StepVerifier::create(&on_worker)
        .initial_request(2)
        .expect_next_matches(|(init, step)| *init == io && *step == io)
        .expect_next_count(1)
        .then_cancel()
        .verify_timeout(PATIENCE)
        .unwrap();
}
