//! Subscriptions that do nothing.

use std::sync::Arc;

use crate::{Subscription, SubscriptionRef};

/// A subscription whose `request` and `cancel` do nothing: for publishers that terminate right
/// after `on_subscribe` (`empty`, `error`) or that never emit (`never`).
#[derive(Debug, Default, Clone, Copy)]
pub struct EmptySubscription;

impl Subscription for EmptySubscription {
    fn request(&self, _n: u64) {}
    fn cancel(&self) {}
}

/// A shared [`EmptySubscription`].
///
/// ```
/// let s = reactive_core::support::empty_subscription();
/// s.request(1);
/// s.cancel();
/// ```
pub fn empty_subscription() -> SubscriptionRef {
    Arc::new(EmptySubscription)
}

/// A subscription that is already cancelled: what an operator hands to a late `on_subscribe`
/// or uses as a placeholder after it cancelled its upstream.
#[derive(Debug, Default, Clone, Copy)]
pub struct CancelledSubscription;

impl Subscription for CancelledSubscription {
    fn request(&self, _n: u64) {}
    fn cancel(&self) {}
}

/// A shared [`CancelledSubscription`].
pub fn cancelled_subscription() -> SubscriptionRef {
    Arc::new(CancelledSubscription)
}
