//! The toolkit for writing publishers and operators: demand arithmetic, the drain loop,
//! subscription holders and no-op subscriptions.
//!
//! | need | tool |
//! |---|---|
//! | count outstanding demand, elect the emitter, record `request(0)` (rule 3.9), cancel | [`Demand`], [`Requested`], [`add_cap`] |
//! | serialize work arriving from several threads | [`WipCell`] |
//! | count requests made from inside the emitter's own signals without atomics | [`ReentrantRequests`] |
//! | hold an upstream that arrives later, reject a second one | [`SubscriptionSlot`] |
//! | switch upstreams without losing demand | [`SubscriptionArbiter`] |
//! | emit one value once it and the downstream's demand are both there (aggregates) | [`DeferredValue`] |
//! | a subscription for a source that never emits | [`empty_subscription`] |

mod arbiter;
mod deferred;
mod demand;
mod reentrant;
mod slot;
mod subscriptions;
#[cfg(test)]
pub(crate) mod test_support;
mod wip;

pub use arbiter::SubscriptionArbiter;
pub use deferred::DeferredValue;
pub use demand::{Demand, Requested, add_cap};
pub use reentrant::{EmittingGuard, ReentrantRequests};
pub use slot::SubscriptionSlot;
pub use subscriptions::{
    CancelledSubscription, EmptySubscription, cancelled_subscription, empty_subscription,
};
pub use wip::WipCell;
