//! The drain loop `concat_map` and `switch_map` share: outer items in, one inner at a time,
//! its items out under the downstream's demand.
//!
//! Who touches what:
//!
//! | state | written by | read by |
//! |---|---|---|
//! | the outer ring (`concat_map`: `spsc(prefetch)`) | the outer's `on_next` (offer) | the drain (poll) |
//! | the latest outer item (`switch_map`, a one-item slot under a short lock) | the outer's `on_next` | the drain, before each item |
//! | `outer_done`, `outer_failed`, the outer error | the outer's terminal signal, or an overflow, once | the drain |
//! | each inner's ring (`spsc(32)`), its `done` and error | that inner's subscriber (its only producer) | the drain |
//! | the downstream's `Demand` | `request`, `cancel` (any thread) | the drain |
//! | the outer and inner subscriptions (`SubscriptionSlot`) | their `on_subscribe` | the drain (requests), `cancel` |
//! | the downstream, the mapper, the current inner, kept errors | only the drain ([`WipCell`]) | |
//!
//! Every path records its change first, then calls the drain; whoever moves the drain's
//! counter from 0 runs the pass, the others leave, and the pass runs again for each signal it
//! missed. An inner that fuses (`Publisher::fuse`) has no subscription and no ring: the pass
//! pulls its cursor with demand. A subscribed inner is asked for what the downstream has
//! requested and not yet received, at most [`INNER_CAPACITY`] at a time, so its ring can never
//! overflow unless the inner breaks rule 1.1.

use std::sync::Arc;

use reactive_core::queue::{Consumer, Producer, spsc};
use reactive_core::source::{BoxPull, Fused, Next};
use reactive_core::support::{Demand, SubscriptionSlot, WipCell};
use reactive_core::sync::Mutex;
use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{
    Error, ErrorKind, Publisher, Subscriber, Subscription, SubscriptionRef, UNBOUNDED,
};

use super::composite::CompositeError;

/// How many items a subscribed inner may have outstanding (requested and not yet emitted
/// downstream): the capacity of its ring.
pub(crate) const INNER_CAPACITY: usize = 32;

/// Ask a subscribed inner for more once at least this many are missing (the 75% rule), or
/// when nothing is outstanding.
const INNER_LIMIT: u64 = (INNER_CAPACITY - INNER_CAPACITY / 4) as u64;

/// Items pulled from a fused cursor before the pass looks at the other signals again.
const CURSOR_BATCH: u64 = 256;

/// How the outer items are taken.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mode {
    /// `concat_map`: every outer item, in order, through a ring of `prefetch`.
    Concat { prefetch: usize, delay_error: bool },
    /// `switch_map`: only the latest outer item; a new one cancels the current inner.
    Switch,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Concat { .. } => "concat_map",
            Mode::Switch => "switch_map",
        }
    }
}

/// Subscribes `downstream` to the inners of `f` over `source`'s items.
pub(crate) fn subscribe<P, Q, F, D>(source: &P, f: F, mode: Mode, downstream: D)
where
    P: Publisher,
    P::Item: Send + 'static,
    Q: Publisher + Send + 'static,
    Q::Item: Send + 'static,
    F: FnMut(P::Item) -> Q + Send + 'static,
    D: Subscriber<Q::Item> + 'static,
{
    let (producer, consumer, limit) = match mode {
        Mode::Concat { prefetch, .. } => {
            let (p, c) = spsc(prefetch);
            (Some(p), Some(c), crate::replenish_limit(prefetch))
        }
        Mode::Switch => (None, None, 0),
    };
    let core = Arc::new(Core {
        shared: Shared {
            demand: Demand::new(),
            outer: SubscriptionSlot::new(),
            outer_end: Ending::new(),
            latest: Mutex::new(None),
            handle: Mutex::new(None),
        },
        cell: WipCell::new(State {
            downstream: Some(downstream),
            subscribed: false,
            f,
            queue: consumer,
            limit,
            consumed: 0,
            active: Active::Idle,
            errors: Vec::new(),
            mode,
        }),
    });
    let subscription: SubscriptionRef = Arc::new(SequentialSubscription { core: core.clone() });
    // Taken by the first pass, which hands it to the downstream (until then a cycle through
    // the core; the pass breaks it).
    *core.shared.handle.lock() = Some(subscription);
    core.signal();
    let request = match mode {
        Mode::Concat { prefetch, .. } => prefetch as u64,
        Mode::Switch => UNBOUNDED,
    };
    source.subscribe(OuterSubscriber {
        queue: producer,
        core,
        request,
        done: false,
    });
}

