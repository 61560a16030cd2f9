//! `subscribe_on`: the upstream is subscribed to and asked for items on the worker, requests
//! are summed, items pass through on the emitting thread, rule 3.9, cancel, panics in the
//! upstream and a refused worker.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use reactive_core::scheduler::{
    ImmediateScheduler, PoolScheduler, Scheduler, SingleThreadScheduler,
};
use reactive_core::{Error, ErrorKind, Publisher, Subscriber, Subscription, UNBOUNDED};
use reactive_operators::{PublisherExt, never, range};
use reactive_tck::TestSubscriber;

use crate::support::{
    PATIENCE, barrier, eventually, on_thread, request_zero_ends_with_rule_3_9,
    requests_from_on_next_do_not_recurse,
};

/// What the [`Recorded`] upstream saw, with the name of the thread it happened on.
#[derive(Debug, PartialEq)]
enum Seen {
    Subscribed(Option<String>),
    Request(u64, Option<String>),
    Cancel(Option<String>),
}

fn thread_name() -> Option<String> {
    std::thread::current().name().map(str::to_owned)
}

/// An upstream driven by the test that reports every `subscribe`, `request` and `cancel`
/// (one event per call, with its thread). It drops its subscriber on cancel (rule 3.13).
/// With `deferred`, `subscribe` keeps the subscriber and `start` gives it `on_subscribe`.
#[derive(Clone)]
struct Recorded {
    shared: Arc<RecordedShared>,
}

struct RecordedShared {
    events: Mutex<Sender<Seen>>,
    subscriber: Mutex<Option<Box<dyn Subscriber<u64>>>>,
    deferred: bool,
}

struct RecordedSubscription(Arc<RecordedShared>);

impl Recorded {
    fn new(deferred: bool) -> (Recorded, Receiver<Seen>) {
        let (tx, rx) = channel();
        let shared = Arc::new(RecordedShared {
            events: Mutex::new(tx),
            subscriber: Mutex::new(None),
            deferred,
        });
        (Recorded { shared }, rx)
    }

    /// Gives the kept subscriber its `on_subscribe`, on this thread.
    fn start(&self) {
        let subscription = Arc::new(RecordedSubscription(self.shared.clone()));
        self.with_subscriber(|s| s.on_subscribe(subscription));
    }

    /// Sends `on_next(item)` from this thread.
    fn send_next(&self, item: u64) {
        self.with_subscriber(|s| s.on_next(item));
    }

    /// Calls the subscriber, with no lock held (it may cancel, which takes the lock).
    fn with_subscriber(&self, signal: impl FnOnce(&mut dyn Subscriber<u64>)) {
        let taken = self.shared.subscriber.lock().unwrap().take();
        let mut subscriber = taken.expect("subscribed");
        signal(subscriber.as_mut());
        *self.shared.subscriber.lock().unwrap() = Some(subscriber);
    }
}

impl RecordedShared {
    fn seen(&self, event: Seen) {
        let _ = self.events.lock().unwrap().send(event);
    }
}

impl Publisher for Recorded {
    type Item = u64;
    fn subscribe<S: Subscriber<u64> + 'static>(&self, subscriber: S) {
        self.shared.seen(Seen::Subscribed(thread_name()));
        let mut subscriber: Box<dyn Subscriber<u64>> = Box::new(subscriber);
        if !self.shared.deferred {
            subscriber.on_subscribe(Arc::new(RecordedSubscription(self.shared.clone())));
        }
        *self.shared.subscriber.lock().unwrap() = Some(subscriber);
    }
}

impl Subscription for RecordedSubscription {
    fn request(&self, n: u64) {
        self.0.seen(Seen::Request(n, thread_name()));
    }
    fn cancel(&self) {
        self.0.seen(Seen::Cancel(thread_name()));
        let dropped = self.0.subscriber.lock().unwrap().take();
        drop(dropped);
    }
}

fn next(events: &Receiver<Seen>) -> Seen {
    events.recv_timeout(PATIENCE).expect("an upstream event")
}

fn named(name: &str) -> SingleThreadScheduler {
    SingleThreadScheduler::builder().name(name).build()
}

#[test]
fn subscribes_and_requests_on_the_worker() {
    let scheduler = named("subscribe-on-test");
    let worker = Some("subscribe-on-test".to_owned());
    let (upstream, events) = Recorded::new(false);
    let ts = TestSubscriber::with_request(3);
    let threads = on_thread(&upstream.subscribe_on(scheduler.clone()), &ts);
    assert_eq!(next(&events), Seen::Subscribed(worker.clone()));
    assert_eq!(next(&events), Seen::Request(3, worker.clone()));
    ts.request(2); // from the test's thread
    assert_eq!(next(&events), Seen::Request(2, worker.clone()));
    assert_eq!(
        threads.lock().unwrap()[0],
        ("on_subscribe", worker.clone()),
        "the downstream's on_subscribe runs on the worker too"
    );
    ts.cancel();
    assert_eq!(
        next(&events),
        Seen::Cancel(thread_name()),
        "cancel goes straight upstream"
    );
}

