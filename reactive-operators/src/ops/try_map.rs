use reactive_core::{Publisher, Subscriber};

use super::fallible::{self, ContinueOnError, OnItemError, Step, StopOnError};

/// The publisher returned by [`PublisherExt::try_map`](crate::PublisherExt::try_map).
///
/// `C` is what happens to an item whose closure failed: [`StopOnError`] (the default) ends
/// the stream, [`ContinueOnError`] (from [`on_error_continue`](Self::on_error_continue))
/// skips the item.
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct TryMap<P, F, C = StopOnError> {
    source: P,
    f: F,
    policy: C,
}

impl<P, F> TryMap<P, F> {
    pub(crate) fn new(source: P, f: F) -> Self {
        TryMap {
            source,
            f,
            policy: StopOnError,
        }
    }

    /// Skips an item whose closure returned `Err(e)` instead of ending the stream: calls
    /// `on_error(e)` with the error (the user's own type, not converted) and goes on with
    /// the next item.
    ///
    /// Each subscription gets its own clone of `on_error`. Only the errors of this operator's
    /// closure are skipped: an error the upstream signals still ends the stream, and nothing
    /// reaches the stages above (unlike Reactor's context-based `onErrorContinue`, which
    /// changes how upstream operators behave).
    ///
    /// # Backpressure
    ///
    /// A skipped item is replaced with demand upstream exactly as
    /// [`filter`](crate::PublisherExt::filter) replaces a rejected one: not counted on the
    /// conditional path, `request(1)` upstream on the plain `on_next` path.
    ///
    /// # Errors
    ///
    /// Upstream errors pass through. A panic in `on_error` propagates like one in the
    /// closure.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use reactive_operators::{from_iter, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let skipped = Arc::new(Mutex::new(Vec::new()));
    /// let log = skipped.clone();
    /// let numbers = from_iter(["7", "seven", "8"])
    ///     .try_map(|s| s.parse::<u32>())
    ///     .on_error_continue(move |e| log.lock().unwrap().push(e.to_string()));
    /// StepVerifier::create(&numbers)
    ///     .expect_next_values([7, 8])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// assert_eq!(*skipped.lock().unwrap(), ["invalid digit found in string"]);
    /// ```
    pub fn on_error_continue<U, E, H>(self, on_error: H) -> TryMap<P, F, ContinueOnError<H>>
    where
        P: Publisher,
        F: FnMut(P::Item) -> Result<U, E>,
        H: FnMut(E) + Clone + Send + 'static,
    {
        TryMap {
            source: self.source,
            f: self.f,
            policy: ContinueOnError(on_error),
        }
    }
}

impl<P: std::fmt::Debug, F, C> std::fmt::Debug for TryMap<P, F, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TryMap")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<P, F, C, U, E> Publisher for TryMap<P, F, C>
where
    P: Publisher,
    F: FnMut(P::Item) -> Result<U, E> + Clone + Send + 'static,
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
            MapStep(self.f.clone()),
            self.policy.clone(),
        );
    }
}

/// `try_map`'s step: every `Ok` is emitted.
struct MapStep<F>(F);

impl<T, U, E, F> Step<T> for MapStep<F>
where
    F: FnMut(T) -> Result<U, E> + Send,
{
    type Out = U;
    type Err = E;

    #[inline(always)]
    fn step(&mut self, item: T) -> Result<Option<U>, E> {
        (self.0)(item).map(Some)
    }
}
