//! The pull engine: write a synchronous source as a cursor, get a publisher that keeps the
//! specification's rules.
//!
//! A source that can hand out its items one at a time (a range, a collection, the lines of a
//! file, a database cursor, a channel) implements [`Pull`]: [`next`](Pull::next) yields the next
//! item, says the source has ended, or that nothing is available for now; [`end`](Pull::end)
//! optionally says the source has ended without consuming an item. Its
//! [`Publisher::subscribe`](crate::Publisher::subscribe) then calls [`subscribe`] (or
//! [`subscribe_result`] when opening the cursor can fail) and the engine does the rest:
//!
//! | the engine does | rule |
//! |---|---|
//! | `on_subscribe` first; a `request` made inside it is served by the same drain loop | 1.9, 3.2 |
//! | never more items than requested; demand sums saturate at [`UNBOUNDED`] | 1.1, 3.8, 3.17 |
//! | one thread at a time calls the subscriber; `request` from inside `on_next` only records demand (recursion depth 1) | 1.3, 3.3 |
//! | `request(0)` ends the stream with [`Error::invalid_request`], exactly once, and never after a `cancel` that came first | 3.9 |
//! | `cancel` stops the emission and drops the subscriber and the cursor | 3.7, 3.12, 3.13 |
//! | completion (or the cursor's error) as soon as [`end`](Pull::end) says so, without waiting for demand | 1.4, 1.5 |
//! | the subscriber and the cursor are dropped after the terminal signal | 3.13 |
//! | an item refused by [`try_on_next`](Subscriber::try_on_next) (a `filter` downstream) does not use up demand | |
//!
//! and stays fast: with unbounded demand it runs a loop with no demand accounting at all (one
//! atomic load per item, to see a cancel); with bounded demand it counts locally and subtracts
//! from the shared counter once per batch, when the demand it read is used up.
//!
//! # Threads, and blocking cursors
//!
//! There is no thread of the engine's own: [`next`](Pull::next) runs on the thread that calls
//! [`subscribe`] (for the demand requested inside `on_subscribe`) or
//! [`Subscription::request`] and finds the engine idle. A `request` arriving while another
//! thread emits only records the demand and returns; the emitting thread serves it.
//!
//! So a cursor whose `next` blocks (reading a socket, receiving from a blocking channel, waiting
//! on a database) blocks whoever requested. Rules 3.4 and 3.5 ask `request` and `cancel` to
//! respect their caller's responsiveness. `cancel` always does here: it never calls `next`, it
//! only marks the subscription and, if nobody is emitting, drops the cursor. `request` does
//! not, when the cursor blocks. For such a cursor, run the subscription on a worker thread of
//! its own (a [`scheduler`](crate::scheduler) worker, for example
//! [`SingleThreadScheduler`](crate::scheduler::SingleThreadScheduler)): call `subscribe` from a
//! task on that worker, and make every `request` from the subscriber's own signals (they run
//! on the emitting thread) or hand it to the worker as a task. Then only the worker blocks.
//!
//! [`Next::Pending`] is for a cursor that has nothing now and gets more only when asked again:
//! the engine stops and calls `next` again on the next `request`. It has no way to be woken
//! otherwise, so a cursor that waits for data arriving on its own should block in `next` (on a
//! worker, as above) rather than return `Pending`.
//!
//! # Examples
//!
//! A source of `n` countdown numbers:
//!
//! ```
//! use reactive_core::source::{self, Next, Pull};
//! use reactive_core::{Error, Publisher, Subscriber};
//! # use reactive_core::SubscriptionRef;
//! # use std::sync::{Arc, Mutex};
//!
//! /// Emits `n - 1` down to `0`, then completes.
//! struct Countdown(u64);
//!
//! /// The cursor: what is left.
//! struct Left(u64);
//!
//! impl Pull for Left {
//!     type Item = u64;
//!     fn next(&mut self) -> Next<u64> {
//!         if self.0 == 0 {
//!             return Next::End(Ok(()));
//!         }
//!         self.0 -= 1;
//!         Next::Item(self.0)
//!     }
//!     fn end(&mut self) -> Option<Result<(), Error>> {
//!         (self.0 == 0).then_some(Ok(())) // complete right after the last item
//!     }
//! }
//!
//! impl Publisher for Countdown {
//!     type Item = u64;
//!     fn subscribe<S: Subscriber<u64> + 'static>(&self, subscriber: S) {
//!         source::subscribe(Left(self.0), subscriber);
//!     }
//! }
//!
//! # struct Collect(Arc<Mutex<Vec<String>>>);
//! # impl Subscriber<u64> for Collect {
//! #     fn on_subscribe(&mut self, s: SubscriptionRef) { s.request(2); s.request(10); }
//! #     fn on_next(&mut self, v: u64) { self.0.lock().unwrap().push(v.to_string()) }
//! #     fn on_error(&mut self, e: Error) { self.0.lock().unwrap().push(e.to_string()) }
//! #     fn on_complete(&mut self) { self.0.lock().unwrap().push("done".into()) }
//! # }
//! let seen = Arc::new(Mutex::new(Vec::new()));
//! Countdown(3).subscribe(Collect(seen.clone())); // requests 2, then 10
//! assert_eq!(*seen.lock().unwrap(), ["2", "1", "0", "done"]);
//! ```
//!
//! Writing a source step by step, running it through the TCK, and a source over a blocking
//! channel are in `docs/writing-a-source.md` in the repository.

use std::mem::ManuallyDrop;
use std::sync::Arc;

use crate::support::{Demand, ReentrantRequests, Requested, WipCell, add_cap};
use crate::{Error, Subscriber, Subscription, SubscriptionRef, UNBOUNDED};

/// What a [`Pull`] cursor has next.
///
/// # Examples
///
/// ```
/// use reactive_core::source::Next;
/// use reactive_core::Error;
///
/// fn from_option(v: Option<u32>) -> Next<u32> {
///     match v {
///         Some(v) => Next::Item(v),
///         None => Next::End(Ok(())),
///     }
/// }
/// assert!(matches!(from_option(Some(1)), Next::Item(1)));
/// let failed: Next<u32> = Next::End(Err(Error::msg("disk on fire")));
/// assert!(matches!(failed, Next::End(Err(_))));
/// ```
#[derive(Debug)]
pub enum Next<T> {
    /// One more item.
    Item(T),
    /// No item now: the engine stops, and calls [`Pull::next`] again on the next `request`
    /// (see the [module docs](self) for when to use it).
    Pending,
    /// The source has ended: `Ok(())` completes the stream, `Err(e)` fails it with `e`.
    End(Result<(), Error>),
}

