//! The blocking terminals: `blocking_iter`, `for_each`, `block_first`, `block_last`, and the
//! subscribers behind them, consumed on plain threads while other threads emit.

use std::cell::RefCell;
use std::rc::Rc;

use reactive_core::{Error, ErrorKind, Publisher};
use reactive_operators::terminal::{BlockingIter, blocking_subscriber, for_each_subscriber};
use reactive_operators::{PublisherExt, empty, error, just, range};
use reactive_tck::TestEnvironment;
use reactive_tck::harness::ManualPublisher;

use crate::into_stream::{drive, env, expected_requests, serve};

/// A manual publisher with `blocking_subscriber(batch)`'s subscriber subscribed.
fn subscribed(batch: usize) -> (TestEnvironment, ManualPublisher<u64>, BlockingIter<u64>) {
    let env = env();
    let publisher = ManualPublisher::<u64>::new(&env);
    let (subscriber, items) = blocking_subscriber::<u64>(batch);
    publisher.subscribe(subscriber);
    (env, publisher, items)
}

#[test]
fn blocking_iter_yields_items_in_order_then_none_forever() {
    let mut items = range(0u64..1000).blocking_iter(16);
    for expected in 0..1000u64 {
        assert_eq!(items.next().unwrap().unwrap(), expected);
    }
    assert!(items.next().is_none());
    assert!(items.next().is_none());
}