/// A source's end as its subscriber records it for a drain loop: the error (if any) before
/// `failed`, both before `done` (`Release`, after the source's last item was recorded), so a
/// drain that reads `done` with `Acquire` and then finds no item has seen them all.
pub(crate) struct Ending {
    done: AtomicBool,
    failed: AtomicBool,
    error: Mutex<Option<Error>>,
}

impl Ending {
    pub(crate) fn new() -> Self {
        Ending {
            done: AtomicBool::new(false),
            failed: AtomicBool::new(false),
            error: Mutex::new(None),
        }
    }

    /// Records the end, with its error if it failed. Once.
    pub(crate) fn record(&self, error: Option<Error>) {
        if let Some(error) = error {
            *self.error.lock() = Some(error);
            self.failed.store(true, Ordering::Release);
        }
        self.done.store(true, Ordering::Release);
    }

    pub(crate) fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    pub(crate) fn has_failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    /// The error, once (`None` if there was none, or it was taken).
    pub(crate) fn take_error(&self) -> Option<Error> {
        if self.has_failed() {
            self.error.lock().take()
        } else {
            None
        }
    }
}

/// What the outer side, the inners and the downstream's subscription record for the drain.
struct Shared<T> {
    demand: Demand,
    outer: SubscriptionSlot,
    /// The outer's end (or its overflow).
    outer_end: Ending,
    /// `switch_map`: the latest outer item not yet taken by the drain.
    latest: Mutex<Option<T>>,
    /// The downstream's subscription, until the first pass hands it over.
    handle: Mutex<Option<SubscriptionRef>>,
}

impl<T> Shared<T> {
    /// Cancels the outer unless it has ended (rule 2.4: it counts as cancelled by then).
    fn cancel_outer(&self) {
        if !self.outer_end.is_done() {
            self.outer.cancel();
        }
    }
}

struct Core<T, Q: Publisher, F, D> {
    shared: Shared<T>,
    cell: WipCell<State<T, Q::Item, F, D>>,
}

/// What an inner's subscriber and the drain share.
struct InnerLink {
    upstream: SubscriptionSlot,
    end: Ending,
}

/// The inner being played.
enum Active<R> {
    /// None: take the next outer item.
    Idle,
    /// A fused `just`: this item, then completion.
    Scalar(R),
    /// A fused cursor, pulled with demand.
    Cursor(BoxPull<R>),
    /// A subscribed inner and the reading end of its ring.
    Inner {
        link: Arc<InnerLink>,
        queue: Consumer<R>,
        /// Requested from this inner and not yet emitted downstream.
        asked: u64,
    },
}

impl<R> Active<R> {
    /// Cancels a subscribed inner; its ring goes with it (a late item lands in a ring nobody
    /// reads, and is dropped with it).
    fn cancel(self) {
        if let Active::Inner { link, .. } = self {
            // Not after its terminal signal (rule 2.4: it counts as cancelled by then).
            if !link.end.is_done() {
                link.upstream.cancel();
            }
        }
    }
}

/// The state only the drain touches.
struct State<T, R, F, D> {
    /// `None` once terminated or cancelled (rule 3.13).
    downstream: Option<D>,
    subscribed: bool,
    f: F,
    /// `concat_map`: the outer ring.
    queue: Option<Consumer<T>>,
    /// Replenish the outer after this many items were taken (the 75% rule).
    limit: usize,
    consumed: usize,
    active: Active<R>,
    /// Errors kept by the delay-error variant.
    errors: Vec<Error>,
    mode: Mode,
}

/// Why [`pull`] stopped before its limit.
enum Pulled {
    /// Cancelled or `request(0)`, seen after an item.
    Stopping,
    /// The cursor ended.
    End(Result<(), Error>),
    /// The cursor broke its contract.
    Pending,
}

