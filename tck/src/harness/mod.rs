//! The building blocks of the TCK's tests: latches, promises, the element queue, the TCK's own
//! manual subscriber and manual publisher, and the drop token of rule 3.13.
//!
//! They are public so that users can write further tests in the same style.

use std::any::Any;
use std::collections::VecDeque;
use std::fmt::Debug;
use std::sync::Arc;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use reactive_core::{
    BoxPublisher, Error, ErrorKind, Publisher, Subscriber, Subscription, SubscriptionRef,
};

use crate::runner::env::{TEST_BUFFER_SIZE, TestEnvironment};
use crate::runner::outcome::Stop;

/// Milliseconds, for messages.
pub(crate) fn ms(d: Duration) -> u128 {
    d.as_millis()
}

/// `std::any::type_name` without module paths: `reactive_operators::source::range::Range<i32>`
/// becomes `Range<i32>`.
pub fn short_type_name<T: ?Sized>() -> String {
    shorten_type_name(std::any::type_name::<T>())
}

/// The name of a publisher for messages: its short type name, or, for a [`BoxPublisher`], the
/// short name of the type that was boxed (`Countdown`, not `BoxPublisher<u64>`).
///
/// ```
/// use reactive_core::{BoxPublisher, Publisher, Subscriber};
/// use reactive_tck::harness::publisher_name;
///
/// struct Countdown;
/// impl Publisher for Countdown {
///     type Item = u64;
///     fn subscribe<S: Subscriber<u64> + 'static>(&self, _: S) {}
/// }
///
/// assert_eq!(publisher_name(&Countdown), "Countdown");
/// assert_eq!(publisher_name(&BoxPublisher::new(Countdown)), "Countdown");
/// ```
pub fn publisher_name<P>(publisher: &P) -> String
where
    P: Publisher + 'static,
    P::Item: 'static,
{
    match (publisher as &dyn Any).downcast_ref::<BoxPublisher<P::Item>>() {
        Some(boxed) => shorten_type_name(boxed.type_name()),
        None => short_type_name::<P>(),
    }
}

/// A full type name without module paths.
pub(crate) fn shorten_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut segment = String::new();
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            segment.clear();
        } else if c.is_alphanumeric() || c == '_' {
            segment.push(c);
        } else {
            out.push_str(&segment);
            segment.clear();
            out.push(c);
        }
    }
    out.push_str(&segment);
    out
}

/// The same error, or one with the same kind and message (a stage may rebuild it).
pub(crate) fn same_error(a: &Error, b: &Error) -> bool {
    a.ptr_eq(b) || (a.kind() == b.kind() && a.message() == b.message())
}

/// The end of a stream as a TCK subscriber sees it: the first `on_complete` or `on_error`.
/// Every signal after it is a failure (rule 1.7), recorded with the signal and the terminal it
/// followed.
#[derive(Debug, Default)]
pub(crate) struct EndOfStream(Mutex<Option<String>>);

impl EndOfStream {
    /// Records a failure and returns `false` if the stream already ended; `signal` describes
    /// the signal that arrived (`on_next(3)`, `on_complete()`).
    pub(crate) fn admit(&self, env: &TestEnvironment, signal: impl FnOnce() -> String) -> bool {
        match self.0.lock().as_deref() {
            None => true,
            Some(end) => {
                env.flop(format!(
                    "Subscriber::{} received after Subscriber::{end}: a terminal signal ends the stream (rule 1.7)",
                    signal()
                ));
                false
            }
        }
    }

    /// Like [`admit`](Self::admit) for a terminal signal, which then ends the stream.
    pub(crate) fn end(&self, env: &TestEnvironment, signal: impl FnOnce() -> String) -> bool {
        let mut end = self.0.lock();
        match end.as_deref() {
            None => {
                *end = Some(signal());
                true
            }
            Some(previous) => {
                let msg = format!(
                    "Subscriber::{} received after Subscriber::{previous}: a terminal signal ends the stream (rule 1.7)",
                    signal()
                );
                drop(end);
                env.flop(msg);
                false
            }
        }
    }
}

/// A one-shot latch that can be reopened, with checks that record failures in the
/// environment.
#[derive(Debug, Default)]
pub struct Latch {
    closed: Mutex<bool>,
    cond: Condvar,
}

impl Latch {
    /// An open latch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens the latch again.
    pub fn reopen(&self) {
        *self.closed.lock() = false;
    }

    /// Closes the latch and wakes every waiter.
    pub fn close(&self) {
        *self.closed.lock() = true;
        self.cond.notify_all();
    }

    /// Whether it is closed.
    pub fn is_closed(&self) -> bool {
        *self.closed.lock()
    }

    /// Records `msg` as a failure if the latch is still open.
    pub fn assert_closed(&self, env: &TestEnvironment, msg: &str) {
        if !self.is_closed() {
            env.flop(msg);
        }
    }

    /// Records `msg` as a failure if the latch is already closed.
    pub fn assert_open(&self, env: &TestEnvironment, msg: &str) {
        if self.is_closed() {
            env.flop(msg);
        }
    }

    /// Waits up to `timeout` for the latch to close; returns whether it did.
    pub fn wait(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut closed = self.closed.lock();
        while !*closed {
            if self.cond.wait_until(&mut closed, deadline).timed_out() {
                return *closed;
            }
        }
        true
    }

    /// Waits up to `timeout` for the latch to close; records `"<msg> within <timeout> ms"` as a
    /// failure if it does not.
    pub fn expect_close(&self, env: &TestEnvironment, timeout: Duration, msg: &str) {
        if !self.wait(timeout) {
            env.flop(format!("{msg} within {} ms", ms(timeout)));
        }
    }
}

