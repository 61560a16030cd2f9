//! A reference identity processor: [`LockstepProcessor`].

use std::collections::VecDeque;
use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use reactive_core::support::{Demand, WipCell};
use reactive_core::{BoxSubscriber, Error, Publisher, Subscriber, Subscription, SubscriptionRef};

const BUFFER: usize = 128;
const LIMIT: usize = BUFFER - BUFFER / 4;

enum Upstream {
    None,
    Set(SubscriptionRef),
    Cancelled,
}

struct LockSub<T> {
    /// Also records `request(0)` (rule 3.9), reported by the drain loop.
    demand: Demand,
    parent: Weak<Inner<T>>,
}

impl<T: Clone + Send + 'static> Subscription for LockSub<T> {
    fn request(&self, n: u64) {
        if self.demand.add(n).is_none() {
            return; // cancelled (rule 3.6), or a request(0) already recorded
        }
        if let Some(p) = self.parent.upgrade() {
            p.drain();
        }
    }

    fn cancel(&self) {
        self.demand.cancel();
        if let Some(p) = self.parent.upgrade() {
            p.drain();
        }
    }
}

type Entry<T> = (Arc<LockSub<T>>, BoxSubscriber<T>);

#[derive(Default)]
struct DrainState<T> {
    subscribers: Vec<Entry<T>>,
    terminated: bool,
    had_subscribers: bool,
    consumed: usize,
}

struct Inner<T> {
    upstream: Mutex<Upstream>,
    queue: Mutex<VecDeque<T>>,
    /// `Some(None)`: completed; `Some(Some(e))`: failed.
    done: Mutex<Option<Option<Error>>>,
    pending: Mutex<Vec<Entry<T>>>,
    state: WipCell<DrainState<T>>,
}

impl<T: Clone + Send + 'static> Inner<T> {
    fn cancel_upstream(&self) {
        let old = std::mem::replace(&mut *self.upstream.lock(), Upstream::Cancelled);
        if let Upstream::Set(s) = old {
            s.cancel();
        }
    }

    fn request_upstream(&self, n: u64) {
        let s = match &*self.upstream.lock() {
            Upstream::Set(s) => Some(s.clone()),
            _ => None,
        };
        if let Some(s) = s {
            s.request(n);
        }
    }

    fn drain(&self) {
        self.state.drain(|st| {
            loop {
                let mut progress = false;
                let done = self.done.lock().clone();
                let arrivals = std::mem::take(&mut *self.pending.lock());
                for (handle, mut s) in arrivals {
                    progress = true;
                    s.on_subscribe(handle.clone());
                    if st.terminated {
                        match &done {
                            Some(Some(e)) => s.on_error(e.clone()),
                            _ => s.on_complete(),
                        }
                    } else if !handle.demand.is_cancelled() {
                        st.subscribers.push((handle, s));
                        st.had_subscribers = true;
                    }
                }
                // Drops the cancelled ones, and reports and drops a request(0).
                st.subscribers
                    .retain_mut(|(h, s)| h.demand.check(s.as_mut()).is_some());
                if st.terminated {
                    st.subscribers.clear();
                } else if st.had_subscribers && st.subscribers.is_empty() {
                    // The last subscriber left: shut down.
                    st.terminated = true;
                    self.done.lock().get_or_insert(None);
                    self.cancel_upstream();
                } else if !st.subscribers.is_empty() {
                    let ready = st
                        .subscribers
                        .iter()
                        .map(|(h, _)| h.demand.get())
                        .min()
                        .unwrap_or(0);
                    let next = if ready > 0 {
                        self.queue.lock().pop_front()
                    } else {
                        None
                    };
                    if let Some(v) = next {
                        progress = true;
                        for (h, s) in st.subscribers.iter_mut() {
                            s.on_next(v.clone());
                            h.demand.produced(1);
                        }
                        st.consumed += 1;
                        if st.consumed == LIMIT {
                            st.consumed = 0;
                            self.request_upstream(LIMIT as u64);
                        }
                    }
                }
                if !st.terminated {
                    let empty = self.queue.lock().is_empty();
                    match &done {
                        Some(Some(e)) => {
                            for (_, s) in st.subscribers.iter_mut() {
                                s.on_error(e.clone());
                            }
                            st.subscribers.clear();
                            st.terminated = true;
                            progress = true;
                        }
                        Some(None) if empty => {
                            for (_, s) in st.subscribers.iter_mut() {
                                s.on_complete();
                            }
                            st.subscribers.clear();
                            st.terminated = true;
                            progress = true;
                        }
                        _ => {}
                    }
                }
                if !progress {
                    break;
                }
            }
        });
    }
}

