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
//! | [`defer`] | the items of the publisher a factory builds for each subscriber | `Flux.defer` / `Flowable.defer` |
//! | [`generate`] | what a state machine's `step` returns, one call per requested item | `Flux.generate` / `Flowable.generate` |
//! | [`from_iter_once`] | the items of an iterator that is not `Clone`, to one subscriber | `Flux.fromStream` / `Flowable.fromStream` (a Java `Stream` is one-shot too) |
//! | [`repeat`](fn@repeat) | clones of a value, forever | `Flux.just(v).repeat()` / `Flowable.just(v).repeat()` |
//! | [`repeat_n`] | a value `n` times | `Flux.just(v).repeat(n - 1)` / `Flowable.just(v).repeat(n)` |
//!
//! All of them are cold (each subscriber gets its own run), emit exactly what is requested,
//! and pass the Reactive Streams TCK. Each is a small cursor on the pull engine of
//! [`reactive_core::source`], which a source of your own (a file, a database cursor, a
//! channel) can use in the same way.

mod defer;
mod empty;
mod error;
mod from_iter;
mod from_iter_once;
mod generate;
mod just;
mod never;
mod range;
mod repeat;
mod repeat_n;

pub use defer::{Defer, defer};
pub use empty::{Empty, empty};
pub use error::{ErrorSource, error};
pub use from_iter::{FromIter, from_iter};
pub use from_iter_once::{FromIterOnce, from_iter_once};
pub use generate::{Generate, generate};
pub use just::{Just, just};
pub use never::{Never, never};
pub use range::{IntoRange, Range, RangeInt, range};
pub use repeat::{Repeat, repeat};
pub use repeat_n::{RepeatN, repeat_n};
