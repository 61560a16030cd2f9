use std::sync::Arc;

use reactive_core::{Publisher, Subscriber};

use super::switch_if_empty::FirstThen;
use crate::source::from_iter;

/// The publisher returned by [`PublisherExt::start_with`](crate::PublisherExt::start_with).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Debug)]
pub struct StartWith<P, I> {
    source: Arc<P>,
    items: I,
}

impl<P, I: Clone> Clone for StartWith<P, I> {
    fn clone(&self) -> Self {
        StartWith {
            source: self.source.clone(),
            items: self.items.clone(),
        }
    }
}

impl<P, I> StartWith<P, I> {
    pub(crate) fn new(source: P, items: I) -> Self {
        StartWith {
            source: Arc::new(source),
            items,
        }
    }
}

impl<P, I> Publisher for StartWith<P, I>
where
    P: Publisher + Send + Sync + 'static,
    P::Item: Send + 'static,
    I: Iterator<Item = P::Item> + Clone + Send + 'static,
{
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        // The prefix is a source of its own (the pull engine, behind `from_iter`): it emits
        // exactly what is requested and completes right after its last item; then the
        // arbiter asks the source for what is still owed.
        from_iter(self.items.clone()).subscribe(FirstThen::new(
            subscriber,
            self.source.clone(),
            false,
        ));
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;

    use reactive_core::sync::atomic::Ordering;
    use reactive_core::sync::{Mutex, thread};
    use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

    use super::StartWith;
    use crate::ops::loom_support::Manual;

    #[derive(Default)]
    struct Seen {
        items: Vec<u64>,
        subscription: Option<SubscriptionRef>,
    }

    struct Recorder(Arc<Mutex<Seen>>);

    impl Subscriber<u64> for Recorder {
        fn on_subscribe(&mut self, subscription: SubscriptionRef) {
            self.0.lock().subscription = Some(subscription);
        }
        fn on_next(&mut self, item: u64) {
            self.0.lock().items.push(item);
        }
        fn on_error(&mut self, error: Error) {
            panic!("unexpected {error}");
        }
        fn on_complete(&mut self) {
            panic!("the source never completes here");
        }
    }

    /// Two requests of 1 on two threads race the switch from the one-item prefix to the
    /// source (which happens inside whichever request delivers the prefix item): the prefix
    /// item arrives once, and the source is asked for exactly the 1 item still owed, whether
    /// the other request lands before the switch, during it or after it.
    #[test]
    fn request_races_switch() {
        loom::model(|| {
            let (source, asked, slot) = Manual::new();
            let seen = Arc::new(Mutex::new(Seen::default()));
            StartWith::new(source, vec![7u64].into_iter()).subscribe(Recorder(seen.clone()));
            let subscription = seen.lock().subscription.clone().expect("on_subscribe ran");
            let other = subscription.clone();
            let t = thread::spawn(move || other.request(1));
            subscription.request(1);
            t.join().unwrap();
            assert!(slot.lock().is_some(), "the source was subscribed");
            assert_eq!(seen.lock().items, [7]);
            assert_eq!(
                asked.requested.load(Ordering::Acquire),
                1,
                "the source must be asked for 2 requested - 1 delivered"
            );
            seen.lock().subscription = None;
            drop(slot.lock().take());
        });
    }
}
