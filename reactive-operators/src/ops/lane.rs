//! One source of an operator that joins several (`zip`, `zip_all`, `combine_latest`): either a
//! cursor pulled from the operator's drain loop (a fused source), or a subscription feeding a
//! bounded SPSC ring of `prefetch` items, of which this lane is the only consumer.
//!
//! Who touches what:
//!
//! | state | written by | read by |
//! |---|---|---|
//! | the ring (`spsc`, exactly `prefetch` items) | the source's `on_next` (offer) | the drain (poll) |
//! | `done`, `failed`, `error` ([`LaneShared`]) | the source's terminal signal or an overflow, once | the drain |
//! | the source's subscription ([`SubscriptionSlot`]) | the source's `on_subscribe` | the drain (replenish), `cancel` |
//! | the head, the cursor, the replenish count ([`Lane`]) | only the drain | |

use std::sync::Arc;

use reactive_core::queue::{Consumer, Producer, spsc};
use reactive_core::source::{BoxPull, Fused, Next};
use reactive_core::support::SubscriptionSlot;
use reactive_core::sync::Mutex;
use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// What a lane's subscriber and the operator's drain and subscription share.
#[derive(Debug)]
pub(crate) struct LaneShared {
    /// The source's subscription: asked for more by the drain, cancelled by a cancel or a
    /// terminal signal of the operator.
    upstream: SubscriptionSlot,
    /// The source has ended (completed, failed or overflowed): `Release` after its last
    /// offer, so a drain that reads it with `Acquire` and then finds the ring empty has seen
    /// every item.
    done: AtomicBool,
    /// `done` with an error, which `error` holds (stored before this flag).
    failed: AtomicBool,
    error: Mutex<Option<Error>>,
}

impl LaneShared {
    fn new() -> Self {
        LaneShared {
            upstream: SubscriptionSlot::new(),
            done: AtomicBool::new(false),
            failed: AtomicBool::new(false),
            error: Mutex::new(None),
        }
    }

    /// Cancels the source, unless it has already ended (a cancel after its terminal signal
    /// would break rule 2.4 on the subscriber side).
    pub(crate) fn cancel(&self) {
        if !self.done.load(Ordering::Acquire) {
            self.upstream.cancel();
        }
    }

    /// Records the end (the error first, then the flags).
    fn end(&self, error: Option<Error>) {
        if let Some(error) = error {
            *self.error.lock() = Some(error);
            self.failed.store(true, Ordering::Release);
        }
        self.done.store(true, Ordering::Release);
    }

    /// The source's error, once it failed (fail fast: queued items do not hold it back).
    #[inline]
    fn take_error(&self) -> Option<Error> {
        if self.failed.load(Ordering::Acquire) {
            self.take_error_slow()
        } else {
            None
        }
    }

    #[cold]
    fn take_error_slow(&self) -> Option<Error> {
        let error = self.error.lock().take();
        Some(error.unwrap_or_else(|| Error::msg("a joined source failed")))
    }
}

/// What a lane can say about its next item.
#[derive(Debug)]
pub(crate) enum Look {
    /// It has a head.
    Head,
    /// No head yet: wait for the source (or for demand, if it is pulled).
    Empty,
    /// The source completed and every item it sent has been taken.
    Done,
    /// The source failed.
    Failed(Error),
}

impl Look {
    /// Two lanes' answers as one: a failure wins, then an ended lane, then a waiting one.
    #[inline]
    pub(crate) fn and(self, other: Look) -> Look {
        match (self, other) {
            (Look::Failed(e), _) | (_, Look::Failed(e)) => Look::Failed(e),
            (Look::Done, _) | (_, Look::Done) => Look::Done,
            (Look::Empty, _) | (_, Look::Empty) => Look::Empty,
            (Look::Head, Look::Head) => Look::Head,
        }
    }
}

/// Where a lane's items come from.
enum Feed<T> {
    /// A fused source, pulled only with demand.
    Cursor(BoxPull<T>),
    /// A subscribed source, through its ring.
    Ring {
        ring: Consumer<T>,
        shared: Arc<LaneShared>,
        /// Replenish after this many items were taken (the 75% rule).
        limit: usize,
        /// Items taken since the last replenish.
        consumed: usize,
    },
    /// The cursor (or the scalar) has ended.
    Ended(Result<(), Error>),
}

/// One source as the drain sees it: its head (taken out of the ring or the cursor) and its
/// feed. Touched only by the drainer.
pub(crate) struct Lane<T> {
    head: Option<T>,
    feed: Feed<T>,
}

