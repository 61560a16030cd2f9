//! `zip`, `zip_with` and `zip_all`: one row per position, out of one item of every source.
//!
//! Every source is a [`Lane`]: pulled from the drain loop if it fuses, otherwise subscribed
//! with a ring of `prefetch` items of its own (the source is the ring's only producer, the
//! drain its only consumer). Who touches what:
//!
//! | state | written by | read by |
//! |---|---|---|
//! | each lane's ring, end flags and subscription | see `lane.rs` | the drain |
//! | the downstream's demand (`Demand`) | `request` / `cancel`, any thread | the drain |
//! | the downstream, the lanes' heads and cursors, the combiner | only the drain (`WipCell`) | |
//!
//! Every path records its change (an offer, an end, a request, a cancel) and then drains;
//! whoever moves the drain counter from 0 runs the pass, for everyone.

use std::sync::Arc;

use reactive_core::source::Next;
use reactive_core::support::{Demand, Requested, WipCell};
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef, UNBOUNDED};

use super::lane::{Feeder, Lane, LaneShared, Look, Wake};

/// The prefetch of every subscribed source of a zip unless set with `prefetch`.
pub(crate) const DEFAULT_PREFETCH: usize = 32;

pub(crate) fn check_prefetch(name: &str, prefetch: usize) {
    assert!(prefetch > 0, "{name}: prefetch must be at least 1");
    assert!(
        prefetch <= usize::MAX / 2,
        "{name}: prefetch {prefetch} is too large for a bounded queue"
    );
}

/// The publisher returned by [`zip`](crate::zip) and
/// [`PublisherExt::zip_with`](crate::PublisherExt::zip_with): `f(a, b)` for every pair of
/// items at the same position.
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Zip<A, B, F> {
    a: A,
    b: B,
    f: F,
    prefetch: usize,
}

impl<A, B, F> Zip<A, B, F> {
    pub(crate) fn new(a: A, b: B, f: F) -> Self {
        Zip {
            a,
            b,
            f,
            prefetch: DEFAULT_PREFETCH,
        }
    }

    /// Sets how many items each subscribed (not fused) source is asked for upfront, and so
    /// the capacity of its ring (default 32); it is replenished by `prefetch - prefetch / 4`
    /// after that many of its items were taken.
    ///
    /// # Panics
    ///
    /// If `prefetch` is 0 or larger than `usize::MAX / 2`.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, zip, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // `map` does not fuse, so both sources are subscribed, with rings of 4.
    /// let pairs = zip(range(0u8..3).map(|v| v), range(10u8..20).map(|v| v)).prefetch(4);
    /// StepVerifier::create(&pairs)
    ///     .expect_next_values([(0, 10), (1, 11), (2, 12)])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn prefetch(mut self, prefetch: usize) -> Self {
        check_prefetch("zip", prefetch);
        self.prefetch = prefetch;
        self
    }
}

impl<A: std::fmt::Debug, B: std::fmt::Debug, F> std::fmt::Debug for Zip<A, B, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Zip")
            .field("a", &self.a)
            .field("b", &self.b)
            .field("prefetch", &self.prefetch)
            .finish_non_exhaustive()
    }
}

/// The two lanes of a [`Zip`] and its combiner.
struct Pair<A, B, F> {
    a: Lane<A>,
    b: Lane<B>,
    f: F,
}

