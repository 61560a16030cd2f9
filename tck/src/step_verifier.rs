//! [`StepVerifier`]: script what a subscriber requests and expects from a publisher, then
//! verify it; and [`TestSubscriber`], the recording subscriber underneath it.
//!
//! Both check the publisher side of the contract on every signal they receive and report a
//! broken rule as a protocol violation:
//!
//! * rule 1.1: more `on_next` than requested in total;
//! * rule 1.7: any signal after `on_complete` or `on_error`;
//! * rule 1.9: a signal before `on_subscribe`;
//! * rule 2.12: a second `on_subscribe` (the newcomer is cancelled, rule 2.5).
//!
//! Signals are recorded under a `parking_lot` mutex and announced on a condition variable, so
//! the same code serves synchronous publishers (the signals arrive on the verifier's thread,
//! inside `subscribe` or `request`) and asynchronous ones (the signals arrive from other
//! threads while the verifier waits).

// The doc examples use `vec_publisher`, a small synchronous publisher over a `Vec` kept in
// `step_verifier/vec_publisher.rs` and included by a hidden line, so it stays out of the API.
#[cfg(test)]
mod vec_publisher;

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex, MutexGuard};
use reactive_core::support::add_cap;
use reactive_core::{Error, ErrorKind, Publisher, Subscriber, SubscriptionRef, UNBOUNDED};

/// How many protocol violations a recorder keeps in full; later ones are only counted, so a
/// publisher that ignores demand cannot fill the memory with messages.
const MAX_KEPT_VIOLATIONS: usize = 16;

/// The per-step timeout of a [`StepVerifier`] unless [`StepVerifier::timeout`] changes it.
const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------------
// The recording core shared by `TestSubscriber` and `StepVerifier`.

/// One signal after `on_subscribe`, in arrival order.
enum Signal<T> {
    Next(T),
    Error(Error),
    Complete,
}

impl<T: fmt::Debug> Signal<T> {
    fn describe(&self) -> String {
        match self {
            Signal::Next(v) => format!("on_next({v:?})"),
            Signal::Error(e) => format!("on_error({e})"),
            Signal::Complete => "on_complete".to_owned(),
        }
    }
}

/// The first terminal signal received.
enum Terminal {
    Complete,
    Error(Error),
}

impl fmt::Display for Terminal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Terminal::Complete => f.write_str("on_complete"),
            Terminal::Error(e) => write!(f, "on_error({e})"),
        }
    }
}

struct Record<T> {
    /// Signals not yet taken by a step verifier (a plain `TestSubscriber` never takes any).
    signals: VecDeque<Signal<T>>,
    /// The active subscription; dropped after a terminal signal or `cancel` (rules 2.4, 3.13).
    subscription: Option<SubscriptionRef>,
    subscribed: bool,
    /// Total demand asked for, including what is still pending before `on_subscribe`.
    requested: u64,
    /// Demand asked for before `on_subscribe`; requested from inside `on_subscribe`.
    pending: u64,
    /// A `request(0)` made before `on_subscribe`; passed on from inside it (rule 3.9).
    pending_zero: bool,
    cancelled: bool,
    /// Number of `on_next` calls received.
    received: u64,
    terminal: Option<Terminal>,
    violations: Vec<String>,
    violation_count: usize,
}

impl<T> Record<T> {
    fn violation(&mut self, message: String) {
        self.violation_count += 1;
        if self.violations.len() < MAX_KEPT_VIOLATIONS {
            self.violations.push(message);
        }
    }

    /// The first violation, with a count of the others.
    fn first_violation(&self) -> Option<String> {
        let first = self.violations.first()?;
        Some(match self.violation_count - 1 {
            0 => format!("protocol violation: {first}"),
            more => format!("protocol violation: {first} (and {more} more)"),
        })
    }

    /// What has been received, for timeout messages.
    fn summary(&self) -> String {
        let subscribed = if self.subscribed {
            "on_subscribe"
        } else {
            "no on_subscribe"
        };
        let requested = if self.requested == UNBOUNDED {
            "unbounded".to_owned()
        } else {
            self.requested.to_string()
        };
        let items = if self.received == 1 { "item" } else { "items" };
        let terminal = match &self.terminal {
            None => "no terminal signal".to_owned(),
            Some(t) => format!("ended with {t}"),
        };
        format!(
            "{subscribed}, {} {items} (requested {requested}), {terminal}",
            self.received
        )
    }
}

struct Shared<T> {
    record: Mutex<Record<T>>,
    changed: Condvar,
}

impl<T> Shared<T> {
    /// Changes the record and wakes every waiter.
    fn update<R>(&self, f: impl FnOnce(&mut Record<T>) -> R) -> R {
        let result = f(&mut self.record.lock());
        self.changed.notify_all();
        result
    }

    /// Waits until `ready` returns `Some`, or `deadline` passes (then returns `None`).
    fn wait_for<R>(
        &self,
        deadline: Instant,
        mut ready: impl FnMut(&mut Record<T>) -> Option<R>,
    ) -> Option<R> {
        let mut record = self.record.lock();
        loop {
            if let Some(r) = ready(&mut record) {
                return Some(r);
            }
            if Instant::now() >= deadline {
                return None;
            }
            self.changed.wait_until(&mut record, deadline);
        }
    }
}

/// `now + timeout`, saturating far in the future instead of overflowing.
fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(60 * 60 * 24 * 365))
}

// ---------------------------------------------------------------------------------------------
// TestSubscriber

/// A subscriber that records what it receives, checks the publisher's side of the contract,
/// and lets a test request, cancel and wait.
///
/// It is a cheap handle: clones share one record. Subscribe with a clone and keep the original
/// to look at the record: `publisher.subscribe(ts.clone())`. Subscribing the same record
/// twice is a second `on_subscribe`, which it reports as a violation of rule 2.12.
///
/// Until `on_subscribe` arrives, [`request`](Self::request)s are added up and sent as one
/// request from inside `on_subscribe` (a `request(0)` made that early is lost: call it after
/// subscribing to test rule 3.9), and a [`cancel`](Self::cancel) cancels the subscription as
/// soon as it arrives.
///
/// Every `on_next` is counted against the total requested (rule 1.1); a signal after the
/// terminal one (rule 1.7) or before `on_subscribe` (rule 1.9) and a second `on_subscribe`
/// (rule 2.12) are violations too. They are collected in [`violations`](Self::violations); the
/// signals are still recorded.
///
/// # Examples
///
/// Any code can drive it, including a test acting as the publisher:
///
/// ```
/// use reactive_core::{support::empty_subscription, Error, Subscriber};
/// use reactive_tck::TestSubscriber;
///
/// let mut ts = TestSubscriber::with_request(2);
/// ts.on_subscribe(empty_subscription());
/// ts.on_next(1);
/// ts.on_next(2);
/// ts.on_next(3); // one more than requested
/// ts.on_complete();
/// assert_eq!(ts.values(), [1, 2, 3]);
/// assert!(ts.is_complete());
/// assert!(ts.violations()[0].contains("rule 1.1"));
/// ```
pub struct TestSubscriber<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Clone for TestSubscriber<T> {
    fn clone(&self) -> Self {
        TestSubscriber {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Default for TestSubscriber<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for TestSubscriber<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let record = self.shared.record.lock();
        f.debug_struct("TestSubscriber")
            .field("seen", &record.summary())
            .field("violations", &record.violations)
            .finish_non_exhaustive()
    }
}

impl<T> TestSubscriber<T> {
    /// A subscriber that requests [`UNBOUNDED`] items from `on_subscribe`.
    ///
    /// ```
    /// use reactive_core::{support::empty_subscription, Subscriber};
    /// use reactive_tck::TestSubscriber;
    ///
    /// let mut ts = TestSubscriber::new();
    /// ts.on_subscribe(empty_subscription());
    /// ts.on_next("a");
    /// assert_eq!(ts.values(), ["a"]);
    /// ```
    pub fn new() -> Self {
        Self::with_request(UNBOUNDED)
    }

