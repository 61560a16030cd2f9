//! `from_stream` and `from_future`: polled only under demand, stopped at zero demand, cancel
//! drops the stream, one subscriber only, wake-ups from other threads, `poll_on`, a tokio
//! channel, panics and rule 3.9.

use reactive_core::sync::atomic::{AtomicUsize, Ordering};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_core::Stream;
use futures_util::stream;
use parking_lot::Mutex;
use reactive_core::scheduler::{PoolScheduler, Scheduler, SingleThreadScheduler};
use reactive_core::{ErrorKind, Publisher};
use reactive_operators::{AsyncSubscriber, PublisherExt, async_trait, from_future, from_stream};
use reactive_tck::harness::{DropToken, DropWatch};
use reactive_tck::{StepVerifier, TestSubscriber};

const PATIENCE: Duration = Duration::from_secs(20);

/// Counts from 0 forever, counting its polls; owns a drop token.
struct Counting {
    next: u64,
    polls: Arc<AtomicUsize>,
    _token: DropToken,
}

fn counting() -> (Counting, Arc<AtomicUsize>, DropWatch) {
    let polls = Arc::new(AtomicUsize::new(0));
    let (token, watch) = DropWatch::new();
    let stream = Counting {
        next: 0,
        polls: polls.clone(),
        _token: token,
    };
    (stream, polls, watch)
}

impl Stream for Counting {
    type Item = u64;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u64>> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        self.next += 1;
        Poll::Ready(Some(self.next - 1))
    }
}

