//! Terminals: the subscribers at the end of a pipeline.

mod async_subscriber;
mod for_each_async;
mod inbox;
mod subscribe_with;
mod subscribe_with_demand;

pub(crate) use async_subscriber::subscribe_async;
pub use async_subscriber::{AsyncSubscriber, AsyncTerminal};
pub(crate) use for_each_async::for_each_async;
pub use subscribe_with::SubscribeHandle;
pub(crate) use subscribe_with::{Unbounded, callback_subscriber};
pub(crate) use subscribe_with_demand::Batched;
