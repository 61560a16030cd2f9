use reactive_core::Error;

use super::peek::{Hooks, peek_operator};

peek_operator!(
    /// The publisher returned by [`PublisherExt::do_on_error`](crate::PublisherExt::do_on_error).
    DoOnError,
    SeeError,
    FnMut(&Error) + Send + 'static
);

struct SeeError<F>(F);

impl<T, F: FnMut(&Error) + Send> Hooks<T> for SeeError<F> {
    fn on_error(&mut self, error: &Error) {
        (self.0)(error);
    }
}
