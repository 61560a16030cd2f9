//! Bridges between pipelines and futures/tokio.
//!
//! [`from_stream`] and [`from_future`] start a pipeline from async Rust: a
//! `futures_core::Stream` or a `Future`, polled only under demand.

mod from_future;
mod from_stream;

pub use from_future::{FromFuture, from_future};
pub use from_stream::{FromStream, from_stream};
