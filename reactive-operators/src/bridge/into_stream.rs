//! `into_stream`: a pipeline read as a [`futures_core::Stream`], and the buffer protocol the
//! blocking terminals share with it.
//!
//! # The buffer protocol
//!
//! A [`StreamSubscriber`] (the producer side, driven by the upstream) and a [`Receiver`] (the
//! consumer side: the stream, or a blocking iterator) share a bounded SPSC ring of `prefetch`
//! items and a small [`Shared`] block. The subscriber requests `prefetch` on subscribe; the
//! receiver requests `limit = prefetch - prefetch / 4` more each time it has taken `limit`
//! items (from the poll after the one that took the `limit`-th, so a consumer that stops after
//! an item never asks for more). Outstanding demand plus queued items never exceed `prefetch`,
//! so an item that does not fit is an upstream that sent more than it was asked for.
//!
//! The consumer is woken only when it waits. `waiting` is the handshake, and every access to it
//! is a read-modify-write (`swap`, `AcqRel`):
//!
//! * the receiver, on finding the ring empty and no terminal signal, stores its waker, then
//!   `waiting.swap(true)`, then looks at the ring and the terminal flag again (the re-check);
//! * the subscriber, after publishing an item (the ring's `Release` store of its tail) or a
//!   terminal signal (`done`, `Release`), does `waiting.swap(false)` and wakes only if it read
//!   `true`.
//!
//! Read-modify-writes of one atomic are totally ordered, and each reads the value written just
//! before it. If the subscriber's swap comes second, it reads the receiver's `true` and wakes.
//! If it comes first, the receiver's swap reads the subscriber's `false`: an `Acquire` read of
//! a `Release` write, so the item (or `done`) published before that swap is visible to the
//! re-check. Either way the consumer sees the item or is woken; never neither (the loom model
//! `wake_races_on_next`), and the swap hands out exactly one wake per wait. A plain store on
//! either side would break the chain (a load may read a stale value without synchronizing), so
//! the receiver also clears the flag with a swap when its re-check finds something.
//!
//! The cost: the subscriber pays one uncontended `swap` per item (the flag has a cache line of
//! its own); the receiver pays nothing per item beyond the ring's own loads while items are
//! queued, and a lock, a swap and a re-check each time it waits. A blocking iterator that
//! finds the ring empty first looks again over a few growing spins and yields (`spin` here,
//! the yields in `blocking_iter.rs`) before it parks: waking a parked thread costs a trip
//! through the OS scheduler on each side. The stream does not spin: its wake is the
//! executor's, cheap when the producer runs on the same runtime, and a spin there would only
//! hold up the worker the producer may be waiting for.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use futures_core::Stream;
use futures_core::stream::FusedStream;
use reactive_core::queue::{Consumer, Producer, spsc};
use reactive_core::support::SubscriptionSlot;
use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::sync::{Arc, Mutex};
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// Rounds of polling an empty buffer before a blocking consumer parks: 1, 2, 4, ... spin
/// hints between polls, 127 in all. A producer on another core often delivers within that
/// time, and an unpark costs far more. None under loom, where the spin would only multiply the
/// interleavings of the same re-check.
#[cfg(not(reactive_loom))]
const SPIN_ROUNDS: u32 = 7;
#[cfg(reactive_loom)]
const SPIN_ROUNDS: u32 = 0;

/// A value on a cache line of its own (128 bytes: two lines, for CPUs that fetch pairs).
#[repr(align(128))]
struct OwnLine<T>(T);

impl<T> std::ops::Deref for OwnLine<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// What the two sides of one buffer share.
struct Shared {
    /// The upstream subscription: set by the subscriber, asked for more by the receiver,
    /// cancelled by the receiver's drop (or by the subscriber on overflow).
    upstream: SubscriptionSlot,
    /// The receiver found nothing and waits for a wake (see the module docs). On a line of
    /// its own: the subscriber swaps it for every item, and a receiver that looks at `done`
    /// while the ring is empty must not pull that line away from it each time.
    waiting: OwnLine<AtomicBool>,
    /// A terminal signal was recorded (completion, error, overflow, or the subscriber went
    /// away without one): written with `Release` after `error`, read with `Acquire`.
    done: AtomicBool,
    /// The waiting receiver's waker: stored by the receiver before it sets `waiting`, taken by
    /// the subscriber that clears it.
    waker: Mutex<Option<Waker>>,
    /// The error to yield after the queued items; `None` with `done` means completion.
    error: Mutex<Option<Error>>,
}

