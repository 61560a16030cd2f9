//! Helpers shared by the tests of the asynchronous boundaries.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reactive_core::scheduler::{Scheduler, SingleThreadScheduler};
use reactive_core::{Error, ErrorKind, Publisher, Subscriber, SubscriptionRef};
use reactive_tck::harness::ManualPublisher;
use reactive_tck::{StepVerifier, TestEnvironment, TestSubscriber};

pub(crate) const PATIENCE: Duration = Duration::from_secs(10);

/// A manual upstream (the test sends its signals), with its environment.
pub(crate) fn manual<T: Send + std::fmt::Debug + 'static>() -> (ManualPublisher<T>, TestEnvironment)
{
    let env = TestEnvironment::with_timeouts(2_000);
    (ManualPublisher::new(&env), env)
}

/// The upstream broke no rule of its own checks (no request after its terminal signal, no
/// `request(0)`).
pub(crate) fn assert_clean(env: &TestEnvironment) {
    assert!(env.async_errors().is_empty(), "{:?}", env.async_errors());
}

/// A [`TestSubscriber`] that also notes the name of the thread each signal arrived on.
pub(crate) struct OnThread<T> {
    ts: TestSubscriber<T>,
    threads: ThreadLog,
}

impl<T> OnThread<T> {
    fn note(&self, signal: &'static str) {
        let name = std::thread::current().name().map(str::to_owned);
        self.threads.lock().unwrap().push((signal, name));
    }
}

impl<T: Send> Subscriber<T> for OnThread<T> {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        self.note("on_subscribe");
        self.ts.on_subscribe(s);
    }
    fn on_next(&mut self, item: T) {
        self.note("on_next");
        self.ts.on_next(item);
    }
    fn on_error(&mut self, e: Error) {
        self.note("on_error");
        self.ts.on_error(e);
    }
    fn on_complete(&mut self) {
        self.note("on_complete");
        self.ts.on_complete();
    }
}

/// The signals a subscriber received, each with the name of the thread it arrived on.
pub(crate) type ThreadLog = Arc<Mutex<Vec<(&'static str, Option<String>)>>>;

/// Subscribes `ts` through an [`OnThread`]; returns the thread log.
pub(crate) fn on_thread<P>(publisher: &P, ts: &TestSubscriber<P::Item>) -> ThreadLog
where
    P: Publisher,
    P::Item: Send + 'static,
{
    let threads = Arc::new(Mutex::new(Vec::new()));
    publisher.subscribe(OnThread {
        ts: ts.clone(),
        threads: threads.clone(),
    });
    threads
}

/// Waits (yielding, up to [`PATIENCE`]) until `condition` holds; returns whether it did.
pub(crate) fn eventually(mut condition: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + PATIENCE;
    while !condition() {
        if std::time::Instant::now() > deadline {
            return false;
        }
        std::thread::yield_now();
    }
    true
}

/// Returns once the single thread of `scheduler` has finished the task it is running now:
/// a task scheduled now can only run after it.
pub(crate) fn barrier(scheduler: &SingleThreadScheduler) {
    let (tx, rx) = std::sync::mpsc::channel();
    scheduler.schedule(Box::new(move || tx.send(()).unwrap()));
    rx.recv_timeout(PATIENCE)
        .expect("the scheduler's thread is stuck in a task");
}

/// A request of 1 from inside each `on_next` is served after `on_next` returns (rule 3.3):
/// all 10,000 items of `publisher` arrive, `on_next` never nested.
pub(crate) fn requests_from_on_next_do_not_recurse<P: Publisher<Item = u64>>(publisher: &P) {
    let ts = TestSubscriber::with_request(1).with_on_next_hook(|ts, _| ts.request(1));
    publisher.subscribe(ts.clone());
    assert!(ts.await_terminal(PATIENCE));
    assert_eq!(ts.value_count(), 10_000);
    assert!(ts.is_complete());
    assert_eq!(ts.max_on_next_depth(), 1);
}

/// `request(0)` ends `publisher`'s stream with the `InvalidRequest` error naming rule 3.9.
pub(crate) fn request_zero_ends_with_rule_3_9<P: Publisher<Item = u64>>(publisher: &P) {
    StepVerifier::create(publisher)
        .initial_request(0)
        .then_request(0)
        .expect_error_matches(|e| {
            e.kind() == ErrorKind::InvalidRequest && e.message().contains("rule 3.9")
        })
        .verify_timeout(PATIENCE)
        .unwrap();
}
