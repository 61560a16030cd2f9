//! `flat_map`: each outer item becomes an inner publisher, and up to `max_concurrency` inners
//! are merged into one stream. `merge` (`ops/merge.rs`) is this machinery over a list of
//! sources.
//!
//! Who touches what:
//!
//! | state | written by | read by |
//! |---|---|---|
//! | the arrivals ring (`spsc`, `max_concurrency` entries) | the outer's `on_next` (offer) | the drain pass (poll) |
//! | each inner's ring (`spsc`, exactly `prefetch` items) | that inner's `on_next` (offer) | the drain pass (poll) |
//! | each inner's `done` flag, its `SubscriptionSlot` | that inner's signals | the pass (replenish, end), cancel |
//! | `outer_done`, the outer's `SubscriptionSlot` | the outer's signals | the pass |
//! | the first error (`Mutex`), `errored` | any inner's or the outer's error, once | the pass |
//! | the downstream's `Demand` | `request` / `cancel`, any thread | the pass |
//! | the downstream, the active inners, the replenish counts | only the drain pass (`WipCell`) | |
//!
//! Every producer records its change (offers its item, sets its flag, stores its error) and
//! then calls the drain, whose counter lets exactly one thread run the pass at a time and
//! makes it run again for every signal it missed: each inner is the single producer of its own
//! ring, the pass is the single consumer of all of them, so no MPSC queue is needed.

use std::fmt;
use std::sync::Arc;

use reactive_core::queue::{Consumer, Producer, spsc};
use reactive_core::source::{BoxPull, Fused, Next};
use reactive_core::support::{Demand, SubscriptionSlot, WipCell};
use reactive_core::sync::Mutex;
use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef, UNBOUNDED};

/// The publisher returned by [`PublisherExt::flat_map`](crate::PublisherExt::flat_map) and
/// [`PublisherExt::flat_map_delay_error`](crate::PublisherExt::flat_map_delay_error).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct FlatMap<P, F> {
    source: P,
    f: F,
    max_concurrency: usize,
    prefetch: usize,
    delay_error: bool,
}

impl<P, F> FlatMap<P, F> {
    pub(crate) fn new(
        source: P,
        f: F,
        max_concurrency: usize,
        prefetch: usize,
        delay_error: bool,
    ) -> Self {
        assert!(
            max_concurrency > 0,
            "flat_map: max_concurrency must be at least 1"
        );
        assert!(
            max_concurrency <= usize::MAX / 2,
            "flat_map: max_concurrency {max_concurrency} is too large for a bounded queue"
        );
        assert!(prefetch > 0, "flat_map: prefetch must be at least 1");
        assert!(
            prefetch <= usize::MAX / 2,
            "flat_map: prefetch {prefetch} is too large for a bounded queue"
        );
        FlatMap {
            source,
            f,
            max_concurrency,
            prefetch,
            delay_error,
        }
    }
}

impl<P: fmt::Debug, F> fmt::Debug for FlatMap<P, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlatMap")
            .field("source", &self.source)
            .field("max_concurrency", &self.max_concurrency)
            .field("prefetch", &self.prefetch)
            .field("delay_error", &self.delay_error)
            .finish_non_exhaustive()
    }
}

