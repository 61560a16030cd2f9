use reactive_core::{Error, Publisher};

use super::blocking_iter::named_blocking_subscriber;
use super::for_each::BATCH;

/// Subscribes and blocks until the stream ends, keeping only the last item; requests in
/// batches like `for_each`.
pub(crate) fn block_last<P>(publisher: &P) -> Result<Option<P::Item>, Error>
where
    P: Publisher + ?Sized,
    P::Item: Send + 'static,
{
    let (subscriber, items) = named_blocking_subscriber(BATCH, "block_last");
    publisher.subscribe(subscriber);
    let mut last = None;
    for item in items {
        last = Some(item?);
    }
    Ok(last)
}
