//! Terminals: the subscribers at the end of a pipeline.

mod subscribe_with;

pub use subscribe_with::SubscribeHandle;
pub(crate) use subscribe_with::callback_subscriber;