impl Shared {
    /// Wakes the receiver if it waits (one uncontended swap when it does not).
    #[inline]
    fn signal(&self) {
        if self.waiting.swap(false, Ordering::AcqRel) {
            self.wake();
        }
    }

    #[cold]
    fn wake(&self) {
        let waker = self.waker.lock().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }
}

/// Creates the two sides of one buffer of `capacity` items; `name` is the operator named in an
/// overflow error.
///
/// # Panics
///
/// If `capacity` is 0 (there could be no demand), or too large for the ring.
pub(crate) fn channel<T>(
    capacity: usize,
    name: &'static str,
) -> (StreamSubscriber<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "{name}: the buffer needs room for at least 1 item"
    );
    let (producer, consumer) = spsc(capacity);
    let shared = Arc::new(Shared {
        upstream: SubscriptionSlot::new(),
        waiting: OwnLine(AtomicBool::new(false)),
        done: AtomicBool::new(false),
        waker: Mutex::new(None),
        error: Mutex::new(None),
    });
    let subscriber = StreamSubscriber {
        queue: producer,
        shared: shared.clone(),
        capacity,
        name,
        ended: false,
    };
    let receiver = Receiver {
        queue: consumer,
        shared,
        limit: crate::replenish_limit(capacity),
        taken: 0,
        finished: false,
        subscribe: None,
    };
    (subscriber, receiver)
}

/// The subscriber behind [`IntoStream`] and the blocking terminals: it puts what the upstream
/// sends into a bounded buffer that the other side takes from.
///
/// Obtained from [`stream_subscriber`] (or, for a blocking consumer,
/// [`blocking_subscriber`](crate::terminal::blocking_subscriber) and
/// [`for_each_subscriber`](crate::terminal::for_each_subscriber)), so that you can subscribe
/// it to any publisher yourself, or drive it by hand as the TCK does.
///
/// * `on_subscribe` requests the buffer's capacity; a second `on_subscribe` is cancelled
///   (rule 2.5), and so is one that arrives after the other side was dropped.
/// * `on_next` queues the item and wakes the other side if it waits. An item that does not
///   fit (the upstream sent more than it was asked for) cancels the upstream and ends the
///   stream with [`Error::buffer_overflow`] after the queued items; items after that, or
///   after a terminal signal, are dropped (rule 2.8).
/// * `on_error` and `on_complete` end the stream after the queued items; the subscriber calls
///   nothing on its subscription from then on (rules 2.3, 2.4), and the other side requests
///   no more once it has seen the signal.
/// * Dropped without a terminal signal (a publisher that breaks rule 1.7, or a subscriber that
///   was never subscribed), it ends the stream with an error of kind
///   [`Protocol`](reactive_core::ErrorKind::Protocol) instead of leaving the other side
///   waiting forever.
///
/// ```
/// use futures_util::StreamExt;
/// use reactive_core::Publisher;
/// use reactive_operators::bridge::stream_subscriber;
/// use reactive_operators::range;
///
/// let (subscriber, stream) = stream_subscriber::<u64>(4);
/// range(0u64..3).subscribe(subscriber);
/// let items: Vec<_> = futures_executor::block_on(stream.collect());
/// assert_eq!(items.into_iter().collect::<Result<Vec<_>, _>>().unwrap(), vec![0, 1, 2]);
/// ```
pub struct StreamSubscriber<T> {
    queue: Producer<T>,
    shared: Arc<Shared>,
    capacity: usize,
    name: &'static str,
    /// A terminal signal (or an overflow) was handled: ignore everything from now on.
    ended: bool,
}

impl<T> StreamSubscriber<T> {
    /// Records the end of the stream and wakes the receiver.
    fn end(&mut self, error: Option<Error>) {
        self.ended = true;
        if let Some(error) = error {
            *self.shared.error.lock() = Some(error);
        }
        self.shared.done.store(true, Ordering::Release);
        self.shared.signal();
    }