impl<A, B, F, R> Row for Pair<A, B, F>
where
    A: Send + 'static,
    B: Send + 'static,
    F: FnMut(A, B) -> R + Send + 'static,
{
    type Out = R;

    #[inline]
    fn look(&mut self, pull: bool) -> Look {
        let a = self.a.look(pull);
        a.and(self.b.look(pull))
    }

    #[inline]
    fn failure(&self) -> Option<Error> {
        self.a.failure().or_else(|| self.b.failure())
    }

    #[inline]
    fn run<D: Subscriber<R>>(&mut self, downstream: &mut D, budget: u64, demand: &Demand) -> u64 {
        // Both sources fused: pull them in one tight loop, each row straight downstream.
        let (Some(a), Some(b)) = (self.a.bare_cursor(), self.b.bare_cursor()) else {
            return 0;
        };
        // The cursors as plain `&mut dyn` (data and vtable pointers kept in registers).
        let (a, b) = (&mut **a, &mut **b);
        let f = &mut self.f;
        let mut emitted = 0;
        let stopped = loop {
            if emitted == budget {
                return emitted;
            }
            let x = match a.next() {
                Next::Item(x) => x,
                other => break (other, None),
            };
            let y = match b.next() {
                Next::Item(y) => y,
                other => break (Next::Item(x), Some(other)),
            };
            downstream.on_next(f(x, y));
            emitted += 1;
            if demand.is_stopping() {
                return emitted;
            }
        };
        self.a.cursor_stopped(stopped.0);
        if let Some(next) = stopped.1 {
            self.b.cursor_stopped(next);
        }
        emitted
    }

    #[inline]
    fn next_row(&mut self, pull: bool) -> Option<R> {
        let a = self.a.poll_item(pull)?;
        match self.b.poll_item(pull) {
            Some(b) => Some((self.f)(a, b)),
            None => {
                self.a.put_back(a);
                None
            }
        }
    }

    #[inline]
    fn take(&mut self) -> R {
        (self.f)(self.a.take(), self.b.take())
    }
}

impl<A, B, F, R> Publisher for Zip<A, B, F>
where
    A: Publisher,
    B: Publisher,
    A::Item: Send + 'static,
    B::Item: Send + 'static,
    F: FnMut(A::Item, B::Item) -> R + Clone + Send + 'static,
    R: 'static,
{
    type Item = R;

    fn subscribe<D>(&self, downstream: D)
    where
        D: Subscriber<R> + 'static,
    {
        let (a, feed_a) = Lane::open(&self.a, self.prefetch, "zip", true);
        let (b, feed_b) = Lane::open(&self.b, self.prefetch, "zip", true);
        let lanes = [a.shared(), b.shared()].into_iter().flatten().collect();
        let row = Pair {
            a,
            b,
            f: self.f.clone(),
        };
        let core = Core::start(row, lanes, downstream);
        if let Some(feeder) = feed_a {
            self.a.subscribe(feeder.subscriber(core.clone()));
        }
        if let Some(feeder) = feed_b {
            self.b.subscribe(feeder.subscriber(core));
        }
    }
}

/// The publisher returned by [`zip_all`](crate::zip_all): a `Vec` of one item of every
/// source, in the sources' order, for every position.
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct ZipAll<P> {
    sources: Vec<P>,
    prefetch: usize,
}

impl<P> ZipAll<P> {
    pub(crate) fn new(sources: Vec<P>) -> Self {
        ZipAll {
            sources,
            prefetch: DEFAULT_PREFETCH,
        }
    }

    /// Sets how many items each subscribed (not fused) source is asked for upfront, and so
    /// the capacity of its ring (default 32); it is replenished by `prefetch - prefetch / 4`
    /// after that many of its items were taken.
    ///
    /// # Panics
    ///
    /// If `prefetch` is 0 or larger than `usize::MAX / 2`.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, zip_all, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let rows = zip_all((0u8..3).map(|i| range(i * 10..i * 10 + 2).map(|v| v))).prefetch(1);
    /// StepVerifier::create(&rows)
    ///     .expect_next_values([vec![0, 10, 20], vec![1, 11, 21]])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn prefetch(mut self, prefetch: usize) -> Self {
        check_prefetch("zip", prefetch);
        self.prefetch = prefetch;
        self
    }
}

impl<P: std::fmt::Debug> std::fmt::Debug for ZipAll<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZipAll")
            .field("sources", &self.sources)
            .field("prefetch", &self.prefetch)
            .finish()
    }
}

/// The lanes of a [`ZipAll`].
struct Rows<T> {
    lanes: Vec<Lane<T>>,
}

