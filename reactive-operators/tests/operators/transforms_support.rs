//! A source wrapper that records what its subscriber requests, delivering on the conditional
//! path or the plain one: for the tests of `filter` and of the transforms and filters.

use std::sync::Arc;

use parking_lot::Mutex;
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef};

/// Wraps a publisher and records every `request(n)` made to it.
pub(crate) struct Logged<P> {
    source: P,
    log: Arc<Mutex<Vec<u64>>>,
    /// Deliver with plain `on_next` (hides the conditional path, as a foreign source would).
    plain: bool,
}

/// `source`, recording its requests, keeping the conditional path; returns the log too.
pub(crate) fn logged<P>(source: P) -> (Logged<P>, Arc<Mutex<Vec<u64>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    (
        Logged {
            source,
            log: log.clone(),
            plain: false,
        },
        log,
    )
}

/// `source`, recording its requests, delivering every item through plain `on_next`.
pub(crate) fn logged_plain<P>(source: P) -> (Logged<P>, Arc<Mutex<Vec<u64>>>) {
    let (mut logged, log) = logged(source);
    logged.plain = true;
    (logged, log)
}

struct LoggedSubscription {
    inner: SubscriptionRef,
    log: Arc<Mutex<Vec<u64>>>,
}

impl Subscription for LoggedSubscription {
    fn request(&self, n: u64) {
        self.log.lock().push(n);
        self.inner.request(n);
    }
    fn cancel(&self) {
        self.inner.cancel();
    }
}

struct Through<S> {
    downstream: S,
    log: Arc<Mutex<Vec<u64>>>,
    plain: bool,
}

impl<T, S: Subscriber<T>> Subscriber<T> for Through<S> {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        self.downstream.on_subscribe(Arc::new(LoggedSubscription {
            inner: s,
            log: self.log.clone(),
        }));
    }
    fn on_next(&mut self, item: T) {
        self.downstream.on_next(item);
    }
    fn try_on_next(&mut self, item: T) -> bool {
        if self.plain {
            self.downstream.on_next(item);
            true
        } else {
            self.downstream.try_on_next(item)
        }
    }
    fn on_error(&mut self, e: Error) {
        self.downstream.on_error(e);
    }
    fn on_complete(&mut self) {
        self.downstream.on_complete();
    }
}

impl<T, P: Publisher<Item = T>> Publisher for Logged<P> {
    type Item = T;
    fn subscribe<S: Subscriber<T> + 'static>(&self, s: S) {
        self.source.subscribe(Through {
            downstream: s,
            log: self.log.clone(),
            plain: self.plain,
        });
    }
}

/// The sum of the logged requests, saturating.
pub(crate) fn total(log: &Mutex<Vec<u64>>) -> u64 {
    log.lock().iter().fold(0u64, |a, b| a.saturating_add(*b))
}
