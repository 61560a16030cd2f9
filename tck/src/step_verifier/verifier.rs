//! [`StepVerifier`]: the scripted test subscriber.

use super::*;

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
/// 1.9, 2.12; see [`TestSubscriber`]). A violation takes its place in the stream of signals,
/// right before the signal that broke the rule, and is a failure of its own: the step that
/// reaches it (the one that would have taken the offending signal) fails with a
/// [`ProtocolViolation`](VerifyErrorKind::ProtocolViolation) naming the rule, and so does
/// `verify` after the last step if no step reached it. Steps that consumed only earlier,
/// correct signals pass.
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
/// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
pub(super) struct Run<'s, T> {
    pub(super) subscriber: &'s TestSubscriber<T>,
    pub(super) timeout: Duration,
    pub(super) cancelled: bool,
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

    /// Waits for `on_subscribe`. Fails at once if a violation arrives first (a signal before
    /// `on_subscribe`, rule 1.9).
    fn await_subscription(&self) -> Result<(), StepFailure> {
        let outcome = self
            .subscriber
            .shared
            .wait_for(deadline_after(self.timeout), |r| {
                if r.subscribed {
                    Some(Ok(()))
                } else {
                    r.queued_violation()
                        .map(|v| Err((VerifyErrorKind::ProtocolViolation, v)))
                }
            });
        outcome.unwrap_or_else(|| Err(self.timed_out("on_subscribe")))
    }

    /// Takes the next signal, waiting up to the timeout. Fails at once if the next thing in
    /// the stream is a protocol violation, or if the stream has ended and every signal was
    /// taken.
    pub(super) fn next_signal(&self, waiting_for: &str) -> Result<Signal<T>, StepFailure> {
        let outcome = self
            .subscriber
            .shared
            .wait_for(deadline_after(self.timeout), |r| {
                if let Some(signal) = r.signals.pop_front() {
                    Some(match signal {
                        Signal::Violation(index) => Err((
                            VerifyErrorKind::ProtocolViolation,
                            r.violation_report(index),
                        )),
                        signal => Ok(signal),
                    })
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
                r.signals.front().map(|s| match s {
                    Signal::Violation(index) => (
                        VerifyErrorKind::ProtocolViolation,
                        r.violation_report(*index),
                    ),
                    s => (
                        VerifyErrorKind::Mismatch,
                        format!("got {} within the {window:?} window", s.describe()),
                    ),
                })
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

    /// After the last step: no violation that no step reached, and nothing unconsumed unless
    /// the script cancelled.
    pub(super) fn finish(&self) -> Result<(), StepFailure> {
        let record = self.subscriber.lock();
        if let Some(v) = record.queued_violation() {
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
