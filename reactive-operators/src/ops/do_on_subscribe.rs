use reactive_core::SubscriptionRef;

use super::peek::{Hooks, peek_operator};

peek_operator!(
    /// The publisher returned by
    /// [`PublisherExt::do_on_subscribe`](crate::PublisherExt::do_on_subscribe).
    DoOnSubscribe,
    SeeSubscription,
    FnMut(&SubscriptionRef) + Send + 'static
);

struct SeeSubscription<F>(F);

impl<T, F: FnMut(&SubscriptionRef) + Send> Hooks<T> for SeeSubscription<F> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) -> SubscriptionRef {
        (self.0)(&subscription);
        subscription
    }
}
