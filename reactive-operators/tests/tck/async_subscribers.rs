//! The subscribers behind `subscribe_async` and `for_each_async` through the blackbox
//! subscriber verification. Each driving future runs on a thread of its own
//! (`futures_executor::block_on`); a publisher that only captures the subscriber hands it to
//! the TCK.

use std::sync::mpsc;

use reactive_core::{BoxSubscriber, Error, Publisher, Subscriber};
use reactive_operators::{AsyncSubscriber, PublisherExt, async_trait};
use reactive_tck::{EnvError, SubscriberBlackboxVerification, TestEnvironment};

use crate::lockstep::{Lockstep, one_per_item};

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
    Lockstep::new(rx.recv().unwrap(), one_per_item)
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
