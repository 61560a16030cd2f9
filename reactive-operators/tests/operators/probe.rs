//! A recording subscriber with hooks, for tests that drive demand by hand.

use std::sync::Arc;

use parking_lot::{Condvar, Mutex};
use reactive_core::{Error, Subscriber, SubscriptionRef};

type Hook<T> = Box<dyn FnMut(&ProbeHandle<T>, usize) + Send>;

/// What a [`Probe`] saw.
pub struct Record<T> {
    pub items: Vec<T>,
    pub completed: usize,
    pub errors: Vec<Error>,
    pub subscribed: usize,
    /// Total requested through [`ProbeHandle::request`] or the hook helpers.
    pub requested: u64,
    /// Set if an item arrived while `items.len() > requested` (rule 1.1 broken).
    pub overflow: bool,
}

pub struct Shared<T> {
    record: Mutex<Record<T>>,
    changed: Condvar,
    subscription: Mutex<Option<SubscriptionRef>>,
}

/// The subscriber half: move it into `subscribe`.
pub struct Probe<T> {
    shared: Arc<Shared<T>>,
    handle: ProbeHandle<T>,
    initial: u64,
    hook: Option<Hook<T>>,
    /// Dropped with the subscriber: lets tests watch rule 3.13.
    _token: Arc<()>,
}

/// The test's half: request, cancel, inspect.
pub struct ProbeHandle<T> {
    shared: Arc<Shared<T>>,
    token: std::sync::Weak<()>,
}

impl<T> Clone for ProbeHandle<T> {
    fn clone(&self) -> Self {
        ProbeHandle {
            shared: self.shared.clone(),
            token: self.token.clone(),
        }
    }
}

pub fn probe<T>(initial: u64) -> (Probe<T>, ProbeHandle<T>) {
    let shared = Arc::new(Shared {
        record: Mutex::new(Record {
            items: Vec::new(),
            completed: 0,
            errors: Vec::new(),
            subscribed: 0,
            requested: 0,
            overflow: false,
        }),
        changed: Condvar::new(),
        subscription: Mutex::new(None),
    });
    let token = Arc::new(());
    let handle = ProbeHandle {
        shared: shared.clone(),
        token: Arc::downgrade(&token),
    };
    (
        Probe {
            shared,
            handle: handle.clone(),
            initial,
            hook: None,
            _token: token,
        },
        handle,
    )
}

impl<T> Probe<T> {
    /// Runs `hook(handle, items_so_far)` after recording each item, with no lock held
    /// (e.g. to request or cancel from inside `on_next`).
    pub fn with_hook(mut self, hook: impl FnMut(&ProbeHandle<T>, usize) + Send + 'static) -> Self {
        self.hook = Some(Box::new(hook));
        self
    }
}

impl<T> ProbeHandle<T> {
    pub fn request(&self, n: u64) {
        let s = self
            .shared
            .subscription
            .lock()
            .clone()
            .expect("not subscribed");
        {
            let mut r = self.shared.record.lock();
            r.requested = r.requested.saturating_add(n);
        }
        s.request(n);
    }

    pub fn cancel(&self) {
        let s = self
            .shared
            .subscription
            .lock()
            .clone()
            .expect("not subscribed");
        s.cancel();
    }

    pub fn with<R>(&self, f: impl FnOnce(&Record<T>) -> R) -> R {
        f(&self.shared.record.lock())
    }

    pub fn len(&self) -> usize {
        self.with(|r| r.items.len())
    }

    pub fn is_terminated(&self) -> bool {
        self.with(|r| r.completed + r.errors.len() > 0)
    }

    /// Waits (bounded) until the stream terminates; panics after 10 s.
    pub fn await_terminal(&self) {
        let mut r = self.shared.record.lock();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while r.completed + r.errors.len() == 0 {
            if self.shared.changed.wait_until(&mut r, deadline).timed_out() {
                panic!(
                    "no terminal signal within 10 s ({} items so far)",
                    r.items.len()
                );
            }
        }
    }

    /// Whether the publisher has dropped the subscriber (rule 3.13).
    pub fn subscriber_dropped(&self) -> bool {
        self.token.strong_count() == 0
    }

    /// Drops the test's own reference to the subscription (so only the publisher could keep
    /// the subscriber alive).
    pub fn forget_subscription(&self) {
        self.shared.subscription.lock().take();
    }
}

impl<T: Clone> ProbeHandle<T> {
    pub fn items(&self) -> Vec<T> {
        self.with(|r| r.items.clone())
    }
}

impl<T: Send> Subscriber<T> for Probe<T> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        self.shared.record.lock().subscribed += 1;
        *self.shared.subscription.lock() = Some(subscription.clone());
        if self.initial > 0 {
            {
                let mut r = self.shared.record.lock();
                r.requested = r.requested.saturating_add(self.initial);
            }
            subscription.request(self.initial);
        }
    }

    fn on_next(&mut self, item: T) {
        let count = {
            let mut r = self.shared.record.lock();
            if r.items.len() as u64 >= r.requested {
                r.overflow = true;
            }
            r.items.push(item);
            r.items.len()
        };
        self.shared.changed.notify_all();
        if let Some(hook) = self.hook.as_mut() {
            hook(&self.handle, count);
        }
    }

    fn on_error(&mut self, error: Error) {
        self.shared.record.lock().errors.push(error);
        self.shared.changed.notify_all();
    }

    fn on_complete(&mut self) {
        self.shared.record.lock().completed += 1;
        self.shared.changed.notify_all();
    }
}
