use reactive_core::source::{self, Next, Pull};
use reactive_core::{Error, Publisher, Subscriber};

/// Emits what a synchronous state machine produces, one `step` call per requested item:
/// `Some(Ok(item))` emits `item`, `Some(Err(e))` fails the stream with `e`, `None` completes
/// it.
///
/// The way to wrap a cursor, a file reader or a parser: `init()` creates the state for each
/// subscriber (so the publisher is cold, and two subscribers read independently), `step`
/// advances it. `step` has the shape of [`Iterator::next`] over `Result`s, so
/// `|lines| lines.next()` over a [`std::io::Lines`] is a step. The state is dropped when the
/// subscription ends (completion, error or cancel): its `Drop` is where a file or a
/// connection gets closed. Each subscriber gets its own clone of `init` and of `step`.
///
/// # Threads
///
/// `init` runs on the thread that calls `subscribe`; `step` runs on whichever thread drains
/// the source: the caller of `subscribe` for what was requested inside `on_subscribe`, and
/// afterwards the caller of a `request` that found the source idle (usually the subscriber,
/// from its `on_next`). A `step` that blocks (a read from disk or a socket) blocks that
/// caller. To keep it off the subscriber's thread, subscribe through
/// [`subscribe_on`](crate::PublisherExt::subscribe_on) with a scheduler for blocking work:
/// `init` and every `step` then run on its worker, and
/// [`publish_on`](crate::PublisherExt::publish_on) can move the items to another thread
/// after that.
///
/// # Backpressure
///
/// Exact: `step` is called only while there is demand, once per requested item, and never
/// ahead of it, so a reader reads no line nobody asked for. Buffers nothing. The other side
/// of that: `generate` learns that it has ended only from a `step` returning `None` (or
/// `Err`), which it calls only under demand, so a subscriber that requested exactly the
/// number of items there are gets `on_complete` on its next `request`, not right after the
/// last item. (A [`from_iter_once`](crate::from_iter_once) over an iterator completes
/// eagerly because it looks one item ahead.) Unbounded demand runs a tight loop; `request`
/// from inside `on_next` never grows the stack (rule 3.3).
///
/// # Errors
///
/// * `Some(Err(e))` ends the stream with `on_error(Error::user(e))`: kind
///   [`ErrorKind::User`](reactive_core::ErrorKind::User) with `e` as its
///   [`source`](std::error::Error::source) (use `downcast_ref` to get it back), or `e`
///   itself, kind kept, when `E` is [`Error`](reactive_core::Error). `step` is not called
///   again, and the state is dropped.
/// * `request(0)` ends the stream with an
///   [`ErrorKind::InvalidRequest`](reactive_core::ErrorKind::InvalidRequest) error (rule
///   3.9).
/// * A panic in `init` or `step` propagates to the caller of `subscribe` or `request`; the
///   state and the subscriber are dropped while it unwinds.
///
/// # Examples
///
/// Lines of a reader, read only as they are requested:
///
/// ```
/// use std::io::BufRead;
/// use reactive_operators::generate;
/// use reactive_tck::StepVerifier;
///
/// let lines = generate(
///     || std::io::Cursor::new("alpha\nbeta\n").lines(),
///     |lines| lines.next(),
/// );
/// StepVerifier::create(&lines)
///     .initial_request(2)
///     .expect_next_values(["alpha".to_string(), "beta".to_string()])
///     .then_request(1) // finds the end
///     .expect_complete()
///     .verify()
///     .unwrap();
/// ```
///
/// A state machine of your own, failing with your own error:
///
/// ```
/// use reactive_operators::generate;
/// use reactive_tck::StepVerifier;
///
/// #[derive(Debug)]
/// struct Overflowed;
/// impl std::fmt::Display for Overflowed {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str("u8 overflowed")
///     }
/// }
/// impl std::error::Error for Overflowed {}
///
/// // Powers of 2 that fit in a u8, then the error.
/// let powers = generate(|| Some(1u8), |next: &mut Option<u8>| {
///     let v = next.take()?;
///     *next = v.checked_mul(2);
///     Some(if v == 128 { Err(Overflowed) } else { Ok(v) })
/// });
/// StepVerifier::create(&powers)
///     .expect_next_values([1, 2, 4, 8, 16, 32, 64])
///     .expect_error_matches(|e| e.message() == "u8 overflowed")
///     .verify()
///     .unwrap();
/// ```
pub fn generate<I, St, F, T, E>(init: I, step: F) -> Generate<I, F>
where
    I: FnOnce() -> St + Clone + Send + 'static,
    St: Send + 'static,
    F: FnMut(&mut St) -> Option<Result<T, E>> + Clone + Send + 'static,
    T: Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    Generate { init, step }
}

/// The publisher returned by [`generate`].
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Generate<I, F> {
    init: I,
    step: F,
}

impl<I, F> std::fmt::Debug for Generate<I, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generate").finish_non_exhaustive()
    }
}

impl<I, St, F, T, E> Publisher for Generate<I, F>
where
    I: FnOnce() -> St + Clone + Send + 'static,
    St: Send + 'static,
    F: FnMut(&mut St) -> Option<Result<T, E>> + Clone + Send + 'static,
    T: Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    type Item = T;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<T> + 'static,
    {
        let state = (self.init.clone())();
        source::subscribe(
            GeneratePull {
                state,
                step: self.step.clone(),
            },
            subscriber,
        );
    }
}

/// The cursor: the subscriber's state and its own copy of `step`.
struct GeneratePull<St, F> {
    state: St,
    step: F,
}

impl<St, F, T, E> Pull for GeneratePull<St, F>
where
    St: Send + 'static,
    F: FnMut(&mut St) -> Option<Result<T, E>> + Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    type Item = T;

    #[inline(always)]
    fn next(&mut self) -> Next<T> {
        match (self.step)(&mut self.state) {
            Some(Ok(item)) => Next::Item(item),
            Some(Err(e)) => Next::End(Err(Error::user(e))),
            None => Next::End(Ok(())),
        }
    }
}