#[test]
fn blocking_iter_subscribes_on_the_first_next() {
    let env = env();
    let publisher = ManualPublisher::<u64>::new(&env);
    let items = publisher.clone().blocking_iter(4);
    assert!(!publisher.has_subscriber());
    let driver = drive(&publisher, |publisher| {
        publisher.expect_exact_request(4).unwrap();
        publisher.send_next(7);
        publisher.send_completion();
    });
    let got: Vec<u64> = items.map(Result::unwrap).collect();
    driver.join().unwrap();
    assert_eq!(got, vec![7]);
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn blocking_iter_reads_across_threads_with_the_75_percent_rule() {
    let env = env();
    let publisher = ManualPublisher::<u64>::new(&env);
    let items = publisher.clone().blocking_iter(32);
    let (batch, rounds) = (32, 100);
    let driver = drive(&publisher, move |publisher| serve(publisher, batch, rounds));
    let got: Vec<u64> = items.map(Result::unwrap).collect();
    let requests = driver.join().unwrap();
    assert_eq!(got, (0..batch + rounds * 24).collect::<Vec<_>>());
    assert_eq!(requests, expected_requests(batch, rounds));
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn blocking_iter_replenishes_on_the_next_after_three_quarters() {
    let (env, publisher, mut items) = subscribed(8);
    publisher.expect_exact_request(8).unwrap();
    for v in 0..8 {
        publisher.send_next(v);
    }
    for v in 0..6 {
        assert_eq!(items.next().unwrap().unwrap(), v);
    }
    assert_eq!(publisher.take_requests(), 0);
    assert_eq!(items.next().unwrap().unwrap(), 6);
    assert_eq!(publisher.take_requests(), 6);
    assert_eq!(items.queued(), 1);
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn blocking_iter_can_move_between_threads() {
    let mut items = range(0u64..100).blocking_iter(8);
    assert_eq!(items.next().unwrap().unwrap(), 0);
    let rest = std::thread::spawn(move || items.map(Result::unwrap).collect::<Vec<u64>>())
        .join()
        .unwrap();
    assert_eq!(rest, (1..100).collect::<Vec<_>>());
}

#[test]
fn blocking_iter_yields_the_error_after_the_items_then_none() {
    let env = env();
    let publisher = ManualPublisher::<u64>::new(&env);
    let mut items = publisher.clone().blocking_iter(4);
    let driver = drive(&publisher, |publisher| {
        publisher.expect_exact_request(4).unwrap();
        publisher.send_next(1);
        publisher.send_next(2);
        publisher.send_error(Error::msg("boom"));
    });
    assert_eq!(items.next().unwrap().unwrap(), 1);
    assert_eq!(items.next().unwrap().unwrap(), 2);
    assert_eq!(items.next().unwrap().unwrap_err().message(), "boom");
    assert!(items.next().is_none());
    driver.join().unwrap();
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn dropping_blocking_iter_cancels() {
    let (env, publisher, items) = subscribed(4);
    publisher.send_next(1);
    drop(items);
    publisher.expect_cancelling();
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn blocking_iter_overflow_names_the_terminal() {
    let (env, publisher, items) = subscribed(2);
    for v in 0..3 {
        publisher.send_next(v);
    }
    publisher.expect_cancelling();
    let got: Vec<_> = items.collect();
    assert_eq!(got.len(), 3);
    assert_eq!(*got[1].as_ref().unwrap(), 1);
    let e = got[2].as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Overflow);
    assert_eq!(e.message(), "blocking_iter: buffer full at 2 of 2 items");
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn for_each_runs_on_the_calling_thread_while_another_emits() {
    let env = env();
    let publisher = ManualPublisher::<u64>::new(&env);
    let driver = drive(&publisher, |publisher| serve(publisher, 256, 10));
    // Not `Send`: the closure never leaves this thread.
    let seen = Rc::new(RefCell::new(Vec::new()));
    let me = std::thread::current().id();
    let log = seen.clone();
    publisher
        .for_each(move |v| {
            assert_eq!(std::thread::current().id(), me);
            log.borrow_mut().push(v);
        })
        .unwrap();
    let requests = driver.join().unwrap();
    assert_eq!(*seen.borrow(), (0..256 + 10 * 192).collect::<Vec<u64>>());
    assert_eq!(
        requests,
        expected_requests(256, 10),
        "256 upfront, then 192 at a time"
    );
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn for_each_returns_the_error_after_the_items() {
    let mut seen = Vec::new();
    let result = range(0u64..3)
        .map(|v| v + 1)
        .for_each(|v| seen.push(v))
        .and_then(|()| error::<u64>(Error::msg("boom")).for_each(|v| seen.push(v)));
    assert_eq!(seen, vec![1, 2, 3]);
    assert_eq!(result.unwrap_err().message(), "boom");
}

#[test]
fn for_each_subscriber_can_be_subscribed_from_another_thread() {
    let mut sum = 0;
    let (subscriber, run) = for_each_subscriber(|v: u64| sum += v);
    let producer = std::thread::spawn(move || range(0u64..10_000).subscribe(subscriber));
    run.run().unwrap();
    producer.join().unwrap();
    assert_eq!(sum, (0..10_000).sum());
}

#[test]
fn a_panic_in_for_each_cancels_the_subscription() {
    let env = env();
    let publisher = ManualPublisher::<u64>::new(&env);
    let driver = drive(&publisher, |publisher| {
        publisher.expect_exact_request(256).unwrap();
        publisher.send_next(1);
        publisher.expect_cancelling();
    });
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        publisher.for_each(|_| panic!("in for_each")).unwrap()
    }));
    assert!(caught.is_err());
    driver.join().unwrap();
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn block_first_requests_one_and_cancels_after_the_first_item() {
    let env = env();
    let publisher = ManualPublisher::<u64>::new(&env);
    let driver = drive(&publisher, |publisher| {
        publisher.expect_exact_request(1).unwrap();
        publisher.send_next(42);
        publisher.expect_cancelling();
        publisher.take_requests()
    });
    assert_eq!(publisher.block_first().unwrap(), Some(42));
    assert_eq!(
        driver.join().unwrap(),
        0,
        "nothing requested after the first item"
    );
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn block_first_on_sources() {
    assert_eq!(range(3u64..13).block_first().unwrap(), Some(3));
    assert_eq!(just("one").block_first().unwrap(), Some("one"));
    assert_eq!(empty::<u64>().block_first().unwrap(), None);
    let e = error::<u64>(Error::msg("boom")).block_first().unwrap_err();
    assert_eq!(e.message(), "boom");
}

#[test]
fn block_last_keeps_the_last_item_with_bounded_requests() {
    let env = env();
    let publisher = ManualPublisher::<u64>::new(&env);
    let driver = drive(&publisher, |publisher| serve(publisher, 256, 3));
    assert_eq!(publisher.block_last().unwrap(), Some(256 + 3 * 192 - 1));
    assert_eq!(driver.join().unwrap(), expected_requests(256, 3));
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn block_last_on_sources() {
    assert_eq!(range(0u64..1000).block_last().unwrap(), Some(999));
    assert_eq!(empty::<u64>().block_last().unwrap(), None);
    let e = range(0u64..5)
        .map(|v| v as u8)
        .block_last()
        .and_then(|_| error::<u8>(Error::msg("boom")).block_last())
        .unwrap_err();
    assert_eq!(e.message(), "boom");
}

#[test]
fn block_last_returns_the_error_even_after_items() {
    let env = env();
    let publisher = ManualPublisher::<u64>::new(&env);
    let driver = drive(&publisher, |publisher| {
        publisher.expect_exact_request(256).unwrap();
        publisher.send_next(1);
        publisher.send_error(Error::msg("late"));
    });
    assert_eq!(publisher.block_last().unwrap_err().message(), "late");
    driver.join().unwrap();
}