    #[cold]
    fn overflow(&mut self, item: T) {
        drop(item);
        if self.shared.upstream.is_cancelled() {
            // The receiver is gone: an item in flight after its cancel (rule 2.8).
            return;
        }
        self.shared.upstream.cancel();
        let error = Error::buffer_overflow(self.name, self.capacity);
        self.end(Some(error));
    }
}

impl<T: Send> Subscriber<T> for StreamSubscriber<T> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.shared.upstream.set(subscription) {
            self.shared.upstream.request(self.capacity as u64);
        }
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if self.ended {
            return;
        }
        match self.queue.offer(item) {
            Ok(()) => self.shared.signal(),
            Err(item) => self.overflow(item),
        }
    }

    fn on_error(&mut self, error: Error) {
        if !self.ended {
            self.end(Some(error));
        }
    }

    fn on_complete(&mut self) {
        if !self.ended {
            self.end(None);
        }
    }
}

impl<T> Drop for StreamSubscriber<T> {
    fn drop(&mut self) {
        if !self.ended {
            let error = Error::protocol(format!(
                "{}: the subscriber was dropped without a terminal signal (rule 1.7)",
                self.name
            ));
            self.end(Some(error));
        }
    }
}

impl<T> fmt::Debug for StreamSubscriber<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamSubscriber")
            .field("operator", &self.name)
            .field("queued", &self.queue.len())
            .field("capacity", &self.capacity)
            .field("ended", &self.ended)
            .finish()
    }
}

/// The consuming side of the buffer: what [`IntoStream`] and the blocking iterators poll.
pub(crate) struct Receiver<T> {
    queue: Consumer<T>,
    shared: Arc<Shared>,
    /// Replenish after this many items taken (`capacity - capacity / 4`).
    limit: usize,
    /// Items taken since the last request.
    taken: usize,
    /// The terminal item (`None`, or the error then `None`) was returned: fused.
    finished: bool,
    /// Subscribes the subscriber to its publisher on the first poll.
    subscribe: Option<Box<dyn FnOnce() + Send>>,
}

impl<T> Receiver<T> {
    /// A receiver that subscribes `subscriber` to `publisher` when it is first polled.
    pub(crate) fn lazy<P>(publisher: P, capacity: usize, name: &'static str) -> Self
    where
        P: Publisher<Item = T> + Send + 'static,
        T: Send + 'static,
    {
        let (subscriber, mut receiver) = channel(capacity, name);
        receiver.subscribe = Some(Box::new(move || publisher.subscribe(subscriber)));
        receiver
    }

    /// The next item, the terminal signal, or `Pending` without registering anything.
    #[inline]
    pub(crate) fn try_next(&mut self) -> Poll<Option<Result<T, Error>>> {
        if let Some(subscribe) = self.subscribe.take() {
            subscribe();
        }
        if self.finished {
            return Poll::Ready(None);
        }
        if self.taken >= self.limit {
            self.replenish();
        }
        if let Some(item) = self.queue.poll() {
            self.taken += 1;
            return Poll::Ready(Some(Ok(item)));
        }
        self.try_end()
    }

    /// [`try_next`](Self::try_next), and if that is `Pending`, arranges for `waker` to be
    /// woken by the next signal ([`wait`](Self::wait)).
    #[inline]
    pub(crate) fn poll_next(&mut self, waker: &Waker) -> Poll<Option<Result<T, Error>>> {
        match self.try_next() {
            Poll::Pending => self.wait(waker),
            ready => ready,
        }
    }

    /// [`try_next`](Self::try_next) again after each of [`SPIN_ROUNDS`] short spins.
    #[cold]
    pub(crate) fn spin(&mut self) -> Poll<Option<Result<T, Error>>> {
        for round in 0..SPIN_ROUNDS {
            for _ in 0..1u32 << round {
                std::hint::spin_loop();
            }
            if let ready @ Poll::Ready(_) = self.try_next() {
                return ready;
            }
        }
        Poll::Pending
    }

    /// Registers `waker`, sets the flag, and looks again (see the module docs).
    #[cold]
    pub(crate) fn wait(&mut self, waker: &Waker) -> Poll<Option<Result<T, Error>>> {
        {
            let mut slot = self.shared.waker.lock();
            if !slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
                *slot = Some(waker.clone());
            }
        }
        self.shared.waiting.swap(true, Ordering::AcqRel);
        let found = match self.queue.poll() {
            Some(item) => {
                self.taken += 1;
                Poll::Ready(Some(Ok(item)))
            }
            None => self.try_end(),
        };
        if found.is_ready() {
            // Nothing to wait for after all. A swap, not a store, keeps every access to the
            // flag in one read-modify-write chain; if a signal took the flag first, its wake
            // is spurious.
            self.shared.waiting.swap(false, Ordering::AcqRel);
        }
        found
    }

