//! What `window`, `window_skip` and `group_by` share: an outer stream whose items are child
//! publishers (substreams), each with a bounded queue and a demand of its own, all served by
//! one drain loop.
//!
//! Who touches what:
//!
//! | state | written by | read by |
//! |---|---|---|
//! | a child's queue (`spsc`, its capacity is the bound) | the upstream's `on_next` (offer) | the drain (poll) |
//! | a child's `done` flag | the upstream side, after its last offer to that child | the drain |
//! | a child's `Demand`, its incoming subscriber | the child's subscriber / `subscribe`, any thread | the drain |
//! | `opened` (new children and their outer items) | the upstream side | the drain |
//! | `dirty` (ids of children with news) | whoever changed a child | the drain |
//! | the outer `Demand` | the outer downstream's `request` / `cancel` | the drain, the upstream side (is it gone?) |
//! | `done`, `failed`, `error` | the upstream's terminal signal, once | the drain |
//! | everything else (the subscribers, the children's consumers) | only the drain | |
//!
//! Each child's ring has exactly one producer (the upstream side, whose signals are serial)
//! and one consumer (the drain loop), so no multi-producer queue is needed. A child that has
//! news sets its `dirty` flag with a swap and, if the flag was clear, pushes its id on the
//! `dirty` list; the drain takes the list, clears each flag with a swap *before* looking at
//! that child, so a change made after the clear sets the flag again and pushes the id again:
//! no wake-up is lost, and the list never holds an id twice.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use reactive_core::queue::{Consumer, Producer, spsc};
use reactive_core::support::{Demand, Requested, SubscriptionSlot, WipCell, empty_subscription};
use reactive_core::sync::Mutex;
use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Error, ErrorKind, Subscriber, Subscription, SubscriptionRef, UNBOUNDED};

/// The drain loop a child wakes, without the child knowing the downstream's type.
pub(crate) trait Wake: Send + Sync {
    /// Pushes `id` on the list of children with news (when given), then drains.
    fn wake(&self, id: Option<u64>);
}

/// The part of a child that every thread may touch; also the subscription handed to the
/// child's subscriber.
pub(crate) struct ChildShared<T> {
    id: u64,
    /// The child subscriber's demand; cancelled by its `cancel`, or when the child is
    /// abandoned (its publisher dropped unsubscribed) or closed by the drain.
    demand: Demand,
    /// The id is on the hub's `dirty` list (or about to be looked at).
    dirty: AtomicBool,
    /// A subscriber took this child (or its publisher was dropped): later ones are rejected.
    claimed: AtomicBool,
    /// The subscriber, from `subscribe` until the drain takes it.
    incoming: Mutex<Option<Box<dyn Subscriber<T>>>>,
    /// The upstream side will offer nothing more to this child (`Release` after its last
    /// offer).
    done: AtomicBool,
    /// The drain has let the child go (cancelled, completed or failed): the upstream side
    /// stops routing to it.
    closed: AtomicBool,
    hub: Arc<dyn Wake>,
    /// The operator and what it calls a child, for the error a second subscriber gets.
    names: (&'static str, &'static str),
}

impl<T> ChildShared<T> {
    /// Records that this child has news and drains.
    pub(crate) fn signal(&self) {
        let push = !self.dirty.swap(true, Ordering::AcqRel);
        self.hub.wake(push.then_some(self.id));
    }

    /// The upstream side's last word to this child: nothing more will be offered.
    pub(crate) fn mark_done(&self) {
        self.done.store(true, Ordering::Release);
        self.signal();
    }

    /// Whether the drain let this child go.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

impl<T: Send + 'static> Subscription for ChildShared<T> {
    fn request(&self, n: u64) {
        // `add(0)` records the invalid request (rule 3.9); the drain reports it.
        if self.demand.add(n).is_some() {
            self.signal();
        }
    }

    fn cancel(&self) {
        if self.demand.cancel() {
            self.signal();
        }
    }
}

/// The handle inside a `Window` or a `GroupedPublisher`: subscribable once; dropped
/// unsubscribed, it cancels its child.
pub(crate) struct Substream<T: Send + 'static> {
    shared: Arc<ChildShared<T>>,
}

impl<T: Send + 'static> Substream<T> {
    /// Subscribes `subscriber` if it is the first; any later one gets `on_subscribe` then an
    /// error of kind `Rejected`.
    pub(crate) fn subscribe<S: Subscriber<T> + 'static>(&self, mut subscriber: S) {
        if self.shared.claimed.swap(true, Ordering::AcqRel) {
            let (operator, child) = self.shared.names;
            subscriber.on_subscribe(empty_subscription());
            subscriber.on_error(Error::new(
                ErrorKind::Rejected,
                format!("{operator}: a {child} accepts one subscriber, and this one has had it"),
            ));
            return;
        }
        *self.shared.incoming.lock() = Some(Box::new(subscriber));
        self.shared.signal();
    }

    /// Whether a subscriber took this child.
    pub(crate) fn is_claimed(&self) -> bool {
        self.shared.claimed.load(Ordering::Acquire)
    }
}

