use std::sync::Arc;

use reactive_core::support::SubscriptionArbiter;
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

use super::switch_if_empty::Switched;
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
        from_iter(self.items.clone()).subscribe(PrefixSubscriber {
            downstream: Some(subscriber),
            arbiter: Arc::new(SubscriptionArbiter::new()),
            source: self.source.clone(),
            produced: 0,
            subscribed: false,
        });
    }
}

/// Subscribed to the prefix; counts what it delivered, then moves the downstream over to
/// the source.
struct PrefixSubscriber<S, P> {
    /// `None` once moved over to the source.
    downstream: Option<S>,
    arbiter: Arc<SubscriptionArbiter>,
    source: Arc<P>,
    /// Prefix items delivered (a plain count, handed to the arbiter once, at the switch).
    produced: u64,
    subscribed: bool,
}

impl<T, S, P> Subscriber<T> for PrefixSubscriber<S, P>
where
    T: Send + 'static,
    S: Subscriber<T> + 'static,
    P: Publisher<Item = T> + Send + Sync + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.subscribed {
            subscription.cancel(); // rule 2.5
            return;
        }
        self.subscribed = true;
        self.arbiter.set(subscription);
        if let Some(downstream) = self.downstream.as_mut() {
            downstream.on_subscribe(self.arbiter.clone());
        }
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if let Some(downstream) = self.downstream.as_mut() {
            self.produced += 1;
            downstream.on_next(item);
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        let delivered = self
            .downstream
            .as_mut()
            .is_some_and(|downstream| downstream.try_on_next(item));
        if delivered {
            self.produced += 1;
        }
        delivered
    }

    fn on_error(&mut self, error: Error) {
        // The prefix never fails; a `request(0)` is reported through here (rule 3.9).
        self.arbiter.clear();
        if let Some(mut downstream) = self.downstream.take() {
            downstream.on_error(error);
        }
    }

    fn on_complete(&mut self) {
        self.arbiter.produced(self.produced);
        self.arbiter.clear();
        let Some(downstream) = self.downstream.take() else {
            return;
        };
        if !self.arbiter.is_cancelled() {
            self.source
                .subscribe(Switched::new(downstream, self.arbiter.clone()));
        }
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
