//! Building blocks for the self-tests: the environment they run with, meta-assertions on
//! outcomes, a correct synchronous range publisher, and a toolkit for broken publishers.

use std::collections::VecDeque;
use std::sync::Arc;

use parking_lot::Mutex;
use reactive_core::source::{self, Next, Pull};
use reactive_core::support::WipCell;
use reactive_core::{BoxSubscriber, Error, Publisher, Subscriber, Subscription, SubscriptionRef};

use crate::{EnvError, Outcome, PublisherVerification, TestEnvironment, TestResult};

/// Self-tests run with larger timeouts than the defaults, so a loaded machine does not make
/// an expected signal late; `N` stays short because correct implementations pay it in full.
pub(crate) fn env() -> TestEnvironment {
    TestEnvironment::with_timeouts(1000)
        .no_signals_timeout_millis(150)
        .poll_timeout_millis(10)
        .gc_timeout_millis(1000)
}

/// The test must fail with a reason containing `fragment`.
#[track_caller]
pub(crate) fn require_failure(result: TestResult, fragment: &str) {
    match &result.outcome {
        Outcome::Failed(reason) if reason.contains(fragment) => {}
        other => panic!(
            "expected {} to fail with '... {fragment} ...', but it ended in {other:?}",
            result.name
        ),
    }
}

/// The (optional) test must end in [`Outcome::OptionalFailed`] with a reason containing
/// `fragment`.
#[track_caller]
pub(crate) fn require_optional_failure(result: TestResult, fragment: &str) {
    match &result.outcome {
        Outcome::OptionalFailed(reason) if reason.contains(fragment) => {}
        other => panic!(
            "expected {} to end in an optional failure with '... {fragment} ...', but it ended in {other:?}",
            result.name
        ),
    }
}

/// The test must be skipped with a reason containing `fragment`.
#[track_caller]
pub(crate) fn require_skip(result: TestResult, fragment: &str) {
    match &result.outcome {
        Outcome::Skipped(reason) if reason.contains(fragment) => {}
        other => panic!(
            "expected {} to be skipped with '... {fragment} ...', but it ended in {other:?}",
            result.name
        ),
    }
}

/// The test must pass (a skip does not count).
#[track_caller]
pub(crate) fn require_pass(result: TestResult) {
    assert_eq!(
        result.outcome,
        Outcome::Passed,
        "expected {} to pass",
        result.name
    );
}

/// The test must pass by construction, with a note naming the type system.
#[track_caller]
pub(crate) fn require_pass_by_type(result: TestResult) {
    assert_eq!(result.outcome, Outcome::Passed, "{}", result.name);
    let note = result.note.unwrap_or_default();
    assert!(note.contains("enforced by the type system"), "{note}");
}

/// The error the broken implementations signal.
pub(crate) fn boom() -> Error {
    Error::msg("Test Exception: Boom!")
}

// ---------------------------------------------------------------------------------------------
// A correct synchronous range publisher (the JVM TCK's RangePublisher)
// ---------------------------------------------------------------------------------------------

/// Emits `start..start + count` synchronously on demand; supports many subscribers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RangePublisher {
    pub(crate) start: i64,
    pub(crate) count: u64,
}

/// The cursor of one subscription to a [`RangePublisher`]: the pull engine does the rest.
struct RangeCursor {
    next: i64,
    left: u64,
}

impl Pull for RangeCursor {
    type Item = i64;

    fn next(&mut self) -> Next<i64> {
        if self.left == 0 {
            return Next::End(Ok(()));
        }
        self.left -= 1;
        self.next = self.next.wrapping_add(1);
        Next::Item(self.next.wrapping_sub(1))
    }

    fn end(&mut self) -> Option<Result<(), Error>> {
        (self.left == 0).then_some(Ok(()))
    }
}

/// The publisher verification of [`RangePublisher`], counting from `start`.
pub(crate) struct RangeTck {
    pub(crate) start: i64,
}

impl PublisherVerification for RangeTck {
    type Item = i64;
    type Publisher = RangePublisher;

    fn create_publisher(&self, elements: u64) -> RangePublisher {
        RangePublisher {
            start: self.start,
            count: elements,
        }
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        Ok(env())
    }
}

impl Publisher for RangePublisher {
    type Item = i64;
    fn subscribe<S: Subscriber<i64> + 'static>(&self, subscriber: S) {
        let cursor = RangeCursor {
            next: self.start,
            left: self.count,
        };
        source::subscribe(cursor, subscriber);
    }
}

// ---------------------------------------------------------------------------------------------
// Toolkit for broken publishers
// ---------------------------------------------------------------------------------------------

