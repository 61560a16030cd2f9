use std::ops::ControlFlow;

use reactive_core::Error;

use super::last::Latest;
use super::one_value::{Aggregator, Outcome, aggregate_operator};

aggregate_operator!(
    /// The publisher returned by [`PublisherExt::single`](crate::PublisherExt::single).
    Single [] [] {} where [] => P::Item, |this| Only(Latest(None))
);

/// [`Latest`], refusing a second item and an empty stream.
struct Only<T>(Latest<T>);

impl<T: Send + 'static> Aggregator<T> for Only<T> {
    type Output = T;
    /// The one item, and a second one to find out whether there is one.
    const REQUEST: u64 = 2;

    #[inline]
    fn push(&mut self, item: T) -> ControlFlow<Outcome<T>> {
        if self.0.0.is_some() {
            return ControlFlow::Break(Err(Error::too_many_items("single", 1)));
        }
        self.0.push(item)
    }

    fn finish(self) -> Outcome<T> {
        match self.0.finish() {
            Ok(None) => Err(Error::no_item("single", "an item")),
            outcome => outcome,
        }
    }
}