#[test]
fn items_pass_through_on_the_thread_that_emits_them() {
    // A synchronous source emits on the worker, inside the forwarded request.
    let ts = TestSubscriber::new();
    range(0u64..5)
        .map(|v| (v, thread_name()))
        .subscribe_on(named("emitter"))
        .subscribe(ts.clone());
    assert!(ts.await_terminal(PATIENCE));
    assert!(ts.is_complete());
    let values = ts.values();
    assert_eq!(values.len(), 5);
    assert!(
        values
            .iter()
            .enumerate()
            .all(|(i, (v, t))| *v == i as u64 && t.as_deref() == Some("emitter"))
    );

    // An upstream emitting from another thread: no queue, no hop.
    let (upstream, events) = Recorded::new(false);
    let ts = TestSubscriber::new();
    let threads = on_thread(&upstream.clone().subscribe_on(named("requests")), &ts);
    assert!(matches!(next(&events), Seen::Subscribed(_)));
    assert!(matches!(next(&events), Seen::Request(UNBOUNDED, _)));
    upstream.send_next(7);
    assert_eq!(ts.values(), [7]);
    assert_eq!(threads.lock().unwrap()[1], ("on_next", thread_name()));
}

#[test]
fn requests_made_while_the_worker_is_busy_reach_upstream_as_one() {
    let scheduler = named("busy");
    let (upstream, events) = Recorded::new(false);
    let ts = TestSubscriber::with_request(1);
    upstream
        .subscribe_on(scheduler.clone())
        .subscribe(ts.clone());
    assert!(matches!(next(&events), Seen::Subscribed(_)));
    assert!(matches!(next(&events), Seen::Request(1, _)));
    // Keep the worker's thread busy while three requests arrive.
    let (started_tx, started) = channel();
    let (release, released) = channel::<()>();
    scheduler.schedule(Box::new(move || {
        started_tx.send(()).unwrap();
        let _ = released.recv();
    }));
    started.recv_timeout(PATIENCE).unwrap();
    ts.request(1);
    ts.request(2);
    ts.request(3);
    drop(release);
    assert!(
        matches!(next(&events), Seen::Request(6, _)),
        "summed into one request"
    );
    barrier(&scheduler);
    assert!(events.try_recv().is_err(), "and nothing more");
}

#[test]
fn requests_before_the_upstream_arrives_are_kept_and_forwarded_on_the_worker() {
    let scheduler = named("late-upstream");
    let (upstream, events) = Recorded::new(true);
    let ts = TestSubscriber::with_request(2);
    upstream
        .clone()
        .subscribe_on(scheduler.clone())
        .subscribe(ts.clone());
    assert!(matches!(next(&events), Seen::Subscribed(_)));
    ts.request(3);
    barrier(&scheduler);
    assert!(events.try_recv().is_err(), "nothing to forward to yet");
    upstream.start(); // on_subscribe from the test's thread
    assert_eq!(
        next(&events),
        Seen::Request(5, Some("late-upstream".to_owned()))
    );
}

#[test]
fn request_zero_goes_upstream_which_reports_rule_3_9() {
    request_zero_ends_with_rule_3_9(&range(0u64..10).subscribe_on(PoolScheduler::new(2)));

    let (upstream, events) = Recorded::new(false);
    let ts = TestSubscriber::<u64>::with_request(0);
    upstream.subscribe_on(named("zero")).subscribe(ts.clone());
    assert!(matches!(next(&events), Seen::Subscribed(_)));
    ts.request(0);
    assert!(matches!(next(&events), Seen::Request(0, _)), "forwarded");
}

#[test]
fn a_request_from_on_next_does_not_recurse() {
    requests_from_on_next_do_not_recurse(
        &range(0u64..10_000).subscribe_on(ImmediateScheduler::new()),
    );
}

#[test]
fn cancel_reaches_the_upstream_and_drops_the_downstream() {
    let (upstream, events) = Recorded::new(false);
    let ts = TestSubscriber::<u64>::with_request(1);
    upstream
        .subscribe_on(named("cancel"))
        .subscribe(ts.tracked_clone());
    assert!(matches!(next(&events), Seen::Subscribed(_)));
    // Forwarded only once the upstream's subscription arrived, so the cancel finds it.
    assert!(matches!(next(&events), Seen::Request(1, _)));
    assert!(!ts.is_dropped());
    ts.cancel();
    assert_eq!(next(&events), Seen::Cancel(thread_name()));
    assert!(ts.is_dropped(), "rule 3.13");

    // A cancel may also come before the upstream's subscription has arrived (here, as soon
    // as the downstream has its own): it is cancelled on arrival, on the worker.
    let scheduler = named("never");
    let ts = TestSubscriber::<u64>::with_request(0);
    never::<u64>()
        .subscribe_on(scheduler.clone())
        .subscribe(ts.tracked_clone());
    assert!(eventually(|| ts.is_subscribed()));
    ts.cancel();
    barrier(&scheduler);
    assert!(ts.is_dropped(), "rule 3.13");
}

