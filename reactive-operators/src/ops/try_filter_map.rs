use reactive_core::{Publisher, Subscriber};

use super::fallible::{self, ContinueOnError, OnItemError, Step, StopOnError};

/// The publisher returned by
/// [`PublisherExt::try_filter_map`](crate::PublisherExt::try_filter_map).
///
/// `C` is what happens to an item whose closure failed: [`StopOnError`] (the default) ends
/// the stream, [`ContinueOnError`] (from [`on_error_continue`](Self::on_error_continue))
/// skips the item.
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct TryFilterMap<P, F, C = StopOnError> {
    source: P,
    f: F,
    policy: C,
}

impl<P, F> TryFilterMap<P, F> {
    pub(crate) fn new(source: P, f: F) -> Self {
        TryFilterMap {
            source,
            f,
            policy: StopOnError,
        }
    }

    /// Skips an item whose closure returned `Err(e)` instead of ending the stream: calls
    /// `on_error(e)` with the error (the user's own type) and goes on with the next item.
    ///
    /// Each subscription gets its own clone of `on_error`. Only the closure's errors are
    /// skipped; an upstream error still ends the stream (this is not Reactor's context-based
    /// `onErrorContinue`, which reaches upstream operators).
    ///
    /// # Backpressure
    ///
    /// A skipped item is replaced with demand upstream as a dropped (`Ok(None)`) one is: not
    /// counted on the conditional path, `request(1)` upstream on the plain `on_next` path.
    ///
    /// # Errors
    ///
    /// Upstream errors pass through. A panic in `on_error` propagates like one in the
    /// closure.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{from_iter, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // Blank lines are dropped, numbers parsed, the rest skipped.
    /// let numbers = from_iter(["1", "", "x", "4"])
    ///     .try_filter_map(|s| if s.is_empty() { Ok(None) } else { s.parse::<u8>().map(Some) })
    ///     .on_error_continue(|_| {});
    /// StepVerifier::create(&numbers)
    ///     .expect_next_values([1, 4])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn on_error_continue<U, E, H>(self, on_error: H) -> TryFilterMap<P, F, ContinueOnError<H>>
    where
        P: Publisher,
        F: FnMut(P::Item) -> Result<Option<U>, E>,
        H: FnMut(E) + Clone + Send + 'static,
    {
        TryFilterMap {
            source: self.source,
            f: self.f,
            policy: ContinueOnError(on_error),
        }
    }
}

impl<P: std::fmt::Debug, F, C> std::fmt::Debug for TryFilterMap<P, F, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TryFilterMap")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<P, F, C, U, E> Publisher for TryFilterMap<P, F, C>
where
    P: Publisher,
    F: FnMut(P::Item) -> Result<Option<U>, E> + Clone + Send + 'static,
    C: OnItemError<E>,
{
    type Item = U;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<U> + 'static,
    {
        fallible::subscribe(
            &self.source,
            subscriber,
            FilterMapStep(self.f.clone()),
            self.policy.clone(),
        );
    }
}

/// `try_filter_map`'s step: the closure's result is the step's.
struct FilterMapStep<F>(F);

impl<T, U, E, F> Step<T> for FilterMapStep<F>
where
    F: FnMut(T) -> Result<Option<U>, E> + Send,
{
    type Out = U;
    type Err = E;

    #[inline(always)]
    fn step(&mut self, item: T) -> Result<Option<U>, E> {
        (self.0)(item)
    }
}
