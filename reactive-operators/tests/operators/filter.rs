use std::sync::Arc;

use parking_lot::Mutex;
use reactive_core::{Publisher, Subscriber, Subscription, UNBOUNDED};
use reactive_operators::{PublisherExt, range};

use reactive_tck::TestSubscriber;

use crate::transforms_support::{logged, logged_plain};

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
    let (source, log) = logged(range(0u64..100));
    let ts = TestSubscriber::<u64>::with_request(3);
    source.filter(|v| v % 10 == 0).subscribe(ts.clone());
    assert_eq!(ts.values(), vec![0, 10, 20]);
    assert_eq!(
        *log.lock(),
        vec![3],
        "filter asked upstream for more than the downstream did"
    );
}

#[test]
fn rejected_items_are_replaced_with_request_one_on_the_plain_path() {
    let (source, log) = logged_plain(range(0u64..100));
    let ts = TestSubscriber::<u64>::with_request(2);
    source.filter(|v| v % 4 == 0).subscribe(ts.clone());
    assert_eq!(ts.values(), vec![0, 4]);
    assert!(ts.violations().is_empty(), "{ts:?}");
    // 2 requested, 1..=3 rejected (3 x request(1)), 4 accepted.
    assert_eq!(*log.lock(), vec![2, 1, 1, 1]);
}

#[test]
fn map_then_filter_keeps_the_conditional_path() {
    let (source, log) = logged(range(0u64..100));
    let ts = TestSubscriber::<u64>::with_request(2);
    source
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
        let first = reactive_core::support::empty_subscription();
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
