//! `combine_latest`: `f(&latest_a, &latest_b)` each time either source emits, once both have
//! emitted.
//!
//! Both sources are subscribed, each with a ring of `prefetch` items of its own (see
//! `lane.rs`), and the zip's drain loop (`zip.rs`) runs the [`Latest`] row: the latest item
//! of each source lives in the row, touched only by the drainer. Sources are never fused: a
//! pulled source would be drained to its end before the other is looked at, so a fused
//! `repeat` would starve the other forever.

use reactive_core::{Error, Publisher, Subscriber};

use super::lane::{Lane, Look};
use super::zip::{Core, DEFAULT_PREFETCH, Row, check_prefetch};

/// The publisher returned by [`combine_latest`](crate::combine_latest).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct CombineLatest<A, B, F> {
    a: A,
    b: B,
    f: F,
    prefetch: usize,
}

impl<A, B, F> CombineLatest<A, B, F> {
    pub(crate) fn new(a: A, b: B, f: F) -> Self {
        CombineLatest {
            a,
            b,
            f,
            prefetch: DEFAULT_PREFETCH,
        }
    }

    /// Sets the ring of each source, and what it is asked for upfront, to `prefetch` items
    /// (default 32), as [`Zip::prefetch`](crate::ops::Zip::prefetch) does.
    ///
    /// # Panics
    ///
    /// If `prefetch` is 0 or larger than `usize::MAX / 2`.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{combine_latest, just, range};
    ///
    /// let sums = combine_latest(just(100u32), range(0u32..3), |a, b| a + b).prefetch(2);
    /// assert_eq!(sums.fold(0, |t, v| t + v).block_first().unwrap(), Some(303));
    /// # use reactive_operators::PublisherExt;
    /// ```
    pub fn prefetch(mut self, prefetch: usize) -> Self {
        check_prefetch("combine_latest", prefetch);
        self.prefetch = prefetch;
        self
    }
}

impl<A: std::fmt::Debug, B: std::fmt::Debug, F> std::fmt::Debug for CombineLatest<A, B, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CombineLatest")
            .field("a", &self.a)
            .field("b", &self.b)
            .field("prefetch", &self.prefetch)
            .finish_non_exhaustive()
    }
}

/// The two lanes, the latest item of each, and whose ring is looked at first next time.
struct Latest<A, B, F> {
    a: Lane<A>,
    b: Lane<B>,
    latest_a: Option<A>,
    latest_b: Option<B>,
    /// The lane to take from first: they alternate, so neither starves the other.
    b_first: bool,
    f: F,
}

impl<A, B, F, R> Latest<A, B, F>
where
    A: Send + 'static,
    B: Send + 'static,
    F: FnMut(&A, &B) -> R,
{
    /// Takes one item from lane `a` (or `b`), if it has one; the combination if both have a
    /// latest item now.
    fn take_from(&mut self, b: bool) -> Option<Option<R>> {
        if b {
            self.latest_b = Some(self.b.poll_item(false)?);
        } else {
            self.latest_a = Some(self.a.poll_item(false)?);
        }
        self.b_first = !b;
        Some(match (&self.latest_a, &self.latest_b) {
            (Some(a), Some(b)) => Some((self.f)(a, b)),
            _ => None,
        })
    }
}

