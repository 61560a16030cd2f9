//! `flat_map_iter`: each item mapped to an iterator, the iterators' items emitted one after
//! another, pulled only under demand.
//!
//! Who touches what:
//!
//! | state | written by | read by |
//! |---|---|---|
//! | the outer item ring (`spsc(1)`: the outer is asked for 1 at a time) | the outer's `on_next` (offer) | the drain (poll) |
//! | `outer_done`, `outer_failed`, the error | the outer's terminal signal, or an overflow, once | the drain |
//! | the downstream's `Demand` | `request`, `cancel` (any thread) | the drain |
//! | the outer subscription (`SubscriptionSlot`) | the outer's `on_subscribe` | the drain (`request(1)`), `cancel` |
//! | the downstream, the mapper, the current iterator | only the drain ([`WipCell`]) | |

use std::sync::Arc;

use reactive_core::queue::{Consumer, Producer, spsc};
use reactive_core::support::{Demand, SubscriptionSlot, WipCell};
use reactive_core::sync::Mutex;
use reactive_core::{Error, Publisher, Subscriber, Subscription, SubscriptionRef, UNBOUNDED};

use super::sequential::Ending;

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
        let (producer, consumer) = spsc(1);
        let core = Arc::new(Core {
            shared: Shared {
                demand: Demand::new(),
                outer: SubscriptionSlot::new(),
                end: Ending::new(),
                handle: Mutex::new(None),
            },
            cell: WipCell::new(State {
                downstream: Some(subscriber),
                subscribed: false,
                f: self.f.clone(),
                item: consumer,
                upstream: None,
                iter: None,
                waiting: false,
            }),
        });
        let subscription: SubscriptionRef =
            Arc::new(FlatMapIterSubscription { core: core.clone() });
        // The first pass hands it to the downstream (a cycle through the core until then).
        *core.shared.handle.lock() = Some(subscription);
        core.signal();
        self.source.subscribe(OuterSubscriber {
            item: producer,
            core,
            done: false,
        });
    }
}

struct Shared {
    demand: Demand,
    outer: SubscriptionSlot,
    /// The outer's end (or its overflow).
    end: Ending,
    handle: Mutex<Option<SubscriptionRef>>,
}

impl Shared {
    /// Cancels the outer unless it has ended (rule 2.4: it counts as cancelled by then).
    fn cancel_outer(&self) {
        if !self.end.is_done() {
            self.outer.cancel();
        }
    }
}

struct State<T, F, It, D> {
    downstream: Option<D>,
    subscribed: bool,
    f: F,
    /// The outer item not yet mapped (at most one: it is asked for 1 at a time).
    item: Consumer<T>,
    /// The outer subscription, once it arrived: asked for each item without the slot's lock.
    upstream: Option<SubscriptionRef>,
    /// The current iterator; `None` when the next outer item is needed.
    iter: Option<It>,
    /// An outer item was requested and has not been taken yet.
    waiting: bool,
}

struct Core<T, F, It, D> {
    shared: Shared,
    cell: WipCell<State<T, F, It, D>>,
}

/// Why [`emit`] returned.
enum Step {
    /// The iterator is exhausted (dropped).
    Exhausted,
    /// Cancelled or `request(0)`, seen after an item.
    Stopping,
    /// The demand read for this pass is used up.
    NoDemand,
}

/// Emits from `it` while `emitted < requested`.
#[inline(always)]
fn emit<It: Iterator, D: Subscriber<It::Item>>(
    it: &mut It,
    downstream: &mut D,
    demand: &Demand,
    emitted: &mut u64,
    requested: u64,
) -> Step {
    let mut n = *emitted;
    let step = loop {
        if n == requested {
            break Step::NoDemand;
        }
        match it.next() {
            Some(v) => {
                downstream.on_next(v);
                n += 1;
                if demand.is_stopping() {
                    break Step::Stopping;
                }
            }
            None => break Step::Exhausted,
        }
    };
    *emitted = n;
    step
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

    fn stop(&self, st: &mut State<T, F, I::IntoIter, D>) {
        self.shared.cancel_outer();
        st.iter = None;
        st.item.clear();
        st.upstream = None;
        st.downstream = None;
    }

    fn pass(&self, st: &mut State<T, F, I::IntoIter, D>) {
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
        let halt = loop {
            if shared.end.has_failed() {
                let error = shared.end.take_error();
                break Halt::Fail(error.unwrap_or_else(|| Error::protocol("outer error lost")));
            }
            if st.iter.is_none() {
                if let Some(item) = st.item.poll() {
                    if !st.waiting {
                        // An item nobody asked for (rule 1.1).
                        break Halt::Fail(Error::missing_demand("flat_map_iter"));
                    }
                    st.waiting = false;
                    st.iter = Some((st.f)(item).into_iter());
                    continue;
                }
                // `done` first, then the slot: the last item was stored before `done`.
                if shared.end.is_done() {
                    if !st.item.is_empty() {
                        continue;
                    }
                    break Halt::Finish;
                }
                if emitted < requested && !st.waiting {
                    st.waiting = true;
                    if st.upstream.is_none() {
                        st.upstream = shared.outer.get();
                    }
                    // A synchronous outer delivers inside this call: look again.
                    match &st.upstream {
                        Some(upstream) => upstream.request(1),
                        None => shared.outer.request(1), // kept until it arrives
                    }
                    continue;
                }
                break Halt::Idle;
            }
            // The iterator and the downstream move to the stack for the loop, so that the
            // compiler keeps them in registers (in the state they go to memory on every item).
            let (Some(mut it), Some(mut downstream)) = (st.iter.take(), st.downstream.take())
            else {
                break Halt::Idle;
            };
            let step = emit(
                &mut it,
                &mut downstream,
                &shared.demand,
                &mut emitted,
                requested,
            );
            st.downstream = Some(downstream);
            match step {
                Step::Exhausted => continue,
                Step::Stopping => break Halt::Stopping,
                Step::NoDemand => {}
            }
            // No demand left: let go of an iterator that says it is exhausted, so the stream
            // can complete (or the next item be taken) without waiting for a request.
            if it.size_hint().1 == Some(0) {
                continue;
            }
            st.iter = Some(it);
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
    item: Producer<T>,
    core: Arc<Core<T, F, It, D>>,
    done: bool,
}

impl<T, F, It, D> OuterSubscriber<T, F, It, D> {
    fn end(&mut self, error: Option<Error>) {
        self.done = true;
        self.core.shared.end.record(error);
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
        if self.item.offer(item).is_err() {
            // Two items for one request (rule 1.1).
            self.core.shared.outer.cancel();
            self.end(Some(Error::buffer_overflow("flat_map_iter", 1)));
        }
        // After the offer: the pass this signal runs (or makes run again) finds it.
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