impl<T: Send + 'static> Drop for Substream<T> {
    fn drop(&mut self) {
        // Never subscribed: nobody will ever consume it, so it is cancelled (its queue is
        // dropped, and the upstream side stops routing to it).
        if !self.shared.claimed.swap(true, Ordering::AcqRel) && self.shared.demand.cancel() {
            self.shared.signal();
        }
    }
}

/// How a window operator turns the outer downstream's request for `k` windows into an
/// upstream request.
pub(crate) struct WindowDemand {
    pub(crate) size: u64,
    pub(crate) skip: u64,
    /// The first request has not been made yet; exactly one request takes it.
    pub(crate) first: AtomicBool,
}

impl WindowDemand {
    /// `size + (k - 1) * skip` for the first request (up to the end of the `k`-th window),
    /// `k * skip` for every later one.
    fn upstream_for(&self, k: u64) -> u64 {
        use super::buffer::multiply_cap;
        use reactive_core::support::add_cap;
        if self.first.swap(false, Ordering::AcqRel) {
            add_cap(self.size, multiply_cap(k - 1, self.skip))
        } else {
            multiply_cap(k, self.skip)
        }
    }
}

/// A child, as the drain holds it.
struct Child<T> {
    shared: Arc<ChildShared<T>>,
    queue: Consumer<T>,
    subscriber: Option<Box<dyn Subscriber<T>>>,
}

/// The state only the drain touches.
struct Drain<T, O, D> {
    /// `None` once the outer stream ended or was cancelled (rule 3.13).
    downstream: Option<D>,
    subscribed: bool,
    /// Children opened and not yet handed to the outer downstream (it has not asked).
    pending: VecDeque<O>,
    /// Every child not yet let go, by id.
    children: HashMap<u64, Child<T>>,
    /// Items consumed since the last replenish (only with a `replenish` limit).
    consumed: u64,
    /// The buffer the `dirty` list is swapped with (empty between passes).
    ids: Vec<u64>,
    /// The outer downstream cancelled (or made a `request(0)`).
    outer_gone: bool,
    upstream_cancelled: bool,
}

/// A child just opened by the upstream side: its queue's consumer, its shared part, and the
/// outer item that hands it out.
type Opened<T, O> = (Consumer<T>, Arc<ChildShared<T>>, O);

/// The outer subscription and everything the two sides share.
pub(crate) struct Hub<T, O, D> {
    outer: Demand,
    /// The upstream subscription: set by the upstream's `on_subscribe`.
    pub(crate) upstream: SubscriptionSlot,
    opened: Mutex<Vec<Opened<T, O>>>,
    dirty: Mutex<Vec<u64>>,
    done: AtomicBool,
    failed: AtomicBool,
    error: Mutex<Option<Error>>,
    /// The outer subscription, until the first pass hands it to the downstream.
    handle: Mutex<Option<SubscriptionRef>>,
    windows: Option<WindowDemand>,
    /// Replenish the upstream by this many once this many items were consumed (the 75%
    /// rule), for the operators whose upstream demand follows consumption.
    replenish: Option<u64>,
    names: (&'static str, &'static str),
    state: WipCell<Drain<T, O, D>>,
}