/// A cursor over a synchronous source: the one thing a source written on the pull engine
/// implements.
///
/// The engine calls the methods from one thread at a time (`&mut self`), never again after
/// the cursor reported its end, and drops the cursor when the subscription ends (completion,
/// error or cancel). See the [module docs](self) for which thread calls them.
///
/// # Examples
///
/// A cursor over any iterator, completing eagerly by looking one item ahead:
///
/// ```
/// use std::iter::Peekable;
/// use reactive_core::source::{Next, Pull};
/// use reactive_core::Error;
///
/// struct Iter<I: Iterator>(Peekable<I>);
///
/// impl<I: Iterator + Send + 'static> Pull for Iter<I> where I::Item: Send {
///     type Item = I::Item;
///     fn next(&mut self) -> Next<I::Item> {
///         self.0.next().map_or(Next::End(Ok(())), Next::Item)
///     }
///     fn end(&mut self) -> Option<Result<(), Error>> {
///         self.0.peek().is_none().then_some(Ok(()))
///     }
/// }
///
/// let mut c = Iter([1, 2].into_iter().peekable());
/// assert!(matches!(c.next(), Next::Item(1)));
/// assert!(c.end().is_none());
/// assert!(matches!(c.next(), Next::Item(2)));
/// assert!(matches!(c.end(), Some(Ok(()))));
/// ```
pub trait Pull: Send + 'static {
    /// The items.
    type Item;

    /// The next item, the end, or nothing for now. Called only when there is demand.
    fn next(&mut self) -> Next<Self::Item>;

    /// Whether the source has ended, without consuming an item: lets the engine complete (or
    /// fail) without waiting for demand, right after `on_subscribe` for an empty or failed
    /// source, and right after the last item otherwise.
    ///
    /// Must not block: return `None` when the answer is not known yet. The default is always
    /// `None`: the end is then signalled when [`next`](Self::next) returns [`Next::End`], that
    /// is on the first `request` after the last item.
    fn end(&mut self) -> Option<Result<(), Error>> {
        None
    }
}

/// A cursor behind a box: what [`Fused::Cursor`] holds.
pub type BoxPull<T> = Box<dyn Pull<Item = T>>;

impl<P: Pull + ?Sized> Pull for Box<P> {
    type Item = P::Item;

    #[inline]
    fn next(&mut self) -> Next<P::Item> {
        (**self).next()
    }

    #[inline]
    fn end(&mut self) -> Option<Result<(), Error>> {
        (**self).end()
    }
}

/// What a synchronous source hands an operator that pulls it directly: the answer of
/// [`Publisher::fuse`](crate::Publisher::fuse).
///
/// # Examples
///
/// Draining a fused source into a `Vec`, the way an operator with unbounded demand would:
///
/// ```
/// use reactive_core::source::{Fused, Next, Pull};
///
/// fn drain<T: 'static>(fused: Fused<T>) -> Vec<T> {
///     match fused {
///         Fused::Scalar(v) => vec![v],
///         Fused::Cursor(mut c) => {
///             let mut out = Vec::new();
///             while let Next::Item(v) = c.next() {
///                 out.push(v);
///             }
///             out
///         }
///     }
/// }
/// assert_eq!(drain(Fused::Scalar(7)), [7]);
/// # struct Two(u8);
/// # impl Pull for Two {
/// #     type Item = u8;
/// #     fn next(&mut self) -> Next<u8> {
/// #         if self.0 == 2 { Next::End(Ok(())) } else { self.0 += 1; Next::Item(self.0) }
/// #     }
/// # }
/// assert_eq!(drain(Fused::Cursor(Box::new(Two(0)))), [1, 2]);
/// ```
pub enum Fused<T> {
    /// Exactly this item, then completion (a `just`): nothing to allocate or pull.
    Scalar(T),
    /// The items and the end of this cursor, which never returns [`Next::Pending`].
    Cursor(BoxPull<T>),
}

impl<T> std::fmt::Debug for Fused<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fused::Scalar(_) => f.write_str("Fused::Scalar(..)"),
            Fused::Cursor(_) => f.write_str("Fused::Cursor(..)"),
        }
    }
}

/// A fused cursor that fails at once with `error`: the [`Fused`] form of
/// [`subscribe_error`].
///
/// # Examples
///
/// ```
/// use reactive_core::source::{self, Next, Pull};
/// use reactive_core::Error;
///
/// let mut c = source::failed::<u8>(Error::msg("down"));
/// assert!(matches!(c.end(), Some(Err(_))));
/// assert!(matches!(c.next(), Next::End(Err(_))));
/// ```
pub fn failed<T: 'static>(error: Error) -> BoxPull<T> {
    Box::new(Failed::<T>(error, std::marker::PhantomData))
}

/// Subscribes `subscriber` to a fresh `cursor`: `on_subscribe` first, then items as requested,
/// then the end the cursor reports.
///
/// Call it from your [`Publisher::subscribe`](crate::Publisher::subscribe) with a new cursor
/// for each subscriber (a cold publisher). Returns after `on_subscribe`, and after whatever
/// was requested inside it has been emitted.
///
/// # Backpressure
///
/// Emits exactly what is requested; see the [module docs](self).
///
/// # Errors
///
/// `request(0)` ends the stream with an [`ErrorKind::InvalidRequest`](crate::ErrorKind)
/// error (rule 3.9). A cursor's [`Next::End(Err(e))`](Next::End) ends it with `e`. A panic in
/// the cursor or the subscriber (in `on_subscribe` too) propagates to the caller of
/// `subscribe` or `request`; while it unwinds, the engine drops the subscriber and the cursor
/// (the subscriber first) and marks the subscription cancelled, so it emits nothing more and
/// later `request`s and `cancel`s do nothing.
///
/// # Examples
///
/// ```
/// use reactive_core::source::{self, Next, Pull};
/// use reactive_core::{Error, Publisher, Subscriber};
/// # use reactive_core::SubscriptionRef;
/// # use std::sync::{Arc, Mutex};
///
/// /// Emits `"tick"` forever.
/// struct Ticks;
///
/// impl Pull for Ticks {
///     type Item = &'static str;
///     fn next(&mut self) -> Next<&'static str> {
///         Next::Item("tick")
///     }
/// }
///
/// impl Publisher for Ticks {
///     type Item = &'static str;
///     fn subscribe<S: Subscriber<&'static str> + 'static>(&self, subscriber: S) {
///         source::subscribe(Ticks, subscriber);
///     }
/// }
///
/// # struct Take3(Arc<Mutex<Vec<&'static str>>>, Option<SubscriptionRef>);
/// # impl Subscriber<&'static str> for Take3 {
/// #     fn on_subscribe(&mut self, s: SubscriptionRef) { s.request(u64::MAX); self.1 = Some(s); }
/// #     fn on_next(&mut self, v: &'static str) {
/// #         let mut seen = self.0.lock().unwrap();
/// #         seen.push(v);
/// #         if seen.len() == 3 { self.1.take().unwrap().cancel(); }
/// #     }
/// #     fn on_error(&mut self, _: Error) { unreachable!() }
/// #     fn on_complete(&mut self) { unreachable!() }
/// # }
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// Ticks.subscribe(Take3(seen.clone(), None)); // requests u64::MAX, cancels after 3
/// assert_eq!(*seen.lock().unwrap(), ["tick"; 3]);
/// ```
#[inline]
pub fn subscribe<P, S>(cursor: P, subscriber: S)
where
    P: Pull,
    S: Subscriber<P::Item> + 'static,
{
    let subscription = Arc::new(PullSubscription {
        demand: Demand::new(),
        reentrant: ReentrantRequests::new(),
        state: WipCell::new(State {
            pull: Some(cursor),
            subscriber: Some(subscriber),
        }),
    });
    let mut handle: Option<SubscriptionRef> = Some(subscription.clone());
    // The first pass hands out the subscription; requests made inside `on_subscribe` are
    // counted on this thread, and the same pass emits for them.
    subscription
        .state
        .drain(|state| subscription.emit(state, handle.take()));
}