/// A value that is set once and can be waited for.
#[derive(Debug)]
pub struct Promise<T> {
    value: Mutex<Option<T>>,
    cond: Condvar,
}

impl<T> Default for Promise<T> {
    fn default() -> Self {
        Promise {
            value: Mutex::new(None),
            cond: Condvar::new(),
        }
    }
}

impl<T: Clone> Promise<T> {
    /// An empty promise.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the value; a second call records a failure and keeps the first value.
    pub fn complete(&self, env: &TestEnvironment, value: T) {
        let mut v = self.value.lock();
        if v.is_some() {
            drop(v);
            env.flop("Cannot complete a promise more than once");
        } else {
            *v = Some(value);
            drop(v);
            self.cond.notify_all();
        }
    }

    /// Whether the value is set.
    pub fn is_completed(&self) -> bool {
        self.value.lock().is_some()
    }

    /// The value, if set.
    pub fn value(&self) -> Option<T> {
        self.value.lock().clone()
    }

    /// Waits up to `timeout` for the value.
    pub fn wait(&self, timeout: Duration) -> Option<T> {
        let deadline = Instant::now() + timeout;
        let mut v = self.value.lock();
        while v.is_none() {
            if self.cond.wait_until(&mut v, deadline).timed_out() {
                break;
            }
        }
        v.clone()
    }

    /// Waits up to `timeout` for the value; records `"<msg> within <timeout> ms"` as a failure
    /// if it does not arrive.
    pub fn expect_completion(&self, env: &TestEnvironment, timeout: Duration, msg: &str) {
        if self.wait(timeout).is_none() {
            env.flop(format!("{msg} within {} ms", ms(timeout)));
        }
    }
}

/// The queue was full: more elements arrived than the test could have asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow;

/// A bounded queue of received elements and an end-of-stream marker, with expectations.
///
/// Holds `2 * TEST_BUFFER_SIZE` (32) elements; one more is refused with [`Overflow`].
pub struct Receptacle<T> {
    env: TestEnvironment,
    queue: Mutex<VecDeque<Option<T>>>,
    cond: Condvar,
    completed: Latch,
}

impl<T> std::fmt::Debug for Receptacle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receptacle").finish_non_exhaustive()
    }
}

impl<T: Debug> Receptacle<T> {
    /// How many elements it holds.
    pub const CAPACITY: usize = 2 * TEST_BUFFER_SIZE;

    /// An empty receptacle recording failures in `env`.
    pub fn new(env: &TestEnvironment) -> Self {
        Receptacle {
            env: env.clone(),
            queue: Mutex::new(VecDeque::new()),
            cond: Condvar::new(),
            completed: Latch::new(),
        }
    }

    /// Adds an element; records a failure if the stream already completed.
    pub fn add(&self, value: T) -> Result<(), Overflow> {
        if self.completed.is_closed() {
            self.env.flop(format!(
                "Unexpected element {value:?} received after stream completed"
            ));
        }
        let mut q = self.queue.lock();
        if q.iter().filter(|v| v.is_some()).count() >= Self::CAPACITY {
            return Err(Overflow);
        }
        q.push_back(Some(value));
        drop(q);
        self.cond.notify_all();
        Ok(())
    }

    /// Adds the end-of-stream marker; records a failure if it was added before.
    pub fn complete(&self) {
        self.completed
            .assert_open(&self.env, "Unexpected additional complete signal received!");
        self.completed.close();
        self.queue.lock().push_back(None);
        self.cond.notify_all();
    }

    /// Whether the end-of-stream marker was added.
    pub fn is_completed(&self) -> bool {
        self.completed.is_closed()
    }

    fn poll(&self, deadline: Instant) -> Option<Option<T>> {
        let mut q = self.queue.lock();
        loop {
            if let Some(v) = q.pop_front() {
                return Some(v);
            }
            if self.cond.wait_until(&mut q, deadline).timed_out() {
                return q.pop_front();
            }
        }
    }

    /// The next element within `timeout`. Fails with `"<msg> within <timeout> ms"` on timeout
    /// and with "Expected element but got end-of-stream" at the end of the stream.
    pub fn next(&self, timeout: Duration, msg: &str) -> Result<T, Stop> {
        self.next_until(Instant::now() + timeout, timeout, msg)
    }

    fn next_until(&self, deadline: Instant, timeout: Duration, msg: &str) -> Result<T, Stop> {
        match self.poll(deadline) {
            None => Err(self
                .env
                .flop_and_fail(format!("{msg} within {} ms", ms(timeout)))),
            Some(Some(v)) => Ok(v),
            Some(None) => Err(self
                .env
                .flop_and_fail("Expected element but got end-of-stream")),
        }
    }

    /// The next element or `None` at the end of the stream; records a failure (and returns
    /// `None`) on timeout.
    pub fn next_or_end_of_stream(&self, timeout: Duration, msg: &str) -> Option<T> {
        match self.poll(Instant::now() + timeout) {
            None => {
                self.env.flop(format!("{msg} within {} ms", ms(timeout)));
                None
            }
            Some(v) => v,
        }
    }