    /// With the ring found empty: the terminal item if the stream has ended, else `Pending`.
    fn try_end(&mut self) -> Poll<Option<Result<T, Error>>> {
        if !self.shared.is_done() {
            return Poll::Pending;
        }
        // `done` was published after the last item: look once more.
        if let Some(item) = self.queue.poll() {
            self.taken += 1;
            return Poll::Ready(Some(Ok(item)));
        }
        self.finished = true;
        Poll::Ready(self.shared.error.lock().take().map(Err))
    }

    #[cold]
    fn replenish(&mut self) {
        self.taken = 0;
        // No request once the upstream has ended (rule 2.4).
        if !self.shared.is_done() {
            self.shared.upstream.request(self.limit as u64);
        }
    }

    /// Whether the terminal item was returned.
    pub(crate) fn is_finished(&self) -> bool {
        self.finished
    }

    /// Items queued right now, and the capacity.
    pub(crate) fn len_and_capacity(&self) -> (usize, usize) {
        (self.queue.len(), self.queue.capacity())
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // Never subscribed: dropping the closure drops the subscriber unsubscribed.
        self.subscribe = None;
        // Cancel, unless the upstream already ended (rule 2.4).
        if !self.shared.is_done() {
            self.shared.upstream.cancel();
        }
        // The subscriber may outlive us (until its publisher lets go of it, rule 3.13): it
        // keeps no waker of ours and no queued item.
        drop(self.shared.waker.lock().take());
        self.queue.clear();
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (queued, capacity) = self.len_and_capacity();
        f.debug_struct("Receiver")
            .field("queued", &queued)
            .field("capacity", &capacity)
            .field("subscribed", &self.subscribe.is_none())
            .field("finished", &self.finished)
            .finish()
    }
}

/// The stream returned by [`PublisherExt::into_stream`](crate::PublisherExt::into_stream) and
/// [`stream_subscriber`]: the pipeline's items as a [`futures_core::Stream`] of
/// `Result<T, Error>`.
///
/// Subscribes on the first poll (when made by `into_stream`). Yields the items in order, then
/// `Some(Err(e))` if the pipeline failed, then `None`, and `None` forever after (it is a
/// [`FusedStream`]). Dropping it cancels the subscription. It is `Unpin`, and `Send` when
/// the items are.
///
/// ```
/// use futures_util::StreamExt;
/// use reactive_operators::{range, PublisherExt};
///
/// let mut stream = range(0u64..3).into_stream(2);
/// futures_executor::block_on(async {
///     assert_eq!(stream.next().await.unwrap().unwrap(), 0);
///     assert_eq!(stream.next().await.unwrap().unwrap(), 1);
///     assert_eq!(stream.next().await.unwrap().unwrap(), 2);
///     assert!(stream.next().await.is_none());
/// });
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct IntoStream<T> {
    receiver: Receiver<T>,
}

impl<T> IntoStream<T> {
    pub(crate) fn new<P>(publisher: P, prefetch: usize) -> Self
    where
        P: Publisher<Item = T> + Send + 'static,
        T: Send + 'static,
    {
        IntoStream {
            receiver: Receiver::lazy(publisher, prefetch, "into_stream"),
        }
    }

    /// Items waiting in the buffer right now (a snapshot).
    ///
    /// ```
    /// use futures_util::StreamExt;
    /// use reactive_operators::{range, PublisherExt};
    ///
    /// let mut stream = range(0u64..10).into_stream(4);
    /// assert_eq!(stream.queued(), 0); // not subscribed before the first poll
    /// futures_executor::block_on(stream.next());
    /// assert_eq!((stream.queued(), stream.capacity()), (3, 4));
    /// ```
    pub fn queued(&self) -> usize {
        self.receiver.len_and_capacity().0
    }