impl<P, F, I> Publisher for FlatMap<P, F>
where
    P: Publisher,
    P::Item: Send + 'static,
    F: FnMut(P::Item) -> I + Clone + Send + 'static,
    I: Publisher,
    I::Item: Send + 'static,
{
    type Item = I::Item;

    fn subscribe<D>(&self, downstream: D)
    where
        D: Subscriber<I::Item> + 'static,
    {
        let (arrivals, arrived) = spsc(self.max_concurrency);
        // A synchronous outer fuses too: the pass pulls it, only while fewer than
        // `max_concurrency` inners are open, and nothing is subscribed or queued for it.
        let fused_outer = self.source.fuse();
        let pulled = fused_outer.is_some();
        let shared = Arc::new_cyclic(|weak| Shared {
            demand: Demand::new(),
            upstream: SubscriptionSlot::new(),
            outer_done: AtomicBool::new(false),
            errored: AtomicBool::new(false),
            terminated: AtomicBool::new(false),
            error: Mutex::new(None),
            delay_error: self.delay_error,
            state: WipCell::new(State {
                downstream: Some(downstream),
                arrivals: arrived,
                inners: Vec::with_capacity(self.max_concurrency.min(64)),
                outer: fused_outer.map(|fused| {
                    let cursor: BoxPull<P::Item> = match fused {
                        Fused::Scalar(item) => Box::new(Once(Some(item))),
                        Fused::Cursor(cursor) => cursor,
                    };
                    Box::new(OuterPuller {
                        cursor,
                        f: self.f.clone(),
                        shared: weak.clone(),
                        prefetch: self.prefetch,
                    }) as Box<dyn PullOuter<I::Item, D>>
                }),
                outer_subscription: None,
                completed: 0,
                max_concurrency: self.max_concurrency,
                outer_limit: crate::replenish_limit(self.max_concurrency),
                inner_limit: crate::replenish_limit(self.prefetch),
            }),
        });
        let handle: SubscriptionRef = shared.clone();
        let mut handle = Some(handle);
        // The first pass gives the downstream its subscription; a request made in there only
        // bumps the counter, and the same drain serves it.
        shared.state.drain(|state| {
            if let Some(handle) = handle.take() {
                if let Some(downstream) = state.downstream.as_mut() {
                    downstream.on_subscribe(handle);
                }
            }
            state.pass(&shared);
        });
        if pulled {
            return;
        }
        self.source.subscribe(OuterSubscriber {
            f: self.f.clone(),
            arrivals,
            shared,
            max_concurrency: self.max_concurrency as u64,
            prefetch: self.prefetch,
            done: false,
        });
    }
}

/// What the outer side, the inners, the downstream's subscription and the pass share.
struct Shared<T, D> {
    /// The downstream's demand; its cancelled state is the cancel flag, and a `request(0)` is
    /// recorded in it too (rule 3.9).
    demand: Demand,
    /// The outer subscription: set by the outer's `on_subscribe`, replenished by the pass.
    upstream: SubscriptionSlot,
    /// The outer has ended; `Release` after its last offer to the arrivals ring.
    outer_done: AtomicBool,
    /// An error is waiting in `error` (fail fast only); `Release` after it was stored.
    errored: AtomicBool,
    /// The downstream had its terminal signal or cancelled: later outer items are dropped.
    terminated: AtomicBool,
    /// The first error (the one delivered); later ones are dropped.
    error: Mutex<Option<Error>>,
    delay_error: bool,
    state: WipCell<State<T, D>>,
}

impl<T, D> Shared<T, D>
where
    T: Send + 'static,
    D: Subscriber<T> + 'static,
{
    #[inline]
    fn drain(&self) {
        self.state.drain(|state| state.pass(self));
    }

    /// The end of one producer (the outer or an inner), once: its error kept, its `done` flag
    /// set (`Release`, after its last offer), then the drain.
    fn end(&self, done: &mut bool, flag: &AtomicBool, error: Option<Error>) {
        if std::mem::replace(done, true) {
            return;
        }
        if let Some(error) = error {
            self.record_error(error);
        }
        flag.store(true, Ordering::Release);
        self.drain();
    }

    /// Keeps the first error; in fail-fast mode flags it for the pass.
    fn record_error(&self, error: Error) {
        {
            let mut slot = self.error.lock();
            if slot.is_none() {
                *slot = Some(error);
            }
        }
        if !self.delay_error {
            self.errored.store(true, Ordering::Release);
        }
    }
}

impl<T, D> Subscription for Shared<T, D>
where
    T: Send + 'static,
    D: Subscriber<T> + 'static,
{
    fn request(&self, n: u64) {
        self.demand.add(n);
        self.drain();
    }

    fn cancel(&self) {
        if self.demand.cancel() {
            // At once, from the cancelling thread: a synchronous outer may be emitting.
            self.upstream.cancel();
        }
        self.drain();
    }
}

