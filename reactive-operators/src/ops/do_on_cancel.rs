use std::sync::Arc;

use reactive_core::SubscriptionRef;

use super::do_finally::{CancelHook, Once};
use super::peek::{Hooks, peek_operator};

peek_operator!(
    /// The publisher returned by
    /// [`PublisherExt::do_on_cancel`](crate::PublisherExt::do_on_cancel).
    DoOnCancel,
    SeeCancel,
    Fn() + Send + Sync + 'static
);

struct SeeCancel<F>(F);

impl<T, F: Fn() + Clone + Send + Sync + 'static> Hooks<T> for SeeCancel<F> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) -> SubscriptionRef {
        // The one allocation of this operator: per subscription, never per item.
        Arc::new(CancelHook {
            upstream: subscription,
            once: Arc::new(Once::new(self.0.clone())),
            before: true,
        })
    }
}