    /// A subscriber that requests `n` items from `on_subscribe`; `0` requests nothing upfront.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_core::Publisher;
    /// use reactive_tck::TestSubscriber;
    /// use std::time::Duration;
    ///
    /// let ts = TestSubscriber::with_request(0);
    /// vec_publisher(vec![1, 2, 3]).subscribe(ts.clone());
    /// assert_eq!(ts.value_count(), 0);
    /// ts.request(2);
    /// assert_eq!(ts.values(), [1, 2]);
    /// ts.request(1);
    /// assert!(ts.await_terminal(Duration::from_secs(5)));
    /// assert!(ts.is_complete());
    /// ```
    pub fn with_request(n: u64) -> Self {
        TestSubscriber {
            shared: Arc::new(Shared {
                record: Mutex::new(Record {
                    signals: VecDeque::new(),
                    subscription: None,
                    subscribed: false,
                    requested: n,
                    pending: n,
                    pending_zero: false,
                    cancelled: false,
                    received: 0,
                    terminal: None,
                    violations: Vec::new(),
                    violation_count: 0,
                }),
                changed: Condvar::new(),
            }),
        }
    }

    /// Asks for `n` more items, from the calling thread.
    ///
    /// The demand is counted before the subscription is called, so items that arrive during
    /// the call (synchronous publishers) or right after it (asynchronous ones) are covered.
    /// After a terminal signal or [`cancel`](Self::cancel) it does nothing (rules 2.4, 3.6).
    /// `request(0)` is passed on, for testing rule 3.9.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_core::{ErrorKind, Publisher};
    /// use reactive_tck::TestSubscriber;
    ///
    /// let ts = TestSubscriber::with_request(0);
    /// vec_publisher(vec![1, 2, 3]).subscribe(ts.clone());
    /// ts.request(0);
    /// assert_eq!(ts.error().unwrap().kind(), ErrorKind::InvalidRequest);
    /// ```
    pub fn request(&self, n: u64) {
        let subscription = {
            let mut record = self.shared.record.lock();
            if record.terminal.is_some() || record.cancelled {
                return;
            }
            record.requested = add_cap(record.requested, n);
            match &record.subscription {
                Some(s) => Arc::clone(s),
                None => {
                    record.pending = add_cap(record.pending, n);
                    record.pending_zero |= n == 0;
                    return;
                }
            }
        };
        subscription.request(n);
    }

    /// Cancels the subscription (or, before `on_subscribe`, the one that will arrive).
    /// Idempotent; does nothing after a terminal signal.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_core::Publisher;
    /// use reactive_tck::TestSubscriber;
    ///
    /// let ts = TestSubscriber::with_request(1);
    /// vec_publisher(vec![1, 2, 3]).subscribe(ts.clone());
    /// ts.cancel();
    /// ts.request(5); // ignored after cancel
    /// assert_eq!(ts.values(), [1]);
    /// assert!(!ts.is_terminated());
    /// ```
    pub fn cancel(&self) {
        let subscription = {
            let mut record = self.shared.record.lock();
            if record.terminal.is_some() || record.cancelled {
                return;
            }
            record.cancelled = true;
            record.subscription.take()
        };
        if let Some(s) = subscription {
            s.cancel();
        }
    }

    /// The items received so far, in order.
    ///
    /// ```
    /// use reactive_core::{support::empty_subscription, Subscriber};
    /// use reactive_tck::TestSubscriber;
    ///
    /// let mut ts = TestSubscriber::new();
    /// ts.on_subscribe(empty_subscription());
    /// ts.on_next(String::from("x"));
    /// assert_eq!(ts.values(), ["x"]);
    /// ```
    pub fn values(&self) -> Vec<T>
    where
        T: Clone,
    {
        let record = self.shared.record.lock();
        record
            .signals
            .iter()
            .filter_map(|s| match s {
                Signal::Next(v) => Some(v.clone()),
                _ => None,
            })
            .collect()
    }

    /// How many items (`on_next` calls) were received so far.
    ///
    /// ```
    /// use reactive_core::{support::empty_subscription, Subscriber};
    /// use reactive_tck::TestSubscriber;
    ///
    /// let mut ts = TestSubscriber::new();
    /// ts.on_subscribe(empty_subscription());
    /// ts.on_next(());
    /// ts.on_next(());
    /// assert_eq!(ts.value_count(), 2);
    /// ```
    pub fn value_count(&self) -> u64 {
        self.shared.record.lock().received
    }

    /// Whether `on_complete` was the (first) terminal signal.
    ///
    /// ```
    /// use reactive_core::{support::empty_subscription, Subscriber};
    /// use reactive_tck::TestSubscriber;
    ///
    /// let mut ts = TestSubscriber::<u8>::new();
    /// ts.on_subscribe(empty_subscription());
    /// assert!(!ts.is_complete());
    /// ts.on_complete();
    /// assert!(ts.is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        matches!(self.shared.record.lock().terminal, Some(Terminal::Complete))
    }

    /// The error, if `on_error` was the (first) terminal signal.
    ///
    /// ```
    /// use reactive_core::{support::empty_subscription, Error, ErrorKind, Subscriber};
    /// use reactive_tck::TestSubscriber;
    ///
    /// let mut ts = TestSubscriber::<u8>::new();
    /// ts.on_subscribe(empty_subscription());
    /// ts.on_error(Error::msg("boom"));
    /// assert_eq!(ts.error().unwrap().kind(), ErrorKind::User);
    /// ```
    pub fn error(&self) -> Option<Error> {
        match &self.shared.record.lock().terminal {
            Some(Terminal::Error(e)) => Some(e.clone()),
            _ => None,
        }
    }

    /// Whether a terminal signal (`on_complete` or `on_error`) arrived.
    ///
    /// ```
    /// use reactive_core::{support::empty_subscription, Error, Subscriber};
    /// use reactive_tck::TestSubscriber;
    ///
    /// let mut ts = TestSubscriber::<u8>::new();
    /// ts.on_subscribe(empty_subscription());
    /// ts.on_error(Error::msg("boom"));
    /// assert!(ts.is_terminated());
    /// ```
    pub fn is_terminated(&self) -> bool {
        self.shared.record.lock().terminal.is_some()
    }

    /// Waits up to `timeout` for a terminal signal; returns whether one arrived.
    ///
    /// ```
    /// use reactive_core::{support::empty_subscription, Subscriber};
    /// use reactive_tck::TestSubscriber;
    /// use std::time::Duration;
    ///
    /// let ts = TestSubscriber::<u32>::new();
    /// let mut publisher_side = ts.clone();
    /// let t = std::thread::spawn(move || {
    ///     publisher_side.on_subscribe(empty_subscription());
    ///     publisher_side.on_next(7);
    ///     publisher_side.on_complete();
    /// });
    /// assert!(ts.await_terminal(Duration::from_secs(5)));
    /// assert_eq!(ts.values(), [7]);
    /// t.join().unwrap();
    /// ```
    pub fn await_terminal(&self, timeout: Duration) -> bool {
        self.shared
            .wait_for(deadline_after(timeout), |r| {
                r.terminal.is_some().then_some(())
            })
            .is_some()
    }

    /// Waits up to `timeout` until at least `n` items arrived in total; returns whether they
    /// did. Returns early (with `false`) if the stream ends with fewer.
    ///
    /// ```
    /// use reactive_core::{support::empty_subscription, Subscriber};
    /// use reactive_tck::TestSubscriber;
    /// use std::time::Duration;
    ///
    /// let ts = TestSubscriber::<u32>::new();
    /// let mut publisher_side = ts.clone();
    /// let t = std::thread::spawn(move || {
    ///     publisher_side.on_subscribe(empty_subscription());
    ///     publisher_side.on_next(1);
    ///     publisher_side.on_next(2);
    /// });
    /// assert!(ts.await_values(2, Duration::from_secs(5)));
    /// t.join().unwrap();
    /// ```
    pub fn await_values(&self, n: u64, timeout: Duration) -> bool {
        self.shared
            .wait_for(deadline_after(timeout), |r| {
                if r.received >= n {
                    Some(true)
                } else if r.terminal.is_some() {
                    Some(false)
                } else {
                    None
                }
            })
            .unwrap_or(false)
    }