/// One inner that the pass serves.
enum Active<T> {
    /// A fused `just`: one item, emitted when there is demand.
    Scalar(Option<T>),
    /// A fused synchronous source, pulled under demand.
    Cursor(BoxPull<T>),
    /// A subscribed inner and its ring.
    Queue {
        ring: Consumer<T>,
        signals: Arc<InnerSignals>,
        /// Items taken from this inner since its last replenish.
        consumed: usize,
    },
    /// Finished in this pass; removed at its end.
    Done,
}

impl<T> Active<T> {
    /// Cancels a subscribed inner (the others have nothing to cancel: dropping a cursor is
    /// its cancel).
    fn cancel(&self) {
        if let Active::Queue { signals, .. } = self {
            // An inner that has ended is not cancelled (rule 2.3, 2.4).
            if !signals.done.load(Ordering::Acquire) {
                signals.upstream.cancel();
            }
        }
    }
}

/// What a subscribed inner shares with the pass.
struct InnerSignals {
    upstream: SubscriptionSlot,
    /// The inner has ended; `Release` after its last offer.
    done: AtomicBool,
}

/// The state only the drain pass touches.
struct State<T, D> {
    /// `None` once terminated or cancelled: dropping it is rule 3.13.
    downstream: Option<D>,
    arrivals: Consumer<Active<T>>,
    inners: Vec<Active<T>>,
    /// A fused outer, pulled by the pass (`None` when the outer is subscribed, or ended).
    outer: Option<Box<dyn PullOuter<T, D>>>,
    /// The subscribed outer's subscription, once it arrived: replenished without the slot's
    /// lock.
    outer_subscription: Option<SubscriptionRef>,
    /// Inners finished since the outer was last asked for more.
    completed: usize,
    max_concurrency: usize,
    outer_limit: usize,
    inner_limit: usize,
}

/// What serving one inner ended with.
enum Step {
    /// Open: its items are used up for now, or the demand is.
    Open,
    /// Finished (with its error, for a fused inner that failed).
    Finished(Option<Error>),
    /// The downstream cancelled or asked `request(0)` from inside `on_next`, or an error
    /// must be delivered (fail fast).
    Stop,
}

