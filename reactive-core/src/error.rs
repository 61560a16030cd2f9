//! The one error type that travels through `on_error`.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// What went wrong, in a form code can match on.
///
/// New kinds may be added in minor releases, so matches need a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A subscriber called `request(0)`; rule 3.9 of the specification turns that into
    /// `on_error`.
    InvalidRequest,
    /// An item arrived without demand, or a bounded buffer overflowed.
    Overflow,
    /// An expected signal did not arrive in time.
    Timeout,
    /// An error raised by user code (a fallible closure, a failing source).
    User,
    /// User code panicked on an asynchronous boundary; the payload's message is kept.
    Panic,
    /// The protocol was broken by a participant (for example a signal after a terminal one).
    Protocol,
    /// A resource needed to run the pipeline was not available (for example a disposed worker).
    Rejected,
    /// The stream had fewer or more items than an operator needs (for example `single` on an
    /// empty stream, or `element_at` past the end).
    ItemCount,
}

impl ErrorKind {
    fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidRequest => "invalid request",
            ErrorKind::Overflow => "overflow",
            ErrorKind::Timeout => "timeout",
            ErrorKind::User => "user error",
            ErrorKind::Panic => "panic",
            ErrorKind::Protocol => "protocol violation",
            ErrorKind::Rejected => "rejected",
            ErrorKind::ItemCount => "item count",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

struct Inner {
    kind: ErrorKind,
    message: Cow<'static, str>,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

/// The error signalled through [`Subscriber::on_error`](crate::Subscriber::on_error).
///
/// Cheap to clone (one reference count), because a multicast stage hands the same error to
/// every subscriber. The message is a lowercase fragment that says what happened and with
/// which value, for example `rule 3.9: request(0) is not a positive demand`.
///
/// # Examples
///
/// ```
/// use reactive_core::{Error, ErrorKind};
///
/// let e = Error::invalid_request(0);
/// assert_eq!(e.kind(), ErrorKind::InvalidRequest);
/// assert!(e.to_string().contains("rule 3.9"));
///
/// let io = std::io::Error::new(std::io::ErrorKind::Other, "disk on fire");
/// let e = Error::user(io);
/// assert_eq!(e.kind(), ErrorKind::User);
/// assert!(std::error::Error::source(&e).is_some());
/// ```
#[derive(Clone)]
pub struct Error {
    inner: Arc<Inner>,
}

impl Error {
    /// An error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            inner: Arc::new(Inner {
                kind,
                message: message.into(),
                source: None,
            }),
        }
    }

    /// The error for `request(n)` with a non-positive `n` (rule 3.9).
    pub fn invalid_request(n: u64) -> Self {
        Error::new(
            ErrorKind::InvalidRequest,
            format!("rule 3.9: request({n}) is not a positive demand; request at least 1"),
        )
    }

    /// An item arrived while the subscriber had no outstanding demand.
    pub fn missing_demand(what: &str) -> Self {
        Error::new(
            ErrorKind::Overflow,
            format!("{what}: an item arrived without demand (rule 1.1)"),
        )
    }

    /// A bounded buffer named `which` is full at `capacity` items.
    pub fn buffer_overflow(which: &str, capacity: usize) -> Self {
        Error::new(
            ErrorKind::Overflow,
            format!("{which}: buffer full at {capacity} of {capacity} items"),
        )
    }

    /// The stream ended before `operator` got the item it needs; `what` says which, for
    /// example `Error::no_item("single", "an item")`.
    pub fn no_item(operator: &str, what: &str) -> Self {
        Error::new(
            ErrorKind::ItemCount,
            format!("{operator}: the stream completed without {what}"),
        )
    }

    /// The stream had more items than `operator` allows: `limit` of them.
    pub fn too_many_items(operator: &str, limit: u64) -> Self {
        let plural = if limit == 1 { "" } else { "s" };
        Error::new(
            ErrorKind::ItemCount,
            format!("{operator}: the stream has more than {limit} item{plural}"),
        )
    }

    /// An expected signal did not arrive in time.
    pub fn timeout(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::Timeout, message)
    }

    /// A protocol violation by some participant.
    pub fn protocol(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::Protocol, message)
    }

    /// Wraps an error from user code: kind [`ErrorKind::User`], the error's `Display` as the
    /// message, and the error itself as [`source`](std::error::Error::source), from which
    /// `downcast_ref` gets it back.
    ///
    /// An `Error` passed in is returned unchanged (its kind, message and source are kept), so
    /// a fallible closure returning `Result<_, Error>` goes through the same conversion as
    /// one returning its own error type.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::{Error, ErrorKind};
    ///
    /// let parse = "x".parse::<u32>().unwrap_err();
    /// let e = Error::user(parse.clone());
    /// assert_eq!(e.kind(), ErrorKind::User);
    /// let back = std::error::Error::source(&e).unwrap();
    /// assert_eq!(back.downcast_ref::<std::num::ParseIntError>(), Some(&parse));
    ///
    /// // An `Error` keeps its kind.
    /// let timeout = Error::timeout("no answer");
    /// assert!(Error::user(timeout.clone()).ptr_eq(&timeout));
    /// ```
    pub fn user<E>(error: E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let mut slot = Some(error);
        if let Some(same) = (&mut slot as &mut dyn std::any::Any).downcast_mut::<Option<Error>>() {
            if let Some(error) = same.take() {
                return error;
            }
        }
        let Some(error) = slot else {
            unreachable!("the slot is emptied only when it held an Error")
        };
        let message = error.to_string();
        Error {
            inner: Arc::new(Inner {
                kind: ErrorKind::User,
                message: message.into(),
                source: Some(Arc::new(error)),
            }),
        }
    }

    /// A user error with only a message.
    pub fn msg(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::User, message)
    }

    /// Turns a panic payload (from `std::panic::catch_unwind`) into an error.
    pub fn panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let text = if let Some(s) = payload.downcast_ref::<&'static str>() {
            (*s).to_owned()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "non-string panic payload".to_owned()
        };
        Error::new(ErrorKind::Panic, format!("user code panicked: {text}"))
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message, without the kind.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Whether two handles share the same underlying error (a multicast stage hands out the
    /// same one to every subscriber).
    pub fn ptr_eq(&self, other: &Error) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("message", &self.inner.message)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.inner.kind, self.inner.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_request_names_rule_and_value() {
        let e = Error::invalid_request(0);
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert_eq!(
            e.to_string(),
            "invalid request: rule 3.9: request(0) is not a positive demand; request at least 1"
        );
    }

    #[test]
    fn overflow_says_which_and_how_full() {
        let e = Error::buffer_overflow("on_backpressure_buffer", 16);
        assert_eq!(e.kind(), ErrorKind::Overflow);
        assert!(e.message().contains("on_backpressure_buffer"));
        assert!(e.message().contains("16 of 16"));
    }

    #[test]
    fn item_count_errors_name_the_operator_and_the_count() {
        let e = Error::no_item("single", "an item");
        assert_eq!(e.kind(), ErrorKind::ItemCount);
        assert_eq!(e.message(), "single: the stream completed without an item");
        let e = Error::too_many_items("single", 1);
        assert_eq!(e.kind(), ErrorKind::ItemCount);
        assert_eq!(e.message(), "single: the stream has more than 1 item");
        assert!(Error::too_many_items("x", 3).message().ends_with("3 items"));
    }

    #[test]
    fn user_keeps_an_error_unchanged() {
        let e = Error::timeout("late");
        let kept = Error::user(e.clone());
        assert!(kept.ptr_eq(&e));
        assert_eq!(kept.kind(), ErrorKind::Timeout);
        let wrapped = Error::user(std::io::Error::other("disk"));
        assert_eq!(wrapped.kind(), ErrorKind::User);
        assert_eq!(wrapped.message(), "disk");
    }

    #[test]
    fn clones_share_the_error() {
        let e = Error::msg("boom");
        let f = e.clone();
        assert!(e.ptr_eq(&f));
        assert!(!e.ptr_eq(&Error::msg("boom")));
    }

    #[test]
    fn panic_payloads_keep_their_text() {
        let p = std::panic::catch_unwind(|| panic!("bad {}", 7)).unwrap_err();
        let e = Error::panic(p.as_ref());
        assert_eq!(e.kind(), ErrorKind::Panic);
        assert!(e.message().contains("bad 7"));
    }
}