    /// The protocol violations seen so far, each naming its rule (the first 16 in full).
    ///
    /// ```
    /// use reactive_core::{support::empty_subscription, Subscriber};
    /// use reactive_tck::TestSubscriber;
    ///
    /// let mut ts = TestSubscriber::<u8>::new();
    /// ts.on_subscribe(empty_subscription());
    /// ts.on_complete();
    /// ts.on_complete();
    /// assert!(ts.violations()[0].contains("rule 1.7"));
    /// ```
    pub fn violations(&self) -> Vec<String> {
        self.shared.record.lock().violations.clone()
    }

    fn lock(&self) -> MutexGuard<'_, Record<T>> {
        self.shared.record.lock()
    }
}

impl<T: Send> Subscriber<T> for TestSubscriber<T> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        enum Then {
            CancelIt,
            Request { zero: bool, n: u64 },
        }
        let then = self.shared.update(|r| {
            if r.subscribed {
                r.violation(
                    "rule 2.12: on_subscribe called a second time; the new subscription was \
                     cancelled (rule 2.5)"
                        .to_owned(),
                );
                return Then::CancelIt;
            }
            r.subscribed = true;
            if r.cancelled {
                return Then::CancelIt;
            }
            r.subscription = Some(Arc::clone(&subscription));
            Then::Request {
                zero: std::mem::take(&mut r.pending_zero),
                n: std::mem::take(&mut r.pending),
            }
        });
        match then {
            Then::CancelIt => subscription.cancel(),
            Then::Request { zero, n } => {
                if zero {
                    subscription.request(0);
                }
                if n > 0 {
                    subscription.request(n);
                }
            }
        }
    }

    fn on_next(&mut self, item: T) {
        self.shared.update(|r| {
            r.received += 1;
            let k = r.received;
            if !r.subscribed {
                r.violation(format!("rule 1.9: on_next #{k} before on_subscribe"));
            }
            if let Some(t) = &r.terminal {
                let message = format!("rule 1.7: on_next #{k} after {t}");
                r.violation(message);
            } else if k > r.requested {
                let message = format!(
                    "rule 1.1: on_next #{k} but only {} requested in total",
                    r.requested
                );
                r.violation(message);
            }
            r.signals.push_back(Signal::Next(item));
        });
    }

    fn on_error(&mut self, error: Error) {
        let dropped = self.shared.update(|r| {
            if !r.subscribed {
                r.violation(format!("rule 1.9: on_error({error}) before on_subscribe"));
            }
            if let Some(t) = &r.terminal {
                let message = format!("rule 1.7: on_error({error}) after {t}");
                r.violation(message);
            } else {
                r.terminal = Some(Terminal::Error(error.clone()));
            }
            r.signals.push_back(Signal::Error(error));
            r.subscription.take()
        });
        drop(dropped); // outside the lock: it may drop the publisher's state
    }

    fn on_complete(&mut self) {
        let dropped = self.shared.update(|r| {
            if !r.subscribed {
                r.violation("rule 1.9: on_complete before on_subscribe".to_owned());
            }
            if let Some(t) = &r.terminal {
                let message = format!("rule 1.7: on_complete after {t}");
                r.violation(message);
            } else {
                r.terminal = Some(Terminal::Complete);
            }
            r.signals.push_back(Signal::Complete);
            r.subscription.take()
        });
        drop(dropped);
    }
}

// ---------------------------------------------------------------------------------------------
// VerifyError

/// What kind of failure a [`VerifyError`] reports.
///
/// ```
/// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
/// use reactive_tck::{StepVerifier, VerifyErrorKind};
///
/// let err = StepVerifier::create(&vec_publisher(vec![1]))
///     .expect_complete()
///     .verify()
///     .unwrap_err();
/// assert_eq!(err.kind(), VerifyErrorKind::Mismatch);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// A different signal or value arrived than the step expected, or a signal arrived that no
    /// step expected.
    Mismatch,
    /// The expected signal did not arrive within the step timeout.
    Timeout,
    /// The publisher broke a rule of the specification (1.1, 1.7, 1.9, 2.12); the message
    /// names it.
    ProtocolViolation,
}

/// Why [`StepVerifier::verify`] failed: the failing step (its 1-based index among the steps
/// added to the verifier, and its description) and what was seen instead.
///
/// Its `Debug` output is its `Display` output, so `verify().unwrap()` fails a test with a
/// readable message, for example:
///
/// ```text
/// step 3 `expect_next(4)`: got on_complete
/// step 1 `expect_next_count(5)`: timed out after 5s waiting for on_next (item 4 of 5); seen
///   so far: on_subscribe, 3 items (requested unbounded), no terminal signal
/// step 2 `expect_complete()`: protocol violation: rule 1.1: on_next #3 but only 2 requested
///   in total
/// after the last step: got on_next(3), which no step expects
/// ```
///
/// ```
/// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
/// use reactive_tck::StepVerifier;
///
/// let err = StepVerifier::create(&vec_publisher(vec![1, 2, 3]))
///     .expect_next_values([1, 2, 3])
///     .expect_next(4)
///     .verify()
///     .unwrap_err();
/// assert_eq!(err.to_string(), "step 4 `expect_next(4)`: got on_complete");
/// ```
#[derive(Clone)]
pub struct VerifyError {
    kind: VerifyErrorKind,
    step: Option<usize>,
    description: String,
    message: String,
}

impl VerifyError {
    /// What kind of failure this is.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::{StepVerifier, VerifyErrorKind};
    /// use std::time::Duration;
    ///
    /// let err = StepVerifier::create(&vec_publisher(vec![1, 2]))
    ///     .initial_request(1)
    ///     .timeout(Duration::from_millis(20))
    ///     .expect_next_values([1, 2])
    ///     .verify()
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), VerifyErrorKind::Timeout);
    /// ```
    pub fn kind(&self) -> VerifyErrorKind {
        self.kind
    }

    /// The 1-based index of the failing step, or `None` if the failure came after the last
    /// step (a signal no step expected, or a violation noticed at the end).
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// let err = StepVerifier::create(&vec_publisher(vec![1, 2]))
    ///     .expect_next(1)
    ///     .expect_next(3)
    ///     .verify()
    ///     .unwrap_err();
    /// assert_eq!(err.step(), Some(2));
    /// ```
    pub fn step(&self) -> Option<usize> {
        self.step
    }

    /// The failing step as it was written, for example `` expect_next(4) ``; empty if the
    /// failure came after the last step.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// let err = StepVerifier::create(&vec_publisher(vec![1, 2]))
    ///     .expect_next_count(3)
    ///     .verify()
    ///     .unwrap_err();
    /// assert_eq!(err.step_description(), "expect_next_count(3)");
    /// ```
    pub fn step_description(&self) -> &str {
        &self.description
    }

    /// What was seen instead, without the step (the part after the colon in `Display`).
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// let err = StepVerifier::create(&vec_publisher(vec![1, 2]))
    ///     .expect_next_count(3)
    ///     .verify()
    ///     .unwrap_err();
    /// assert_eq!(err.message(), "got on_complete after 2 of 3 items");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Some(i) => write!(f, "step {i} `{}`: {}", self.description, self.message),
            None => write!(f, "after the last step: {}", self.message),
        }
    }
}

impl fmt::Debug for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for VerifyError {}

// ---------------------------------------------------------------------------------------------
// StepVerifier

/// Checks a received item; `Err` says what was wrong with it.
type ItemCheck<'a, T> = Box<dyn FnOnce(T) -> Result<(), String> + 'a>;

/// Checks a received error; `Err` says what was wrong with it.
type ErrorCheck<'a> = Box<dyn FnOnce(&Error) -> Result<(), String> + 'a>;

