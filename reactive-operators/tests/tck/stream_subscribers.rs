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
use reactive_operators::bridge::{StreamSubscriber, stream_subscriber};
use reactive_operators::terminal::{blocking_subscriber, for_each_subscriber};
use reactive_tck::SubscriberBlackboxVerification;

use crate::lockstep::{Lockstep, three_quarters};

/// The buffer the three verifications use: `for_each`'s (256).
const BUFFER: usize = 256;

/// A verification whose subscriber comes from `start`, which also starts the consuming side
/// on a thread of its own.
#[derive(Debug)]
pub(crate) struct ConsumerTck(fn() -> StreamSubscriber<u64>);

impl SubscriberBlackboxVerification for ConsumerTck {
    type Item = u64;
    type Subscriber = Lockstep;

    fn create_subscriber(&self) -> Lockstep {
        Lockstep::new(Box::new((self.0)()), three_quarters)
    }

    fn create_element(id: u64) -> u64 {
        id
    }
}

/// `into_stream`'s subscriber, its stream read with `futures_executor::block_on`.
const INTO_STREAM: ConsumerTck = ConsumerTck(|| {
    let (subscriber, stream) = stream_subscriber(BUFFER);
    std::thread::spawn(move || {
        futures_executor::block_on(stream.for_each(|_| std::future::ready(())))
    });
    subscriber
});

/// `blocking_iter`'s subscriber, its iterator run to the end on a thread.
const BLOCKING_ITER: ConsumerTck = ConsumerTck(|| {
    let (subscriber, items) = blocking_subscriber(BUFFER);
    std::thread::spawn(move || items.for_each(drop));
    subscriber
});

/// `for_each`'s subscriber, its `run` on a thread.
const FOR_EACH: ConsumerTck = ConsumerTck(|| {
    let (subscriber, run) = for_each_subscriber(drop::<u64>);
    std::thread::spawn(move || run.run());
    subscriber
});

mod into_stream_tck {
    reactive_tck::subscriber_blackbox_verification!(super::INTO_STREAM);
}

mod blocking_iter_tck {
    reactive_tck::subscriber_blackbox_verification!(super::BLOCKING_ITER);
}

mod for_each_tck {
    reactive_tck::subscriber_blackbox_verification!(super::FOR_EACH);
}

/// Whole reports: every required test passes (11); the 15 skips are the TCK's untested rules.
mod reports {
    use super::*;
    use crate::reports::check;
    use reactive_tck::run_subscriber_blackbox_verification;

    #[test]
    fn into_stream_report() {
        check(
            run_subscriber_blackbox_verification(&INTO_STREAM),
            11,
            15,
            0,
        );
    }

    #[test]
    fn blocking_iter_report() {
        check(
            run_subscriber_blackbox_verification(&BLOCKING_ITER),
            11,
            15,
            0,
        );
    }

    #[test]
    fn for_each_report() {
        check(run_subscriber_blackbox_verification(&FOR_EACH), 11, 15, 0);
    }
}
