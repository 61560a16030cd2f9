//! Bounded queues for asynchronous boundaries.

mod spsc;

pub use spsc::{Consumer, Producer, spsc};