type Action<T> = Box<dyn FnOnce(&mut Option<BoxSubscriber<T>>) + Send>;

struct LinkInner<T> {
    cell: WipCell<Option<BoxSubscriber<T>>>,
    queue: Mutex<VecDeque<Action<T>>>,
}

/// The broken publisher's end of one subscription. Signals are serialized (whoever is
/// draining runs the others' signals too), so even a broken publisher written with it calls
/// the subscriber from one thread at a time, as safe Rust requires.
pub(crate) struct Link<T> {
    inner: Arc<LinkInner<T>>,
}

impl<T> Clone for Link<T> {
    fn clone(&self) -> Self {
        Link {
            inner: self.inner.clone(),
        }
    }
}

impl<T: Send + 'static> Link<T> {
    pub(crate) fn new(subscriber: BoxSubscriber<T>) -> Self {
        Link {
            inner: Arc::new(LinkInner {
                cell: WipCell::new(Some(subscriber)),
                queue: Mutex::new(VecDeque::new()),
            }),
        }
    }

    /// Runs `f` with the subscriber, now or (if another signal is running) right after it.
    pub(crate) fn signal(&self, f: impl FnOnce(&mut BoxSubscriber<T>) + Send + 'static) {
        self.act(Box::new(move |slot| {
            if let Some(s) = slot.as_mut() {
                f(s)
            }
        }));
    }

    /// Drops the subscriber.
    pub(crate) fn release(&self) {
        self.act(Box::new(|slot| *slot = None));
    }

    fn act(&self, action: Action<T>) {
        self.inner.queue.lock().push_back(action);
        self.inner.cell.drain(|slot| {
            loop {
                let next = self.inner.queue.lock().pop_front();
                match next {
                    Some(a) => a(slot),
                    None => break,
                }
            }
        });
    }
}

/// A subscription made of two closures.
pub(crate) struct FnSubscription {
    request: Box<dyn Fn(u64) + Send + Sync>,
    cancel: Box<dyn Fn() + Send + Sync>,
}

impl FnSubscription {
    pub(crate) fn make(
        request: impl Fn(u64) + Send + Sync + 'static,
        cancel: impl Fn() + Send + Sync + 'static,
    ) -> SubscriptionRef {
        Arc::new(FnSubscription {
            request: Box::new(request),
            cancel: Box::new(cancel),
        })
    }

    pub(crate) fn noop() -> SubscriptionRef {
        Self::make(|_| {}, || {})
    }
}

impl Subscription for FnSubscription {
    fn request(&self, n: u64) {
        (self.request)(n)
    }
    fn cancel(&self) {
        (self.cancel)()
    }
}

/// A publisher whose `subscribe` is a closure over the boxed subscriber.
pub(crate) struct FnPublisher<T> {
    on_subscribe: Arc<dyn Fn(BoxSubscriber<T>) + Send + Sync>,
}

impl<T> Clone for FnPublisher<T> {
    fn clone(&self) -> Self {
        FnPublisher {
            on_subscribe: self.on_subscribe.clone(),
        }
    }
}

impl<T: 'static> FnPublisher<T> {
    pub(crate) fn new(f: impl Fn(BoxSubscriber<T>) + Send + Sync + 'static) -> Self {
        FnPublisher {
            on_subscribe: Arc::new(f),
        }
    }
}

impl<T: 'static> Publisher for FnPublisher<T> {
    type Item = T;
    fn subscribe<S: Subscriber<T> + 'static>(&self, subscriber: S) {
        (self.on_subscribe)(Box::new(subscriber))
    }
}

/// A broken publisher built from a request handler: `on_request(link, n)` runs for every
/// `request(n)`, `on_cancel(link)` for every `cancel()`.
pub(crate) fn linked<T: Send + 'static>(
    on_request: impl Fn(&Link<T>, u64) + Send + Sync + Clone + 'static,
    on_cancel: impl Fn(&Link<T>) + Send + Sync + Clone + 'static,
) -> FnPublisher<T> {
    FnPublisher::new(move |s| {
        let link = Link::new(s);
        let (l1, l2) = (link.clone(), link.clone());
        let (req, can) = (on_request.clone(), on_cancel.clone());
        let subscription = FnSubscription::make(move |n| req(&l1, n), move || can(&l2));
        link.signal(move |s| s.on_subscribe(subscription));
    })
}

/// Never emits; ignores request and cancel.
pub(crate) fn noop_publisher<T: Send + 'static>() -> FnPublisher<T> {
    FnPublisher::new(|mut s| s.on_subscribe(FnSubscription::noop()))
}

/// A pseudo-random number (no extra crate for one self-test).
pub(crate) fn random_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x9e37_79b9);
    h.finish() as u32
}
