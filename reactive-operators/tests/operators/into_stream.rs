//! `into_stream` and `bridge::stream_subscriber`: items in order, the 75% replenish rule seen
//! upstream, errors after the items, cancel on drop, overflow, and consumption from tokio tasks
//! while another thread emits.

use reactive_core::sync::atomic::{AtomicUsize, Ordering};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use futures_core::Stream;
use futures_core::stream::FusedStream;
use futures_util::StreamExt;
use reactive_core::{Error, ErrorKind, Publisher, Subscriber};
use reactive_operators::bridge::{IntoStream, stream_subscriber};
use reactive_operators::{PublisherExt, error, range};
use reactive_tck::TestEnvironment;
use reactive_tck::harness::ManualPublisher;

/// A waker that counts its wakes.
#[derive(Default)]
pub(crate) struct Counting(AtomicUsize);

impl Wake for Counting {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Counting {
    pub(crate) fn wakes(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Polls once with `waker`.
fn poll<T>(stream: &mut IntoStream<T>, waker: &Waker) -> Poll<Option<Result<T, Error>>> {
    Pin::new(stream).poll_next(&mut Context::from_waker(waker))
}

/// An environment whose timeouts only matter when a test fails.
pub(crate) fn env() -> TestEnvironment {
    TestEnvironment::with_timeouts(10_000)
}

/// Runs `script` against `publisher` on a new thread. If the script panics (an expectation
/// failed), the subscriber gets an error first, so that a consumer blocked on it fails
/// instead of hanging.
pub(crate) fn drive<R: Send + 'static>(
    publisher: &ManualPublisher<u64>,
    script: impl FnOnce(&ManualPublisher<u64>) -> R + Send + 'static,
) -> std::thread::JoinHandle<R> {
    let publisher = publisher.clone();
    std::thread::spawn(move || {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| script(&publisher))) {
            Ok(result) => result,
            Err(panic) => {
                publisher.send_error(Error::msg("the test's publisher script failed"));
                std::panic::resume_unwind(panic)
            }
        }
    })
}

/// The upstream's side of a consumer with buffer `prefetch`, run on the calling thread: serves
/// every request with the next items (0, 1, 2, ...) until `prefetch + rounds * limit` were
/// sent, then completes on the next request, the last one the consumer can make: it asks for
/// more after taking `(rounds + 1) * limit` items, and would ask again only past the end.
/// So no request can race the completion (rule 2.4; the publisher flags any call after it).
/// Returns the requests in the order they came.
pub(crate) fn serve(publisher: &ManualPublisher<u64>, prefetch: u64, rounds: u64) -> Vec<u64> {
    let limit = prefetch - prefetch / 4;
    let total = prefetch + rounds * limit;
    let mut sent = 0;
    let mut requests = Vec::new();
    loop {
        let n = publisher.expect_request().expect("the consumer requested");
        requests.push(n);
        if sent == total {
            publisher.send_completion();
            return requests;
        }
        for _ in 0..n.min(total - sent) {
            publisher.send_next(sent);
            sent += 1;
        }
    }
}

/// What `serve` sees from a consumer that follows the 75% rule.
pub(crate) fn expected_requests(prefetch: u64, rounds: u64) -> Vec<u64> {
    let limit = prefetch - prefetch / 4;
    let mut v = vec![prefetch];
    v.extend(std::iter::repeat_n(limit, rounds as usize + 1));
    v
}

fn collect<T>(stream: IntoStream<T>) -> Vec<Result<T, Error>> {
    futures_executor::block_on(stream.collect())
}

#[test]
fn yields_items_in_order_then_none_forever() {
    let mut stream = range(0u64..1000).map(|v| v * 2).into_stream(8);
    let waker = Waker::from(Arc::new(Counting::default()));
    for expected in 0..1000u64 {
        match poll(&mut stream, &waker) {
            Poll::Ready(Some(Ok(v))) => assert_eq!(v, expected * 2),
            other => panic!("item {expected}: {other:?}"),
        }
    }
    assert!(!stream.is_terminated());
    assert!(matches!(poll(&mut stream, &waker), Poll::Ready(None)));
    assert!(stream.is_terminated());
    for _ in 0..3 {
        assert!(matches!(poll(&mut stream, &waker), Poll::Ready(None)));
    }
}

/// `into_stream(prefetch)` over a manual publisher, polled once: subscribed, and `Pending`
/// with a counting waker registered.
struct Polled {
    env: TestEnvironment,
    publisher: ManualPublisher<u64>,
    stream: IntoStream<u64>,
    counter: Arc<Counting>,
    waker: Waker,
}

