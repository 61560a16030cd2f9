//! `flat_map_iter`: each item mapped to an iterator, the iterators' items emitted one after
//! another, pulled only under demand.
//!
//! Who touches what:
//!
//! | state | written by | read by |
//! |---|---|---|
//! | the outer item slot (one item: the outer is asked for 1 at a time) | the outer's `on_next` | the drain |
//! | `outer_done`, `outer_failed`, the error | the outer's terminal signal, or an overflow, once | the drain |
//! | the downstream's `Demand` | `request`, `cancel` (any thread) | the drain |
//! | the outer subscription (`SubscriptionSlot`) | the outer's `on_subscribe` | the drain (`request(1)`), `cancel` |
//! | the downstream, the mapper, the current iterator | only the drain ([`WipCell`]) | |

use std::sync::Arc;

use reactive_core::support::{Demand, SubscriptionSlot, WipCell};
use reactive_core::sync::Mutex;
use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef, UNBOUNDED};

/// The publisher returned by
/// [`PublisherExt::flat_map_iter`](crate::PublisherExt::flat_map_iter).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Debug, Clone)]
pub struct FlatMapIter<P, F> {
    source: P,
    f: F,
}

impl<P, F> FlatMapIter<P, F> {
    pub(crate) fn new(source: P, f: F) -> Self {
        FlatMapIter { source, f }
    }
}

impl<P, I, F> Publisher for FlatMapIter<P, F>
where
    P: Publisher,
    P::Item: Send + 'static,
    I: IntoIterator,
    I::IntoIter: Send + 'static,
    I::Item: Send + 'static,
    F: FnMut(P::Item) -> I + Clone + Send + 'static,
{
    type Item = I::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<I::Item> + 'static,
    {
        let core = Arc::new(Core {
            shared: Shared {
                demand: Demand::new(),
                outer: SubscriptionSlot::new(),
                item: Mutex::new(None),
                done: AtomicBool::new(false),
                failed: AtomicBool::new(false),
                error: Mutex::new(None),
                handle: Mutex::new(None),
            },
            cell: WipCell::new(State {
                downstream: Some(subscriber),
                subscribed: false,
                f: self.f.clone(),
                iter: None,
                waiting: false,
            }),
        });
        let subscription: SubscriptionRef =
            Arc::new(FlatMapIterSubscription { core: core.clone() });
        // The first pass hands it to the downstream (a cycle through the core until then).
        *core.shared.handle.lock() = Some(subscription);
        core.signal();
        self.source.subscribe(OuterSubscriber { core, done: false });
    }
}

struct Shared<T> {
    demand: Demand,
    outer: SubscriptionSlot,
    /// The outer item not yet taken by the drain (at most one: it is asked for 1 at a time).
    item: Mutex<Option<T>>,
    /// The outer ended: `Release` after its last item and its error.
    done: AtomicBool,
    failed: AtomicBool,
    error: Mutex<Option<Error>>,
    handle: Mutex<Option<SubscriptionRef>>,
}

impl<T> Shared<T> {
    /// Cancels the outer unless it has ended (rule 2.4: it counts as cancelled by then).
    fn cancel_outer(&self) {
        if !self.done.load(Ordering::Acquire) {
            self.outer.cancel();
        }
    }
}

struct State<F, It, D> {
    downstream: Option<D>,
    subscribed: bool,
    f: F,
    /// The current iterator; `None` when the next outer item is needed.
    iter: Option<It>,
    /// An outer item was requested and has not been taken yet.
    waiting: bool,
}

struct Core<T, F, It, D> {
    shared: Shared<T>,
    cell: WipCell<State<F, It, D>>,
}

enum Halt {
    Idle,
    Stopping,
    Fail(Error),
    Finish,
}