/// Like [`subscribe`], for a cursor whose opening may have failed: `Ok(cursor)` is subscribed
/// as usual, `Err(e)` gives the subscriber `on_subscribe` and then `on_error(e)` at once,
/// without waiting for demand (rules 1.4 and 1.9).
///
/// The cursor is opened by the caller, so on the thread that calls `subscribe` (see the
/// [module docs](self) about blocking).
///
/// # Backpressure
///
/// As [`subscribe`]; a failed cursor needs no demand.
///
/// # Errors
///
/// `Err(e)` ends the stream with `e`; otherwise as [`subscribe`]. A `request(0)` or `cancel`
/// made inside `on_subscribe` wins over the opening error (one terminal signal at most).
///
/// # Examples
///
/// ```
/// use std::fs::File;
/// use std::io::{BufRead, BufReader, Lines};
/// use reactive_core::source::{self, Next, Pull};
/// use reactive_core::{Error, ErrorKind, Publisher, Subscriber};
/// # use reactive_core::SubscriptionRef;
/// # use std::sync::{Arc, Mutex};
///
/// /// The lines of a file, opened for each subscriber.
/// struct FileLines(&'static str);
///
/// struct Cursor(Lines<BufReader<File>>);
///
/// impl Pull for Cursor {
///     type Item = String;
///     fn next(&mut self) -> Next<String> {
///         match self.0.next() {
///             Some(Ok(line)) => Next::Item(line),
///             Some(Err(e)) => Next::End(Err(Error::user(e))),
///             None => Next::End(Ok(())),
///         }
///     }
/// }
///
/// impl Publisher for FileLines {
///     type Item = String;
///     fn subscribe<S: Subscriber<String> + 'static>(&self, subscriber: S) {
///         let opened = File::open(self.0).map(|f| Cursor(BufReader::new(f).lines()));
///         source::subscribe_result(opened.map_err(Error::user), subscriber);
///     }
/// }
///
/// # struct Errors(Arc<Mutex<Vec<ErrorKind>>>);
/// # impl Subscriber<String> for Errors {
/// #     fn on_subscribe(&mut self, _: SubscriptionRef) {} // requests nothing
/// #     fn on_next(&mut self, _: String) { unreachable!() }
/// #     fn on_error(&mut self, e: Error) { self.0.lock().unwrap().push(e.kind()) }
/// #     fn on_complete(&mut self) { unreachable!() }
/// # }
/// let errors = Arc::new(Mutex::new(Vec::new()));
/// FileLines("/no/such/file").subscribe(Errors(errors.clone()));
/// assert_eq!(*errors.lock().unwrap(), [ErrorKind::User]); // without any request
/// ```
#[inline]
pub fn subscribe_result<P, S>(opened: Result<P, Error>, subscriber: S)
where
    P: Pull,
    S: Subscriber<P::Item> + 'static,
{
    match opened {
        Ok(cursor) => subscribe(cursor, subscriber),
        Err(error) => subscribe_error(error, subscriber),
    }
}

/// Subscribes `subscriber` to a source that has already failed: `on_subscribe`, then
/// `on_error(error)` without waiting for demand (rules 1.4 and 1.9), then the subscriber is
/// dropped. A `cancel` or `request(0)` inside `on_subscribe` wins, as in [`subscribe`].
///
/// # Backpressure
///
/// Emits no items, so needs no demand.
///
/// # Errors
///
/// Always: `error` (or the rule 3.9 error for a `request(0)` inside `on_subscribe`).
///
/// # Examples
///
/// ```
/// use reactive_core::{source, Error, Subscriber, SubscriptionRef};
/// # use std::sync::{Arc, Mutex};
///
/// # struct Seen(Arc<Mutex<Vec<String>>>);
/// # impl Subscriber<u8> for Seen {
/// #     fn on_subscribe(&mut self, _: SubscriptionRef) { self.0.lock().unwrap().push("subscribed".into()) }
/// #     fn on_next(&mut self, _: u8) { unreachable!() }
/// #     fn on_error(&mut self, e: Error) { self.0.lock().unwrap().push(e.message().into()) }
/// #     fn on_complete(&mut self) { unreachable!() }
/// # }
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// source::subscribe_error(Error::msg("no connection"), Seen(seen.clone()));
/// assert_eq!(*seen.lock().unwrap(), ["subscribed", "no connection"]);
/// ```
#[inline]
pub fn subscribe_error<T, S>(error: Error, subscriber: S)
where
    T: 'static,
    S: Subscriber<T> + 'static,
{
    subscribe(Failed::<T>(error, std::marker::PhantomData), subscriber);
}

/// The cursor of a source that has failed.
struct Failed<T>(Error, std::marker::PhantomData<fn() -> T>);

impl<T: 'static> Pull for Failed<T> {
    type Item = T;

    fn next(&mut self) -> Next<T> {
        Next::End(Err(self.0.clone()))
    }

    fn end(&mut self) -> Option<Result<(), Error>> {
        Some(Err(self.0.clone()))
    }
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
    /// Requests from inside the running pass's own signals, counted without atomics.
    reentrant: ReentrantRequests,
    state: WipCell<State<P, S>>,
}

/// Why the emission loops stopped. The loops call nothing that could keep a pointer to the
/// cursor or the subscriber (only their inlined `next` and `try_on_next`); `emit` makes the
/// calls that end the stream (`on_complete`, `on_error`) after taking both back.
enum Halt {
    /// Out of demand, or the cursor is pending: the subscription goes on.
    Paused,
    /// Cancelled, or a `request(0)`: [`Demand::check`] says which, and reports the latter.
    Stopping,
    /// The cursor reported its end.
    Ended(Result<(), Error>),
}

/// The cursor and the subscriber while the emission loops run, out of the shared state.
///
/// If the cursor or the subscriber panics, unwinding drops this guard, which ends the
/// subscription for good: it cancels the demand (so later `request`s and `cancel`s are
/// refused at once; the drain cell stays claimed by the pass that panicked), then drops the
/// subscriber and the cursor, during the unwind, on the thread that panicked (rule 3.13; an
/// operator whose subscriber is dropped while `std::thread::panicking()` can tell that its
/// stream died, which `subscribe_on` relies on). On the normal path `emit` takes `parts` out
/// first, so dropping the guard does nothing.
///
/// The guard costs nothing per item as long as nothing but the loops' inlined code sees
/// `parts`: the compiler then keeps the cursor and the subscriber in registers and hands their
/// current values to the unwind path. One call that takes `&mut` to either (`on_complete`
/// inside the loops, say) pins them to the stack, and the unwind path then needs them
/// written back before every call that might unwind: measured at 2.5 times the unbounded
/// loop. Hence [`Halt`], and `emit` making those calls on values it moved out of the guard.
struct Emitting<'a, P, S> {
    demand: &'a Demand,
    /// `Some` while the loops run; `None` once `emit` took them back. `ManuallyDrop`, so that
    /// the only drop is the one in `Drop::drop` below.
    parts: ManuallyDrop<Option<(P, S)>>,
}

