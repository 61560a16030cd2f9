//! `subscribe_async` and `for_each_async`: items in order, the amounts requested upstream as
//! calls finish, the concurrency bound, errors, broken publishers, and dropping the future.

use reactive_core::sync::atomic::{AtomicUsize, Ordering};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, mpsc};
use std::task::{Context, Poll, Waker};
use std::thread::JoinHandle;

use parking_lot::Mutex;
use reactive_core::support::empty_subscription;
use reactive_core::{Error, ErrorKind, Publisher, Subscriber};
use reactive_operators::{AsyncSubscriber, PublisherExt, async_trait, error, range};
use reactive_tck::TestEnvironment;
use reactive_tck::harness::ManualPublisher;
use tokio::sync::Semaphore;

/// What a [`Recorder`] saw, in order.
type Log = Arc<Mutex<Vec<String>>>;

/// Logs every signal; each `on_next` first reports that it started, then waits for a permit
/// of `gate` (if any).
struct Recorder {
    log: Log,
    gate: Option<Arc<Semaphore>>,
    started: Option<mpsc::Sender<u64>>,
}

impl Recorder {
    fn new(log: &Log) -> Self {
        Recorder {
            log: log.clone(),
            gate: None,
            started: None,
        }
    }
}

#[async_trait]
impl AsyncSubscriber<u64> for Recorder {
    async fn on_next(&mut self, item: u64) {
        if let Some(started) = &self.started {
            started.send(item).unwrap();
        }
        if let Some(gate) = &self.gate {
            gate.acquire().await.unwrap().forget();
        }
        self.log.lock().push(format!("next {item}"));
    }

    async fn on_error(&mut self, error: Error) {
        self.log.lock().push(format!("error {}", error.message()));
    }

    async fn on_complete(&mut self) {
        self.log.lock().push("complete".to_owned());
    }
}

fn env() -> TestEnvironment {
    TestEnvironment::with_timeouts(10_000)
}

/// Runs `future` to its end on a thread of its own.
fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    std::thread::spawn(move || futures_executor::block_on(future))
}

/// Polls `future` once, with a waker that does nothing.
fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn subscribe_async_delivers_in_order_then_completes() {
    let log = Log::default();
    let result = futures_executor::block_on(range(0u64..5).subscribe_async(Recorder::new(&log)));
    assert!(result.is_ok());
    assert_eq!(
        *log.lock(),
        ["next 0", "next 1", "next 2", "next 3", "next 4", "complete"]
    );
}

#[test]
fn subscribe_async_requests_one_more_as_each_on_next_finishes() {
    let env = env();
    let upstream = ManualPublisher::<u64>::new(&env);
    let log = Log::default();
    let gate = Arc::new(Semaphore::new(0));
    let (started_tx, started) = mpsc::channel();
    let subscriber = Recorder {
        log: log.clone(),
        gate: Some(gate.clone()),
        started: Some(started_tx),
    };
    let done = spawn(upstream.clone().subscribe_async(subscriber));
    assert_eq!(upstream.expect_request().unwrap(), 1, "1 on subscribe");
    for i in 0..3 {
        upstream.send_next(i);
        assert_eq!(started.recv().unwrap(), i);
        assert_eq!(upstream.take_requests(), 0, "nothing while on_next runs");
        gate.add_permits(1);
        assert_eq!(upstream.expect_request().unwrap(), 1, "1 after on_next");
    }
    upstream.send_completion();
    assert!(done.join().unwrap().is_ok());
    assert_eq!(*log.lock(), ["next 0", "next 1", "next 2", "complete"]);
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn subscribe_async_resolves_with_the_stream_error_after_on_error() {
    let log = Log::default();
    let e = Error::msg("disk on fire");
    let result =
        futures_executor::block_on(error::<u64>(e.clone()).subscribe_async(Recorder::new(&log)));
    assert!(result.unwrap_err().ptr_eq(&e));
    assert_eq!(*log.lock(), ["error disk on fire"]);
}

#[test]
fn dropping_the_future_cancels_the_subscription() {
    let env = env();
    let upstream = ManualPublisher::<u64>::new(&env);
    let mut future = upstream
        .clone()
        .subscribe_async(Recorder::new(&Log::default()));
    assert!(poll_once(&mut future).is_pending());
    assert_eq!(upstream.expect_request().unwrap(), 1);
    assert!(!upstream.is_cancelled());
    drop(future);
    assert!(upstream.is_cancelled());

    let upstream = ManualPublisher::<u64>::new(&env);
    let mut future = upstream.clone().for_each_async(|_| async {}, 3);
    assert!(poll_once(&mut future).is_pending());
    assert_eq!(upstream.expect_request().unwrap(), 3);
    drop(future);
    assert!(upstream.is_cancelled());
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn the_future_does_nothing_until_polled() {
    let env = env();
    let upstream = ManualPublisher::<u64>::new(&env);
    let future = upstream
        .clone()
        .subscribe_async(Recorder::new(&Log::default()));
    assert!(!upstream.has_subscriber());
    drop(future);
    assert!(!upstream.has_subscriber());
}

/// Sends its script right after `on_subscribe`, whatever the demand; `None` means "drop the
/// subscriber without a terminal signal".
struct Broken(Vec<u64>);

impl Publisher for Broken {
    type Item = u64;
    fn subscribe<S: Subscriber<u64> + 'static>(&self, mut subscriber: S) {
        subscriber.on_subscribe(empty_subscription());
        for &item in &self.0 {
            subscriber.on_next(item);
        }
        // Dropped here without on_complete or on_error.
    }
}

#[test]
fn an_item_without_demand_is_an_overflow_error_after_the_items_asked_for() {
    let log = Log::default();
    let error =
        futures_executor::block_on(Broken(vec![1, 2, 3]).subscribe_async(Recorder::new(&log)))
            .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Overflow);
    assert!(error.message().contains("subscribe_async"), "{error}");
    let log = log.lock();
    assert_eq!(log[0], "next 1");
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log[1].starts_with("error subscribe_async: an item arrived without demand"));
}