impl<T, D> State<T, D>
where
    T: Send + 'static,
    D: Subscriber<T> + 'static,
{
    /// One pass: take the new inners, serve every inner as far as the demand allows, ask the
    /// outer and the inners for more, and end the stream when everything has ended.
    fn pass(&mut self, shared: &Shared<T, D>) {
        let Some(downstream) = self.downstream.as_mut() else {
            // Terminated: an inner that arrives now is cancelled at once.
            while let Some(late) = self.arrivals.poll() {
                late.cancel();
            }
            return;
        };
        let Some(requested) = shared.demand.check(downstream) else {
            return self.stop(shared);
        };
        if shared.errored.load(Ordering::Acquire) {
            return self.fail(shared);
        }
        while let Some(arrived) = self.arrivals.poll() {
            self.inners.push(arrived);
        }
        if self.inners.len() > self.max_concurrency {
            // The outer sent more items than it was asked for.
            return self.overflow(shared);
        }
        let mut emitted = 0u64;
        let limit = self.inner_limit;
        let mut finished = 0usize;
        let mut stop = false;
        // Oldest first: an inner is served as far as the demand allows before the next one,
        // so that with synchronous inners the order does not depend on how the demand was
        // split into requests.
        for inner in self.inners.iter_mut() {
            let step = serve(inner, downstream, requested, &mut emitted, limit, shared);
            match step {
                Step::Open => {}
                Step::Finished(error) => {
                    *inner = Active::Done;
                    finished += 1;
                    if let Some(error) = error {
                        shared.record_error(error);
                        if !shared.delay_error {
                            stop = true;
                            break;
                        }
                    }
                }
                Step::Stop => {
                    stop = true;
                    break;
                }
            }
        }
        if finished > 0 {
            self.inners.retain(|a| !matches!(a, Active::Done));
        }
        if !stop && self.outer.is_some() {
            stop = pull_outer(
                &mut self.outer,
                &mut self.inners,
                self.max_concurrency,
                self.inner_limit,
                downstream,
                requested,
                &mut emitted,
                shared,
            );
        }
        if emitted > 0 && requested != UNBOUNDED {
            shared.demand.produced(emitted);
        }
        if stop {
            let Some(downstream) = self.downstream.as_mut() else {
                return;
            };
            if shared.demand.check(downstream).is_none() {
                return self.stop(shared);
            }
            return self.fail(shared);
        }
        if finished > 0 && self.outer.is_none() {
            self.completed += finished;
            if self.completed >= self.outer_limit {
                let batches = self.completed / self.outer_limit;
                self.completed -= batches * self.outer_limit;
                if !shared.outer_done.load(Ordering::Acquire) {
                    self.request_outer((batches * self.outer_limit) as u64, shared);
                }
            }
        }
        // `outer_done` first, then the arrivals: every inner was offered before it was set.
        if shared.outer_done.load(Ordering::Acquire)
            && self.inners.is_empty()
            && self.arrivals.is_empty()
        {
            self.terminate(shared);
        }
    }

    /// Asks the subscribed outer for `n` more, through the subscription itself once it is
    /// known (the slot takes a lock).
    fn request_outer(&mut self, n: u64, shared: &Shared<T, D>) {
        if self.outer_subscription.is_none() {
            self.outer_subscription = shared.upstream.get();
        }
        match &self.outer_subscription {
            Some(subscription) => subscription.request(n),
            None => shared.upstream.request(n),
        }
    }

    /// Everything ended: the terminal signal (the first error, in delay-error mode).
    fn terminate(&mut self, shared: &Shared<T, D>) {
        shared.terminated.store(true, Ordering::Release);
        self.outer_subscription = None;
        let error = shared.error.lock().take();
        if let Some(mut downstream) = self.downstream.take() {
            match error {
                Some(error) => downstream.on_error(error),
                None => downstream.on_complete(),
            }
        }
    }

    /// Cancelled, or the rule 3.9 error was delivered: cancel the outer and every inner, drop
    /// what is queued and the downstream.
    fn stop(&mut self, shared: &Shared<T, D>) {
        shared.terminated.store(true, Ordering::Release);
        self.cancel_all(shared);
        self.downstream = None;
    }

    /// More open inners than `max_concurrency`: the outer broke its demand. Fatal in both
    /// modes.
    #[cold]
    fn overflow(&mut self, shared: &Shared<T, D>) {
        shared.upstream.cancel();
        *shared.error.lock() = Some(Error::buffer_overflow("flat_map", self.max_concurrency));
        self.fail(shared);
    }

    /// Fail fast: cancel the outer and every inner, drop what is queued, deliver the error.
    fn fail(&mut self, shared: &Shared<T, D>) {
        shared.terminated.store(true, Ordering::Release);
        self.cancel_all(shared);
        let error = shared.error.lock().take();
        if let Some(mut downstream) = self.downstream.take() {
            if let Some(error) = error {
                downstream.on_error(error);
            }
        }
    }

    fn cancel_all(&mut self, shared: &Shared<T, D>) {
        // A pulled outer is cancelled by dropping its cursor.
        self.outer = None;
        self.outer_subscription = None;
        if !shared.outer_done.load(Ordering::Acquire) {
            shared.upstream.cancel();
        }
        for inner in self.inners.drain(..) {
            inner.cancel();
        }
        while let Some(late) = self.arrivals.poll() {
            late.cancel();
        }
    }
}