    /// `n` elements, all within one shared `timeout`.
    pub fn next_n(&self, n: u64, timeout: Duration, msg: &str) -> Result<Vec<T>, Stop> {
        let deadline = Instant::now() + timeout;
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(self.next_until(deadline, timeout, msg)?);
        }
        Ok(out)
    }

    /// Expects the end-of-stream marker within `timeout`; records a failure otherwise.
    pub fn expect_completion(&self, timeout: Duration, msg: &str) {
        match self.poll(Instant::now() + timeout) {
            None => self.env.flop(format!("{msg} within {} ms", ms(timeout))),
            Some(Some(v)) => self
                .env
                .flop(format!("Expected end-of-stream but got element [{v:?}]")),
            Some(None) => {}
        }
    }

    /// Expects nothing to arrive during `within`; records `"<prefix> [<element>]"` or an
    /// end-of-stream failure otherwise. Returns early when something arrives.
    pub fn expect_none(&self, within: Duration, prefix: &str) {
        match self.poll(Instant::now() + within) {
            None => {}
            Some(Some(v)) => self.env.flop(format!("{} [{v:?}]", prefix.trim_end())),
            Some(None) => self.env.flop("Expected no element but got end-of-stream"),
        }
    }
}

/// Watches whether a [`DropToken`] still exists.
#[derive(Debug, Clone)]
pub struct DropWatch {
    state: Arc<(Mutex<bool>, Condvar)>,
}

/// Owned by a subscriber; dropping it tells its [`DropWatch`].
#[derive(Debug)]
pub struct DropToken {
    state: Arc<(Mutex<bool>, Condvar)>,
}

impl Drop for DropToken {
    fn drop(&mut self) {
        *self.state.0.lock() = true;
        self.state.1.notify_all();
    }
}

impl DropWatch {
    /// A token and its watch.
    pub fn new() -> (DropToken, DropWatch) {
        let state = Arc::new((Mutex::new(false), Condvar::new()));
        (
            DropToken {
                state: state.clone(),
            },
            DropWatch { state },
        )
    }

    /// Waits up to `timeout` for the token to be dropped; returns whether it was.
    pub fn wait_dropped(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut dropped = self.state.0.lock();
        while !*dropped {
            if self.state.1.wait_until(&mut dropped, deadline).timed_out() {
                return *dropped;
            }
        }
        true
    }

    /// Whether the token was dropped.
    pub fn is_dropped(&self) -> bool {
        *self.state.0.lock()
    }
}

type NextHook<T> = Box<dyn FnMut(&ManualSubscriber<T>, T) + Send>;
type SubscribeHook<T> = Box<dyn FnMut(&ManualSubscriber<T>, &SubscriptionRef) + Send>;
type TerminalHook = Box<dyn FnMut() + Send>;

struct ManualShared<T> {
    env: TestEnvironment,
    subscription: Promise<SubscriptionRef>,
    received: Receptacle<T>,
    error: Promise<Error>,
    end: EndOfStream,
    watch: DropWatch,
}

/// The test's handle on a TCK subscriber: request, cancel and expect what it received.
///
/// The subscriber itself ([`ManualSink`]) is handed to the publisher; it checks the order of
/// the signals it gets (recording failures in the environment), keeps up to 32 elements, and
/// records `on_error` as an asynchronous error (see [`ManualSubscriber::expect_error`]).
///
/// The first `on_complete` or `on_error` ends the stream: any signal after it (an element, a
/// second terminal signal) is recorded as a failure of rule 1.7, in every test.
pub struct ManualSubscriber<T> {
    shared: Arc<ManualShared<T>>,
}

impl<T> std::fmt::Debug for ManualSubscriber<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManualSubscriber").finish_non_exhaustive()
    }
}

impl<T> Clone for ManualSubscriber<T> {
    fn clone(&self) -> Self {
        ManualSubscriber {
            shared: self.shared.clone(),
        }
    }
}

/// The [`Subscriber`] half of a [`ManualSubscriber`]; give it to the publisher under test.
pub struct ManualSink<T> {
    handle: ManualSubscriber<T>,
    on_next_hook: Option<NextHook<T>>,
    on_subscribe_hook: Option<SubscribeHook<T>>,
    on_terminal_hook: Option<TerminalHook>,
    blackhole: bool,
    collect_errors: bool,
    _token: DropToken,
}

impl<T> std::fmt::Debug for ManualSink<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManualSink").finish_non_exhaustive()
    }
}