/// What a step does.
enum Action<'a, T> {
    Subscription,
    Next(ItemCheck<'a, T>),
    NextCount(u64),
    Request(u64),
    Cancel,
    Run(Box<dyn FnOnce() + 'a>),
    Complete,
    Error(ErrorCheck<'a>),
    NoEvent(Duration),
}

struct Step<'a, T> {
    description: String,
    action: Action<'a, T>,
}

/// A scripted test subscriber, in the manner of Reactor's `StepVerifier`: say what to request
/// and what to expect, step by step, then [`verify`](Self::verify).
///
/// Nothing happens until `verify`: it subscribes to the publisher (on the calling thread),
/// requests the [initial request](Self::initial_request) (unbounded unless changed) from
/// inside `on_subscribe`, and runs the steps in order. A step that waits for a signal waits at
/// most the [step timeout](Self::timeout) (5 s unless changed) for each signal, so `verify`
/// never hangs on a silent publisher. (It cannot interrupt a synchronous publisher that never
/// returns from `subscribe` or `request`, such as an endless source under unbounded demand;
/// give those a bounded initial request.)
///
/// All the while the verifier checks the publisher's side of the contract (rules 1.1, 1.7,
/// 1.9, 2.12; see [`TestSubscriber`]); a violation fails the step during which it is noticed.
///
/// How the script ends decides what happens to signals no step consumed:
///
/// * after [`expect_complete`](Self::expect_complete) or one of the `expect_error` steps,
///   anything else already received (an `on_next` after `on_complete`, a second terminal
///   signal) fails `verify`. To also wait for late signals from an asynchronous publisher,
///   add [`expect_no_event(window)`](Self::expect_no_event) after the terminal step;
/// * after [`then_cancel`](Self::then_cancel), items still in flight are allowed (rule 2.8)
///   and ignored, but not violations;
/// * a script without either checks that nothing unconsumed has arrived so far and cancels.
///
/// Steps are numbered from 1 in the order they were added; errors name them.
///
/// # Examples
///
/// The examples use `vec_publisher(items)`, a synchronous publisher that emits clones of
/// `items` as requested and then completes (its code is hidden).
///
/// ```
/// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
/// use reactive_tck::StepVerifier;
/// use std::time::Duration;
///
/// let numbers = vec_publisher(vec![1, 2, 3, 4]);
/// StepVerifier::create(&numbers)
///     .initial_request(1)
///     .expect_next(1)
///     .expect_no_event(Duration::from_millis(20)) // nothing beyond demand
///     .then_request(2)
///     .expect_next_values([2, 3])
///     .then_request(10)
///     .expect_next_matches(|v| v % 2 == 0)
///     .expect_complete()
///     .verify()
///     .unwrap();
/// ```
pub struct StepVerifier<'a, T> {
    subscribe: Box<dyn FnOnce(TestSubscriber<T>) + 'a>,
    initial_request: u64,
    timeout: Duration,
    steps: Vec<Step<'a, T>>,
}

impl<T> fmt::Debug for StepVerifier<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let steps: Vec<&str> = self.steps.iter().map(|s| s.description.as_str()).collect();
        f.debug_struct("StepVerifier")
            .field("initial_request", &self.initial_request)
            .field("timeout", &self.timeout)
            .field("steps", &steps)
            .finish_non_exhaustive()
    }
}