fn polled(prefetch: usize) -> Polled {
    let env = env();
    let publisher = ManualPublisher::<u64>::new(&env);
    let mut stream = publisher.clone().into_stream(prefetch);
    assert!(
        !publisher.has_subscriber(),
        "subscribed before the first poll"
    );
    let counter = Arc::new(Counting::default());
    let waker = Waker::from(counter.clone());
    assert!(poll(&mut stream, &waker).is_pending());
    assert!(publisher.has_subscriber());
    Polled {
        env,
        publisher,
        stream,
        counter,
        waker,
    }
}

impl Polled {
    fn poll(&mut self) -> Poll<Option<Result<u64, Error>>> {
        poll(&mut self.stream, &self.waker)
    }

    /// The next poll yields `expected`.
    #[track_caller]
    fn next_is(&mut self, expected: u64) {
        match self.poll() {
            Poll::Ready(Some(Ok(v))) if v == expected => {}
            other => panic!("expected item {expected}, got {other:?}"),
        }
    }

    /// The manual publisher recorded no failure.
    #[track_caller]
    fn no_failures(&self) {
        self.env.verify_no_async_errors_no_delay().unwrap();
    }
}

#[test]
fn subscribes_on_the_first_poll_and_requests_prefetch() {
    let t = polled(8);
    t.publisher.expect_exact_request(8).unwrap();
    t.no_failures();
}

#[test]
fn replenishes_three_quarters_after_that_many_items_were_taken() {
    let mut t = polled(8);
    t.publisher.expect_exact_request(8).unwrap();
    for v in 0..8 {
        t.publisher.send_next(v);
    }
    for v in 0..6 {
        t.next_is(v);
    }
    // Six taken: the request goes out with the next poll, not before.
    assert_eq!(t.publisher.take_requests(), 0);
    t.next_is(6);
    assert_eq!(t.publisher.take_requests(), 6);
    t.next_is(7);
    assert!(t.poll().is_pending());
    assert_eq!(t.publisher.take_requests(), 0);
    t.no_failures();
}

#[test]
fn prefetch_one_requests_one_at_a_time() {
    let mut t = polled(1);
    for v in 0..5 {
        t.publisher.expect_exact_request(1).unwrap();
        t.publisher.send_next(v);
        t.next_is(v);
        assert!(t.poll().is_pending());
    }
    t.no_failures();
}

#[test]
fn a_synchronous_source_fills_the_buffer_from_the_poll_that_requests() {
    let mut stream = range(0u64..10).into_stream(4);
    let waker = Waker::from(Arc::new(Counting::default()));
    assert!(matches!(
        poll(&mut stream, &waker),
        Poll::Ready(Some(Ok(0)))
    ));
    assert_eq!(stream.queued(), 3);
    for v in 1..3 {
        assert!(matches!(poll(&mut stream, &waker), Poll::Ready(Some(Ok(x))) if x == v));
    }
    assert_eq!(stream.queued(), 1);
    // Three taken: this poll requests 3, range emits them into the buffer, and the oldest
    // comes out.
    assert!(matches!(
        poll(&mut stream, &waker),
        Poll::Ready(Some(Ok(3)))
    ));
    assert_eq!(stream.queued(), 3);
    assert_eq!(stream.capacity(), 4);
}