impl<P, S> Drop for Emitting<'_, P, S> {
    #[inline(always)]
    fn drop(&mut self) {
        if let Some(parts) = self.parts.take() {
            unwound(self.demand, parts);
        }
    }
}

/// The cursor and the subscriber of a pass that unwound: the subscription is over.
#[cold]
fn unwound<P, S>(demand: &Demand, (pull, subscriber): (P, S)) {
    demand.cancel();
    // The subscriber first, as `State::finish` does; the cursor may be the slower drop.
    drop(subscriber);
    drop(pull);
}

/// Cancels the demand if `on_subscribe` unwinds (the cursor and the subscriber are plain
/// locals there, dropped by the unwind itself); forgotten once it returns.
struct CancelOnUnwind<'a>(&'a Demand);

impl Drop for CancelOnUnwind<'_> {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

impl<P, S> PullSubscription<P, S>
where
    P: Pull,
    S: Subscriber<P::Item>,
{
    /// Emits what the demand allows, after handing out the subscription if `handle` is given
    /// (the first pass). Runs only inside `drain`, so on one thread at a time.
    ///
    /// The cursor and the subscriber are moved out of the shared state into an [`Emitting`]
    /// guard on the stack for the emission loops, and put back when the loops stop without
    /// ending the subscription (nothing else reads the state meanwhile: a `request` or
    /// `cancel` made inside a signal is only recorded: a `request` in the pass's own
    /// [`ReentrantRequests`], a `cancel` in the demand and the drain counter). That is for speed, with
    /// the per-item load in [`Demand::is_stopping`] being `Relaxed`: left in the state behind
    /// the `Arc`, whatever the loop changes per item (the cursor's position, a subscriber's
    /// running total) had to be written to memory before every call that might unwind (such
    /// as the subscriber's own `request`) and before every `Acquire` load, and read back after
    /// it: measured at 3.3 times the same chain written as an `Iterator`, against close to 1
    /// once the state stays in registers. On a panic the guard drops both (see [`Emitting`]).
    #[inline(never)]
    fn emit(&self, state: &mut State<P, S>, handle: Option<SubscriptionRef>) {
        let (Some(pull), Some(mut subscriber)) = (state.pull.take(), state.subscriber.take())
        else {
            state.finish();
            return;
        };
        // From here on, a `request` the subscriber makes on this thread is counted in
        // `reentrant` (no atomics) and picked up by the loops below.
        let _pass = self.reentrant.enter();
        if let Some(handle) = handle {
            // Requests made in here are only counted (`reentrant`); the loops serve them.
            let guard = CancelOnUnwind(&self.demand);
            subscriber.on_subscribe(handle);
            std::mem::forget(guard);
        }
        let mut live = Emitting {
            demand: &self.demand,
            parts: ManuallyDrop::new(Some((pull, subscriber))),
        };
        let halt = match live.parts.as_mut() {
            Some((pull, subscriber)) => self.run(pull, subscriber),
            None => Halt::Paused,
        };
        let Some((pull, mut subscriber)) = live.parts.take() else {
            return;
        };
        match halt {
            Halt::Paused => {
                state.pull = Some(pull);
                state.subscriber = Some(subscriber);
            }
            Halt::Stopping => {
                // Reports a `request(0)` (rule 3.9), unless a cancel came first.
                let left = self.demand.check(&mut subscriber);
                debug_assert!(left.is_none(), "a stopped demand came back as {left:?}");
            }
            Halt::Ended(end) => terminate(&mut subscriber, end),
        }
        // Unless paused, the subscription is over: both are dropped here (rule 3.13).
    }

    /// The emission loops; they stop when the subscription pauses (out of demand, or the
    /// cursor is pending) or must end.
    #[inline(always)]
    fn run(&self, pull: &mut P, subscriber: &mut S) -> Halt {
        // Requests made on this thread before the loops (in `on_subscribe`, or in the signals
        // of an earlier pass of this drain) join the shared demand: one update per pass.
        let early = self.reentrant.take();
        if early != 0 {
            self.demand.add(early);
        }
        let mut requested = match self.ready(pull) {
            Ok(requested) => requested,
            Err(halt) => return halt,
        };
        if requested == UNBOUNDED {
            // Fast path: no demand accounting at all; one load per item to see a cancel or a
            // `request(0)` (unbounded demand only ever leaves for one of those).
            loop {
                if self.demand.is_stopping() {
                    return Halt::Stopping;
                }
                match pull.next() {
                    Next::Item(item) => {
                        subscriber.try_on_next(item);
                    }
                    Next::Pending => return Halt::Paused,
                    Next::End(end) => return Halt::Ended(end),
                }
            }
        }
        // `requested` is the shared demand this batch started from plus `local`: the demand
        // the subscriber added from inside its signals, on this thread (`reentrant`), which
        // never went through the shared demand. Items count against both together; `left` of
        // them are still to come. The count is checked only when an item was accepted.
        let mut local = 0u64;
        let mut left = requested;
        loop {
            if left != 0 {
                loop {
                    if self.demand.is_stopping() {
                        return Halt::Stopping;
                    }
                    match pull.next() {
                        // A rejected item (conditional fast path) does not use up demand.
                        Next::Item(item) => {
                            if subscriber.try_on_next(item) {
                                left -= 1;
                                if left == 0 {
                                    break;
                                }
                            }
                        }
                        Next::Pending => {
                            self.settle(requested - left, local);
                            return Halt::Paused;
                        }
                        Next::End(end) => return Halt::Ended(end),
                    }
                }
            }
            // The batch is used up. First what the subscriber asked for from inside its
            // signals: no shared state involved (a `request(1)` per item costs no atomics).
            let more = self.reentrant.take();
            if more != 0 {
                let sum = add_cap(requested, more);
                if sum != UNBOUNDED {
                    requested = sum;
                    local += more;
                    left = more;
                    continue;
                }
                // So much that the count would saturate: the shared demand takes it instead.
                self.demand.add(more);
            }
            // Then one load says whether the subscription is ending (a cancel reads as "stop",
            // never as "no more demand") or the cursor has ended, and the shared demand pays
            // for what it granted; what remains (requests from other threads included) is the
            // next batch.
            if let Err(halt) = self.ready(pull) {
                return halt;
            }
            requested = self.demand.produced(requested - local);
            local = 0;
            left = requested;
            if requested == 0 {
                // Out of demand (or cancelled meanwhile, which the next pass sees): a later
                // request or cancel re-enters through `drain`.
                return Halt::Paused;
            }
        }
    }

    /// Brings the shared demand up to date after `emitted` items, against a batch that had
    /// `local` demand on top of the shared one: subtracts what the shared demand paid for, or
    /// adds the local demand that was not used.
    #[inline]
    fn settle(&self, emitted: u64, local: u64) {
        if emitted >= local {
            self.demand.produced(emitted - local);
        } else {
            self.demand.add(local - emitted);
        }
    }

    /// The demand, if the subscription goes on; otherwise why not: cancelled or failed by
    /// `request(0)` ([`Halt::Stopping`], one `Acquire` load), or the cursor says it has ended
    /// ([`Halt::Ended`], signalled without waiting for demand).
    #[inline(always)]
    fn ready(&self, pull: &mut P) -> Result<u64, Halt> {
        let Requested::Demand(requested) = self.demand.requested() else {
            return Err(Halt::Stopping);
        };
        match pull.end() {
            Some(end) => Err(Halt::Ended(end)),
            None => Ok(requested),
        }
    }
}

