//! `concat`, `concat_delay_error` and `concat_with`: the sources one after another, the
//! downstream's demand carried from each to the next by a [`SubscriptionArbiter`].
//!
//! Who touches what:
//!
//! | state | written by | read by |
//! |---|---|---|
//! | the arbiter (owed demand, current source) | downstream `request`/`cancel`; each source's `on_subscribe`, and its end (`produced`, `clear`) | the next source's `on_subscribe` |
//! | the downstream subscriber | the current source's subscriber, which owns it | |
//! | the hand-off slot | a source's end (puts the downstream in) | the trampoline (takes it out) |
//! | the index of the next source | only the trampoline (a [`WipCell`]) | |
//!
//! The downstream moves by value: from the trampoline into the subscriber of source `i`,
//! back through the hand-off slot when source `i` ends, and on into the subscriber of source
//! `i + 1`. Only one source is subscribed at a time, so nobody else ever needs it. A source
//! that completes inside its own `subscribe` only bumps the trampoline's counter: the
//! trampoline subscribes the next source after `subscribe` returned, so a chain of 100,000
//! synchronous sources runs in a loop, not in 100,000 nested calls.

use std::sync::Arc;

use reactive_core::support::{SubscriptionArbiter, WipCell};
use reactive_core::sync::Mutex;
use reactive_core::{Error, ErrorKind, Publisher, Subscriber, SubscriptionRef};

use super::composite::CompositeError;

/// The publisher returned by [`concat`](crate::concat) and
/// [`concat_delay_error`](crate::concat_delay_error).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Debug)]
pub struct Concat<P> {
    sources: Arc<Vec<P>>,
    delay_error: bool,
}

impl<P> Clone for Concat<P> {
    fn clone(&self) -> Self {
        Concat {
            sources: self.sources.clone(),
            delay_error: self.delay_error,
        }
    }
}

impl<P> Concat<P> {
    pub(crate) fn new(sources: Vec<P>, delay_error: bool) -> Self {
        Concat {
            sources: Arc::new(sources),
            delay_error,
        }
    }
}

/// Emits the items of every source in `sources`, one source after another: the next source is
/// subscribed to only when the previous one has completed. Like [`Iterator::flatten`] over
/// the sources; Reactor's `Flux.concat`, RxJava's `Flowable.concat`.
///
/// The sources are collected when `concat` is called; each subscription subscribes to them
/// afresh. All sources have one type: box publishers of different types with
/// [`boxed`](crate::PublisherExt::boxed) (see the example). No source is subscribed before the
/// downstream's `on_subscribe`; an empty list completes at once.
///
/// # Backpressure
///
/// Pass-through, through a [`SubscriptionArbiter`]: each downstream request goes to the
/// current source unchanged, and a source subscribed to later is asked, in its
/// `on_subscribe`, for exactly the demand still owed (requested minus delivered), never for
/// demand already served and never twice. A request that arrives between two sources waits in
/// the arbiter for the next one. Buffers nothing.
///
/// # Errors
///
/// The first error of a source ends the stream at once (fail fast): the later sources are
/// never subscribed. [`concat_delay_error`](crate::concat_delay_error) goes on instead.
/// `request(0)` reaches the current source (or the next one, between two), which ends the
/// stream with the `InvalidRequest` error naming rule 3.9.
///
/// # Examples
///
/// ```
/// use reactive_operators::{concat, just, range, PublisherExt};
/// use reactive_tck::StepVerifier;
///
/// StepVerifier::create(&concat([range(1u32..3), range(10..12)]))
///     .initial_request(3)
///     .expect_next_values([1, 2, 10]) // the second source is asked for the 1 still owed
///     .then_request(1)
///     .expect_next(11)
///     .expect_complete()
///     .verify()
///     .unwrap();
///
/// // Sources of different types, boxed.
/// let mixed = concat(vec![just(0u32).boxed(), range(1u32..3).map(|v| v * 10).boxed()]);
/// StepVerifier::create(&mixed)
///     .expect_next_values([0, 10, 20])
///     .expect_complete()
///     .verify()
///     .unwrap();
/// ```
pub fn concat<I>(sources: I) -> Concat<I::Item>
where
    I: IntoIterator,
    I::Item: Publisher,
{
    Concat::new(sources.into_iter().collect(), false)
}