/// A fused outer: pulls new inners while fewer than `max_concurrency` are open (the loop
/// runs in the puller, monomorphized: one virtual call per pass, not per item). Returns
/// whether the pass must stop (cancel, `request(0)`, or an error to deliver first).
#[allow(clippy::too_many_arguments)]
fn pull_outer<T: Send + 'static, D: Subscriber<T> + 'static>(
    slot: &mut Option<Box<dyn PullOuter<T, D>>>,
    inners: &mut Vec<Active<T>>,
    max_concurrency: usize,
    limit: usize,
    downstream: &mut D,
    requested: u64,
    emitted: &mut u64,
    shared: &Shared<T, D>,
) -> bool {
    let Some(outer) = slot.as_mut() else {
        return false;
    };
    let mut ctx = Ctx {
        inners,
        max_concurrency,
        limit,
        downstream,
        requested,
        emitted,
        shared,
    };
    match outer.pull(&mut ctx) {
        Pulled::Open => false,
        Pulled::Stop => true,
        Pulled::End(error) => {
            *slot = None;
            shared.outer_done.store(true, Ordering::Release);
            match error {
                Some(error) => {
                    shared.record_error(error);
                    !shared.delay_error
                }
                None => false,
            }
        }
    }
}

/// What a puller works with during a pass.
struct Ctx<'a, T, D> {
    inners: &'a mut Vec<Active<T>>,
    max_concurrency: usize,
    limit: usize,
    downstream: &'a mut D,
    requested: u64,
    emitted: &'a mut u64,
    shared: &'a Shared<T, D>,
}

/// Why a puller stopped pulling.
enum Pulled {
    /// `max_concurrency` inners are open.
    Open,
    /// The outer ended (with its error, if it failed).
    End(Option<Error>),
    /// The pass must stop: a cancel, a `request(0)`, or an error to deliver first.
    Stop,
}

/// Serves one inner: emits its items while there is demand, replenishes a subscribed inner
/// by the 75% rule, and says whether it finished.
#[inline]
fn serve<T: 'static, D>(
    inner: &mut Active<T>,
    downstream: &mut D,
    requested: u64,
    emitted: &mut u64,
    limit: usize,
    shared: &Shared<T, D>,
) -> Step
where
    D: Subscriber<T>,
{
    match inner {
        Active::Scalar(slot) => {
            if *emitted == requested {
                return Step::Open;
            }
            if let Some(item) = slot.take() {
                downstream.on_next(item);
                *emitted += 1;
            }
            if stopping(shared) {
                return Step::Stop;
            }
            Step::Finished(None)
        }
        Active::Cursor(cursor) => loop {
            if *emitted == requested {
                // No demand for another item: the end needs none.
                return match cursor.end() {
                    Some(end) => Step::Finished(end.err()),
                    None => Step::Open,
                };
            }
            match cursor.next() {
                Next::Item(item) => {
                    downstream.on_next(item);
                    *emitted += 1;
                    if stopping(shared) {
                        return Step::Stop;
                    }
                }
                Next::End(end) => return Step::Finished(end.err()),
                // Not allowed of a fused cursor; treated as "nothing for now".
                Next::Pending => return Step::Open,
            }
        },
        Active::Queue {
            ring,
            signals,
            consumed,
        } => loop {
            if *emitted == requested {
                return if signals.done.load(Ordering::Acquire) && ring.is_empty() {
                    Step::Finished(None)
                } else {
                    Step::Open
                };
            }
            match ring.poll() {
                Some(item) => {
                    downstream.on_next(item);
                    *emitted += 1;
                    *consumed += 1;
                    if *consumed == limit {
                        *consumed = 0;
                        if !signals.done.load(Ordering::Acquire) {
                            signals.upstream.request(limit as u64);
                        }
                    }
                    if stopping(shared) {
                        return Step::Stop;
                    }
                }
                None => {
                    // The end was set after the inner's last offer: read it, then look at the
                    // ring again, since an item may have come in between.
                    if !signals.done.load(Ordering::Acquire) {
                        return Step::Open;
                    }
                    if ring.is_empty() {
                        return Step::Finished(None);
                    }
                }
            }
        },
        Active::Done => Step::Open,
    }
}