/// Signals the end the cursor reported.
#[inline]
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
        // From inside the running pass's signals, on its thread: the loops pick it up.
        if n != 0 && self.reentrant.try_add(n) {
            return;
        }
        // `add(0)` records rule 3.9's invalid request; `None`: cancelled (rule 3.6), or an
        // invalid request already recorded, whose caller drains.
        if self.demand.add(n).is_some() {
            self.state.drain(|state| self.emit(state, None));
        }
    }

    fn cancel(&self) {
        if self.demand.cancel() {
            self.state.drain(|state| self.emit(state, None));
        }
    }
}

/// Cursors and a recording subscriber shared by the unit tests and the loom models.
#[cfg(test)]
mod fixtures {
    use super::{Next, Pull};
    use crate::loom::sync::Mutex;
    use crate::{Error, ErrorKind, Subscriber, SubscriptionRef};
    use std::sync::{Arc, Weak};

    /// `0..n`, completing eagerly (`end` knows), or lazily when `eager` is false.
    pub(super) struct Count {
        pub(super) next: u64,
        pub(super) n: u64,
        pub(super) eager: bool,
        /// Dropped with the cursor.
        pub(super) _token: Arc<()>,
    }

    pub(super) fn count(n: u64, eager: bool) -> (Count, Weak<()>) {
        let token = Arc::new(());
        let weak = Arc::downgrade(&token);
        let cursor = Count {
            next: 0,
            n,
            eager,
            _token: token,
        };
        (cursor, weak)
    }

    impl Pull for Count {
        type Item = u64;
        fn next(&mut self) -> Next<u64> {
            if self.next == self.n {
                return Next::End(Ok(()));
            }
            self.next += 1;
            Next::Item(self.next - 1)
        }
        fn end(&mut self) -> Option<Result<(), Error>> {
            (self.eager && self.next == self.n).then_some(Ok(()))
        }
    }

    type Hook = Box<dyn FnMut(&SubscriptionRef, u64) -> bool + Send>;

    #[derive(Default)]
    pub(super) struct Record {
        pub(super) items: Vec<u64>,
        pub(super) requested: u64,
        pub(super) subscribed: usize,
        pub(super) completes: usize,
        pub(super) errors: Vec<ErrorKind>,
        /// The thread each `on_error` ran on.
        pub(super) error_threads: Vec<crate::loom::thread::ThreadId>,
        pub(super) subscription: Option<SubscriptionRef>,
    }

    /// Records what it receives; requests `initial` in `on_subscribe` (nothing for 0). The
    /// hook runs for each item with no lock held; it returns whether the item is accepted
    /// (`try_on_next`).
    pub(super) struct Recorder {
        pub(super) record: Arc<Mutex<Record>>,
        pub(super) initial: u64,
        pub(super) hook: Option<Hook>,
        pub(super) _token: Arc<()>,
    }

    pub(super) fn recorder(initial: u64) -> (Recorder, Arc<Mutex<Record>>, Weak<()>) {
        let record = Arc::new(Mutex::new(Record::default()));
        let token = Arc::new(());
        let weak = Arc::downgrade(&token);
        let r = Recorder {
            record: record.clone(),
            initial,
            hook: None,
            _token: token,
        };
        (r, record, weak)
    }

    impl Recorder {
        /// Calls `act` on the subscription when item `at` arrives (and accepts every item).
        #[cfg_attr(reactive_loom, allow(dead_code))]
        pub(super) fn at_item(self, at: u64, act: fn(&SubscriptionRef)) -> Self {
            self.with_hook(move |s, item| {
                if item == at {
                    act(s);
                }
                true
            })
        }

        #[cfg_attr(reactive_loom, allow(dead_code))]
        pub(super) fn with_hook(
            mut self,
            hook: impl FnMut(&SubscriptionRef, u64) -> bool + Send + 'static,
        ) -> Self {
            self.hook = Some(Box::new(hook));
            self
        }
    }

    /// Requests `n` through the record's subscription, counting it as requested.
    #[cfg_attr(reactive_loom, allow(dead_code))]
    pub(super) fn request(record: &Arc<Mutex<Record>>, n: u64) {
        let s = record.lock().subscription.clone().expect("subscribed");
        request_via(record, &s, n);
    }

    /// Requests `n` through `s` (kept by the caller, so usable after the end), counting it.
    pub(super) fn request_via(record: &Arc<Mutex<Record>>, s: &SubscriptionRef, n: u64) {
        {
            let mut r = record.lock();
            r.requested = r.requested.saturating_add(n);
        }
        s.request(n);
    }

    impl Subscriber<u64> for Recorder {
        fn on_subscribe(&mut self, s: SubscriptionRef) {
            {
                let mut r = self.record.lock();
                r.subscribed += 1;
                r.subscription = Some(s.clone());
                r.requested = r.requested.saturating_add(self.initial);
            }
            if self.initial > 0 {
                s.request(self.initial);
            }
        }
        fn on_next(&mut self, item: u64) {
            self.try_on_next(item);
        }
        fn try_on_next(&mut self, item: u64) -> bool {
            let s = {
                let r = self.record.lock();
                assert!(
                    (r.items.len() as u64) < r.requested,
                    "item {item} beyond the {} requested (rule 1.1)",
                    r.requested
                );
                r.subscription.clone()
            };
            let accepted = match (self.hook.as_mut(), s) {
                (Some(hook), Some(s)) => hook(&s, item),
                _ => true,
            };
            if accepted {
                self.record.lock().items.push(item);
            }
            accepted
        }
        fn on_error(&mut self, e: Error) {
            let mut r = self.record.lock();
            r.errors.push(e.kind());
            r.error_threads.push(crate::loom::thread::current().id());
            r.subscription = None;
        }
        fn on_complete(&mut self) {
            let mut r = self.record.lock();
            r.completes += 1;
            r.subscription = None;
        }
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::fixtures::{count, recorder, request, request_via};
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn emits_exactly_what_is_requested_and_completes_eagerly() {
        let (cursor, cursor_alive) = count(5, true);
        let (r, record, alive) = recorder(2);
        subscribe(cursor, r);
        assert_eq!(record.lock().items, [0, 1]);
        request(&record, 2);
        assert_eq!(record.lock().items, [0, 1, 2, 3]);
        assert_eq!(record.lock().completes, 0);
        request(&record, 1);
        let r = record.lock();
        assert_eq!(r.items, [0, 1, 2, 3, 4]);
        assert_eq!(r.completes, 1, "completes right after the last item");
        assert_eq!(alive.strong_count(), 0, "subscriber dropped (rule 3.13)");
        assert_eq!(cursor_alive.strong_count(), 0, "cursor dropped");
    }

    #[test]
    fn without_end_completion_waits_for_the_next_request() {
        let (cursor, _) = count(2, false);
        let (r, record, alive) = recorder(2);
        subscribe(cursor, r);
        assert_eq!(record.lock().completes, 0);
        assert_eq!(alive.strong_count(), 1);
        request(&record, 1);
        assert_eq!(record.lock().items, [0, 1]);
        assert_eq!(record.lock().completes, 1);
        assert_eq!(alive.strong_count(), 0);
    }

