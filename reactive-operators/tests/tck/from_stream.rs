//! `from_stream` and `from_future` through the publisher verification: a ready stream on the
//! default (immediate) worker and on a pool, streams that return `Pending` between items and
//! are woken from inside `poll_next` or from another thread, and one future.

use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll, Waker};

use futures_core::Stream;
use futures_util::stream;
use reactive_core::BoxPublisher;
use reactive_core::scheduler::PoolScheduler;
use reactive_operators::bridge::{FromFuture, FromStream};
use reactive_operators::{PublisherExt, from_future, from_stream};
use reactive_tck::PublisherVerification;

type Iter = stream::Iter<std::ops::Range<u64>>;

/// The failed publisher of every verification here: a `from_stream` whose stream an earlier
/// subscriber took, so each subscriber gets `on_subscribe` then `on_error`.
pub(crate) fn consumed() -> Option<BoxPublisher<u64>> {
    let source = from_stream(stream::iter(0..0u64));
    source.subscribe_with(|_| {}, |_| {}, || {});
    Some(source.boxed())
}

/// `from_stream(stream::iter(0..n))`, polled on the thread that requests.
#[derive(Debug)]
pub(crate) struct FromStreamTck;

impl PublisherVerification for FromStreamTck {
    type Item = u64;
    type Publisher = FromStream<Iter>;

    fn create_publisher(&self, elements: u64) -> FromStream<Iter> {
        from_stream(stream::iter(0..elements))
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        consumed()
    }
}

mod from_stream_tck {
    reactive_tck::publisher_verification!(super::FromStreamTck);
}

/// The same stream polled on a two-thread pool: every signal comes from a pool thread.
#[derive(Debug)]
pub(crate) struct FromStreamPoolTck(PoolScheduler);

impl Default for FromStreamPoolTck {
    fn default() -> Self {
        FromStreamPoolTck(PoolScheduler::new(2))
    }
}

impl PublisherVerification for FromStreamPoolTck {
    type Item = u64;
    type Publisher = FromStream<Iter>;

    fn create_publisher(&self, elements: u64) -> FromStream<Iter> {
        from_stream(stream::iter(0..elements)).poll_on(self.0.clone())
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        consumed()
    }
}

mod from_stream_pool_tck {
    reactive_tck::publisher_verification!(super::FromStreamPoolTck::default());
}

/// How a [`Stalling`] stream's waker gets called after it returned `Pending`.
#[derive(Debug)]
pub(crate) enum Wakeup {
    /// `cx.waker().wake_by_ref()` inside `poll_next`, before returning `Pending`.
    InPoll,
    /// A helper thread calls the waker (sent to it over a channel).
    FromThread(mpsc::Sender<Waker>),
}

/// `0..n`, returning `Pending` before every item, then woken as `wakeup` says.
#[derive(Debug)]
pub(crate) struct Stalling {
    next: u64,
    end: u64,
    stalled: bool,
    wakeup: Wakeup,
}

impl Stalling {
    pub(crate) fn new(end: u64, wakeup: Wakeup) -> Self {
        Stalling {
            next: 0,
            end,
            stalled: false,
            wakeup,
        }
    }

    /// A stream whose wake-ups come from a thread of its own, which ends with the stream.
    pub(crate) fn woken_from_thread(end: u64) -> Self {
        let (tx, rx) = mpsc::channel::<Waker>();
        std::thread::spawn(move || rx.iter().for_each(Waker::wake));
        Stalling::new(end, Wakeup::FromThread(tx))
    }
}

impl Stream for Stalling {
    type Item = u64;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        if self.next == self.end {
            return Poll::Ready(None);
        }
        if !self.stalled {
            self.stalled = true;
            match &self.wakeup {
                Wakeup::InPoll => cx.waker().wake_by_ref(),
                Wakeup::FromThread(tx) => tx.send(cx.waker().clone()).unwrap(),
            }
            return Poll::Pending;
        }
        self.stalled = false;
        self.next += 1;
        Poll::Ready(Some(self.next - 1))
    }
}

/// `from_stream` over a stream that is `Pending` before each item: woken from inside
/// `poll_next` (`PendingTck(false)`), or from another thread (`PendingTck(true)`), in which case
/// every item after the first is polled on the waking thread.
#[derive(Debug)]
pub(crate) struct PendingTck(bool);

impl PublisherVerification for PendingTck {
    type Item = u64;
    type Publisher = FromStream<Stalling>;

    fn create_publisher(&self, elements: u64) -> FromStream<Stalling> {
        if self.0 {
            from_stream(Stalling::woken_from_thread(elements))
        } else {
            from_stream(Stalling::new(elements, Wakeup::InPoll))
        }
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        consumed()
    }
}

mod pending_in_poll_tck {
    reactive_tck::publisher_verification!(super::PendingTck(false));
}

mod pending_woken_from_thread_tck {
    reactive_tck::publisher_verification!(super::PendingTck(true));
}

/// `from_future(async { 7 })`: one item, like `just`.
#[derive(Debug)]
pub(crate) struct FromFutureTck;

type Seven = Pin<Box<dyn std::future::Future<Output = u64> + Send>>;

impl PublisherVerification for FromFutureTck {
    type Item = u64;
    type Publisher = FromFuture<Seven>;

    fn create_publisher(&self, _: u64) -> FromFuture<Seven> {
        from_future(Box::pin(async { 7u64 }) as Seven)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        consumed()
    }

    fn max_elements_from_publisher(&self) -> u64 {
        1
    }
}

mod from_future_tck {
    reactive_tck::publisher_verification!(super::FromFutureTck);
}

/// Whole reports: the counts, so that a change of behaviour under the TCK shows. The 7
/// skips are the TCK's untested rules; the 6 optional failures are the multi-subscriber
/// tests of rule 1.11, which a stream (consumed once) cannot pass: the second subscriber
/// gets the "already consumed" error.
mod reports {
    use super::*;
    use crate::reports::{check, check_optional_failure};
    use reactive_tck::run_publisher_verification;

    #[test]
    fn from_stream_report() {
        let report = run_publisher_verification(&FromStreamTck);
        check_optional_failure(
            &report,
            "optional_spec111_may_support_multi_subscribe",
            "already consumed",
        );
        check(report, 27, 7, 6);
    }

    #[test]
    fn from_stream_pool_report() {
        check(
            run_publisher_verification(&FromStreamPoolTck::default()),
            27,
            7,
            6,
        );
    }

    #[test]
    fn pending_in_poll_report() {
        check(run_publisher_verification(&PendingTck(false)), 27, 7, 6);
    }

    #[test]
    fn pending_woken_from_thread_report() {
        check(run_publisher_verification(&PendingTck(true)), 27, 7, 6);
    }

    /// One item: like `just`, every test that needs more is skipped, and the empty-stream
    /// test fails as optional (the future always has its item).
    #[test]
    fn from_future_report() {
        check(run_publisher_verification(&FromFutureTck), 10, 27, 3);
    }
}
