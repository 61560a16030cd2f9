//! Backpressure-aware sources, operators and terminals built on [`reactive_core`].
//!
//! Start a pipeline with a source from [`source`] (re-exported here), chain operators with the
//! methods of [`PublisherExt`], and end it with a terminal such as
//! [`subscribe_with`](PublisherExt::subscribe_with) or your own [`Subscriber`](reactive_core::Subscriber).
//!
//! ```
//! use reactive_operators::{range, PublisherExt};
//! use std::sync::{Arc, Mutex};
//!
//! let total = Arc::new(Mutex::new(0u64));
//! let acc = total.clone();
//! range(0u64..1_000)
//!     .map(|v| v * 3)
//!     .filter(|v| v % 2 == 0)
//!     .subscribe_with(move |v| *acc.lock().unwrap() += v, |_| {}, || {});
//! assert_eq!(*total.lock().unwrap(), (0..1_000u64).map(|v| v * 3).filter(|v| v % 2 == 0).sum());
//! ```
//!
//! From async Rust, [`from_stream`] and [`from_future`] start a pipeline (polling only under
//! demand), and [`subscribe_async`](PublisherExt::subscribe_async) (with an
//! [`AsyncSubscriber`]) and [`for_each_async`](PublisherExt::for_each_async) end one in a
//! future, or [`into_stream`](PublisherExt::into_stream) reads it as a `Stream`. On a plain
//! thread, [`for_each`](PublisherExt::for_each), [`blocking_iter`](PublisherExt::blocking_iter),
//! [`block_first`](PublisherExt::block_first) and [`block_last`](PublisherExt::block_last)
//! consume it, the calling thread waiting while the buffer is empty.
//!
//! Every operator documents what it requests upstream and how much it may buffer; no operator
//! buffers without bound unless its name says so. A synchronous chain like the one above
//! monomorphizes into one loop: no allocation, no dynamic call and no atomic read-modify-write
//! per item (one plain load of the cancel state).

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod bridge;
mod ext;
pub mod ops;
pub mod source;
pub mod terminal;

/// The attribute for implementing [`AsyncSubscriber`] (re-exported from the `async-trait`
/// crate, so that implementations need no dependency of their own).
pub use async_trait::async_trait;
pub use bridge::{from_future, from_stream};
/// The 75% rule every queueing stage follows: of a prefetch of `prefetch` items, ask upstream
/// for more once this many were consumed, and for exactly this many (never 0: a prefetch of 1
/// replenishes 1 at a time).
pub(crate) fn replenish_limit(prefetch: usize) -> usize {
    prefetch - prefetch / 4
}

// Free functions of sequential combining.
pub use ops::{concat, concat_delay_error};
// (end of sequential combining functions)
// Free functions of merging.
pub use ops::{merge, merge_delay_error};
// (end of merging functions)
// Free functions of joining.
pub use ops::combine_latest::combine_latest;
pub use ops::zip::{zip, zip_all};
// (end of joining functions)
// Free functions of windows and groups.
// (end of windows and groups functions)
pub use ext::PublisherExt;
pub use source::{
    defer, empty, error, from_iter, from_iter_once, generate, just, never, range, repeat, repeat_n,
};
pub use terminal::AsyncSubscriber;

/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

/// Guides from the repository's `docs/` folder, rendered here so that they ship with the
/// crate docs; their code blocks are compiled and run as doc tests.
pub mod guide {
    // The guide shows a loom model with its `#[test]` attributes, as the reader writes it.
    #[allow(clippy::test_attr_in_doctest)]
    #[doc = include_str!("../../docs/writing-an-operator.md")]
    pub mod writing_an_operator {}

    #[doc = include_str!("../../docs/guide.md")]
    pub mod threads_and_async {}
}