    #[test]
    fn empty_cursor_completes_without_demand() {
        let (cursor, _) = count(0, true);
        let (r, record, alive) = recorder(0);
        subscribe(cursor, r);
        let r = record.lock();
        assert_eq!((r.subscribed, r.completes), (1, 1));
        assert_eq!(alive.strong_count(), 0);
    }

    #[test]
    fn unbounded_demand_runs_to_the_end() {
        let (cursor, _) = count(1000, false);
        let (r, record, _) = recorder(UNBOUNDED);
        subscribe(cursor, r);
        let r = record.lock();
        assert!(r.items.iter().copied().eq(0..1000));
        assert_eq!(r.completes, 1);
    }

    #[test]
    fn demand_sums_saturate() {
        let (cursor, _) = count(10, true);
        let (r, record, _) = recorder(0);
        subscribe(cursor, r);
        let s = record.lock().subscription.clone().unwrap();
        request_via(&record, &s, u64::MAX - 5);
        request_via(&record, &s, 100);
        assert_eq!(record.lock().items.len(), 10);
        assert_eq!(record.lock().completes, 1);
    }

    #[test]
    fn request_zero_fails_once_and_releases_everything() {
        let (cursor, cursor_alive) = count(u64::MAX, true);
        let (r, record, alive) = recorder(1);
        subscribe(cursor, r);
        let s = record.lock().subscription.clone().unwrap();
        s.request(0);
        s.request(0);
        request_via(&record, &s, 5);
        let r = record.lock();
        assert_eq!(r.items, [0]);
        assert_eq!(r.errors, [ErrorKind::InvalidRequest]);
        assert_eq!(r.completes, 0);
        assert_eq!(alive.strong_count(), 0, "subscriber dropped (rule 3.13)");
        assert_eq!(cursor_alive.strong_count(), 0, "cursor dropped");
    }

    #[test]
    fn request_zero_with_demand_outstanding_fails() {
        let (record, alive) = bursts_with_8_owed();
        let s = record.lock().subscription.clone().unwrap();
        s.request(0);
        assert_eq!(record.lock().errors, [ErrorKind::InvalidRequest]);
        assert_eq!(alive.strong_count(), 0);
    }

    #[test]
    fn request_zero_during_unbounded_emission_stops_it() {
        let (cursor, _) = count(u64::MAX, false);
        let (r, record, _) = recorder(UNBOUNDED);
        let r = r.at_item(2, |s| s.request(0));
        subscribe(cursor, r);
        let r = record.lock();
        assert_eq!(r.items, [0, 1, 2]);
        assert_eq!(r.errors, [ErrorKind::InvalidRequest]);
    }

    #[test]
    fn request_zero_after_cancel_is_ignored() {
        let (cursor, _) = count(10, true);
        let (r, record, alive) = recorder(0);
        subscribe(cursor, r);
        let s = record.lock().subscription.clone().unwrap();
        s.cancel();
        s.request(0);
        assert!(record.lock().errors.is_empty());
        drop(record.lock().subscription.take());
        assert_eq!(alive.strong_count(), 0);
    }

    #[test]
    fn cancel_from_on_next_stops_and_drops_while_the_handle_is_kept() {
        let (cursor, cursor_alive) = count(u64::MAX, false);
        let (r, record, alive) = recorder(UNBOUNDED);
        let r = r.at_item(4, |s| s.cancel());
        subscribe(cursor, r);
        let kept = record.lock().subscription.clone().unwrap();
        assert_eq!(record.lock().items, [0, 1, 2, 3, 4]);
        assert_eq!(
            alive.strong_count(),
            0,
            "rule 3.13, while a handle is still held"
        );
        assert_eq!(cursor_alive.strong_count(), 0);
        kept.request(3);
        assert_eq!(record.lock().items.len(), 5, "rule 3.6");
    }

    #[test]
    fn refused_items_do_not_use_up_demand() {
        let (cursor, _) = count(10, true);
        let (r, record, _) = recorder(3);
        let r = r.with_hook(|_, item| item % 2 == 0);
        subscribe(cursor, r);
        assert_eq!(record.lock().items, [0, 2, 4]);
    }

    #[test]
    fn request_from_on_next_does_not_recurse() {
        use std::cell::Cell;
        thread_local!(static DEPTH: Cell<usize> = const { Cell::new(0) });
        let (cursor, _) = count(10_000, true);
        let (r, record, _) = recorder(1);
        let max = std::sync::Arc::new(crate::loom::sync::atomic::AtomicUsize::new(0));
        let seen = max.clone();
        let rec = record.clone();
        let r = r.with_hook(move |s, _| {
            let d = DEPTH.with(|d| {
                d.set(d.get() + 1);
                d.get()
            });
            seen.fetch_max(d, crate::loom::sync::atomic::Ordering::Relaxed);
            request_via(&rec, s, 1);
            DEPTH.with(|d| d.set(d.get() - 1));
            true
        });
        subscribe(cursor, r);
        assert_eq!(record.lock().items.len(), 10_000);
        assert_eq!(record.lock().completes, 1);
        assert_eq!(
            max.load(crate::loom::sync::atomic::Ordering::Relaxed),
            1,
            "rule 3.3"
        );
    }

    /// Pending, then items again: the engine resumes on the next request.
    struct Bursts {
        left_in_burst: u64,
        next: u64,
    }

    impl Pull for Bursts {
        type Item = u64;
        fn next(&mut self) -> Next<u64> {
            if self.left_in_burst == 0 {
                self.left_in_burst = 2;
                return Next::Pending;
            }
            self.left_in_burst -= 1;
            self.next += 1;
            Next::Item(self.next - 1)
        }
    }

    /// Subscribes to [`Bursts`] and requests 10: 2 arrive, then `Pending` with 8 owed.
    fn bursts_with_8_owed() -> (
        std::sync::Arc<crate::loom::sync::Mutex<super::fixtures::Record>>,
        std::sync::Weak<()>,
    ) {
        let (r, record, alive) = recorder(0);
        let cursor = Bursts {
            left_in_burst: 2,
            next: 0,
        };
        subscribe(cursor, r);
        request(&record, 10);
        assert_eq!(record.lock().items, [0, 1]);
        (record, alive)
    }

    /// `0..6`, but `Pending` once before item 2.
    struct PendingOnce {
        next: u64,
        paused: bool,
    }

    impl Pull for PendingOnce {
        type Item = u64;
        fn next(&mut self) -> Next<u64> {
            if self.next == 2 && !self.paused {
                self.paused = true;
                return Next::Pending;
            }
            if self.next == 6 {
                return Next::End(Ok(()));
            }
            self.next += 1;
            Next::Item(self.next - 1)
        }
        fn end(&mut self) -> Option<Result<(), Error>> {
            (self.next == 6).then_some(Ok(()))
        }
    }

