//! `subscribe_with_demand`: the batch on subscribe, 75% replenishment as callbacks return, the
//! shared callback rules of `subscribe_with`.

use std::sync::Arc;

use parking_lot::Mutex;
use reactive_core::Error;
use reactive_operators::{PublisherExt, error, range};
use reactive_tck::TestEnvironment;
use reactive_tck::harness::ManualPublisher;

/// Subscribes to a manual publisher with `batch`; sends `items` items one at a time and
/// returns what was requested upstream after each (index 0: on subscribe).
fn requests_seen(batch: usize, items: u64) -> Vec<u64> {
    let env = TestEnvironment::with_timeouts(10_000);
    let upstream = ManualPublisher::<u64>::new(&env);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let handle = upstream.subscribe_with_demand(
        batch,
        move |v| sink.lock().push(v),
        |e| panic!("unexpected {e}"),
        || {},
    );
    // The callbacks run inside `send_next`, so every request has been made when it returns.
    let mut requests = vec![upstream.take_requests()];
    for i in 0..items {
        upstream.send_next(i);
        requests.push(upstream.take_requests());
    }
    upstream.send_completion();
    assert!(handle.is_terminated());
    assert_eq!(*seen.lock(), (0..items).collect::<Vec<_>>());
    env.verify_no_async_errors_no_delay().unwrap();
    requests
}

#[test]
fn requests_the_batch_then_75_percent_as_callbacks_return() {
    // batch 8: limit 6.
    let r = requests_seen(8, 12);
    assert_eq!(r, [8, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 6]);
    // batch 4: limit 3.
    assert_eq!(requests_seen(4, 6), [4, 0, 0, 3, 0, 0, 3]);
    // Batches of 1 to 3 are replenished whole.
    assert_eq!(requests_seen(1, 3), [1, 1, 1, 1]);
    assert_eq!(requests_seen(3, 3), [3, 0, 0, 3]);
}

#[test]
fn never_more_than_the_batch_outstanding() {
    let env = TestEnvironment::with_timeouts(10_000);
    let upstream = ManualPublisher::<u64>::new(&env);
    let _handle = upstream.subscribe_with_demand(10, |_| {}, |_| {}, || {});
    let mut outstanding = upstream.take_requests();
    for i in 0..1_000 {
        assert!(
            outstanding > 0 && outstanding <= 10,
            "{outstanding} at item {i}"
        );
        upstream.send_next(i);
        outstanding = outstanding - 1 + upstream.take_requests();
    }
}

#[test]
fn delivers_a_whole_stream_and_its_end() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(Mutex::new(false));
    let (s, d) = (seen.clone(), done.clone());
    let handle = range(0u64..1_000).subscribe_with_demand(
        16,
        move |v| s.lock().push(v),
        |e| panic!("unexpected {e}"),
        move || *d.lock() = true,
    );
    assert!(handle.is_terminated());
    assert!(*done.lock());
    assert_eq!(*seen.lock(), (0..1_000).collect::<Vec<_>>());

    let failed = Arc::new(Mutex::new(None));
    let f = failed.clone();
    error::<u8>(Error::msg("boom")).subscribe_with_demand(
        4,
        |_| {},
        move |e| *f.lock() = Some(e.to_string()),
        || panic!("completed"),
    );
    assert_eq!(failed.lock().as_deref(), Some("user error: boom"));
}

#[test]
fn a_cancel_from_a_callback_stops_the_requests() {
    let env = TestEnvironment::with_timeouts(10_000);
    let upstream = ManualPublisher::<u64>::new(&env);
    let handle: Arc<Mutex<Option<reactive_operators::terminal::SubscribeHandle>>> = Arc::default();
    let h = handle.clone();
    let subscribed = upstream.subscribe_with_demand(
        2,
        move |v| {
            if v == 1 {
                h.lock().as_ref().unwrap().cancel();
            }
        },
        |_| {},
        || {},
    );
    *handle.lock() = Some(subscribed.clone());
    assert_eq!(upstream.take_requests(), 2);
    upstream.send_next(0);
    upstream.send_next(1); // the 2nd callback would replenish 2, but it cancelled first
    assert_eq!(upstream.take_requests(), 0);
    assert!(upstream.is_cancelled());
    assert!(subscribed.is_cancelled());
    handle.lock().take(); // the handle in the callback keeps the subscriber alive otherwise
}

#[test]
#[should_panic(expected = "subscribe_with_demand: batch must be at least 1")]
fn a_batch_of_zero_panics() {
    range(0u64..1).subscribe_with_demand(0, |_| {}, |_| {}, || {});
}
