//! Operators: the publishers that [`PublisherExt`](crate::PublisherExt) methods return.

mod filter;
mod map;

pub use filter::Filter;
pub use map::Map;