/// A reference identity processor that keeps every rule: it passes each item on only when
/// every current subscriber has demand for it (coordinated, "lockstep" emission), like the
/// JVM TCK's own `LockstepProcessor`.
///
/// It exists so that processor verifications have a known-good subject to compare against
/// (`docs/tck.md` runs the identity processor verification on it), and as a worked example of a
/// multicast processor built on `reactive_core::support`. Clones are handles to the same
/// processor: subscribe one clone upstream and hand others to subscribers.
///
/// # Backpressure
///
/// Requests 128 items upstream on subscribe and 96 more each time 96 have gone out (the 75%
/// replenish rule); buffers at most 128 items. An item goes out when the subscriber with the
/// least demand has some, so the slowest subscriber sets the pace.
///
/// # Errors
///
/// Passes an upstream error to every subscriber at once (rule 4.2); a subscriber that arrives
/// after the end gets `on_subscribe` then the same terminal signal. `request(0)` ends that
/// subscriber with an invalid-request error (rule 3.9). When the last subscriber cancels, the
/// processor cancels its upstream and shuts down.
///
/// # Examples
///
/// ```
/// use reactive_core::{Publisher, Subscriber, support::empty_subscription};
/// use reactive_tck::{LockstepProcessor, StepVerifier};
///
/// let processor = LockstepProcessor::<u32>::new();
/// let mut input = processor.clone();
/// input.on_subscribe(empty_subscription()); // an upstream that never sends by itself
/// input.on_next(1);
/// input.on_next(2);
/// input.on_complete();
/// StepVerifier::create(&processor)
///     .expect_next_values([1, 2])
///     .expect_complete()
///     .verify()
///     .unwrap();
/// ```
pub struct LockstepProcessor<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Clone for LockstepProcessor<T> {
    fn clone(&self) -> Self {
        LockstepProcessor {
            inner: self.inner.clone(),
        }
    }
}

impl<T> std::fmt::Debug for LockstepProcessor<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LockstepProcessor")
    }
}

impl<T: Clone + Send + 'static> Default for LockstepProcessor<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Clone + Send + 'static> LockstepProcessor<T> {
    /// A processor with no upstream and no subscribers yet.
    pub fn new() -> Self {
        LockstepProcessor {
            inner: Arc::new(Inner {
                upstream: Mutex::new(Upstream::None),
                queue: Mutex::new(VecDeque::new()),
                done: Mutex::new(None),
                pending: Mutex::new(Vec::new()),
                state: WipCell::new(DrainState {
                    subscribers: Vec::new(),
                    terminated: false,
                    had_subscribers: false,
                    consumed: 0,
                }),
            }),
        }
    }
}

impl<T: Clone + Send + 'static> Publisher for LockstepProcessor<T> {
    type Item = T;
    fn subscribe<S: Subscriber<T> + 'static>(&self, subscriber: S) {
        let handle = Arc::new(LockSub {
            demand: Demand::new(),
            parent: Arc::downgrade(&self.inner),
        });
        self.inner
            .pending
            .lock()
            .push((handle, Box::new(subscriber)));
        self.inner.drain();
    }
}

impl<T: Clone + Send + 'static> Subscriber<T> for LockstepProcessor<T> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        let mut up = self.inner.upstream.lock();
        if matches!(*up, Upstream::None) {
            *up = Upstream::Set(subscription.clone());
            drop(up);
            subscription.request(BUFFER as u64);
        } else {
            drop(up);
            subscription.cancel();
        }
    }

    fn on_next(&mut self, item: T) {
        self.inner.queue.lock().push_back(item);
        self.inner.drain();
    }

    fn on_error(&mut self, error: Error) {
        self.inner.done.lock().get_or_insert(Some(error));
        self.inner.drain();
    }

    fn on_complete(&mut self) {
        self.inner.done.lock().get_or_insert(None);
        self.inner.drain();
    }
}
