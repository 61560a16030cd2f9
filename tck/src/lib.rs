//! The Reactive Streams TCK for Rust, and the test utilities every operator test uses.
//!
//! * [`StepVerifier`]: script what a subscriber requests and expects, then verify it.

#![warn(missing_docs)]

mod step_verifier;

pub use step_verifier::{StepVerifier, VerifyError};