    /// Subscribes a recorder that requests `initial`, then `at_item_0` from inside
    /// `on_next(0)` and 1 from inside `on_next(1)`, to [`PendingOnce`].
    fn pending_once_with(
        initial: u64,
        at_item_0: u64,
    ) -> std::sync::Arc<crate::loom::sync::Mutex<super::fixtures::Record>> {
        let (r, record, _) = recorder(initial);
        let in_hook = record.clone();
        let r = r.with_hook(move |s, item| {
            match item {
                0 => request_via(&in_hook, s, at_item_0),
                1 => request_via(&in_hook, s, 1),
                _ => {}
            }
            true
        });
        subscribe(
            PendingOnce {
                next: 0,
                paused: false,
            },
            r,
        );
        record
    }

    /// Demand requested from inside `on_next` (counted on the emitting thread, outside the
    /// shared demand) and not used when the cursor pauses is kept for the next pass.
    #[test]
    fn reentrant_demand_left_at_a_pause_is_kept() {
        // 1, then 1 from each of items 0 and 1: 3 requested, 2 delivered, then the pause.
        let record = pending_once_with(1, 1);
        assert_eq!(record.lock().items, [0, 1]);
        request(&record, 1); // the one still owed, plus this one
        assert_eq!(record.lock().items, [0, 1, 2, 3]);
        // 1, then 4 from item 0 and 1 from item 1: 6 requested, 2 delivered at the pause, so
        // 4 owed, all from inside `on_next`.
        let record = pending_once_with(1, 4);
        assert_eq!(record.lock().items, [0, 1]);
        request(&record, 1);
        let r = record.lock();
        assert_eq!(r.items, [0, 1, 2, 3, 4, 5]);
        assert_eq!(r.completes, 1);
    }

    /// `request(u64::MAX)` from inside `on_next` switches the running loop to unbounded.
    #[test]
    fn reentrant_unbounded_request_is_served_by_the_same_pass() {
        let (cursor, _) = count(1_000, true);
        let (r, record, alive) = recorder(1);
        let in_hook = record.clone();
        let r = r.with_hook(move |s, item| {
            if item == 0 {
                request_via(&in_hook, s, u64::MAX);
            }
            true
        });
        subscribe(cursor, r);
        let r = record.lock();
        assert_eq!(r.items.len(), 1_000);
        assert_eq!(r.completes, 1);
        drop(r);
        assert_eq!(alive.strong_count(), 0);
    }

    #[test]
    fn pending_waits_for_the_next_request() {
        let (record, _) = bursts_with_8_owed();
        request(&record, 1); // 8 were still owed, plus this one
        assert_eq!(record.lock().items, [0, 1, 2, 3]);
    }

    #[test]
    fn failed_open_errors_right_after_on_subscribe() {
        let (r, record, alive) = recorder(0);
        subscribe_result::<super::fixtures::Count, _>(Err(Error::msg("cannot open")), r);
        let r = record.lock();
        assert_eq!(r.subscribed, 1);
        assert_eq!(r.errors, [ErrorKind::User]);
        assert!(r.items.is_empty() && r.completes == 0);
        assert_eq!(alive.strong_count(), 0);
    }

    #[test]
    fn opened_cursor_is_subscribed() {
        let (cursor, _) = count(2, true);
        let (r, record, _) = recorder(2);
        subscribe_result(Ok(cursor), r);
        assert_eq!(record.lock().items, [0, 1]);
        assert_eq!(record.lock().completes, 1);
    }

    #[test]
    fn cancel_inside_on_subscribe_suppresses_the_open_error() {
        struct CancelAtOnce(std::sync::Arc<crate::loom::sync::atomic::AtomicBool>);
        impl Subscriber<u64> for CancelAtOnce {
            fn on_subscribe(&mut self, s: SubscriptionRef) {
                s.cancel();
            }
            fn on_next(&mut self, _: u64) {
                unreachable!()
            }
            fn on_error(&mut self, _: Error) {
                self.0
                    .store(true, crate::loom::sync::atomic::Ordering::Relaxed);
            }
            fn on_complete(&mut self) {
                unreachable!()
            }
        }
        let errored = std::sync::Arc::new(crate::loom::sync::atomic::AtomicBool::new(false));
        subscribe_error::<u64, _>(Error::msg("x"), CancelAtOnce(errored.clone()));
        assert!(!errored.load(crate::loom::sync::atomic::Ordering::Relaxed));
    }
    /// A cursor that panics when it reaches `at`; dropped with a token.
    struct PanicAt {
        inner: super::fixtures::Count,
        at: u64,
    }

    impl Pull for PanicAt {
        type Item = u64;
        fn next(&mut self) -> Next<u64> {
            assert!(self.inner.next != self.at, "cursor failed at {}", self.at);
            self.inner.next()
        }
    }

    /// Runs `f`, expecting it to panic with a message containing `expected`.
    fn expect_panic(expected: &str, f: impl FnOnce()) {
        let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
            .expect_err("the panic reaches the caller");
        let message = Error::panic(payload.as_ref()).message().to_owned();
        assert!(message.contains(expected), "{message}");
    }

    /// A panic in the cursor reaches whoever drove the emission; the engine drops the
    /// subscriber and the cursor while it unwinds (instead of leaking them), and the
    /// subscription is dead: later requests emit nothing.
    #[test]
    fn a_panicking_cursor_is_dropped_with_the_subscriber() {
        for initial in [UNBOUNDED, 10, 2] {
            let (inner, cursor_alive) = count(u64::MAX, false);
            let (r, record, alive) = recorder(initial);
            let cursor = PanicAt { inner, at: 3 };
            let s = if initial == 2 {
                subscribe(cursor, r); // 2 items, then the panic on the next request
                let s = record.lock().subscription.clone().unwrap();
                expect_panic("cursor failed at 3", || request_via(&record, &s, 5));
                s
            } else {
                let rec = record.clone();
                expect_panic("cursor failed at 3", move || subscribe(cursor, r));
                rec.lock().subscription.clone().unwrap()
            };
            assert_eq!(alive.strong_count(), 0, "subscriber dropped ({initial})");
            assert_eq!(cursor_alive.strong_count(), 0, "cursor dropped ({initial})");
            s.request(5);
            s.cancel();
            let r = record.lock();
            assert_eq!(r.items, [0, 1, 2]);
            assert!(r.completes == 0 && r.errors.is_empty());
        }
    }