impl<'a, T> StepVerifier<'a, T>
where
    T: fmt::Debug + Send + 'static,
{
    /// A verifier for `publisher`, which it subscribes to when [`verify`](Self::verify) runs.
    /// The initial request is [`UNBOUNDED`] and the step timeout 5 s.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// let publisher = vec_publisher(vec!["a", "b"]);
    /// StepVerifier::create(&publisher)
    ///     .expect_next_values(["a", "b"])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn create<P>(publisher: &'a P) -> Self
    where
        P: Publisher<Item = T> + ?Sized,
    {
        StepVerifier {
            subscribe: Box::new(move |subscriber| publisher.subscribe(subscriber)),
            initial_request: UNBOUNDED,
            timeout: DEFAULT_STEP_TIMEOUT,
            steps: Vec::new(),
        }
    }

    /// Sets what is requested from inside `on_subscribe`: `n` items, or nothing for `0`
    /// (then the first request is a [`then_request`](Self::then_request) step).
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    /// use std::time::Duration;
    ///
    /// StepVerifier::create(&vec_publisher(vec![1, 2]))
    ///     .initial_request(0)
    ///     .expect_subscription()
    ///     .expect_no_event(Duration::from_millis(20))
    ///     .then_request(2)
    ///     .expect_next_values([1, 2])
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn initial_request(mut self, n: u64) -> Self {
        self.initial_request = n;
        self
    }

    /// Sets the step timeout: the longest wait for any one expected signal (and for
    /// `on_subscribe` before a request or cancel). Default 5 s.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    /// use std::time::Duration;
    ///
    /// let err = StepVerifier::create(&vec_publisher(vec![1, 2]))
    ///     .initial_request(1)
    ///     .timeout(Duration::from_millis(20))
    ///     .expect_next_values([1, 2])
    ///     .verify()
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("timed out after 20ms waiting for on_next"));
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn push(mut self, description: String, action: Action<'a, T>) -> Self {
        self.steps.push(Step {
            description,
            action,
        });
        self
    }

    /// Expects `on_subscribe`. Optional: every other step waits for it as needed; use it to
    /// wait for the subscription of an asynchronous publisher before
    /// [`expect_no_event`](Self::expect_no_event), which does not count `on_subscribe`.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&vec_publisher(Vec::<u8>::new()))
    ///     .expect_subscription()
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn expect_subscription(self) -> Self {
        self.push("expect_subscription()".to_owned(), Action::Subscription)
    }

    /// Expects `on_next(value)`.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// let err = StepVerifier::create(&vec_publisher(vec![1, 2]))
    ///     .expect_next(1)
    ///     .expect_next(3)
    ///     .verify()
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "step 2 `expect_next(3)`: got on_next(2)");
    /// ```
    pub fn expect_next(self, value: T) -> Self
    where
        T: PartialEq,
    {
        let description = format!("expect_next({value:?})");
        self.push(
            description,
            Action::Next(Box::new(move |got| {
                if got == value {
                    Ok(())
                } else {
                    Err(format!("got on_next({got:?})"))
                }
            })),
        )
    }

    /// Expects these items in order: one [`expect_next`](Self::expect_next) step per value.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&vec_publisher((1..=5).collect()))
    ///     .expect_next_values([1, 2])
    ///     .expect_next_values(3..=5)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn expect_next_values<I>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: PartialEq,
    {
        for value in values {
            self = self.expect_next(value);
        }
        self
    }

    /// Expects `n` items, whatever their values.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&vec_publisher((0..1000).collect::<Vec<u32>>()))
    ///     .expect_next_count(1000)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn expect_next_count(self, n: u64) -> Self {
        self.push(format!("expect_next_count({n})"), Action::NextCount(n))
    }

    /// Expects an item for which `predicate` returns `true`.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// let err = StepVerifier::create(&vec_publisher(vec![1, 3]))
    ///     .expect_next_matches(|v| v % 2 == 1)
    ///     .expect_next_matches(|v| v % 2 == 0)
    ///     .verify()
    ///     .unwrap_err();
    /// assert_eq!(err.step(), Some(2));
    /// assert!(err.message().contains("on_next(3)"));
    /// ```
    pub fn expect_next_matches<F>(self, predicate: F) -> Self
    where
        F: FnOnce(&T) -> bool + 'a,
    {
        self.push(
            "expect_next_matches(..)".to_owned(),
            Action::Next(Box::new(move |got| {
                if predicate(&got) {
                    Ok(())
                } else {
                    Err(format!("got on_next({got:?}), which does not match"))
                }
            })),
        )
    }

    /// Expects an item and hands it to `consumer`, which may assert on it (a panic in it
    /// fails the test as usual, after cancelling the subscription).
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// let mut seen = None;
    /// StepVerifier::create(&vec_publisher(vec![String::from("hello")]))
    ///     .consume_next_with(|s| seen = Some(s))
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// assert_eq!(seen.as_deref(), Some("hello"));
    /// ```
    pub fn consume_next_with<F>(self, consumer: F) -> Self
    where
        F: FnOnce(T) + 'a,
    {
        self.push(
            "consume_next_with(..)".to_owned(),
            Action::Next(Box::new(move |got| {
                consumer(got);
                Ok(())
            })),
        )
    }

    /// Requests `n` more items, from the verifier's thread (after waiting for `on_subscribe`).
    /// `then_request(0)` is passed on, for testing rule 3.9.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_core::ErrorKind;
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&vec_publisher(vec![1, 2]))
    ///     .initial_request(0)
    ///     .then_request(0)
    ///     .expect_error_kind(ErrorKind::InvalidRequest)
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn then_request(self, n: u64) -> Self {
        self.push(format!("then_request({n})"), Action::Request(n))
    }

    /// Cancels the subscription, from the verifier's thread (after waiting for
    /// `on_subscribe`). Items still in flight are then allowed and ignored (rule 2.8), so
    /// `verify` succeeds unless a rule was broken. Usually the last step.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&vec_publisher((1..=100).collect()))
    ///     .initial_request(3)
    ///     .expect_next_values([1, 2, 3])
    ///     .then_cancel()
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn then_cancel(self) -> Self {
        self.push("then_cancel()".to_owned(), Action::Cancel)
    }

    /// Runs `task` on the verifier's thread when the script gets here: to trigger something,
    /// or to check state between signals.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    /// use std::cell::Cell;
    ///
    /// let reached = Cell::new(false);
    /// StepVerifier::create(&vec_publisher(vec![1]))
    ///     .expect_next(1)
    ///     .then(|| reached.set(true))
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// assert!(reached.get());
    /// ```
    pub fn then<F>(self, task: F) -> Self
    where
        F: FnOnce() + 'a,
    {
        self.push("then(..)".to_owned(), Action::Run(Box::new(task)))
    }

    /// Expects `on_complete`.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// let err = StepVerifier::create(&vec_publisher(vec![1]))
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "step 1 `expect_complete()`: got on_next(1)");
    /// ```
    pub fn expect_complete(self) -> Self {
        self.push("expect_complete()".to_owned(), Action::Complete)
    }

    /// Expects `on_error`, with any error.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_core::Error;
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&vec_publisher_then_error(vec![1], Error::msg("boom")))
    ///     .expect_next(1)
    ///     .expect_error()
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn expect_error(self) -> Self {
        self.push(
            "expect_error()".to_owned(),
            Action::Error(Box::new(|_| Ok(()))),
        )
    }

    /// Expects `on_error` with an error of `kind`.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_core::{Error, ErrorKind};
    /// use reactive_tck::StepVerifier;
    ///
    /// let failing = vec_publisher_then_error(Vec::<u8>::new(), Error::msg("boom"));
    /// StepVerifier::create(&failing)
    ///     .expect_error_kind(ErrorKind::User)
    ///     .verify()
    ///     .unwrap();
    /// let err = StepVerifier::create(&failing)
    ///     .expect_error_kind(ErrorKind::Overflow)
    ///     .verify()
    ///     .unwrap_err();
    /// assert_eq!(err.message(), "got on_error(user error: boom), not of kind Overflow");
    /// ```
    pub fn expect_error_kind(self, kind: ErrorKind) -> Self {
        self.push(
            format!("expect_error_kind({kind:?})"),
            Action::Error(Box::new(move |e| {
                if e.kind() == kind {
                    Ok(())
                } else {
                    Err(format!("got on_error({e}), not of kind {kind:?}"))
                }
            })),
        )
    }

    /// Expects `on_error` with an error for which `predicate` returns `true`.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_core::Error;
    /// use reactive_tck::StepVerifier;
    ///
    /// StepVerifier::create(&vec_publisher_then_error(vec![1], Error::msg("disk on fire")))
    ///     .expect_next(1)
    ///     .expect_error_matches(|e| e.message().contains("fire"))
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn expect_error_matches<F>(self, predicate: F) -> Self
    where
        F: FnOnce(&Error) -> bool + 'a,
    {
        self.push(
            "expect_error_matches(..)".to_owned(),
            Action::Error(Box::new(move |e| {
                if predicate(e) {
                    Ok(())
                } else {
                    Err(format!("got on_error({e}), which does not match"))
                }
            })),
        )
    }

    /// Expects that no signal at all (item, error, completion or protocol violation) arrives
    /// within `window`; fails as soon as one does. `on_subscribe` does not count. After a
    /// terminal step it checks that nothing follows the terminal signal (rule 1.7).
    ///
    /// The window is its own wait, independent of the step timeout; keep it short.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    /// use std::time::Duration;
    ///
    /// let err = StepVerifier::create(&vec_publisher(vec![1]))
    ///     .expect_no_event(Duration::from_millis(20))
    ///     .verify()
    ///     .unwrap_err();
    /// assert_eq!(err.message(), "got on_next(1) within the 20ms window");
    /// ```
    pub fn expect_no_event(self, window: Duration) -> Self {
        self.push(
            format!("expect_no_event({window:?})"),
            Action::NoEvent(window),
        )
    }

    /// Subscribes, runs the steps and checks the end of the script; returns how long it took.
    ///
    /// On every exit (success, failure or a panicking step) the subscription is cancelled
    /// unless the stream has terminated (rule 2.6).
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] for the first step that fails: a different signal than expected, no
    /// signal within the step timeout, or a protocol violation by the publisher; or, after the
    /// last step, a signal that no step expected.
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// let took = StepVerifier::create(&vec_publisher(vec![1]))
    ///     .expect_next(1)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// println!("verified in {took:?}");
    /// ```
    pub fn verify(self) -> Result<Duration, VerifyError> {
        let started = Instant::now();
        let subscriber = TestSubscriber::with_request(self.initial_request);
        let guard = CancelOnDrop(subscriber.clone());
        (self.subscribe)(subscriber.clone());
        let mut run = Run {
            subscriber: &guard.0,
            timeout: self.timeout,
            cancelled: false,
        };
        for (index, step) in self.steps.into_iter().enumerate() {
            let Step {
                description,
                action,
            } = step;
            run.step(action).map_err(|(kind, message)| VerifyError {
                kind,
                step: Some(index + 1),
                description,
                message,
            })?;
        }
        run.finish().map_err(|(kind, message)| VerifyError {
            kind,
            step: None,
            description: String::new(),
            message,
        })?;
        drop(guard);
        Ok(started.elapsed())
    }

    /// [`timeout(step_timeout)`](Self::timeout) followed by [`verify`](Self::verify).
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify).
    ///
    /// ```
    /// # mod doc { include!("step_verifier/vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    /// use std::time::Duration;
    ///
    /// StepVerifier::create(&vec_publisher(vec![1]))
    ///     .expect_next(1)
    ///     .expect_complete()
    ///     .verify_timeout(Duration::from_secs(1))
    ///     .unwrap();
    /// ```
    pub fn verify_timeout(self, step_timeout: Duration) -> Result<Duration, VerifyError> {
        self.timeout(step_timeout).verify()
    }
}

/// Cancels the verifier's subscription however `verify` ends (rule 2.6).
struct CancelOnDrop<T>(TestSubscriber<T>);

impl<T> Drop for CancelOnDrop<T> {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// A failure of one step, before it is given the step's index and description.
type StepFailure = (VerifyErrorKind, String);

/// The state of one `verify` run.
struct Run<'s, T> {
    subscriber: &'s TestSubscriber<T>,
    timeout: Duration,
    cancelled: bool,
}

