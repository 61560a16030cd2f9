//! `with_latest_from`: each item of the main stream combined with the latest item of the
//! other publisher.
//!
//! The main side's items and the other side's end meet in a [`Joined`] (see
//! `companion.rs`); its state is the other side's latest item:
//!
//! | state | written by | read by |
//! |---|---|---|
//! | the latest item (an `Arc` behind a short lock) | the other side's `on_next` | the main side's `on_next` (clones the `Arc`, then calls `f` without the lock) |

use std::marker::PhantomData;
use std::sync::Arc;

use reactive_core::sync::Mutex;
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef, UNBOUNDED};

use super::companion::{Gate, Joined, MainSubscriber};

/// The publisher returned by
/// [`PublisherExt::with_latest_from`](crate::PublisherExt::with_latest_from).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct WithLatestFrom<P, O, F> {
    source: P,
    other: O,
    f: F,
}

impl<P, O, F> WithLatestFrom<P, O, F> {
    pub(crate) fn new(source: P, other: O, f: F) -> Self {
        WithLatestFrom { source, other, f }
    }
}

impl<P: std::fmt::Debug, O: std::fmt::Debug, F> std::fmt::Debug for WithLatestFrom<P, O, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WithLatestFrom")
            .field("source", &self.source)
            .field("other", &self.other)
            .finish_non_exhaustive()
    }
}

/// The other side's latest item.
type Latest<U> = Mutex<Option<Arc<U>>>;

impl<P, O, F, R> Publisher for WithLatestFrom<P, O, F>
where
    P: Publisher,
    O: Publisher,
    P::Item: 'static,
    O::Item: Send + Sync + 'static,
    F: FnMut(P::Item, &O::Item) -> R + Clone + Send + 'static,
    R: 'static,
{
    type Item = R;

    fn subscribe<D>(&self, downstream: D)
    where
        D: Subscriber<R> + 'static,
    {
        let joined = Joined::start(downstream, Latest::<O::Item>::new(None));
        // The other side first: a value it has at once is there for the first main item.
        self.other.subscribe(OtherSubscriber {
            joined: joined.clone(),
            seen: false,
            items: PhantomData,
        });
        self.source
            .subscribe(MainSubscriber::new(joined, Combine(self.f.clone())));
    }
}

/// Each main item combined with the latest other item; dropped while there is none.
struct Combine<F>(F);

impl<T, U, R, F> Gate<T, R, Latest<U>> for Combine<F>
where
    F: FnMut(T, &U) -> R + Send + 'static,
{
    #[inline]
    fn admit(&mut self, latest: &Latest<U>, item: T) -> Option<R> {
        let latest = latest.lock().clone();
        latest.map(|latest| (self.0)(item, &latest))
    }
}

struct OtherSubscriber<U, R, D> {
    joined: Arc<Joined<R, D, Latest<U>>>,
    /// The other side has sent an item.
    seen: bool,
    items: PhantomData<fn(U)>,
}

impl<U, R, D> Subscriber<U> for OtherSubscriber<U, R, D>
where
    U: Send + Sync + 'static,
    R: 'static,
    D: Subscriber<R> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // Only the latest item is kept: nothing to bound.
        self.joined.other_subscribed(subscription, UNBOUNDED);
    }

    fn on_next(&mut self, item: U) {
        self.seen = true;
        let latest = Arc::new(item);
        // The old value is dropped after the lock is released.
        let old = self.joined.state.lock().replace(latest);
        drop(old);
    }

    fn on_error(&mut self, error: Error) {
        self.joined.other_ended(Err(error));
    }

    fn on_complete(&mut self) {
        if self.seen {
            self.joined.other.finished();
        } else {
            // No item can ever be combined: the stream is over.
            self.joined.other_ended(Ok(()));
        }
    }
}