#[test]
fn a_publisher_that_drops_the_subscriber_without_a_terminal_signal_is_an_error() {
    let log = Log::default();
    let error = futures_executor::block_on(Broken(vec![]).subscribe_async(Recorder::new(&log)))
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Protocol);
    assert!(
        error.message().contains("without on_complete or on_error"),
        "{error}"
    );
    let error =
        futures_executor::block_on(Broken(vec![]).for_each_async(|_| async {}, 2)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Protocol);
}

/// Pending once (waking itself), then ready: keeps a call in flight across one poll.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            return Poll::Ready(());
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// `for_each_async` over 100 items with `concurrency`: every item handled once, and the most
/// calls in flight at once.
fn most_in_flight(concurrency: usize) -> usize {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (i, m, s) = (in_flight.clone(), most.clone(), seen.clone());
    let done = range(0u64..100).for_each_async(
        move |v| {
            let (in_flight, most, seen) = (i.clone(), m.clone(), s.clone());
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                YieldOnce(false).await;
                seen.lock().push(v);
                in_flight.fetch_sub(1, Ordering::SeqCst);
            }
        },
        concurrency,
    );
    futures_executor::block_on(done).unwrap();
    let mut seen = seen.lock().clone();
    seen.sort_unstable();
    assert_eq!(seen, (0..100).collect::<Vec<_>>());
    most.load(Ordering::SeqCst)
}

#[test]
fn for_each_async_runs_at_most_concurrency_calls_at_once() {
    assert_eq!(most_in_flight(1), 1);
    assert_eq!(most_in_flight(4), 4);
}

#[test]
fn for_each_async_requests_one_more_as_each_call_finishes() {
    let env = env();
    let upstream = ManualPublisher::<u64>::new(&env);
    let gate = Arc::new(Semaphore::new(0));
    let (started_tx, started) = mpsc::channel();
    let g = gate.clone();
    let done = spawn(upstream.clone().for_each_async(
        move |v| {
            let (gate, started) = (g.clone(), started_tx.clone());
            async move {
                started.send(v).unwrap();
                gate.acquire().await.unwrap().forget();
            }
        },
        4,
    ));
    assert_eq!(
        upstream.expect_request().unwrap(),
        4,
        "concurrency on subscribe"
    );
    for i in 0..4 {
        upstream.send_next(i);
    }
    let mut running: Vec<u64> = started.iter().take(4).collect();
    running.sort_unstable();
    assert_eq!(running, [0, 1, 2, 3]);
    assert_eq!(upstream.take_requests(), 0, "nothing while 4 calls run");
    gate.add_permits(1);
    assert_eq!(upstream.expect_request().unwrap(), 1, "1 per finished call");
    upstream.send_next(4);
    assert_eq!(started.recv().unwrap(), 4);
    upstream.send_completion();
    // Four calls still run: the future resolves once they finished, and asks for nothing
    // more after the completion (the manual publisher records such a request as a rule 2.4
    // failure in `env`).
    gate.add_permits(4);
    assert!(done.join().unwrap().is_ok());
    assert_eq!(
        gate.available_permits(),
        0,
        "every call took its permit before the end"
    );
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn for_each_async_resolves_with_the_error_once_the_calls_in_flight_finished() {
    let env = env();
    let upstream = ManualPublisher::<u64>::new(&env);
    let gate = Arc::new(Semaphore::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let (g, f) = (gate.clone(), finished.clone());
    let done = spawn(upstream.clone().for_each_async(
        move |_| {
            let (gate, finished) = (g.clone(), f.clone());
            async move {
                gate.acquire().await.unwrap().forget();
                finished.fetch_add(1, Ordering::SeqCst);
            }
        },
        2,
    ));
    assert_eq!(upstream.expect_request().unwrap(), 2);
    upstream.send_next(0);
    upstream.send_next(1);
    upstream.send_error(Error::msg("upstream failed"));
    gate.add_permits(2);
    let error = done.join().unwrap().unwrap_err();
    assert_eq!(error.message(), "upstream failed");
    assert_eq!(
        finished.load(Ordering::SeqCst),
        2,
        "both calls finished first"
    );
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
#[should_panic(expected = "for_each_async: concurrency must be at least 1")]
fn for_each_async_rejects_zero_concurrency() {
    drop(range(0u64..1).for_each_async(|_| async {}, 0));
}
