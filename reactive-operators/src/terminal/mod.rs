//! Terminals: the subscribers at the end of a pipeline.

mod subscribe_with;

pub(crate) use subscribe_with::callback_subscriber;
pub use subscribe_with::SubscribeHandle;
