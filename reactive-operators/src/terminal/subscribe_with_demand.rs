//! The pacing behind `subscribe_with_demand`: `subscribe_with`'s callback subscriber, asking
//! for items in batches as the callbacks return.

use super::subscribe_with::Pace;

/// Requests `batch` on subscribe, then `limit = batch - batch / 4` each time `limit` more
/// `on_next` callbacks have returned (the 75% rule of every prefetching stage), so at most
/// `batch` items are ever requested and not yet handled.
#[derive(Debug)]
pub(crate) struct Batched {
    batch: u64,
    limit: u64,
    /// Callbacks returned since the last replenishment.
    handled: u64,
}

impl Batched {
    /// # Panics
    ///
    /// If `batch` is 0.
    pub(crate) fn new(batch: usize) -> Self {
        assert!(batch > 0, "subscribe_with_demand: batch must be at least 1");
        Batched {
            batch: batch as u64,
            limit: crate::replenish_limit(batch) as u64,
            handled: 0,
        }
    }
}

impl Pace for Batched {
    fn initial(&self) -> u64 {
        self.batch
    }

    #[inline]
    fn consumed(&mut self) -> u64 {
        self.handled += 1;
        if self.handled == self.limit {
            self.handled = 0;
            self.limit
        } else {
            0
        }
    }
}
