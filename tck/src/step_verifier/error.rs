//! [`VerifyError`]: why a verification failed.

use super::*;

/// What kind of failure a [`VerifyError`] reports.
///
/// ```
/// # mod doc { include!("vec_publisher.rs"); } use doc::*;
/// use reactive_tck::{StepVerifier, VerifyErrorKind};
///
/// let err = StepVerifier::create(&vec_publisher(vec![1]))
///     .expect_complete()
///     .verify()
///     .unwrap_err();
/// assert_eq!(err.kind(), VerifyErrorKind::Mismatch);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// A different signal or value arrived than the step expected, or a signal arrived that no
    /// step expected.
    Mismatch,
    /// The expected signal did not arrive within the step timeout.
    Timeout,
    /// The publisher broke a rule of the specification (1.1, 1.7, 1.9, 2.12); the message
    /// names it. The failing step is the one that reached the offending signal, or none if
    /// no step did.
    ProtocolViolation,
}

/// Why [`StepVerifier::verify`] failed: the failing step (its 1-based index among the steps
/// added to the verifier, and its description) and what was seen instead.
///
/// Its `Debug` output is its `Display` output, so `verify().unwrap()` fails a test with a
/// readable message, for example:
///
/// ```text
/// step 3 `expect_next(4)`: got on_complete
/// step 1 `expect_next_count(5)`: timed out after 5s waiting for on_next (item 4 of 5); seen
///   so far: on_subscribe, 3 items (requested unbounded), no terminal signal
/// step 3 `expect_next(3)`: protocol violation: rule 1.1: on_next #3 but only 2 requested in
///   total
/// after the last step: protocol violation: rule 1.7: on_next #2 after on_complete
/// after the last step: got on_next(3), which no step expects
/// ```
///
/// ```
/// # mod doc { include!("vec_publisher.rs"); } use doc::*;
/// use reactive_tck::StepVerifier;
///
/// let err = StepVerifier::create(&vec_publisher(vec![1, 2, 3]))
///     .expect_next_values([1, 2, 3])
///     .expect_next(4)
///     .verify()
///     .unwrap_err();
/// assert_eq!(err.to_string(), "step 4 `expect_next(4)`: got on_complete");
/// ```
#[derive(Clone)]
pub struct VerifyError {
    pub(super) kind: VerifyErrorKind,
    pub(super) step: Option<usize>,
    pub(super) description: String,
    pub(super) message: String,
}

impl VerifyError {
    /// What kind of failure this is.
    ///
    /// ```
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::{StepVerifier, VerifyErrorKind};
    /// use std::time::Duration;
    ///
    /// let err = StepVerifier::create(&vec_publisher(vec![1, 2]))
    ///     .initial_request(1)
    ///     .timeout(Duration::from_millis(20))
    ///     .expect_next_values([1, 2])
    ///     .verify()
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), VerifyErrorKind::Timeout);
    /// ```
    pub fn kind(&self) -> VerifyErrorKind {
        self.kind
    }

    /// The 1-based index of the failing step, or `None` if the failure came after the last
    /// step (a signal no step expected, or a protocol violation no step reached).
    ///
    /// ```
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// let err = StepVerifier::create(&vec_publisher(vec![1, 2]))
    ///     .expect_next(1)
    ///     .expect_next(3)
    ///     .verify()
    ///     .unwrap_err();
    /// assert_eq!(err.step(), Some(2));
    /// ```
    pub fn step(&self) -> Option<usize> {
        self.step
    }

    /// The failing step as it was written, for example `` expect_next(4) ``; empty if the
    /// failure came after the last step.
    ///
    /// ```
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// let err = StepVerifier::create(&vec_publisher(vec![1, 2]))
    ///     .expect_next_count(3)
    ///     .verify()
    ///     .unwrap_err();
    /// assert_eq!(err.step_description(), "expect_next_count(3)");
    /// ```
    pub fn step_description(&self) -> &str {
        &self.description
    }

    /// What was seen instead, without the step (the part after the colon in `Display`).
    ///
    /// ```
    /// # mod doc { include!("vec_publisher.rs"); } use doc::*;
    /// use reactive_tck::StepVerifier;
    ///
    /// let err = StepVerifier::create(&vec_publisher(vec![1, 2]))
    ///     .expect_next_count(3)
    ///     .verify()
    ///     .unwrap_err();
    /// assert_eq!(err.message(), "got on_complete after 2 of 3 items");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Some(i) => write!(f, "step {i} `{}`: {}", self.description, self.message),
            None => write!(f, "after the last step: {}", self.message),
        }
    }
}

impl fmt::Debug for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for VerifyError {}
