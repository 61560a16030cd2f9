//! `merge`, `merge_delay_error` and `merge_with`: the `flat_map` machinery (`ops/flat_map.rs`)
//! over the list of sources, with the concurrency set to their number, so that every source
//! is subscribed at once and none waits for another.

use std::fmt;
use std::sync::Arc;

use reactive_core::source::{self, Fused, Next, Pull};
use reactive_core::{Publisher, Subscriber};

use super::FlatMap;

/// Emits the items of every publisher in `sources` as they arrive, interleaved, and completes
/// when all of them have completed.
///
/// Every source is subscribed to at once, in the order of `sources`, when the merge is
/// subscribed to (the same as [`flat_map`](crate::PublisherExt::flat_map) over the list with
/// `max_concurrency` set to the number of sources). Items of one source keep their order; the
/// order between sources is whatever their timing gives: a synchronous source (`range`,
/// `from_iter`, `just`) is pulled only under demand, in turns with the others. Like
/// Reactor's `Flux.merge` and RxJava's `Flowable.merge`.
///
/// Synchronous sources fuse: a source whose `fuse()` is `Some` (`range`, `from_iter`,
/// `just`, `empty`, `error`, `repeat`, `repeat_n`) is pulled directly by the merge's drain
/// loop, without a subscription or a queue.
///
/// # Backpressure
///
/// Prefetch: each source that does not fuse is requested `prefetch` items when it subscribes,
/// and `limit = prefetch - prefetch / 4` more each time `limit` of its items were delivered
/// downstream (75% rule). Each such source has its own queue of exactly `prefetch` items, so
/// the merge buffers at most `prefetch` items per source. A fused source is pulled only
/// when the downstream has demand and buffers nothing. Items delivered never exceed the
/// downstream's demand.
///
/// # Errors
///
/// * The first error of any source cancels every other source, drops the queued items and
///   is delivered at once, without waiting for demand (fail fast);
///   [`merge_delay_error`] waits for every source instead.
/// * A source that sends more than it was asked for overflows its queue: it is cancelled
///   and the stream fails with an [`ErrorKind::Overflow`](reactive_core::ErrorKind::Overflow)
///   error naming `flat_map` and the capacity.
/// * `request(0)` ends the stream with an `InvalidRequest` error naming rule 3.9, and
///   cancels every source.
///
/// Cancelling cancels every source at once and drops the queued items.
///
/// # Panics
///
/// If `prefetch` is 0 or larger than `usize::MAX / 2`.
///
/// # Examples
///
/// ```
/// use reactive_operators::{merge, range};
/// use reactive_tck::StepVerifier;
///
/// // Two synchronous sources are pulled in turns, as far as the demand allows.
/// let merged = merge([range(0..3u64), range(10..12u64)], 32);
/// StepVerifier::create(&merged)
///     .expect_next_values([0, 1, 2, 10, 11])
///     .expect_complete()
///     .verify()
///     .unwrap();
/// ```
pub fn merge<I>(sources: I, prefetch: usize) -> Merge<I::Item>
where
    I: IntoIterator,
    I::Item: Publisher,
{
    Merge::new(sources, prefetch, false)
}

/// Like [`merge`], but an error of a source waits until every source has ended: the other
/// sources keep running, and the first error is delivered (instead of `on_complete`) once all
/// of them have completed or failed.
///
/// Errors after the first are dropped (the stream carries one error). Like Reactor's
/// `Flux.mergeDelayError` and RxJava's `Flowable.mergeDelayError`.
///
/// # Backpressure
///
/// The same as [`merge`]: `prefetch` per source that does not fuse, replenished by the 75%
/// rule; at most `prefetch` items queued per source.
///
/// # Errors
///
/// * The first error of any source, after every source has ended and every queued item was
///   delivered.
/// * An overflowing source (more than it was asked for) is cancelled; its overflow error
///   counts as its error.
/// * `request(0)` ends the stream at once with an `InvalidRequest` error naming rule 3.9,
///   and cancels every source.
///
/// # Panics
///
/// If `prefetch` is 0 or larger than `usize::MAX / 2`.
///
/// # Examples
///
/// ```
/// use reactive_core::{Error, ErrorKind};
/// use reactive_operators::{error, merge_delay_error, range, PublisherExt};
///
/// let failing = error::<u64>(Error::msg("late")).boxed();
/// let merged = merge_delay_error([failing, range(0..3u64).boxed()], 32);
/// reactive_tck::StepVerifier::create(&merged)
///     .expect_next_values([0, 1, 2]) // the other source still runs to its end
///     .expect_error_kind(ErrorKind::User)
///     .verify()
///     .unwrap();
/// ```
pub fn merge_delay_error<I>(sources: I, prefetch: usize) -> Merge<I::Item>
where
    I: IntoIterator,
    I::Item: Publisher,
{
    Merge::new(sources, prefetch, true)
}

/// The publisher returned by [`merge`](crate::merge) and
/// [`merge_delay_error`](crate::merge_delay_error).
#[must_use = "publishers do nothing until subscribed"]
pub struct Merge<P> {
    sources: Arc<[P]>,
    prefetch: usize,
    delay_error: bool,
}

