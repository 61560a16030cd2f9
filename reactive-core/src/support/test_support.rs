//! Test doubles for this crate's own unit tests and loom models.

use std::sync::Arc;

use crate::loom::sync::Mutex;
use crate::{Subscription, SubscriptionRef};

/// A subscription that records what it was asked.
pub(crate) struct Recording {
    requests: Mutex<Vec<u64>>,
    cancels: Mutex<usize>,
}

impl Recording {
    pub(crate) fn start() -> RecordingRef {
        RecordingRef(Arc::new(Recording {
            requests: Mutex::new(Vec::new()),
            cancels: Mutex::new(0),
        }))
    }
}

#[derive(Clone)]
pub(crate) struct RecordingRef(Arc<Recording>);

impl RecordingRef {
    pub(crate) fn requests(&self) -> Vec<u64> {
        self.0.requests.lock().clone()
    }
    pub(crate) fn sub(&self) -> SubscriptionRef {
        self.0.clone()
    }
    pub(crate) fn cancels(&self) -> usize {
        *self.0.cancels.lock()
    }
}

impl Subscription for Recording {
    fn request(&self, n: u64) {
        self.requests.lock().push(n);
    }
    fn cancel(&self) {
        *self.cancels.lock() += 1;
    }
}
