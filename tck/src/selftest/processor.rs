//! Self-tests of the identity processor verification (the JVM TCK's
//! `IdentityProcessorVerificationTest` and `LockstepProcessorTest`).

use std::collections::VecDeque;
use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use reactive_core::support::{Demand, WipCell};
use reactive_core::{
    BoxPublisher, BoxSubscriber, Error, Publisher, Subscriber, Subscription, SubscriptionRef,
};

use super::fixtures::*;
use crate::{
    EnvError, IdentityProcessorVerification, TestEnvironment, run_identity_processor_test,
    run_identity_processor_verification,
};

const SPEC104_MULTI: &str = "required_spec104_must_call_on_error_on_all_its_subscribers_if_it_encounters_a_non_recoverable_error";

// ---------------------------------------------------------------------------------------------
// A processor that emits in lockstep: an element goes out only when every subscriber has
// demand for it (coordinated emission), at most 2 subscribers in the suite below.
// ---------------------------------------------------------------------------------------------

const BUFFER: usize = 128;
const LIMIT: usize = BUFFER - BUFFER / 4;

enum Upstream {
    None,
    Set(SubscriptionRef),
    Cancelled,
}

struct LockSub<T> {
    demand: Demand,
    zero: Mutex<bool>,
    parent: Weak<Inner<T>>,
}

impl<T: Clone + Send + 'static> Subscription for LockSub<T> {
    fn request(&self, n: u64) {
        if n == 0 {
            *self.zero.lock() = true;
        } else {
            self.demand.add(n);
        }
        if let Some(p) = self.parent.upgrade() {
            p.drain();
        }
    }

    fn cancel(&self) {
        self.demand.cancel();
        if let Some(p) = self.parent.upgrade() {
            p.drain();
        }
    }
}

type Entry<T> = (Arc<LockSub<T>>, BoxSubscriber<T>);

#[derive(Default)]
struct DrainState<T> {
    subscribers: Vec<Entry<T>>,
    terminated: bool,
    had_subscribers: bool,
    consumed: usize,
}

pub(super) struct Inner<T> {
    upstream: Mutex<Upstream>,
    queue: Mutex<VecDeque<T>>,
    /// `Some(None)`: completed; `Some(Some(e))`: failed.
    done: Mutex<Option<Option<Error>>>,
    pending: Mutex<Vec<Entry<T>>>,
    state: WipCell<DrainState<T>>,
}

impl<T: Clone + Send + 'static> Inner<T> {
    fn cancel_upstream(&self) {
        let old = std::mem::replace(&mut *self.upstream.lock(), Upstream::Cancelled);
        if let Upstream::Set(s) = old {
            s.cancel();
        }
    }

    fn request_upstream(&self, n: u64) {
        let s = match &*self.upstream.lock() {
            Upstream::Set(s) => Some(s.clone()),
            _ => None,
        };
        if let Some(s) = s {
            s.request(n);
        }
    }

    fn drain(&self) {
        self.state.drain(|st| {
            loop {
                let mut progress = false;
                let done = self.done.lock().clone();
                let arrivals = std::mem::take(&mut *self.pending.lock());
                for (handle, mut s) in arrivals {
                    progress = true;
                    s.on_subscribe(handle.clone());
                    if st.terminated {
                        match &done {
                            Some(Some(e)) => s.on_error(e.clone()),
                            _ => s.on_complete(),
                        }
                    } else if !handle.demand.is_cancelled() {
                        st.subscribers.push((handle, s));
                        st.had_subscribers = true;
                    }
                }
                st.subscribers.retain_mut(|(h, s)| {
                    if std::mem::take(&mut *h.zero.lock()) {
                        h.demand.cancel();
                        s.on_error(Error::invalid_request(0));
                        false
                    } else {
                        !h.demand.is_cancelled()
                    }
                });
                if st.terminated {
                    st.subscribers.clear();
                } else if st.had_subscribers && st.subscribers.is_empty() {
                    // The last subscriber left: shut down.
                    st.terminated = true;
                    self.done.lock().get_or_insert(None);
                    self.cancel_upstream();
                } else if !st.subscribers.is_empty() {
                    let ready = st
                        .subscribers
                        .iter()
                        .map(|(h, _)| h.demand.get())
                        .min()
                        .unwrap_or(0);
                    let next = if ready > 0 {
                        self.queue.lock().pop_front()
                    } else {
                        None
                    };
                    if let Some(v) = next {
                        progress = true;
                        for (h, s) in st.subscribers.iter_mut() {
                            s.on_next(v.clone());
                            h.demand.produced(1);
                        }
                        st.consumed += 1;
                        if st.consumed == LIMIT {
                            st.consumed = 0;
                            self.request_upstream(LIMIT as u64);
                        }
                    }
                }
                if !st.terminated {
                    let empty = self.queue.lock().is_empty();
                    match &done {
                        Some(Some(e)) => {
                            for (_, s) in st.subscribers.iter_mut() {
                                s.on_error(e.clone());
                            }
                            st.subscribers.clear();
                            st.terminated = true;
                            progress = true;
                        }
                        Some(None) if empty => {
                            for (_, s) in st.subscribers.iter_mut() {
                                s.on_complete();
                            }
                            st.subscribers.clear();
                            st.terminated = true;
                            progress = true;
                        }
                        _ => {}
                    }
                }
                if !progress {
                    break;
                }
            }
        });
    }
}