impl<T: Debug + Send + 'static> ManualSubscriber<T> {
    /// A new subscriber: the test's handle and the sink to subscribe.
    pub fn new(env: &TestEnvironment) -> (ManualSubscriber<T>, ManualSink<T>) {
        let (token, watch) = DropWatch::new();
        let handle = ManualSubscriber {
            shared: Arc::new(ManualShared {
                env: env.clone(),
                subscription: Promise::new(),
                received: Receptacle::new(env),
                error: Promise::new(),
                end: EndOfStream::default(),
                watch,
            }),
        };
        let sink = ManualSink {
            handle: handle.clone(),
            on_next_hook: None,
            on_subscribe_hook: None,
            on_terminal_hook: None,
            blackhole: false,
            collect_errors: false,
            _token: token,
        };
        (handle, sink)
    }

    /// Subscribes a new subscriber to `publisher` and waits `T` for `on_subscribe`.
    pub fn subscribe_to<P: Publisher<Item = T> + ?Sized>(
        env: &TestEnvironment,
        publisher: &P,
    ) -> Result<ManualSubscriber<T>, Stop> {
        let (handle, sink) = Self::new(env);
        handle.subscribe_sink::<P>(publisher, sink)?;
        Ok(handle)
    }

    /// Subscribes `sink` (this handle's sink, possibly with hooks) to `publisher` and waits `T`
    /// for `on_subscribe`.
    pub fn subscribe_sink<P: Publisher<Item = T> + ?Sized>(
        &self,
        publisher: &P,
        sink: ManualSink<T>,
    ) -> Result<(), Stop> {
        self.subscribe_sink_named(publisher, sink, &short_type_name::<P>())
    }

    /// [`subscribe_to`](Self::subscribe_to), naming the publisher `name` in failures.
    pub(crate) fn subscribe_to_named<P: Publisher<Item = T> + ?Sized>(
        env: &TestEnvironment,
        publisher: &P,
        name: &str,
    ) -> Result<ManualSubscriber<T>, Stop> {
        let (handle, sink) = Self::new(env);
        handle.subscribe_sink_named(publisher, sink, name)?;
        Ok(handle)
    }

    /// [`subscribe_sink`](Self::subscribe_sink), naming the publisher `name` in failures.
    pub(crate) fn subscribe_sink_named<P: Publisher<Item = T> + ?Sized>(
        &self,
        publisher: &P,
        sink: ManualSink<T>,
        name: &str,
    ) -> Result<(), Stop> {
        publisher.subscribe(sink);
        let env = self.env();
        self.shared.subscription.expect_completion(
            env,
            env.default_timeout(),
            &format!("Could not subscribe test subscriber to publisher {name}"),
        );
        env.verify_no_async_errors_no_delay()
    }

    /// The environment failures are recorded in.
    pub fn env(&self) -> &TestEnvironment {
        &self.shared.env
    }

    /// The subscription, once `on_subscribe` arrived.
    pub fn subscription(&self) -> Option<SubscriptionRef> {
        self.shared.subscription.value()
    }

    /// Whether `on_subscribe` arrived.
    pub fn is_subscribed(&self) -> bool {
        self.shared.subscription.is_completed()
    }

    /// Watches the drop token owned by the sink: tells whether the publisher still holds the
    /// subscriber.
    pub fn drop_watch(&self) -> DropWatch {
        self.shared.watch.clone()
    }

    /// The element queue.
    pub fn received(&self) -> &Receptacle<T> {
        &self.shared.received
    }

    /// Queues `item` as the sink does with an element when it has no `on_next` hook: for a
    /// hook that also wants the element queued.
    ///
    /// # Panics
    ///
    /// When the queue already holds 32 elements (after recording the failure): the publisher
    /// emitted more than the test could have asked for, and unwinding is the only way to stop
    /// a synchronous publisher that ignores demand.
    pub fn enqueue(&self, item: T) {
        if self.shared.received.add(item).is_err() {
            let msg = format!(
                "Received more than bufferSize ({}) on_next signals. The Publisher probably emitted more signals than expected!",
                Receptacle::<T>::CAPACITY
            );
            self.env().flop(msg.clone());
            // Unwinds into the publisher, as the JVM TCK's exception does: a synchronous
            // publisher that ignores demand would otherwise never return.
            panic!("{msg}");
        }
    }

    /// `request(n)` on the subscription.
    pub fn request(&self, n: u64) -> Result<(), Stop> {
        self.env()
            .debug_log(|| format!("test subscriber requests {n}"));
        match self.subscription() {
            Some(s) => {
                s.request(n);
                Ok(())
            }
            None => Err(self
                .env()
                .flop_and_fail("Cannot request before having received a subscription")),
        }
    }

    /// `cancel()` on the subscription; records a failure if there is none yet.
    pub fn cancel(&self) {
        self.env()
            .debug_log(|| "test subscriber cancels".to_string());
        match self.subscription() {
            Some(s) => s.cancel(),
            None => self
                .env()
                .flop("Cannot cancel a subscription before having received it"),
        }
    }

    /// The next element within `T`.
    pub fn next_element(&self) -> Result<T, Stop> {
        self.next_element_msg("Did not receive expected element")
    }

    /// The next element within `T`, failing with `msg`.
    pub fn next_element_msg(&self, msg: &str) -> Result<T, Stop> {
        self.shared.received.next(self.env().default_timeout(), msg)
    }

    /// `n` elements within one `T`.
    pub fn next_elements(&self, n: u64) -> Result<Vec<T>, Stop> {
        self.next_elements_msg(n, "Did not receive expected element or completion")
    }

    /// `n` elements within one `T`, failing with `msg`.
    pub fn next_elements_msg(&self, n: u64, msg: &str) -> Result<Vec<T>, Stop> {
        self.shared
            .received
            .next_n(n, self.env().default_timeout(), msg)
    }

    /// The next element or end of stream within `T`.
    pub fn next_element_or_end_of_stream(&self, msg: &str) -> Option<T> {
        self.shared
            .received
            .next_or_end_of_stream(self.env().default_timeout(), msg)
    }

    /// `request(1)`, then the next element.
    pub fn request_next_element(&self) -> Result<T, Stop> {
        self.request(1)?;
        self.next_element()
    }

    /// `request(1)`, then the next element or end of stream.
    pub fn request_next_element_or_end_of_stream(&self, msg: &str) -> Result<Option<T>, Stop> {
        self.request(1)?;
        Ok(self.next_element_or_end_of_stream(msg))
    }

    /// `request(1)`, then expect completion within `T`.
    pub fn request_end_of_stream(&self) -> Result<(), Stop> {
        self.request_end_of_stream_msg("Did not receive expected stream completion")
    }

    /// `request(1)`, then expect completion within `T`, failing with `msg`.
    pub fn request_end_of_stream_msg(&self, msg: &str) -> Result<(), Stop> {
        self.request(1)?;
        self.expect_completion_msg(msg);
        Ok(())
    }

    /// Expects `expected` as the next element.
    pub fn expect_next(&self, expected: &T) -> Result<(), Stop>
    where
        T: PartialEq,
    {
        let got = self.next_element_msg("Did not receive expected element on downstream")?;
        if &got != expected {
            self.env().flop(format!(
                "Expected element {expected:?} on downstream but received {got:?}"
            ));
        }
        Ok(())
    }

    /// Expects completion within `T`; records a failure otherwise.
    pub fn expect_completion(&self) {
        self.expect_completion_msg("Did not receive expected stream completion");
    }

    /// Expects completion within `T`; records `msg` otherwise.
    pub fn expect_completion_msg(&self, msg: &str) {
        self.shared
            .received
            .expect_completion(self.env().default_timeout(), msg);
    }

    /// Expects nothing during `N`.
    pub fn expect_none(&self) {
        self.expect_none_msg("Did not expect an element but got element");
    }

    /// Expects nothing during `N`; records `"<prefix> [<element>]"` otherwise.
    pub fn expect_none_msg(&self, prefix: &str) {
        self.shared
            .received
            .expect_none(self.env().no_signals_timeout(), prefix);
    }

    /// Waits up to `T` (looking every `P`) for the oldest asynchronous error, which must be an
    /// error of `kind` received through `on_error`, and returns it.
    ///
    /// As in the JVM TCK, errors received by TCK subscribers and failures recorded by TCK
    /// checks share one list, so an earlier failure is reported here too.
    pub fn expect_error(&self, kind: ErrorKind) -> Result<Error, Stop> {
        let env = self.env();
        let total = env.default_timeout();
        let msg = format!("Expected on_error({kind})");
        match env.poll_async_error(total, env.poll_timeout()) {
            None => Err(env.flop_and_fail(format!("{msg} within {} ms", ms(total)))),
            Some(crate::runner::env::AsyncError::Signalled(e)) if e.kind() == kind => Ok(e),
            Some(crate::runner::env::AsyncError::Signalled(e)) => Err(env.flop_and_fail(format!(
                "{msg} within {} ms; got on_error({}) but expected an error of kind {kind}",
                ms(total),
                e
            ))),
            Some(crate::runner::env::AsyncError::Flop(f)) => Err(env.flop_and_fail(format!(
                "{msg} within {} ms; got a failure instead: {f}",
                ms(total)
            ))),
        }
    }

    /// For a sink built with [`ManualSink::collect_errors`]: expects `expected` (the same error,
    /// or one of the same kind and message) within `T`; records a failure otherwise.
    pub fn expect_error_value(&self, expected: &Error) {
        let env = self.env();
        match self.shared.error.wait(env.default_timeout()) {
            None => env.flop(format!(
                "Did not receive expected error on downstream within {} ms",
                ms(env.default_timeout())
            )),
            Some(got) => {
                if !same_error(&got, expected) {
                    env.flop(format!("Expected error {expected} but got {got}"));
                }
            }
        }
    }

    /// Like [`expect_error`](Self::expect_error), and the error's message must contain one of
    /// `parts`.
    pub fn expect_error_with_message(&self, kind: ErrorKind, parts: &[&str]) -> Result<(), Stop> {
        let e = self.expect_error(kind)?;
        if parts.iter().any(|p| e.message().contains(p)) {
            Ok(())
        } else {
            Err(Stop::Fail(format!(
                "Got expected error of kind {kind} but its message misses any of {parts:?}; it was: {}",
                e.message()
            )))
        }
    }
}