/// A cancel or `request(0)` (from inside `on_next` or another thread), or an error to
/// deliver first: one `Relaxed` load each, per item; the pass reads them again with
/// `Acquire` before it acts.
#[inline(always)]
fn stopping<T, D>(shared: &Shared<T, D>) -> bool {
    shared.demand.is_stopping() || shared.errored.load(Ordering::Relaxed)
}

/// A fused outer as the pass pulls it: each item mapped to its inner, fused or subscribed.
trait PullOuter<T, D>: Send {
    /// Opens inners (serving each at once) until `max_concurrency` are open, the outer
    /// ended, or the pass must stop.
    fn pull(&mut self, ctx: &mut Ctx<'_, T, D>) -> Pulled;
}

struct OuterPuller<X, F, T, D> {
    cursor: BoxPull<X>,
    f: F,
    /// Weak: the pass that holds this puller lives inside the shared state.
    shared: std::sync::Weak<Shared<T, D>>,
    prefetch: usize,
}

/// The producer half of a subscribed inner's ring and its signals: what it is subscribed with.
type Subscribing<T> = (Producer<T>, Arc<InnerSignals>);

/// The entry of the pass for a new inner, and for one that does not fuse the producer half of
/// its ring and its signals, to subscribe it with.
#[inline(always)]
fn entry<T>(fused: Option<Fused<T>>, prefetch: usize) -> (Active<T>, Option<Subscribing<T>>) {
    match fused {
        Some(Fused::Scalar(item)) => (Active::Scalar(Some(item)), None),
        Some(Fused::Cursor(cursor)) => (Active::Cursor(cursor), None),
        None => {
            let (producer, ring) = spsc(prefetch);
            let signals = Arc::new(InnerSignals {
                upstream: SubscriptionSlot::new(),
                done: AtomicBool::new(false),
            });
            let active = Active::Queue {
                ring,
                signals: signals.clone(),
                consumed: 0,
            };
            (active, Some((producer, signals)))
        }
    }
}

/// Subscribes an inner that does not fuse, with the producer half of its ring.
fn subscribe_inner<I, D>(
    inner: &I,
    (queue, signals): Subscribing<I::Item>,
    shared: Arc<Shared<I::Item, D>>,
    prefetch: usize,
) where
    I: Publisher,
    I::Item: Send + 'static,
    D: Subscriber<I::Item> + 'static,
{
    inner.subscribe(InnerSubscriber {
        queue,
        signals,
        shared,
        prefetch: prefetch as u64,
        done: false,
    });
}

impl<X, F, I, D> PullOuter<I::Item, D> for OuterPuller<X, F, I::Item, D>
where
    X: 'static,
    F: FnMut(X) -> I + Send + 'static,
    I: Publisher,
    I::Item: Send + 'static,
    D: Subscriber<I::Item> + 'static,
{
    fn pull(&mut self, ctx: &mut Ctx<'_, I::Item, D>) -> Pulled {
        let requested = ctx.requested;
        while ctx.inners.len() < ctx.max_concurrency {
            if *ctx.emitted == requested {
                // No demand: the end needs none; more inners are opened (their prefetch
                // asked) only up to the concurrency.
                if let Some(end) = self.cursor.end() {
                    return Pulled::End(end.err());
                }
            }
            let item = match self.cursor.next() {
                Next::Item(item) => item,
                Next::End(end) => return Pulled::End(end.err()),
                Next::Pending => {
                    let error = Error::protocol("flat_map: a fused outer cursor returned Pending");
                    return Pulled::End(Some(error));
                }
            };
            let inner = (self.f)(item);
            let fused = inner.fuse();
            if let Some(Fused::Scalar(item)) = fused {
                if *ctx.emitted < requested {
                    // Every older inner was served as far as it could: with demand left, a
                    // `just` goes straight down.
                    ctx.downstream.on_next(item);
                    *ctx.emitted += 1;
                    if stopping(ctx.shared) {
                        return Pulled::Stop;
                    }
                } else {
                    ctx.inners.push(Active::Scalar(Some(item)));
                }
                continue;
            }
            let (mut active, queue) = entry(fused, self.prefetch);
            if let (Some(queue), Some(shared)) = (queue, self.shared.upgrade()) {
                // Inside the pass: the inner's signals only bump the drain counter, and the
                // pass serves its ring once it has it.
                subscribe_inner(&inner, queue, shared, self.prefetch);
            }
            let step = serve(
                &mut active,
                ctx.downstream,
                requested,
                ctx.emitted,
                ctx.limit,
                ctx.shared,
            );
            match step {
                Step::Open => ctx.inners.push(active),
                Step::Finished(None) => {}
                Step::Finished(Some(error)) => {
                    ctx.shared.record_error(error);
                    if !ctx.shared.delay_error {
                        return Pulled::Stop;
                    }
                }
                Step::Stop => {
                    ctx.inners.push(active);
                    return Pulled::Stop;
                }
            }
        }
        Pulled::Open
    }
}

/// The cursor of a fused `just` outer.
struct Once<X>(Option<X>);

impl<X: Send + 'static> reactive_core::source::Pull for Once<X> {
    type Item = X;