/// Pulls `cursor` into `downstream` while `emitted < limit`; `None` when the limit was reached.
#[inline(always)]
fn pull<R: 'static, D: Subscriber<R>>(
    cursor: &mut BoxPull<R>,
    downstream: &mut D,
    demand: &Demand,
    emitted: &mut u64,
    limit: u64,
) -> Option<Pulled> {
    let mut n = *emitted;
    let end = loop {
        if n == limit {
            break None;
        }
        match cursor.next() {
            Next::Item(v) => {
                downstream.on_next(v);
                n += 1;
                if demand.is_stopping() {
                    break Some(Pulled::Stopping);
                }
            }
            Next::End(end) => break Some(Pulled::End(end)),
            Next::Pending => break Some(Pulled::Pending),
        }
    };
    *emitted = n;
    end
}

/// Why the emission loop stopped.
enum Halt {
    /// Nothing to do until the next signal.
    Idle,
    /// Cancelled, or a `request(0)`.
    Stopping,
    /// An error ends the stream now.
    Fail(Error),
    /// The outer and the last inner are done: complete (or report the kept errors).
    Finish,
}

impl<T, Q, F, D> Core<T, Q, F, D>
where
    T: Send + 'static,
    Q: Publisher + Send + 'static,
    Q::Item: Send + 'static,
    F: FnMut(T) -> Q + Send + 'static,
    D: Subscriber<Q::Item> + 'static,
{
    fn signal(self: &Arc<Self>) {
        self.cell.drain(|st| self.pass(st));
    }

    fn delay_error(st: &State<T, Q::Item, F, D>) -> bool {
        matches!(
            st.mode,
            Mode::Concat {
                delay_error: true,
                ..
            }
        )
    }

    /// An inner failed: fail fast, or keep the error and go on (delay-error; a `request(0)`
    /// is never kept, it reports a bug downstream).
    fn inner_failed(st: &mut State<T, Q::Item, F, D>, error: Error) -> Option<Halt> {
        if Self::delay_error(st) && error.kind() != ErrorKind::InvalidRequest {
            st.errors.push(error);
            None
        } else {
            Some(Halt::Fail(error))
        }
    }

    /// Maps an outer item to its inner and starts it: pulled if it fuses, subscribed if not.
    fn begin(self: &Arc<Self>, st: &mut State<T, Q::Item, F, D>, item: T) {
        let inner = (st.f)(item);
        st.active = match inner.fuse() {
            Some(Fused::Scalar(v)) => Active::Scalar(v),
            Some(Fused::Cursor(c)) => Active::Cursor(c),
            None => {
                let (producer, consumer) = spsc(INNER_CAPACITY);
                let link = Arc::new(InnerLink {
                    upstream: SubscriptionSlot::new(),
                    end: Ending::new(),
                });
                // Its signals only bump the drain's counter while this pass runs.
                inner.subscribe(InnerSubscriber {
                    queue: producer,
                    link: link.clone(),
                    core: self.clone(),
                    name: st.mode.name(),
                    done: false,
                });
                Active::Inner {
                    link,
                    queue: consumer,
                    asked: 0,
                }
            }
        };
    }

    /// Cancels everything and lets go of the downstream.
    fn stop(&self, st: &mut State<T, Q::Item, F, D>) {
        self.shared.cancel_outer();
        std::mem::replace(&mut st.active, Active::Idle).cancel();
        if let Some(queue) = st.queue.as_mut() {
            queue.clear();
        }
        drop(self.shared.latest.lock().take());
        st.downstream = None;
    }

    /// One pass: `on_subscribe` the first time, then items while there is demand, then the
    /// terminal signal once everything has ended.
    fn pass(self: &Arc<Self>, st: &mut State<T, Q::Item, F, D>) {
        let shared = &self.shared;
        let Some(downstream) = st.downstream.as_mut() else {
            return;
        };
        if !st.subscribed {
            st.subscribed = true;
            let handle = shared.handle.lock().take();
            if let Some(handle) = handle {
                // Requests made in here bump the counter: this pass runs again for them.
                downstream.on_subscribe(handle);
            }
        }
        let Some(requested) = shared.demand.check(downstream) else {
            self.stop(st);
            return;
        };
        let delay_error = Self::delay_error(st);
        let mut emitted = 0u64;
        let halt = loop {
            if !delay_error && shared.outer_end.has_failed() {
                let error = shared.outer_end.take_error();
                break Halt::Fail(error.unwrap_or_else(|| Error::protocol("outer error lost")));
            }
            if matches!(st.mode, Mode::Switch) {
                let latest = shared.latest.lock().take();
                if let Some(item) = latest {
                    // The current inner is cancelled before the new one starts; its ring
                    // (and any late item in it) is dropped unread.
                    std::mem::replace(&mut st.active, Active::Idle).cancel();
                    self.begin(st, item);
                    continue;
                }
            }
            let Some(downstream) = st.downstream.as_mut() else {
                break Halt::Idle;
            };
            match &mut st.active {
                Active::Idle => {
                    let next = st.queue.as_mut().and_then(Consumer::poll);
                    if let Some(item) = next {
                        st.consumed += 1;
                        if st.consumed == st.limit {
                            st.consumed = 0;
                            shared.outer.request(st.limit as u64);
                        }
                        self.begin(st, item);
                        continue;
                    }
                    // `done` first, then the outer items: every item was recorded before
                    // `done`, so none found after reading it means none will come.
                    if shared.outer_end.is_done() {
                        let more = match st.mode {
                            Mode::Switch => shared.latest.lock().is_some(),
                            Mode::Concat { .. } => st.queue.as_ref().is_some_and(|q| !q.is_empty()),
                        };
                        if !more {
                            break Halt::Finish;
                        }
                        continue;
                    }
                    break Halt::Idle;
                }
                Active::Scalar(_) => {
                    if emitted == requested {
                        break Halt::Idle;
                    }
                    let Active::Scalar(v) = std::mem::replace(&mut st.active, Active::Idle) else {
                        unreachable!("matched above")
                    };
                    downstream.on_next(v);
                    emitted += 1;
                }
                Active::Cursor(cursor) => {
                    if emitted == requested {
                        // No demand: end the inner now if it knows it has ended.
                        match cursor.end() {
                            None => break Halt::Idle,
                            Some(end) => {
                                st.active = Active::Idle;
                                if let Err(e) = end {
                                    if let Some(halt) = Self::inner_failed(st, e) {
                                        break halt;
                                    }
                                }
                                continue;
                            }
                        }
                    }
                    // The cursor and the downstream move to the stack for the batch, so the
                    // compiler keeps them in registers rather than in the shared state.
                    let Active::Cursor(mut cursor) =
                        std::mem::replace(&mut st.active, Active::Idle)
                    else {
                        unreachable!("matched above")
                    };
                    let Some(mut downstream) = st.downstream.take() else {
                        unreachable!("checked at the top of the loop")
                    };
                    let limit = requested.min(emitted.saturating_add(CURSOR_BATCH));
                    let end = pull(
                        &mut cursor,
                        &mut downstream,
                        &shared.demand,
                        &mut emitted,
                        limit,
                    );
                    st.downstream = Some(downstream);
                    match end {
                        None => st.active = Active::Cursor(cursor),
                        Some(Pulled::Stopping) => {
                            st.active = Active::Cursor(cursor);
                            break Halt::Stopping;
                        }
                        Some(Pulled::End(Ok(()))) => {}
                        Some(Pulled::End(Err(e))) => {
                            if let Some(halt) = Self::inner_failed(st, e) {
                                break halt;
                            }
                        }
                        Some(Pulled::Pending) => {
                            break Halt::Fail(Error::protocol(
                                "a fused cursor returned Next::Pending",
                            ));
                        }
                    }
                    continue;
                }
                Active::Inner { link, queue, asked } => {
                    if emitted < requested {
                        if let Some(v) = queue.poll() {
                            // Saturating: an inner may break rule 1.1 (it then overflows).
                            *asked = asked.saturating_sub(1);
                            downstream.on_next(v);
                            emitted += 1;
                            if shared.demand.is_stopping() {
                                break Halt::Stopping;
                            }
                            continue;
                        }
                    }
                    // `done` first, then the ring, as for the outer.
                    if link.end.is_done() && queue.is_empty() {
                        let error = link.end.take_error();
                        st.active = Active::Idle;
                        if let Some(e) = error {
                            if let Some(halt) = Self::inner_failed(st, e) {
                                break halt;
                            }
                        }
                        continue;
                    }
                    // Ask for what the downstream wants and the ring can hold.
                    let remaining = if requested == UNBOUNDED {
                        UNBOUNDED
                    } else {
                        requested - emitted
                    };
                    let target = remaining.min(INNER_CAPACITY as u64);
                    if target > *asked && (*asked == 0 || target - *asked >= INNER_LIMIT) {
                        let more = target - *asked;
                        *asked = target;
                        // A synchronous inner offers inside this call; look again.
                        link.upstream.request(more);
                        continue;
                    }
                    break Halt::Idle;
                }
            }
            if shared.demand.is_stopping() {
                break Halt::Stopping;
            }
        };
        if emitted > 0 && requested != UNBOUNDED {
            shared.demand.produced(emitted);
        }
        match halt {
            Halt::Idle => {}
            Halt::Stopping => {
                if let Some(downstream) = st.downstream.as_mut() {
                    // Reports a `request(0)` (rule 3.9), unless a cancel came first.
                    shared.demand.check(downstream);
                }
                self.stop(st);
            }
            Halt::Fail(error) => {
                let downstream = st.downstream.take();
                self.stop(st);
                if let Some(mut downstream) = downstream {
                    downstream.on_error(error);
                }
            }
            Halt::Finish => {
                let mut errors = std::mem::take(&mut st.errors);
                errors.extend(shared.outer_end.take_error());
                let downstream = st.downstream.take();
                self.stop(st);
                if let Some(mut downstream) = downstream {
                    match CompositeError::combine(errors) {
                        None => downstream.on_complete(),
                        Some(error) => downstream.on_error(error),
                    }
                }
            }
        }
    }
}