impl<T: fmt::Debug + Send> Run<'_, T> {
    fn step(&mut self, action: Action<'_, T>) -> Result<(), StepFailure> {
        match action {
            Action::Subscription => self.await_subscription(),
            Action::Next(check) => match self.next_signal("on_next")? {
                Signal::Next(v) => check(v).map_err(|m| (VerifyErrorKind::Mismatch, m)),
                other => Err(mismatch(&other)),
            },
            Action::NextCount(n) => {
                for k in 0..n {
                    let waiting_for = format!("on_next (item {} of {n})", k + 1);
                    match self.next_signal(&waiting_for)? {
                        Signal::Next(_) => {}
                        other => {
                            return Err((
                                VerifyErrorKind::Mismatch,
                                format!("got {} after {k} of {n} items", other.describe()),
                            ));
                        }
                    }
                }
                Ok(())
            }
            Action::Request(n) => {
                self.await_subscription()?;
                self.subscriber.request(n);
                Ok(())
            }
            Action::Cancel => {
                self.await_subscription()?;
                self.subscriber.cancel();
                self.cancelled = true;
                Ok(())
            }
            Action::Run(task) => {
                task();
                Ok(())
            }
            Action::Complete => match self.next_signal("on_complete")? {
                Signal::Complete => Ok(()),
                other => Err(mismatch(&other)),
            },
            Action::Error(check) => match self.next_signal("on_error")? {
                Signal::Error(e) => check(&e).map_err(|m| (VerifyErrorKind::Mismatch, m)),
                other => Err(mismatch(&other)),
            },
            Action::NoEvent(window) => self.no_event(window),
        }
    }

    /// Waits for `on_subscribe`.
    fn await_subscription(&self) -> Result<(), StepFailure> {
        let outcome = self
            .subscriber
            .shared
            .wait_for(deadline_after(self.timeout), |r| {
                if let Some(v) = r.first_violation() {
                    Some(Err((VerifyErrorKind::ProtocolViolation, v)))
                } else if r.subscribed {
                    Some(Ok(()))
                } else {
                    None
                }
            });
        outcome.unwrap_or_else(|| Err(self.timed_out("on_subscribe")))
    }

    /// Takes the next signal, waiting up to the timeout. Fails at once on a violation, or if
    /// the stream has ended and every signal was taken.
    fn next_signal(&self, waiting_for: &str) -> Result<Signal<T>, StepFailure> {
        let outcome = self
            .subscriber
            .shared
            .wait_for(deadline_after(self.timeout), |r| {
                if let Some(v) = r.first_violation() {
                    Some(Err((VerifyErrorKind::ProtocolViolation, v)))
                } else if let Some(signal) = r.signals.pop_front() {
                    Some(Ok(signal))
                } else {
                    r.terminal.as_ref().map(|t| {
                        Err((
                            VerifyErrorKind::Mismatch,
                            format!("got no {waiting_for}: the stream already ended with {t}"),
                        ))
                    })
                }
            });
        outcome.unwrap_or_else(|| Err(self.timed_out(waiting_for)))
    }

    fn no_event(&self, window: Duration) -> Result<(), StepFailure> {
        let outcome = self
            .subscriber
            .shared
            .wait_for(deadline_after(window), |r| {
                if let Some(v) = r.first_violation() {
                    Some((VerifyErrorKind::ProtocolViolation, v))
                } else {
                    r.signals.front().map(|s| {
                        (
                            VerifyErrorKind::Mismatch,
                            format!("got {} within the {window:?} window", s.describe()),
                        )
                    })
                }
            });
        match outcome {
            Some(failure) => Err(failure),
            None => Ok(()),
        }
    }

    fn timed_out(&self, waiting_for: &str) -> StepFailure {
        let summary = self.subscriber.lock().summary();
        (
            VerifyErrorKind::Timeout,
            format!(
                "timed out after {:?} waiting for {waiting_for}; seen so far: {summary}",
                self.timeout
            ),
        )
    }

    /// After the last step: no violation, and nothing unconsumed unless the script cancelled.
    fn finish(&self) -> Result<(), StepFailure> {
        let record = self.subscriber.lock();
        if let Some(v) = record.first_violation() {
            return Err((VerifyErrorKind::ProtocolViolation, v));
        }
        if !self.cancelled {
            if let Some(s) = record.signals.front() {
                return Err((
                    VerifyErrorKind::Mismatch,
                    format!("got {}, which no step expects", s.describe()),
                ));
            }
        }
        Ok(())
    }
}

fn mismatch<T: fmt::Debug>(got: &Signal<T>) -> StepFailure {
    (VerifyErrorKind::Mismatch, format!("got {}", got.describe()))
}

#[cfg(test)]
mod tests {
    use super::vec_publisher::{vec_publisher, vec_publisher_then_error};
    use super::*;
    use reactive_core::Subscription;
    use reactive_core::support::empty_subscription;
    use std::cell::Cell;
    use std::thread::JoinHandle;

    const WINDOW: Duration = Duration::from_millis(20);

    /// How long a `ThreadPublisher` thread waits for demand before it gives up.
    const GIVE_UP: Duration = Duration::from_secs(10);

    /// A publisher that sends a fixed script of signals right after `on_subscribe`, whatever
    /// the demand: a deliberately broken source.
    struct Scripted(Vec<Signal<u32>>);

    impl Clone for Signal<u32> {
        fn clone(&self) -> Self {
            match self {
                Signal::Next(v) => Signal::Next(*v),
                Signal::Error(e) => Signal::Error(e.clone()),
                Signal::Complete => Signal::Complete,
            }
        }
    }