    fn next(&mut self) -> Next<X> {
        self.0.take().map_or(Next::End(Ok(())), Next::Item)
    }

    fn end(&mut self) -> Option<Result<(), Error>> {
        self.0.is_none().then_some(Ok(()))
    }
}

/// The subscriber put on the outer: maps each item to an inner and hands it to the pass.
struct OuterSubscriber<F, T, D> {
    f: F,
    arrivals: Producer<Active<T>>,
    shared: Arc<Shared<T, D>>,
    max_concurrency: u64,
    prefetch: usize,
    /// The outer ended or overflowed: later signals are ignored.
    done: bool,
}

impl<F, X, I, D> Subscriber<X> for OuterSubscriber<F, I::Item, D>
where
    F: FnMut(X) -> I + Send + 'static,
    I: Publisher,
    I::Item: Send + 'static,
    D: Subscriber<I::Item> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // A second subscription, or one arriving after a cancel, is cancelled (rule 2.5).
        if self.shared.upstream.set(subscription.clone()) {
            subscription.request(self.max_concurrency);
        }
    }

    fn on_next(&mut self, item: X) {
        if self.done
            || self.shared.terminated.load(Ordering::Acquire)
            || self.shared.demand.is_stopping()
        {
            return;
        }
        let inner = (self.f)(item);
        let (active, subscribe) = entry(inner.fuse(), self.prefetch);
        if self.arrivals.offer(active).is_err() {
            // More outer items than requested.
            self.shared.upstream.cancel();
            let error = Error::buffer_overflow("flat_map", self.arrivals.capacity());
            let shared = &self.shared;
            shared.end(&mut self.done, &shared.outer_done, Some(error));
            return;
        }
        // Offered before it is subscribed: every signal of the inner finds it in the pass.
        if let Some(queue) = subscribe {
            subscribe_inner(&inner, queue, self.shared.clone(), self.prefetch);
        }
        self.shared.drain();
    }

    fn on_error(&mut self, error: Error) {
        let shared = &self.shared;
        shared.end(&mut self.done, &shared.outer_done, Some(error));
    }

    fn on_complete(&mut self) {
        let shared = &self.shared;
        shared.end(&mut self.done, &shared.outer_done, None);
    }
}

/// The subscriber put on each inner that does not fuse: offers to its own ring.
struct InnerSubscriber<T: Send + 'static, D> {
    queue: Producer<T>,
    signals: Arc<InnerSignals>,
    shared: Arc<Shared<T, D>>,
    prefetch: u64,
    done: bool,
}