impl<T: Send + 'static> Row for Rows<T> {
    type Out = Vec<T>;

    fn look(&mut self, pull: bool) -> Look {
        if self.lanes.is_empty() {
            // No source: no row, ever.
            return Look::Done;
        }
        self.lanes
            .iter_mut()
            .fold(Look::Head, |look, lane| look.and(lane.look(pull)))
    }

    fn failure(&self) -> Option<Error> {
        self.lanes.iter().find_map(Lane::failure)
    }

    fn next_row(&mut self, pull: bool) -> Option<Vec<T>> {
        if self.lanes.is_empty() {
            return None;
        }
        let mut row = Vec::with_capacity(self.lanes.len());
        for i in 0..self.lanes.len() {
            match self.lanes[i].poll_item(pull) {
                Some(item) => row.push(item),
                None => {
                    for (lane, item) in self.lanes.iter_mut().zip(row) {
                        lane.put_back(item);
                    }
                    return None;
                }
            }
        }
        Some(row)
    }

    fn take(&mut self) -> Vec<T> {
        self.lanes.iter_mut().map(Lane::take).collect()
    }
}

impl<P> Publisher for ZipAll<P>
where
    P: Publisher,
    P::Item: Send + 'static,
{
    type Item = Vec<P::Item>;

    fn subscribe<D>(&self, downstream: D)
    where
        D: Subscriber<Vec<P::Item>> + 'static,
    {
        let mut lanes = Vec::with_capacity(self.sources.len());
        let mut feeders: Vec<(usize, Feeder<P::Item>)> = Vec::new();
        for (i, source) in self.sources.iter().enumerate() {
            let (lane, feeder) = Lane::open(source, self.prefetch, "zip", true);
            lanes.push(lane);
            if let Some(feeder) = feeder {
                feeders.push((i, feeder));
            }
        }
        let shared = lanes.iter().filter_map(Lane::shared).collect();
        let core = Core::start(Rows { lanes }, shared, downstream);
        for (i, feeder) in feeders {
            self.sources[i].subscribe(feeder.subscriber(core.clone()));
        }
    }
}

/// The lanes of a zip as the drain sees them.
pub(crate) trait Row: Send + 'static {
    /// One row.
    type Out;
    /// Fills every head it can (pulling fused lanes only when `pull`) and says what the row
    /// has: every head ([`Look::Head`]), or why not.
    fn look(&mut self, pull: bool) -> Look;
    /// A subscribed source's error, as soon as it arrived.
    fn failure(&self) -> Option<Error>;
    /// The next row if every lane has an item (pulling fused lanes only when `pull`), taking
    /// them; otherwise `None` and every item taken is put back (the fast path: `look` then
    /// says why there is no row).
    fn next_row(&mut self, pull: bool) -> Option<Self::Out>;
    /// Emits up to `budget` rows straight to `downstream` when every lane is pulled (none has
    /// a ring), stopping early at a cancel or a `request(0)`; returns how many. The default
    /// does nothing: the drain goes row by row.
    #[inline]
    fn run<D: Subscriber<Self::Out>>(
        &mut self,
        downstream: &mut D,
        budget: u64,
        demand: &Demand,
    ) -> u64 {
        let _ = (downstream, budget, demand);
        0
    }
    /// Takes every head, as one row; only after `look` said [`Look::Head`].
    fn take(&mut self) -> Self::Out;
}

/// What only the drainer touches.
struct State<R, D> {
    /// `None` once the stream has ended: dropping it is rule 3.13.
    downstream: Option<D>,
    row: Option<R>,
    /// The subscription for the downstream's `on_subscribe`, taken by the first pass.
    handle: Option<SubscriptionRef>,
}

/// A zip's subscription: the demand, the subscribed lanes (for cancel) and the drain.
pub(crate) struct Core<R, D> {
    demand: Demand,
    lanes: Vec<Arc<LaneShared>>,
    cell: WipCell<State<R, D>>,
}