/// The JVM TCK's `LockstepProcessor` in Rust.
pub(super) struct LockstepProcessor<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Clone for LockstepProcessor<T> {
    fn clone(&self) -> Self {
        LockstepProcessor {
            inner: self.inner.clone(),
        }
    }
}

impl<T: Clone + Send + 'static> LockstepProcessor<T> {
    fn new() -> Self {
        LockstepProcessor {
            inner: Arc::new(Inner {
                upstream: Mutex::new(Upstream::None),
                queue: Mutex::new(VecDeque::new()),
                done: Mutex::new(None),
                pending: Mutex::new(Vec::new()),
                state: WipCell::new(DrainState {
                    subscribers: Vec::new(),
                    terminated: false,
                    had_subscribers: false,
                    consumed: 0,
                }),
            }),
        }
    }
}

impl<T: Clone + Send + 'static> Publisher<T> for LockstepProcessor<T> {
    fn subscribe<S: Subscriber<T> + 'static>(&self, subscriber: S) {
        let handle = Arc::new(LockSub {
            demand: Demand::new(),
            zero: Mutex::new(false),
            parent: Arc::downgrade(&self.inner),
        });
        self.inner
            .pending
            .lock()
            .push((handle, Box::new(subscriber)));
        self.inner.drain();
    }
}

impl<T: Clone + Send + 'static> Subscriber<T> for LockstepProcessor<T> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        let mut up = self.inner.upstream.lock();
        if matches!(*up, Upstream::None) {
            *up = Upstream::Set(subscription.clone());
            drop(up);
            subscription.request(BUFFER as u64);
        } else {
            drop(up);
            subscription.cancel();
        }
    }

    fn on_next(&mut self, item: T) {
        self.inner.queue.lock().push_back(item);
        self.inner.drain();
    }

    fn on_error(&mut self, error: Error) {
        self.inner.done.lock().get_or_insert(Some(error));
        self.inner.drain();
    }

    fn on_complete(&mut self) {
        self.inner.done.lock().get_or_insert(None);
        self.inner.drain();
    }
}

pub(super) struct Lockstep;

impl IdentityProcessorVerification for Lockstep {
    type Item = i32;
    type Processor = LockstepProcessor<i32>;

