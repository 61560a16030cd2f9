use std::fmt;
use std::task::{Poll, Wake, Waker};

use reactive_core::sync::thread::{self, Thread};
use reactive_core::{Error, Publisher};

use crate::bridge::StreamSubscriber;
use crate::bridge::into_stream::{Receiver, channel};

/// Times the blocked thread yields its core (and looks again) after the spin and before it
/// parks: an unpark costs a system call on each side and a trip through the OS scheduler, so a
/// producer that is only a few microseconds behind is met without one. None under loom, where
/// a yield is only another interleaving of the same look.
#[cfg(not(reactive_loom))]
const YIELD_ROUNDS: u32 = 16;
#[cfg(reactive_loom)]
const YIELD_ROUNDS: u32 = 0;

/// Wakes a parked thread: the waker the blocking terminals hand to the buffer protocol that
/// [`IntoStream`](crate::bridge::IntoStream) uses, so that there is one protocol for both.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.0.unpark();
    }
}

/// The iterator returned by [`PublisherExt::blocking_iter`](crate::PublisherExt::blocking_iter)
/// and [`blocking_subscriber`]: the pipeline's items, taken on the calling thread, which parks
/// while the buffer is empty.
///
/// Yields `Ok(item)` in order, then `Err(e)` if the pipeline failed, then `None` forever
/// after (it is fused). Dropping it cancels the subscription. It may be moved to another
/// thread between calls to `next`: it parks whichever thread calls.
///
/// ```
/// use reactive_operators::{range, PublisherExt};
///
/// let items: Result<Vec<u64>, _> = range(0u64..5).blocking_iter(2).collect();
/// assert_eq!(items.unwrap(), vec![0, 1, 2, 3, 4]);
/// ```
#[must_use = "iterators do nothing unless advanced"]
pub struct BlockingIter<T> {
    receiver: Receiver<T>,
    /// The waker for the thread that last waited, made once per thread.
    waker: Option<(Thread, Waker)>,
}

impl<T> BlockingIter<T> {
    pub(crate) fn new<P>(publisher: P, batch: usize, name: &'static str) -> Self
    where
        P: Publisher<Item = T> + Send + 'static,
        T: Send + 'static,
    {
        BlockingIter {
            receiver: Receiver::lazy(publisher, batch, name),
            waker: None,
        }
    }

    fn from_receiver(receiver: Receiver<T>) -> Self {
        BlockingIter {
            receiver,
            waker: None,
        }
    }

    /// The waker that unparks the calling thread.
    fn waker(&mut self) -> Waker {
        let me = thread::current();
        match &self.waker {
            Some((thread, waker)) if thread.id() == me.id() => waker.clone(),
            _ => {
                let waker = Waker::from(std::sync::Arc::new(Unpark(me.clone())));
                self.waker = Some((me, waker.clone()));
                waker
            }
        }
    }

    /// Items waiting in the buffer right now (a snapshot).
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    ///
    /// let mut items = range(0u64..10).blocking_iter(4);
    /// assert_eq!(items.queued(), 0); // not subscribed before the first `next`
    /// items.next();
    /// assert_eq!((items.queued(), items.capacity()), (3, 4));
    /// ```
    pub fn queued(&self) -> usize {
        self.receiver.len_and_capacity().0
    }

    /// The buffer's capacity: the `batch` it was made with.
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    ///
    /// assert_eq!(range(0u64..10).blocking_iter(16).capacity(), 16);
    /// ```
    pub fn capacity(&self) -> usize {
        self.receiver.len_and_capacity().1
    }
}

impl<T> Iterator for BlockingIter<T> {
    type Item = Result<T, Error>;

    #[inline]
    fn next(&mut self) -> Option<Result<T, Error>> {
        if let Poll::Ready(next) = self.receiver.try_next() {
            return next;
        }
        self.block()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.receiver.is_finished() {
            (0, Some(0))
        } else {
            (self.queued(), None)
        }
    }
}

impl<T> BlockingIter<T> {
    /// The buffer was empty: spin, yield, then park until woken.
    #[cold]
    fn block(&mut self) -> Option<Result<T, Error>> {
        if let Poll::Ready(next) = self.receiver.spin() {
            return next;
        }
        for _ in 0..YIELD_ROUNDS {
            thread::yield_now();
            if let Poll::Ready(next) = self.receiver.try_next() {
                return next;
            }
        }
        let waker = self.waker();
        loop {
            match self.receiver.wait(&waker) {
                Poll::Ready(next) => return next,
                // Woken (or spuriously unparked, or by a stale unpark): look again.
                Poll::Pending => thread::park(),
            }
        }
    }
}

impl<T> std::iter::FusedIterator for BlockingIter<T> {}

impl<T> fmt::Debug for BlockingIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BlockingIter").field(&self.receiver).finish()
    }
}

/// Creates a [`StreamSubscriber`] and the [`BlockingIter`] that takes what it receives, for
/// subscribing to a publisher yourself (or driving the subscriber by hand).
///
/// # Backpressure
///
/// The subscriber requests `batch` when subscribed; the iterator requests
/// `batch - batch / 4` more each time it has yielded that many items, so at most `batch`
/// items are ever buffered.
///
/// # Errors
///
/// As for [`blocking_iter`](crate::PublisherExt::blocking_iter): the upstream's error after
/// the queued items; an overflow error if the upstream sends more than was requested; a
/// protocol error if the subscriber is dropped without a terminal signal.
///
/// # Panics
///
/// If `batch` is 0, or larger than `usize::MAX / 2`.
///
/// # Examples
///
/// ```
/// use reactive_core::Publisher;
/// use reactive_operators::range;
/// use reactive_operators::terminal::blocking_subscriber;
///
/// let (subscriber, items) = blocking_subscriber::<u64>(8);
/// let producer = std::thread::spawn(move || range(0u64..20).subscribe(subscriber));
/// let sum: u64 = items.map(Result::unwrap).sum();
/// producer.join().unwrap();
/// assert_eq!(sum, 190);
/// ```
pub fn blocking_subscriber<T>(batch: usize) -> (StreamSubscriber<T>, BlockingIter<T>) {
    named_blocking_subscriber(batch, "blocking_iter")
}

/// A [`blocking_subscriber`] for the terminals that are named `name` in overflow errors.
pub(crate) fn named_blocking_subscriber<T>(
    batch: usize,
    name: &'static str,
) -> (StreamSubscriber<T>, BlockingIter<T>) {
    let (subscriber, receiver) = channel(batch, name);
    (subscriber, BlockingIter::from_receiver(receiver))
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use reactive_core::Subscriber;
    use reactive_core::sync::thread;

    use super::blocking_subscriber;
    use crate::bridge::into_stream::loom_models::Upstream;

    /// A thread that parks on an empty buffer against items and completion sent from another
    /// thread: every wait ends with an unpark (a lost one is a deadlock in the model), and the
    /// items come out in order, then the end.
    #[test]
    fn park_races_on_next() {
        loom::model(|| {
            let (mut subscriber, items) = blocking_subscriber::<u32>(2);
            subscriber.on_subscribe(std::sync::Arc::new(Upstream::default()));
            let producer = thread::spawn(move || {
                subscriber.on_next(1);
                subscriber.on_next(2);
                subscriber.on_complete();
            });
            let got: Vec<u32> = items.map(Result::unwrap).collect();
            assert_eq!(got, vec![1, 2]);
            producer.join().unwrap();
        });
    }
}
