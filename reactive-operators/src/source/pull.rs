//! The emission engine shared by the synchronous pull sources (`range`, `from_iter`, `just`,
//! `empty`, `error`, `never`).
//!
//! A source describes itself as a [`Pull`]: a cursor that yields the next item or says it has
//! ended. The engine owns the demand accounting, the drain loop, cancellation and rule 3.9, so
//! each source file only says what it emits.
//!
//! Demand: [`Demand`] counts what was requested; the emission loop counts locally and subtracts
//! in one batch when the demand it read is used up, and with unbounded demand it never
//! subtracts at all (the fast path). Serialization: every signal (`request`, `cancel`,
//! `request(0)`) records its change and then enters [`WipCell::drain`]; whoever moves the
//! counter from 0 emits, everyone else returns at once. A `request` made from inside `on_next`
//! therefore only bumps the counter and the running loop picks up the new demand: the
//! `request`/`on_next` recursion never goes deeper than 1 (rule 3.3).

use std::sync::Arc;

use reactive_core::__private::loom::sync::atomic::{AtomicBool, Ordering};
use reactive_core::support::{Demand, WipCell};
use reactive_core::{Error, Subscriber, Subscription, SubscriptionRef, UNBOUNDED};

/// What a [`Pull`] has next.
pub(crate) enum Next<T> {
    /// One more item.
    Item(T),
    /// No item now; the source will be drained again when something changes.
    Pending,
    /// The source has ended (successfully, or with the error).
    End(Result<(), Error>),
}

/// A cursor over a synchronous source.
pub(crate) trait Pull: Send + 'static {
    type Item;

    /// The next item, the end, or nothing for now.
    fn next(&mut self) -> Next<Self::Item>;

    /// Whether the source has ended, without consuming an item: lets the engine complete (or
    /// fail) without waiting for demand, as soon as the last item was delivered.
    fn end(&mut self) -> Option<Result<(), Error>>;
}

/// Subscribes `subscriber` to a fresh cursor: `on_subscribe` first, then items as requested.
pub(crate) fn subscribe<P, S>(pull: P, subscriber: S)
where
    P: Pull,
    S: Subscriber<P::Item> + 'static,
{
    let subscription = Arc::new(PullSubscription {
        demand: Demand::new(),
        zero_requested: AtomicBool::new(false),
        state: WipCell::new(State {
            pull: Some(pull),
            subscriber: Some(subscriber),
        }),
    });
    let mut handle: Option<SubscriptionRef> = Some(subscription.clone());
    // The first pass hands out the subscription; requests made inside `on_subscribe` only bump
    // the drain counter, and the next pass of the same loop emits for them.
    subscription.state.drain(|state| {
        if let Some(handle) = handle.take() {
            if let Some(s) = state.subscriber.as_mut() {
                s.on_subscribe(handle);
            }
        }
        subscription.emit(state);
    });
}

struct State<P, S> {
    pull: Option<P>,
    /// `None` once terminated or cancelled: dropping it is rule 3.13.
    subscriber: Option<S>,
}

impl<P, S> State<P, S> {
    fn finish(&mut self) {
        self.subscriber = None;
        self.pull = None;
    }
}

struct PullSubscription<P, S> {
    demand: Demand,
    zero_requested: AtomicBool,
    state: WipCell<State<P, S>>,
}

impl<P, S> PullSubscription<P, S>
where
    P: Pull,
    S: Subscriber<P::Item>,
{
    /// Emits what the demand allows. Runs only inside `drain`, so on one thread at a time.
    #[inline]
    fn emit(&self, state: &mut State<P, S>) {
        let (Some(pull), Some(subscriber)) = (state.pull.as_mut(), state.subscriber.as_mut())
        else {
            return;
        };
        if self.stopped(subscriber) {
            state.finish();
            return;
        }
        if let Some(end) = pull.end() {
            terminate(subscriber, end);
            state.finish();
            return;
        }
        let mut requested = self.demand.get();
        if requested == UNBOUNDED {
            // Fast path: no demand accounting at all; one load per item to see a cancel.
            loop {
                if self.stopped(subscriber) {
                    break;
                }
                match pull.next() {
                    Next::Item(item) => {
                        subscriber.try_on_next(item);
                    }
                    Next::Pending => return,
                    Next::End(end) => {
                        terminate(subscriber, end);
                        break;
                    }
                }
            }
            state.finish();
            return;
        }
        let mut emitted = 0u64;
        loop {
            while emitted != requested {
                if self.stopped(subscriber) {
                    state.finish();
                    return;
                }
                match pull.next() {
                    Next::Item(item) => {
                        // A rejected item (conditional fast path) does not use up demand.
                        if subscriber.try_on_next(item) {
                            emitted += 1;
                        }
                    }
                    Next::Pending => {
                        self.demand.produced(emitted);
                        return;
                    }
                    Next::End(end) => {
                        terminate(subscriber, end);
                        state.finish();
                        return;
                    }
                }
            }
            // Checked before re-reading demand: a cancel reads as 0 demand, which must not be
            // mistaken for "more to emit".
            if self.stopped(subscriber) {
                state.finish();
                return;
            }
            if let Some(end) = pull.end() {
                terminate(subscriber, end);
                state.finish();
                return;
            }
            requested = self.demand.get();
            if requested == emitted {
                requested = self.demand.produced(emitted);
                emitted = 0;
                if requested == 0 {
                    // Out of demand (or cancelled meanwhile, which the next pass sees): a later
                    // request or cancel re-enters through `drain`.
                    return;
                }
            }
        }
    }

    /// Whether emission must stop: cancelled, or `request(0)` (reported here, rule 3.9).
    #[inline(always)]
    fn stopped(&self, subscriber: &mut S) -> bool {
        if !self.demand.is_cancelled() {
            return false;
        }
        if self.zero_requested.swap(false, Ordering::AcqRel) {
            subscriber.on_error(Error::invalid_request(0));
        }
        true
    }
}

fn terminate<T, S: Subscriber<T>>(subscriber: &mut S, end: Result<(), Error>) {
    match end {
        Ok(()) => subscriber.on_complete(),
        Err(e) => subscriber.on_error(e),
    }
}

impl<P, S> Subscription for PullSubscription<P, S>
where
    P: Pull,
    S: Subscriber<P::Item> + 'static,
{
    fn request(&self, n: u64) {
        if n == 0 {
            // Stop emitting (the flag is read once the cancel is seen) and report rule 3.9.
            if !self.demand.is_cancelled() {
                self.zero_requested.store(true, Ordering::Release);
                self.demand.cancel();
            }
        } else if self.demand.add(n).is_none() {
            return; // cancelled: rule 3.6
        }
        self.state.drain(|state| self.emit(state));
    }

    fn cancel(&self) {
        if self.demand.cancel() {
            self.state.drain(|state| self.emit(state));
        }
    }
}
