//! The subscription both asynchronous boundaries (`publish_on`, `subscribe_on`) hand
//! downstream.

use std::sync::Arc;

use reactive_core::Subscription;
use reactive_core::scheduler::ScheduledDrain;
use reactive_core::support::{Demand, SubscriptionSlot};

/// The state a boundary shares between its downstream subscription and its drain: the
/// downstream's demand and the upstream subscription.
pub(crate) trait Sides: Send + Sync + 'static {
    /// The downstream's demand: requests add to it, `cancel` and `request(0)` end it.
    fn demand(&self) -> &Demand;
    /// The upstream subscription.
    fn upstream(&self) -> &SubscriptionSlot;
}

/// The subscription a boundary hands downstream: it records each request or cancel in the
/// shared [`Sides`] and signals the drain, whose pass on the worker acts on it.
///
/// A `cancel` also reaches the upstream at once, on the cancelling thread: the upstream stops
/// as soon as it can (for `subscribe_on`, a synchronous upstream may be emitting on the worker
/// inside a forwarded request, and only a cancel from outside can stop it), and the pass then
/// drops what the boundary holds and disposes the worker (rule 3.13).
pub(crate) struct BoundarySubscription<S, T: Send + 'static> {
    pub(crate) shared: Arc<S>,
    pub(crate) drain: ScheduledDrain<T>,
}

impl<S: Sides, T: Send + 'static> Subscription for BoundarySubscription<S, T> {
    fn request(&self, n: u64) {
        // `add(0)` records a `request(0)` (rule 3.9), which the pass reports or forwards;
        // refused once cancelled (rule 3.6).
        if self.shared.demand().add(n).is_some() {
            self.drain.signal();
        }
    }

    fn cancel(&self) {
        if self.shared.demand().cancel() {
            self.shared.upstream().cancel();
            self.drain.signal();
        }
    }
}
