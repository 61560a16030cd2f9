use super::peek::{Hooks, peek_operator};

peek_operator!(
    /// The publisher returned by [`PublisherExt::inspect`](crate::PublisherExt::inspect).
    Inspect,
    SeeItems,
    FnMut(&P::Item) + Send + 'static
);

struct SeeItems<F>(F);

impl<T, F: FnMut(&T) + Send> Hooks<T> for SeeItems<F> {
    #[inline]
    fn on_next(&mut self, item: &T) {
        (self.0)(item);
    }
}