/// Like [`concat`](crate::concat), but an error of one source does not stop the others: it
/// is kept, the next source is subscribed, and after the last source the kept errors are
/// reported (one as it is, several as one [`CompositeError`](crate::ops::CompositeError), in
/// the order they happened). Reactor's `Flux.concatDelayError`, RxJava's
/// `Flowable.concatDelayError`.
///
/// # Backpressure
///
/// As for [`concat`](crate::concat): pass-through, the demand still owed carried to each next
/// source (after a failed source too), buffers only the kept errors.
///
/// # Errors
///
/// The kept errors, after the last source ended. `request(0)` is not a source's failure: its
/// `InvalidRequest` error (rule 3.9) ends the stream at once.
///
/// # Examples
///
/// ```
/// use reactive_core::Error;
/// use reactive_operators::{concat_delay_error, error, range, PublisherExt};
/// use reactive_tck::StepVerifier;
///
/// let sources = vec![
///     range(1u8..3).boxed(),
///     error(Error::msg("lost")).boxed(),
///     range(5u8..6).boxed(),
/// ];
/// StepVerifier::create(&concat_delay_error(sources))
///     .expect_next_values([1, 2, 5])
///     .expect_error_matches(|e| e.message() == "lost")
///     .verify()
///     .unwrap();
/// ```
pub fn concat_delay_error<I>(sources: I) -> Concat<I::Item>
where
    I: IntoIterator,
    I::Item: Publisher,
{
    Concat::new(sources.into_iter().collect(), true)
}

impl<P> Publisher for Concat<P>
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        start(self.sources.clone(), subscriber, self.delay_error);
    }
}

/// The publisher returned by [`PublisherExt::concat_with`](crate::PublisherExt::concat_with).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Debug)]
pub struct ConcatWith<P, Q> {
    pair: Arc<(P, Q)>,
}

impl<P, Q> Clone for ConcatWith<P, Q> {
    fn clone(&self) -> Self {
        ConcatWith {
            pair: self.pair.clone(),
        }
    }
}

impl<P, Q> ConcatWith<P, Q> {
    pub(crate) fn new(first: P, second: Q) -> Self {
        ConcatWith {
            pair: Arc::new((first, second)),
        }
    }
}

impl<P, Q> Publisher for ConcatWith<P, Q>
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
    Q: Publisher<Item = P::Item> + Send + Sync + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        start(self.pair.clone(), subscriber, false);
    }
}

/// The sources of a concatenation, subscribed by index.
trait Sources: Send + Sync + 'static {
    type Item: Send + 'static;
    fn count(&self) -> usize;
    fn subscribe_at<S: Subscriber<Self::Item> + 'static>(&self, index: usize, subscriber: S);
}

impl<P> Sources for Vec<P>
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
{
    type Item = P::Item;
    fn count(&self) -> usize {
        self.len()
    }
    fn subscribe_at<S: Subscriber<P::Item> + 'static>(&self, index: usize, subscriber: S) {
        self[index].subscribe(subscriber);
    }
}

impl<P, Q> Sources for (P, Q)
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
    Q: Publisher<Item = P::Item> + Send + Sync + 'static,
{
    type Item = P::Item;
    fn count(&self) -> usize {
        2
    }
    fn subscribe_at<S: Subscriber<P::Item> + 'static>(&self, index: usize, subscriber: S) {
        if index == 0 {
            self.0.subscribe(subscriber);
        } else {
            self.1.subscribe(subscriber);
        }
    }
}

/// What travels from a source that ended to the next one.
struct Handoff<D> {
    downstream: D,
    /// The errors kept so far (delay-error only).
    errors: Vec<Error>,
}

struct Shared<L, D> {
    sources: Arc<L>,
    arbiter: Arc<SubscriptionArbiter>,
    handoff: Mutex<Option<Handoff<D>>>,
    /// The index of the next source; only the trampoline's drainer touches it.
    trampoline: WipCell<usize>,
    delay_error: bool,
}

fn start<L, D>(sources: Arc<L>, mut downstream: D, delay_error: bool)
where
    L: Sources,
    D: Subscriber<L::Item> + 'static,
{
    let arbiter = Arc::new(SubscriptionArbiter::new());
    // Demand requested in here is kept by the arbiter for the first source.
    downstream.on_subscribe(arbiter.clone());
    let shared = Arc::new(Shared {
        sources,
        arbiter,
        handoff: Mutex::new(None),
        trampoline: WipCell::new(0),
        delay_error,
    });
    shared.next(Handoff {
        downstream,
        errors: Vec::new(),
    });
}

impl<L, D> Shared<L, D>
where
    L: Sources,
    D: Subscriber<L::Item> + 'static,
{
    /// Hands the downstream to the trampoline, which subscribes the next source (or ends the
    /// stream after the last one). Called from inside a source's `subscribe`, it only records
    /// the hand-off: the running trampoline picks it up after that `subscribe` returns.
    fn next(self: &Arc<Self>, handoff: Handoff<D>) {
        *self.handoff.lock() = Some(handoff);
        self.trampoline.drain(|index| {
            // One bump per hand-off, and one hand-off at a time: this run takes it.
            let taken = self.handoff.lock().take();
            let Some(Handoff {
                mut downstream,
                errors,
            }) = taken
            else {
                return;
            };
            if self.arbiter.is_cancelled() {
                drop(downstream); // rule 3.13
                return;
            }
            if *index == self.sources.count() {
                match CompositeError::combine(errors) {
                    None => downstream.on_complete(),
                    Some(error) => downstream.on_error(error),
                }
                return;
            }
            let current = *index;
            *index += 1;
            self.sources.subscribe_at(
                current,
                ConcatSubscriber {
                    downstream: Some(downstream),
                    errors,
                    shared: self.clone(),
                    produced: 0,
                    subscribed: false,
                },
            );
        });
    }
}

