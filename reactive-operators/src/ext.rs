//! [`PublisherExt`]: every operator and terminal, as methods on any [`Publisher`].

use reactive_core::{BoxPublisher, Error, Publisher};

use crate::ops::{Filter, Map};
use crate::terminal::{SubscribeHandle, callback_subscriber};

/// Operators and terminals for every [`Publisher`].
///
/// Implemented for all publishers; import it with `use reactive_operators::PublisherExt;`.
/// Each method documents what it requests upstream and what it buffers (`# Backpressure`),
/// and what it signals on failure (`# Errors`).
pub trait PublisherExt: Publisher {
    /// Emits `f(item)` for every item.
    ///
    /// Each subscriber gets its own clone of `f`, so `f` may keep per-subscription state.
    ///
    /// # Backpressure
    ///
    /// Pass-through: the downstream's requests go upstream unchanged; nothing is buffered.
    /// Keeps the conditional fast path of the stage below it (a `filter` after `map` still
    /// costs no `request(1)` per rejected item).
    ///
    /// # Errors
    ///
    /// Passes upstream errors through. A panic in `f` propagates to whoever drove the
    /// emission (the caller of `subscribe` or `request` in a synchronous pipeline).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(1, 3).map(|v| v * 10))
    ///     .expect_next_values([10, 20, 30])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn map<U, F>(self, f: F) -> Map<Self, F>
    where
        Self: Sized,
        F: FnMut(Self::Item) -> U + Clone + Send + 'static,
    {
        Map::new(self, f)
    }

    /// Emits only the items for which `predicate` returns `true`.
    ///
    /// Each subscriber gets its own clone of `predicate`.
    ///
    /// # Backpressure
    ///
    /// Pass-through: the downstream's requests go upstream unchanged; nothing is buffered.
    /// A rejected item delivered through `on_next` is replaced with `request(1)` upstream.
    /// Sources of this crate deliver through the conditional path (`try_on_next`) instead,
    /// where a rejected item simply does not count against demand, so no extra request is
    /// made.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through. A panic in `predicate` propagates like one in
    /// [`map`](Self::map).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // 1..=9: after 9 the source knows it has ended, so it completes without more demand.
    /// StepVerifier::create(&range(1, 9).filter(|v| v % 3 == 0))
    ///     .initial_request(2)
    ///     .expect_next_values([3, 6])
    ///     .then_request(1)
    ///     .expect_next(9)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn filter<F>(self, predicate: F) -> Filter<Self, F>
    where
        Self: Sized,
        F: FnMut(&Self::Item) -> bool + Clone + Send + 'static,
    {
        Filter::new(self, predicate)
    }

    // ----- Async boundaries (ops/publish_on.rs, ops/subscribe_on.rs) -----

    // ----- Bridges to futures and tokio (bridge/) -----

    // ----- Terminals (terminal/) -----

    /// Subscribes with three callbacks and requests everything; returns a handle to cancel.
    ///
    /// `on_next` runs for every item, then exactly one of `on_error` and `on_complete` runs
    /// (unless the handle cancels first). In a synchronous pipeline everything runs before
    /// this method returns. The first terminal signal ends the stream for good: an upstream
    /// that breaks rule 1.7 (a second terminal signal, an item after the end) is ignored from
    /// then on, so no callback runs after `on_error` or `on_complete`.
    ///
    /// # Backpressure
    ///
    /// Requests unbounded demand (`u64::MAX`) on subscribe: the callbacks must keep up, or
    /// the upstream must be one that can wait (every source in this crate can). Buffers
    /// nothing.
    ///
    /// # Errors
    ///
    /// The stream's error goes to `on_error`. A panic in a callback propagates to whoever
    /// drove the emission.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use std::sync::{Arc, Mutex};
    ///
    /// let sum = Arc::new(Mutex::new(0));
    /// let acc = sum.clone();
    /// let handle = range(1, 4).subscribe_with(
    ///     move |v| *acc.lock().unwrap() += v,
    ///     |e| eprintln!("failed: {e}"),
    ///     || println!("done"),
    /// );
    /// assert!(handle.is_terminated());
    /// assert_eq!(*sum.lock().unwrap(), 10);
    /// ```
    fn subscribe_with<N, E, C>(&self, on_next: N, on_error: E, on_complete: C) -> SubscribeHandle
    where
        Self::Item: 'static,
        N: FnMut(Self::Item) + Send + 'static,
        E: FnOnce(Error) + Send + 'static,
        C: FnOnce() + Send + 'static,
    {
        let (subscriber, handle) = callback_subscriber(on_next, on_error, on_complete);
        self.subscribe(subscriber);
        handle
    }

    /// Erases the publisher's type.
    ///
    /// # Backpressure
    ///
    /// Unchanged; each signal costs one virtual call more.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::BoxPublisher;
    /// use reactive_operators::{just, range, PublisherExt};
    ///
    /// let sources: Vec<BoxPublisher<u64>> = vec![range(0, 3).boxed(), just(7).boxed()];
    /// assert_eq!(sources.len(), 2);
    /// ```
    fn boxed(self) -> BoxPublisher<Self::Item>
    where
        Self: Sized + Send + Sync + 'static,
        Self::Item: 'static,
    {
        BoxPublisher::new(self)
    }
}

impl<P> PublisherExt for P where P: Publisher + ?Sized {}