impl<T, D> Subscriber<T> for InnerSubscriber<T, D>
where
    T: Send + 'static,
    D: Subscriber<T> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.signals.upstream.set(subscription.clone()) {
            subscription.request(self.prefetch);
        }
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if self.done {
            return;
        }
        if let Err(item) = self.queue.offer(item) {
            // More than this inner was asked for: a bug in the inner.
            drop(item);
            self.signals.upstream.cancel();
            let error = Error::buffer_overflow("flat_map", self.queue.capacity());
            self.shared
                .end(&mut self.done, &self.signals.done, Some(error));
            return;
        }
        // After the offer: the pass this call runs, or makes run again, finds the item.
        self.shared.drain();
    }

    fn on_error(&mut self, error: Error) {
        self.shared
            .end(&mut self.done, &self.signals.done, Some(error));
    }

    fn on_complete(&mut self) {
        self.shared.end(&mut self.done, &self.signals.done, None);
    }
}

/// The races of the drain loop, under loom: an outer and one inner driven by hand (manual
/// publishers; the inner does not fuse, so it has a ring of 2), signals on two threads.
#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;

    use reactive_core::sync::{Mutex, thread};

    use super::FlatMap;
    use crate::ops::loom_harness::{Asked, Manual, Slot, subscribe};

    /// `flat_map(manual inner, 1, 2)` behind a manual outer that has sent one item: the
    /// outer's and the inner's subscribers, the downstream's record and subscription.
    #[allow(clippy::type_complexity)]
    fn one_inner(
        initial: u64,
    ) -> (
        Box<dyn reactive_core::Subscriber<u64>>,
        Box<dyn reactive_core::Subscriber<u64>>,
        Arc<Mutex<crate::ops::loom_harness::Record>>,
        reactive_core::SubscriptionRef,
    ) {
        let inner_asked = Arc::new(Asked::default());
        let inner_slot: Slot = Arc::new(Mutex::new(None));
        let (asked, slot) = (inner_asked.clone(), inner_slot.clone());
        let (_outer_asked, outer_slot, record, subscription) = subscribe(move |outer| {
            FlatMap::new(
                outer,
                move |_: u64| Manual {
                    asked: asked.clone(),
                    subscriber: slot.clone(),
                },
                1,
                2,
                false,
            )
        });
        if initial > 0 {
            subscription.request(initial);
        }
        let mut outer = outer_slot
            .lock()
            .take()
            .expect("flat_map subscribed the outer");
        outer.on_next(0);
        let inner = inner_slot.lock().take().expect("the inner was subscribed");
        assert_eq!(
            inner_asked
                .requested
                .load(reactive_core::sync::atomic::Ordering::Acquire),
            2,
            "prefetch"
        );
        (outer, inner, record, subscription)
    }

    /// The inner sends its last item and completes on one thread while the outer completes
    /// on another: the item arrives, then exactly one completion, whichever thread runs the
    /// pass that sees both ends.
    #[test]
    fn inner_completion_races_main_completion() {
        loom::model(|| {
            let (mut outer, mut inner, record, _kept) = one_inner(1);
            let t = thread::spawn(move || {
                inner.on_next(7);
                inner.on_complete();
            });
            outer.on_complete();
            t.join().unwrap();
            let r = record.lock();
            assert_eq!(r.items, [7], "an item was lost");
            assert_eq!(r.completes, 1, "one completion, after both ends");
            assert_eq!(r.errors, 0);
        });
    }

    /// The inner offers two items on one thread while the downstream requests one on
    /// another: exactly the first is delivered (never beyond the demand), whichever thread
    /// runs the pass; the second follows the next request.
    #[test]
    fn inner_on_next_races_downstream_request() {
        loom::model(|| {
            let (_outer, mut inner, record, subscription) = one_inner(0);
            let requester = subscription.clone();
            let t = thread::spawn(move || {
                inner.on_next(1);
                inner.on_next(2);
                inner
            });
            requester.request(1);
            let _inner = t.join().unwrap();
            assert_eq!(record.lock().items, [1], "lost, doubled or beyond demand");
            subscription.request(1);
            assert_eq!(record.lock().items, [1, 2]);
            subscription.cancel();
        });
    }
}