/// The subscriber of one source: passes its items down, counts them, and at the source's end
/// settles the count with the arbiter and hands the downstream on.
struct ConcatSubscriber<L, D> {
    /// `None` once this source ended.
    downstream: Option<D>,
    errors: Vec<Error>,
    shared: Arc<Shared<L, D>>,
    /// Items delivered from this source (handed to the arbiter once, at its end).
    produced: u64,
    subscribed: bool,
}

impl<L, D> ConcatSubscriber<L, D>
where
    L: Sources,
    D: Subscriber<L::Item> + 'static,
{
    /// Settles this source's deliveries and detaches it from the arbiter: demand arriving
    /// from now on waits for the next source.
    fn settle(&mut self) {
        self.shared.arbiter.produced(self.produced);
        self.produced = 0;
        self.shared.arbiter.clear();
    }
}

impl<L, D> Subscriber<L::Item> for ConcatSubscriber<L, D>
where
    L: Sources,
    D: Subscriber<L::Item> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.subscribed {
            subscription.cancel(); // rule 2.5
            return;
        }
        self.subscribed = true;
        // Asks the source for what is owed (or cancels it, after a cancel).
        self.shared.arbiter.set(subscription);
    }

    #[inline]
    fn on_next(&mut self, item: L::Item) {
        if let Some(downstream) = self.downstream.as_mut() {
            self.produced += 1;
            downstream.on_next(item);
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: L::Item) -> bool {
        let delivered = self
            .downstream
            .as_mut()
            .is_some_and(|downstream| downstream.try_on_next(item));
        if delivered {
            self.produced += 1;
        }
        delivered
    }

    fn on_error(&mut self, error: Error) {
        let Some(mut downstream) = self.downstream.take() else {
            return;
        };
        self.settle();
        if self.shared.delay_error && error.kind() != ErrorKind::InvalidRequest {
            let mut errors = std::mem::take(&mut self.errors);
            errors.push(error);
            self.shared.next(Handoff { downstream, errors });
        } else {
            downstream.on_error(error);
        }
    }

    fn on_complete(&mut self) {
        let Some(downstream) = self.downstream.take() else {
            return;
        };
        self.settle();
        let errors = std::mem::take(&mut self.errors);
        self.shared.next(Handoff { downstream, errors });
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;

    use reactive_core::Publisher;
    use reactive_core::sync::atomic::Ordering;
    use reactive_core::sync::{Mutex, thread};

    use super::ConcatWith;
    use crate::ops::loom_support::Manual;
    use crate::ops::sequential::loom_recorder::{Recorder, Seen};

    /// The first source delivers 1 of the 2 items requested and completes on one thread while
    /// the downstream requests 1 more on another: the second source is asked for exactly the
    /// 2 still owed (the racing request carried once, whether it lands before the completion,
    /// between the completion and the next subscription, or after it), and the finished
    /// source is never cancelled after its completion.
    #[test]
    fn inner_completion_races_request() {
        loom::model(|| {
            let (first, first_asked, first_slot) = Manual::new();
            let (second, second_asked, second_slot) = Manual::new();
            let seen = Arc::new(Mutex::new(Seen::default()));
            ConcatWith::new(first, second).subscribe(Recorder {
                seen: seen.clone(),
                initial: 0,
            });
            let subscription = seen.lock().subscription.clone().expect("on_subscribe ran");
            subscription.request(2);
            let mut upstream = first_slot.lock().take().expect("first subscribed");
            let other = subscription.clone();
            let t = thread::spawn(move || other.request(1));
            upstream.on_next(7);
            upstream.on_complete();
            t.join().unwrap();
            assert!(
                second_slot.lock().is_some(),
                "the second source was subscribed"
            );
            assert_eq!(seen.lock().items, [7]);
            assert_eq!(
                second_asked.requested.load(Ordering::Acquire),
                2,
                "the second source must be asked for 3 requested - 1 delivered"
            );
            assert!(
                !first_asked.cancelled.load(Ordering::Acquire),
                "the finished source must not be cancelled"
            );
            seen.lock().subscription = None;
            drop(upstream);
            drop(second_slot.lock().take());
        });
    }
}
