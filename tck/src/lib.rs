//! The Reactive Streams TCK for Rust, and the test utilities every operator test uses.
//!
//! * [`StepVerifier`]: script what a subscriber requests and expects, then verify it.
//! * The TCK: a port of the Reactive Streams Technology Compatibility Kit (1.0.4). Four
//!   verifications check an implementation against the specification's rules, test by test,
//!   under the JVM TCK's test names in snake_case:
//!
//! | verification | you implement | tests | run as `#[test]`s | run as a report |
//! |---|---|---|---|---|
//! | publisher | [`PublisherVerification`] | 40 | [`publisher_verification!`] | [`run_publisher_verification`] |
//! | subscriber, whitebox | [`SubscriberWhiteboxVerification`] | 27 | [`subscriber_whitebox_verification!`] | [`run_subscriber_whitebox_verification`] |
//! | subscriber, blackbox | [`SubscriberBlackboxVerification`] | 26 | [`subscriber_blackbox_verification!`] | [`run_subscriber_blackbox_verification`] |
//! | identity processor | [`IdentityProcessorVerification`] | 71 | [`identity_processor_verification!`] | [`run_identity_processor_verification`] |
//!
//! Every test ends in [`Outcome::Passed`], [`Outcome::Failed`], [`Outcome::OptionalFailed`] or
//! [`Outcome::Skipped`], each failure and skip with its reason; a failure's reason lists every
//! failure the test recorded. `required_` tests check MUST rules; a failing `optional_` test
//! ends in `OptionalFailed` (except `optional_spec104_must_signal_on_error_when_fails`, which
//! checks the failed publisher you provided and fails); `stochastic_` tests repeat a check many
//! times; `untested_` tests are always skipped. Rules that Rust's types enforce (null
//! arguments, 1.9 and 2.13; negative demand, 3.9) have tests that pass with a note saying so.
//! The `run_*_with` functions take [`RunOptions`], for example a deadline for each test.
//!
//! The [TCK guide](guide::tck) walks through every verification; [writing a
//! source](guide::writing_a_source) builds two sources on `reactive_core::source` and verifies them.
//!
//! # Example
//!
//! ```
//! use reactive_tck::{HelperPublisher, PublisherVerification, TestEnvironment, EnvError};
//!
//! /// The TCK's own helper publisher, verified by the TCK.
//! struct HelperTck;
//!
//! impl PublisherVerification for HelperTck {
//!     type Item = u64;
//!     type Publisher = HelperPublisher<u64>;
//!
//!     fn create_publisher(&self, elements: u64) -> HelperPublisher<u64> {
//!         HelperPublisher::new(elements, |i| i)
//!     }
//!
//!     fn environment(&self) -> Result<TestEnvironment, EnvError> {
//!         Ok(TestEnvironment::with_timeouts(1000).no_signals_timeout_millis(20).poll_timeout_millis(10))
//!     }
//! }
//!
//! let result = reactive_tck::run_publisher_test(
//!     &HelperTck,
//!     "required_spec102_may_signal_less_than_requested_and_terminate_subscription",
//! );
//! assert!(result.passed(), "{result:?}");
//! ```
//!
//! In a test file, `reactive_tck::publisher_verification!(HelperTck);` expands into one
//! `#[test]` per TCK test.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod harness;
mod reference;
mod runner;
#[cfg(test)]
mod selftest;
mod step_verifier;
mod verification;

pub use reference::lockstep::LockstepProcessor;
pub use step_verifier::{StepVerifier, TestSubscriber, VerifyError, VerifyErrorKind};

pub use reference::helper::{
    ElementFn, HelperPublisher, spawn as spawn_on_helper_pool, spawn_after,
};
pub use runner::env::{
    AsyncError, DEFAULT_NO_SIGNALS_TIMEOUT_MILLIS_ENV, DEFAULT_POLL_TIMEOUT_MILLIS_ENV,
    DEFAULT_PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS, DEFAULT_TIMEOUT_MILLIS,
    DEFAULT_TIMEOUT_MILLIS_ENV, EnvError, PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS_ENV,
    TEST_BUFFER_SIZE, TestEnvironment,
};
pub use runner::outcome::{
    DEFAULT_WATCHDOG_MILLIS, Kind, Outcome, Report, Stop, TestResult, WATCHDOG_MILLIS_ENV,
    report_as_test,
};
pub use runner::{NOT_VERIFIED, RunOptions};
pub use verification::processor::{
    IdentityProcessorVerification, identity_processor_test_names, run_identity_processor_test,
    run_identity_processor_test_with, run_identity_processor_verification,
    run_identity_processor_verification_with,
};
pub use verification::publisher::{
    PUBLISHER_UNABLE_TO_SIGNAL_ON_COMPLETE, PublisherVerification,
    SKIPPING_NO_ERROR_PUBLISHER_AVAILABLE, publisher_test_names, run_publisher_test,
    run_publisher_test_with, run_publisher_verification, run_publisher_verification_with,
};
pub use verification::subscriber::{
    SubscriberBlackboxVerification, SubscriberPuppet, SubscriberWhiteboxVerification,
    WhiteboxProbe, run_subscriber_blackbox_test, run_subscriber_blackbox_test_with,
    run_subscriber_blackbox_verification, run_subscriber_blackbox_verification_with,
    run_subscriber_whitebox_test, run_subscriber_whitebox_test_with,
    run_subscriber_whitebox_verification, run_subscriber_whitebox_verification_with,
    subscriber_blackbox_test_names, subscriber_whitebox_test_names,
};

/// Guides from the repository's `docs/` folder, rendered here so that they ship with the crate
/// docs; their code blocks are compiled and run as doc tests, so they stay correct.
pub mod guide {
    /// Running the TCK against your publishers, subscribers and processors.
    #[doc = include_str!("../../docs/tck.md")]
    pub mod tck {}

    /// Writing a source on `reactive_core::source` and putting it through the TCK.
    #[doc = include_str!("../../docs/writing-a-source.md")]
    pub mod writing_a_source {}
}

/// Items used by the macros; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::runner::outcome::{report_as_test, run_with_watchdog};
}