    fn create_identity_processor(&self, _: usize) -> LockstepProcessor<i32> {
        LockstepProcessor::new()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<i32>> {
        let mut p = LockstepProcessor::new();
        p.on_error(Error::msg("failed on purpose"));
        Some(BoxPublisher::new(p))
    }

    fn create_element(id: u64) -> i32 {
        id as i32
    }

    fn max_supported_subscribers(&self) -> u64 {
        2
    }

    fn does_coordinated_emission(&self) -> bool {
        true
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        Ok(env())
    }
}

#[test]
fn lockstep_processor_whole_suite() {
    // JVM (LockstepProcessorTest): 46 pass / 22 skip: the 20 untested tests and 2 optional 1.11
    // tests a lockstep processor cannot pass (one subscriber requests while the others do not).
    let report = run_identity_processor_verification(&Lockstep);
    assert_eq!(
        (report.passed(), report.failed(), report.skipped()),
        (46, 0, 22),
        "\n{report}"
    );
}

// ---------------------------------------------------------------------------------------------
// Broken processors
// ---------------------------------------------------------------------------------------------

/// Downstream: every request emits element 0. Upstream: requests 1 and swallows everything,
/// including `on_error`.
#[derive(Clone)]
struct Swallowing {
    publisher: FnPublisher<i32>,
}

impl Swallowing {
    fn new() -> Self {
        Swallowing {
            publisher: linked(|link, _| link.signal(|s| s.on_next(0)), |_| {}),
        }
    }
}

impl Publisher<i32> for Swallowing {
    fn subscribe<S: Subscriber<i32> + 'static>(&self, s: S) {
        self.publisher.subscribe(s)
    }
}

impl Subscriber<i32> for Swallowing {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        s.request(1)
    }
    fn on_next(&mut self, _: i32) {}
    fn on_error(&mut self, _: Error) {}
    fn on_complete(&mut self) {}
}

struct Broken {
    max_subscribers: u64,
}

impl IdentityProcessorVerification for Broken {
    type Item = i32;
    type Processor = Swallowing;

    fn create_identity_processor(&self, _: usize) -> Swallowing {
        Swallowing::new()
    }

    fn create_element(id: u64) -> i32 {
        id as i32
    }

    fn create_helper_publisher(&self, _: u64) -> BoxPublisher<i32> {
        // Ten elements per request (more than asked: this is a broken test fixture, but the
        // test subscriber pulling from it only takes what it needs).
        BoxPublisher::new(linked(
            |link, _| {
                link.signal(|s| {
                    for i in 0..10 {
                        s.on_next(i)
                    }
                })
            },
            |_| {},
        ))
    }

    fn max_supported_subscribers(&self) -> u64 {
        self.max_subscribers
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        Ok(env())
    }
}

#[test]
fn spec104_should_be_ignored_with_one_subscriber() {
    require_skip(
        run_identity_processor_test(&Broken { max_subscribers: 1 }, SPEC104_MULTI),
        "The Publisher under test only supports 1 subscribers, while this test requires at least 2 to run",
    );
}

#[test]
fn spec104_should_fail_while_waiting_for_on_error() {
    require_failure(
        run_identity_processor_test(
            &Broken {
                max_subscribers: u64::MAX,
            },
            SPEC104_MULTI,
        ),
        "Did not receive expected error on downstream within",
    );
}

#[test]
fn on_error_must_be_passed_on_immediately() {
    require_failure(
        run_identity_processor_test(
            &Broken {
                max_subscribers: u64::MAX,
            },
            "must_immediately_pass_on_on_error_events_received_from_its_upstream_to_its_downstream",
        ),
        "Did not receive expected error on downstream within",
    );
}

#[test]
fn delegated_tests_run_against_the_processor() {
    // A delegated publisher test and a delegated whitebox test, by name.
    let r = run_identity_processor_test(
        &Lockstep,
        "required_spec102_may_signal_less_than_requested_and_terminate_subscription",
    );
    require_pass(r);
    let r = run_identity_processor_test(&Lockstep, "required_exercise_whitebox_happy_path");
    require_pass(r);
}