    /// The buffer's capacity: the `prefetch` it was made with.
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    ///
    /// assert_eq!(range(0u64..10).into_stream(32).capacity(), 32);
    /// ```
    pub fn capacity(&self) -> usize {
        self.receiver.len_and_capacity().1
    }
}

impl<T> Stream for IntoStream<T> {
    type Item = Result<T, Error>;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().receiver.poll_next(cx.waker())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.receiver.is_finished() {
            (0, Some(0))
        } else {
            (self.queued(), None)
        }
    }
}

impl<T> FusedStream for IntoStream<T> {
    fn is_terminated(&self) -> bool {
        self.receiver.is_finished()
    }
}

impl<T> fmt::Debug for IntoStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IntoStream").field(&self.receiver).finish()
    }
}

/// Creates a [`StreamSubscriber`] and the [`IntoStream`] that reads what it receives, for
/// subscribing to a publisher yourself (or driving the subscriber by hand).
///
/// Unlike [`PublisherExt::into_stream`](crate::PublisherExt::into_stream), nothing is
/// subscribed for you: the stream waits until the subscriber receives something.
///
/// # Backpressure
///
/// The subscriber requests `prefetch` when subscribed; the stream requests
/// `prefetch - prefetch / 4` more each time it has yielded that many items, so at most
/// `prefetch` items are ever buffered.
///
/// # Errors
///
/// As for `into_stream`: the upstream's error after the queued items; an overflow error if
/// the upstream sends more than was requested; a protocol error if the subscriber is dropped
/// without a terminal signal.
///
/// # Panics
///
/// If `prefetch` is 0, or larger than `usize::MAX / 2`.
///
/// # Examples
///
/// ```
/// use futures_util::StreamExt;
/// use reactive_core::{Error, Subscriber};
/// use reactive_core::support::empty_subscription;
/// use reactive_operators::bridge::stream_subscriber;
///
/// let (mut subscriber, mut stream) = stream_subscriber::<u32>(8);
/// subscriber.on_subscribe(empty_subscription());
/// subscriber.on_next(1);
/// subscriber.on_error(Error::msg("boom"));
/// futures_executor::block_on(async {
///     assert_eq!(stream.next().await.unwrap().unwrap(), 1);
///     assert_eq!(stream.next().await.unwrap().unwrap_err().message(), "boom");
///     assert!(stream.next().await.is_none());
/// });
/// ```
pub fn stream_subscriber<T>(prefetch: usize) -> (StreamSubscriber<T>, IntoStream<T>) {
    let (subscriber, receiver) = channel(prefetch, "into_stream");
    (subscriber, IntoStream { receiver })
}

#[cfg(all(test, reactive_loom))]
pub(crate) mod loom_models {
    //! The buffer handshake under every interleaving: a wait against a signal, a drop against
    //! an item in flight.

    use std::task::{Poll, Wake, Waker};

    use reactive_core::sync::atomic::{AtomicUsize, Ordering};
    use reactive_core::sync::thread;
    use reactive_core::{Error, Subscriber, Subscription};

    use super::channel;

    /// A waker that counts its wakes.
    #[derive(Default)]
    pub(crate) struct CountingWaker {
        wakes: AtomicUsize,
    }

    impl Wake for CountingWaker {
        fn wake(self: std::sync::Arc<Self>) {
            self.wakes.fetch_add(1, Ordering::AcqRel);
        }
    }

    impl CountingWaker {
        fn wakes(&self) -> usize {
            self.wakes.load(Ordering::Acquire)
        }
    }

    /// An upstream that counts requests and cancels.
    #[derive(Default)]
    pub(crate) struct Upstream {
        pub(crate) requested: AtomicUsize,
        pub(crate) cancels: AtomicUsize,
    }