/// The downstream's subscription: records, then drains.
struct SequentialSubscription<T, Q: Publisher, F, D> {
    core: Arc<Core<T, Q, F, D>>,
}

impl<T, Q, F, D> Subscription for SequentialSubscription<T, Q, F, D>
where
    T: Send + 'static,
    Q: Publisher + Send + 'static,
    Q::Item: Send + 'static,
    F: FnMut(T) -> Q + Send + 'static,
    D: Subscriber<Q::Item> + 'static,
{
    fn request(&self, n: u64) {
        if self.core.shared.demand.add(n).is_some() {
            self.core.signal();
        }
    }

    fn cancel(&self) {
        if self.core.shared.demand.cancel() {
            self.core.shared.cancel_outer();
            self.core.signal();
        }
    }
}

/// The subscriber put on the outer publisher.
struct OuterSubscriber<T, Q: Publisher, F, D> {
    /// `concat_map`: the writing end of the outer ring.
    queue: Option<Producer<T>>,
    core: Arc<Core<T, Q, F, D>>,
    /// Asked of the outer when it subscribes: the prefetch, or unbounded (`switch_map`).
    request: u64,
    done: bool,
}

impl<T, Q: Publisher, F, D> OuterSubscriber<T, Q, F, D>
where
    T: Send + 'static,
    Q: Publisher + Send + 'static,
    Q::Item: Send + 'static,
    F: FnMut(T) -> Q + Send + 'static,
    D: Subscriber<Q::Item> + 'static,
{
    fn end(&mut self, error: Option<Error>) {
        self.done = true;
        self.core.shared.outer_end.record(error);
        self.core.signal();
    }
}

