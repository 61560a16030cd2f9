//! [`TestSubscriber`]: the recording subscriber.

use super::*;

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
/// For tests that drive demand from inside the stream or watch the publisher's side of the
/// contract more closely:
///
/// * [`with_on_next_hook`](Self::with_on_next_hook) runs a closure after each item, which may
///   request or cancel re-entrantly (rules 3.2, 3.3);
/// * [`tracked_clone`](Self::tracked_clone) and [`is_dropped`](Self::is_dropped) tell whether
///   the publisher dropped the subscriber (rule 3.13);
/// * [`max_on_next_depth`](Self::max_on_next_depth) says whether `on_next` was ever entered
///   while another `on_next` was running (recursion, rule 3.3);
/// * [`subscription`](Self::subscription) hands out the subscription itself, to call it after
///   cancelling (rules 3.6, 3.7).
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
    pub(super) shared: Arc<Shared<T>>,
    /// Held by a [`tracked_clone`](Self::tracked_clone) and its copies.
    token: Option<Arc<()>>,
}

impl<T> Clone for TestSubscriber<T> {
    /// Another handle on the same record. A clone of a
    /// [`tracked_clone`](Self::tracked_clone) is tracked too.
    fn clone(&self) -> Self {
        TestSubscriber {
            shared: Arc::clone(&self.shared),
            token: self.token.clone(),
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
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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
                    hook: None,
                    depth: 0,
                    max_depth: 0,
                    tracked: None,
                    retained: None,
                }),
                changed: Condvar::new(),
            }),
            token: None,
        }
    }

    /// Runs `hook(subscriber, n)` after each `on_next` is recorded, where `n` is the number
    /// of items received so far (this one included) and `subscriber` the instance the
    /// publisher called. No lock is held while it runs, so it may
    /// [`request`](Self::request), [`cancel`](Self::cancel), inspect the record, or block.
    ///
    /// The hook is shared by every clone and runs for every `on_next`, including one that
    /// arrives while the hook is still running (a publisher that recurses); hence `Fn`, not
    /// `FnMut`: keep state in atomics or a mutex. Use the `subscriber` argument instead of
    /// capturing a clone, which would keep the record alive through itself (and a
    /// [`tracked_clone`](Self::tracked_clone) from ever being dropped).
    ///
    /// ```
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
    /// use reactive_core::Publisher;
    /// use reactive_tck::TestSubscriber;
    ///
    /// // One item at a time, each requested from inside on_next; cancel after the third.
    /// let ts = TestSubscriber::with_request(1).with_on_next_hook(|ts, n| {
    ///     if n < 3 {
    ///         ts.request(1);
    ///     } else {
    ///         ts.cancel();
    ///     }
    /// });
    /// vec_publisher((1..=10).collect()).subscribe(ts.clone());
    /// assert_eq!(ts.values(), [1, 2, 3]);
    /// assert!(ts.is_cancelled());
    /// assert!(ts.violations().is_empty());
    /// ```
    pub fn with_on_next_hook<F>(self, hook: F) -> Self
    where
        F: Fn(&TestSubscriber<T>, u64) + Send + Sync + 'static,
    {
        self.shared.record.lock().hook = Some(Arc::new(hook));
        self
    }

    /// A clone whose drop can be watched: subscribe with it, keep `self`, and
    /// [`is_dropped`](Self::is_dropped) says whether the publisher has dropped it and every
    /// copy of it (rule 3.13: after a terminal signal or `cancel`, a publisher must drop its
    /// references to the subscriber).
    ///
    /// Only the last tracked clone is watched: calling this again starts watching the new one.
    ///
    /// From then on the record keeps the subscription it receives for as long as the record
    /// lives, even after a terminal signal or [`cancel`](Self::cancel). The publisher's state
    /// therefore stays alive, and `is_dropped` turns `true` only if the publisher let go of
    /// the subscriber itself, not merely because the last reference to its state went away.
    /// (If it never lets go, the subscription and the subscriber keep each other alive until
    /// the test ends: the price of catching the bug.)
    ///
    /// ```
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
    /// use reactive_core::Publisher;
    /// use reactive_tck::TestSubscriber;
    ///
    /// let ts = TestSubscriber::with_request(1);
    /// vec_publisher(vec![1, 2, 3]).subscribe(ts.tracked_clone());
    /// assert!(!ts.is_dropped()); // the stream is open: the publisher holds the subscriber
    /// ts.cancel();
    /// assert!(ts.is_dropped());
    /// ```
    pub fn tracked_clone(&self) -> Self {
        let token = Arc::new(());
        let mut record = self.shared.record.lock();
        record.tracked = Some(Arc::downgrade(&token));
        if record.retained.is_none() {
            record.retained = record.subscription.clone();
        }
        drop(record);
        TestSubscriber {
            shared: Arc::clone(&self.shared),
            token: Some(token),
        }
    }

    /// Whether the last [`tracked_clone`](Self::tracked_clone), and every copy of it, has been
    /// dropped.
    ///
    /// # Panics
    ///
    /// If no tracked clone was ever made: there is nothing to watch, and answering `false`
    /// would let `assert!(!ts.is_dropped())` pass for the wrong reason.
    ///
    /// ```
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
    /// use reactive_core::Publisher;
    /// use reactive_tck::TestSubscriber;
    ///
    /// let ts = TestSubscriber::new();
    /// vec_publisher(vec![1, 2]).subscribe(ts.tracked_clone());
    /// assert!(ts.is_complete());
    /// assert!(ts.is_dropped()); // dropped after on_complete
    /// ```
    pub fn is_dropped(&self) -> bool {
        match &self.shared.record.lock().tracked {
            Some(token) => token.strong_count() == 0,
            None => panic!("is_dropped: no tracked_clone to watch; subscribe with one"),
        }
    }

    /// Whether `on_subscribe` has been received.
    ///
    /// ```
    /// use reactive_core::{support::empty_subscription, Subscriber};
    /// use reactive_tck::TestSubscriber;
    ///
    /// let mut ts = TestSubscriber::<u8>::new();
    /// assert!(!ts.is_subscribed());
    /// ts.on_subscribe(empty_subscription());
    /// assert!(ts.is_subscribed());
    /// ```
    pub fn is_subscribed(&self) -> bool {
        self.shared.record.lock().subscribed
    }

    /// Whether [`cancel`](Self::cancel) has been called (and took effect: not after a
    /// terminal signal).
    ///
    /// ```
    /// use reactive_core::{support::empty_subscription, Subscriber};
    /// use reactive_tck::TestSubscriber;
    ///
    /// let mut ts = TestSubscriber::<u8>::new();
    /// ts.on_subscribe(empty_subscription());
    /// ts.cancel();
    /// assert!(ts.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.shared.record.lock().cancelled
    }

    /// The total demand asked for so far: the initial request plus every
    /// [`request`](Self::request) that was made before a terminal signal or cancel, saturating
    /// at [`UNBOUNDED`] (rule 3.17). Rule 1.1 is checked against this number.
    ///
    /// ```
    /// use reactive_core::{support::empty_subscription, Subscriber};
    /// use reactive_tck::TestSubscriber;
    ///
    /// let mut ts = TestSubscriber::<u8>::with_request(2);
    /// ts.on_subscribe(empty_subscription());
    /// ts.request(3);
    /// assert_eq!(ts.requested(), 5);
    /// ts.request(u64::MAX);
    /// assert_eq!(ts.requested(), u64::MAX);
    /// ```
    pub fn requested(&self) -> u64 {
        self.shared.record.lock().requested
    }

    /// The subscription received in `on_subscribe`, while the test subscriber holds it: until
    /// a terminal signal or [`cancel`](Self::cancel).
    ///
    /// For testing the subscription's own rules, for example that `request` and `cancel`
    /// after a cancel do nothing (rules 3.6, 3.7): take it before cancelling and call it
    /// afterwards. Demand requested through it directly is *not* counted for rule 1.1, so an
    /// item it produces is reported as a violation. Holding it keeps the publisher's state
    /// alive, as a [`tracked_clone`](Self::tracked_clone) does anyway.
    ///
    /// ```
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
    /// use reactive_core::Publisher;
    /// use reactive_tck::TestSubscriber;
    ///
    /// let ts = TestSubscriber::with_request(0);
    /// vec_publisher(vec![1, 2, 3]).subscribe(ts.tracked_clone());
    /// let subscription = ts.subscription().unwrap();
    /// ts.cancel();
    /// assert!(ts.subscription().is_none());
    /// subscription.request(2); // after cancel: must do nothing (rule 3.6)
    /// subscription.cancel(); // idempotent (rule 3.7)
    /// drop(subscription);
    /// assert_eq!(ts.value_count(), 0);
    /// assert!(ts.violations().is_empty());
    /// assert!(ts.is_dropped());
    /// ```
    pub fn subscription(&self) -> Option<SubscriptionRef> {
        self.shared.record.lock().subscription.clone()
    }

    /// The most `on_next` calls that were ever running at once: 1 once an item arrived from a
    /// publisher that never re-enters `on_next`, 0 before any item. More than 1 means `on_next`
    /// was called while another `on_next` was still running, which only an
    /// [`on_next` hook](Self::with_on_next_hook) can observe on one thread: a `request` from
    /// the hook that emitted on the same stack (unbounded recursion breaks rule 3.3), or a
    /// call from another thread (rule 1.3).
    ///
    /// ```
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
    /// use reactive_core::Publisher;
    /// use reactive_tck::TestSubscriber;
    ///
    /// // vec_publisher serves a request made inside on_next after on_next returns.
    /// let ts = TestSubscriber::with_request(1).with_on_next_hook(|ts, _| ts.request(1));
    /// vec_publisher((0..100).collect()).subscribe(ts.clone());
    /// assert_eq!(ts.value_count(), 100);
    /// assert_eq!(ts.max_on_next_depth(), 1);
    /// ```
    pub fn max_on_next_depth(&self) -> usize {
        self.shared.record.lock().max_depth
    }

    /// Asks for `n` more items, from the calling thread.
    ///
    /// The demand is counted before the subscription is called, so items that arrive during
    /// the call (synchronous publishers) or right after it (asynchronous ones) are covered.
    /// After a terminal signal or [`cancel`](Self::cancel) it does nothing (rules 2.4, 3.6).
    /// `request(0)` is passed on, for testing rule 3.9.
    ///
    /// ```
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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

    /// Cancels the subscription (or, before `on_subscribe`, the one that will arrive), and
    /// stops holding it. Idempotent: only the first call reaches the subscription; does
    /// nothing after a terminal signal. To call the subscription again after cancelling, keep
    /// its [`subscription`](Self::subscription).
    ///
    /// ```
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
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

    pub(super) fn lock(&self) -> MutexGuard<'_, Record<T>> {
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
            if r.tracked.is_some() {
                r.retained = Some(Arc::clone(&subscription));
            }
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
        let (hook, count) = self.shared.update(|r| {
            r.received += 1;
            r.depth += 1;
            r.max_depth = r.max_depth.max(r.depth);
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
            (r.hook.clone(), k)
        });
        if let Some(hook) = hook {
            hook(self, count);
        }
        self.shared.record.lock().depth -= 1;
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