    impl Publisher for Scripted {
        type Item = u32;
        fn subscribe<S: Subscriber<u32> + 'static>(&self, mut s: S) {
            s.on_subscribe(empty_subscription());
            for signal in self.0.clone() {
                match signal {
                    Signal::Next(v) => s.on_next(v),
                    Signal::Error(e) => s.on_error(e),
                    Signal::Complete => s.on_complete(),
                }
            }
        }
    }

    /// A subscription that records requests and cancels.
    #[derive(Default)]
    struct Recording {
        requests: Mutex<Vec<u64>>,
        cancels: Mutex<u32>,
    }

    impl Subscription for Recording {
        fn request(&self, n: u64) {
            self.requests.lock().push(n);
        }
        fn cancel(&self) {
            *self.cancels.lock() += 1;
        }
    }

    /// An asynchronous publisher: each subscriber gets `1..=count` from its own thread, which
    /// waits for demand on a condition variable.
    struct ThreadPublisher {
        count: u32,
        gates: Mutex<Vec<Arc<Gate>>>,
        threads: Mutex<Vec<JoinHandle<()>>>,
    }

    #[derive(Default)]
    struct Gate {
        state: Mutex<(u64, bool)>, // (demand, cancelled)
        changed: Condvar,
    }

    impl Subscription for Gate {
        fn request(&self, n: u64) {
            let mut state = self.state.lock();
            state.0 = add_cap(state.0, n);
            drop(state);
            self.changed.notify_all();
        }
        fn cancel(&self) {
            self.state.lock().1 = true;
            self.changed.notify_all();
        }
    }

    impl ThreadPublisher {
        fn new(count: u32) -> Self {
            ThreadPublisher {
                count,
                gates: Mutex::new(Vec::new()),
                threads: Mutex::new(Vec::new()),
            }
        }

        fn was_cancelled(&self) -> bool {
            self.gates.lock().iter().all(|g| g.state.lock().1)
        }

        fn join(&self) {
            for t in self.threads.lock().drain(..) {
                t.join().unwrap();
            }
        }
    }

    impl Publisher for ThreadPublisher {
        type Item = u32;
        fn subscribe<S: Subscriber<u32> + 'static>(&self, mut s: S) {
            let gate = Arc::new(Gate::default());
            self.gates.lock().push(gate.clone());
            let count = self.count;
            self.threads.lock().push(std::thread::spawn(move || {
                s.on_subscribe(gate.clone());
                for i in 1..=count {
                    let mut state = gate.state.lock();
                    while state.0 == 0 && !state.1 {
                        // Bounded, so that a broken cancel fails the test instead of hanging
                        // it in `join`.
                        if gate.changed.wait_for(&mut state, GIVE_UP).timed_out() {
                            return;
                        }
                    }
                    if state.1 {
                        return;
                    }
                    if state.0 != UNBOUNDED {
                        state.0 -= 1;
                    }
                    drop(state);
                    s.on_next(i);
                }
                s.on_complete();
            }));
        }
    }

    #[test]
    fn synchronous_items_and_completion_pass() {
        StepVerifier::create(&vec_publisher(vec![1, 2, 3]))
            .expect_subscription()
            .expect_next(1)
            .expect_next_values([2, 3])
            .expect_complete()
            .verify()
            .unwrap();
    }

    #[test]
    fn expect_next_mismatch_names_the_step_and_the_value() {
        let err = StepVerifier::create(&vec_publisher(vec![1, 2, 3]))
            .expect_next(1)
            .expect_next(5)
            .expect_complete()
            .verify()
            .unwrap_err();
        assert_eq!(err.kind(), VerifyErrorKind::Mismatch);
        assert_eq!(err.step(), Some(2));
        assert_eq!(err.step_description(), "expect_next(5)");
        assert_eq!(err.to_string(), "step 2 `expect_next(5)`: got on_next(2)");
        assert_eq!(format!("{err:?}"), err.to_string());
    }

    #[test]
    fn completion_instead_of_an_item_is_reported() {
        let err = StepVerifier::create(&vec_publisher(vec![1, 2, 3]))
            .expect_next_values([1, 2, 3])
            .expect_next(4)
            .verify()
            .unwrap_err();
        assert_eq!(err.to_string(), "step 4 `expect_next(4)`: got on_complete");
    }

    #[test]
    fn more_items_than_requested_is_a_rule_1_1_violation() {
        let broken = Scripted(vec![Signal::Next(1), Signal::Next(2), Signal::Next(3)]);
        let err = StepVerifier::create(&broken)
            .initial_request(2)
            .expect_next_values([1, 2])
            .then_cancel()
            .verify()
            .unwrap_err();
        assert_eq!(err.kind(), VerifyErrorKind::ProtocolViolation);
        assert_eq!(err.step(), Some(1));
        assert!(
            err.message()
                .contains("rule 1.1: on_next #3 but only 2 requested in total"),
            "{err}"
        );
    }

    #[test]
    fn requests_add_up_for_rule_1_1() {
        let broken = Scripted(vec![Signal::Next(1), Signal::Next(2)]);
        let ts = TestSubscriber::with_request(1);
        ts.request(1);
        broken.subscribe(ts.clone());
        assert!(ts.violations().is_empty(), "{:?}", ts.violations());
        let ts = TestSubscriber::with_request(1);
        broken.subscribe(ts.clone());
        assert_eq!(ts.violations().len(), 1);
    }

    #[test]
    fn item_after_completion_is_a_rule_1_7_violation() {
        let broken = Scripted(vec![Signal::Next(1), Signal::Complete, Signal::Next(2)]);
        let err = StepVerifier::create(&broken)
            .expect_next(1)
            .expect_complete()
            .verify()
            .unwrap_err();
        assert_eq!(err.kind(), VerifyErrorKind::ProtocolViolation);
        assert!(
            err.message()
                .contains("rule 1.7: on_next #2 after on_complete"),
            "{err}"
        );
    }

    #[test]
    fn second_terminal_signal_is_a_rule_1_7_violation() {
        let broken = Scripted(vec![Signal::Complete, Signal::Error(Error::msg("late"))]);
        let err = StepVerifier::create(&broken)
            .expect_complete()
            .verify()
            .unwrap_err();
        assert_eq!(err.kind(), VerifyErrorKind::ProtocolViolation);
        assert!(err.message().contains("rule 1.7: on_error"), "{err}");
    }

    #[test]
    fn violation_noticed_after_the_last_step_fails() {
        // The terminal step consumes on_complete, then the end check must still see the
        // violation recorded by the signal that followed it.
        let ts = TestSubscriber::<u32>::new();
        let mut publisher_side = ts.clone();
        publisher_side.on_subscribe(empty_subscription());
        let run = Run {
            subscriber: &ts,
            timeout: WINDOW,
            cancelled: false,
        };
        publisher_side.on_complete();
        assert!(matches!(
            run.next_signal("on_complete"),
            Ok(Signal::Complete)
        ));
        publisher_side.on_complete();
        let (kind, message) = run.finish().unwrap_err();
        assert_eq!(kind, VerifyErrorKind::ProtocolViolation);
        assert!(message.contains("rule 1.7: on_complete after on_complete"));
    }

    #[test]
    fn signal_before_on_subscribe_is_a_rule_1_9_violation() {
        let mut ts = TestSubscriber::new();
        ts.on_next(1u8);
        ts.on_subscribe(empty_subscription());
        assert!(ts.violations()[0].contains("rule 1.9: on_next #1 before on_subscribe"));
    }

    #[test]
    fn second_on_subscribe_is_a_violation_and_the_newcomer_is_cancelled() {
        let first = Arc::new(Recording::default());
        let second = Arc::new(Recording::default());
        let mut ts = TestSubscriber::<u8>::with_request(3);
        ts.on_subscribe(first.clone());
        ts.on_subscribe(second.clone());
        assert_eq!(*first.requests.lock(), [3]);
        assert_eq!(*first.cancels.lock(), 0);
        assert!(second.requests.lock().is_empty());
        assert_eq!(*second.cancels.lock(), 1);
        assert!(ts.violations()[0].contains("rule 2.12"));
    }

    #[test]
    fn requests_are_passed_on_step_by_step() {
        StepVerifier::create(&vec_publisher(vec![1, 2, 3]))
            .initial_request(0)
            .expect_subscription()
            .expect_no_event(WINDOW)
            .then_request(2)
            .expect_next_values([1, 2])
            .expect_no_event(WINDOW)
            .then_request(1)
            .expect_next(3)
            .expect_complete()
            .verify()
            .unwrap();
    }

    #[test]
    fn requests_reach_the_subscription_in_order() {
        struct Recorder(Arc<Recording>);
        impl Publisher for Recorder {
            type Item = u32;
            fn subscribe<S: Subscriber<u32> + 'static>(&self, mut s: S) {
                s.on_subscribe(self.0.clone());
            }
        }
        let recording = Arc::new(Recording::default());
        StepVerifier::create(&Recorder(recording.clone()))
            .initial_request(2)
            .then_request(5)
            .then_request(0)
            .then_cancel()
            .verify()
            .unwrap();
        assert_eq!(*recording.requests.lock(), [2, 5, 0]);
        assert_eq!(*recording.cancels.lock(), 1);
    }

    #[test]
    fn an_unfinished_script_cancels_the_subscription() {
        let publisher = ThreadPublisher::new(1_000_000);
        StepVerifier::create(&publisher)
            .initial_request(2)
            .expect_next_values([1, 2])
            .verify()
            .unwrap();
        assert!(publisher.was_cancelled());
        publisher.join();
    }

    #[test]
    fn asynchronous_publisher_with_requests_from_the_verifier_thread() {
        let publisher = ThreadPublisher::new(6);
        StepVerifier::create(&publisher)
            .initial_request(1)
            .expect_next(1)
            .then_request(2)
            .expect_next_values([2, 3])
            .then_request(10)
            .expect_next_count(2)
            .expect_next(6)
            .expect_complete()
            .verify()
            .unwrap();
        publisher.join();
    }

    #[test]
    fn then_cancel_reaches_an_asynchronous_publisher() {
        let publisher = ThreadPublisher::new(1_000_000);
        StepVerifier::create(&publisher)
            .initial_request(5)
            .expect_next_count(5)
            .then_cancel()
            .verify()
            .unwrap();
        assert!(publisher.was_cancelled());
        publisher.join();
    }

    #[test]
    fn unbounded_asynchronous_publisher_then_cancel_passes() {
        let publisher = ThreadPublisher::new(1_000_000);
        StepVerifier::create(&publisher)
            .expect_next_count(1000)
            .then_cancel()
            .verify()
            .unwrap();
        assert!(publisher.was_cancelled());
        publisher.join();
    }

    #[test]
    fn expect_no_event_fails_on_a_queued_item() {
        let err = StepVerifier::create(&vec_publisher(vec![1]))
            .expect_no_event(WINDOW)
            .verify()
            .unwrap_err();
        assert_eq!(err.kind(), VerifyErrorKind::Mismatch);
        assert_eq!(
            err.to_string(),
            "step 1 `expect_no_event(20ms)`: got on_next(1) within the 20ms window"
        );
    }

    #[test]
    fn expect_no_event_fails_on_an_item_from_another_thread() {
        // However the threads interleave, the item is requested before the window starts and
        // arrives before it would end: the step must fail (and it returns as soon as it does).
        let publisher = ThreadPublisher::new(3);
        let err = StepVerifier::create(&publisher)
            .initial_request(0)
            .expect_subscription()
            .then_request(1)
            .expect_no_event(Duration::from_secs(30))
            .verify()
            .unwrap_err();
        assert_eq!(err.step(), Some(3));
        assert_eq!(err.message(), "got on_next(1) within the 30s window");
        publisher.join();
    }

    #[test]
    fn expect_no_event_after_completion_catches_a_late_signal() {
        // Completes at once, then sends an item from another thread when the test says so:
        // only a no-event window after the terminal step can notice it.
        struct LateItem(
            Mutex<Option<std::sync::mpsc::Receiver<()>>>,
            Mutex<Vec<JoinHandle<()>>>,
        );
        impl Publisher for LateItem {
            type Item = u32;
            fn subscribe<S: Subscriber<u32> + 'static>(&self, mut s: S) {
                let go = self.0.lock().take().unwrap();
                self.1.lock().push(std::thread::spawn(move || {
                    s.on_subscribe(empty_subscription());
                    s.on_complete();
                    go.recv().unwrap();
                    s.on_next(9);
                }));
            }
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let late = LateItem(Mutex::new(Some(rx)), Mutex::new(Vec::new()));
        let err = StepVerifier::create(&late)
            .expect_complete()
            .then(|| tx.send(()).unwrap())
            .expect_no_event(Duration::from_secs(30))
            .verify()
            .unwrap_err();
        assert_eq!(err.kind(), VerifyErrorKind::ProtocolViolation);
        assert_eq!(err.step(), Some(3));
        assert_eq!(
            err.message(),
            "protocol violation: rule 1.7: on_next #1 after on_complete"
        );
        for t in late.1.lock().drain(..) {
            t.join().unwrap();
        }
    }

    #[test]
    fn violation_in_a_synchronous_stream_fails_the_first_step_that_sees_it() {
        let broken = Scripted(vec![Signal::Complete, Signal::Next(9)]);
        let err = StepVerifier::create(&broken)
            .expect_complete()
            .verify()
            .unwrap_err();
        assert_eq!(err.kind(), VerifyErrorKind::ProtocolViolation);
        assert_eq!(err.step(), Some(1));
    }

    #[test]
    fn silent_publisher_times_out_with_what_was_seen() {
        struct Never;
        impl Publisher for Never {
            type Item = u32;
            fn subscribe<S: Subscriber<u32> + 'static>(&self, mut s: S) {
                s.on_subscribe(empty_subscription());
            }
        }
        let err = StepVerifier::create(&Never)
            .timeout(WINDOW)
            .expect_next(1)
            .verify()
            .unwrap_err();
        assert_eq!(err.kind(), VerifyErrorKind::Timeout);
        assert_eq!(
            err.message(),
            "timed out after 20ms waiting for on_next; seen so far: on_subscribe, 0 items \
             (requested unbounded), no terminal signal"
        );
    }

    #[test]
    fn publisher_without_on_subscribe_times_out_on_request() {
        struct Mute;
        impl Publisher for Mute {
            type Item = u32;
            fn subscribe<S: Subscriber<u32> + 'static>(&self, _s: S) {}
        }
        let err = StepVerifier::create(&Mute)
            .initial_request(0)
            .then_request(1)
            .verify_timeout(WINDOW)
            .unwrap_err();
        assert_eq!(err.kind(), VerifyErrorKind::Timeout);
        assert!(err.message().contains("waiting for on_subscribe"), "{err}");
        assert!(err.message().contains("no on_subscribe"), "{err}");
    }

    #[test]
    fn count_shortfall_says_how_many_arrived() {
        let err = StepVerifier::create(&vec_publisher(vec![1, 2, 3]))
            .expect_next_count(5)
            .verify()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "step 1 `expect_next_count(5)`: got on_complete after 3 of 5 items"
        );
    }

    #[test]
    fn steps_after_the_end_fail_at_once_instead_of_timing_out() {
        let err = StepVerifier::create(&vec_publisher(vec![1]))
            .expect_next(1)
            .expect_complete()
            .expect_next(2)
            .verify()
            .unwrap_err();
        assert_eq!(err.kind(), VerifyErrorKind::Mismatch);
        assert_eq!(
            err.message(),
            "got no on_next: the stream already ended with on_complete"
        );
    }

    #[test]
    fn error_steps_check_the_signal_and_the_error() {
        let failing = vec_publisher_then_error(vec![1], Error::msg("boom"));
        StepVerifier::create(&failing)
            .expect_next(1)
            .expect_error_kind(ErrorKind::User)
            .verify()
            .unwrap();
        StepVerifier::create(&failing)
            .expect_next(1)
            .expect_error_matches(|e| e.message() == "boom")
            .verify()
            .unwrap();
        let err = StepVerifier::create(&failing)
            .expect_next(1)
            .expect_complete()
            .verify()
            .unwrap_err();
        assert_eq!(err.message(), "got on_error(user error: boom)");
        let err = StepVerifier::create(&failing)
            .expect_next(1)
            .expect_error_matches(|e| e.message() == "bang")
            .verify()
            .unwrap_err();
        assert_eq!(
            err.message(),
            "got on_error(user error: boom), which does not match"
        );
        let err = StepVerifier::create(&vec_publisher(vec![1]))
            .expect_next(1)
            .expect_error()
            .verify()
            .unwrap_err();
        assert_eq!(err.message(), "got on_complete");
    }

    #[test]
    fn unconsumed_signals_after_the_last_step_fail() {
        let err = StepVerifier::create(&vec_publisher(vec![1, 2]))
            .expect_next(1)
            .verify()
            .unwrap_err();
        assert_eq!(err.step(), None);
        assert_eq!(
            err.to_string(),
            "after the last step: got on_next(2), which no step expects"
        );
    }

    #[test]
    fn then_and_consume_run_in_script_order() {
        let order = Cell::new(0);
        let mut consumed = Vec::new();
        StepVerifier::create(&vec_publisher(vec![10, 20]))
            .then(|| order.set(order.get() * 10 + 1))
            .consume_next_with(|v| {
                order.set(order.get() * 10 + 2);
                consumed.push(v);
            })
            .then(|| order.set(order.get() * 10 + 3))
            .expect_next_matches(|v| *v == 20)
            .expect_complete()
            .verify()
            .unwrap();
        assert_eq!(order.get(), 123);
        assert_eq!(consumed, [10]);
    }

    #[test]
    fn test_subscriber_records_and_waits() {
        let publisher = ThreadPublisher::new(3);
        let ts = TestSubscriber::with_request(1);
        publisher.subscribe(ts.clone());
        assert!(ts.await_values(1, Duration::from_secs(5)));
        ts.request(2);
        assert!(ts.await_terminal(Duration::from_secs(5)));
        assert_eq!(ts.values(), [1, 2, 3]);
        assert!(ts.is_complete());
        assert!(ts.error().is_none());
        assert!(ts.violations().is_empty());
        publisher.join();
    }

    #[test]
    fn test_subscriber_waits_end_without_a_signal() {
        let ts = TestSubscriber::<u8>::new();
        assert!(!ts.await_terminal(WINDOW));
        assert!(!ts.await_values(1, WINDOW));
    }

    #[test]
    fn test_subscriber_cancel_before_subscribe_cancels_the_newcomer() {
        let recording = Arc::new(Recording::default());
        let mut ts = TestSubscriber::<u8>::new();
        ts.cancel();
        ts.on_subscribe(recording.clone());
        assert_eq!(*recording.cancels.lock(), 1);
        assert!(recording.requests.lock().is_empty());
    }

    #[test]
    fn test_subscriber_keeps_a_bounded_number_of_violations() {
        let mut ts = TestSubscriber::with_request(0);
        ts.on_subscribe(empty_subscription());
        for i in 0..100u32 {
            ts.on_next(i);
        }
        assert_eq!(ts.violations().len(), MAX_KEPT_VIOLATIONS);
        let message = ts.lock().first_violation().unwrap();
        assert!(message.ends_with("(and 99 more)"), "{message}");
    }

    #[test]
    fn request_zero_before_on_subscribe_is_passed_on() {
        let ts = TestSubscriber::<u32>::with_request(0);
        ts.request(0);
        vec_publisher(vec![1, 2]).subscribe(ts.clone());
        assert_eq!(
            ts.error().map(|e| e.kind()),
            Some(ErrorKind::InvalidRequest)
        );
        assert_eq!(ts.value_count(), 0);
    }
}