impl<T> std::fmt::Debug for Lane<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lane")
            .field("has_head", &self.head.is_some())
            .finish_non_exhaustive()
    }
}

/// The other end of a subscribed lane: the source is subscribed with a [`LaneSubscriber`] once
/// the operator's drain is in place.
pub(crate) struct Feeder<T> {
    ring: Producer<T>,
    shared: Arc<LaneShared>,
    prefetch: u64,
    name: &'static str,
}

impl<T: Send + 'static> Lane<T> {
    /// The lane of `source`: its cursor if it fuses, otherwise a ring of `prefetch` items and
    /// the [`Feeder`] to subscribe it with.
    ///
    /// `name` names the operator in an overflow error; `fuse` says whether a source that
    /// fuses may be pulled (an operator that must take items as they come says no).
    pub(crate) fn open<P>(
        source: &P,
        prefetch: usize,
        name: &'static str,
        fuse: bool,
    ) -> (Lane<T>, Option<Feeder<T>>)
    where
        P: Publisher<Item = T>,
    {
        match source.fuse().filter(|_| fuse) {
            Some(Fused::Scalar(value)) => (
                Lane {
                    head: Some(value),
                    feed: Feed::Ended(Ok(())),
                },
                None,
            ),
            Some(Fused::Cursor(cursor)) => (
                Lane {
                    head: None,
                    feed: Feed::Cursor(cursor),
                },
                None,
            ),
            None => {
                let (producer, consumer) = spsc(prefetch);
                let shared = Arc::new(LaneShared::new());
                let lane = Lane {
                    head: None,
                    feed: Feed::Ring {
                        ring: consumer,
                        shared: shared.clone(),
                        limit: crate::replenish_limit(prefetch),
                        consumed: 0,
                    },
                };
                let feeder = Feeder {
                    ring: producer,
                    shared,
                    prefetch: prefetch as u64,
                    name,
                };
                (lane, Some(feeder))
            }
        }
    }
}

impl<T: 'static> Lane<T> {
    /// The shared state of a subscribed lane (for the operator's cancel), `None` if pulled.
    pub(crate) fn shared(&self) -> Option<Arc<LaneShared>> {
        match &self.feed {
            Feed::Ring { shared, .. } => Some(shared.clone()),
            _ => None,
        }
    }

    /// Fills the head if it can: from the ring, or from the cursor when `pull` (there is
    /// demand for one more row); then says what the lane has.
    #[inline]
    pub(crate) fn look(&mut self, pull: bool) -> Look {
        if self.head.is_some() {
            return Look::Head;
        }
        match &mut self.feed {
            Feed::Cursor(cursor) => {
                let next = if pull {
                    cursor.next()
                } else {
                    match cursor.end() {
                        Some(end) => Next::End(end),
                        None => return Look::Empty,
                    }
                };
                match next {
                    Next::Item(item) => {
                        self.head = Some(item);
                        Look::Head
                    }
                    // A fused cursor never returns it (`Publisher::fuse`'s contract).
                    Next::Pending => Look::Empty,
                    Next::End(end) => {
                        let look = ended(&end);
                        self.feed = Feed::Ended(end);
                        look
                    }
                }
            }
            Feed::Ring {
                ring,
                shared,
                limit,
                consumed,
            } => {
                let item = match ring.poll() {
                    Some(item) => item,
                    None => {
                        // `done` first, then the ring again: every item was offered before
                        // `done` was set, so a ring found empty after reading it is empty
                        // for good.
                        if !shared.done.load(Ordering::Acquire) {
                            return Look::Empty;
                        }
                        match ring.poll() {
                            Some(item) => item,
                            None => {
                                return match shared.take_error() {
                                    Some(error) => Look::Failed(error),
                                    None => Look::Done,
                                };
                            }
                        }
                    }
                };
                *consumed += 1;
                if *consumed == *limit {
                    *consumed = 0;
                    shared.upstream.request(*limit as u64);
                }
                self.head = Some(item);
                Look::Head
            }
            Feed::Ended(end) => ended(end),
        }
    }

    /// An error of a subscribed source, as soon as it arrived (fail fast).
    #[inline]
    pub(crate) fn failure(&self) -> Option<Error> {
        match &self.feed {
            Feed::Ring { shared, .. } => shared.take_error(),
            _ => None,
        }
    }

    /// The head, or the next item (from the ring, or from the cursor when `pull`), taken; or
    /// `None`, and then [`look`](Self::look) says why. The fast path of a row: an item taken
    /// here that cannot make a row yet goes back with [`put_back`](Self::put_back).
    #[inline(always)]
    pub(crate) fn poll_item(&mut self, pull: bool) -> Option<T> {
        if self.head.is_some() {
            return self.head.take();
        }
        match &mut self.feed {
            Feed::Cursor(cursor) if pull => match cursor.next() {
                Next::Item(item) => Some(item),
                Next::Pending => None,
                Next::End(end) => {
                    self.feed = Feed::Ended(end);
                    None
                }
            },
            Feed::Ring {
                ring,
                shared,
                limit,
                consumed,
            } => {
                let item = ring.poll()?;
                *consumed += 1;
                if *consumed == *limit {
                    *consumed = 0;
                    shared.upstream.request(*limit as u64);
                }
                Some(item)
            }
            _ => None,
        }
    }

    /// The cursor of a pulled lane that has no head, for a loop that pulls it directly.
    #[inline(always)]
    pub(crate) fn bare_cursor(&mut self) -> Option<&mut BoxPull<T>> {
        match &mut self.feed {
            Feed::Cursor(cursor) if self.head.is_none() => Some(cursor),
            _ => None,
        }
    }

    /// Records what a loop over [`bare_cursor`](Self::bare_cursor) got instead of an item:
    /// the end (kept for [`look`](Self::look)), or nothing for now.
    #[cold]
    pub(crate) fn cursor_stopped(&mut self, next: Next<T>) {
        match next {
            Next::Item(item) => self.put_back(item),
            Next::Pending => {}
            Next::End(end) => self.feed = Feed::Ended(end),
        }
    }

    /// Makes `item` the head again (it was taken by [`poll_item`](Self::poll_item) for a row
    /// that another lane could not complete).
    #[inline]
    pub(crate) fn put_back(&mut self, item: T) {
        debug_assert!(self.head.is_none());
        self.head = Some(item);
    }

    /// Takes the head; only after [`look`](Self::look) said [`Look::Head`].
    #[inline]
    pub(crate) fn take(&mut self) -> T {
        self.head.take().expect("look said the lane has a head")
    }
}

