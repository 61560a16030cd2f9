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
//! A violation is recorded where it happened, in the stream of signals (right before the
//! offending signal), so a [`StepVerifier`] reports it when its script reaches that point and
//! never blames a step that consumed only earlier, correct signals.
//!
//! Signals are recorded under a `parking_lot` mutex and announced on a condition variable, so
//! the same code serves synchronous publishers (the signals arrive on the verifier's thread,
//! inside `subscribe` or `request`) and asynchronous ones (the signals arrive from other
//! threads while the verifier waits).

// The doc examples use `vec_publisher`, a small synchronous publisher over a `Vec` kept in
// `step_verifier/vec_publisher.rs` and included by a hidden line, so it stays out of the API.
#[cfg(test)]
#[allow(unreachable_pub)] // written as public items for the doc examples that include it
mod vec_publisher;

mod error;
mod test_subscriber;
#[cfg(test)]
mod tests;
mod verifier;

pub use error::{VerifyError, VerifyErrorKind};
pub use test_subscriber::TestSubscriber;
pub use verifier::StepVerifier;

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Weak};
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

/// One signal after `on_subscribe`, in arrival order, or a protocol violation at the point in
/// the stream where it happened.
enum Signal<T> {
    Next(T),
    Error(Error),
    Complete,
    /// The violation with this index in [`Record::violations`]; queued right before the signal
    /// that broke the rule.
    Violation(usize),
}

impl<T: fmt::Debug> Signal<T> {
    /// What the signal was, for messages. (A step never receives a violation as a signal:
    /// taking one from the queue fails the step with [`Record::violation_report`].)
    fn describe(&self) -> String {
        match self {
            Signal::Next(v) => format!("on_next({v:?})"),
            Signal::Error(e) => format!("on_error({e})"),
            Signal::Complete => "on_complete".to_owned(),
            Signal::Violation(index) => format!("protocol violation #{}", index + 1),
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
    /// Run after each `on_next` is recorded, with no lock held.
    hook: Option<OnNextHook<T>>,
    /// How many `on_next` calls are running right now, and the most there ever were at once.
    depth: usize,
    max_depth: usize,
    /// The token of the last [`TestSubscriber::tracked_clone`]; gone once every copy of that
    /// clone was dropped (rule 3.13).
    tracked: Option<Weak<()>>,
    /// While a clone is tracked: the subscription received, kept even after the end or a
    /// cancel, so that the publisher's state outlives the subscriber unless the publisher
    /// lets go of the subscriber itself.
    retained: Option<SubscriptionRef>,
}

/// The hook of [`TestSubscriber::with_on_next_hook`].
type OnNextHook<T> = Arc<dyn Fn(&TestSubscriber<T>, u64) + Send + Sync>;

impl<T> Record<T> {
    /// Records a violation and queues it among the signals, before the offending one.
    fn violation(&mut self, message: String) {
        self.violation_count += 1;
        if self.violations.len() < MAX_KEPT_VIOLATIONS {
            self.signals
                .push_back(Signal::Violation(self.violations.len()));
            self.violations.push(message);
        }
    }

    /// The violation with this index, with a count of the ones after it.
    fn violation_report(&self, index: usize) -> String {
        let message = &self.violations[index];
        match self.violation_count - index - 1 {
            0 => format!("protocol violation: {message}"),
            more => format!("protocol violation: {message} (and {more} more)"),
        }
    }

    /// The first violation, with a count of the others.
    #[cfg(test)]
    fn first_violation(&self) -> Option<String> {
        (!self.violations.is_empty()).then(|| self.violation_report(0))
    }

    /// The first violation still queued (not yet reached by a step), with a count of the
    /// others after it.
    fn queued_violation(&self) -> Option<String> {
        self.signals.iter().find_map(|s| match s {
            Signal::Violation(index) => Some(self.violation_report(*index)),
            _ => None,
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
