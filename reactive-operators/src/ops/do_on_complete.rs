use super::peek::{Hooks, peek_operator};

peek_operator!(
    /// The publisher returned by
    /// [`PublisherExt::do_on_complete`](crate::PublisherExt::do_on_complete).
    DoOnComplete,
    SeeCompletion,
    FnMut() + Send + 'static
);

struct SeeCompletion<F>(F);

impl<T, F: FnMut() + Send> Hooks<T> for SeeCompletion<F> {
    fn on_complete(&mut self) {
        (self.0)();
    }
}