#[test]
fn polls_only_under_demand_and_stops_when_it_is_used_up() {
    let (stream, polls, _) = counting();
    let ts = TestSubscriber::with_request(0);
    from_stream(stream).subscribe(ts.clone());
    assert!(ts.is_subscribed());
    assert_eq!(polls.load(Ordering::SeqCst), 0, "no demand, no poll");
    ts.request(3);
    assert_eq!(ts.values(), [0, 1, 2]);
    assert_eq!(
        polls.load(Ordering::SeqCst),
        3,
        "one poll per item, none beyond"
    );
    ts.request(2);
    assert_eq!(ts.values(), [0, 1, 2, 3, 4]);
    assert_eq!(polls.load(Ordering::SeqCst), 5);
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn a_request_from_inside_on_next_does_not_recurse() {
    let (stream, polls, _) = counting();
    let ts = TestSubscriber::with_request(1).with_on_next_hook(|ts, seen| {
        if seen < 10_000 {
            ts.request(1);
        }
    });
    from_stream(stream).subscribe(ts.clone());
    assert_eq!(ts.value_count(), 10_000);
    assert_eq!(polls.load(Ordering::SeqCst), 10_000);
    assert_eq!(ts.max_on_next_depth(), 1);
}

#[test]
fn cancel_drops_the_stream_and_the_subscriber() {
    let (stream, polls, watch) = counting();
    let ts = TestSubscriber::with_request(2);
    from_stream(stream).subscribe(ts.tracked_clone());
    assert_eq!(ts.values(), [0, 1]);
    assert!(!watch.is_dropped());
    let subscription = ts.subscription().unwrap();
    ts.cancel();
    assert!(
        watch.is_dropped(),
        "cancel drops the stream at once when no poll runs"
    );
    assert!(ts.is_dropped(), "rule 3.13");
    subscription.request(5); // rule 3.6: nothing
    assert_eq!(polls.load(Ordering::SeqCst), 2, "never polled after cancel");
    assert!(!ts.is_terminated());
}

#[test]
fn cancel_from_inside_on_next_drops_the_stream_after_that_pass() {
    let (stream, polls, watch) = counting();
    let ts = TestSubscriber::with_request(10).with_on_next_hook(|ts, seen| {
        if seen == 2 {
            ts.cancel();
        }
    });
    from_stream(stream).subscribe(ts.clone());
    assert_eq!(ts.values(), [0, 1]);
    assert_eq!(polls.load(Ordering::SeqCst), 2);
    assert!(watch.is_dropped());
}

#[test]
fn the_stream_goes_to_the_first_subscriber_only() {
    let source = from_stream(stream::iter([1, 2]));
    StepVerifier::create(&source)
        .expect_next_values([1, 2])
        .expect_complete()
        .verify()
        .unwrap();
    assert!(source.is_consumed());
    StepVerifier::create(&source)
        .initial_request(0)
        .expect_subscription()
        .expect_error_matches(|e| {
            e.kind() == ErrorKind::Rejected
                && e.message()
                    .contains("from_stream: the stream was already consumed")
        })
        .verify()
        .unwrap();
}

#[test]
fn request_zero_is_rule_3_9_and_drops_the_stream() {
    let (stream, polls, watch) = counting();
    StepVerifier::create(&from_stream(stream))
        .initial_request(1)
        .expect_next(0)
        .then_request(0)
        .expect_error_matches(|e| {
            e.kind() == ErrorKind::InvalidRequest && e.message().contains("rule 3.9")
        })
        .verify()
        .unwrap();
    assert_eq!(polls.load(Ordering::SeqCst), 1);
    assert!(watch.is_dropped());
}

#[test]
fn completes_without_more_demand_when_the_stream_says_it_is_done() {
    // `iter`'s size hint is exact: after the last item, or from the start when empty.
    StepVerifier::create(&from_stream(stream::iter(0..3)))
        .initial_request(3)
        .expect_next_values([0, 1, 2])
        .expect_complete()
        .verify()
        .unwrap();
    StepVerifier::create(&from_stream(stream::iter(0..0)))
        .initial_request(0)
        .expect_complete()
        .verify()
        .unwrap();
    // A stream that does not know ends on its `None`, which takes one more poll under demand.
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let unknown = stream::poll_fn(move |_| match rx.try_recv() {
        Ok(()) => Poll::Ready(Some(1)),
        Err(_) => Poll::Ready(None),
    });
    tx.send(()).unwrap();
    drop(tx);
    StepVerifier::create(&from_stream(unknown))
        .initial_request(1)
        .expect_next(1)
        .expect_no_event(Duration::from_millis(20))
        .then_request(1)
        .expect_complete()
        .verify()
        .unwrap();
}

/// Panics on its second poll; owns a drop token.
struct Exploding {
    polls: u32,
    _token: DropToken,
}

impl Stream for Exploding {
    type Item = u32;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u32>> {
        self.polls += 1;
        assert!(self.polls < 2, "the stream broke at poll {}", self.polls);
        Poll::Ready(Some(self.polls))
    }
}

#[test]
fn a_panic_in_poll_next_becomes_on_error_and_drops_the_stream() {
    let (token, watch) = DropWatch::new();
    let ts = TestSubscriber::new();
    from_stream(Exploding {
        polls: 0,
        _token: token,
    })
    .subscribe(ts.tracked_clone());
    assert_eq!(ts.values(), [1]);
    let error = ts.error().expect("on_error");
    assert_eq!(error.kind(), ErrorKind::Panic);
    assert!(
        error.message().contains("the stream broke at poll 2"),
        "{error}"
    );
    assert!(watch.is_dropped());
    assert!(ts.is_dropped(), "rule 3.13");
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn a_refused_worker_is_an_error_after_on_subscribe() {
    let scheduler = PoolScheduler::new(1);
    scheduler.shutdown();
    let (stream, polls, watch) = counting();
    let ts = TestSubscriber::new();
    from_stream(stream).poll_on(scheduler).subscribe(ts.clone());
    assert!(ts.is_subscribed());
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::Rejected));
    assert_eq!(polls.load(Ordering::SeqCst), 0);
    assert!(watch.is_dropped());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

/// A channel as a stream: another thread pushes and wakes; `None` once the sender closed.
#[derive(Default)]
struct Channel {
    items: VecDeque<u64>,
    closed: bool,
    waker: Option<Waker>,
}

struct Receiver(Arc<Mutex<Channel>>);

impl Stream for Receiver {
    type Item = u64;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        let mut channel = self.0.lock();
        if let Some(item) = channel.items.pop_front() {
            return Poll::Ready(Some(item));
        }
        if channel.closed {
            return Poll::Ready(None);
        }
        channel.waker = Some(cx.waker().clone()); // under the lock the sender takes
        Poll::Pending
    }
}

fn send(channel: &Mutex<Channel>, item: Option<u64>) {
    let waker = {
        let mut channel = channel.lock();
        match item {
            Some(item) => channel.items.push_back(item),
            None => channel.closed = true,
        }
        channel.waker.take()
    };
    if let Some(waker) = waker {
        waker.wake();
    }
}

