//! Bridges between pipelines and futures/tokio.
//!
//! [`from_stream`] and [`from_future`] start a pipeline from async Rust: a
//! `futures_core::Stream` or a `Future`, polled only under demand.
//! [`PublisherExt::into_stream`](crate::PublisherExt::into_stream) ends one there: the pipeline
//! read as a `futures_core::Stream` ([`IntoStream`]; [`stream_subscriber`] for subscribing its
//! subscriber yourself).

mod from_future;
mod from_stream;
pub(crate) mod into_stream;

pub use from_future::{FromFuture, from_future};
pub use from_stream::{FromStream, from_stream};
pub use into_stream::{IntoStream, StreamSubscriber, stream_subscriber};