impl<T, Q, F, D> Subscriber<T> for OuterSubscriber<T, Q, F, D>
where
    T: Send + 'static,
    Q: Publisher + Send + 'static,
    Q::Item: Send + 'static,
    F: FnMut(T) -> Q + Send + 'static,
    D: Subscriber<Q::Item> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // A second subscription, or one after a cancel, is cancelled (rule 2.5).
        if self.core.shared.outer.set(subscription.clone()) {
            subscription.request(self.request);
        }
    }

    fn on_next(&mut self, item: T) {
        if self.done {
            return;
        }
        match self.queue.as_mut() {
            Some(queue) => {
                if let Err(item) = queue.offer(item) {
                    drop(item);
                    let capacity = queue.capacity();
                    self.core.shared.outer.cancel();
                    self.end(Some(Error::buffer_overflow("concat_map", capacity)));
                    return;
                }
            }
            None => {
                *self.core.shared.latest.lock() = Some(item);
            }
        }
        // After the record: the pass this signal runs (or makes run again) finds it.
        self.core.signal();
    }

    fn on_error(&mut self, error: Error) {
        if !self.done {
            self.end(Some(error));
        }
    }

    fn on_complete(&mut self) {
        if !self.done {
            self.end(None);
        }
    }
}

/// The subscriber put on a subscribed inner: the only producer of its ring.
struct InnerSubscriber<T, Q: Publisher, F, D> {
    queue: Producer<Q::Item>,
    link: Arc<InnerLink>,
    core: Arc<Core<T, Q, F, D>>,
    name: &'static str,
    done: bool,
}

