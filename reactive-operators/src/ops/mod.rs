//! Operators: the publishers that [`PublisherExt`](crate::PublisherExt) methods return.

mod boundary;
mod filter;
mod map;
mod publish_on;
mod subscribe_on;

// Fallible user code.

// Transforms and filters.

// Buffering transforms.

// Aggregates.

// Side effects and logging.

pub use filter::Filter;
pub use map::Map;
pub use publish_on::PublishOn;
pub use subscribe_on::SubscribeOn;
