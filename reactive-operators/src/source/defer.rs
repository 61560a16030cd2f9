use reactive_core::{Publisher, Subscriber};

/// Calls `factory()` for every subscriber and subscribes it to the publisher `factory`
/// returns.
///
/// Nothing is built until someone subscribes, and each subscriber gets a fresh publisher: use
/// it to read the clock, open a connection or take a snapshot at subscription time rather
/// than when the pipeline is assembled. The factory runs on the thread that calls
/// `subscribe`. Returning a [`BoxPublisher`](reactive_core::BoxPublisher) lets it choose
/// between publishers of different types (for example [`error`](fn@crate::error) when the
/// resource cannot be had).
///
/// # Backpressure
///
/// That of the publisher `factory` returns: the subscriber is subscribed to it directly, so
/// every request goes to it and nothing is buffered.
///
/// # Errors
///
/// Those of the returned publisher. A panic in `factory` propagates to the caller of
/// `subscribe` (the subscriber gets no signal).
///
/// # Examples
///
/// ```
/// use reactive_core::sync::atomic::{AtomicU64, Ordering};
/// use std::sync::Arc;
/// use reactive_operators::{defer, range};
/// use reactive_tck::StepVerifier;
///
/// let subscriptions = Arc::new(AtomicU64::new(0));
/// let counter = subscriptions.clone();
/// // Each subscriber gets one more item than the one before.
/// let growing = defer(move || range(0..counter.fetch_add(1, Ordering::Relaxed) + 1));
/// StepVerifier::create(&growing).expect_next(0).expect_complete().verify().unwrap();
/// StepVerifier::create(&growing)
///     .expect_next_values([0, 1])
///     .expect_complete()
///     .verify()
///     .unwrap();
/// assert_eq!(subscriptions.load(Ordering::Relaxed), 2);
/// ```
pub fn defer<F, P>(factory: F) -> Defer<F>
where
    F: Fn() -> P + Send + Sync + 'static,
    P: Publisher,
{
    Defer { factory }
}

/// The publisher returned by [`defer`].
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Defer<F> {
    factory: F,
}

impl<F> std::fmt::Debug for Defer<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Defer").finish_non_exhaustive()
    }
}

impl<F, P> Publisher for Defer<F>
where
    F: Fn() -> P + Send + Sync + 'static,
    P: Publisher,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        (self.factory)().subscribe(subscriber);
    }
}
