//! `window(size)`: consecutive windows of `size` items, each a publisher of its own.
//!
//! The upstream side (serial) keeps the open windows' queue producers; the drain loop of
//! [`substreams`](super::substreams) serves the outer downstream and every window's
//! subscriber. `window_skip` (in `window_skip.rs`) shares the subscriber below.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

use reactive_core::queue::Producer;
use reactive_core::sync::atomic::AtomicBool;
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

use super::substreams::{ChildShared, Hub, Substream, WindowDemand};

/// The publisher returned by [`PublisherExt::window`](crate::PublisherExt::window).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct Windows<P> {
    source: P,
    size: usize,
}

impl<P> Windows<P> {
    pub(crate) fn new(source: P, size: usize) -> Self {
        assert!(size > 0, "window: size must be at least 1");
        assert!(
            size <= usize::MAX / 2,
            "window: size {size} is too large for a bounded queue"
        );
        Windows { source, size }
    }
}

impl<P> Publisher for Windows<P>
where
    P: Publisher,
    P::Item: Send + 'static,
{
    type Item = Window<P::Item>;

    fn subscribe<D: Subscriber<Window<P::Item>> + 'static>(&self, downstream: D) {
        subscribe_windows(&self.source, downstream, self.size, self.size, None);
    }
}

/// Clones an item into an older open window (overlapping windows only).
pub(crate) type CopyFn<T> = fn(&T) -> T;

/// Subscribes `source` with the window subscriber: `size` items per window, a new one every
/// `skip` items; `copy` clones an item into every open window but the newest (needed only
/// when they overlap).
pub(crate) fn subscribe_windows<P, D>(
    source: &P,
    downstream: D,
    size: usize,
    skip: usize,
    copy: Option<CopyFn<P::Item>>,
) where
    P: Publisher,
    P::Item: Send + 'static,
    D: Subscriber<Window<P::Item>> + 'static,
{
    let demand = WindowDemand {
        size: size as u64,
        skip: skip as u64,
        first: AtomicBool::new(true),
    };
    let hub = Hub::start(downstream, Some(demand), None, ("window", "window"));
    source.subscribe(WindowSubscriber {
        hub,
        size: size as u64,
        skip: skip as u64,
        position: 0,
        next_index: 0,
        open: VecDeque::new(),
        copy,
        done: false,
    });
}

/// One window of [`window`](crate::PublisherExt::window) or
/// [`window_skip`](crate::PublisherExt::window_skip): a publisher of its items, with its own
/// demand and a queue of at most `size` items.
///
/// It accepts one subscriber; a second one gets `on_subscribe` and then an error of kind
/// `Rejected`. Dropping it without subscribing cancels it: its queued items are dropped and
/// later items for it are not kept.
///
/// # Examples
///
/// ```
/// use reactive_core::Publisher;
/// use reactive_operators::{range, PublisherExt};
/// use reactive_tck::{StepVerifier, TestSubscriber};
///
/// let windows = range(1u64..=5).window(2).collect::<Vec<_>>();
/// StepVerifier::create(&windows)
///     .consume_next_with(|windows| {
///         assert_eq!(windows.len(), 3);
///         let last = TestSubscriber::new();
///         windows[2].subscribe(last.clone());
///         assert_eq!(windows[2].index(), 2);
///         assert_eq!(last.values(), [5]);
///         assert!(last.is_complete());
///     })
///     .expect_complete()
///     .verify()
///     .unwrap();
/// ```
pub struct Window<T: Send + 'static> {
    index: u64,
    stream: Substream<T>,
}

impl<T: Send + 'static> Window<T> {
    /// The window's position in the outer stream: 0 for the first.
    pub fn index(&self) -> u64 {
        self.index
    }
}

impl<T: Send + 'static> fmt::Debug for Window<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Window")
            .field("index", &self.index)
            .field("subscribed", &self.stream.is_claimed())
            .finish()
    }
}

impl<T: Send + 'static> Publisher for Window<T> {
    type Item = T;

    fn subscribe<S: Subscriber<T> + 'static>(&self, subscriber: S) {
        self.stream.subscribe(subscriber);
    }
}

/// An open window, as the upstream side holds it.
struct Open<T> {
    producer: Producer<T>,
    shared: Arc<ChildShared<T>>,
    received: u64,
}

/// The subscriber put upstream: opens a window every `skip` items and puts each item into
/// every open window.
struct WindowSubscriber<T: Send + 'static, D> {
    hub: Arc<Hub<T, Window<T>, D>>,
    size: u64,
    skip: u64,
    /// The upstream position of the next item.
    position: u64,
    next_index: u64,
    /// The open windows, oldest (fullest) first: at most `ceil(size / skip)`.
    open: VecDeque<Open<T>>,
    copy: Option<CopyFn<T>>,
    done: bool,
}

impl<T, D> WindowSubscriber<T, D>
where
    T: Send + 'static,
    D: Subscriber<Window<T>> + 'static,
{
    /// The end of the upstream: the outer stream and every open window.
    fn end(&mut self, error: Option<Error>) {
        self.done = true;
        let open = self.open.drain(..).map(|open| open.shared);
        self.hub.end(error, open);
    }

    /// Puts `item` into `open`'s queue. A window receives at most `size` items and its queue
    /// holds `size`, so the offer always succeeds.
    fn put(open: &mut Open<T>, item: T) {
        open.received += 1;
        if open.shared.is_closed() {
            return; // cancelled or dropped unsubscribed: nobody will read its queue
        }
        let accepted = open.producer.offer(item).is_ok();
        debug_assert!(accepted, "a window's queue holds all of its items");
    }
}