#[test]
fn an_error_comes_after_the_queued_items_then_none() {
    let env = env();
    let publisher = ManualPublisher::<u64>::new(&env);
    let stream = publisher.clone().into_stream(8);
    let driver = drive(&publisher, |publisher| {
        publisher.expect_exact_request(8).unwrap();
        for v in 0..3 {
            publisher.send_next(v);
        }
        publisher.send_error(Error::msg("boom"));
    });
    let got = collect(stream);
    driver.join().unwrap();
    assert_eq!(got.len(), 4, "{got:?}");
    for (i, item) in got[..3].iter().enumerate() {
        assert_eq!(*item.as_ref().unwrap(), i as u64);
    }
    assert_eq!(got[3].as_ref().unwrap_err().message(), "boom");
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn an_error_source_yields_the_error_then_none() {
    let mut stream = error::<u64>(Error::msg("boom")).into_stream(4);
    futures_executor::block_on(async {
        assert_eq!(stream.next().await.unwrap().unwrap_err().message(), "boom");
        assert!(stream.next().await.is_none());
        assert!(stream.next().await.is_none());
    });
}

#[test]
fn dropping_the_stream_cancels_and_releases_its_waker() {
    let mut t = polled(4);
    t.publisher.send_next(1);
    assert_eq!(t.counter.wakes(), 1);
    t.next_is(1);
    assert!(t.poll().is_pending());
    assert!(
        Arc::strong_count(&t.counter) > 2,
        "the waiting stream's waker is registered"
    );
    let Polled {
        env,
        publisher,
        stream,
        counter,
        waker,
    } = t;
    drop((stream, waker));
    publisher.expect_cancelling();
    // The publisher still holds the subscriber (until it lets go of it, rule 3.13), and the
    // subscriber holds no waker of the stream's: an item sent now wakes nobody (it waits in
    // the orphaned buffer, at most `prefetch` of them, until the subscriber is dropped).
    assert!(publisher.has_subscriber());
    assert_eq!(Arc::strong_count(&counter), 1);
    publisher.send_next(2);
    assert_eq!(counter.wakes(), 1);
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn dropping_before_the_first_poll_subscribes_nothing() {
    let env = env();
    let publisher = ManualPublisher::<u64>::new(&env);
    drop(publisher.clone().into_stream(4));
    assert!(!publisher.has_subscriber());
}

#[test]
fn dropping_after_the_end_does_not_cancel() {
    let t = polled(4);
    t.publisher.send_next(1);
    t.publisher.send_completion();
    // Dropped with an item still queued: the upstream has ended, so no cancel (rule 2.4; the
    // manual publisher records a cancel after its completion as a failure).
    let Polled {
        env,
        publisher,
        stream,
        ..
    } = t;
    drop(stream);
    assert!(!publisher.is_cancelled());
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn the_task_is_woken_only_when_it_waits() {
    let mut t = polled(8);
    t.publisher.send_next(0);
    t.publisher.send_next(1);
    assert_eq!(t.counter.wakes(), 1, "one wake per wait");
    t.next_is(0);
    t.publisher.send_next(2);
    assert_eq!(t.counter.wakes(), 1, "not waiting: no wake");
    t.next_is(1);
    t.next_is(2);
    assert!(t.poll().is_pending());
    t.publisher.send_completion();
    assert_eq!(
        t.counter.wakes(),
        2,
        "the completion wakes the waiting task"
    );
    assert!(matches!(t.poll(), Poll::Ready(None)));
}

#[test]
fn overflow_cancels_then_yields_the_queued_items_and_the_error() {
    let mut t = polled(4);
    t.publisher.expect_exact_request(4).unwrap();
    for v in 0..6 {
        t.publisher.send_next(v); // two more than requested
    }
    t.publisher.expect_cancelling();
    for v in 0..4 {
        t.next_is(v);
    }
    match t.poll() {
        Poll::Ready(Some(Err(e))) => {
            assert_eq!(e.kind(), ErrorKind::Overflow);
            assert_eq!(e.message(), "into_stream: buffer full at 4 of 4 items");
        }
        other => panic!("expected the overflow error, got {other:?}"),
    }
    assert!(matches!(t.poll(), Poll::Ready(None)));
    t.no_failures();
}

#[test]
fn a_subscriber_dropped_without_a_terminal_signal_ends_the_stream_with_an_error() {
    let (subscriber, stream) = stream_subscriber::<u64>(4);
    drop(subscriber);
    let got = collect(stream);
    assert_eq!(got.len(), 1);
    let e = got[0].as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert!(e.message().contains("without a terminal signal"), "{e}");
}

#[test]
fn a_second_subscription_is_cancelled() {
    let env = env();
    let second = ManualPublisher::<u64>::new(&env);
    let (mut subscriber, _stream) = stream_subscriber::<u64>(4);
    subscriber.on_subscribe(reactive_core::support::empty_subscription());
    second.subscribe(subscriber);
    second.expect_cancelling();
    assert_eq!(
        second.take_requests(),
        0,
        "no request on the second subscription"
    );
    env.verify_no_async_errors_no_delay().unwrap();
}

#[test]
fn the_stream_is_send_and_unpin() {
    fn check<S: Stream + Send + Unpin + 'static>(_: &S) {}
    check(&range(0u64..1).into_stream(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tokio_task_reads_what_another_thread_emits() {
    let env = env();
    let publisher = ManualPublisher::<u64>::new(&env);
    let stream = publisher.clone().into_stream(16);
    let (prefetch, rounds) = (16, 200);
    let driver = drive(&publisher, move |publisher| {
        serve(publisher, prefetch, rounds)
    });
    let consumer = tokio::spawn(async move {
        stream
            .map(|item| item.expect("no error"))
            .collect::<Vec<u64>>()
            .await
    });
    let got = consumer.await.unwrap();
    let requests = driver.join().unwrap();
    let total = prefetch + rounds * 12;
    assert_eq!(got, (0..total).collect::<Vec<_>>());
    assert_eq!(requests, expected_requests(prefetch, rounds));
    env.verify_no_async_errors_no_delay().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tokio_task_reads_a_synchronous_pipeline() {
    let sum = tokio::spawn(async {
        let mut stream = range(0u64..10_000).filter(|v| v % 2 == 0).into_stream(64);
        let mut sum = 0;
        while let Some(v) = stream.next().await {
            sum += v.unwrap();
        }
        sum
    });
    assert_eq!(
        sum.await.unwrap(),
        (0..10_000u64).filter(|v| v % 2 == 0).sum()
    );
}