impl<T, Q: Publisher, F, D> InnerSubscriber<T, Q, F, D>
where
    T: Send + 'static,
    Q: Publisher + Send + 'static,
    Q::Item: Send + 'static,
    F: FnMut(T) -> Q + Send + 'static,
    D: Subscriber<Q::Item> + 'static,
{
    fn end(&mut self, error: Option<Error>) {
        self.done = true;
        self.link.end.record(error);
        self.core.signal();
    }
}

impl<T, Q, F, D> Subscriber<Q::Item> for InnerSubscriber<T, Q, F, D>
where
    T: Send + 'static,
    Q: Publisher + Send + 'static,
    Q::Item: Send + 'static,
    F: FnMut(T) -> Q + Send + 'static,
    D: Subscriber<Q::Item> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // Requests the drain made before are forwarded on arrival; a second subscription, or
        // one after a cancel, is cancelled (rule 2.5).
        self.link.upstream.set(subscription);
    }

    fn on_next(&mut self, item: Q::Item) {
        if self.done {
            return;
        }
        if let Err(item) = self.queue.offer(item) {
            // More than it was asked for (rule 1.1).
            drop(item);
            self.link.upstream.cancel();
            let error = Error::buffer_overflow(self.name, INNER_CAPACITY);
            self.end(Some(error));
            return;
        }
        self.core.signal();
    }

    fn on_error(&mut self, error: Error) {
        if !self.done {
            self.end(Some(error));
        }
    }

    fn on_complete(&mut self) {
        if !self.done {
            self.end(None);
        }
    }
}

/// The downstream the loom models of `concat`, `concat_map` and `switch_map` subscribe.
#[cfg(all(test, reactive_loom))]
pub(crate) mod loom_recorder {
    use std::sync::Arc;

    use reactive_core::sync::Mutex;
    use reactive_core::{Error, Subscriber, SubscriptionRef};

    /// What the downstream saw.
    #[derive(Default)]
    pub(crate) struct Seen {
        pub(crate) items: Vec<u64>,
        pub(crate) completed: bool,
        pub(crate) subscription: Option<SubscriptionRef>,
    }

    /// Requests `initial` (if not 0) in `on_subscribe`, keeps the subscription, records the
    /// items and the completion; an error fails the model.
    pub(crate) struct Recorder {
        pub(crate) seen: Arc<Mutex<Seen>>,
        pub(crate) initial: u64,
    }

    impl Subscriber<u64> for Recorder {
        fn on_subscribe(&mut self, subscription: SubscriptionRef) {
            if self.initial > 0 {
                subscription.request(self.initial);
            }
            self.seen.lock().subscription = Some(subscription);
        }
        fn on_next(&mut self, item: u64) {
            self.seen.lock().items.push(item);
        }
        fn on_error(&mut self, error: Error) {
            panic!("unexpected {error}");
        }
        fn on_complete(&mut self) {
            self.seen.lock().completed = true;
        }
    }
}
