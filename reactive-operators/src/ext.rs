//! [`PublisherExt`]: every operator and terminal, as methods on any [`Publisher`].

use std::future::Future;

use reactive_core::scheduler::Scheduler;
use reactive_core::{BoxPublisher, Error, Publisher};

use crate::bridge::IntoStream;
use crate::ops::{Filter, Map, PublishOn, SubscribeOn};
use crate::terminal::{
    AsyncSubscriber, AsyncTerminal, Batched, BlockingIter, SubscribeHandle, Unbounded,
    callback_subscriber, for_each_async, for_each_subscriber, subscribe_async,
};

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
    /// StepVerifier::create(&range(1u64..4).map(|v| v * 10))
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
    /// StepVerifier::create(&range(1u64..10).filter(|v| v % 3 == 0))
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

    // ----- Fallible user code (ops/try_map.rs, ...) -----

    /// Emits `f(item)`'s `Ok` value for every item; the first `Err(e)` cancels the upstream
    /// and ends the stream with `e`.
    ///
    /// `f` returns `Result<U, E>` for any error type `E` (`std::num::ParseIntError`, an
    /// `io::Error`, your own type): the operator converts with
    /// [`Error::user`](reactive_core::Error::user), so nothing is boxed by hand, the error
    /// comes back with [`std::error::Error::source`] and `downcast_ref::<E>()`, and an `E`
    /// that is [`Error`] itself goes through unchanged (its kind is kept). Each subscriber
    /// gets its own clone of `f`. To skip failed items instead of ending the stream, chain
    /// [`TryMap::on_error_continue`](crate::ops::TryMap::on_error_continue).
    ///
    /// # Backpressure
    ///
    /// Pass-through: the downstream's requests go upstream unchanged; nothing is buffered.
    /// Keeps the conditional fast path of the stage below it.
    ///
    /// # Errors
    ///
    /// * `Err(e)` from `f`: the upstream is cancelled, then `on_error(Error::user(e))`
    ///   (kind [`ErrorKind::User`](reactive_core::ErrorKind::User), or `e`'s own kind when
    ///   `E` is [`Error`]). Whatever an asynchronous upstream still sends after the cancel
    ///   is dropped, never forwarded.
    /// * Upstream errors pass through.
    /// * A panic in `f` propagates like one in [`map`](Self::map), to whoever drove the
    ///   emission.
    ///
    /// # Examples
    ///
    /// Parsing, with the `ParseIntError` back out of the stream's error:
    ///
    /// ```
    /// use std::num::ParseIntError;
    /// use reactive_core::ErrorKind;
    /// use reactive_operators::{from_iter, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let parsed = from_iter(["1", "2", "three", "4"]).try_map(|s| s.parse::<u32>());
    /// StepVerifier::create(&parsed)
    ///     .expect_next_values([1, 2])
    ///     .expect_error_matches(|e| {
    ///         let source = std::error::Error::source(e).and_then(|s| s.downcast_ref::<ParseIntError>());
    ///         e.kind() == ErrorKind::User && source.is_some()
    ///     })
    ///     .verify()
    ///     .unwrap();
    /// ```
    ///
    /// Your own error type goes in the same way:
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// #[derive(Debug, PartialEq)]
    /// struct TooBig(u64);
    ///
    /// impl std::fmt::Display for TooBig {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         write!(f, "{} is too big", self.0)
    ///     }
    /// }
    ///
    /// impl std::error::Error for TooBig {}
    ///
    /// let checked = range(1u64..10).try_map(|v| if v < 3 { Ok(v * 10) } else { Err(TooBig(v)) });
    /// StepVerifier::create(&checked)
    ///     .expect_next_values([10, 20])
    ///     .expect_error_matches(|e| {
    ///         e.message() == "3 is too big"
    ///             && std::error::Error::source(e).and_then(|s| s.downcast_ref()) == Some(&TooBig(3))
    ///     })
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn try_map<U, E, F>(self, f: F) -> crate::ops::TryMap<Self, F>
    where
        Self: Sized,
        F: FnMut(Self::Item) -> Result<U, E> + Clone + Send + 'static,
        E: std::error::Error + Send + Sync + 'static,
    {
        crate::ops::TryMap::new(self, f)
    }

    /// Emits the items for which `predicate` returns `Ok(true)`; the first `Err(e)` cancels
    /// the upstream and ends the stream with `e`.
    ///
    /// The error is converted as in [`try_map`](Self::try_map) (any
    /// `E: std::error::Error`, through [`Error::user`](reactive_core::Error::user); an
    /// [`Error`] is kept as it is). Each subscriber gets its own clone of `predicate`. To skip
    /// items whose predicate failed, chain
    /// [`TryFilter::on_error_continue`](crate::ops::TryFilter::on_error_continue).
    ///
    /// # Backpressure
    ///
    /// Pass-through, as [`filter`](Self::filter): the downstream's requests go upstream
    /// unchanged and nothing is buffered; a rejected item costs nothing on the conditional
    /// path (`try_on_next`) and is replaced with `request(1)` upstream on the plain `on_next`
    /// path.
    ///
    /// # Errors
    ///
    /// * `Err(e)` from `predicate`: the upstream is cancelled, then `on_error(Error::user(e))`;
    ///   later upstream signals are dropped.
    /// * Upstream errors pass through.
    /// * A panic in `predicate` propagates like one in [`map`](Self::map).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::{Error, ErrorKind};
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // An `Error` returned by the predicate keeps its kind.
    /// let evens = range(0u64..100).try_filter(|v| {
    ///     if *v < 5 { Ok(v % 2 == 0) } else { Err(Error::timeout("took too long")) }
    /// });
    /// StepVerifier::create(&evens)
    ///     .expect_next_values([0, 2, 4])
    ///     .expect_error_kind(ErrorKind::Timeout)
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn try_filter<E, F>(self, predicate: F) -> crate::ops::TryFilter<Self, F>
    where
        Self: Sized,
        F: FnMut(&Self::Item) -> Result<bool, E> + Clone + Send + 'static,
        E: std::error::Error + Send + Sync + 'static,
    {
        crate::ops::TryFilter::new(self, predicate)
    }

    /// Emits `v` for every item where `f(item)` returns `Ok(Some(v))`, drops the items where
    /// it returns `Ok(None)`; the first `Err(e)` cancels the upstream and ends the stream
    /// with `e`.
    ///
    /// `try_map` and `filter` in one step, with the error converted as in
    /// [`try_map`](Self::try_map). Each subscriber gets its own clone of `f`. To skip failed
    /// items, chain
    /// [`TryFilterMap::on_error_continue`](crate::ops::TryFilterMap::on_error_continue).
    ///
    /// # Backpressure
    ///
    /// Pass-through, as [`filter`](Self::filter): a dropped item costs nothing on the
    /// conditional path and is replaced with `request(1)` upstream on the plain `on_next`
    /// path. Buffers nothing.
    ///
    /// # Errors
    ///
    /// * `Err(e)` from `f`: the upstream is cancelled, then `on_error(Error::user(e))`;
    ///   later upstream signals are dropped.
    /// * Upstream errors pass through.
    /// * A panic in `f` propagates like one in [`map`](Self::map).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{from_iter, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // Comments and blank lines are dropped, the rest must parse.
    /// let values = from_iter(["# header", "10", "", "20", "x"]).try_filter_map(|line| {
    ///     if line.is_empty() || line.starts_with('#') {
    ///         Ok(None)
    ///     } else {
    ///         line.parse::<i32>().map(Some)
    ///     }
    /// });
    /// StepVerifier::create(&values)
    ///     .expect_next_values([10, 20])
    ///     .expect_error_matches(|e| e.message() == "invalid digit found in string")
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn try_filter_map<U, E, F>(self, f: F) -> crate::ops::TryFilterMap<Self, F>
    where
        Self: Sized,
        F: FnMut(Self::Item) -> Result<Option<U>, E> + Clone + Send + 'static,
        E: std::error::Error + Send + Sync + 'static,
    {
        crate::ops::TryFilterMap::new(self, f)
    }

    /// Emits the same items and completion; an upstream error `e` is replaced with `f(e)`.
    ///
    /// `f` takes the upstream's [`Error`] and returns any error type `E`, converted with
    /// [`Error::user`](reactive_core::Error::user) like the results of
    /// [`try_map`](Self::try_map)'s closure: return an [`Error`] (for example
    /// `Error::new(kind, message)`) to choose the kind yourself, as it goes through
    /// unchanged, or your own error type (kind `User`, recoverable with `source` and
    /// `downcast_ref`). One conversion rule serves every fallible closure, and `f` sees the
    /// error's kind, so it can map some kinds and pass the others on. Each subscriber gets
    /// its own clone of `f`.
    ///
    /// # Backpressure
    ///
    /// Pass-through: the downstream's requests go upstream unchanged; nothing is buffered.
    ///
    /// # Errors
    ///
    /// Every upstream error becomes `f(e)`, converted as above (a `request(0)` error from the
    /// source too: `f` sees its `InvalidRequest` kind). A panic in `f` propagates to whoever
    /// delivered the error.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::{Error, ErrorKind};
    /// use reactive_operators::{error, range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// #[derive(Debug)]
    /// struct Unavailable(String);
    ///
    /// impl std::fmt::Display for Unavailable {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         write!(f, "service unavailable ({})", self.0)
    ///     }
    /// }
    ///
    /// impl std::error::Error for Unavailable {}
    ///
    /// let failing = error::<u64>(Error::timeout("no answer in 5 s"));
    /// StepVerifier::create(&failing.map_err(|e| Unavailable(e.message().to_owned())))
    ///     .expect_error_matches(|e| {
    ///         e.kind() == ErrorKind::User && e.message() == "service unavailable (no answer in 5 s)"
    ///     })
    ///     .verify()
    ///     .unwrap();
    ///
    /// // Items and completion are untouched.
    /// StepVerifier::create(&range(0u64..2).map_err(|e| e))
    ///     .expect_next_values([0, 1])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn map_err<E, F>(self, f: F) -> crate::ops::MapErr<Self, F>
    where
        Self: Sized,
        F: FnMut(Error) -> E + Clone + Send + 'static,
        E: std::error::Error + Send + Sync + 'static,
    {
        crate::ops::MapErr::new(self, f)
    }

    // ----- end of fallible user code -----

    // ----- Transforms and filters (ops/take.rs, ops/skip.rs, ...) -----

    /// Emits `f(item)` for every item where it returns `Some`, and drops the rest.
    ///
    /// As [`Iterator::filter_map`]. Each subscriber gets its own clone of `f`.
    ///
    /// # Backpressure
    ///
    /// Pass-through: the downstream's requests go upstream unchanged; nothing is buffered.
    /// A dropped item delivered through `on_next` is replaced with `request(1)` upstream; on
    /// the conditional path (`try_on_next`, which the sources of this crate use) it simply
    /// does not count against demand, so no extra request is made.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through. A panic in `f` propagates to whoever drove the
    /// emission.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let halves = range(0u64..7).filter_map(|v| (v % 2 == 0).then_some(v / 2));
    /// StepVerifier::create(&halves)
    ///     .expect_next_values([0, 1, 2, 3])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn filter_map<U, F>(self, f: F) -> crate::ops::FilterMap<Self, F>
    where
        Self: Sized,
        F: FnMut(Self::Item) -> Option<U> + Clone + Send + 'static,
    {
        crate::ops::FilterMap::new(self, f)
    }

    /// Emits what `f(&mut state, item)` returns for each item, and ends the stream at the
    /// first `None`.
    ///
    /// As [`Iterator::scan`]: each subscription starts from its own clone of `initial` (and of
    /// `f`), `f` may update the state and returns the item to emit. The first `None` cancels
    /// the upstream and completes (that item emits nothing, and `f` is not called again).
    /// For a running fold that never stops, return `Some` always (Reactor's `scan` emits
    /// the state itself: `scan(0, |acc, v| { *acc += v; Some(*acc) })`).
    ///
    /// # Backpressure
    ///
    /// Pass-through: the downstream's requests go upstream unchanged; nothing is buffered
    /// besides the state.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through. A panic in `f` propagates to whoever drove the
    /// emission.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // Running sums, until they pass 10.
    /// let sums = range(1u64..100).scan(0, |sum, v| {
    ///     *sum += v;
    ///     (*sum <= 10).then_some(*sum)
    /// });
    /// StepVerifier::create(&sums)
    ///     .expect_next_values([1, 3, 6, 10])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn scan<St, U, F>(self, initial: St, f: F) -> crate::ops::Scan<Self, St, F>
    where
        Self: Sized,
        St: Clone + Send + 'static,
        F: FnMut(&mut St, Self::Item) -> Option<U> + Clone + Send + 'static,
    {
        crate::ops::Scan::new(self, initial, f)
    }

    /// Emits `(index, item)` for every item, the index counting from 0.
    ///
    /// As [`Iterator::enumerate`]: the index is a `usize`, counted per subscription, and
    /// counts every item this stage sees (a `filter` after it sees gaps).
    ///
    /// # Backpressure
    ///
    /// Pass-through: the downstream's requests go upstream unchanged; nothing is buffered.
    /// Keeps the conditional path of the stage below it.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through.
    ///
    /// # Panics
    ///
    /// As `Iterator::enumerate`: after `usize::MAX` items the index overflows, which panics
    /// when overflow checks are on (debug builds) and wraps otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(10u64..13).enumerate())
    ///     .expect_next_values([(0, 10), (1, 11), (2, 12)])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn enumerate(self) -> crate::ops::Enumerate<Self>
    where
        Self: Sized,
    {
        crate::ops::Enumerate::new(self)
    }

    /// Emits the items at positions 0, `step`, 2 × `step`, …, dropping the ones between.
    ///
    /// As [`Iterator::step_by`]: the first item is always emitted.
    ///
    /// # Backpressure
    ///
    /// Pass-through: the downstream's requests go upstream unchanged; nothing is buffered.
    /// A dropped item delivered through `on_next` is replaced with `request(1)` upstream; on
    /// the conditional path (`try_on_next`) it does not count against demand, so no extra
    /// request is made.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through.
    ///
    /// # Panics
    ///
    /// If `step` is 0, as `Iterator::step_by`.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(0u64..10).step_by(3))
    ///     .expect_next_values([0, 3, 6, 9])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn step_by(self, step: usize) -> crate::ops::StepBy<Self>
    where
        Self: Sized,
    {
        crate::ops::StepBy::new(self, step)
    }

    /// Emits the first `n` items, then cancels the upstream and completes.
    ///
    /// As [`Iterator::take`]: every item the upstream sends counts, whether or not a stage
    /// below keeps it. The stream completes right after the `n`-th item, without waiting for
    /// the upstream to end; `take(0)` cancels the upstream and completes at once, without
    /// waiting for demand. Fewer than `n` items: the upstream's completion passes through.
    ///
    /// # Backpressure
    ///
    /// Shaping: the downstream's requests go upstream capped so that their total never
    /// exceeds `n`, however the downstream requests (one big request, many small ones,
    /// `u64::MAX`, from several threads at once: the cap is one atomic counter in the
    /// subscription, taken from with a compare-and-swap per request). Requests past the cap
    /// are not forwarded. Buffers nothing. Keeps the conditional path of the stage below it.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through. `request(0)` goes upstream, which ends the stream
    /// with an `InvalidRequest` error naming rule 3.9.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // The source is asked for 3 items, never for the 100 requested.
    /// StepVerifier::create(&range(0u64..1_000_000_000).take(3))
    ///     .initial_request(100)
    ///     .expect_next_values([0, 1, 2])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn take(self, n: u64) -> crate::ops::Take<Self>
    where
        Self: Sized,
    {
        crate::ops::Take::new(self, n)
    }

    /// Emits items while `predicate` holds; at the first item for which it returns `false`,
    /// cancels the upstream and completes.
    ///
    /// As [`Iterator::take_while`]: the failing item is not emitted, and `predicate` is not
    /// called again. Each subscriber gets its own clone of `predicate`.
    ///
    /// # Backpressure
    ///
    /// Pass-through: the downstream's requests go upstream unchanged; nothing is buffered.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through. A panic in `predicate` propagates to whoever drove
    /// the emission.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(0u64..1_000).take_while(|v| v * v < 10))
    ///     .expect_next_values([0, 1, 2, 3])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn take_while<F>(self, predicate: F) -> crate::ops::TakeWhile<Self, F>
    where
        Self: Sized,
        F: FnMut(&Self::Item) -> bool + Clone + Send + 'static,
    {
        crate::ops::TakeWhile::new(self, predicate)
    }

    /// Drops the first `n` items and emits the rest.
    ///
    /// As [`Iterator::skip`]. `skip(0)` changes nothing.
    ///
    /// # Backpressure
    ///
    /// Shaping: the downstream's first positive request goes upstream raised by `n`
    /// (saturating at `u64::MAX`), so that the skipped items are paid for in one go; every
    /// later request goes upstream unchanged. No request per skipped item, nothing buffered.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through (also while skipping). `request(0)` goes upstream,
    /// which ends the stream with an `InvalidRequest` error naming rule 3.9.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // The first request, 2, reaches the source as 5.
    /// StepVerifier::create(&range(0u64..10).skip(3))
    ///     .initial_request(2)
    ///     .expect_next_values([3, 4])
    ///     .then_request(10)
    ///     .expect_next_count(5)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn skip(self, n: u64) -> crate::ops::Skip<Self>
    where
        Self: Sized,
    {
        crate::ops::Skip::new(self, n)
    }

    /// Drops items while `predicate` holds, then emits every item from the first one for
    /// which it returns `false`.
    ///
    /// As [`Iterator::skip_while`]: once it failed, `predicate` is not called again.
    ///
    /// # Backpressure
    ///
    /// Pass-through: the downstream's requests go upstream unchanged; nothing is buffered.
    /// A skipped item delivered through `on_next` is replaced with `request(1)` upstream; on
    /// the conditional path (`try_on_next`) it does not count against demand, so no extra
    /// request is made.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through. A panic in `predicate` propagates to whoever drove
    /// the emission.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{from_iter, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&from_iter(vec![1u64, 2, 5, 1, 7]).skip_while(|v| *v < 3))
    ///     .expect_next_values([5, 1, 7])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn skip_while<F>(self, predicate: F) -> crate::ops::SkipWhile<Self, F>
    where
        Self: Sized,
        F: FnMut(&Self::Item) -> bool + Clone + Send + 'static,
    {
        crate::ops::SkipWhile::new(self, predicate)
    }

    /// Drops every item equal to the one emitted just before it.
    ///
    /// Keeps a clone of the last emitted item to compare with (one clone per emitted item,
    /// none per dropped one); for items that are costly to clone, compare a key with
    /// [`distinct_until_changed_by_key`](Self::distinct_until_changed_by_key).
    ///
    /// # Backpressure
    ///
    /// Pass-through: the downstream's requests go upstream unchanged; buffers the last
    /// emitted item only. A dropped item delivered through `on_next` is replaced with
    /// `request(1)` upstream; on the conditional path (`try_on_next`) it does not count
    /// against demand, so no extra request is made.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{from_iter, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&from_iter(vec![1u64, 1, 2, 2, 2, 1]).distinct_until_changed())
    ///     .expect_next_values([1, 2, 1])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn distinct_until_changed(self) -> crate::ops::DistinctUntilChanged<Self>
    where
        Self: Sized,
        Self::Item: PartialEq + Clone + Send + 'static,
    {
        crate::ops::DistinctUntilChanged::new(self)
    }

    /// Drops every item whose `key` equals the key of the item emitted just before it.
    ///
    /// `key` runs once per item; the last emitted item's key is kept. Each subscriber gets
    /// its own clone of `key`.
    ///
    /// # Backpressure
    ///
    /// As [`distinct_until_changed`](Self::distinct_until_changed): pass-through, buffers one
    /// key.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through. A panic in `key` propagates to whoever drove the
    /// emission.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // One item per run of equal tens.
    /// StepVerifier::create(&range(5u64..35).distinct_until_changed_by_key(|v| v / 10))
    ///     .expect_next_values([5, 10, 20, 30])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn distinct_until_changed_by_key<K, F>(
        self,
        key: F,
    ) -> crate::ops::DistinctUntilChangedByKey<Self, F>
    where
        Self: Sized,
        F: FnMut(&Self::Item) -> K + Clone + Send + 'static,
        K: PartialEq + Send + 'static,
    {
        crate::ops::DistinctUntilChangedByKey::new(self, key)
    }

    /// Emits each item the first time it appears and drops its repeats, remembering at most
    /// `max_keys` distinct items.
    ///
    /// Keeps a clone of every emitted item in a `HashSet`, per subscription; the set is
    /// dropped when the stream ends.
    ///
    /// # Backpressure
    ///
    /// Pass-through: the downstream's requests go upstream unchanged. Buffers at most
    /// `max_keys` items (the set of items seen). A dropped item delivered through `on_next`
    /// is replaced with `request(1)` upstream; on the conditional path (`try_on_next`) it
    /// does not count against demand, so no extra request is made.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through. A new item arriving when `max_keys` items are already
    /// remembered cancels the upstream and ends the stream with an
    /// [`ErrorKind::Overflow`](reactive_core::ErrorKind::Overflow) error
    /// ([`Error::buffer_overflow`](reactive_core::Error::buffer_overflow)) naming `distinct`
    /// and `max_keys`; the item is not emitted.
    ///
    /// # Panics
    ///
    /// If `max_keys` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{from_iter, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&from_iter(vec![3u64, 1, 3, 2, 1]).distinct(100))
    ///     .expect_next_values([3, 1, 2])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn distinct(self, max_keys: usize) -> crate::ops::Distinct<Self>
    where
        Self: Sized,
        Self::Item: std::hash::Hash + Eq + Clone + Send + 'static,
    {
        crate::ops::Distinct::new(self, max_keys)
    }

    /// Emits no items: only the upstream's completion or error.
    ///
    /// # Backpressure
    ///
    /// Requests unbounded demand (`u64::MAX`) upstream once, right after the downstream got
    /// its subscription, whatever the downstream requests (it is never sent an item). The
    /// downstream's requests still go upstream, where they change nothing, and `request(0)`
    /// makes the upstream report rule 3.9. Buffers nothing.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through; `request(0)` ends the stream with an
    /// `InvalidRequest` error naming rule 3.9.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // Completes without the downstream asking for anything.
    /// StepVerifier::create(&range(0u64..1_000).ignore_elements())
    ///     .initial_request(0)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn ignore_elements(self) -> crate::ops::IgnoreElements<Self>
    where
        Self: Sized,
    {
        crate::ops::IgnoreElements::new(self)
    }

    /// Emits the item at position `index` (counting from 0), then cancels the upstream and
    /// completes; fails if the stream ends before it.
    ///
    /// The item `Iterator::nth(index)` returns. Where `nth` returns `None`, this fails (as
    /// Reactor's `elementAt`); [`element_at_or`](Self::element_at_or) emits a default
    /// instead. A one-item publisher: the item is emitted only once the downstream has
    /// requested.
    ///
    /// # Backpressure
    ///
    /// Shaping: nothing is requested upstream before the downstream's first positive
    /// request; that request asks the upstream for `index + 1` items (saturating) in one go,
    /// and no later request is forwarded. Buffers nothing but the outcome (the item, or the
    /// error) on its way downstream.
    ///
    /// # Errors
    ///
    /// * The upstream completes with fewer than `index + 1` items: an
    ///   [`ErrorKind::ItemCount`](reactive_core::ErrorKind::ItemCount) error
    ///   ([`Error::no_item`](reactive_core::Error::no_item)) naming `element_at` and the
    ///   index, without waiting for demand.
    /// * Upstream errors pass through, without waiting for demand.
    /// * `request(0)` cancels the upstream and ends the stream with an `InvalidRequest` error
    ///   naming rule 3.9.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::ErrorKind;
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(10u64..20).element_at(3))
    ///     .expect_next(13)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// StepVerifier::create(&range(10u64..12).element_at(3))
    ///     .expect_error_kind(ErrorKind::ItemCount)
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn element_at(self, index: u64) -> crate::ops::ElementAt<Self>
    where
        Self: Sized,
        Self::Item: Send + 'static,
    {
        crate::ops::ElementAt::new(self, index)
    }

    /// Emits the item at position `index` (counting from 0), or `default` if the stream
    /// completes before it, then completes.
    ///
    /// `Iterator::nth(index).unwrap_or(default)`. Each subscriber gets its own clone of
    /// `default`. A one-item publisher: the item (or the default, when the upstream
    /// completed before the downstream asked) is emitted only once the downstream has
    /// requested.
    ///
    /// # Backpressure
    ///
    /// As [`element_at`](Self::element_at): requests `index + 1` (saturating) upstream on the
    /// downstream's first positive request, nothing before, nothing after. Buffers at most
    /// the one item (the default) until the downstream requests.
    ///
    /// # Errors
    ///
    /// Upstream errors pass through, without waiting for demand. `request(0)` cancels the
    /// upstream and ends the stream with an `InvalidRequest` error naming rule 3.9.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(10u64..12).element_at_or(3, 0))
    ///     .expect_next(0)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn element_at_or(
        self,
        index: u64,
        default: Self::Item,
    ) -> crate::ops::ElementAtOr<Self, Self::Item>
    where
        Self: Sized,
        Self::Item: Clone + Send + 'static,
    {
        crate::ops::ElementAtOr::new(self, index, default)
    }

    /// Converts every item with [`Into`]: emits `U::from(item)`.
    ///
    /// Named `cast`, not `into`, so that it does not clash with `Into::into` on publishers.
    ///
    /// # Backpressure
    ///
    /// Pass-through: the downstream's requests go upstream unchanged; nothing is buffered.
    /// Keeps the conditional path of the stage below it.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(1u8..4).cast::<u64>())
    ///     .expect_next_values([1u64, 2, 3])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn cast<U>(self) -> crate::ops::Cast<Self, U>
    where
        Self: Sized,
        Self::Item: Into<U>,
        U: 'static,
    {
        crate::ops::Cast::new(self)
    }

    // ----- end of transforms and filters -----

    // ----- Buffering transforms (ops/buffer.rs, ops/take_last.rs, ...) -----

    /// Emits the last `n` items of the stream once it completes (all of them if there are
    /// fewer), in order, as the downstream requests them: what `v[v.len().saturating_sub(n)..]`
    /// is to a `Vec`.
    ///
    /// Only the end of the stream tells which items are the last `n`, so nothing is emitted
    /// before the upstream completes; then the kept items go out as demand allows (from
    /// whichever thread requests), followed by `on_complete` right after the last one. With
    /// `n == 0` the stream completes when the upstream does, without any demand. Like
    /// Reactor's and RxJava's `takeLast`.
    ///
    /// # Backpressure
    ///
    /// Unbounded-in: requests `u64::MAX` upstream on subscribe and keeps a ring of at most
    /// `n` items (its first allocation holds at most 256; it grows with the stream up to
    /// `n`). The downstream's requests only release kept items; none goes upstream (a
    /// `request(0)` does, so that the upstream reports it while it runs).
    ///
    /// # Errors
    ///
    /// An upstream error is passed on at once and the kept items are dropped. `request(0)`
    /// ends the stream with an `InvalidRequest` error naming rule 3.9 (reported by the
    /// upstream while it runs, by this stage after it completed).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(0u64..10).take_last(3))
    ///     .initial_request(2)
    ///     .expect_next_values([7, 8])
    ///     .then_request(1)
    ///     .expect_next(9)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn take_last(self, n: usize) -> crate::ops::TakeLast<Self>
    where
        Self: Sized,
    {
        crate::ops::TakeLast::new(self, n)
    }

    /// Emits every item except the last `n`: each item is held back until `n` more have
    /// arrived, and the `n` still held when the upstream completes are dropped.
    ///
    /// So every item is delayed by `n` items, and a stream of at most `n` items completes
    /// empty. `skip_last(0)` passes everything through. Like Reactor's and RxJava's
    /// `skipLast(n)`.
    ///
    /// # Backpressure
    ///
    /// Shaping: the downstream's requests go upstream unchanged, plus `n` once, requested
    /// right after the downstream received its subscription (the items the ring holds back
    /// must arrive before any can be released). Buffers exactly up to `n` items (a ring; its
    /// first allocation holds at most 256). Keeps the conditional path: an item rejected
    /// further down costs no demand.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through (the held items are dropped). `request(0)` goes
    /// upstream, which reports rule 3.9.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(0u64..5).skip_last(2))
    ///     .expect_next_values([0, 1, 2])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn skip_last(self, n: usize) -> crate::ops::SkipLast<Self>
    where
        Self: Sized,
    {
        crate::ops::SkipLast::new(self, n)
    }

    /// Emits the items in `Vec`s of `size` items each, in order; the last one may be shorter,
    /// and an empty one is never emitted.
    ///
    /// Like [`slice::chunks`] on the whole stream, and Reactor's `buffer(maxSize)` and
    /// RxJava's `buffer(count)`. A full buffer is emitted as soon as its last item arrives,
    /// the partial one when the upstream completes.
    ///
    /// # Backpressure
    ///
    /// Shaping: a downstream `request(k)` becomes `request(k * size)` upstream (`u64::MAX`,
    /// unbounded, when the product does not fit). Buffers at most `size - 1` items between
    /// emissions. Allocates one `Vec` per emitted buffer (with room for `size` items, at most
    /// 1024 up front) and nothing per item beyond it.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through (the partial buffer is dropped). `request(0)` goes
    /// upstream, which reports rule 3.9.
    ///
    /// # Panics
    ///
    /// If `size` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(1u64..=7).buffer(3))
    ///     .initial_request(1)
    ///     .expect_next(vec![1, 2, 3])
    ///     .then_request(5)
    ///     .expect_next_values([vec![4, 5, 6], vec![7]])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    #[doc(alias = "chunks")]
    fn buffer(self, size: usize) -> crate::ops::Buffer<Self>
    where
        Self: Sized,
    {
        crate::ops::Buffer::new(self, size)
    }

    /// Emits `Vec`s of up to `size` items, a new one starting every `skip` items: they
    /// overlap when `skip < size`, items are dropped between them when `skip > size`, and
    /// `skip == size` is [`buffer(size)`](Self::buffer).
    ///
    /// Buffer `i` holds the items at positions `i * skip .. i * skip + size`. A full buffer is
    /// emitted as soon as its last item arrives; when the upstream completes, the buffers
    /// still open (shorter than `size`, at most `ceil(size / skip)` of them) are emitted in
    /// order as the downstream requests them, then `on_complete`. An empty buffer is never
    /// emitted. Like Reactor's `buffer(maxSize, skip)` and RxJava's `buffer(count, skip)`.
    ///
    /// # Backpressure
    ///
    /// Shaping, exact:
    ///
    /// * `skip >= size` (gaps): the first `request(k)` becomes `k * size + (k - 1) *
    ///   (skip - size)` upstream (`k` buffers and the `k - 1` gaps between them), every later
    ///   one `k * skip` (a gap and a buffer each). Gap items are requested, received and
    ///   dropped. Buffers at most `size - 1` items.
    /// * `skip < size` (overlapping): the first `request(k)` becomes `size + (k - 1) * skip`
    ///   (the first buffer, then one more every `skip` items), every later one `k * skip`.
    ///   Buffers at most `ceil(size / skip)` open buffers (each item is cloned into every
    ///   open buffer but the newest).
    ///
    /// Products and sums that do not fit become `u64::MAX` (unbounded). Allocates one `Vec`
    /// per emitted buffer (room for `size` items, at most 1024 up front).
    ///
    /// # Errors
    ///
    /// Passes upstream errors through (open buffers are dropped). `request(0)` ends the
    /// stream with an `InvalidRequest` error naming rule 3.9 (reported by the upstream while
    /// it runs; in the overlapping case by this stage after the upstream completed).
    ///
    /// # Panics
    ///
    /// If `size` or `skip` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // Overlapping: a buffer of 3 every 2 items.
    /// StepVerifier::create(&range(1u64..=6).buffer_skip(3, 2))
    ///     .expect_next_values([vec![1, 2, 3], vec![3, 4, 5], vec![5, 6]])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// // With gaps: 2 items out of every 3.
    /// StepVerifier::create(&range(1u64..=8).buffer_skip(2, 3))
    ///     .expect_next_values([vec![1, 2], vec![4, 5], vec![7, 8]])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn buffer_skip(self, size: usize, skip: usize) -> crate::ops::BufferSkip<Self>
    where
        Self: Sized,
        Self::Item: Clone,
    {
        crate::ops::BufferSkip::new(self, size, skip)
    }

    /// Emits `items` first, then the items of this publisher; like [`Iterator::chain`] with
    /// the two sides swapped.
    ///
    /// `items` is anything iterable whose iterator is `Clone` (a `Vec`, an array, a range):
    /// each subscription replays a clone of the iterator. This publisher is subscribed to
    /// only once the prefix has been delivered (right after its last item, without waiting
    /// for more demand). Like Reactor's `startWith` and RxJava's `startWithIterable`.
    ///
    /// # Backpressure
    ///
    /// Exact for the prefix, then pass-through: a downstream request is served by the
    /// prefix first, and this publisher is asked, when it is subscribed to, for exactly what
    /// the downstream requested minus what the prefix delivered (nothing if that is 0);
    /// later requests go to it unchanged. Buffers nothing.
    ///
    /// # Errors
    ///
    /// Passes this publisher's errors through. `request(0)` ends the stream with an
    /// `InvalidRequest` error naming rule 3.9, during the prefix and after it.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(3u64..5).start_with(vec![1, 2]))
    ///     .initial_request(1)
    ///     .expect_next(1)
    ///     .then_request(2)
    ///     .expect_next_values([2, 3])
    ///     .then_request(1)
    ///     .expect_next(4)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn start_with<I>(self, items: I) -> crate::ops::StartWith<Self, I::IntoIter>
    where
        Self: Sized,
        I: IntoIterator<Item = Self::Item>,
        I::IntoIter: Clone,
    {
        crate::ops::StartWith::new(self, items.into_iter())
    }

    /// Emits the stream's items, or `value` alone if the stream completes without any.
    ///
    /// Items pass through as they come; when the upstream completes empty, `value` is
    /// emitted as soon as the downstream has requested at least one item (at once if it
    /// already did), then `on_complete`. Like Reactor's `defaultIfEmpty` and RxJava's
    /// `defaultIfEmpty`.
    ///
    /// # Backpressure
    ///
    /// Pass-through: the downstream's requests go upstream unchanged (and are counted, one
    /// atomic update per request, so that the default can wait for demand). Buffers at most
    /// the one default value, after the upstream completed. Keeps the conditional path.
    ///
    /// # Errors
    ///
    /// Passes upstream errors through (no default then). `request(0)` ends the stream with
    /// an `InvalidRequest` error naming rule 3.9 (reported by the upstream while it runs, by
    /// this stage while the default waits).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{empty, range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&empty::<u64>().default_if_empty(42))
    ///     .expect_next(42)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// StepVerifier::create(&range(1u64..3).default_if_empty(42))
    ///     .expect_next_values([1, 2])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn default_if_empty(self, value: Self::Item) -> crate::ops::DefaultIfEmpty<Self, Self::Item>
    where
        Self: Sized,
        Self::Item: Clone,
    {
        crate::ops::DefaultIfEmpty::new(self, value)
    }

    /// Emits the stream's items, or, if it completes without any, the items of `other`.
    ///
    /// `other` is subscribed to only when this publisher completed empty, and the downstream
    /// keeps the one subscription it was given: its requests go to whichever publisher is
    /// current. Like Reactor's and RxJava's `switchIfEmpty`.
    ///
    /// # Backpressure
    ///
    /// Pass-through: requests go to the current publisher unchanged; on the switch, `other`
    /// is asked for exactly the demand still outstanding (everything requested so far, since
    /// nothing was delivered), and a request made during the switch is kept for it
    /// (`support::SubscriptionArbiter`). Buffers nothing.
    ///
    /// # Errors
    ///
    /// Passes the errors of either publisher through (an error of this one means no switch).
    /// `request(0)` goes to the current publisher, or to `other` on arrival, which reports
    /// rule 3.9.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{empty, range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&empty::<u64>().switch_if_empty(range(10u64..13)))
    ///     .initial_request(2)
    ///     .expect_next_values([10, 11])
    ///     .then_request(1)
    ///     .expect_next(12)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn switch_if_empty<Q>(self, other: Q) -> crate::ops::SwitchIfEmpty<Self, Q>
    where
        Self: Sized,
        Q: Publisher<Item = Self::Item>,
    {
        crate::ops::SwitchIfEmpty::new(self, other)
    }

    // ----- end of buffering transforms -----

    // ----- Aggregates (ops/count.rs, ...) -----

    /// Emits the number of items of the stream (a `u64`), once it completes.
    ///
    /// A one-item publisher: exactly one item then completion, `0` for an empty stream
    /// (as `Iterator::count`, and Reactor's `count`).
    ///
    /// # Backpressure
    ///
    /// Requests unbounded upstream as soon as it is subscribed, whatever the downstream
    /// requests; keeps only the count. The count goes out once the upstream has completed
    /// and the downstream has requested at least 1 (whichever comes last, on that thread),
    /// followed at once by `on_complete`. This holds for every aggregate: each has one value
    /// to give and gives it only on demand.
    ///
    /// # Errors
    ///
    /// Upstream errors pass through (the count so far is dropped). `request(0)` ends the
    /// stream with an [`ErrorKind::InvalidRequest`](reactive_core::ErrorKind::InvalidRequest)
    /// error naming rule 3.9 and cancels the upstream if it is still running; so do all
    /// aggregates. Cancelling cancels the upstream and drops the downstream (rule 3.13).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(0u64..1000).filter(|v| v % 3 == 0).count())
    ///     .initial_request(0)
    ///     .then_request(1) // the count is ready before the request; it waits for it
    ///     .expect_next(334)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// assert_eq!(range(0u32..5).count().block_first().unwrap(), Some(5));
    /// ```
    fn count(self) -> crate::ops::Count<Self>
    where
        Self: Sized,
        Self::Item: Send + 'static,
    {
        crate::ops::Count::new(self)
    }

    /// Emits the first item, then cancels the upstream and completes; completes without an
    /// item if the stream is empty.
    ///
    /// As `Iterator::next` on a fresh iterator. Reactor's `next()` behaves the same way;
    /// its `elementAt(0)` and RxJava's `firstOrError` fail on an empty stream instead
    /// (write [`single`](Self::single) for "exactly one").
    ///
    /// # Backpressure
    ///
    /// Requests exactly 1 upstream as soon as it is subscribed; keeps nothing but that item,
    /// which goes out once the downstream has requested at least 1.
    ///
    /// # Errors
    ///
    /// An upstream error before the first item passes through. `request(0)` and cancel as
    /// for [`count`](Self::count).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(10u64..1_000_000_000).first())
    ///     .expect_next(10)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// StepVerifier::create(&range(0u64..0).first()).expect_complete().verify().unwrap();
    /// ```
    fn first(self) -> crate::ops::First<Self>
    where
        Self: Sized,
        Self::Item: Send + 'static,
    {
        crate::ops::First::new(self)
    }

    /// Emits the last item once the stream completes; completes without an item if the
    /// stream is empty.
    ///
    /// As `Iterator::last`. Reactor's `last()` fails on an empty stream with
    /// `NoSuchElementException` instead.
    ///
    /// # Backpressure
    ///
    /// Requests unbounded upstream on subscribe; keeps one item (the latest), emitted once
    /// the upstream has completed and the downstream has requested at least 1.
    ///
    /// # Errors
    ///
    /// Upstream errors pass through (the item kept is dropped). `request(0)` and cancel as
    /// for [`count`](Self::count).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(0u64..10).last())
    ///     .expect_next(9)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn last(self) -> crate::ops::Last<Self>
    where
        Self: Sized,
        Self::Item: Send + 'static,
    {
        crate::ops::Last::new(self)
    }

    /// Emits the stream's one and only item; fails if the stream has none or more than one.
    ///
    /// There is no `Iterator` method of this meaning. Reactor's `single()` behaves the
    /// same way (it fails with `NoSuchElementException` or `IndexOutOfBoundsException`);
    /// its `singleOrEmpty()` would complete empty instead.
    ///
    /// # Backpressure
    ///
    /// Requests exactly 2 upstream on subscribe: the item, and one more to learn whether
    /// there is a second. Keeps one item, emitted once the upstream has completed and the
    /// downstream has requested at least 1.
    ///
    /// # Errors
    ///
    /// * An empty stream fails with `Error::no_item("single", "an item")`, a second item
    ///   with `Error::too_many_items("single", 1)` (the upstream is cancelled at once); both
    ///   are of kind [`ErrorKind::ItemCount`](reactive_core::ErrorKind::ItemCount) and need
    ///   no demand.
    /// * Upstream errors pass through; `request(0)` and cancel as for
    ///   [`count`](Self::count).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::ErrorKind;
    /// use reactive_operators::{just, range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&just(7u64).single()).expect_next(7).expect_complete().verify().unwrap();
    /// StepVerifier::create(&range(0u64..2).single())
    ///     .expect_error_kind(ErrorKind::ItemCount)
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn single(self) -> crate::ops::Single<Self>
    where
        Self: Sized,
        Self::Item: Send + 'static,
    {
        crate::ops::Single::new(self)
    }

    /// Folds the items with `f`, the first item as the start, and emits the result once the
    /// stream completes; completes without an item if the stream is empty.
    ///
    /// As `Iterator::reduce`: one item gives that item, `f` is not called. Reactor's
    /// `reduce(BiFunction)` behaves the same way. Each subscriber gets its own clone of `f`.
    ///
    /// # Backpressure
    ///
    /// Requests unbounded upstream on subscribe; keeps one value (the accumulator), emitted
    /// once the upstream has completed and the downstream has requested at least 1.
    ///
    /// # Errors
    ///
    /// Upstream errors pass through (the accumulator is dropped). A panic in `f` propagates
    /// like one in [`map`](Self::map). `request(0)` and cancel as for [`count`](Self::count).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(1u64..=5).reduce(|a, b| a * b))
    ///     .expect_next(120)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn reduce<F>(self, f: F) -> crate::ops::Reduce<Self, F>
    where
        Self: Sized,
        Self::Item: Send + 'static,
        F: FnMut(Self::Item, Self::Item) -> Self::Item + Clone + Send + 'static,
    {
        crate::ops::Reduce::new(self, f)
    }

    /// Folds the items into `init` with `f` and emits the result once the stream completes
    /// (`init` itself for an empty stream).
    ///
    /// As `Iterator::fold`; Reactor calls it `reduce(initial, BiFunction)`. Each subscriber
    /// starts from its own clone of `init`, with its own clone of `f`.
    ///
    /// # Backpressure
    ///
    /// Requests unbounded upstream on subscribe; keeps one value (the accumulator), emitted
    /// once the upstream has completed and the downstream has requested at least 1.
    ///
    /// # Errors
    ///
    /// Upstream errors pass through (the accumulator is dropped). A panic in `f` propagates
    /// like one in [`map`](Self::map). `request(0)` and cancel as for [`count`](Self::count).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(1u64..=4).fold(String::new(), |s, v| s + &v.to_string()))
    ///     .expect_next("1234".to_string())
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn fold<B, F>(self, init: B, f: F) -> crate::ops::Fold<Self, B, F>
    where
        Self: Sized,
        Self::Item: Send + 'static,
        B: Clone + Send + 'static,
        F: FnMut(B, Self::Item) -> B + Clone + Send + 'static,
    {
        crate::ops::Fold::new(self, init, f)
    }

    /// Collects the items into a `C` (a `Vec`, a `String`, a `HashMap` of pairs, any
    /// `Default + Extend`) and emits it once the stream completes (an empty `C` for an empty
    /// stream).
    ///
    /// As `Iterator::collect` for the `Extend` collections; Reactor's `collectList` and
    /// `collect(Supplier, BiConsumer)`. Each subscription fills its own `C::default()`.
    ///
    /// # Backpressure
    ///
    /// Requests unbounded upstream on subscribe and keeps every item in the collection:
    /// unbounded, as large as the stream. The collection goes out once the upstream has
    /// completed and the downstream has requested at least 1.
    ///
    /// # Errors
    ///
    /// Upstream errors pass through (the partial collection is dropped). `request(0)` and
    /// cancel as for [`count`](Self::count).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::StreamExt;
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(0u64..4).collect::<Vec<_>>())
    ///     .expect_next(vec![0, 1, 2, 3])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// // With the async bridge: one item.
    /// let mut stream = range(0u8..3).map(|v| char::from(b'a' + v)).collect::<String>().into_stream(1);
    /// let first = futures_executor::block_on(stream.next());
    /// assert_eq!(first.unwrap().unwrap(), "abc");
    /// ```
    fn collect<C>(self) -> crate::ops::Collect<Self, C>
    where
        Self: Sized,
        Self::Item: Send + 'static,
        C: Default + Extend<Self::Item> + Send + 'static,
    {
        crate::ops::Collect::new(self)
    }

    /// Emits whether `predicate` holds for every item: `false` at the first item for which
    /// it does not (cancelling the upstream), `true` once the stream completes (also when it
    /// is empty).
    ///
    /// As `Iterator::all` (`predicate` takes the item by value); Reactor's `all`. Each
    /// subscriber gets its own clone of `predicate`.
    ///
    /// # Backpressure
    ///
    /// Requests unbounded upstream on subscribe (stopping early by cancelling it); keeps
    /// nothing but the answer, which goes out once the downstream has requested at least 1.
    ///
    /// # Errors
    ///
    /// An upstream error before the answer is known passes through. A panic in `predicate`
    /// propagates like one in [`map`](Self::map). `request(0)` and cancel as for
    /// [`count`](Self::count).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(0u64..u64::MAX).all(|v| v < 3))
    ///     .expect_next(false) // at 3: the rest is never produced
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn all<F>(self, predicate: F) -> crate::ops::All<Self, F>
    where
        Self: Sized,
        Self::Item: Send + 'static,
        F: FnMut(Self::Item) -> bool + Clone + Send + 'static,
    {
        crate::ops::All::new(self, predicate)
    }

    /// Emits whether `predicate` holds for some item: `true` at the first item for which it
    /// does (cancelling the upstream), `false` once the stream completes (also when it is
    /// empty).
    ///
    /// As `Iterator::any` (`predicate` takes the item by value); Reactor's `any`. Each
    /// subscriber gets its own clone of `predicate`.
    ///
    /// # Backpressure
    ///
    /// Requests unbounded upstream on subscribe (stopping early by cancelling it); keeps
    /// nothing but the answer, which goes out once the downstream has requested at least 1.
    ///
    /// # Errors
    ///
    /// An upstream error before the answer is known passes through. A panic in `predicate`
    /// propagates like one in [`map`](Self::map). `request(0)` and cancel as for
    /// [`count`](Self::count).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(0u64..u64::MAX).any(|v| v * v > 50))
    ///     .expect_next(true)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn any<F>(self, predicate: F) -> crate::ops::Any<Self, F>
    where
        Self: Sized,
        Self::Item: Send + 'static,
        F: FnMut(Self::Item) -> bool + Clone + Send + 'static,
    {
        crate::ops::Any::new(self, predicate)
    }

    /// Emits `true` at the first item (cancelling the upstream), or `false` if the stream
    /// completes empty.
    ///
    /// Like `Iterator::peekable().peek().is_some()`; Reactor's `hasElements`.
    ///
    /// # Backpressure
    ///
    /// Requests exactly 1 upstream on subscribe; the answer goes out once the downstream has
    /// requested at least 1.
    ///
    /// # Errors
    ///
    /// An upstream error before the first item passes through. `request(0)` and cancel as
    /// for [`count`](Self::count).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{empty, range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(5u64..9).has_elements()).expect_next(true).expect_complete().verify().unwrap();
    /// StepVerifier::create(&empty::<u64>().has_elements()).expect_next(false).expect_complete().verify().unwrap();
    /// ```
    fn has_elements(self) -> crate::ops::HasElements<Self>
    where
        Self: Sized,
        Self::Item: Send + 'static,
    {
        crate::ops::HasElements::new(self)
    }

    /// Emits the smallest item once the stream completes (the first of equal smallest
    /// items); completes without an item if the stream is empty.
    ///
    /// As `Iterator::min`. Reactor has no `min` on `Flux` (reactor-extra's `MathFlux.min`
    /// is the nearest).
    ///
    /// # Backpressure
    ///
    /// Requests unbounded upstream on subscribe; keeps one item, emitted once the upstream
    /// has completed and the downstream has requested at least 1.
    ///
    /// # Errors
    ///
    /// Upstream errors pass through. `request(0)` and cancel as for [`count`](Self::count).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{from_iter, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&from_iter([3u64, 1, 4, 1, 5]).min()).expect_next(1).expect_complete().verify().unwrap();
    /// ```
    fn min(self) -> crate::ops::Min<Self>
    where
        Self: Sized,
        Self::Item: Ord + Send + 'static,
    {
        crate::ops::Min::new(self)
    }

    /// Emits the greatest item once the stream completes (the last of equal greatest
    /// items); completes without an item if the stream is empty.
    ///
    /// As `Iterator::max`. Reactor has no `max` on `Flux` (reactor-extra's `MathFlux.max`
    /// is the nearest).
    ///
    /// # Backpressure
    ///
    /// Requests unbounded upstream on subscribe; keeps one item, emitted once the upstream
    /// has completed and the downstream has requested at least 1.
    ///
    /// # Errors
    ///
    /// Upstream errors pass through. `request(0)` and cancel as for [`count`](Self::count).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{from_iter, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&from_iter([3u64, 1, 4, 1, 5]).max()).expect_next(5).expect_complete().verify().unwrap();
    /// ```
    fn max(self) -> crate::ops::Max<Self>
    where
        Self: Sized,
        Self::Item: Ord + Send + 'static,
    {
        crate::ops::Max::new(self)
    }

    /// Emits the item with the smallest `f(&item)` once the stream completes (the first of
    /// equal keys); completes without an item if the stream is empty.
    ///
    /// As `Iterator::min_by_key`: `f` runs once per item. Reactor has no such operator. Each
    /// subscriber gets its own clone of `f`.
    ///
    /// # Backpressure
    ///
    /// Requests unbounded upstream on subscribe; keeps one item and its key, emitted once
    /// the upstream has completed and the downstream has requested at least 1.
    ///
    /// # Errors
    ///
    /// Upstream errors pass through. A panic in `f` propagates like one in
    /// [`map`](Self::map). `request(0)` and cancel as for [`count`](Self::count).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{from_iter, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&from_iter(["ccc", "a", "bb", "z"]).min_by_key(|s| s.len()))
    ///     .expect_next("a") // "a" and "z" tie: the first stays
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn min_by_key<K, F>(self, f: F) -> crate::ops::MinByKey<Self, F>
    where
        Self: Sized,
        Self::Item: Send + 'static,
        K: Ord + Send + 'static,
        F: FnMut(&Self::Item) -> K + Clone + Send + 'static,
    {
        crate::ops::MinByKey::new(self, f)
    }

    /// Emits the item with the greatest `f(&item)` once the stream completes (the last of
    /// equal keys); completes without an item if the stream is empty.
    ///
    /// As `Iterator::max_by_key`: `f` runs once per item. Reactor has no such operator. Each
    /// subscriber gets its own clone of `f`.
    ///
    /// # Backpressure
    ///
    /// Requests unbounded upstream on subscribe; keeps one item and its key, emitted once
    /// the upstream has completed and the downstream has requested at least 1.
    ///
    /// # Errors
    ///
    /// Upstream errors pass through. A panic in `f` propagates like one in
    /// [`map`](Self::map). `request(0)` and cancel as for [`count`](Self::count).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{from_iter, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&from_iter(["ccc", "a", "bbb", "z"]).max_by_key(|s| s.len()))
    ///     .expect_next("bbb") // "ccc" and "bbb" tie: the last wins
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn max_by_key<K, F>(self, f: F) -> crate::ops::MaxByKey<Self, F>
    where
        Self: Sized,
        Self::Item: Send + 'static,
        K: Ord + Send + 'static,
        F: FnMut(&Self::Item) -> K + Clone + Send + 'static,
    {
        crate::ops::MaxByKey::new(self, f)
    }

    // ----- end of aggregates -----

    // ----- Side effects and logging (ops/inspect.rs, ...) -----

    /// Calls `f` with a reference to each item, then passes the item on.
    ///
    /// As `Iterator::inspect`; Reactor's `doOnNext`. `f` runs on the thread that delivers
    /// the item, before the downstream sees it, also for items a later `filter` rejects.
    /// Each subscriber gets its own clone of `f`.
    ///
    /// # Backpressure
    ///
    /// Pass-through: the upstream subscription goes downstream unchanged; nothing is
    /// buffered. Keeps the conditional path of the stage below it.
    ///
    /// # Errors
    ///
    /// Passes errors through. A panic in `f` propagates like one in [`map`](Self::map).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// StepVerifier::create(&range(1u64..4).inspect(move |v| log.lock().unwrap().push(*v)))
    ///     .expect_next_values([1, 2, 3])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// assert_eq!(*seen.lock().unwrap(), [1, 2, 3]);
    /// ```
    fn inspect<F>(self, f: F) -> crate::ops::Inspect<Self, F>
    where
        Self: Sized,
        F: FnMut(&Self::Item) + Clone + Send + 'static,
    {
        crate::ops::Inspect::new(self, f)
    }

    /// Calls `f` with the upstream subscription when it arrives, before the downstream's
    /// `on_subscribe`.
    ///
    /// Reactor's `doOnSubscribe`. Each subscriber gets its own clone of `f`.
    ///
    /// # Backpressure
    ///
    /// Pass-through: the upstream subscription goes downstream unchanged; nothing is
    /// buffered.
    ///
    /// # Errors
    ///
    /// Passes errors through. A panic in `f` propagates to the caller of `subscribe` (or
    /// whoever delivers `on_subscribe`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use reactive_core::sync::atomic::{AtomicU64, Ordering};
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let subscriptions = Arc::new(AtomicU64::new(0));
    /// let counter = subscriptions.clone();
    /// let source = range(0u64..2).do_on_subscribe(move |_| {
    ///     counter.fetch_add(1, Ordering::SeqCst);
    /// });
    /// StepVerifier::create(&source).expect_next_count(2).expect_complete().verify().unwrap();
    /// StepVerifier::create(&source).expect_next_count(2).expect_complete().verify().unwrap();
    /// assert_eq!(subscriptions.load(Ordering::SeqCst), 2);
    /// ```
    fn do_on_subscribe<F>(self, f: F) -> crate::ops::DoOnSubscribe<Self, F>
    where
        Self: Sized,
        F: FnMut(&reactive_core::SubscriptionRef) + Clone + Send + 'static,
    {
        crate::ops::DoOnSubscribe::new(self, f)
    }

    /// Calls `f(n)` for every `request(n)` the downstream makes (a `request(0)` too), then
    /// forwards the request upstream.
    ///
    /// Reactor's `doOnRequest`. `f` runs on the requesting thread, which may be any thread,
    /// and possibly on two at once: it is `Fn + Sync`. Each subscription gets its own clone.
    ///
    /// # Backpressure
    ///
    /// Pass-through: every request goes upstream unchanged, right after `f`; nothing is
    /// buffered. The downstream gets a wrapper of the upstream subscription, allocated once
    /// per subscription; items do not go through it.
    ///
    /// # Errors
    ///
    /// Passes errors through; a `request(0)` is forwarded, and the upstream reports rule
    /// 3.9. A panic in `f` propagates to the caller of `request`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let requests = Arc::new(Mutex::new(Vec::new()));
    /// let log = requests.clone();
    /// StepVerifier::create(&range(0u64..5).do_on_request(move |n| log.lock().unwrap().push(n)))
    ///     .initial_request(2)
    ///     .expect_next_values([0, 1])
    ///     .then_request(3)
    ///     .expect_next_values([2, 3, 4])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// assert_eq!(*requests.lock().unwrap(), [2, 3]);
    /// ```
    fn do_on_request<F>(self, f: F) -> crate::ops::DoOnRequest<Self, F>
    where
        Self: Sized,
        F: Fn(u64) + Clone + Send + Sync + 'static,
    {
        crate::ops::DoOnRequest::new(self, f)
    }

    /// Calls `f` when the downstream cancels (once, at its first `cancel`), then cancels the
    /// upstream.
    ///
    /// Reactor's `doOnCancel`. `f` runs on the cancelling thread, which may be any thread.
    /// A stream that ends by itself (completion, error) does not call `f`; a `cancel` after
    /// that does (the downstream did cancel). Each subscription gets its own clone of `f`.
    ///
    /// # Backpressure
    ///
    /// Pass-through: requests go upstream unchanged; nothing is buffered. The downstream
    /// gets a wrapper of the upstream subscription, allocated once per subscription (with
    /// one flag that makes `f` run once); items do not go through it.
    ///
    /// # Errors
    ///
    /// Passes errors through. A panic in `f` propagates to the caller of `cancel` (and the
    /// upstream is then not cancelled).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use reactive_core::sync::atomic::{AtomicBool, Ordering};
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let cancelled = Arc::new(AtomicBool::new(false));
    /// let flag = cancelled.clone();
    /// StepVerifier::create(&range(0u64..100).do_on_cancel(move || flag.store(true, Ordering::SeqCst)))
    ///     .initial_request(1)
    ///     .expect_next(0)
    ///     .then_cancel()
    ///     .verify()
    ///     .unwrap();
    /// assert!(cancelled.load(Ordering::SeqCst));
    /// ```
    fn do_on_cancel<F>(self, f: F) -> crate::ops::DoOnCancel<Self, F>
    where
        Self: Sized,
        F: Fn() + Clone + Send + Sync + 'static,
    {
        crate::ops::DoOnCancel::new(self, f)
    }

    /// Calls `f` when the upstream completes, before the downstream's `on_complete`.
    ///
    /// Reactor's `doOnComplete`. Each subscriber gets its own clone of `f`.
    ///
    /// # Backpressure
    ///
    /// Pass-through: the upstream subscription goes downstream unchanged; nothing is
    /// buffered.
    ///
    /// # Errors
    ///
    /// Passes errors through (`f` does not run for them). A panic in `f` propagates to
    /// whoever delivered `on_complete`; the downstream then gets no terminal signal.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use reactive_core::sync::atomic::{AtomicBool, Ordering};
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let done = Arc::new(AtomicBool::new(false));
    /// let flag = done.clone();
    /// StepVerifier::create(&range(0u64..3).do_on_complete(move || flag.store(true, Ordering::SeqCst)))
    ///     .expect_next_count(3)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// assert!(done.load(Ordering::SeqCst));
    /// ```
    fn do_on_complete<F>(self, f: F) -> crate::ops::DoOnComplete<Self, F>
    where
        Self: Sized,
        F: FnMut() + Clone + Send + 'static,
    {
        crate::ops::DoOnComplete::new(self, f)
    }

    /// Calls `f` with the upstream's error, before the downstream's `on_error`.
    ///
    /// Reactor's `doOnError`. Each subscriber gets its own clone of `f`.
    ///
    /// # Backpressure
    ///
    /// Pass-through: the upstream subscription goes downstream unchanged; nothing is
    /// buffered.
    ///
    /// # Errors
    ///
    /// Passes the error on, unchanged, after `f`. A panic in `f` propagates to whoever
    /// delivered `on_error`; the downstream then gets no terminal signal.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use reactive_core::{Error, ErrorKind};
    /// use reactive_operators::{error, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let seen = Arc::new(Mutex::new(None));
    /// let slot = seen.clone();
    /// let failing = error::<u64>(Error::msg("disk full"))
    ///     .do_on_error(move |e| *slot.lock().unwrap() = Some(e.message().to_string()));
    /// StepVerifier::create(&failing).expect_error_kind(ErrorKind::User).verify().unwrap();
    /// assert_eq!(seen.lock().unwrap().as_deref(), Some("disk full"));
    /// ```
    fn do_on_error<F>(self, f: F) -> crate::ops::DoOnError<Self, F>
    where
        Self: Sized,
        F: FnMut(&Error) + Clone + Send + 'static,
    {
        crate::ops::DoOnError::new(self, f)
    }

    /// Calls `f` exactly once when the stream ends, whichever way: after the downstream's
    /// `on_complete` or `on_error`, or after a `cancel` has been passed upstream.
    ///
    /// Reactor's `doFinally` (without the signal type). When a cancel on one thread races
    /// the completion on another, `f` still runs once, on whichever thread gets there first
    /// (one atomic swap per subscription decides). Each subscription gets its own clone of
    /// `f`; it is `Fn + Sync` because it may run on any thread.
    ///
    /// # Backpressure
    ///
    /// Pass-through: requests go upstream unchanged; nothing is buffered. The downstream
    /// gets a wrapper of the upstream subscription, allocated once per subscription; items
    /// do not go through it.
    ///
    /// # Errors
    ///
    /// Passes errors through, then runs `f`. A panic in `f` propagates to the thread that
    /// ran it (after the downstream got its signal).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use reactive_core::sync::atomic::{AtomicU64, Ordering};
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let runs = Arc::new(AtomicU64::new(0));
    /// let counter = runs.clone();
    /// let source = range(0u64..3).do_finally(move || {
    ///     counter.fetch_add(1, Ordering::SeqCst);
    /// });
    /// StepVerifier::create(&source).expect_next_count(3).expect_complete().verify().unwrap();
    /// StepVerifier::create(&source).initial_request(1).expect_next(0).then_cancel().verify().unwrap();
    /// assert_eq!(runs.load(Ordering::SeqCst), 2); // once per subscription
    /// ```
    fn do_finally<F>(self, f: F) -> crate::ops::DoFinally<Self, F>
    where
        Self: Sized,
        F: Fn() + Clone + Send + Sync + 'static,
    {
        crate::ops::DoFinally::new(self, f)
    }

    /// Emits a [`tracing`] event for every signal, each named by `name`: `on_subscribe`,
    /// `on_next` (with the item's `Debug`), `on_error`, `on_complete`, and the downstream's
    /// `request(n)` and `cancel`.
    ///
    /// Reactor's `log(category)`. Every event is at level `INFO`, with target
    /// `reactive_operators::log` and the fields `name`, `signal` (the signal's name) and, by
    /// signal, `item` (`Debug`), `error` (`Display`) or `n`. Filter on the target to turn it
    /// on or off without touching the pipeline.
    ///
    /// **Cost when `INFO` is disabled for the target**: per item, the check `tracing`'s
    /// macros make (a compare with the level compiled in, one relaxed load of the global
    /// maximum level, and, when some subscriber enables `INFO` for another target, a load of
    /// the call site's cached interest); no formatting and no allocation. When enabled, each
    /// event costs what the installed `tracing` subscriber makes of it.
    ///
    /// # Backpressure
    ///
    /// Pass-through: requests go upstream unchanged (after their event); nothing is
    /// buffered. The downstream gets a wrapper of the upstream subscription, allocated once
    /// per subscription (to log requests and cancels); items do not go through it.
    ///
    /// # Errors
    ///
    /// Passes errors through, after their event.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // With no tracing subscriber installed the events go nowhere, at the cost above.
    /// StepVerifier::create(&range(0u64..3).log("numbers"))
    ///     .expect_next_values([0, 1, 2])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn log(self, name: &str) -> crate::ops::Log<Self>
    where
        Self: Sized,
        Self::Item: std::fmt::Debug,
    {
        crate::ops::Log::new(self, name)
    }

    // ----- end of side effects and logging -----

    // ----- Sequential combining (ops/concat.rs, ops/concat_map.rs, ops/switch_map.rs, ops/flat_map_iter.rs) -----

    /// Emits the items of this publisher, then, once it has completed, the items of `other`;
    /// [`Iterator::chain`]'s meaning. Reactor's `concatWith`, RxJava's `concatWith`.
    ///
    /// `other` is subscribed to only after this publisher completed (right after its last
    /// item, without waiting for more demand); [`concat`](crate::concat) does the same for
    /// any number of publishers of one type.
    ///
    /// # Backpressure
    ///
    /// Pass-through: the downstream's requests go to this publisher unchanged, and `other`
    /// is asked, when it subscribes, for exactly what was requested and not yet delivered;
    /// later requests go to it unchanged. Buffers nothing.
    ///
    /// # Errors
    ///
    /// An error of this publisher ends the stream at once (`other` is never subscribed);
    /// `other`'s errors pass through. `request(0)` ends the stream with the `InvalidRequest`
    /// error naming rule 3.9.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{just, range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(1u32..3).concat_with(just(9)))
    ///     .initial_request(2)
    ///     .expect_next_values([1, 2])
    ///     .then_request(1)
    ///     .expect_next(9)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn concat_with<Q>(self, other: Q) -> crate::ops::ConcatWith<Self, Q>
    where
        Self: Sized,
        Q: Publisher<Item = Self::Item>,
    {
        crate::ops::ConcatWith::new(self, other)
    }

    /// Maps each item to an inner publisher with `f` and emits the inners' items one inner
    /// after another, in the order of the items: the next inner starts only when the
    /// current one has completed. Reactor's `concatMap`, RxJava's `concatMap`;
    /// [`Iterator::flat_map`] with publishers.
    ///
    /// Up to `prefetch` items of this publisher wait in a bounded queue while an inner
    /// plays. An inner that fuses ([`Publisher::fuse`]: `just`, `range`, `from_iter`,
    /// `empty`, `error`, `repeat`, `repeat_n`) is not subscribed: its items are pulled from
    /// the operator's drain loop, one per unit of demand. Any other inner is subscribed and
    /// its items are handed over through a ring of 32, so inners may signal from any thread.
    /// The stream completes when this publisher and the last inner have completed.
    ///
    /// # Backpressure
    ///
    /// This publisher is asked for `prefetch` items when it subscribes, then for
    /// `prefetch - prefetch / 4` more each time that many were taken from the queue (the
    /// 75% rule; a `prefetch` of 1 asks 1 at a time; 0 is not supported, see `# Panics`).
    /// A subscribed inner is asked for what the downstream has requested and not yet
    /// received, at most 32 outstanding: when it starts (if there is demand), and again
    /// once 24 or more are missing or nothing is outstanding; it is never asked for more
    /// than the downstream wants. Buffers at most `prefetch` outer items and 32 items of the
    /// current inner; a source that sends more than it was asked for ends the stream with
    /// `Error::buffer_overflow`.
    ///
    /// # Errors
    ///
    /// Fail fast: an error of this publisher ends the stream as soon as the drain loop
    /// sees it (the queued items are dropped, the current inner cancelled); an inner's error
    /// ends it after that inner's earlier items (this publisher is cancelled).
    /// [`concat_map_delay_error`](Self::concat_map_delay_error) goes on instead.
    /// `request(0)` ends the stream with the `InvalidRequest` error naming rule 3.9 (this
    /// publisher and the current inner are cancelled).
    ///
    /// # Panics
    ///
    /// If `prefetch` is 0 or larger than `usize::MAX / 2`. A panic in `f` propagates to
    /// the caller that drove the emission.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(1u32..4).concat_map(|n| range(0..n), 2))
    ///     .initial_request(2)
    ///     .expect_next_values([0, 0]) // range(0..1), then range(0..2) starts
    ///     .then_request(4)
    ///     .expect_next_values([1, 0, 1, 2])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn concat_map<Q, F>(self, f: F, prefetch: usize) -> crate::ops::ConcatMap<Self, F>
    where
        Self: Sized,
        Q: Publisher,
        F: FnMut(Self::Item) -> Q + Clone,
    {
        crate::ops::ConcatMap::new(self, f, prefetch, false)
    }

    /// Like [`concat_map`](Self::concat_map), but errors do not stop the stream: an inner's
    /// error is kept and the next inner starts, an error of this publisher is kept until
    /// the queued items' inners have played, and after the last inner the kept errors are
    /// reported (one as it is, several as one [`CompositeError`](crate::ops::CompositeError),
    /// in the order they happened). Reactor's `concatMapDelayError`, RxJava's
    /// `concatMapDelayError`.
    ///
    /// # Backpressure
    ///
    /// As for [`concat_map`](Self::concat_map): `prefetch` upfront from this publisher,
    /// replenished by the 75% rule; each subscribed inner asked for what the downstream
    /// wants, at most 32 outstanding. Buffers at most `prefetch` outer items, 32 inner items
    /// and the kept errors.
    ///
    /// # Errors
    ///
    /// The kept errors, once this publisher and every inner have ended. `request(0)` (rule
    /// 3.9) is not kept: its `InvalidRequest` error ends the stream at once.
    ///
    /// # Panics
    ///
    /// If `prefetch` is 0 or larger than `usize::MAX / 2`.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::Error;
    /// use reactive_operators::{error, range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let inners = range(1u32..4).concat_map_delay_error(
    ///     |n| if n == 2 { error(Error::msg("two")).boxed() } else { range(0..n).boxed() },
    ///     4,
    /// );
    /// StepVerifier::create(&inners)
    ///     .expect_next_values([0, 0, 1, 2])
    ///     .expect_error_matches(|e| e.message() == "two")
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn concat_map_delay_error<Q, F>(self, f: F, prefetch: usize) -> crate::ops::ConcatMap<Self, F>
    where
        Self: Sized,
        Q: Publisher,
        F: FnMut(Self::Item) -> Q + Clone,
    {
        crate::ops::ConcatMap::new(self, f, prefetch, true)
    }

    /// Maps each item to an inner publisher with `f` and emits the items of the latest
    /// inner only: a new item cancels the current inner and starts its own. Reactor's
    /// `switchMap`, RxJava's `switchMap`.
    ///
    /// Items of a cancelled inner that arrive late are dropped, never delivered (each inner
    /// hands its items over through a ring of its own, and the ring of a cancelled inner
    /// is dropped unread). The stream completes when this publisher and the last inner
    /// have completed. Inners that fuse ([`Publisher::fuse`]) are pulled from the drain
    /// loop instead of being subscribed, as in [`concat_map`](Self::concat_map).
    ///
    /// # Backpressure
    ///
    /// This publisher is requested unbounded (as in Reactor): its items never wait for
    /// demand, only the latest one is kept until the drain loop takes it (a buffer of one).
    /// The downstream's demand still outstanding moves to each new inner: a subscribed
    /// inner is asked for what the downstream has requested and not yet received, at most
    /// 32 outstanding (when it starts, then once 24 or more are missing or nothing is
    /// outstanding). Buffers at most 32 items of the current inner.
    ///
    /// # Errors
    ///
    /// Fail fast: an error of this publisher or of the current inner ends the stream as
    /// soon as the drain loop sees it, cancelling the other side; errors of cancelled
    /// inners are ignored. `request(0)` ends the stream with the `InvalidRequest` error
    /// naming rule 3.9.
    ///
    /// # Panics
    ///
    /// A panic in `f` propagates to the caller that drove the emission.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::Publisher;
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::harness::ManualPublisher;
    /// use reactive_tck::{TestEnvironment, TestSubscriber};
    ///
    /// let env = TestEnvironment::default();
    /// let outer = ManualPublisher::<u32>::new(&env);
    /// let ts = TestSubscriber::new();
    /// outer.clone().switch_map(|n| range(n * 10..n * 10 + 3)).subscribe(ts.clone());
    /// outer.send_next(1); // range(10..13) plays at once (unbounded demand)
    /// outer.send_next(2);
    /// outer.send_completion();
    /// assert_eq!(ts.values(), [10, 11, 12, 20, 21, 22]);
    /// assert!(ts.is_complete());
    /// ```
    fn switch_map<Q, F>(self, f: F) -> crate::ops::SwitchMap<Self, F>
    where
        Self: Sized,
        Q: Publisher,
        F: FnMut(Self::Item) -> Q + Clone,
    {
        crate::ops::SwitchMap::new(self, f)
    }

    /// Maps each item to an iterator with `f` and emits the iterators' items one after
    /// another; [`Iterator::flat_map`] over a publisher. Reactor's `flatMapIterable`
    /// (`concatMapIterable`), RxJava's `flatMapIterable`.
    ///
    /// Items are pulled from the current iterator only as the downstream's demand allows:
    /// nothing is pulled ahead and nothing is buffered. An iterator whose `size_hint` says
    /// it is exhausted is let go of without waiting for more demand, so the stream can
    /// complete right after its last item. The stream completes when this publisher has
    /// completed and the last iterator is exhausted.
    ///
    /// # Backpressure
    ///
    /// This publisher is asked for 1 item at a time: when the downstream has demand and
    /// the current iterator is exhausted (or there is none yet). Buffers at most one item of
    /// this publisher (the one just delivered, until the drain loop maps it); a publisher
    /// that sends an item it was not asked for ends the stream with an `Overflow` error
    /// (and is cancelled).
    ///
    /// # Errors
    ///
    /// An error of this publisher ends the stream as soon as the drain loop sees it (the
    /// current iterator is dropped). `request(0)` ends the stream with the `InvalidRequest`
    /// error naming rule 3.9 (this publisher is cancelled).
    ///
    /// # Panics
    ///
    /// A panic in `f` or in an iterator propagates to the caller that drove the emission.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(1u32..4).flat_map_iter(|n| vec![n; n as usize]))
    ///     .initial_request(2)
    ///     .expect_next_values([1, 2])
    ///     .then_request(10)
    ///     .expect_next_values([2, 3, 3, 3])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn flat_map_iter<I, F>(self, f: F) -> crate::ops::FlatMapIter<Self, F>
    where
        Self: Sized,
        I: IntoIterator,
        F: FnMut(Self::Item) -> I + Clone,
    {
        crate::ops::FlatMapIter::new(self, f)
    }

    // ----- end of sequential combining -----

    // ----- Merging (ops/merge.rs, ops/flat_map.rs) -----

    /// Maps each item to an inner publisher with `f` and emits the items of up to
    /// `max_concurrency` inners at a time, interleaved as they arrive; completes once the
    /// upstream and every inner have completed.
    ///
    /// Each upstream item becomes an inner at once (`f` runs in the upstream's `on_next`);
    /// an inner that does not fuse is subscribed to right away. Items of one inner keep
    /// their order; between inners, the order is whatever their timing gives, and with
    /// limited demand the inners are served in turns. One drain loop delivers every item, so
    /// inners may signal from any threads at the same time. Like Reactor's
    /// `flatMap(f, concurrency, prefetch)` and RxJava's `flatMap(f, maxConcurrency,
    /// bufferSize)`.
    ///
    /// Synchronous inners fuse: when `f(item).fuse()` is `Some` (`range`, `from_iter`,
    /// `empty`, `error`, `repeat`, `repeat_n`), the inner is pulled directly by the drain loop,
    /// only under demand, with no subscription and no queue; a `just(v)` inner is emitted at
    /// once when there is demand, and otherwise kept (it counts as one of the
    /// `max_concurrency` inners until it is emitted). A synchronous upstream fuses too: it is
    /// pulled by the drain loop instead of subscribed, one item each time fewer than
    /// `max_concurrency` inners are open.
    ///
    /// # Backpressure
    ///
    /// * Upstream: `max_concurrency` items when it subscribes, then
    ///   `limit = max_concurrency - max_concurrency / 4` more each time `limit` inners have
    ///   completed (75% rule), so at most `max_concurrency` inners are open at once. A fused
    ///   upstream is asked nothing: its next item is taken when an inner's place is free.
    /// * Each inner that does not fuse: `prefetch` items when it subscribes, then `limit =
    ///   prefetch - prefetch / 4` more each time `limit` of its items were delivered
    ///   downstream. It has its own bounded queue of exactly `prefetch` items.
    /// * Buffers at most `max_concurrency × prefetch` items (plus `max_concurrency` kept
    ///   `just` items), and never delivers more than the downstream requested.
    ///
    /// `flat_map(f, 4, 32)` asks a subscribed upstream for 4 items on subscribe, and for 3
    /// more after every third completed inner; each inner that does not fuse is asked for 32 items when
    /// it subscribes and for 24 more each time 24 of its items went downstream.
    ///
    /// # Errors
    ///
    /// * Fail fast: the first error, of the upstream or of any inner, cancels the upstream
    ///   and every inner, drops the queued items, and is delivered at once, without waiting
    ///   for demand. [`flat_map_delay_error`](Self::flat_map_delay_error) waits instead.
    /// * An inner (or the upstream) that sends more than it was asked for is cancelled and
    ///   the stream fails with an [`ErrorKind::Overflow`](reactive_core::ErrorKind::Overflow)
    ///   error naming `flat_map` and the queue's capacity: never a block, never a silent drop.
    /// * `request(0)` ends the stream with an `InvalidRequest` error naming rule 3.9, and
    ///   cancels the upstream and every inner.
    ///
    /// Cancelling cancels the upstream (at once, from the cancelling thread) and every inner,
    /// and drops the queued items and the downstream (rule 3.13).
    ///
    /// # Panics
    ///
    /// If `max_concurrency` or `prefetch` is 0 or larger than `usize::MAX / 2`.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // Each item n becomes the inner range(0..n); the fused inners are pulled in turns.
    /// let flat = range(1..4u64).flat_map(|n| range(0..n), 4, 32);
    /// StepVerifier::create(&flat)
    ///     .initial_request(2)
    ///     .expect_next_values([0, 0])
    ///     .then_request(10)
    ///     .expect_next_count(4)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn flat_map<F, I>(
        self,
        f: F,
        max_concurrency: usize,
        prefetch: usize,
    ) -> crate::ops::FlatMap<Self, F>
    where
        Self: Sized,
        F: FnMut(Self::Item) -> I + Clone + Send + 'static,
        I: Publisher,
        I::Item: Send + 'static,
    {
        crate::ops::FlatMap::new(self, f, max_concurrency, prefetch, false)
    }

    /// Like [`flat_map`](Self::flat_map), but an error (of the upstream or of an inner) waits
    /// until the upstream and every inner have ended: the rest keep running, and the first
    /// error is delivered instead of `on_complete` after every queued item.
    ///
    /// Errors after the first are dropped (the stream carries one error). An upstream error
    /// stops new inners (there are no more items), the open ones run to their end. Like
    /// Reactor's `flatMapDelayError` and RxJava's `flatMap(f, true, maxConcurrency,
    /// bufferSize)`.
    ///
    /// # Backpressure
    ///
    /// The same as [`flat_map`](Self::flat_map): `max_concurrency` upstream, then `limit`
    /// more per `limit` completed inners; `prefetch` per inner that does not fuse, replenished
    /// by the 75% rule; at most `max_concurrency × prefetch` items queued.
    ///
    /// # Errors
    ///
    /// * The first error, once the upstream and every inner have ended.
    /// * An overflowing inner is cancelled; its overflow error counts as its error.
    /// * `request(0)` ends the stream at once with an `InvalidRequest` error naming rule 3.9.
    ///
    /// # Panics
    ///
    /// If `max_concurrency` or `prefetch` is 0 or larger than `usize::MAX / 2`.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::{Error, ErrorKind};
    /// use reactive_operators::{error, range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let flat = range(0..3u64).flat_map_delay_error(
    ///     |n| if n == 0 { error(Error::msg("first")).boxed() } else { range(0..2u64).boxed() },
    ///     4,
    ///     32,
    /// );
    /// StepVerifier::create(&flat)
    ///     .expect_next_count(4) // the inners of 1 and 2 still run
    ///     .expect_error_kind(ErrorKind::User)
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn flat_map_delay_error<F, I>(
        self,
        f: F,
        max_concurrency: usize,
        prefetch: usize,
    ) -> crate::ops::FlatMap<Self, F>
    where
        Self: Sized,
        F: FnMut(Self::Item) -> I + Clone + Send + 'static,
        I: Publisher,
        I::Item: Send + 'static,
    {
        crate::ops::FlatMap::new(self, f, max_concurrency, prefetch, true)
    }

    /// Emits the items of this publisher and of `other` as they arrive, interleaved; completes
    /// when both have completed: [`merge`](crate::merge) of the two, with a prefetch of 32.
    ///
    /// Both are subscribed to at once. Synchronous sources fuse (they are pulled under demand
    /// by the drain loop, in turns). Like Reactor's `mergeWith` and RxJava's `mergeWith`.
    ///
    /// # Backpressure
    ///
    /// Prefetch 32 from each side that does not fuse, then 24 each time 24 of its items were
    /// delivered downstream; at most 32 items queued per side.
    ///
    /// # Errors
    ///
    /// The first error of either side cancels the other and is delivered at once (fail
    /// fast); an overflowing side fails the stream with an `Overflow` error naming
    /// `flat_map`; `request(0)` ends the stream with the rule 3.9 error.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{just, range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(0..2u64).merge_with(just(9)))
    ///     .expect_next_values([0, 1, 9])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn merge_with<O>(self, other: O) -> crate::ops::MergeWith<Self, O>
    where
        Self: Sized + Send + Sync + 'static,
        Self::Item: Send + 'static,
        O: Publisher<Item = Self::Item> + Send + Sync + 'static,
    {
        crate::ops::MergeWith::new(self, other, 32)
    }

    // ----- end of merging -----

    // ----- Joining by position and by time of arrival (ops/zip.rs, ops/combine_latest.rs, ops/take_until.rs, ...) -----

    /// Emits `f(a, b)` for every pair of items at the same position of this stream and
    /// `other`, until the first of them ends.
    ///
    /// The n-th item of each source makes the n-th row; a row is emitted only when both sources
    /// have an item for it and the downstream has demand. A source that fuses (`range`,
    /// `from_iter`, `just`, `repeat`, ...) is pulled from the drain loop, with demand, instead
    /// of being subscribed; the other is subscribed with a ring of its own. The free function
    /// [`zip`](crate::zip) pairs the items into tuples, [`zip_all`](crate::zip_all) zips any
    /// number of sources of one type. Like Reactor's `zipWith` and RxJava's `zipWith`.
    ///
    /// # Backpressure
    ///
    /// Requests `prefetch` (32; see [`Zip::prefetch`](crate::ops::Zip::prefetch)) from each
    /// source that does not fuse when it subscribes, then exactly `prefetch - prefetch / 4`
    /// from it each time that many of its items were taken out of its ring (the 75% rule):
    /// never more than its ring can hold, whatever the downstream asks for. Buffers at most
    /// `prefetch` items per subscribed source, plus one head per source. A fused source is
    /// pulled one item per row, only with demand.
    ///
    /// # Errors
    ///
    /// * The first error of either source ends the stream at once (fail fast: queued items
    ///   are dropped) and cancels the other source.
    /// * A source that sends more than it was asked for overflows its ring: it is cancelled
    ///   and the stream fails with an [`ErrorKind::Overflow`](reactive_core::ErrorKind::Overflow)
    ///   error naming `zip`.
    /// * `request(0)` ends the stream with an `InvalidRequest` error naming rule 3.9, and
    ///   cancels both sources.
    ///
    /// The stream completes as soon as one source has completed and every item it sent was
    /// used (the other is then cancelled), without waiting for demand. Cancelling cancels both
    /// sources and drops the queued items and the downstream.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let sums = range(0u64..3).zip_with(range(10u64..100).map(|v| v * 2), |a, b| a + b);
    /// StepVerifier::create(&sums)
    ///     .initial_request(2)
    ///     .expect_next_values([20, 23])
    ///     .then_request(1)
    ///     .expect_next(26)
    ///     .expect_complete() // the first source ended
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn zip_with<B, F, R>(self, other: B, f: F) -> crate::ops::Zip<Self, B, F>
    where
        Self: Sized,
        B: Publisher,
        F: FnMut(Self::Item, B::Item) -> R + Clone + Send + 'static,
    {
        crate::ops::Zip::new(self, other, f)
    }

    /// Emits this stream's items until `other` emits its first item or completes, then
    /// cancels both and completes.
    ///
    /// `other` is subscribed first, so one that fires at once (`just(())`, `empty()`) ends
    /// the stream before any item. An `other` that completes without an item ends the stream
    /// too, as in Reactor's `takeUntilOther` and RxJava's `takeUntil(Publisher)`. Items and
    /// the end can arrive from different threads: they reach the downstream one at a time, and
    /// once the end is recorded no item follows it (an item racing it is dropped).
    ///
    /// # Backpressure
    ///
    /// Pass-through for this stream: the downstream's requests go to it unchanged. Requests 1
    /// from `other` (only its first signal matters) and cancels it after that item. Buffers
    /// nothing.
    ///
    /// # Errors
    ///
    /// An error of either publisher ends the stream with it and cancels the other. A
    /// `request(0)` is forwarded, and this stream's source reports the rule 3.9 error.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{just, never, range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(0u32..3).take_until(never::<()>()))
    ///     .expect_next_values([0, 1, 2])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// // `other` fires at once: nothing passes.
    /// StepVerifier::create(&range(0u32..3).take_until(just(())))
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn take_until<O>(self, other: O) -> crate::ops::TakeUntil<Self, O>
    where
        Self: Sized,
        O: Publisher,
    {
        crate::ops::TakeUntil::new(self, other)
    }

    /// Drops this stream's items until `other` emits its first item or completes, then emits
    /// the rest.
    ///
    /// `other` is subscribed first; its first item (or its completion, as in Reactor's
    /// `skipUntilOther`) opens the gate for good, and it is cancelled after that item.
    ///
    /// # Backpressure
    ///
    /// Pass-through for this stream: the downstream's requests go to it unchanged, and each
    /// dropped item is replaced by a `request(1)` upstream (or not counted, on the
    /// conditional `try_on_next` path), so the downstream gets what it asked for. Requests 1
    /// from `other`. Buffers nothing.
    ///
    /// # Errors
    ///
    /// An error of either publisher ends the stream with it and cancels the other. A
    /// `request(0)` is forwarded, and this stream's source reports the rule 3.9 error.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{just, never, range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&range(0u32..3).skip_until(just(())))
    ///     .expect_next_values([0, 1, 2])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// // The gate never opens: every item is dropped (and replaced upstream).
    /// StepVerifier::create(&range(0u32..1000).skip_until(never::<()>()))
    ///     .initial_request(1)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn skip_until<O>(self, other: O) -> crate::ops::SkipUntil<Self, O>
    where
        Self: Sized,
        O: Publisher,
    {
        crate::ops::SkipUntil::new(self, other)
    }

    /// Emits `f(item, &latest)` for each item of this stream, where `latest` is the last item
    /// `other` emitted so far; an item that arrives before `other` has emitted is dropped.
    ///
    /// `other` is subscribed first. Its latest item is kept behind an `Arc` (one allocation
    /// per item of `other`), cloned for each main item, and `f` runs without any lock held.
    /// An `other` that completes after an item leaves its last item in use; one that
    /// completes without any item ends the stream (no item could ever be combined). Like
    /// Reactor's `withLatestFrom` and RxJava's `withLatestFrom`.
    ///
    /// # Backpressure
    ///
    /// Pass-through for this stream: the downstream's requests go to it unchanged, and each
    /// dropped item is replaced by a `request(1)` upstream (or not counted, on the
    /// conditional path). `other` is requested unbounded; only its latest item is kept (one
    /// slot).
    ///
    /// # Errors
    ///
    /// An error of either publisher ends the stream with it and cancels the other. A
    /// `request(0)` is forwarded, and this stream's source reports the rule 3.9 error.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{just, range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let scaled = range(1u32..4).with_latest_from(just(10u32), |v, factor| v * factor);
    /// StepVerifier::create(&scaled)
    ///     .expect_next_values([10, 20, 30])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn with_latest_from<O, F, R>(self, other: O, f: F) -> crate::ops::WithLatestFrom<Self, O, F>
    where
        Self: Sized,
        O: Publisher,
        F: FnMut(Self::Item, &O::Item) -> R + Clone + Send + 'static,
    {
        crate::ops::WithLatestFrom::new(self, other, f)
    }

    /// Emits, on each item of `other`, the latest item of this stream if one arrived since
    /// the last sample.
    ///
    /// This stream is subscribed first, then `other`. A sample waits for the downstream's
    /// demand in one slot; a newer sample replaces one still waiting. The end of either
    /// publisher ends the stream (the other is cancelled): a completion after a sample still
    /// waiting for demand is delivered after it, an item not yet sampled is dropped. Like
    /// Reactor's `sample(Publisher)` and RxJava's `sample(Publisher)`, without their error
    /// for a sample that finds no demand.
    ///
    /// # Backpressure
    ///
    /// Requests unbounded from this stream and from `other`: it keeps one slot for this
    /// stream's latest item and one for a sample waiting for demand, so it buffers at most 2
    /// items. The downstream's demand is counted here: at most one sample per requested
    /// item.
    ///
    /// # Errors
    ///
    /// An error of either publisher ends the stream at once (a waiting sample is dropped) and
    /// cancels the other. `request(0)` ends the stream with an `InvalidRequest` error naming
    /// rule 3.9, and cancels both.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{never, range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // The main stream has 7 before the ticks come: the first tick samples it, the other
    /// // ticks find nothing new, and the ticks' completion ends the stream.
    /// let sampled = never::<u32>().start_with([5, 7]).sample_on(range(0u8..3));
    /// StepVerifier::create(&sampled)
    ///     .expect_next(7)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    fn sample_on<O>(self, other: O) -> crate::ops::SampleOn<Self, O>
    where
        Self: Sized,
        O: Publisher,
    {
        crate::ops::SampleOn::new(self, other)
    }

    // ----- end of joining -----

    // ----- Windows and groups (ops/window.rs, ops/group_by.rs) -----

    /// Emits consecutive windows of `size` items, each a [`Window`](crate::ops::Window): a
    /// publisher of its items with a demand of its own.
    ///
    /// Window `i` holds the items at positions `i * size .. (i + 1) * size`; it is emitted
    /// when its first item arrives, completes when its last one was consumed, and the last
    /// window may be shorter. Items of a window reach its subscriber only as that subscriber
    /// requests them; the outer downstream's `request(k)` asks for `k` windows. A window
    /// accepts one subscriber (a second one gets an error of kind `Rejected`). A window that
    /// is not subscribed yet keeps its items (at most `size`) until it is; a window dropped
    /// without being subscribed is cancelled (its items are dropped). Cancelling the outer
    /// stream leaves the windows already emitted running: the upstream is cancelled once the
    /// outer downstream is gone and every emitted window has ended. Like Reactor's
    /// `window(maxSize)` and RxJava's `window(count)`.
    ///
    /// # Backpressure
    ///
    /// Shaping, exact: the outer downstream's `request(k)` becomes `k * size` upstream (its
    /// windows' items), whatever the windows' subscribers request. Each window's queue holds
    /// at most `size` items, the bound of what a slow or absent window subscriber can keep
    /// waiting; at most one window is open at a time (more are kept only by a caller who
    /// holds emitted windows without consuming them, each at most `size` items).
    ///
    /// # Errors
    ///
    /// An upstream error reaches the outer downstream and every window at once (queued items
    /// are dropped; a window subscribed later gets it too). `request(0)` on the outer
    /// subscription ends the outer stream with an `InvalidRequest` error naming rule 3.9
    /// (the windows go on, as after a cancel); on a window's subscription it ends that
    /// window the same way.
    ///
    /// # Panics
    ///
    /// If `size` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::Publisher;
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::{StepVerifier, TestSubscriber};
    ///
    /// let inner = TestSubscriber::with_request(1); // asks its window for one item
    /// let sink = inner.clone();
    /// let windows = range(1u64..=6).window(3).map(move |w| {
    ///     if w.index() == 0 {
    ///         w.subscribe(sink.clone());
    ///     }
    ///     w.index()
    /// });
    /// StepVerifier::create(&windows)
    ///     .initial_request(1) // one window: 3 items upstream
    ///     .expect_next(0)
    ///     .then(|| assert_eq!(inner.values(), [1])) // the window's own demand
    ///     .then_request(1)
    ///     .expect_next(1)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// inner.request(5);
    /// assert_eq!(inner.values(), [1, 2, 3]);
    /// assert!(inner.is_complete());
    /// ```
    fn window(self, size: usize) -> crate::ops::Windows<Self>
    where
        Self: Sized,
    {
        crate::ops::Windows::new(self, size)
    }

    /// Emits a [`Window`](crate::ops::Window) of up to `size` items every `skip` items: they
    /// overlap when `skip < size` (an item goes to every open window), items between them are
    /// dropped when `skip > size`, and `skip == size` is [`window(size)`](Self::window).
    ///
    /// Window `i` holds the items at positions `i * skip .. i * skip + size`; everything else
    /// is as for [`window`](Self::window): each window has its own demand, accepts one
    /// subscriber, keeps at most `size` items while unsubscribed and is cancelled when dropped
    /// unsubscribed. Like Reactor's `window(maxSize, skip)` and RxJava's `window(count, skip)`.
    ///
    /// # Backpressure
    ///
    /// Shaping, exact: the first `request(k)` of the outer downstream becomes
    /// `size + (k - 1) * skip` upstream (up to the end of the `k`-th window), every later one
    /// `k * skip`; products and sums that do not fit become `u64::MAX`. Gap items are
    /// requested, received and dropped. At most `ceil(size / skip)` windows are open at once,
    /// each queue holding at most `size` items; with overlap, windows may be opened before the
    /// outer downstream asked for them (at most that many), and wait for its request.
    ///
    /// # Errors
    ///
    /// As for [`window`](Self::window).
    ///
    /// # Panics
    ///
    /// If `size` or `skip` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::Publisher;
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::{StepVerifier, TestSubscriber};
    ///
    /// // Overlapping: a window of 3 every 2 items.
    /// let seen = TestSubscriber::new();
    /// let sink = seen.clone();
    /// let windows = range(1u64..=6).window_skip(3, 2).map(move |w| {
    ///     if w.index() == 1 {
    ///         w.subscribe(sink.clone());
    ///     }
    ///     w.index()
    /// });
    /// StepVerifier::create(&windows)
    ///     .expect_next_values([0, 1, 2])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// assert_eq!(seen.values(), [3, 4, 5]);
    /// ```
    fn window_skip(self, size: usize, skip: usize) -> crate::ops::WindowSkip<Self>
    where
        Self: Sized,
        Self::Item: Clone,
    {
        crate::ops::WindowSkip::new(self, size, skip)
    }

    /// Emits one [`GroupedPublisher`](crate::ops::GroupedPublisher) per key: `key(&item)`
    /// decides the group, and each group is a publisher of its items with its own demand and
    /// a queue of `prefetch` items (256, [`GroupBy::DEFAULT_PREFETCH`](crate::ops::GroupBy::DEFAULT_PREFETCH),
    /// is the usual choice).
    ///
    /// A group is emitted when the first item with its key arrives; groups complete when the
    /// upstream completes (after their queued items were consumed). A group accepts one
    /// subscriber (a second one gets an error of kind `Rejected`). A group cancelled by its
    /// subscriber, or dropped without being subscribed, stops receiving, and a later item with
    /// its key opens a fresh group (as in Reactor). Cancelling the outer stream leaves the
    /// groups already emitted running until they cancel or the upstream ends; items with a
    /// new key are dropped then, and the upstream is cancelled once the outer downstream is
    /// gone and every group has ended. Like Reactor's `groupBy(key, prefetch)` and RxJava's
    /// `groupBy(key)`.
    ///
    /// What happens when a group's queue is full is a policy,
    /// [`GroupOverflow`](crate::ops::GroupOverflow), set with
    /// [`overflow`](crate::ops::GroupBy::overflow): the stream fails (`Error`, the default),
    /// the item is dropped (`Drop`, with a callback through
    /// [`on_dropped`](crate::ops::GroupBy::on_dropped)), or the pipeline stalls until the
    /// group is consumed (`Backpressure`). At most
    /// [`max_groups`](crate::ops::GroupBy::max_groups) groups (1024 by default) are open at
    /// once. Keys are `Hash + Eq + Clone + Debug + Send + Sync` (`Debug` so that an overflow
    /// error can name the key).
    ///
    /// # Backpressure
    ///
    /// Prefetch: requests `prefetch` upstream when subscribed. With `Error` and `Drop`, asks
    /// for `limit = prefetch - prefetch / 4` more every `limit` items taken off the upstream
    /// (routed to a queue, or dropped), so a group that is not consumed cannot stall the
    /// others: it fills its own queue and the policy decides; the queues together hold at
    /// most `open groups * prefetch` items (at most `max_groups * prefetch`). With
    /// `Backpressure`, asks for `limit` more every `limit` items consumed by the groups'
    /// subscribers (or dropped with a cancelled group), so the queues together never hold more
    /// than `prefetch` items and a group nobody consumes stalls the pipeline, which resumes
    /// when it is consumed or cancelled. The outer downstream's requests are for groups and
    /// are not forwarded: a group it has not asked for yet waits, its items in its queue.
    ///
    /// # Errors
    ///
    /// An upstream error reaches the outer downstream and every group at once (queued items
    /// are dropped). With `GroupOverflow::Error`, a full queue cancels the upstream and fails
    /// the stream with `Error::buffer_overflow` naming `group_by`, the key and the capacity;
    /// one key too many fails it with an `Overflow` error naming `max_groups`. `request(0)`
    /// on the outer subscription ends the outer stream with an `InvalidRequest` error naming
    /// rule 3.9 (the groups go on, as after a cancel); on a group's subscription it ends that
    /// group the same way.
    ///
    /// # Panics
    ///
    /// If `prefetch` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use reactive_core::Publisher;
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::{StepVerifier, TestSubscriber};
    ///
    /// let groups: Arc<Mutex<Vec<(u64, TestSubscriber<u64>)>>> = Arc::default();
    /// let keep = groups.clone();
    /// let keys = range(0u64..10).group_by(|x| x % 3, 256).map(move |group| {
    ///     let ts = TestSubscriber::new();
    ///     group.subscribe(ts.clone());
    ///     keep.lock().unwrap().push((*group.key(), ts));
    ///     *group.key()
    /// });
    /// StepVerifier::create(&keys)
    ///     .expect_next_values([0, 1, 2])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// for (key, ts) in groups.lock().unwrap().iter() {
    ///     let expected: Vec<u64> = (0..10).filter(|x| x % 3 == *key).collect();
    ///     assert_eq!(ts.values(), expected);
    ///     assert!(ts.is_complete());
    /// }
    /// ```
    fn group_by<K, F>(self, key: F, prefetch: usize) -> crate::ops::GroupBy<Self, F, K, Self::Item>
    where
        Self: Sized,
        F: FnMut(&Self::Item) -> K + Clone + Send + 'static,
    {
        crate::ops::GroupBy::new(self, key, prefetch)
    }

    // ----- end of windows and groups -----

    // ----- Async boundaries (ops/publish_on.rs, ops/subscribe_on.rs) -----

    /// Emits the same items, signals and order, with every downstream signal
    /// (`on_subscribe`, `on_next`, `on_error`, `on_complete`) delivered on a worker of
    /// `scheduler`, through a queue of `prefetch` items.
    ///
    /// Each subscription takes one worker (`scheduler.worker()`) for its whole life and
    /// disposes it when the subscription ends (terminal signal delivered, or cancel). The
    /// upstream's `on_next` puts the item in the queue and wakes the worker only if it was
    /// idle; a pass on the worker then emits as many items as the downstream's demand and the
    /// queue allow, and gives the worker back to its other tasks after 1024 items. While the
    /// stream is hot (64 items or more in a pass), a pass that finds the queue empty polls it
    /// for a few microseconds before it goes idle, so that a fast producer does not pay a
    /// thread wake-up per burst. Like Reactor's `publishOn` and RxJava's `observeOn`.
    ///
    /// # Backpressure
    ///
    /// Prefetch: requests `prefetch` upstream on subscribe, then `limit = prefetch -
    /// prefetch / 4` (1 when `prefetch` is 1) each time `limit` items have been handed
    /// downstream. Buffers at most `prefetch` items (a bounded SPSC queue of exactly that
    /// capacity). The downstream's requests are not forwarded: they only let the worker
    /// emit what is queued.
    ///
    /// # Errors
    ///
    /// * An upstream error waits behind the items already queued (they are delivered as the
    ///   downstream requests them, then `on_error`), as Reactor's default;
    ///   [`PublishOn::error_first`](crate::ops::PublishOn::error_first) makes it overtake
    ///   them instead (the queued items are dropped). Completion always waits for the queue.
    /// * An upstream that sends more than it was asked for overflows the queue: the upstream
    ///   is cancelled and the stream ends with an [`ErrorKind::Overflow`] error
    ///   ([`Error::buffer_overflow`](reactive_core::Error::buffer_overflow)) naming `publish_on` and its capacity, after the queued
    ///   items (before them, with `error_first`).
    /// * `request(0)` ends the stream with an [`ErrorKind::InvalidRequest`] error naming
    ///   rule 3.9, and cancels the upstream.
    /// * A panic in downstream code while the worker emits (an operator after `publish_on`,
    ///   or the subscriber) becomes `on_error` of kind [`ErrorKind::Panic`] downstream (with
    ///   the panic's message), and the upstream is cancelled.
    /// * A worker that refuses work (its scheduler was shut down) ends the stream with an
    ///   [`ErrorKind::Rejected`] error, delivered on the thread that found out, and the
    ///   upstream is cancelled.
    ///
    /// Cancelling stops the emission, cancels the upstream at once, and drops the queued
    /// items and the downstream subscriber on the worker (rule 3.13).
    ///
    /// # Panics
    ///
    /// If `prefetch` is 0 or larger than `usize::MAX / 2`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reactive_core::scheduler::SingleThreadScheduler;
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let worker = SingleThreadScheduler::builder().name("consumer").build();
    /// let on_worker = range(0u64..100)
    ///     .publish_on(worker, 16)
    ///     .map(|v| (v, std::thread::current().name().map(str::to_owned)));
    /// StepVerifier::create(&on_worker)
    ///     .expect_next_matches(|(v, thread)| *v == 0 && thread.as_deref() == Some("consumer"))
    ///     .expect_next_count(99)
    ///     .expect_complete()
    ///     .verify_timeout(Duration::from_secs(5))
    ///     .unwrap();
    /// ```
    ///
    /// [`ErrorKind::Overflow`]: reactive_core::ErrorKind::Overflow
    /// [`ErrorKind::InvalidRequest`]: reactive_core::ErrorKind::InvalidRequest
    /// [`ErrorKind::Panic`]: reactive_core::ErrorKind::Panic
    /// [`ErrorKind::Rejected`]: reactive_core::ErrorKind::Rejected
    fn publish_on<S>(self, scheduler: S, prefetch: usize) -> PublishOn<Self, S>
    where
        Self: Sized,
        S: Scheduler + Clone + 'static,
    {
        PublishOn::new(self, scheduler, prefetch)
    }

    /// Emits the same items, signals and order, with the upstream subscribed to, and every
    /// request forwarded to it, on a worker of `scheduler`: a source that blocks (or simply
    /// works) while it is subscribed to or asked for items does so on the worker, not on the
    /// caller's thread.
    ///
    /// Each subscription takes one worker (`scheduler.worker()`) and disposes it when the
    /// subscription ends. On the worker, the downstream gets `on_subscribe`, then the upstream
    /// is subscribed to. Items, errors and completion are not queued: they reach the
    /// downstream on whatever thread the upstream emits them (the worker, for a synchronous
    /// source such as `range`). Like Reactor's `subscribeOn` and RxJava's `subscribeOn`.
    ///
    /// # Backpressure
    ///
    /// Pass-through, batched: the downstream's requests are summed (saturating at
    /// `u64::MAX`) and a pass on the worker forwards the sum upstream, so a burst of requests
    /// made while the worker is busy (emitting, for a synchronous upstream) reaches the
    /// upstream as one. Requests made before the upstream's `on_subscribe` arrive are kept
    /// and forwarded then. Buffers nothing.
    ///
    /// # Errors
    ///
    /// * Upstream errors pass through.
    /// * `request(0)` is forwarded upstream, which reports it (every publisher of this crate
    ///   ends the stream with an `InvalidRequest` error naming rule 3.9).
    /// * A panic on the worker (in the upstream's `subscribe`, in its emission driven by a
    ///   forwarded `request`, or in downstream code it called) becomes `on_error` of kind
    ///   [`ErrorKind::Panic`] downstream, and the upstream is cancelled. This needs the
    ///   upstream to drop its subscriber while the panic unwinds, as every source of this
    ///   crate (and any source on the pull engine, `reactive_core::source`) does: the
    ///   subscriber hands the downstream back when it is dropped during a panic. An upstream
    ///   that leaks its subscriber on a panic leaks the downstream with it: the downstream
    ///   then gets no terminal signal, and the upstream is cancelled.
    /// * A worker that refuses work (its scheduler was shut down) ends the stream with an
    ///   [`ErrorKind::Rejected`] error and cancels the upstream. Once the upstream has the
    ///   subscriber, the error is delivered when the upstream lets go of it after that cancel.
    ///
    /// Cancelling goes to the upstream at once, from the cancelling thread (so that it
    /// reaches a synchronous upstream busy emitting on the worker), then disposes the
    /// worker.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use reactive_core::scheduler::SingleThreadScheduler;
    /// use reactive_operators::{from_iter, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // A source that blocks while it produces: it runs on the "io" thread.
    /// let slow = from_iter(0..3u64).map(|v| {
    ///     std::thread::yield_now(); // stands for a blocking read
    ///     (v, std::thread::current().name().map(str::to_owned))
    /// });
    /// StepVerifier::create(&slow.subscribe_on(SingleThreadScheduler::builder().name("io").build()))
    ///     .expect_next_matches(|(v, t)| *v == 0 && t.as_deref() == Some("io"))
    ///     .expect_next_count(2)
    ///     .expect_complete()
    ///     .verify_timeout(Duration::from_secs(5))
    ///     .unwrap();
    /// ```
    ///
    /// [`ErrorKind::Panic`]: reactive_core::ErrorKind::Panic
    /// [`ErrorKind::Rejected`]: reactive_core::ErrorKind::Rejected
    fn subscribe_on<S>(self, scheduler: S) -> SubscribeOn<Self, S>
    where
        Self: Sized,
        S: Scheduler + Clone + 'static,
    {
        SubscribeOn::new(self, scheduler)
    }

    // ----- Bridges to futures and tokio (bridge/) -----

    /// Turns the pipeline into a [`futures_core::Stream`] of `Result<item, Error>`, read by
    /// an async task.
    ///
    /// Nothing happens until the stream is first polled: that poll subscribes (on the polling
    /// thread). The stream yields the items in order, then `Some(Err(e))` if the pipeline
    /// failed, then `None`, and `None` forever after (it is fused). It is `Unpin`, and `Send`
    /// when the items are. The task is woken only when it waits: while items are buffered a
    /// poll costs no synchronization beyond the buffer's own loads. Dropping the stream
    /// cancels the subscription (unless the pipeline already ended); items still buffered are
    /// dropped with it.
    ///
    /// The subscriber behind it is [`bridge::stream_subscriber`](crate::bridge::stream_subscriber),
    /// for subscribing it yourself.
    ///
    /// # Backpressure
    ///
    /// Requests `prefetch` upstream on subscribe, then `prefetch - prefetch / 4` each time
    /// the stream has yielded that many items (requested from the next `poll_next`, where a
    /// synchronous upstream may emit straight into the buffer). Buffers at most `prefetch`
    /// items, in a ring allocated on creation. Requests nothing once the pipeline has ended.
    ///
    /// # Errors
    ///
    /// The pipeline's error is yielded as `Some(Err(e))` after the items queued before it.
    /// An upstream that sends more than was requested is cancelled, and the stream yields the
    /// queued items, then an [`ErrorKind::Overflow`](reactive_core::ErrorKind::Overflow)
    /// error naming `into_stream` and the capacity. An upstream that drops the subscriber
    /// without a terminal signal ends the stream with an
    /// [`ErrorKind::Protocol`](reactive_core::ErrorKind::Protocol) error.
    ///
    /// # Panics
    ///
    /// If `prefetch` is 0 or larger than `usize::MAX / 2`.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::StreamExt;
    /// use reactive_operators::{range, PublisherExt};
    ///
    /// let stream = range(1u64..6).map(|v| v * 10).into_stream(16);
    /// let items: Vec<u64> = futures_executor::block_on(stream.map(Result::unwrap).collect());
    /// assert_eq!(items, vec![10, 20, 30, 40, 50]);
    /// ```
    fn into_stream(self, prefetch: usize) -> IntoStream<Self::Item>
    where
        Self: Sized + Send + 'static,
        Self::Item: Send + 'static,
    {
        IntoStream::new(self, prefetch)
    }

    // ----- Terminals (terminal/) -----

    /// Turns the pipeline into a blocking [`Iterator`] of `Result<item, Error>`, for plain
    /// threads.
    ///
    /// Nothing happens until the first `next`: that call subscribes (on the calling thread).
    /// `next` returns a buffered item at once; on an empty buffer it spins briefly, yields
    /// the thread a few times, then parks it until the next signal arrives (the thread is
    /// unparked only when it waits). The iterator yields the
    /// items in order, then `Err(e)` if the pipeline failed, then `None` forever after (it is
    /// fused). Dropping it cancels the subscription (unless the pipeline already ended). It
    /// runs on the same buffer protocol as [`into_stream`](Self::into_stream), with a waker
    /// that unparks the waiting thread.
    ///
    /// The subscriber behind it is
    /// [`terminal::blocking_subscriber`](crate::terminal::blocking_subscriber), for
    /// subscribing it yourself.
    ///
    /// # Backpressure
    ///
    /// Requests `batch` upstream on subscribe, then `batch - batch / 4` each time the
    /// iterator has yielded that many items (from the next `next`). Buffers at most `batch`
    /// items. Requests nothing once the pipeline has ended.
    ///
    /// # Errors
    ///
    /// The pipeline's error is yielded as `Err(e)` after the items queued before it. An
    /// upstream that sends more than was requested is cancelled, and the iterator yields the
    /// queued items, then an [`ErrorKind::Overflow`](reactive_core::ErrorKind::Overflow)
    /// error naming `blocking_iter` and the capacity.
    ///
    /// # Panics
    ///
    /// If `batch` is 0 or larger than `usize::MAX / 2`. Calling `next` on a thread that must
    /// not block (an async task) blocks it anyway: use [`into_stream`](Self::into_stream)
    /// there.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    ///
    /// let evens: Vec<u64> = range(0u64..10)
    ///     .filter(|v| v % 2 == 0)
    ///     .blocking_iter(4)
    ///     .collect::<Result<_, _>>()
    ///     .unwrap();
    /// assert_eq!(evens, vec![0, 2, 4, 6, 8]);
    /// ```
    fn blocking_iter(self, batch: usize) -> BlockingIter<Self::Item>
    where
        Self: Sized + Send + 'static,
        Self::Item: Send + 'static,
    {
        BlockingIter::new(self, batch, "blocking_iter")
    }

    /// Subscribes and blocks the calling thread until the stream ends, running `f` on the
    /// calling thread for every item.
    ///
    /// `f` need not be `Send`: it never leaves this thread, whichever thread the pipeline
    /// emits on. The subscription is made on the calling thread, so a synchronous pipeline
    /// emits into the buffer right there, in batches. A panic in `f` propagates and cancels
    /// the subscription on its way out. The subscriber behind it is
    /// [`terminal::for_each_subscriber`](crate::terminal::for_each_subscriber).
    ///
    /// # Backpressure
    ///
    /// Requests 256 upstream on subscribe, then 192 each time 192 items have been passed to
    /// `f` (the 75% rule). Buffers at most 256 items.
    ///
    /// # Errors
    ///
    /// Returns the stream's error after `f` has seen every item before it; an
    /// [`ErrorKind::Overflow`](reactive_core::ErrorKind::Overflow) error naming `for_each` if
    /// the upstream sent more than was requested (the upstream is cancelled).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::Error;
    /// use reactive_operators::{error, range, PublisherExt};
    ///
    /// let mut seen = Vec::new();
    /// range(0u64..4).for_each(|v| seen.push(v)).unwrap();
    /// assert_eq!(seen, vec![0, 1, 2, 3]);
    ///
    /// let failed = error::<u64>(Error::msg("boom")).for_each(|_| {});
    /// assert_eq!(failed.unwrap_err().message(), "boom");
    /// ```
    fn for_each<F>(&self, f: F) -> Result<(), Error>
    where
        Self::Item: Send + 'static,
        F: FnMut(Self::Item),
    {
        let (subscriber, run) = for_each_subscriber(f);
        self.subscribe(subscriber);
        run.run()
    }

    /// Subscribes, blocks the calling thread for the first item, and cancels the
    /// subscription after it.
    ///
    /// Returns `Ok(Some(first))`, `Ok(None)` if the stream completed empty, or the stream's
    /// error. The subscription is made on the calling thread. The stream is cancelled once the
    /// first item is in (unless it had already ended).
    ///
    /// # Backpressure
    ///
    /// Requests exactly 1 upstream, and nothing more. Buffers at most 1 item.
    ///
    /// # Errors
    ///
    /// The stream's error, if it fails before its first item; an
    /// [`ErrorKind::Overflow`](reactive_core::ErrorKind::Overflow) error naming
    /// `block_first` if the upstream sends 2 items at once for the request of 1 before the
    /// first is taken.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::Error;
    /// use reactive_operators::{empty, error, range, PublisherExt};
    ///
    /// assert_eq!(range(5u64..105).block_first().unwrap(), Some(5));
    /// assert_eq!(empty::<u64>().block_first().unwrap(), None);
    /// assert!(error::<u64>(Error::msg("boom")).block_first().is_err());
    /// ```
    fn block_first(&self) -> Result<Option<Self::Item>, Error>
    where
        Self::Item: Send + 'static,
    {
        crate::terminal::block_first(self)
    }

    /// Subscribes, blocks the calling thread until the stream ends, and returns its last
    /// item.
    ///
    /// Returns `Ok(Some(last))`, `Ok(None)` if the stream completed empty, or the stream's
    /// error (the items before it are dropped). The subscription is made on the calling
    /// thread.
    ///
    /// # Backpressure
    ///
    /// Bounded like [`for_each`](Self::for_each): requests 256 upstream on subscribe, then
    /// 192 each time 192 items were taken. Buffers at most 256 items, and keeps one.
    ///
    /// # Errors
    ///
    /// The stream's error, whatever came before it; an
    /// [`ErrorKind::Overflow`](reactive_core::ErrorKind::Overflow) error naming `block_last`
    /// if the upstream sent more than was requested (the upstream is cancelled).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::Error;
    /// use reactive_operators::{empty, error, range, PublisherExt};
    ///
    /// assert_eq!(range(0u64..1000).block_last().unwrap(), Some(999));
    /// assert_eq!(empty::<u64>().block_last().unwrap(), None);
    /// assert!(error::<u64>(Error::msg("boom")).block_last().is_err());
    /// ```
    fn block_last(&self) -> Result<Option<Self::Item>, Error>
    where
        Self::Item: Send + 'static,
    {
        crate::terminal::block_last(self)
    }

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
    /// let handle = range(1u64..5).subscribe_with(
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
        let (subscriber, handle) = callback_subscriber(Unbounded, on_next, on_error, on_complete);
        self.subscribe(subscriber);
        handle
    }

    /// Subscribes with three callbacks, asking for `batch` items at a time as the callbacks
    /// return; returns a handle to cancel.
    ///
    /// The paced form of [`subscribe_with`](Self::subscribe_with), with the same callbacks,
    /// handle and terminal rules: the application paces the stream without writing a
    /// `Subscriber`, and a slow `on_next` slows the upstream down instead of letting items
    /// pile up in front of it.
    ///
    /// # Backpressure
    ///
    /// Requests `batch` on subscribe, then `limit = batch - batch / 4` (75%; `batch` itself
    /// for a batch of 1, 2 or 3) from inside `on_next` each time `limit` more `on_next`
    /// callbacks have returned. So at most `batch` items are requested and not yet handled at
    /// any time. Buffers nothing.
    ///
    /// # Errors
    ///
    /// The stream's error goes to `on_error`. A panic in a callback propagates to whoever
    /// drove the emission.
    ///
    /// # Panics
    ///
    /// If `batch` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use std::sync::{Arc, Mutex};
    ///
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let sink = seen.clone();
    /// // Asks for 8, then for 6 more each time 6 callbacks have returned.
    /// let handle = range(0u64..20).subscribe_with_demand(
    ///     8,
    ///     move |v| sink.lock().unwrap().push(v),
    ///     |e| eprintln!("failed: {e}"),
    ///     || println!("done"),
    /// );
    /// assert!(handle.is_terminated());
    /// assert_eq!(*seen.lock().unwrap(), (0..20).collect::<Vec<_>>());
    /// ```
    fn subscribe_with_demand<N, E, C>(
        &self,
        batch: usize,
        on_next: N,
        on_error: E,
        on_complete: C,
    ) -> SubscribeHandle
    where
        Self::Item: 'static,
        N: FnMut(Self::Item) + Send + 'static,
        E: FnOnce(Error) + Send + 'static,
        C: FnOnce() + Send + 'static,
    {
        let (subscriber, handle) =
            callback_subscriber(Batched::new(batch), on_next, on_error, on_complete);
        self.subscribe(subscriber);
        handle
    }

    /// Drives an [`AsyncSubscriber`] from the returned future: its `on_next` is awaited for
    /// each item, then `on_complete` or `on_error`, and the future resolves with the outcome.
    ///
    /// The future subscribes when it is first polled, and calls the subscriber's methods
    /// from inside its own `poll`, one at a time: run it on any executor (a tokio task,
    /// `futures_executor::block_on`). It resolves with `Ok(())` after `on_complete` returned,
    /// or with the stream's error after `on_error` returned. Dropping it before then cancels
    /// the subscription.
    ///
    /// # Backpressure
    ///
    /// Requests 1 on subscribe and 1 more each time an `on_next` call has completed, so the
    /// upstream never runs more than one item ahead of the subscriber. Buffers at most 1 item
    /// (the one requested while nothing was waiting).
    ///
    /// # Errors
    ///
    /// The stream's error goes to `on_error` and is what the future resolves with. A
    /// publisher that sends an item without demand makes it resolve with an
    /// [`ErrorKind::Overflow`](reactive_core::ErrorKind::Overflow) error (and the subscription
    /// is cancelled); one that drops the subscriber without a terminal signal, with an
    /// [`ErrorKind::Protocol`](reactive_core::ErrorKind::Protocol) error. A panic in the
    /// subscriber's methods propagates out of the future's `poll`.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{async_trait, range, AsyncSubscriber, PublisherExt};
    ///
    /// #[derive(Default)]
    /// struct Collect(Vec<u64>);
    ///
    /// #[async_trait]
    /// impl AsyncSubscriber<u64> for Collect {
    ///     async fn on_next(&mut self, item: u64) {
    ///         self.0.push(item);
    ///     }
    ///     async fn on_complete(&mut self) {
    ///         assert_eq!(self.0, [10, 11, 12]);
    ///     }
    /// }
    ///
    /// futures_executor::block_on(async {
    ///     range(10u64..13).subscribe_async(Collect::default()).await.unwrap();
    /// });
    /// ```
    fn subscribe_async<A>(self, subscriber: A) -> AsyncTerminal
    where
        Self: Sized + Send + 'static,
        Self::Item: Send + 'static,
        A: AsyncSubscriber<Self::Item> + 'static,
    {
        subscribe_async(self, subscriber)
    }

    /// Calls `f` for every item and awaits the futures it returns, at most `concurrency` at a
    /// time; the returned future resolves once the stream has ended and every call finished.
    ///
    /// The future subscribes when it is first polled and polls the calls from inside its own
    /// `poll` (every call in flight is polled when the task wakes, so keep `concurrency`
    /// small: tens, not thousands). The calls may finish in any order. It resolves with
    /// `Ok(())` after completion, or with the stream's error; either way only after the
    /// calls already started have finished. Dropping it cancels the subscription and drops
    /// the calls in flight. `f` returns `()`: a call that can fail handles its own error (or
    /// sends it somewhere), it does not stop the stream.
    ///
    /// # Backpressure
    ///
    /// Requests `concurrency` on subscribe and 1 more each time a call finishes, so at most
    /// `concurrency` calls run at once and the items waiting for a call never exceed
    /// `concurrency`. Buffers at most `concurrency` items.
    ///
    /// # Errors
    ///
    /// The stream's error is what the future resolves with, after the calls in flight have
    /// finished; an item sent without demand resolves it with an
    /// [`ErrorKind::Overflow`](reactive_core::ErrorKind::Overflow) error (the subscription is
    /// cancelled), a publisher that drops the subscriber without a terminal signal with an
    /// [`ErrorKind::Protocol`](reactive_core::ErrorKind::Protocol) error. A panic in `f` or in
    /// a call propagates out of the future's `poll`.
    ///
    /// # Panics
    ///
    /// If `concurrency` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_core::sync::atomic::{AtomicU64, Ordering};
    /// use std::sync::Arc;
    ///
    /// let total = Arc::new(AtomicU64::new(0));
    /// let sum = total.clone();
    /// let done = range(1u64..101).for_each_async(
    ///     move |v| {
    ///         let sum = sum.clone();
    ///         async move {
    ///             sum.fetch_add(v, Ordering::Relaxed); // could await an HTTP call here
    ///         }
    ///     },
    ///     4,
    /// );
    /// futures_executor::block_on(done).unwrap();
    /// assert_eq!(total.load(Ordering::Relaxed), 5050);
    /// ```
    fn for_each_async<F, Fut>(self, f: F, concurrency: usize) -> AsyncTerminal
    where
        Self: Sized + Send + 'static,
        Self::Item: Send + 'static,
        F: FnMut(Self::Item) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        for_each_async(self, f, concurrency)
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
    /// let sources: Vec<BoxPublisher<u64>> = vec![range(0u64..3).boxed(), just(7).boxed()];
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
