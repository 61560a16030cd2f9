//! Helpers shared by the tests of the buffering transforms.

use std::sync::{Arc, Mutex};

use reactive_core::{Publisher, Subscription};
use reactive_tck::harness::ManualPublisher;
use reactive_tck::{TestEnvironment, TestSubscriber};

use crate::support::{assert_clean, manual};

/// A manual upstream, the operator `wrap` builds over it, and a tracked `TestSubscriber`
/// (requesting `initial_request` on subscribe) subscribed to that.
pub(crate) fn over_manual<P, F>(
    initial_request: u64,
    wrap: F,
) -> (
    ManualPublisher<u64>,
    TestEnvironment,
    TestSubscriber<P::Item>,
)
where
    F: FnOnce(ManualPublisher<u64>) -> P,
    P: Publisher,
    P::Item: Send + 'static,
{
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::with_request(initial_request);
    wrap(upstream.clone()).subscribe(ts.tracked_clone());
    (upstream, env, ts)
}

/// A subscription that only records whether it was cancelled.
#[derive(Default)]
pub(crate) struct CancelFlag(Mutex<bool>);

impl Subscription for CancelFlag {
    fn request(&self, _: u64) {}
    fn cancel(&self) {
        *self.0.lock().unwrap() = true;
    }
}

/// The operator `wrap` builds over a manual upstream cancels a second `on_subscribe` (rule
/// 2.5) and does not pass it downstream (rule 1.9/2.12: one `on_subscribe`).
pub(crate) fn a_second_subscription_is_cancelled_by<P, F>(wrap: F)
where
    F: FnOnce(ManualPublisher<u64>) -> P,
    P: Publisher,
    P::Item: Send + Clone + std::fmt::Debug + 'static,
{
    let (upstream, env) = manual::<u64>();
    let ts = TestSubscriber::<P::Item>::with_request(1);
    wrap(upstream.clone()).subscribe(ts.clone());
    let second = Arc::new(CancelFlag::default());
    upstream.with_subscriber("a second on_subscribe", |s| s.on_subscribe(second.clone()));
    assert!(
        *second.0.lock().unwrap(),
        "rule 2.5: the newcomer is cancelled"
    );
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert!(!upstream.is_cancelled(), "the first subscription stays");
    assert_clean(&env);
}