    impl Subscription for Upstream {
        fn request(&self, n: u64) {
            self.requested.fetch_add(n as usize, Ordering::AcqRel);
        }
        fn cancel(&self) {
            self.cancels.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// An item that counts its drops.
    struct Tracked(std::sync::Arc<AtomicUsize>);

    impl Drop for Tracked {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// A consumer that finds the buffer empty and registers, against an `on_next` on another
    /// thread: it sees the item in that poll, or it is woken exactly once and sees it in the
    /// next; never a lost wake-up.
    #[test]
    fn wake_races_on_next() {
        loom::model(|| {
            let (mut subscriber, mut receiver) = channel::<u32>(2, "into_stream");
            subscriber.on_subscribe(std::sync::Arc::new(Upstream::default()));
            let counter = std::sync::Arc::new(CountingWaker::default());
            let waker = Waker::from(counter.clone());
            let producer = thread::spawn(move || {
                subscriber.on_next(7);
                subscriber
            });
            let first = receiver.poll_next(&waker);
            let subscriber = producer.join().unwrap();
            match first {
                Poll::Ready(Some(Ok(7))) => assert!(counter.wakes() <= 1, "woken twice"),
                Poll::Pending => {
                    assert_eq!(counter.wakes(), 1, "lost wake-up: waiting, and never woken");
                    assert!(matches!(
                        receiver.poll_next(&waker),
                        Poll::Ready(Some(Ok(7)))
                    ));
                }
                other => panic!("unexpected first poll {other:?}"),
            }
            drop(subscriber);
        });
    }

    /// A consumer that waits on an empty buffer, against the terminal signal on another
    /// thread: it sees the end in that poll, or it is woken and sees it in the next.
    #[test]
    fn terminal_races_wait() {
        loom::model(|| {
            let (mut subscriber, mut receiver) = channel::<u32>(1, "into_stream");
            subscriber.on_subscribe(std::sync::Arc::new(Upstream::default()));
            let counter = std::sync::Arc::new(CountingWaker::default());
            let waker = Waker::from(counter.clone());
            let producer = thread::spawn(move || {
                subscriber.on_error(Error::msg("boom"));
                subscriber
            });
            let first = receiver.poll_next(&waker);
            let subscriber = producer.join().unwrap();
            let error = match first {
                Poll::Ready(Some(Err(e))) => e,
                Poll::Pending => {
                    assert_eq!(counter.wakes(), 1, "lost wake-up: the error never woke us");
                    match receiver.poll_next(&waker) {
                        Poll::Ready(Some(Err(e))) => e,
                        other => panic!("expected the error, got {other:?}"),
                    }
                }
                other => panic!("unexpected first poll {other:?}"),
            };
            assert_eq!(error.message(), "boom");
            assert!(matches!(receiver.poll_next(&waker), Poll::Ready(None)));
            drop(subscriber);
        });
    }

    /// Dropping a waiting stream while `on_next` runs on another thread: the cancel reaches
    /// the upstream, the subscriber keeps no waker of the stream's, the item is dropped
    /// exactly once, and nothing touches the ring unsynchronized (loom's cell tracking).
    #[test]
    fn drop_races_on_next() {
        loom::model(|| {
            let (mut subscriber, mut receiver) = channel::<Tracked>(1, "into_stream");
            let upstream = std::sync::Arc::new(Upstream::default());
            subscriber.on_subscribe(upstream.clone());
            let counter = std::sync::Arc::new(CountingWaker::default());
            let waker = Waker::from(counter.clone());
            assert!(receiver.poll_next(&waker).is_pending());
            let drops = std::sync::Arc::new(AtomicUsize::new(0));
            let item = Tracked(drops.clone());
            let producer = thread::spawn(move || {
                subscriber.on_next(item);
                subscriber
            });
            drop(receiver);
            let subscriber = producer.join().unwrap();
            assert_eq!(
                upstream.cancels.load(Ordering::Acquire),
                1,
                "cancel lost or doubled"
            );
            assert_eq!(
                std::sync::Arc::strong_count(&counter),
                2,
                "the subscriber still holds the stream's waker"
            );
            assert!(drops.load(Ordering::Acquire) <= 1, "item dropped twice");
            drop(subscriber);
            assert_eq!(
                drops.load(Ordering::Acquire),
                1,
                "item leaked or dropped twice"
            );
            drop(waker);
        });
    }
}
