//! The post-complete drain shared by the operators that still hold items when their upstream
//! completes (`take_last`, the overlapping `buffer_skip`, `default_if_empty`): the items are
//! emitted as the downstream requests them, from whichever thread requests.
//!
//! Until the upstream terminates, the downstream subscriber lives in the operator's upstream
//! subscriber (a plain field: items reach it with no atomic and no lock). On completion the
//! subscriber hands the downstream and the items left over to [`Tail::complete`], which puts
//! them where the drain loop looks (one short lock, once per subscription) and drains. From
//! then on every `request` drains: whoever moves the [`WipCell`] counter from 0 emits, up to
//! the demand, then completes once the items are used up.
//!
//! The demand is counted from the start (every downstream request is added to a [`Demand`],
//! one CAS per request, none per item); the items the operator emitted itself before the
//! hand-off are subtracted at the hand-off.

use std::collections::VecDeque;
use std::sync::Arc;

use reactive_core::support::{Demand, WipCell};
use reactive_core::sync::Mutex;
use reactive_core::{Error, Subscriber, Subscription, SubscriptionRef};

/// What a downstream `request(n)` (n > 0) becomes upstream while the upstream is running.
pub(crate) trait Forward: Send + Sync + 'static {
    /// The amount to request upstream for a downstream request of `n` (0: nothing).
    fn upstream_request(&self, n: u64) -> u64;
}

/// Forwards nothing: the operator requested everything itself (`take_last`).
pub(crate) struct NoForward;

impl Forward for NoForward {
    #[inline]
    fn upstream_request(&self, _: u64) -> u64 {
        0
    }
}

/// Forwards every request unchanged (`default_if_empty`).
pub(crate) struct Unchanged;

impl Forward for Unchanged {
    #[inline]
    fn upstream_request(&self, n: u64) -> u64 {
        n
    }
}

/// The downstream and the items left when the upstream completed.
struct Handoff<X, S> {
    downstream: S,
    items: VecDeque<X>,
}

/// Touched only inside `drain`.
struct Drain<X, S> {
    /// `None` before the hand-off, and once terminated or cancelled (dropping it is rule 3.13).
    downstream: Option<S>,
    items: VecDeque<X>,
}

/// The subscription handed downstream, and the post-complete drain behind it.
pub(crate) struct Tail<X, S, F> {
    /// Everything the downstream requested (any thread); cancel and `request(0)` end it.
    demand: Demand,
    /// The upstream while it runs: taken by its terminal signal (so that nothing is sent to
    /// a finished upstream) or by a cancel. Held only to clone or take it.
    upstream: Mutex<Option<SubscriptionRef>>,
    /// Put once by the upstream's completion, taken once by the drain loop.
    handoff: Mutex<Option<Handoff<X, S>>>,
    state: WipCell<Drain<X, S>>,
    forward: F,
}

impl<X, S, F> Tail<X, S, F>
where
    X: Send + 'static,
    S: Subscriber<X> + 'static,
    F: Forward,
{
    pub(crate) fn new(forward: F) -> Arc<Self> {
        Arc::new(Tail {
            demand: Demand::new(),
            upstream: Mutex::new(None),
            handoff: Mutex::new(None),
            state: WipCell::new(Drain {
                downstream: None,
                items: VecDeque::new(),
            }),
            forward,
        })
    }

    /// The operator's `on_subscribe`: records the upstream subscription (before the
    /// downstream can cancel), then hands this subscription downstream.
    pub(crate) fn subscribed(self: &Arc<Self>, subscription: SubscriptionRef, downstream: &mut S) {
        *self.upstream.lock() = Some(subscription);
        downstream.on_subscribe(self.clone());
    }

    /// The operator's `on_error`, while it still holds the downstream: passed on unless the
    /// downstream cancelled.
    pub(crate) fn error(&self, downstream: Option<S>, error: Error) {
        self.upstream_done();
        if let Some(mut downstream) = downstream {
            if !self.demand.is_cancelled() {
                downstream.on_error(error);
            }
        }
    }

    /// Requests `n` from the upstream, if it is still running and not cancelled.
    pub(crate) fn request_upstream(&self, n: u64) {
        let upstream = self.upstream.lock().clone();
        if let Some(upstream) = upstream {
            upstream.request(n);
        }
    }

    /// The upstream has sent its terminal signal: it is never called again.
    pub(crate) fn upstream_done(&self) {
        let upstream = self.upstream.lock().take();
        drop(upstream);
    }

    /// The upstream completed: `items` are emitted as the downstream requests them (at once as
    /// far as it already did), then `on_complete`. `produced` is the number of items the
    /// operator already delivered itself since subscribing.
    pub(crate) fn complete(&self, downstream: S, items: VecDeque<X>, produced: u64) {
        self.upstream_done();
        if produced > 0 {
            self.demand.produced(produced);
        }
        // Record first, then drain: a drainer on another thread finds it on its next pass.
        *self.handoff.lock() = Some(Handoff { downstream, items });
        self.drain();
    }

    fn drain(&self) {
        self.state.drain(|st| {
            if st.downstream.is_none() {
                // On its own line: the guard must not live across the calls below.
                let handoff = self.handoff.lock().take();
                match handoff {
                    Some(h) => {
                        st.downstream = Some(h.downstream);
                        st.items = h.items;
                    }
                    None => return, // not handed over yet, or finished
                }
            }
            let Some(downstream) = st.downstream.as_mut() else {
                return;
            };
            let mut requested = if st.items.is_empty() {
                // Completion needs no demand; a pending `request(0)` or cancel still wins.
                match self.demand.check(downstream) {
                    Some(_) => 0,
                    None => {
                        st.downstream = None;
                        return;
                    }
                }
            } else {
                match self.demand.check(downstream) {
                    Some(n) => n,
                    None => {
                        st.downstream = None;
                        st.items.clear();
                        return;
                    }
                }
            };
            let mut emitted = 0;
            loop {
                while emitted < requested {
                    let Some(item) = st.items.pop_front() else {
                        break;
                    };
                    downstream.on_next(item);
                    emitted += 1;
                    if self.demand.is_stopping() {
                        // A cancel or `request(0)` bumped the counter: the next pass ends it.
                        return;
                    }
                }
                if st.items.is_empty() {
                    downstream.on_complete(); // at once, without waiting for more demand
                    st.downstream = None;
                    return;
                }
                // Demand used up: subtract the batch; a request made meanwhile shows here.
                requested = self.demand.produced(emitted);
                emitted = 0;
                if requested == 0 {
                    return; // the next request drains again
                }
            }
        });
    }
}

impl<X, S, F> Subscription for Tail<X, S, F>
where
    X: Send + 'static,
    S: Subscriber<X> + 'static,
    F: Forward,
{
    fn request(&self, n: u64) {
        // `add(0)` records the invalid request (rule 3.9); refused once the stream is ending.
        if self.demand.add(n).is_none() {
            return;
        }
        // While the upstream runs it holds the downstream, so it reports a `request(0)`
        // (rule 3.9); after the hand-off the drain loop does.
        let up = if n == 0 {
            0
        } else {
            self.forward.upstream_request(n)
        };
        if n == 0 || up > 0 {
            self.request_upstream(up);
        }
        self.drain();
    }

    fn cancel(&self) {
        if self.demand.cancel() {
            let upstream = self.upstream.lock().take();
            if let Some(upstream) = upstream {
                upstream.cancel();
            }
            self.drain();
        }
    }
}