impl<T> ManualSink<T> {
    /// Replaces the default element handling (queueing) by `hook`.
    pub fn on_next_hook(
        mut self,
        hook: impl FnMut(&ManualSubscriber<T>, T) + Send + 'static,
    ) -> Self {
        self.on_next_hook = Some(Box::new(hook));
        self
    }

    /// Runs `hook` after the subscription is stored.
    pub fn on_subscribe_hook(
        mut self,
        hook: impl FnMut(&ManualSubscriber<T>, &SubscriptionRef) + Send + 'static,
    ) -> Self {
        self.on_subscribe_hook = Some(Box::new(hook));
        self
    }

    /// Runs `hook` after `on_complete` or `on_error`.
    pub fn on_terminal_hook(mut self, hook: impl FnMut() + Send + 'static) -> Self {
        self.on_terminal_hook = Some(Box::new(hook));
        self
    }

    /// Discards elements instead of queueing them (still checking their order).
    pub fn blackhole(mut self) -> Self {
        self.blackhole = true;
        self
    }

    /// Keeps a received error for [`ManualSubscriber::expect_error_value`] instead of
    /// recording it as an asynchronous error.
    pub fn collect_errors(mut self) -> Self {
        self.collect_errors = true;
        self
    }
}

impl<T> ManualSink<T> {
    /// Whether the stream is still open for `signal` (a failure is recorded if not); a
    /// `terminal` signal ends it.
    fn open(&self, env: &TestEnvironment, terminal: bool, signal: impl FnOnce() -> String) -> bool {
        let end = &self.handle.shared.end;
        if terminal {
            end.end(env, signal)
        } else {
            end.admit(env, signal)
        }
    }
}

