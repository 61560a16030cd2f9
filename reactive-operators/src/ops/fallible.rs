//! What `try_map`, `try_filter` and `try_filter_map` share: the subscriber that runs a
//! fallible step per item, and the policy for an item whose step failed (end the stream, or
//! skip the item and call a callback).

use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// What a fallible operator ([`try_map`](crate::PublisherExt::try_map),
/// [`try_filter`](crate::PublisherExt::try_filter),
/// [`try_filter_map`](crate::PublisherExt::try_filter_map)) does when its closure returns
/// `Err(e)` for an item: [`StopOnError`] (the default) ends the stream with `e`,
/// [`ContinueOnError`] (set with `on_error_continue`) skips the item and hands `e` to a
/// callback.
///
/// The trait is sealed: these two types are its only implementations.
///
/// # Examples
///
/// ```
/// use reactive_operators::ops::{StopOnError, TryMap};
/// use reactive_operators::{range, source::Range, PublisherExt};
///
/// type Narrow = fn(u64) -> Result<u8, std::num::TryFromIntError>;
/// // The policy is the operator's last type parameter; `StopOnError` is its default.
/// let narrow: TryMap<Range<u64>, Narrow> = range(250u64..260).try_map(u8::try_from as Narrow);
/// let _same: TryMap<Range<u64>, Narrow, StopOnError> = narrow;
/// ```
pub trait OnItemError<E>: sealed::Sealed + Clone + Send + 'static {
    /// Handles the error of one item: `Some(error)` ends the stream with it, `None` skips the
    /// item.
    #[doc(hidden)]
    fn failed(&mut self, error: E) -> Option<Error>;
}

mod sealed {
    pub trait Sealed {}
}

/// The default [`OnItemError`] policy: the first `Err(e)` cancels the upstream and ends the
/// stream with `on_error(Error::user(e))`.
///
/// # Examples
///
/// ```
/// use reactive_operators::ops::StopOnError;
///
/// let policy = StopOnError;
/// assert_eq!(format!("{policy:?}"), "StopOnError");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StopOnError;

impl sealed::Sealed for StopOnError {}

impl<E> OnItemError<E> for StopOnError
where
    E: std::error::Error + Send + Sync + 'static,
{
    #[inline]
    fn failed(&mut self, error: E) -> Option<Error> {
        Some(Error::user(error))
    }
}

/// The [`OnItemError`] policy set by `on_error_continue(callback)`: an item whose closure
/// returned `Err(e)` is skipped, `callback(e)` runs, and the stream goes on.
///
/// Each subscription gets its own clone of the callback.
///
/// # Examples
///
/// ```
/// use reactive_operators::{from_iter, PublisherExt};
/// use reactive_tck::StepVerifier;
///
/// let parsed = from_iter(["1", "x", "3"])
///     .try_map(|s| s.parse::<u32>())
///     .on_error_continue(|e| eprintln!("skipped: {e}"));
/// StepVerifier::create(&parsed)
///     .expect_next_values([1, 3])
///     .expect_complete()
///     .verify()
///     .unwrap();
/// ```
#[derive(Clone)]
pub struct ContinueOnError<C>(pub(crate) C);

impl<C> std::fmt::Debug for ContinueOnError<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContinueOnError").finish_non_exhaustive()
    }
}

impl<C> sealed::Sealed for ContinueOnError<C> {}

impl<E, C> OnItemError<E> for ContinueOnError<C>
where
    C: FnMut(E) + Clone + Send + 'static,
{
    #[inline]
    fn failed(&mut self, error: E) -> Option<Error> {
        (self.0)(error);
        None
    }
}

/// One operator's work on one item: `Ok(Some(out))` emits `out`, `Ok(None)` drops the item,
/// `Err(e)` goes to the [`OnItemError`] policy.
pub(crate) trait Step<T>: Send {
    type Out;
    type Err;
    fn step(&mut self, item: T) -> Result<Option<Self::Out>, Self::Err>;
}

/// Subscribes `subscriber` to `source` through a [`FallibleSubscriber`] running `step`: the
/// whole `subscribe` of each fallible operator.
#[inline]
pub(crate) fn subscribe<P, S, St, C>(source: &P, subscriber: S, step: St, policy: C)
where
    P: Publisher,
    St: Step<P::Item> + 'static,
    S: Subscriber<St::Out> + 'static,
    C: OnItemError<St::Err>,
{
    source.subscribe(FallibleSubscriber::new(subscriber, step, policy));
}

/// The subscriber of the fallible operators.
pub(crate) struct FallibleSubscriber<S, St, C> {
    downstream: S,
    step: St,
    policy: C,
    /// The upstream, for `request(1)` replacing a dropped item and for the cancel on failure;
    /// `None` before `on_subscribe` and after the end.
    upstream: Option<SubscriptionRef>,
    /// The stream ended (a failed item, or an upstream terminal signal): whatever the upstream
    /// still sends is dropped.
    done: bool,
}

impl<S, St, C> FallibleSubscriber<S, St, C> {
    fn new(downstream: S, step: St, policy: C) -> Self {
        FallibleSubscriber {
            downstream,
            step,
            policy,
            upstream: None,
            done: false,
        }
    }

    /// Replaces an item the downstream never saw with one more upstream (plain path only).
    #[inline]
    fn replace(&self) {
        if let Some(upstream) = &self.upstream {
            upstream.request(1);
        }
    }
}

impl<S, St, C> FallibleSubscriber<S, St, C> {
    /// The step failed and the policy ends the stream: cancel the upstream, then `on_error`.
    #[cold]
    #[inline(never)]
    fn fail<T>(&mut self, error: Error)
    where
        S: Subscriber<T>,
    {
        self.done = true;
        if let Some(upstream) = self.upstream.take() {
            upstream.cancel();
        }
        self.downstream.on_error(error);
    }
}

impl<T, S, St, C> Subscriber<T> for FallibleSubscriber<S, St, C>
where
    St: Step<T>,
    S: Subscriber<St::Out>,
    C: OnItemError<St::Err>,
{
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.upstream.is_some() || self.done {
            // Rule 2.5: a second subscription is cancelled and does not replace the first.
            subscription.cancel();
            return;
        }
        self.upstream = Some(subscription.clone());
        self.downstream.on_subscribe(subscription);
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if self.done {
            return;
        }
        match self.step.step(item) {
            Ok(Some(out)) => self.downstream.on_next(out),
            Ok(None) => self.replace(),
            Err(e) => match self.policy.failed(e) {
                Some(error) => self.fail::<St::Out>(error),
                None => self.replace(),
            },
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        if self.done {
            return false;
        }
        // Conditional path: a dropped or skipped item is "not delivered", so a source that
        // calls this does not count it and needs no replacement request.
        match self.step.step(item) {
            Ok(Some(out)) => self.downstream.try_on_next(out),
            Ok(None) => false,
            Err(e) => {
                if let Some(error) = self.policy.failed(e) {
                    self.fail::<St::Out>(error);
                }
                false
            }
        }
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        if self.done {
            return;
        }
        self.done = true;
        self.upstream = None;
        self.downstream.on_error(error);
    }

    #[inline]
    fn on_complete(&mut self) {
        if self.done {
            return;
        }
        self.done = true;
        self.upstream = None;
        self.downstream.on_complete();
    }
}