impl<T, I, F, D> Core<T, F, I::IntoIter, D>
where
    T: Send + 'static,
    I: IntoIterator,
    I::IntoIter: Send + 'static,
    I::Item: Send + 'static,
    F: FnMut(T) -> I + Send + 'static,
    D: Subscriber<I::Item> + 'static,
{
    fn signal(&self) {
        self.cell.drain(|st| self.pass(st));
    }

    fn stop(&self, st: &mut State<F, I::IntoIter, D>) {
        self.shared.cancel_outer();
        st.iter = None;
        drop(self.shared.item.lock().take());
        st.downstream = None;
    }

    fn pass(&self, st: &mut State<F, I::IntoIter, D>) {
        let shared = &self.shared;
        let Some(downstream) = st.downstream.as_mut() else {
            return;
        };
        if !st.subscribed {
            st.subscribed = true;
            let handle = shared.handle.lock().take();
            if let Some(handle) = handle {
                downstream.on_subscribe(handle);
            }
        }
        let Some(requested) = shared.demand.check(downstream) else {
            self.stop(st);
            return;
        };
        let mut emitted = 0u64;
        let halt = 'pass: loop {
            if shared.failed.load(Ordering::Acquire) {
                let error = shared.error.lock().take();
                break Halt::Fail(error.unwrap_or_else(|| Error::protocol("outer error lost")));
            }
            let Some(iter) = st.iter.as_mut() else {
                let item = shared.item.lock().take();
                if let Some(item) = item {
                    if !st.waiting {
                        // An item nobody asked for (rule 1.1).
                        break Halt::Fail(Error::missing_demand("flat_map_iter"));
                    }
                    st.waiting = false;
                    st.iter = Some((st.f)(item).into_iter());
                    continue;
                }
                // `done` first, then the slot: the last item was stored before `done`.
                if shared.done.load(Ordering::Acquire) {
                    if shared.item.lock().is_some() {
                        continue;
                    }
                    break Halt::Finish;
                }
                if emitted < requested && !st.waiting {
                    st.waiting = true;
                    // A synchronous outer delivers inside this call: look again.
                    shared.outer.request(1);
                    continue;
                }
                break Halt::Idle;
            };
            let Some(downstream) = st.downstream.as_mut() else {
                break Halt::Idle;
            };
            while emitted < requested {
                match iter.next() {
                    Some(v) => {
                        downstream.on_next(v);
                        emitted += 1;
                        if shared.demand.is_stopping() {
                            break 'pass Halt::Stopping;
                        }
                    }
                    None => {
                        st.iter = None;
                        continue 'pass;
                    }
                }
            }
            // No demand left: let go of an iterator that says it is exhausted, so the stream
            // can complete (or the next item be taken) without waiting for a request.
            if iter.size_hint().1 == Some(0) {
                st.iter = None;
                continue;
            }
            break Halt::Idle;
        };
        if emitted > 0 && requested != UNBOUNDED {
            shared.demand.produced(emitted);
        }
        match halt {
            Halt::Idle => {}
            Halt::Stopping => {
                if let Some(downstream) = st.downstream.as_mut() {
                    shared.demand.check(downstream);
                }
                self.stop(st);
            }
            Halt::Fail(error) => {
                let downstream = st.downstream.take();
                self.stop(st);
                if let Some(mut downstream) = downstream {
                    downstream.on_error(error);
                }
            }
            Halt::Finish => {
                let downstream = st.downstream.take();
                self.stop(st);
                if let Some(mut downstream) = downstream {
                    downstream.on_complete();
                }
            }
        }
    }
}

struct FlatMapIterSubscription<T, F, It, D> {
    core: Arc<Core<T, F, It, D>>,
}

impl<T, I, F, D> Subscription for FlatMapIterSubscription<T, F, I::IntoIter, D>
where
    T: Send + 'static,
    I: IntoIterator,
    I::IntoIter: Send + 'static,
    I::Item: Send + 'static,
    F: FnMut(T) -> I + Send + 'static,
    D: Subscriber<I::Item> + 'static,
{
    fn request(&self, n: u64) {
        if self.core.shared.demand.add(n).is_some() {
            self.core.signal();
        }
    }

    fn cancel(&self) {
        if self.core.shared.demand.cancel() {
            self.core.shared.cancel_outer();
            self.core.signal();
        }
    }
}

struct OuterSubscriber<T, F, It, D> {
    core: Arc<Core<T, F, It, D>>,
    done: bool,
}

impl<T, F, It, D> OuterSubscriber<T, F, It, D> {
    fn end(&mut self, error: Option<Error>) {
        self.done = true;
        let shared = &self.core.shared;
        if let Some(error) = error {
            *shared.error.lock() = Some(error);
            shared.failed.store(true, Ordering::Release);
        }
        shared.done.store(true, Ordering::Release);
    }
}

impl<T, I, F, D> Subscriber<T> for OuterSubscriber<T, F, I::IntoIter, D>
where
    T: Send + 'static,
    I: IntoIterator,
    I::IntoIter: Send + 'static,
    I::Item: Send + 'static,
    F: FnMut(T) -> I + Send + 'static,
    D: Subscriber<I::Item> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // Items are requested by the drain, one at a time; a second subscription, or one
        // after a cancel, is cancelled (rule 2.5).
        self.core.shared.outer.set(subscription);
    }

    fn on_next(&mut self, item: T) {
        if self.done {
            return;
        }
        let previous = self.core.shared.item.lock().replace(item);
        if previous.is_some() {
            // Two items for one request (rule 1.1).
            self.core.shared.outer.cancel();
            self.end(Some(Error::buffer_overflow("flat_map_iter", 1)));
        }
        self.core.signal();
    }

    fn on_error(&mut self, error: Error) {
        if !self.done {
            self.end(Some(error));
            self.core.signal();
        }
    }

    fn on_complete(&mut self) {
        if !self.done {
            self.end(None);
            self.core.signal();
        }
    }
}