impl<T: Debug + Send + 'static> Subscriber<T> for ManualSink<T> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        let env = self.handle.env().clone();
        env.debug_log(|| "test subscriber: on_subscribe".to_string());
        if self.handle.shared.subscription.is_completed() {
            env.flop("Subscriber::on_subscribe called on an already-subscribed Subscriber");
            return;
        }
        self.handle
            .shared
            .subscription
            .complete(&env, subscription.clone());
        if let Some(hook) = self.on_subscribe_hook.as_mut() {
            hook(&self.handle, &subscription);
        }
    }

    fn on_next(&mut self, item: T) {
        let env = self.handle.env().clone();
        env.debug_log(|| format!("test subscriber: on_next({item:?})"));
        if !self.handle.is_subscribed() {
            env.flop(format!(
                "Subscriber::on_next({item:?}) called before Subscriber::on_subscribe"
            ));
            return;
        }
        if !self.open(&env, false, || format!("on_next({item:?})")) {
            return;
        }
        if let Some(hook) = self.on_next_hook.as_mut() {
            hook(&self.handle, item);
            return;
        }
        if self.blackhole {
            return;
        }
        self.handle.enqueue(item);
    }

    fn on_error(&mut self, error: Error) {
        let env = self.handle.env().clone();
        env.debug_log(|| format!("test subscriber: on_error({error})"));
        if !self.handle.is_subscribed() {
            env.flop(format!(
                "Subscriber::on_error({error}) called before Subscriber::on_subscribe"
            ));
        }
        if !self.open(&env, true, || format!("on_error({error})")) {
            return;
        }
        if self.collect_errors {
            self.handle.shared.error.complete(&env, error);
        } else {
            env.record_error(error);
        }
        if let Some(hook) = self.on_terminal_hook.as_mut() {
            hook();
        }
    }

    fn on_complete(&mut self) {
        let env = self.handle.env().clone();
        env.debug_log(|| "test subscriber: on_complete".to_string());
        let subscribed = self.handle.is_subscribed();
        if !subscribed {
            env.flop("Subscriber::on_complete() called before Subscriber::on_subscribe");
        }
        if !self.open(&env, true, || "on_complete()".to_string()) {
            return;
        }
        if subscribed {
            self.handle.shared.received.complete();
        }
        if let Some(hook) = self.on_terminal_hook.as_mut() {
            hook();
        }
    }
}

struct ManualPublisherShared<T> {
    env: TestEnvironment,
    subscriber: Mutex<Option<Box<dyn Subscriber<T>>>>,
    requests: Arc<Requests>,
    cancelled: Arc<Latch>,
}

impl<T> Drop for ManualPublisherShared<T> {
    fn drop(&mut self) {
        // The test is over: a subscriber that cancels when it is dropped does nothing wrong.
        self.requests.state.lock().closing = true;
        drop(self.subscriber.get_mut().take());
    }
}

/// A publisher driven by the test: it accepts one subscriber, hands it a subscription that
/// records `request(n)` and `cancel()`, and sends whatever the test tells it to.
///
/// The subscriber verifications use it as the stage the subscriber under test is subscribed
/// to. Cloning gives another handle on the same publisher.
///
/// Requests are added up (saturating at `u64::MAX`, rule 3.17) until the test takes them, so
/// a subscriber may request in any number of pieces. The subscription checks how the
/// subscriber uses it: a `request(0)`, and any `request` or `cancel` once the publisher has
/// sent `on_complete` or `on_error`, from any thread, are recorded as failures (rules 3.9, 2.3
/// and 2.4: the subscriber must consider the subscription cancelled once it has received a
/// terminal signal).
pub struct ManualPublisher<T> {
    shared: Arc<ManualPublisherShared<T>>,
}

impl<T> std::fmt::Debug for ManualPublisher<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManualPublisher").finish_non_exhaustive()
    }
}

impl<T> Clone for ManualPublisher<T> {
    fn clone(&self) -> Self {
        ManualPublisher {
            shared: self.shared.clone(),
        }
    }
}

const REQUEST_ZERO: &str = "Requests cannot be zero but received request(0)";

#[derive(Default)]
struct RequestState {
    /// Requested and not yet taken by the test (saturating).
    pending: u64,
    /// A `request(0)` arrived and was not yet reported by an expectation.
    zero: bool,
    /// The terminal signal the publisher sent, and the thread delivering it while it does.
    end: Option<(&'static str, Option<ThreadId>)>,
    /// The publisher is being dropped.
    closing: bool,
}

impl RequestState {
    /// The failure for a call to the subscription after the terminal signal, if one was sent.
    fn after_end(&self, call: &str) -> Option<String> {
        let (which, delivering) = self.end?;
        Some(if delivering == Some(std::thread::current().id()) {
            format!("Subscription::{call} MUST NOT be called from Subscriber::{which} (Rule 2.3)!")
        } else {
            format!(
                "Subscription::{call} was called after the Subscriber received {which}: it must consider the Subscription cancelled (Rule 2.4)"
            )
        })
    }
}

#[derive(Default)]
struct Requests {
    state: Mutex<RequestState>,
    arrived: Condvar,
}

impl Requests {
    /// The state once something was requested (or a `request(0)` arrived), or at `deadline`.
    fn wait_until(&self, deadline: Instant) -> parking_lot::MutexGuard<'_, RequestState> {
        let mut st = self.state.lock();
        while st.pending == 0 && !st.zero {
            if self.arrived.wait_until(&mut st, deadline).timed_out() {
                break;
            }
        }
        st
    }
}

struct RecordingSubscription {
    env: TestEnvironment,
    requests: Arc<Requests>,
    cancelled: Arc<Latch>,
}