#[test]
fn cancel_from_another_thread_stops_a_source_busy_on_the_worker() {
    let scheduler = named("busy-source");
    let ts = TestSubscriber::new(); // unbounded: range emits inside the forwarded request
    range(0..u64::MAX)
        .subscribe_on(scheduler.clone())
        .subscribe(ts.tracked_clone());
    assert!(ts.await_values(1_000, PATIENCE));
    ts.cancel();
    barrier(&scheduler); // would time out if the emission went on
    assert!(ts.is_dropped(), "rule 3.13");
    assert!(ts.violations().is_empty(), "{ts:?}");
}

/// A publisher whose `subscribe` panics before it calls `on_subscribe`.
struct PanicsOnSubscribe;

impl Publisher for PanicsOnSubscribe {
    type Item = u64;
    fn subscribe<S: Subscriber<u64> + 'static>(&self, _: S) {
        panic!("cannot subscribe");
    }
}

#[test]
fn a_panic_in_the_upstream_becomes_on_error() {
    // While emitting (a map inside the upstream, on the worker).
    let scheduler = named("panicky");
    let ts = TestSubscriber::new();
    range(0u64..10)
        .map(|v| {
            assert!(v != 3, "source failed at {v}");
            v
        })
        .subscribe_on(scheduler.clone())
        .subscribe(ts.tracked_clone());
    assert!(ts.await_terminal(PATIENCE));
    assert_eq!(ts.values(), [0, 1, 2]);
    let error = ts.error().expect("the panic as an error");
    assert_eq!(error.kind(), ErrorKind::Panic);
    assert!(error.message().contains("source failed at 3"), "{error}");
    barrier(&scheduler);
    assert!(ts.is_dropped(), "rule 3.13");
    assert!(ts.violations().is_empty(), "{ts:?}");

    // In the upstream's `subscribe`.
    let ts = TestSubscriber::<u64>::new();
    PanicsOnSubscribe
        .subscribe_on(scheduler.clone())
        .subscribe(ts.clone());
    assert!(ts.await_terminal(PATIENCE));
    assert!(ts.is_subscribed());
    let error = ts.error().expect("the panic as an error");
    assert_eq!(error.kind(), ErrorKind::Panic);
    assert!(error.message().contains("cannot subscribe"), "{error}");

    // In downstream code the upstream calls on the worker.
    let ts = TestSubscriber::new();
    range(0u64..10)
        .subscribe_on(scheduler.clone())
        .map(|v| {
            assert!(v != 5, "downstream failed at {v}");
            v
        })
        .subscribe(ts.clone());
    assert!(ts.await_terminal(PATIENCE));
    assert_eq!(ts.values(), [0, 1, 2, 3, 4]);
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::Panic));
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn a_shut_down_scheduler_gives_a_rejected_error() {
    let scheduler = SingleThreadScheduler::new();
    scheduler.shutdown();
    let ts = TestSubscriber::<u64>::new();
    range(0u64..10)
        .subscribe_on(scheduler)
        .subscribe(ts.clone());
    assert!(ts.is_subscribed(), "rule 1.9: on_subscribe first");
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::Rejected));

    // Shut down once the upstream has the subscriber: the refused request cancels the
    // upstream, and the subscriber it drops reports the rejection.
    let scheduler = SingleThreadScheduler::new();
    let (upstream, events) = Recorded::new(false);
    let ts = TestSubscriber::<u64>::with_request(0);
    upstream
        .subscribe_on(scheduler.clone())
        .subscribe(ts.tracked_clone());
    assert!(matches!(next(&events), Seen::Subscribed(_)));
    scheduler.shutdown();
    ts.request(1);
    assert!(matches!(next(&events), Seen::Cancel(_)));
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::Rejected));
    assert!(ts.is_dropped(), "rule 3.13");
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn failed_publisher_errors_pass_through() {
    let ts = TestSubscriber::<u64>::new();
    reactive_operators::error::<u64>(Error::msg("boom"))
        .subscribe_on(named("errors"))
        .subscribe(ts.clone());
    assert!(ts.await_terminal(PATIENCE));
    assert_eq!(
        ts.error().map(|e| e.message().to_owned()),
        Some("boom".to_owned())
    );
}
