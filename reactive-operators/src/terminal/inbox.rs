//! The bounded hand-off between a subscriber and the async task that consumes its items: the
//! one buffer and waker handshake behind `subscribe_async` and `for_each_async`.
//!
//! The subscriber side ([`InboxSubscriber`]) pushes what the publisher sends into a
//! `VecDeque` behind a short lock and wakes the consumer's task if it registered a waker; the
//! consumer side ([`Inbox`]) pops, registers its waker under the same lock when it finds
//! nothing (so a push cannot slip between the check and the registration), and asks the
//! upstream for more as it finishes items. The rate is bounded by the consumer's futures, so
//! one lock per item costs nothing that matters here. Neither side holds the lock while it
//! calls the upstream or wakes the task.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use reactive_core::support::{SubscriptionSlot, add_cap};
use reactive_core::sync::Mutex;
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// What the consumer takes out of the inbox.
pub(crate) enum Received<T> {
    Item(T),
    /// The stream ended: `Ok` for completion, `Err` for an upstream error, an item sent without
    /// demand, or a publisher that dropped the subscriber without a terminal signal. Comes
    /// after every item that arrived before it, and once.
    End(Result<(), Error>),
}

struct Shared<T> {
    /// The terminal's name, for error messages.
    name: &'static str,
    upstream: SubscriptionSlot,
    state: Mutex<State<T>>,
}

struct State<T> {
    items: VecDeque<T>,
    /// Requested from the upstream and not yet arrived.
    outstanding: u64,
    /// How the stream ended, until the consumer takes it.
    end: Option<Result<(), Error>>,
    /// A terminal signal arrived (or we ended the stream ourselves): no more items are
    /// accepted, and nothing more is requested (rule 2.4).
    ended: bool,
    /// The consumer is gone: everything that arrives is dropped.
    closed: bool,
    /// The consumer's task, registered when it found nothing to take.
    waker: Option<Waker>,
}

impl<T> State<T> {
    /// Ends the stream with `end` unless it has ended; returns the waker to call (outside the
    /// lock).
    fn finish(&mut self, end: Result<(), Error>) -> Option<Waker> {
        if self.ended || self.closed {
            return None;
        }
        self.ended = true;
        self.end = Some(end);
        self.waker.take()
    }
}