#[test]
fn a_pending_stream_woken_from_another_thread_delivers_everything() {
    let channel = Arc::new(Mutex::new(Channel::default()));
    let ts = TestSubscriber::with_request(0);
    from_stream(Receiver(channel.clone())).subscribe(ts.clone());
    ts.request(500);
    let sender = {
        let channel = channel.clone();
        std::thread::spawn(move || {
            for i in 0..1_000 {
                send(&channel, Some(i));
            }
            send(&channel, None);
        })
    };
    assert!(ts.await_values(500, PATIENCE));
    // 500 more, and one for the poll that finds the end (the stream's size hint is unknown).
    ts.request(501);
    sender.join().unwrap();
    assert!(ts.await_terminal(PATIENCE));
    assert_eq!(ts.values(), (0..1_000).collect::<Vec<_>>());
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

/// Records the name of the thread of every poll.
struct Where(Vec<Option<String>>, Arc<Mutex<Vec<Option<String>>>>);

impl Stream for Where {
    type Item = u32;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u32>> {
        let me = std::thread::current().name().map(str::to_owned);
        self.1.lock().push(me);
        Poll::Ready(self.0.pop().map(|_| 1))
    }
}

#[test]
fn poll_on_runs_every_poll_and_signal_on_the_scheduler_thread() {
    let scheduler = SingleThreadScheduler::builder().name("poller").build();
    let threads = Arc::new(Mutex::new(Vec::new()));
    let ts = TestSubscriber::<u32>::with_request(0).with_on_next_hook(|ts, _| {
        let me = std::thread::current().name().map(str::to_owned);
        assert_eq!(me.as_deref(), Some("poller"), "on_next on the worker");
        ts.request(1);
    });
    from_stream(Where(vec![None; 5], threads.clone()))
        .poll_on(scheduler)
        .subscribe(ts.clone());
    ts.request(1); // from the test thread: the poll still runs on the worker
    assert!(ts.await_terminal(PATIENCE));
    assert_eq!(ts.value_count(), 5);
    assert!(ts.is_complete());
    let threads = threads.lock();
    assert_eq!(threads.len(), 6, "5 items and the end");
    assert!(
        threads.iter().all(|t| t.as_deref() == Some("poller")),
        "{threads:?}"
    );
    assert!(ts.violations().is_empty(), "{ts:?}");
}

/// `tokio::sync::mpsc::Receiver` as a stream (tokio-stream is not a dependency).
struct TokioReceiver(tokio::sync::mpsc::Receiver<u64>);

impl Stream for TokioReceiver {
    type Item = u64;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        self.0.poll_recv(cx)
    }
}

/// Collects into a shared vector.
struct Collect(Arc<Mutex<Vec<u64>>>);

#[async_trait]
impl AsyncSubscriber<u64> for Collect {
    async fn on_next(&mut self, item: u64) {
        self.0.lock().push(item);
    }
}

/// A channel fed by a tokio task, polled on `scheduler`, consumed by an async subscriber.
async fn tokio_channel_through(scheduler: impl Scheduler + 'static) {
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let producer = tokio::spawn(async move {
        for i in 0..1_000 {
            tx.send(i).await.unwrap();
        }
    });
    let got = Arc::new(Mutex::new(Vec::new()));
    from_stream(TokioReceiver(rx))
        .poll_on(scheduler)
        .subscribe_async(Collect(got.clone()))
        .await
        .unwrap();
    producer.await.unwrap();
    assert_eq!(*got.lock(), (0..1_000).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tokio_channel_fed_by_a_task_polled_on_a_pool() {
    tokio_channel_through(PoolScheduler::new(1)).await;
}

#[cfg(feature = "tokio")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tokio_channel_fed_by_a_task_polled_on_the_runtime() {
    tokio_channel_through(reactive_core::scheduler::TokioScheduler::current()).await;
}

/// Ready on its second poll (waking itself on the first); counts its polls.
struct Later {
    polls: Arc<AtomicUsize>,
    _token: DropToken,
}

impl Future for Later {
    type Output = &'static str;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<&'static str> {
        if self.polls.fetch_add(1, Ordering::SeqCst) == 0 {
            let waker = cx.waker().clone();
            std::thread::spawn(move || waker.wake());
            return Poll::Pending;
        }
        Poll::Ready("done")
    }
}

#[test]
fn from_future_polls_once_there_is_demand_then_completes() {
    let polls = Arc::new(AtomicUsize::new(0));
    let (token, watch) = DropWatch::new();
    let ts = TestSubscriber::with_request(0);
    from_future(Later {
        polls: polls.clone(),
        _token: token,
    })
    .subscribe(ts.clone());
    assert_eq!(polls.load(Ordering::SeqCst), 0, "not polled without demand");
    ts.request(1);
    assert!(ts.await_terminal(PATIENCE));
    assert_eq!(ts.values(), ["done"]);
    assert!(ts.is_complete(), "completes right after the item");
    assert_eq!(polls.load(Ordering::SeqCst), 2);
    assert!(watch.is_dropped());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn from_future_cancel_drops_the_future_and_a_second_subscriber_errors() {
    let (token, watch) = DropWatch::new();
    let source = from_future(async move {
        let _token = token;
        std::future::pending::<u8>().await
    });
    let ts = TestSubscriber::new();
    source.subscribe(ts.clone());
    assert!(!watch.is_dropped());
    ts.cancel();
    assert!(watch.is_dropped());
    StepVerifier::create(&source)
        .expect_error_matches(|e| {
            e.kind() == ErrorKind::Rejected
                && e.message()
                    .contains("from_future: the future was already consumed")
        })
        .verify()
        .unwrap();
}