impl<A, B, F, R> Row for Latest<A, B, F>
where
    A: Send + 'static,
    B: Send + 'static,
    F: FnMut(&A, &B) -> R + Send + 'static,
{
    type Out = R;

    fn look(&mut self, _pull: bool) -> Look {
        let a = self.a.look(false);
        let b = self.b.look(false);
        match (a, b) {
            (Look::Failed(e), _) | (_, Look::Failed(e)) => Look::Failed(e),
            // Both ended, or one ended without ever sending an item: no more combinations.
            (Look::Done, Look::Done) => Look::Done,
            (Look::Done, _) if self.latest_a.is_none() => Look::Done,
            (_, Look::Done) if self.latest_b.is_none() => Look::Done,
            // Items that wait for demand, or for nothing: either way, no row now.
            _ => Look::Empty,
        }
    }

    fn failure(&self) -> Option<Error> {
        self.a.failure().or_else(|| self.b.failure())
    }

    fn next_row(&mut self, _pull: bool) -> Option<R> {
        // Items taken before both sides have one are consumed without a row.
        loop {
            let first = self.b_first;
            let taken = match self.take_from(first) {
                Some(taken) => taken,
                None => self.take_from(!first)?,
            };
            if let Some(row) = taken {
                return Some(row);
            }
        }
    }

    fn take(&mut self) -> R {
        unreachable!("combine_latest's look never reports a head")
    }
}

impl<A, B, F, R> Publisher for CombineLatest<A, B, F>
where
    A: Publisher,
    B: Publisher,
    A::Item: Send + 'static,
    B::Item: Send + 'static,
    F: FnMut(&A::Item, &B::Item) -> R + Clone + Send + 'static,
    R: 'static,
{
    type Item = R;

    fn subscribe<D>(&self, downstream: D)
    where
        D: Subscriber<R> + 'static,
    {
        let (a, feed_a) = Lane::open(&self.a, self.prefetch, "combine_latest", false);
        let (b, feed_b) = Lane::open(&self.b, self.prefetch, "combine_latest", false);
        let lanes = [a.shared(), b.shared()].into_iter().flatten().collect();
        let row = Latest {
            a,
            b,
            latest_a: None,
            latest_b: None,
            b_first: false,
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

/// Emits `f(&latest_a, &latest_b)` each time `a` or `b` emits, once both have emitted.
///
/// Until both sources have an item, the items that arrive only update the latest one of
/// their side (no row). From then on every item of either side makes one row, with the
/// other side's latest item; the drain takes from the two sides in turn, so neither starves
/// the other. Sources are always subscribed (never pulled): a fused source pulled to its end
/// would starve the other. Like Reactor's `combineLatest` and RxJava's `combineLatest`.
///
/// # Backpressure
///
/// Requests `prefetch` (32; see [`CombineLatest::prefetch`]) from each source when it
/// subscribes, then exactly `prefetch - prefetch / 4` from it each time that many of its
/// items were taken out of its ring. Buffers at most `prefetch` items per source in its
/// ring, plus one head and the latest item per source. Rows are made only with downstream
/// demand: items wait in their rings meanwhile, and the sources are not asked for more.
///
/// # Errors
///
/// * The first error of either source ends the stream at once (queued items are dropped)
///   and cancels the other.
/// * A source that sends more than it was asked for overflows its ring: it is cancelled and
///   the stream fails with an [`Error::buffer_overflow`] naming `combine_latest`.
/// * `request(0)` ends the stream with an `InvalidRequest` error naming rule 3.9, and
///   cancels both sources.
///
/// The stream completes when both sources have completed and their items were used, or as
/// soon as one completes without having sent any item (no row could ever be made; the other
/// is cancelled).
///
/// # Examples
///
/// ```
/// use reactive_operators::{combine_latest, just, range};
/// use reactive_tck::StepVerifier;
///
/// let labelled = combine_latest(just("v"), range(0u32..3), |label, v| format!("{label}{v}"));
/// StepVerifier::create(&labelled)
///     .expect_next_values(["v0".to_string(), "v1".to_string(), "v2".to_string()])
///     .expect_complete()
///     .verify()
///     .unwrap();
/// ```
pub fn combine_latest<A, B, F, R>(a: A, b: B, f: F) -> CombineLatest<A, B, F>
where
    A: Publisher,
    B: Publisher,
    F: FnMut(&A::Item, &B::Item) -> R + Clone + Send + 'static,
{
    CombineLatest::new(a, b, f)
}
