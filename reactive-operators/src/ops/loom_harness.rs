//! What the loom models of the synchronous operators share: an upstream the model drives by
//! hand, recording what it was asked, and a downstream recording what it received.

use std::sync::Arc;

use reactive_core::sync::Mutex;
use reactive_core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef};

/// What the upstream's subscription was asked.
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

/// Where [`Manual`] leaves the subscriber it was given.
pub(crate) type Slot = Arc<Mutex<Option<Box<dyn Subscriber<u64>>>>>;

/// An upstream that hands its subscriber to the test.
pub(crate) struct Manual {
    pub(crate) asked: Arc<Asked>,
    pub(crate) subscriber: Slot,
}

impl Publisher for Manual {
    type Item = u64;
    fn subscribe<S: Subscriber<u64> + 'static>(&self, subscriber: S) {
        let mut subscriber: Box<dyn Subscriber<u64>> = Box::new(subscriber);
        subscriber.on_subscribe(self.asked.clone());
        *self.subscriber.lock() = Some(subscriber);
    }
}

/// What the downstream received.
#[derive(Default)]
pub(crate) struct Record {
    pub(crate) items: Vec<u64>,
    pub(crate) completes: usize,
    pub(crate) errors: usize,
    pub(crate) subscription: Option<SubscriptionRef>,
}

/// The downstream: records every signal, requests nothing by itself.
pub(crate) struct Recorder(pub(crate) Arc<Mutex<Record>>);

impl Subscriber<u64> for Recorder {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        self.0.lock().subscription = Some(s);
    }
    fn on_next(&mut self, item: u64) {
        self.0.lock().items.push(item);
    }
    fn on_error(&mut self, _: Error) {
        self.0.lock().errors += 1;
    }
    fn on_complete(&mut self) {
        self.0.lock().completes += 1;
    }
}

/// Subscribes a [`Recorder`] to `operator(manual upstream)`: the upstream's record, its
/// subscriber slot, the downstream's record and the subscription it got.
pub(crate) fn subscribe<P>(
    operator: impl FnOnce(Manual) -> P,
) -> (Arc<Asked>, Slot, Arc<Mutex<Record>>, SubscriptionRef)
where
    P: Publisher<Item = u64>,
{
    let asked = Arc::new(Asked::default());
    let slot: Slot = Arc::new(Mutex::new(None));
    let record = Arc::new(Mutex::new(Record::default()));
    operator(Manual {
        asked: asked.clone(),
        subscriber: slot.clone(),
    })
    .subscribe(Recorder(record.clone()));
    let subscription = record
        .lock()
        .subscription
        .clone()
        .expect("on_subscribe ran");
    (asked, slot, record, subscription)
}
