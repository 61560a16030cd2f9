use reactive_core::{Publisher, Subscriber};

use super::fallible::{self, ContinueOnError, OnItemError, Step, StopOnError};

/// The publisher returned by [`PublisherExt::try_filter`](crate::PublisherExt::try_filter).
///
/// `C` is what happens to an item whose predicate failed: [`StopOnError`] (the default) ends
/// the stream, [`ContinueOnError`] (from [`on_error_continue`](Self::on_error_continue))
/// skips the item.
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct TryFilter<P, F, C = StopOnError> {
    source: P,
    predicate: F,
    policy: C,
}

impl<P, F> TryFilter<P, F> {
    pub(crate) fn new(source: P, predicate: F) -> Self {
        TryFilter {
            source,
            predicate,
            policy: StopOnError,
        }
    }

    /// Skips an item whose predicate returned `Err(e)` instead of ending the stream: calls
    /// `on_error(e)` with the error (the user's own type) and goes on with the next item.
    ///
    /// Each subscription gets its own clone of `on_error`. Only the predicate's errors are
    /// skipped; an upstream error still ends the stream (this is not Reactor's context-based
    /// `onErrorContinue`, which reaches upstream operators).
    ///
    /// # Backpressure
    ///
    /// A skipped item is replaced with demand upstream as a rejected one is: not counted on
    /// the conditional path, `request(1)` upstream on the plain `on_next` path.
    ///
    /// # Errors
    ///
    /// Upstream errors pass through. A panic in `on_error` propagates like one in the
    /// predicate.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{from_iter, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // Keeps the even numbers; what does not parse is skipped.
    /// let evens = from_iter(["2", "x", "3", "4"])
    ///     .try_filter(|s| s.parse::<u32>().map(|v| v % 2 == 0))
    ///     .on_error_continue(|_| {});
    /// StepVerifier::create(&evens)
    ///     .expect_next_values(["2", "4"])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn on_error_continue<E, H>(self, on_error: H) -> TryFilter<P, F, ContinueOnError<H>>
    where
        P: Publisher,
        F: FnMut(&P::Item) -> Result<bool, E>,
        H: FnMut(E) + Clone + Send + 'static,
    {
        TryFilter {
            source: self.source,
            predicate: self.predicate,
            policy: ContinueOnError(on_error),
        }
    }
}

impl<P: std::fmt::Debug, F, C> std::fmt::Debug for TryFilter<P, F, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TryFilter")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<P, F, C, E> Publisher for TryFilter<P, F, C>
where
    P: Publisher,
    F: FnMut(&P::Item) -> Result<bool, E> + Clone + Send + 'static,
    C: OnItemError<E>,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        fallible::subscribe(
            &self.source,
            subscriber,
            FilterStep(self.predicate.clone()),
            self.policy.clone(),
        );
    }
}

/// `try_filter`'s step: `Ok(true)` keeps the item, `Ok(false)` drops it.
struct FilterStep<F>(F);

impl<T, E, F> Step<T> for FilterStep<F>
where
    F: FnMut(&T) -> Result<bool, E> + Send,
{
    type Out = T;
    type Err = E;

    #[inline(always)]
    fn step(&mut self, item: T) -> Result<Option<T>, E> {
        (self.0)(&item).map(|keep| keep.then_some(item))
    }
}
