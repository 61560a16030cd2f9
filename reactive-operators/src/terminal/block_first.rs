use reactive_core::{Error, Publisher};

use super::blocking_iter::named_blocking_subscriber;

/// Subscribes, requests 1, blocks for the first signal, and cancels after the first item.
pub(crate) fn block_first<P>(publisher: &P) -> Result<Option<P::Item>, Error>
where
    P: Publisher + ?Sized,
    P::Item: Send + 'static,
{
    let (subscriber, mut items) = named_blocking_subscriber(1, "block_first");
    publisher.subscribe(subscriber);
    // Dropping `items` cancels, unless the stream already ended.
    items.next().transpose()
}
