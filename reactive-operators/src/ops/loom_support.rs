//! What the buffering transforms' loom models share: an upstream the model drives by hand.

use std::sync::Arc;

use reactive_core::sync::Mutex;
use reactive_core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use reactive_core::{Publisher, Subscriber, Subscription};

/// An upstream subscription that adds up what it was asked for and notes a cancel.
#[derive(Default)]
pub(crate) struct Asked {
    pub(crate) requested: AtomicU64,
    pub(crate) cancelled: AtomicBool,
}

impl Subscription for Asked {
    fn request(&self, n: u64) {
        self.requested.fetch_add(n, Ordering::AcqRel);
    }
    fn cancel(&self) {
        self.cancelled.store(true, Ordering::Release);
    }
}

/// The subscriber a [`Manual`] was given, for the model to drive.
pub(crate) type Slot = Arc<Mutex<Option<Box<dyn Subscriber<u64>>>>>;

/// A publisher that gives its subscriber an [`Asked`] and hands the subscriber to the model.
pub(crate) struct Manual {
    pub(crate) asked: Arc<Asked>,
    pub(crate) subscriber: Slot,
}

impl Manual {
    pub(crate) fn new() -> (Manual, Arc<Asked>, Slot) {
        let asked = Arc::new(Asked::default());
        let slot: Slot = Arc::new(Mutex::new(None));
        let manual = Manual {
            asked: asked.clone(),
            subscriber: slot.clone(),
        };
        (manual, asked, slot)
    }
}

impl Publisher for Manual {
    type Item = u64;
    fn subscribe<S: Subscriber<u64> + 'static>(&self, subscriber: S) {
        let mut subscriber: Box<dyn Subscriber<u64>> = Box::new(subscriber);
        subscriber.on_subscribe(self.asked.clone());
        *self.subscriber.lock() = Some(subscriber);
    }
}