impl<P> Clone for Merge<P> {
    fn clone(&self) -> Self {
        Merge {
            sources: self.sources.clone(),
            prefetch: self.prefetch,
            delay_error: self.delay_error,
        }
    }
}

impl<P> fmt::Debug for Merge<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Merge")
            .field("sources", &self.sources.len())
            .field("prefetch", &self.prefetch)
            .field("delay_error", &self.delay_error)
            .finish()
    }
}

impl<P> Merge<P> {
    pub(crate) fn new<I>(sources: I, prefetch: usize, delay_error: bool) -> Self
    where
        I: IntoIterator<Item = P>,
    {
        assert!(prefetch > 0, "merge: prefetch must be at least 1");
        assert!(
            prefetch <= usize::MAX / 2,
            "merge: prefetch {prefetch} is too large for a bounded queue"
        );
        Merge {
            sources: sources.into_iter().collect(),
            prefetch,
            delay_error,
        }
    }
}

/// `identity` as a function pointer: the sources are the inners.
fn identity<P>(at: SourceAt<P>) -> SourceAt<P> {
    at
}

impl<P> Publisher for Merge<P>
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
{
    type Item = P::Item;

    fn subscribe<D>(&self, downstream: D)
    where
        D: Subscriber<P::Item> + 'static,
    {
        let outer = Sources {
            all: self.sources.clone(),
        };
        FlatMap::new(
            outer,
            identity::<P> as fn(SourceAt<P>) -> SourceAt<P>,
            self.sources.len().max(1),
            self.prefetch,
            self.delay_error,
        )
        .subscribe(downstream)
    }
}

/// The outer of a merge: one [`SourceAt`] per source, on the pull engine.
struct Sources<P> {
    all: Arc<[P]>,
}

impl<P> Publisher for Sources<P>
where
    P: Publisher + Send + Sync + 'static,
{
    type Item = SourceAt<P>;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<SourceAt<P>> + 'static,
    {
        source::subscribe(
            SourcesCursor {
                all: self.all.clone(),
                next: 0,
            },
            subscriber,
        )
    }
}

struct SourcesCursor<P> {
    all: Arc<[P]>,
    next: usize,
}

impl<P> Pull for SourcesCursor<P>
where
    P: Publisher + Send + Sync + 'static,
{
    type Item = SourceAt<P>;

    fn next(&mut self) -> Next<SourceAt<P>> {
        if self.next == self.all.len() {
            return Next::End(Ok(()));
        }
        self.next += 1;
        Next::Item(SourceAt {
            all: self.all.clone(),
            index: self.next - 1,
        })
    }

    fn end(&mut self) -> Option<Result<(), reactive_core::Error>> {
        (self.next == self.all.len()).then_some(Ok(()))
    }
}

/// One source of the list, as a publisher of its own (it subscribes, or fuses, that source).
struct SourceAt<P> {
    all: Arc<[P]>,
    index: usize,
}

impl<P: Publisher> Publisher for SourceAt<P> {
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.all[self.index].subscribe(subscriber)
    }

    fn fuse(&self) -> Option<Fused<P::Item>> {
        self.all[self.index].fuse()
    }
}

/// The publisher returned by [`PublisherExt::merge_with`](crate::PublisherExt::merge_with).
#[must_use = "publishers do nothing until subscribed"]
pub struct MergeWith<A, B> {
    merged: Merge<Either<A, B>>,
}

impl<A, B> MergeWith<A, B> {
    pub(crate) fn new(first: A, second: B, prefetch: usize) -> Self {
        MergeWith {
            merged: Merge::new(
                [Either::First(first), Either::Second(second)],
                prefetch,
                false,
            ),
        }
    }
}

impl<A, B> Clone for MergeWith<A, B> {
    fn clone(&self) -> Self {
        MergeWith {
            merged: self.merged.clone(),
        }
    }
}

impl<A, B> fmt::Debug for MergeWith<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MergeWith")
            .field("prefetch", &self.merged.prefetch)
            .finish_non_exhaustive()
    }
}

impl<A, B> Publisher for MergeWith<A, B>
where
    A: Publisher + Send + Sync + 'static,
    B: Publisher<Item = A::Item> + Send + Sync + 'static,
    A::Item: Send + 'static,
{
    type Item = A::Item;

    fn subscribe<D>(&self, downstream: D)
    where
        D: Subscriber<A::Item> + 'static,
    {
        self.merged.subscribe(downstream)
    }
}

/// Two publishers of one item type as one type, so that a list can hold both.
enum Either<A, B> {
    First(A),
    Second(B),
}

impl<A, B> Publisher for Either<A, B>
where
    A: Publisher,
    B: Publisher<Item = A::Item>,
{
    type Item = A::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<A::Item> + 'static,
    {
        match self {
            Either::First(a) => a.subscribe(subscriber),
            Either::Second(b) => b.subscribe(subscriber),
        }
    }

    fn fuse(&self) -> Option<Fused<A::Item>> {
        match self {
            Either::First(a) => a.fuse(),
            Either::Second(b) => b.fuse(),
        }
    }
}
