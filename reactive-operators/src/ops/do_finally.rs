use std::sync::Arc;

use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Subscription, SubscriptionRef};

use super::peek::{Hooks, peek_operator};

peek_operator!(
    /// The publisher returned by [`PublisherExt::do_finally`](crate::PublisherExt::do_finally).
    DoFinally,
    finally,
    Fn() + Send + Sync + 'static
);

/// A callback that runs at most once, whichever thread asks first.
pub(super) struct Once<F> {
    fired: AtomicBool,
    f: F,
}

impl<F: Fn()> Once<F> {
    pub(super) fn new(f: F) -> Self {
        Once {
            fired: AtomicBool::new(false),
            f,
        }
    }

    /// Runs the callback unless it already ran (or is running); only the first caller's
    /// swap sees `false`.
    pub(super) fn run(&self) {
        if !self.fired.swap(true, Ordering::AcqRel) {
            (self.f)();
        }
    }
}

/// The subscription handed downstream by `do_on_cancel` and `do_finally`: on `cancel`, runs
/// the callback before (`do_on_cancel`) or after (`do_finally`) cancelling the upstream.
pub(super) struct CancelHook<F> {
    pub(super) upstream: SubscriptionRef,
    pub(super) once: Arc<Once<F>>,
    pub(super) before: bool,
}

impl<F: Fn() + Send + Sync> Subscription for CancelHook<F> {
    fn request(&self, n: u64) {
        self.upstream.request(n);
    }

    fn cancel(&self) {
        if self.before {
            self.once.run();
        }
        self.upstream.cancel();
        if !self.before {
            self.once.run();
        }
    }
}

fn finally<F>(f: F) -> Finally<F> {
    Finally::Waiting(Some(f))
}

/// `do_finally`'s hooks: the callback moves into a [`Once`] shared with the subscription at
/// `on_subscribe`; the terminal signals and `cancel` race for it.
enum Finally<F> {
    /// Before `on_subscribe` (`None` once run for a terminal signal that came first).
    Waiting(Option<F>),
    Subscribed(Arc<Once<F>>),
}

impl<T, F: Fn() + Send + Sync + 'static> Hooks<T> for Finally<F> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) -> SubscriptionRef {
        let Finally::Waiting(Some(f)) = std::mem::replace(self, Finally::Waiting(None)) else {
            return subscription; // a second subscription: cancelled by the stage below's rules
        };
        let once = Arc::new(Once::new(f));
        *self = Finally::Subscribed(once.clone());
        Arc::new(CancelHook {
            upstream: subscription,
            once,
            before: false,
        })
    }

    fn after_terminal(&mut self) {
        match self {
            Finally::Subscribed(once) => once.run(),
            Finally::Waiting(f) => {
                if let Some(f) = f.take() {
                    f();
                }
            }
        }
    }
}

/// The race `do_finally` exists for, once: the upstream completes on one thread while the
/// downstream cancels on another; the callback runs exactly once, whichever wins.
#[cfg(any(test, reactive_loom))]
pub(crate) fn cancel_races_completion() {
    use reactive_core::sync::atomic::AtomicUsize;
    use reactive_core::sync::thread;
    use reactive_core::{Error, Publisher, Subscriber};

    /// Hands the subscriber it gets to the test, after `on_subscribe`.
    struct Manual(Arc<reactive_core::sync::Mutex<Option<Box<dyn Subscriber<u64>>>>>);
    impl Publisher for Manual {
        type Item = u64;
        fn subscribe<S: Subscriber<u64> + 'static>(&self, mut subscriber: S) {
            subscriber.on_subscribe(reactive_core::support::empty_subscription());
            *self.0.lock() = Some(Box::new(subscriber));
        }
    }
    /// Keeps the subscription it is given.
    struct Keep(Arc<reactive_core::sync::Mutex<Option<SubscriptionRef>>>);
    impl Subscriber<u64> for Keep {
        fn on_subscribe(&mut self, s: SubscriptionRef) {
            *self.0.lock() = Some(s);
        }
        fn on_next(&mut self, _: u64) {}
        fn on_error(&mut self, _: Error) {}
        fn on_complete(&mut self) {}
    }

    let runs = reactive_core::sync::Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let upstream = Arc::new(reactive_core::sync::Mutex::new(None));
    let handle = Arc::new(reactive_core::sync::Mutex::new(None));
    DoFinally::new(Manual(upstream.clone()), move || {
        counter.fetch_add(1, Ordering::AcqRel);
    })
    .subscribe(Keep(handle.clone()));
    let subscription = handle.lock().take().expect("on_subscribe ran");
    let mut source = upstream.lock().take().expect("subscribed upstream");
    let completer = thread::spawn(move || source.on_complete());
    subscription.cancel();
    completer.join().unwrap();
    assert_eq!(
        runs.load(Ordering::Acquire),
        1,
        "do_finally ran {} times",
        runs.load(Ordering::Acquire)
    );
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    /// `cancel` on one thread races the upstream's `on_complete` on another: the callback
    /// runs exactly once.
    #[test]
    fn cancel_races_completion() {
        loom::model(super::cancel_races_completion);
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    #[test]
    fn cancel_races_completion_on_real_threads() {
        for _ in 0..200 {
            super::cancel_races_completion();
        }
    }
}
