//! The four verifications: the TCK's tests, rule by rule, for publishers, subscribers
//! (whitebox and blackbox) and identity processors.

pub(crate) mod processor;
pub(crate) mod publisher;
pub(crate) mod subscriber;