impl Subscription for RecordingSubscription {
    fn request(&self, n: u64) {
        self.env
            .debug_log(|| format!("manual publisher: request({n})"));
        let mut st = self.requests.state.lock();
        if st.closing {
            return;
        }
        if let Some(failure) = st.after_end("request") {
            drop(st);
            self.env.flop(format!("{failure} [request({n})]"));
            return;
        }
        if n == 0 {
            st.zero = true;
        } else {
            st.pending = st.pending.saturating_add(n);
        }
        drop(st);
        self.requests.arrived.notify_all();
        if n == 0 {
            self.env.flop(REQUEST_ZERO);
        }
    }

    fn cancel(&self) {
        self.env
            .debug_log(|| "manual publisher: cancel".to_string());
        let st = self.requests.state.lock();
        if st.closing {
            return;
        }
        if let Some(failure) = st.after_end("cancel") {
            drop(st);
            self.env.flop(failure);
            return;
        }
        drop(st);
        self.cancelled.close();
    }
}

impl<T: Send + Debug + 'static> ManualPublisher<T> {
    /// A publisher without subscriber.
    pub fn new(env: &TestEnvironment) -> Self {
        ManualPublisher {
            shared: Arc::new(ManualPublisherShared {
                env: env.clone(),
                subscriber: Mutex::new(None),
                requests: Arc::default(),
                cancelled: Arc::new(Latch::new()),
            }),
        }
    }

    /// The environment failures are recorded in.
    pub fn env(&self) -> &TestEnvironment {
        &self.shared.env
    }

    /// Whether a subscriber is attached.
    pub fn has_subscriber(&self) -> bool {
        self.shared.subscriber.lock().is_some()
    }

    /// Calls `f` with the subscriber (the harness's direct access, for example a second
    /// `on_subscribe`). Records a failure if there is none.
    pub fn with_subscriber(&self, what: &str, f: impl FnOnce(&mut dyn Subscriber<T>)) {
        let mut guard = self.shared.subscriber.lock();
        match guard.as_mut() {
            Some(s) => f(s.as_mut()),
            None => {
                drop(guard);
                self.env()
                    .flop(format!("Cannot {what} before having a Subscriber"));
            }
        }
    }

    /// Sends `on_next(element)`.
    pub fn send_next(&self, element: T) {
        self.env()
            .debug_log(|| format!("manual publisher: on_next({element:?})"));
        self.with_subscriber("send_next", |s| s.on_next(element));
    }

    /// Sends a terminal signal: from now on the subscription fails every call (rules 2.3 while
    /// `signal` runs on this thread, 2.4 otherwise).
    fn send_terminal(&self, which: &'static str, signal: impl FnOnce(&mut dyn Subscriber<T>)) {
        let me = std::thread::current().id();
        self.shared.requests.state.lock().end = Some((which, Some(me)));
        self.with_subscriber(&format!("send {which}"), signal);
        self.shared.requests.state.lock().end = Some((which, None));
    }

    /// Sends `on_complete()`.
    pub fn send_completion(&self) {
        self.env()
            .debug_log(|| "manual publisher: on_complete".to_string());
        self.send_terminal("on_complete", |s| s.on_complete());
    }

    /// Sends `on_error(error)`.
    pub fn send_error(&self, error: Error) {
        self.env()
            .debug_log(|| format!("manual publisher: on_error({error})"));
        self.send_terminal("on_error", |s| s.on_error(error));
    }

    /// Everything requested since the test last took the requests, within `T`; a
    /// `request(0)` fails.
    pub fn expect_request(&self) -> Result<u64, Stop> {
        self.expect_request_msg(self.env().default_timeout(), "")
    }

    /// Everything requested since the test last took the requests, within `timeout`;
    /// `addendum` is appended to the failure message.
    pub fn expect_request_msg(&self, timeout: Duration, addendum: &str) -> Result<u64, Stop> {
        let mut st = self.shared.requests.wait_until(Instant::now() + timeout);
        if std::mem::take(&mut st.zero) {
            drop(st);
            return Err(self.env().flop_and_fail(REQUEST_ZERO));
        }
        if st.pending > 0 {
            return Ok(std::mem::take(&mut st.pending));
        }
        drop(st);
        let msg = if addendum.is_empty() {
            "Did not receive expected `request` call".to_string()
        } else {
            format!("Did not receive expected `request` call. {addendum}")
        };
        Err(self
            .env()
            .flop_and_fail(format!("{msg} within {} ms", ms(timeout))))
    }

    /// Everything requested since the test last took the requests, without waiting (0 if
    /// nothing was).
    pub fn take_requests(&self) -> u64 {
        std::mem::take(&mut self.shared.requests.state.lock().pending)
    }

    /// Expects the requests since the test last took them, within `T`, to add up to
    /// `expected`.
    pub fn expect_exact_request(&self, expected: u64) -> Result<(), Stop> {
        let n = self.expect_request()?;
        if n != expected {
            self.env().flop(format!(
                "Received `request({n})` on upstream but expected `request({expected})`"
            ));
        }
        Ok(())
    }

    /// Expects no `request` during `T`.
    pub fn expect_no_request(&self) {
        let deadline = Instant::now() + self.env().default_timeout();
        let n = std::mem::take(&mut self.shared.requests.wait_until(deadline).pending);
        if n > 0 {
            self.env()
                .flop(format!("Received an unexpected call to: request: [{n}]"));
        }
    }

    /// Expects `cancel()` within `T`.
    pub fn expect_cancelling(&self) {
        self.shared.cancelled.expect_close(
            self.env(),
            self.env().default_timeout(),
            "Did not receive expected cancelling of upstream subscription",
        );
    }

    /// Whether `cancel()` was called.
    pub fn is_cancelled(&self) -> bool {
        self.shared.cancelled.is_closed()
    }
}