/// Subscribes a new inbox's subscriber to `publisher`, which asks for `initial` items on
/// `on_subscribe`; returns the consumer side.
pub(crate) fn subscribe<P>(publisher: P, name: &'static str, initial: u64) -> Inbox<P::Item>
where
    P: Publisher,
    P::Item: Send + 'static,
{
    let (subscriber, inbox) = inbox(name, initial);
    publisher.subscribe(subscriber);
    inbox
}

/// A new inbox: the subscriber to hand to a publisher, and the consumer side.
pub(crate) fn inbox<T>(name: &'static str, initial: u64) -> (InboxSubscriber<T>, Inbox<T>) {
    let shared = Arc::new(Shared {
        name,
        upstream: SubscriptionSlot::new(),
        state: Mutex::new(State {
            items: VecDeque::new(),
            outstanding: 0,
            end: None,
            ended: false,
            closed: false,
            waker: None,
        }),
    });
    (
        InboxSubscriber {
            shared: shared.clone(),
            initial,
        },
        Inbox { shared },
    )
}

/// The subscriber behind an async terminal.
pub(crate) struct InboxSubscriber<T> {
    shared: Arc<Shared<T>>,
    initial: u64,
}

impl<T: Send> InboxSubscriber<T> {
    fn end(&self, end: Result<(), Error>) {
        let waker = self.shared.state.lock().finish(end);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T: Send> Subscriber<T> for InboxSubscriber<T> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // A second subscription, or one arriving after the consumer left, is cancelled.
        if self.shared.upstream.set(subscription) {
            {
                let mut state = self.shared.state.lock();
                state.outstanding = add_cap(state.outstanding, self.initial);
            }
            self.shared.upstream.request(self.initial);
        }
    }

    fn on_next(&mut self, item: T) {
        let mut state = self.shared.state.lock();
        if state.ended || state.closed {
            drop(state);
            drop(item); // rule 2.8: after our cancel, or a broken publisher after its end
            return;
        }
        if state.outstanding == 0 {
            let waker = state.finish(Err(Error::missing_demand(self.shared.name)));
            drop(state);
            self.shared.upstream.cancel();
            if let Some(waker) = waker {
                waker.wake();
            }
            return;
        }
        state.outstanding -= 1;
        state.items.push_back(item);
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn on_error(&mut self, error: Error) {
        self.end(Err(error));
    }

    fn on_complete(&mut self) {
        self.end(Ok(()));
    }
}

impl<T> Drop for InboxSubscriber<T> {
    /// A publisher that lets go of its subscriber without a terminal signal (and without a
    /// cancel from us) would leave the consumer waiting forever: end the stream with an error.
    fn drop(&mut self) {
        let message = format!(
            "{}: the publisher dropped its subscriber without on_complete or on_error \
             (rule 1.7: a stream must end with a terminal signal unless cancelled)",
            self.shared.name
        );
        let waker = self
            .shared
            .state
            .lock()
            .finish(Err(Error::protocol(message)));
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The consumer side of an inbox, owned by the async terminal's task. Dropping it cancels the
/// subscription unless the stream has ended.
pub(crate) struct Inbox<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Inbox<T> {
    /// The next item or the end, or `Pending` with the task's waker registered.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Received<T>> {
        let mut state = self.shared.state.lock();
        if let Some(item) = state.items.pop_front() {
            return Poll::Ready(Received::Item(item));
        }
        if let Some(end) = state.end.take() {
            return Poll::Ready(Received::End(end));
        }
        match &state.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => state.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// The next item or the end.
    pub(crate) async fn next(&mut self) -> Received<T> {
        poll_fn(|cx| self.poll_next(cx)).await
    }

    /// Asks the upstream for `n` more items, unless the stream has ended.
    pub(crate) fn request(&self, n: u64) {
        {
            let mut state = self.shared.state.lock();
            if state.ended {
                return; // rule 2.4: the subscription is over
            }
            state.outstanding = add_cap(state.outstanding, n);
        }
        self.shared.upstream.request(n);
    }
}

impl<T> Drop for Inbox<T> {
    fn drop(&mut self) {
        let (items, ended) = {
            let mut state = self.shared.state.lock();
            state.closed = true;
            state.waker = None;
            (std::mem::take(&mut state.items), state.ended)
        };
        drop(items); // outside the lock: an item's `Drop` may do anything
        if !ended {
            self.shared.upstream.cancel();
        }
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    use reactive_core::Subscriber;
    use reactive_core::support::empty_subscription;
    use reactive_core::sync::atomic::{AtomicBool, Ordering};
    use reactive_core::sync::thread;

    use super::{Received, inbox};

    /// A waker that records that it was called.
    struct Flag(AtomicBool);

    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::Release);
        }
    }

    /// The consumer polls (finds nothing, registers its waker) while the publisher's
    /// `on_next` pushes on another thread: the consumer either takes the item or is woken,
    /// never neither (no lost wake-up); the next poll has it.
    #[test]
    fn on_next_races_poll() {
        loom::model(|| {
            let (mut subscriber, mut consumer) = inbox::<u32>("model", 1);
            subscriber.on_subscribe(empty_subscription());
            let producer = thread::spawn(move || {
                subscriber.on_next(7);
                subscriber.on_complete();
            });
            let flag = Arc::new(Flag(AtomicBool::new(false)));
            let waker = Waker::from(flag.clone());
            let mut cx = Context::from_waker(&waker);
            let first = consumer.poll_next(&mut cx);
            producer.join().unwrap();
            match first {
                Poll::Ready(Received::Item(7)) => {}
                Poll::Pending => {
                    assert!(
                        flag.0.load(Ordering::Acquire),
                        "the consumer registered and waited, but was never woken"
                    );
                    assert!(matches!(
                        consumer.poll_next(&mut cx),
                        Poll::Ready(Received::Item(7))
                    ));
                }
                _ => panic!("the item comes before the end"),
            }
            assert!(matches!(
                consumer.poll_next(&mut cx),
                Poll::Ready(Received::End(Ok(())))
            ));
        });
    }
}