impl<R, D> Core<R, D>
where
    R: Row,
    D: Subscriber<R::Out> + 'static,
{
    /// Creates the subscription and runs the first pass (the downstream's `on_subscribe`,
    /// and an end that needs no demand, such as an empty fused source).
    pub(crate) fn start(row: R, lanes: Vec<Arc<LaneShared>>, downstream: D) -> Arc<Self> {
        let core = Arc::new(Core {
            demand: Demand::new(),
            lanes,
            cell: WipCell::new(State {
                downstream: Some(downstream),
                row: Some(row),
                handle: None,
            }),
        });
        let handle: SubscriptionRef = core.clone();
        // Nobody else can reach the cell before the downstream has its subscription.
        core.cell.drain(|state| state.handle = Some(handle.clone()));
        core.wake();
        core
    }

    fn cancel_lanes(&self) {
        for lane in &self.lanes {
            lane.cancel();
        }
    }

    /// One pass: as many rows as demand and heads allow, then the end if there is one.
    fn pass(&self, state: &mut State<R, D>) {
        let (Some(downstream), Some(row)) = (state.downstream.as_mut(), state.row.as_mut()) else {
            return;
        };
        if let Some(handle) = state.handle.take() {
            // Requests made in here bump the drain counter: the next pass serves them.
            downstream.on_subscribe(handle);
        }
        let requested = match self.demand.requested() {
            Requested::Demand(n) => n,
            Requested::Cancelled => return self.finish(state, None),
            Requested::Invalid => {
                let error = self
                    .demand
                    .claim_invalid()
                    .then(|| Error::invalid_request(0));
                return self.finish(state, error.map(Err));
            }
        };
        let mut emitted = 0u64;
        let end = loop {
            if let Some(error) = row.failure() {
                break Some(Err(error));
            }
            if emitted < requested {
                emitted += row.run(downstream, requested - emitted, &self.demand);
                if self.demand.is_stopping() {
                    break None;
                }
            }
            if emitted < requested {
                if let Some(out) = row.next_row(true) {
                    downstream.on_next(out);
                    emitted += 1;
                    // A cancel or `request(0)`: its own drain call runs the next pass.
                    if self.demand.is_stopping() {
                        break None;
                    }
                    continue;
                }
            }
            match row.look(emitted < requested) {
                Look::Head if emitted < requested => {
                    downstream.on_next(row.take());
                    emitted += 1;
                    // A cancel or `request(0)`: its own drain call runs the next pass.
                    if self.demand.is_stopping() {
                        break None;
                    }
                }
                Look::Head | Look::Empty => break None,
                Look::Done => break Some(Ok(())),
                Look::Failed(error) => break Some(Err(error)),
            }
        };
        if emitted > 0 && requested != UNBOUNDED {
            self.demand.produced(emitted);
        }
        if end.is_some() {
            self.finish(state, end);
        }
    }

    /// Ends the stream: the sources that are still running are cancelled, the downstream gets
    /// `end` (nothing after a cancel), and it and the lanes are dropped.
    fn finish(&self, state: &mut State<R, D>, end: Option<Result<(), Error>>) {
        self.demand.cancel();
        self.cancel_lanes();
        state.row = None;
        if let Some(mut downstream) = state.downstream.take() {
            match end {
                Some(Ok(())) => downstream.on_complete(),
                Some(Err(error)) => downstream.on_error(error),
                None => {}
            }
        }
    }
}

impl<R, D> Wake for Core<R, D>
where
    R: Row,
    D: Subscriber<R::Out> + 'static,
{
    #[inline]
    fn wake(&self) {
        self.cell.drain(|state| self.pass(state));
    }
}

impl<R, D> Subscription for Core<R, D>
where
    R: Row,
    D: Subscriber<R::Out> + 'static,
{
    fn request(&self, n: u64) {
        if self.demand.add(n).is_some() {
            self.wake();
        }
    }

    fn cancel(&self) {
        if self.demand.cancel() {
            self.cancel_lanes();
            self.wake();
        }
    }
}

impl<R, D> std::fmt::Debug for Core<R, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Zip")
            .field("demand", &self.demand)
            .finish_non_exhaustive()
    }
}

/// `a` and `b` zipped into pairs: see [`PublisherExt::zip_with`](crate::PublisherExt::zip_with),
/// which this is with `f = |a, b| (a, b)`.
///
/// # Backpressure
///
/// As [`zip_with`](crate::PublisherExt::zip_with): `prefetch` (32, see [`Zip::prefetch`])
/// upfront from each source that does not fuse, then `prefetch - prefetch / 4` each time
/// that many of its items were taken; at most `prefetch` items buffered per such source.
///
/// # Errors
///
/// The first error of either source ends the stream at once (queued items are dropped) and
/// cancels the other; `request(0)` ends it with the rule 3.9 error.
///
/// # Examples
///
/// ```
/// use reactive_operators::{just, range, zip};
/// use reactive_tck::StepVerifier;
///
/// StepVerifier::create(&zip(range(0u32..10), just("only")))
///     .expect_next((0, "only"))
///     .expect_complete()
///     .verify()
///     .unwrap();
/// ```
#[allow(clippy::type_complexity)]
pub fn zip<A, B>(a: A, b: B) -> Zip<A, B, fn(A::Item, B::Item) -> (A::Item, B::Item)>
where
    A: Publisher,
    B: Publisher,
{
    Zip::new(a, b, |a, b| (a, b))
}

