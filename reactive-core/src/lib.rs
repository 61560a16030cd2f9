//! The Reactive Streams contract for Rust, and the toolkit for writing publishers and operators.
//!
//! A [`Publisher`] produces items for the [`Subscriber`]s that attach to it. Each attachment is
//! a [`Subscription`], through which the subscriber says how many items it can take
//! ([`request(n)`](Subscription::request)) or that it wants no more
//! ([`cancel`](Subscription::cancel)). A publisher never sends more items than were requested,
//! so a fast producer cannot overwhelm a slow consumer and no stage needs an unbounded buffer.
//!
//! ```text
//! subscribe(s) ──► on_subscribe(subscription)
//!                  request(n) ◄── subscriber asks for n
//!                  on_next(item) × at most n
//!                  request(m) ◄── asks again, from any thread, even inside on_next
//!                  ...
//!                  on_complete() | on_error(e)   (at most one, then nothing)
//! ```
//!
//! # The contract
//!
//! The traits in [`spec`] list, for each role, the rules of the Reactive Streams specification
//! (1.0.4) an implementation must keep. The most important ones:
//!
//! * **Demand** (1.1, 3.8, 3.17): the number of `on_next` calls never exceeds the total
//!   requested. Demand is a `u64`; sums saturate at [`UNBOUNDED`] (`u64::MAX`), which means
//!   "no limit" and stays so.
//! * **`request(0)`** (3.9): is an error, reported through `on_error` with
//!   [`ErrorKind::InvalidRequest`], whose message names the rule. Negative requests cannot be
//!   written, and neither can null items or subscribers (1.9, 2.13): the type system enforces
//!   those rules.
//! * **Serial signals** (1.3): a subscriber's methods take `&mut self`; a publisher must never
//!   call them concurrently.
//! * **Bounded recursion** (3.3): `request` called from inside `on_next` must not call
//!   `on_next` again on the same stack. [`support::WipCell`] and [`support::Demand`] make that
//!   the default.
//! * **Cancellation** (3.5, 3.12, 3.13): idempotent, from any thread; signals stop eventually
//!   and the publisher drops its reference to the subscriber.
//!
//! # The toolkit
//!
//! * [`support`]: demand arithmetic ([`support::Demand`]), the work-in-progress drain loop
//!   ([`support::WipCell`]), the set-once upstream holder ([`support::SubscriptionSlot`]), the
//!   upstream switcher ([`support::SubscriptionArbiter`]) and no-op subscriptions.
//! * [`queue`]: the bounded single-producer single-consumer ring behind asynchronous
//!   boundaries.
//! * [`scheduler`]: where asynchronous work runs: immediately, on a dedicated thread, on a
//!   fixed pool, or on a tokio runtime (feature `tokio`); and [`scheduler::ScheduledDrain`],
//!   the drain loop run on a worker, which asynchronous boundaries are built on.
//! * [`sync`]: the atomics, `Arc`, `Mutex`, `UnsafeCell` and threads that switch to loom under
//!   `--cfg reactive_loom`, so your own operators can be model-checked together with the
//!   toolkit.
//!
//! # Example: a publisher of one number
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef};
//! use reactive_core::support::{Demand, WipCell};
//!
//! /// Emits its value once, when asked, then completes.
//! struct One(u32);
//!
//! struct State<S> {
//!     subscriber: Option<S>, // dropped when done or cancelled (rule 3.13)
//!     handle: Option<SubscriptionRef>, // handed over on the first drain
//! }
//!
//! struct OneSubscription<S> {
//!     value: u32,
//!     demand: Demand,
//!     zero_requested: Mutex<bool>, // set by request(0) on any thread
//!     state: WipCell<State<S>>,
//! }
//!
//! impl<S: Subscriber<u32>> OneSubscription<S> {
//!     /// Every signal ends here; only one thread at a time gets past `drain`.
//!     fn drain(&self) {
//!         self.state.drain(|st| {
//!             let Some(s) = st.subscriber.as_mut() else { return };
//!             if let Some(handle) = st.handle.take() {
//!                 s.on_subscribe(handle); // requests made in here re-run this closure
//!             }
//!             if *self.zero_requested.lock().unwrap() {
//!                 s.on_error(Error::invalid_request(0));
//!                 st.subscriber = None;
//!             } else if self.demand.is_cancelled() {
//!                 st.subscriber = None;
//!             } else if self.demand.get() > 0 {
//!                 s.on_next(self.value);
//!                 s.on_complete();
//!                 st.subscriber = None;
//!             }
//!         });
//!     }
//! }
//!
//! impl<S: Subscriber<u32>> Subscription for OneSubscription<S> {
//!     fn request(&self, n: u64) {
//!         if n == 0 {
//!             *self.zero_requested.lock().unwrap() = true;
//!         } else {
//!             self.demand.add(n);
//!         }
//!         self.drain();
//!     }
//!     fn cancel(&self) {
//!         self.demand.cancel();
//!         self.drain();
//!     }
//! }
//!
//! impl Publisher for One {
//!      type Item = u32;
//!     fn subscribe<S: Subscriber<u32> + 'static>(&self, subscriber: S) {
//!         let sub = Arc::new(OneSubscription {
//!             value: self.0,
//!             demand: Demand::new(),
//!             zero_requested: Mutex::new(false),
//!             state: WipCell::new(State { subscriber: Some(subscriber), handle: None }),
//!         });
//!         let handle: SubscriptionRef = sub.clone();
//!         sub.state.drain(|st| st.handle = Some(handle.clone()));
//!         sub.drain();
//!     }
//! }
//! ```
//!
//! Most code does not implement these traits by hand: `reactive-operators` builds pipelines
//! from ready-made sources and operators, and `reactive-tck` verifies implementations against
//! the specification.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

mod error;
pub mod queue;
pub mod scheduler;
pub mod spec;
pub mod support;
pub mod sync;

#[allow(dead_code, unused_imports, missing_docs)]
mod loom;

pub use error::{Error, ErrorKind};
pub use spec::{
    BoxPublisher, BoxSubscriber, DynPublisher, Processor, Publisher, Subscriber, Subscription,
    SubscriptionRef, UNBOUNDED,
};

/// Internal items shared with the other crates of this workspace. Not part of the public API:
/// it may change in any release.
#[doc(hidden)]
pub mod __private {
    /// The whole loom shim, for this workspace's crates; code outside it uses the public
    /// [`sync`](crate::sync) module.
    pub mod loom {
        pub use crate::loom::*;
    }
}