    /// A panic in the subscriber (in `on_next`, or in `on_subscribe`) drops it and the
    /// cursor too.
    #[test]
    fn a_panicking_subscriber_is_dropped_with_the_cursor() {
        let (cursor, cursor_alive) = count(100, true);
        let (r, record, alive) = recorder(UNBOUNDED);
        let r = r.with_hook(|_, item| {
            assert!(item != 4, "subscriber failed at {item}");
            true
        });
        expect_panic("subscriber failed at 4", move || subscribe(cursor, r));
        assert_eq!(alive.strong_count(), 0, "subscriber dropped");
        assert_eq!(cursor_alive.strong_count(), 0, "cursor dropped");
        assert_eq!(record.lock().items, [0, 1, 2, 3]);

        struct FailsOnSubscribe {
            _alive: Arc<()>,
        }
        impl Subscriber<u64> for FailsOnSubscribe {
            fn on_subscribe(&mut self, s: SubscriptionRef) {
                s.request(1);
                panic!("on_subscribe failed");
            }
            fn on_next(&mut self, _: u64) {
                unreachable!("the subscription died in on_subscribe")
            }
            fn on_error(&mut self, _: Error) {}
            fn on_complete(&mut self) {}
        }
        let (cursor, cursor_alive) = count(10, true);
        let token = Arc::new(());
        let alive = Arc::downgrade(&token);
        expect_panic("on_subscribe failed", move || {
            subscribe(cursor, FailsOnSubscribe { _alive: token });
        });
        assert_eq!(alive.strong_count(), 0, "subscriber dropped");
        assert_eq!(cursor_alive.strong_count(), 0, "cursor dropped");
    }
}

/// The races of the engine, under loom: a subscriber holds an initial demand of 1 on a
/// cursor of 3 items while other threads request, cancel or send `request(0)`. Each model
/// checks the invariants that matter: never more items than requested (rule 1.1, asserted in
/// the recorder), items in order, at most one terminal signal (rule 1.7), a `request(0)`
/// reported exactly once unless the stream had ended (rule 3.9), and the subscriber dropped
/// once the subscription is over (rule 3.13).
#[cfg(all(test, reactive_loom))]
mod loom_models {
    use super::fixtures::{Record, count, recorder, request_via};
    use super::subscribe;
    use crate::ErrorKind;
    use crate::SubscriptionRef;
    use crate::loom::sync::Mutex;
    use crate::loom::thread;
    use std::sync::{Arc, Weak};

    /// Subscribes a recorder (requesting 1) to a cursor of 3 items; returns the record, the
    /// subscription and a weak handle on the subscriber.
    fn start() -> (Arc<Mutex<Record>>, SubscriptionRef, Weak<()>) {
        let (cursor, _) = count(3, true);
        let (r, record, alive) = recorder(1);
        subscribe(cursor, r);
        let s = record
            .lock()
            .subscription
            .clone()
            .expect("on_subscribe ran");
        (record, s, alive)
    }

    fn check_common(r: &Record) {
        let n = r.items.len() as u64;
        assert!(
            r.items.iter().copied().eq(0..n),
            "items out of order: {:?}",
            r.items
        );
        assert!(
            r.completes + r.errors.len() <= 1,
            "two terminal signals (rule 1.7)"
        );
        if r.completes == 1 {
            assert_eq!(n, 3, "completed early");
        }
    }

    /// Starts a subscription, runs `a` and `b` against it on two threads, checks the common
    /// invariants and then `check` (with what the threads returned), and finally, while the
    /// subscription is still held (as a subscriber that keeps it would), that the subscriber
    /// was dropped (rule 3.13).
    fn race<A, B>(
        a: impl FnOnce(&Arc<Mutex<Record>>, &SubscriptionRef) -> A + Send + 'static,
        b: impl FnOnce(&Arc<Mutex<Record>>, &SubscriptionRef) -> B + Send + 'static,
        check: impl FnOnce(&Record, A, B),
    ) where
        A: Send + 'static,
        B: Send + 'static,
    {
        let (record, s, alive) = start();
        let (r1, s1) = (record.clone(), s.clone());
        let ta = thread::spawn(move || a(&r1, &s1));
        let (r2, s2) = (record.clone(), s.clone());
        let tb = thread::spawn(move || b(&r2, &s2));
        let (from_a, from_b) = (ta.join().unwrap(), tb.join().unwrap());
        let r = record.lock();
        check_common(&r);
        check(&r, from_a, from_b);
        drop(r);
        assert_eq!(
            alive.strong_count(),
            0,
            "subscriber kept after the subscription ended (rule 3.13)"
        );
        drop(s);
    }

    /// A request from one thread races a cancel from another while the first item is out.
    #[test]
    fn request_races_cancel() {
        loom::model(|| {
            race(
                |r, s| request_via(r, s, 2),
                |_, s| s.cancel(),
                |r, (), ()| assert!(r.errors.is_empty()),
            )
        });
    }

    /// `request(0)` races a valid request: exactly one terminal signal, and the rule 3.9 error
    /// unless the stream had already completed.
    #[test]
    fn request_zero_races_request() {
        loom::model(|| request_zero_races_a_request_of(2));
    }

    /// One thread requests `n`, another `request(0)`: exactly one terminal signal, and the
    /// rule 3.9 error unless the stream had completed first.
    fn request_zero_races_a_request_of(n: u64) {
        race(
            move |r, s| request_via(r, s, n),
            |_, s| s.request(0),
            |r, (), ()| {
                assert_eq!(r.completes + r.errors.len(), 1, "no terminal signal");
                if r.completes == 0 {
                    assert_eq!(r.errors, vec![ErrorKind::InvalidRequest]);
                }
            },
        )
    }

    /// `request(0)` races a cancel: at most one error, never delivered by the cancel call
    /// itself (a cancel that lands first suppresses it), and the subscriber is dropped.
    #[test]
    fn request_zero_races_cancel() {
        loom::model(|| {
            race(
                |_, s| s.request(0),
                |_, s| {
                    s.cancel();
                    thread::current().id()
                },
                |r, (), cancelling_thread| {
                    assert_eq!(r.completes, 0);
                    assert!(r.errors.iter().all(|k| *k == ErrorKind::InvalidRequest));
                    assert!(
                        !r.error_threads.contains(&cancelling_thread),
                        "the cancel call delivered the rule 3.9 error"
                    );
                },
            )
        });
    }

    /// `request(0)` races the unbounded fast path, whose per-item check is a `Relaxed` load:
    /// exactly one terminal signal, the rule 3.9 error unless the stream had completed first.
    #[test]
    fn request_zero_races_unbounded_emission() {
        loom::model(|| request_zero_races_a_request_of(crate::UNBOUNDED));
    }

    /// A request the subscriber makes from inside `on_next` (counted without atomics, on the
    /// emitting thread) races a request from another thread: neither is lost, and the one
    /// from the other thread never touches the emitter's local count.
    #[test]
    fn reentrant_request_races_foreign_request() {
        loom::model(|| {
            let (cursor, _) = count(3, true);
            let (r, record, _alive) = recorder(0);
            let in_hook = record.clone();
            let r = r.with_hook(move |s, item| {
                if item == 0 {
                    request_via(&in_hook, s, 1);
                }
                true
            });
            subscribe(cursor, r);
            let s = record.lock().subscription.clone().expect("subscribed");
            let (ra, sa) = (record.clone(), s.clone());
            let (rb, sb) = (record.clone(), s.clone());
            let ta = thread::spawn(move || request_via(&ra, &sa, 1));
            let tb = thread::spawn(move || request_via(&rb, &sb, 1));
            ta.join().unwrap();
            tb.join().unwrap();
            let r = record.lock();
            check_common(&r);
            assert_eq!(r.items, vec![0, 1, 2], "a request was lost");
            assert_eq!(r.completes, 1);
        });
    }

    /// Two threads request concurrently: every requested item arrives exactly once, in order,
    /// followed by completion.
    #[test]
    fn concurrent_requests_deliver_everything_once() {
        loom::model(|| {
            race(
                |r, s| request_via(r, s, 1),
                |r, s| request_via(r, s, 1),
                |r, (), ()| {
                    assert_eq!(r.items, vec![0, 1, 2], "a request was lost");
                    assert_eq!(r.completes, 1);
                },
            )
        });
    }
}