fn ended(end: &Result<(), Error>) -> Look {
    match end {
        Ok(()) => Look::Done,
        Err(error) => Look::Failed(error.clone()),
    }
}

/// Something whose drain a lane's subscriber runs after each signal it recorded.
pub(crate) trait Wake: Send + Sync + 'static {
    /// Runs (or notes for the running drainer) one more pass.
    fn wake(&self);
}

impl<T> Feeder<T> {
    /// The subscriber to put on the source, waking `wake`'s drain after each signal.
    pub(crate) fn subscriber<W: Wake>(self, wake: Arc<W>) -> LaneSubscriber<T, W> {
        LaneSubscriber {
            ring: self.ring,
            shared: self.shared,
            wake,
            prefetch: self.prefetch,
            name: self.name,
            done: false,
        }
    }
}

/// The subscriber put on a subscribed source: offers each item to the lane's ring and wakes
/// the drain.
pub(crate) struct LaneSubscriber<T, W> {
    ring: Producer<T>,
    shared: Arc<LaneShared>,
    wake: Arc<W>,
    prefetch: u64,
    /// The operator, for an overflow error.
    name: &'static str,
    /// The source ended or overflowed: later signals are ignored.
    done: bool,
}

impl<T, W> std::fmt::Debug for LaneSubscriber<T, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LaneSubscriber")
            .field("queued", &self.ring.len())
            .field("capacity", &self.ring.capacity())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static, W: Wake> Subscriber<T> for LaneSubscriber<T, W> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // A second subscription, or one arriving after a cancel, is cancelled (rule 2.5).
        if self.shared.upstream.set(subscription.clone()) {
            subscription.request(self.prefetch);
        }
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if self.done {
            return;
        }
        if let Err(item) = self.ring.offer(item) {
            drop(item);
            self.done = true;
            self.shared.upstream.cancel();
            let capacity = self.ring.capacity();
            self.shared
                .end(Some(Error::buffer_overflow(self.name, capacity)));
        }
        // After the offer (or the overflow): the pass this wakes finds it.
        self.wake.wake();
    }

    fn on_error(&mut self, error: Error) {
        if !self.done {
            self.done = true;
            self.shared.end(Some(error));
            self.wake.wake();
        }
    }

    fn on_complete(&mut self) {
        if !self.done {
            self.done = true;
            self.shared.end(None);
            self.wake.wake();
        }
    }
}