impl<T: Send + Debug + 'static> Publisher for ManualPublisher<T> {
    type Item = T;
    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<T> + 'static,
    {
        let mut guard = self.shared.subscriber.lock();
        if guard.is_some() {
            drop(guard);
            self.env()
                .flop("ManualPublisher doesn't support more than one Subscriber");
            return;
        }
        let subscription: SubscriptionRef = Arc::new(RecordingSubscription {
            env: self.env().clone(),
            requests: self.shared.requests.clone(),
            cancelled: self.shared.cancelled.clone(),
        });
        let s = guard.insert(Box::new(subscriber));
        s.on_subscribe(subscription);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_drop_paths() {
        assert_eq!(
            short_type_name::<std::collections::HashMap<String, std::vec::Vec<u8>>>(),
            "HashMap<String, Vec<u8>>"
        );
    }

    #[test]
    fn drop_watch_sees_the_drop() {
        let (token, watch) = DropWatch::new();
        assert!(!watch.is_dropped());
        drop(token);
        assert!(watch.wait_dropped(Duration::from_millis(1)));
    }

    /// Keeps its subscription; requests `initial` pieces of 1 on subscribe; cancels when dropped.
    struct Holder {
        subscription: Arc<Mutex<Option<SubscriptionRef>>>,
        initial: u32,
    }

    impl Subscriber<u8> for Holder {
        fn on_subscribe(&mut self, s: SubscriptionRef) {
            for _ in 0..self.initial {
                s.request(1);
            }
            *self.subscription.lock() = Some(s);
        }
        fn on_next(&mut self, _: u8) {}
        fn on_error(&mut self, _: Error) {}
        fn on_complete(&mut self) {}
    }

    impl Drop for Holder {
        fn drop(&mut self) {
            if let Some(s) = self.subscription.lock().take() {
                s.cancel();
            }
        }
    }

    fn held(env: &TestEnvironment, initial: u32) -> (ManualPublisher<u8>, SubscriptionRef) {
        let publisher = ManualPublisher::new(env);
        let subscription = Arc::new(Mutex::new(None));
        publisher.subscribe(Holder {
            subscription: subscription.clone(),
            initial,
        });
        let s = subscription.lock().clone().unwrap();
        (publisher, s)
    }

    #[test]
    fn manual_publisher_adds_up_any_number_of_requests() {
        let env = TestEnvironment::default();
        let (publisher, s) = held(&env, 1000);
        assert_eq!(publisher.expect_request(), Ok(1000));
        s.request(u64::MAX);
        s.request(u64::MAX);
        assert_eq!(publisher.take_requests(), u64::MAX);
        assert_eq!(publisher.take_requests(), 0);
        assert!(env.async_errors().is_empty(), "{:?}", env.async_errors());
    }

    #[test]
    fn manual_publisher_fails_request_zero() {
        let env = TestEnvironment::default();
        let (publisher, s) = held(&env, 0);
        s.request(0);
        assert_eq!(
            publisher.expect_request(),
            Err(Stop::Fail(REQUEST_ZERO.into()))
        );
    }

    #[test]
    fn calls_after_the_terminal_signal_fail_from_any_thread() {
        let env = TestEnvironment::default();
        let (publisher, s) = held(&env, 0);
        publisher.send_error(Error::msg("done"));
        std::thread::spawn(move || {
            s.request(1);
            s.cancel();
        })
        .join()
        .unwrap();
        let errors: Vec<String> = env.async_errors().iter().map(|e| e.describe()).collect();
        assert_eq!(
            errors,
            [
                "Subscription::request was called after the Subscriber received on_error: it must consider the Subscription cancelled (Rule 2.4) [request(1)]",
                "Subscription::cancel was called after the Subscriber received on_error: it must consider the Subscription cancelled (Rule 2.4)",
            ]
        );
        assert_eq!(publisher.take_requests(), 0);
        assert!(!publisher.is_cancelled());
    }

    #[test]
    fn a_subscriber_dropped_with_the_publisher_may_cancel() {
        let env = TestEnvironment::default();
        let (publisher, s) = held(&env, 0);
        drop(s);
        publisher.send_completion();
        drop(publisher); // Holder::drop cancels
        assert!(env.async_errors().is_empty(), "{:?}", env.async_errors());
    }

    #[test]
    fn manual_sink_ends_the_stream_at_the_first_terminal_signal() {
        let env = TestEnvironment::default();
        let (handle, mut sink) = ManualSubscriber::<u8>::new(&env);
        sink.on_subscribe(reactive_core::support::empty_subscription());
        sink.on_error(Error::msg("first"));
        sink.on_next(7);
        sink.on_complete();
        sink.on_error(Error::msg("second"));
        let errors: Vec<String> = env.async_errors().iter().map(|e| e.describe()).collect();
        let after = "received after Subscriber::on_error(user error: first): a terminal signal ends the stream (rule 1.7)";
        assert_eq!(
            errors,
            [
                "Async error during test execution: first".to_string(),
                format!("Subscriber::on_next(7) {after}"),
                format!("Subscriber::on_complete() {after}"),
                format!("Subscriber::on_error(user error: second) {after}"),
            ]
        );
        assert!(handle.received().next(Duration::ZERO, "nothing").is_err());
    }

    #[test]
    fn receptacle_refuses_the_33rd_element() {
        let env = TestEnvironment::default();
        let r = Receptacle::new(&env);
        for i in 0..32 {
            r.add(i).unwrap();
        }
        assert_eq!(r.add(32), Err(Overflow));
    }
}