/// Zips any number of sources of one item type: emits a `Vec` with one item of every source
/// (in the order of `sources`) for every position, until the first source that ends.
///
/// Zero sources complete at once. Sources that fuse (`range`, `from_iter`, `just`, ...) are
/// pulled from the drain loop, only with demand; the others are subscribed, each with a
/// ring of its own.
///
/// # Backpressure
///
/// Requests `prefetch` (32, see [`ZipAll::prefetch`]) upfront from every source that does not
/// fuse, then `prefetch - prefetch / 4` from a source each time that many of its items were
/// taken; buffers at most `prefetch` items per such source (plus one head per source,
/// taken out of its ring). Never asks a source for more than its ring can hold. A row is
/// emitted only when every source has an item and the downstream has demand.
///
/// # Errors
///
/// * The first error of any source ends the stream at once (rows not yet emitted and queued
///   items are dropped) and cancels the other sources.
/// * A source that sends more than it was asked for overflows its ring: it is cancelled and
///   the stream fails with an [`Error::buffer_overflow`] naming `zip`.
/// * `request(0)` ends the stream with an `InvalidRequest` error naming rule 3.9, and cancels
///   every source.
///
/// The stream completes as soon as one source has completed and every item it sent was
/// used; the other sources are then cancelled.
///
/// # Examples
///
/// ```
/// use reactive_operators::{range, zip_all};
/// use reactive_tck::StepVerifier;
///
/// StepVerifier::create(&zip_all([range(0u8..3), range(10..12), range(20..30)]))
///     .expect_next_values([vec![0, 10, 20], vec![1, 11, 21]])
///     .expect_complete()
///     .verify()
///     .unwrap();
/// ```
pub fn zip_all<I>(sources: I) -> ZipAll<I::Item>
where
    I: IntoIterator,
    I::Item: Publisher,
{
    ZipAll::new(sources.into_iter().collect())
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;

    use reactive_core::sync::Mutex;
    use reactive_core::sync::atomic::Ordering;
    use reactive_core::sync::thread;
    use reactive_core::{Publisher, Subscriber};

    use super::super::loom_harness::{Record, Recorder};
    use super::super::loom_support::Manual;
    use super::Zip;

    /// Source A sends its last item and completes on one thread while source B offers the
    /// item that completes the row on another (rings of 1): exactly one row, then exactly one
    /// completion; B, still running, is cancelled, and A, which completed, is not.
    #[test]
    fn zip_completion() {
        loom::model(|| {
            let (a, asked_a, slot_a) = Manual::new();
            let (b, asked_b, slot_b) = Manual::new();
            let record = Arc::new(Mutex::new(Record::default()));
            Zip::new(a, b, |a: u64, b: u64| a * 100 + b)
                .prefetch(1)
                .subscribe(Recorder(record.clone()));
            let subscription = record
                .lock()
                .subscription
                .clone()
                .expect("on_subscribe ran");
            subscription.request(2);
            let mut a: Box<dyn Subscriber<u64>> = slot_a.lock().take().expect("A subscribed");
            let mut b: Box<dyn Subscriber<u64>> = slot_b.lock().take().expect("B subscribed");
            let producer = thread::spawn(move || {
                a.on_next(1);
                a.on_complete();
            });
            b.on_next(2);
            producer.join().unwrap();
            let record = record.lock();
            assert_eq!(record.items, [102], "a row was lost or invented");
            assert_eq!(
                (record.completes, record.errors),
                (1, 0),
                "exactly one terminal"
            );
            assert!(asked_b.cancelled.load(Ordering::Acquire), "B is cancelled");
            assert!(
                !asked_a.cancelled.load(Ordering::Acquire),
                "A completed: not cancelled"
            );
        });
    }
}