impl<T, D> Subscriber<T> for WindowSubscriber<T, D>
where
    T: Send + 'static,
    D: Subscriber<Window<T>> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // The outer downstream's requests, made before this, wait in the slot; a second
        // subscription is cancelled (rule 2.5).
        self.hub.upstream.set(subscription);
    }

    fn on_next(&mut self, item: T) {
        if self.done {
            return;
        }
        if self.position % self.skip == 0 && !self.hub.outer_gone() {
            let index = self.next_index;
            self.next_index += 1;
            let (producer, shared) = self
                .hub
                .open(index, self.size as usize, |stream| Window { index, stream });
            self.open.push_back(Open {
                producer,
                shared,
                received: 0,
            });
        }
        self.position += 1;
        // Every open window but the newest gets a copy; the newest gets the item.
        if let Some(copy) = self.copy {
            let older = self.open.len().saturating_sub(1);
            for open in self.open.iter_mut().take(older) {
                Self::put(open, copy(&item));
            }
        }
        match self.open.back_mut() {
            Some(newest) => Self::put(newest, item),
            None if self.hub.outer_gone() => {
                // Nobody needs the upstream any more (the drain would cancel it too, but a
                // synchronous upstream may be emitting inside one of its passes).
                self.done = true;
                self.hub.upstream.cancel();
                return;
            }
            None => drop(item), // a gap between windows
        }
        for open in &self.open {
            open.shared.signal();
        }
        while self.open.front().is_some_and(|w| w.received == self.size) {
            if let Some(full) = self.open.pop_front() {
                full.shared.mark_done();
            }
        }
    }

    fn on_error(&mut self, error: Error) {
        if !self.done {
            self.end(Some(error));
        }
    }

    fn on_complete(&mut self) {
        if !self.done {
            self.end(None);
        }
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;

    use reactive_core::sync::Mutex;
    use reactive_core::sync::atomic::{AtomicU64, Ordering};
    use reactive_core::sync::thread;
    use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

    use super::{Window, Windows};
    use crate::ops::loom_harness::{Asked, Manual, Slot};

    struct Seen {
        items: Mutex<Vec<u64>>,
        completes: AtomicU64,
        subscription: Mutex<Option<SubscriptionRef>>,
    }

    impl Seen {
        fn new() -> Self {
            Seen {
                items: Mutex::new(Vec::new()),
                completes: AtomicU64::new(0),
                subscription: Mutex::new(None),
            }
        }
    }

    /// Asks for one window and subscribes it with a subscriber that requests nothing.
    struct Outer {
        seen: Arc<Seen>,
        completes: Arc<AtomicU64>,
    }

    impl Subscriber<Window<u64>> for Outer {
        fn on_subscribe(&mut self, s: SubscriptionRef) {
            s.request(1);
        }
        fn on_next(&mut self, window: Window<u64>) {
            window.subscribe(Inner(self.seen.clone()));
        }
        fn on_error(&mut self, _: Error) {}
        fn on_complete(&mut self) {
            self.completes.fetch_add(1, Ordering::AcqRel);
        }
    }

    struct Inner(Arc<Seen>);

    impl Subscriber<u64> for Inner {
        fn on_subscribe(&mut self, s: SubscriptionRef) {
            *self.0.subscription.lock() = Some(s);
        }
        fn on_next(&mut self, item: u64) {
            self.0.items.lock().push(item);
        }
        fn on_error(&mut self, _: Error) {}
        fn on_complete(&mut self) {
            self.0.completes.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// A window's last item (and the upstream's completion) on one thread against the
    /// window subscriber's request on another: both items arrive once, in order, then one
    /// completion of the window, and the outer stream completes. A pass that looked at the
    /// `done` flag after finding the queue empty would complete the window without its last
    /// item.
    #[test]
    fn item_races_window_request() {
        loom::model(|| {
            let asked = Arc::new(Asked::default());
            let slot: Slot = Arc::new(Mutex::new(None));
            let seen = Arc::new(Seen::new());
            let outer_completes = Arc::new(AtomicU64::new(0));
            let manual = Manual {
                asked: asked.clone(),
                subscriber: slot.clone(),
            };
            Windows::new(manual, 2).subscribe(Outer {
                seen: seen.clone(),
                completes: outer_completes.clone(),
            });
            assert_eq!(
                asked.requested.load(Ordering::Acquire),
                2,
                "one window: 2 items"
            );
            let mut upstream = slot.lock().take().expect("subscribed upstream");
            upstream.on_next(0); // the window opens, is subscribed, and keeps the item
            let handle = seen.subscription.lock().clone().expect("window subscribed");
            let requester = thread::spawn(move || handle.request(2));
            upstream.on_next(1);
            upstream.on_complete();
            requester.join().unwrap();
            assert_eq!(*seen.items.lock(), [0, 1]);
            assert_eq!(seen.completes.load(Ordering::Acquire), 1);
            assert_eq!(outer_completes.load(Ordering::Acquire), 1);
        });
    }
}
