use std::sync::Arc;

use reactive_core::{Subscription, SubscriptionRef};

use super::peek::{Hooks, peek_operator};

peek_operator!(
    /// The publisher returned by
    /// [`PublisherExt::do_on_request`](crate::PublisherExt::do_on_request).
    DoOnRequest,
    SeeRequests,
    Fn(u64) + Sync + Send + 'static
);

struct SeeRequests<F>(F);

impl<T, F: Fn(u64) + Clone + Send + Sync + 'static> Hooks<T> for SeeRequests<F> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) -> SubscriptionRef {
        // The one allocation of this operator: per subscription, never per item.
        Arc::new(Requests {
            upstream: subscription,
            f: self.0.clone(),
        })
    }
}

/// The subscription handed downstream: `f(n)`, then `request(n)` upstream.
struct Requests<F> {
    upstream: SubscriptionRef,
    f: F,
}

impl<F: Fn(u64) + Send + Sync> Subscription for Requests<F> {
    fn request(&self, n: u64) {
        (self.f)(n);
        self.upstream.request(n);
    }

    fn cancel(&self) {
        self.upstream.cancel();
    }
}
