//! The subscribers behind `subscribe_async` and `for_each_async` through the blackbox
//! subscriber verification. Each driving future runs on a thread of its own
//! (`futures_executor::block_on`); a publisher that only captures the subscriber hands it to
//! the TCK.

use std::sync::{Arc, Condvar, Mutex, mpsc};

use reactive_core::{BoxSubscriber, Error, Publisher, Subscriber, Subscription, SubscriptionRef};
use reactive_operators::{AsyncSubscriber, PublisherExt, async_trait};
use reactive_tck::{EnvError, SubscriberBlackboxVerification, TestEnvironment};

/// Hands the subscriber it is given to the test, instead of serving it.
struct Capture(mpsc::Sender<BoxSubscriber<u64>>);

impl Publisher for Capture {
    type Item = u64;
    fn subscribe<S: Subscriber<u64> + 'static>(&self, subscriber: S) {
        self.0.send(Box::new(subscriber)).unwrap();
    }
}

/// Runs `terminal` (a future that subscribes to `Capture` when first polled) on its own
/// thread, and returns the subscriber it subscribed with.
fn drive<F>(terminal: impl FnOnce(Capture) -> F) -> Lockstep
where
    F: std::future::Future<Output = Result<(), Error>> + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let future = terminal(Capture(tx));
    std::thread::spawn(move || {
        // Ends when the stream does, or when the TCK drops the subscriber (the future then
        // resolves with a protocol error).
        let _ = futures_executor::block_on(future);
    });
    Lockstep::new(rx.recv().unwrap())
}

/// What the subscriber under test has requested, in total.
#[derive(Default)]
struct Requested {
    total: Mutex<u64>,
    changed: Condvar,
}

/// Counts the requests made through it.
struct Counting {
    upstream: SubscriptionRef,
    requested: Arc<Requested>,
}

impl Subscription for Counting {
    fn request(&self, n: u64) {
        self.upstream.request(n);
        *self.requested.total.lock().unwrap() += n;
        self.requested.changed.notify_all();
    }

    fn cancel(&self) {
        self.upstream.cancel();
    }
}

/// The subscriber the TCK gets: forwards every signal to the subscriber under test, and
/// returns from `on_next` only once that subscriber has asked for the item's replacement.
///
/// The async terminals ask for the next item from their own task, after the item was handled;
/// the TCK's test publisher treats any request it receives after it *started* sending a
/// terminal signal as a rule 2.4 failure, so a replacement request racing the TCK's
/// `on_complete` would fail the run at random. Waiting here orders the request before the
/// TCK's next signal. Both terminals ask for exactly one item per item handled, which this
/// checks too: a terminal that did not would hang here (and the TCK's watchdog fail the test).
pub(crate) struct Lockstep {
    inner: BoxSubscriber<u64>,
    requested: Arc<Requested>,
    /// The first request (the terminal's prefetch) and the items seen since.
    initial: Option<u64>,
    items: u64,
}

impl Lockstep {
    fn new(inner: BoxSubscriber<u64>) -> Self {
        Lockstep {
            inner,
            requested: Arc::default(),
            initial: None,
            items: 0,
        }
    }
}

impl Subscriber<u64> for Lockstep {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        let before = *self.requested.total.lock().unwrap();
        self.inner.on_subscribe(Arc::new(Counting {
            upstream: subscription,
            requested: self.requested.clone(),
        }));
        if self.initial.is_none() {
            let after = *self.requested.total.lock().unwrap();
            self.initial = Some(after - before);
        }
    }

    fn on_next(&mut self, item: u64) {
        self.inner.on_next(item);
        self.items += 1;
        let wanted = self.initial.unwrap_or(0) + self.items;
        let mut total = self.requested.total.lock().unwrap();
        while *total < wanted {
            total = self.requested.changed.wait(total).unwrap();
        }
    }

    fn on_error(&mut self, error: Error) {
        self.inner.on_error(error);
    }

    fn on_complete(&mut self) {
        self.inner.on_complete();
    }
}

/// An async subscriber that does nothing with what it gets.
struct Ignore;

#[async_trait]
impl AsyncSubscriber<u64> for Ignore {
    async fn on_next(&mut self, _: u64) {}
}

fn environment() -> Result<TestEnvironment, EnvError> {
    Ok(TestEnvironment::with_timeouts(2000).no_signals_timeout_millis(50))
}

/// `subscribe_async(Ignore)`: asks for 1, and 1 more after each `on_next`.
pub(crate) struct SubscribeAsyncTck;

impl SubscriberBlackboxVerification for SubscribeAsyncTck {
    type Item = u64;
    type Subscriber = Lockstep;

    fn create_subscriber(&self) -> Lockstep {
        drive(|capture| capture.subscribe_async(Ignore))
    }

    fn create_element(id: u64) -> u64 {
        id
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        environment()
    }
}

mod subscribe_async_tck {
    reactive_tck::subscriber_blackbox_verification!(super::SubscribeAsyncTck);
}

/// `for_each_async(.., 4)`: asks for 4, and 1 more as each call finishes.
pub(crate) struct ForEachAsyncTck;

impl SubscriberBlackboxVerification for ForEachAsyncTck {
    type Item = u64;
    type Subscriber = Lockstep;

    fn create_subscriber(&self) -> Lockstep {
        drive(|capture| capture.for_each_async(|_| async {}, 4))
    }

    fn create_element(id: u64) -> u64 {
        id
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        environment()
    }
}

mod for_each_async_tck {
    reactive_tck::subscriber_blackbox_verification!(super::ForEachAsyncTck);
}

/// Whole reports: every required test passes; the 15 skips are the TCK's untested rules.
mod reports {
    use super::*;
    use reactive_tck::run_subscriber_blackbox_verification;

    #[track_caller]
    fn check(report: reactive_tck::Report) {
        println!("{report}");
        assert_eq!(
            (report.failed(), report.optional_failed()),
            (0, 0),
            "\n{report}"
        );
        assert_eq!((report.passed(), report.skipped()), (11, 15), "\n{report}");
    }

    #[test]
    fn subscribe_async_report() {
        check(run_subscriber_blackbox_verification(&SubscribeAsyncTck));
    }

    #[test]
    fn for_each_async_report() {
        check(run_subscriber_blackbox_verification(&ForEachAsyncTck));
    }
}