impl<T, O, D> Hub<T, O, D>
where
    T: Send + 'static,
    O: Send + 'static,
    D: Subscriber<O> + 'static,
{
    /// A hub for `downstream`; the first pass (run here) gives it `on_subscribe`.
    pub(crate) fn start(
        downstream: D,
        windows: Option<WindowDemand>,
        replenish: Option<u64>,
        names: (&'static str, &'static str),
    ) -> Arc<Self> {
        let hub = Arc::new(Hub {
            outer: Demand::new(),
            upstream: SubscriptionSlot::new(),
            opened: Mutex::new(Vec::new()),
            dirty: Mutex::new(Vec::new()),
            done: AtomicBool::new(false),
            failed: AtomicBool::new(false),
            error: Mutex::new(None),
            handle: Mutex::new(None),
            windows,
            replenish,
            names,
            state: WipCell::new(Drain {
                downstream: Some(downstream),
                subscribed: false,
                pending: VecDeque::new(),
                children: HashMap::new(),
                consumed: 0,
                ids: Vec::new(),
                outer_gone: false,
                upstream_cancelled: false,
            }),
        });
        let handle: SubscriptionRef = hub.clone();
        *hub.handle.lock() = Some(handle);
        hub.drain();
        hub
    }

    /// Whether the outer downstream cancelled or made a `request(0)`: no new child is opened
    /// then.
    pub(crate) fn outer_gone(&self) -> bool {
        !matches!(self.outer.requested(), Requested::Demand(_))
    }

    /// Opens child `id` with a queue of `capacity` items; `outer` makes the outer item from
    /// its handle. The upstream side keeps the producer; the drain gets the rest on its next
    /// pass (the caller's next `signal` of the child drives one).
    pub(crate) fn open(
        self: &Arc<Self>,
        id: u64,
        capacity: usize,
        outer: impl FnOnce(Substream<T>) -> O,
    ) -> (Producer<T>, Arc<ChildShared<T>>) {
        let (producer, consumer) = spsc(capacity);
        let hub: Arc<dyn Wake> = self.clone();
        let shared = Arc::new(ChildShared {
            id,
            demand: Demand::new(),
            dirty: AtomicBool::new(false),
            claimed: AtomicBool::new(false),
            incoming: Mutex::new(None),
            done: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            hub,
            names: self.names,
        });
        let item = outer(Substream {
            shared: shared.clone(),
        });
        self.opened.lock().push((consumer, shared.clone(), item));
        (producer, shared)
    }

    /// The upstream ended (with `error`, if it failed): the outer stream ends once every
    /// opened child was handed out, and each of the `open` children once its queue is
    /// consumed (or at once, with the error).
    ///
    /// The order matters: the error is recorded before anything is marked done (a pass that
    /// sees a child done must see the error too), and the outer is marked done before the
    /// children, so a pass that sees the last child end does not take the outer's absence for
    /// a reason to cancel an upstream that is ending (rule 2.3).
    pub(crate) fn end(
        &self,
        error: Option<Error>,
        open: impl Iterator<Item = Arc<ChildShared<T>>>,
    ) {
        if let Some(error) = error {
            *self.error.lock() = Some(error);
            self.failed.store(true, Ordering::Release);
        }
        self.done.store(true, Ordering::Release);
        self.drain();
        for child in open {
            child.mark_done();
        }
    }

    fn drain(&self) {
        self.state.drain(|st| self.pass(st));
    }

    fn pass(&self, st: &mut Drain<T, O, D>) {
        if !st.subscribed {
            st.subscribed = true;
            let handle = self.handle.lock().take();
            if let (Some(handle), Some(downstream)) = (handle, st.downstream.as_mut()) {
                // Requests made in here only bump the drain counter: the next pass serves them.
                downstream.on_subscribe(handle);
            }
        }
        // `done` first: every child was opened before it was set.
        let done = self.done.load(Ordering::Acquire);
        // The dirty list before the opened one: a child is opened before it is first
        // signalled, so every id taken here belongs to a child taken below (or earlier).
        // Swapped with the pass's own (empty) buffer: the two keep their capacity, so a pass
        // per item allocates nothing here.
        let mut dirty = std::mem::take(&mut st.ids);
        std::mem::swap(&mut *self.dirty.lock(), &mut dirty);
        let opened = std::mem::take(&mut *self.opened.lock());
        for (queue, shared, item) in opened {
            st.children.insert(
                shared.id,
                Child {
                    shared,
                    queue,
                    subscriber: None,
                },
            );
            st.pending.push_back(item);
        }
        self.serve_outer(st, done);
        for &id in &dirty {
            let Some(child) = st.children.get_mut(&id) else {
                continue;
            };
            // Cleared before looking: news after this line pushes the id again.
            child.shared.dirty.swap(false, Ordering::AcqRel);
            if !self.serve_child(child, &mut st.consumed) {
                if let Some(child) = st.children.remove(&id) {
                    self.close(child, &mut st.consumed);
                }
            }
        }
        dirty.clear();
        st.ids = dirty;
        if st.outer_gone
            && st.children.is_empty()
            && !st.upstream_cancelled
            && !self.done.load(Ordering::Acquire)
        {
            // Nobody is left to consume anything: the upstream is not needed any more.
            st.upstream_cancelled = true;
            self.upstream.cancel();
        }
        // Replenish last, once this pass has let go of what it could: a synchronous upstream
        // emits inside this call, and must not be asked again by a pass that was about to
        // find nobody left to consume.
        if let Some(limit) = self.replenish {
            while st.consumed >= limit && !st.upstream_cancelled {
                st.consumed -= limit;
                self.upstream.request(limit);
            }
        }
    }

    /// Hands opened children to the outer downstream as it requests them, then its terminal
    /// signal once the upstream ended and every child was handed out.
    fn serve_outer(&self, st: &mut Drain<T, O, D>, done: bool) {
        let Some(downstream) = st.downstream.as_mut() else {
            // A child opened while the outer downstream was leaving (the upstream side saw
            // it still there): it will never be handed out, so it is dropped, which cancels
            // it; kept, it would hold the hub and itself alive.
            st.pending.clear();
            return;
        };
        let Some(requested) = self.outer.check(downstream) else {
            return self.outer_stop(st);
        };
        let mut emitted = 0;
        while emitted < requested && !self.outer.is_stopping() {
            let Some(item) = st.pending.pop_front() else {
                break;
            };
            downstream.on_next(item);
            emitted += 1;
        }
        if emitted > 0 && requested != UNBOUNDED {
            self.outer.produced(emitted);
        }
        if self.outer.is_stopping() {
            // A cancel or `request(0)` from inside `on_next`: reported (rule 3.9) unless a
            // cancel came first.
            self.outer.check(downstream);
            return self.outer_stop(st);
        }
        if self.failed.load(Ordering::Acquire) {
            let error = self.error.lock().clone();
            if let Some(error) = error {
                downstream.on_error(error);
            }
            st.downstream = None;
            st.pending.clear(); // abandoned: each cancels its child
        } else if done && st.pending.is_empty() {
            downstream.on_complete();
            st.downstream = None;
        }
    }

    /// The outer downstream is gone: children not handed out are dropped (each cancels its
    /// child, which the next pass lets go); the handed-out ones go on.
    fn outer_stop(&self, st: &mut Drain<T, O, D>) {
        st.downstream = None;
        st.outer_gone = true;
        st.pending.clear();
    }

    /// Serves one child: its subscriber's arrival, its items as it requests them, its
    /// terminal signal. Returns `false` when the child is over.
    fn serve_child(&self, child: &mut Child<T>, consumed: &mut u64) -> bool {
        if child.subscriber.is_none() {
            let incoming = child.shared.incoming.lock().take();
            if let Some(mut subscriber) = incoming {
                // Requests made in here only bump the drain counter and mark the child again.
                subscriber.on_subscribe(child.shared.clone());
                child.subscriber = Some(subscriber);
            }
        }
        let Some(subscriber) = child.subscriber.as_mut() else {
            // Not subscribed yet: its items wait in its queue (bounded), unless it was
            // abandoned.
            return !child.shared.demand.is_cancelled();
        };
        loop {
            // `done` before `failed` (the error is recorded before any child is marked done)
            // and before the queue (every item was offered before `done`).
            let done = child.shared.done.load(Ordering::Acquire);
            if self.failed.load(Ordering::Acquire) {
                let error = self.error.lock().clone();
                if let Some(error) = error {
                    subscriber.on_error(error);
                }
                return false;
            }
            let Some(requested) = child.shared.demand.check(&mut **subscriber) else {
                return false;
            };
            let mut emitted = 0;
            while emitted < requested {
                let Some(item) = child.queue.poll() else {
                    break;
                };
                subscriber.on_next(item);
                emitted += 1;
                self.release(consumed, 1);
                if child.shared.demand.is_stopping() {
                    break;
                }
            }
            if emitted > 0 && requested != UNBOUNDED {
                child.shared.demand.produced(emitted);
            }
            if child.shared.demand.is_stopping() {
                child.shared.demand.check(&mut **subscriber);
                return false;
            }
            if child.queue.is_empty() {
                if done {
                    subscriber.on_complete();
                    return false;
                }
                return true;
            }
            if emitted == 0 {
                return true; // no demand: the next request marks the child again
            }
        }
    }

    /// Lets a child go: the upstream side stops routing to it, its queue is dropped.
    fn close(&self, mut child: Child<T>, consumed: &mut u64) {
        child.shared.closed.store(true, Ordering::Release);
        child.shared.demand.cancel();
        let dropped = child.queue.len() as u64;
        child.queue.clear();
        self.release(consumed, dropped);
    }

    /// Counts `n` items gone from the queues; the end of the pass replenishes by the 75%
    /// rule.
    fn release(&self, consumed: &mut u64, n: u64) {
        if self.replenish.is_some() {
            *consumed += n;
        }
    }
}

impl<T, O, D> Wake for Hub<T, O, D>
where
    T: Send + 'static,
    O: Send + 'static,
    D: Subscriber<O> + 'static,
{
    fn wake(&self, id: Option<u64>) {
        if let Some(id) = id {
            self.dirty.lock().push(id);
        }
        self.drain();
    }
}

impl<T, O, D> Subscription for Hub<T, O, D>
where
    T: Send + 'static,
    O: Send + 'static,
    D: Subscriber<O> + 'static,
{
    fn request(&self, n: u64) {
        if self.outer.add(n).is_some() {
            if n > 0 {
                if let Some(windows) = &self.windows {
                    self.upstream.request(windows.upstream_for(n));
                }
            }
            self.drain();
        }
    }

    fn cancel(&self) {
        if self.outer.cancel() {
            self.drain();
        }
    }
}
