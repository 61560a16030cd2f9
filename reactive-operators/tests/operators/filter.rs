use std::sync::Arc;

use parking_lot::Mutex;
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef, UNBOUNDED};
use reactive_operators::{PublisherExt, range};

use reactive_tck::TestSubscriber;

/// Wraps a publisher and records every `request(n)` its subscriber makes.
struct CountRequests<P> {
    source: P,
    log: Arc<Mutex<Vec<u64>>>,
    /// Deliver with plain `on_next` (hides the conditional path, as a foreign source would).
    plain: bool,
}

struct Logged {
    inner: SubscriptionRef,
    log: Arc<Mutex<Vec<u64>>>,
}

impl Subscription for Logged {
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
        self.downstream.on_subscribe(Arc::new(Logged {
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

impl<T, P: Publisher<Item = T>> Publisher for CountRequests<P> {
    type Item = T;
    fn subscribe<S: Subscriber<T> + 'static>(&self, s: S) {
        self.source.subscribe(Through {
            downstream: s,
            log: self.log.clone(),
            plain: self.plain,
        });
    }
}

#[test]
fn keeps_matching_items_in_order() {
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    range(0u64..20).filter(|v| v % 5 == 0).subscribe(ts.clone());
    assert_eq!(ts.values(), vec![0, 5, 10, 15]);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn rejected_items_cost_no_request_on_the_conditional_path() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let ts = TestSubscriber::<u64>::with_request(3);
    CountRequests {
        source: range(0u64..100),
        log: log.clone(),
        plain: false,
    }
    .filter(|v| v % 10 == 0)
    .subscribe(ts.clone());
    assert_eq!(ts.values(), vec![0, 10, 20]);
    assert_eq!(
        *log.lock(),
        vec![3],
        "filter asked upstream for more than the downstream did"
    );
}

#[test]
fn rejected_items_are_replaced_with_request_one_on_the_plain_path() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let ts = TestSubscriber::<u64>::with_request(2);
    CountRequests {
        source: range(0u64..100),
        log: log.clone(),
        plain: true,
    }
    .filter(|v| v % 4 == 0)
    .subscribe(ts.clone());
    assert_eq!(ts.values(), vec![0, 4]);
    assert!(ts.violations().is_empty(), "{ts:?}");
    // 2 requested, 1..=3 rejected (3 x request(1)), 4 accepted.
    assert_eq!(*log.lock(), vec![2, 1, 1, 1]);
}

#[test]
fn map_then_filter_keeps_the_conditional_path() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let ts = TestSubscriber::<u64>::with_request(2);
    CountRequests {
        source: range(0u64..100),
        log: log.clone(),
        plain: false,
    }
    .map(|v| v * 3)
    .filter(|v| v % 2 == 1)
    .subscribe(ts.clone());
    assert_eq!(ts.values(), vec![3, 9]);
    assert_eq!(*log.lock(), vec![2]);
}

/// A broken publisher that calls `on_subscribe` twice (rules 1.9, 2.12).
struct SubscribesTwice;

impl Publisher for SubscribesTwice {
    type Item = u64;
    fn subscribe<S: Subscriber<u64> + 'static>(&self, mut s: S) {
        let first = Arc::new(Logged {
            inner: reactive_core::support::empty_subscription(),
            log: Arc::new(Mutex::new(Vec::new())),
        });
        let second_log = Arc::new(Mutex::new(Vec::new()));
        let second = Arc::new(CancelLog(second_log.clone()));
        s.on_subscribe(first);
        s.on_subscribe(second);
        assert_eq!(
            *second_log.lock(),
            vec!["cancel"],
            "rule 2.5: the newcomer is cancelled"
        );
    }
}

struct CancelLog(Arc<Mutex<Vec<&'static str>>>);

impl Subscription for CancelLog {
    fn request(&self, _: u64) {
        self.0.lock().push("request");
    }
    fn cancel(&self) {
        self.0.lock().push("cancel");
    }
}

#[test]
fn a_second_subscription_is_cancelled_not_adopted() {
    let ts = TestSubscriber::<u64>::with_request(1);
    SubscribesTwice.filter(|_| true).subscribe(ts.clone());
    assert!(ts.is_subscribed());
    // Passing the second subscription down would be a second on_subscribe (rule 2.12).
    assert!(ts.violations().is_empty(), "{ts:?}");
}
