//! Terminals: the subscribers at the end of a pipeline.

mod async_subscriber;
mod block_first;
mod block_last;
mod blocking_iter;
mod for_each;
mod for_each_async;
mod inbox;
mod subscribe_with;
mod subscribe_with_demand;

pub(crate) use async_subscriber::subscribe_async;
pub use async_subscriber::{AsyncSubscriber, AsyncTerminal};
pub(crate) use block_first::block_first;
pub(crate) use block_last::block_last;
pub use blocking_iter::{BlockingIter, blocking_subscriber};
pub use for_each::{ForEach, for_each_subscriber};
pub(crate) use for_each_async::for_each_async;
pub use subscribe_with::SubscribeHandle;
pub(crate) use subscribe_with::{Unbounded, callback_subscriber};
pub(crate) use subscribe_with_demand::Batched;
