//! The error a delay-error operator reports when several of its sources failed.

use std::fmt;

use reactive_core::Error;

/// Several errors, in the order they happened, reported as one by the delay-error operators
/// ([`concat_delay_error`](crate::concat_delay_error) and
/// [`concat_map_delay_error`](crate::PublisherExt::concat_map_delay_error)) when more than one
/// source failed. One failure is reported as it is, never wrapped.
///
/// It reaches the subscriber as an [`Error`] of kind [`User`](reactive_core::ErrorKind::User)
/// whose [`source`](std::error::Error::source) is this value; [`CompositeError::of`] gets
/// it back.
///
/// # Examples
///
/// ```
/// use reactive_core::{Error, ErrorKind};
/// use reactive_operators::ops::CompositeError;
/// use reactive_operators::{concat_delay_error, error, just, PublisherExt};
/// use reactive_tck::StepVerifier;
///
/// let sources = vec![
///     error::<u8>(Error::msg("first")).boxed(),
///     just(1u8).boxed(),
///     error::<u8>(Error::msg("second")).boxed(),
/// ];
/// StepVerifier::create(&concat_delay_error(sources))
///     .expect_next(1)
///     .expect_error_matches(|e| {
///         let all = CompositeError::of(e).expect("two failures are combined");
///         e.kind() == ErrorKind::User
///             && all.errors().iter().map(Error::message).eq(["first", "second"])
///     })
///     .verify()
///     .unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct CompositeError {
    errors: Vec<Error>,
}

impl CompositeError {
    /// The errors, in the order they happened.
    pub fn errors(&self) -> &[Error] {
        &self.errors
    }

    /// The composite inside `error`, if it is one.
    pub fn of(error: &Error) -> Option<&CompositeError> {
        std::error::Error::source(error)?.downcast_ref::<CompositeError>()
    }

    /// `None` for no error, the error itself for one, a composite for several.
    pub(crate) fn combine(mut errors: Vec<Error>) -> Option<Error> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(Error::user(CompositeError { errors })),
        }
    }
}

impl fmt::Display for CompositeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} errors: ", self.errors.len())?;
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CompositeError {}
