//! The subscribers behind `into_stream`, `blocking_iter` and `for_each`, through the TCK's
//! blackbox subscriber verification (26 tests each).
//!
//! The TCK drives the subscriber from its own thread, so each `create_subscriber` starts the
//! consuming side on a thread of its own: a `futures_executor::block_on` of the stream, the
//! blocking iterator, or `ForEach::run`. That thread ends with the stream: on the TCK's
//! terminal signal, or, when a test ends without one, when the TCK drops the subscriber (which
//! then ends the stream with a protocol error).
//!
//! Each runs with a buffer of 256, `for_each`'s own, so the rule 2.1 test (which sends the 256
//! elements requested upfront, then completes) sees the consumer ask for 192 more halfway. The
//! consumer asks from its own thread, so the TCK gets a [`Lockstep`] proxy that holds its next
//! signal until the request for the 75% rule is in (see `lockstep.rs` for the race it closes).

use futures_util::StreamExt;
use reactive_operators::bridge::stream_subscriber;
use reactive_operators::terminal::{blocking_subscriber, for_each_subscriber};
use reactive_tck::SubscriberBlackboxVerification;

use crate::lockstep::{Lockstep, three_quarters};

/// The buffer the three verifications use: `for_each`'s (256).
const BUFFER: usize = 256;

/// `into_stream`'s subscriber, its stream read with `futures_executor::block_on`.
#[derive(Debug)]
pub(crate) struct IntoStreamTck;

impl SubscriberBlackboxVerification for IntoStreamTck {
    type Item = u64;
    type Subscriber = Lockstep;

    fn create_subscriber(&self) -> Lockstep {
        let (subscriber, stream) = stream_subscriber(BUFFER);
        std::thread::spawn(move || {
            futures_executor::block_on(stream.for_each(|_| std::future::ready(())))
        });
        Lockstep::new(Box::new(subscriber), three_quarters)
    }

    fn create_element(id: u64) -> u64 {
        id
    }
}

mod into_stream_tck {
    reactive_tck::subscriber_blackbox_verification!(super::IntoStreamTck);
}

/// `blocking_iter`'s subscriber, its iterator run to the end on a thread.
#[derive(Debug)]
pub(crate) struct BlockingIterTck;

impl SubscriberBlackboxVerification for BlockingIterTck {
    type Item = u64;
    type Subscriber = Lockstep;

    fn create_subscriber(&self) -> Lockstep {
        let (subscriber, items) = blocking_subscriber(BUFFER);
        std::thread::spawn(move || items.for_each(drop));
        Lockstep::new(Box::new(subscriber), three_quarters)
    }

    fn create_element(id: u64) -> u64 {
        id
    }
}

mod blocking_iter_tck {
    reactive_tck::subscriber_blackbox_verification!(super::BlockingIterTck);
}

/// `for_each`'s subscriber, its `run` on a thread.
#[derive(Debug)]
pub(crate) struct ForEachTck;

impl SubscriberBlackboxVerification for ForEachTck {
    type Item = u64;
    type Subscriber = Lockstep;

    fn create_subscriber(&self) -> Lockstep {
        let (subscriber, run) = for_each_subscriber(drop::<u64>);
        std::thread::spawn(move || run.run());
        Lockstep::new(Box::new(subscriber), three_quarters)
    }

    fn create_element(id: u64) -> u64 {
        id
    }
}

mod for_each_tck {
    reactive_tck::subscriber_blackbox_verification!(super::ForEachTck);
}

/// Whole reports: every required test passes, the rest are the TCK's untested ones.
mod reports {
    use super::*;
    use reactive_tck::{Report, run_subscriber_blackbox_verification};

    #[track_caller]
    fn check(report: Report) {
        println!("{report}");
        assert_eq!(
            (
                report.passed(),
                report.failed(),
                report.skipped(),
                report.optional_failed()
            ),
            (11, 0, 15, 0),
            "\n{report}"
        );
    }

    #[test]
    fn into_stream_report() {
        check(run_subscriber_blackbox_verification(&IntoStreamTck));
    }

    #[test]
    fn blocking_iter_report() {
        check(run_subscriber_blackbox_verification(&BlockingIterTck));
    }

    #[test]
    fn for_each_report() {
        check(run_subscriber_blackbox_verification(&ForEachTck));
    }
}
