//! A proxy for the blackbox subscriber verifications of terminals that request from a thread
//! or task of their own: it holds the TCK's next signal until the terminal has requested what
//! its replenishment rule says it must have requested by then.
//!
//! The TCK's test publisher treats any request it receives after it *started* sending a
//! terminal signal as a rule 2.4 failure. A terminal that asks for more from its own thread or
//! task, after it took an item, can always lose that race against the TCK's `on_complete` (a
//! replacement request racing it failed spec201 1 run in 30 for the async terminals), so the
//! runs would fail at random. Waiting in `on_next` orders each request before the TCK's next
//! signal, and checks the rule as it goes: a terminal that does not keep it hangs here, and
//! the TCK's watchdog fails the test.

use std::sync::{Arc, Condvar, Mutex};

use reactive_core::{BoxSubscriber, Error, Subscriber, Subscription, SubscriptionRef};

/// What the terminal must have requested in total once `items` items reached it, given its
/// first request `initial`.
pub(crate) type Rule = fn(initial: u64, items: u64) -> u64;

/// One more for each item: `subscribe_async`, `for_each_async`.
pub(crate) fn one_per_item(initial: u64, items: u64) -> u64 {
    initial + items
}

/// The 75% rule: `limit = initial - initial / 4` more each time `limit` items were taken
/// (`into_stream`, `blocking_iter`, `for_each`, which ask from their next poll after the
/// `limit`-th item, whether or not another has arrived).
pub(crate) fn three_quarters(initial: u64, items: u64) -> u64 {
    match initial - initial / 4 {
        0 => initial,
        limit => initial + items / limit * limit,
    }
}

/// What the subscriber under test has requested, in total.
#[derive(Default)]
struct Requested {
    total: Mutex<u64>,
    changed: Condvar,
}

/// Counts the requests made through it.
struct Counting {
    upstream: SubscriptionRef,
    requested: Arc<Requested>,
}

impl Subscription for Counting {
    fn request(&self, n: u64) {
        self.upstream.request(n);
        *self.requested.total.lock().unwrap() += n;
        self.requested.changed.notify_all();
    }

    fn cancel(&self) {
        self.upstream.cancel();
    }
}

/// The subscriber the TCK gets: forwards every signal to the subscriber under test, and
/// returns from `on_next` only once that subscriber has requested what `rule` says.
pub(crate) struct Lockstep {
    inner: BoxSubscriber<u64>,
    rule: Rule,
    requested: Arc<Requested>,
    /// The first request (the terminal's prefetch) and the items seen since.
    initial: Option<u64>,
    items: u64,
}

impl Lockstep {
    pub(crate) fn new(inner: BoxSubscriber<u64>, rule: Rule) -> Self {
        Lockstep {
            inner,
            rule,
            requested: Arc::default(),
            initial: None,
            items: 0,
        }
    }
}

impl Subscriber<u64> for Lockstep {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        let before = *self.requested.total.lock().unwrap();
        self.inner.on_subscribe(Arc::new(Counting {
            upstream: subscription,
            requested: self.requested.clone(),
        }));
        if self.initial.is_none() {
            let after = *self.requested.total.lock().unwrap();
            self.initial = Some(after - before);
        }
    }

    fn on_next(&mut self, item: u64) {
        self.inner.on_next(item);
        self.items += 1;
        let wanted = (self.rule)(self.initial.unwrap_or(0), self.items);
        let mut total = self.requested.total.lock().unwrap();
        while *total < wanted {
            total = self.requested.changed.wait(total).unwrap();
        }
    }

    fn on_error(&mut self, error: Error) {
        self.inner.on_error(error);
    }

    fn on_complete(&mut self) {
        self.inner.on_complete();
    }
}
