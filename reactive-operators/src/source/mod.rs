//! Publishers that start a pipeline.
//!
//! | source | emits | Reactor / RxJava |
//! |---|---|---|
//! | [`range`] | the integers of `a..b` or `a..=b` | `Flux.range` / `Flowable.range` |
//! | [`from_iter`] | the items of a `Clone` iterable | `Flux.fromIterable` / `Flowable.fromIterable` |
//! | [`just`] | one item | `Flux.just` / `Flowable.just` |
//! | [`empty`] | nothing, completes | `Flux.empty` / `Flowable.empty` |
//! | [`error`](fn@error) | nothing, fails | `Flux.error` / `Flowable.error` |
//! | [`never`](fn@never) | nothing, stays open | `Flux.never` / `Flowable.never` |
//!
//! All of them are cold (each subscriber gets its own run), emit exactly what is requested,
//! and pass the Reactive Streams TCK. Each is a small cursor on the pull engine of
//! [`reactive_core::source`], which a source of your own (a file, a database cursor, a
//! channel) can use in the same way.

mod empty;
mod error;
mod from_iter;
mod just;
mod never;
mod range;

pub use empty::{Empty, empty};
pub use error::{ErrorSource, error};
pub use from_iter::{FromIter, from_iter};
pub use just::{Just, just};
pub use never::{Never, never};
pub use range::{IntoRange, Range, RangeInt, range};
