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
//! * [`source`]: the pull engine: write a synchronous source as a cursor, and get demand, the
//!   drain loop, rule 3.9 and cancellation from it.
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
//! A source describes what it emits as a cursor ([`source::Pull`]); the pull engine
//! ([`source::subscribe`]) supplies demand, the drain loop, `request(0)` (rule 3.9),
//! cancellation and rule 3.13.
//!
//! ```
//! use reactive_core::source::{self, Next, Pull};
//! use reactive_core::{Error, Publisher, Subscriber};
//!
//! /// Emits its value once, when asked, then completes.
//! struct One(u32);
//!
//! /// The cursor: the value, until it is sent.
//! struct Once(Option<u32>);
//!
//! impl Pull for Once {
//!     type Item = u32;
//!     fn next(&mut self) -> Next<u32> {
//!         self.0.take().map_or(Next::End(Ok(())), Next::Item)
//!     }
//!     fn end(&mut self) -> Option<Result<(), Error>> {
//!         self.0.is_none().then_some(Ok(())) // complete right after the item
//!     }
//! }
//!
//! impl Publisher for One {
//!     type Item = u32;
//!     fn subscribe<S: Subscriber<u32> + 'static>(&self, subscriber: S) {
//!         source::subscribe(Once(Some(self.0)), subscriber);
//!     }
//! }
//! # use std::sync::{Arc, Mutex};
//! # use reactive_core::{ErrorKind, SubscriptionRef};
//! # struct Probe(u64, Arc<Mutex<Vec<String>>>);
//! # impl Subscriber<u32> for Probe {
//! #     fn on_subscribe(&mut self, s: SubscriptionRef) { s.request(self.0) }
//! #     fn on_next(&mut self, v: u32) { self.1.lock().unwrap().push(v.to_string()) }
//! #     fn on_error(&mut self, e: Error) { assert_eq!(e.kind(), ErrorKind::InvalidRequest); self.1.lock().unwrap().push("3.9".into()) }
//! #     fn on_complete(&mut self) { self.1.lock().unwrap().push("done".into()) }
//! # }
//! # for (n, expected) in [(1, vec!["7", "done"]), (0, vec!["3.9"])] {
//! #     let seen = Arc::new(Mutex::new(Vec::new()));
//! #     One(7).subscribe(Probe(n, seen.clone()));
//! #     assert_eq!(*seen.lock().unwrap(), expected);
//! # }
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
pub mod source;
pub mod spec;
pub mod support;
pub mod testing;
// Kept with the shim it re-exports, so that one folder names every atomic, cell and lock.
#[path = "loom/sync.rs"]
pub mod sync;

// Crate-private: its `pub` names are reached through `sync` (and each build uses a subset).
#[allow(dead_code, unused_imports, missing_docs, unreachable_pub)]
mod loom;

pub use error::{Error, ErrorKind};
pub use spec::{
    BoxPublisher, BoxSubscriber, DynPublisher, Processor, Publisher, Subscriber, Subscription,
    SubscriptionRef, UNBOUNDED,
};
