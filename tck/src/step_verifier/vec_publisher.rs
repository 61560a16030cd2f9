// A small, correct synchronous publisher over a `Vec`: the stand-in source of the step
// verifier's unit tests and (through `include!`, so that it stays out of the public API) of its
// doc examples. It names only `std` and `reactive_core` (its demand, `request(0)` and cancel
// come from the pull engine, `reactive_core::source`), and has no inner attributes, so that it
// can be included inside a `mod` block.

use reactive_core::source::{self, Next, Pull};
use reactive_core::{Error, Publisher, Subscriber};

/// Emits clones of `items` one per requested item, then completes, or fails with `error` if
/// one is set. Unicast and cold: every subscriber gets the whole sequence.
pub struct VecPublisher<T> {
    items: Vec<T>,
    error: Option<Error>,
}

/// A publisher of `items` that completes after the last one.
pub fn vec_publisher<T>(items: Vec<T>) -> VecPublisher<T> {
    VecPublisher { items, error: None }
}

/// A publisher of `items` that fails with `error` after the last one.
pub fn vec_publisher_then_error<T>(items: Vec<T>, error: Error) -> VecPublisher<T> {
    VecPublisher {
        items,
        error: Some(error),
    }
}

/// The cursor of one subscription: the pull engine supplies demand, `request(0)` and cancel.
struct VecCursor<T> {
    items: std::vec::IntoIter<T>,
    error: Option<Error>,
}

impl<T: Send + 'static> Pull for VecCursor<T> {
    type Item = T;

    fn next(&mut self) -> Next<T> {
        match self.items.next() {
            Some(item) => Next::Item(item),
            None => Next::End(self.error.clone().map_or(Ok(()), Err)),
        }
    }

    fn end(&mut self) -> Option<Result<(), Error>> {
        (self.items.len() == 0).then(|| self.error.clone().map_or(Ok(()), Err))
    }
}

impl<T: Clone + Send + 'static> Publisher for VecPublisher<T> {
    type Item = T;
    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<T> + 'static,
    {
        let cursor = VecCursor {
            items: self.items.clone().into_iter(),
            error: self.error.clone(),
        };
        source::subscribe(cursor, subscriber);
    }
}
