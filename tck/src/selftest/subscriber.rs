//! Self-tests of the subscriber verifications (the JVM TCK's
//! `SubscriberWhiteboxVerificationTest` and `SubscriberBlackboxVerificationTest`), and whole
//! runs against correct subscribers (`SyncTriggeredDemandSubscriber*Test`,
//! `SubscriberNoRegisterOnSubscribeTest`).
//!
//! The JVM self-tests that feed a subscriber accepting `null` arguments (rule 2.13) become
//! checks that those tests pass and say that the type system enforces the rule.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use reactive_core::{Error, Subscriber, Subscription, SubscriptionRef};

use super::fixtures::*;
use crate::{
    EnvError, Outcome, SubscriberBlackboxVerification, SubscriberPuppet,
    SubscriberWhiteboxVerification, TestEnvironment, TestResult, WhiteboxProbe,
    run_subscriber_blackbox_test, run_subscriber_blackbox_verification,
    run_subscriber_whitebox_test, run_subscriber_whitebox_verification, spawn_after,
};

/// How long the delayed puppets wait before requesting or cancelling (the TCK waits up to `T`).
const DELAY: Duration = Duration::from_millis(200);

/// The ways the self-tests' subscriber misbehaves (or not).
#[derive(Clone)]
enum Behaviour {
    Simple,
    PuppetIgnoresRequests,
    RequestInOnComplete,
    CancelInOnComplete,
    RequestInOnError,
    CancelInOnError,
    UnrelatedCancelFromOnComplete,
    UnrelatedRequestFromOnComplete,
    UnrelatedCancelFromOnError,
    UnrelatedRequestFromOnError,
    RequestOnEverySubscribe,
    PanicOnNextAfterCancel(Arc<Mutex<bool>>),
    DelayedPuppet(Arc<Mutex<bool>>),
    OneAtATimeDelayed(Arc<Mutex<bool>>, Arc<Mutex<u64>>),
    SilentOnComplete,
    NeverRegisters,
    PanicInOnError,
    /// `on_complete` has another thread cancel the subscription (waiting for it): rule 2.4.
    CancelFromAnotherThreadInOnComplete,
    /// `on_error` has another thread request (waiting for it): rule 2.4.
    RequestFromAnotherThreadInOnError,
    /// Requests in 1,000 pieces of 1: on subscribe, and for every `trigger_request` or element.
    ThousandRequestsOfOne,
}

/// Calls `f` on a new thread and waits for it.
fn on_another_thread(f: impl FnOnce() + Send + 'static) {
    std::thread::spawn(f).join().unwrap();
}

/// A subscriber that reports to its probe (whitebox) or to nobody (blackbox, `probe: None`),
/// misbehaving as told.
struct Probed {
    probe: Option<WhiteboxProbe<i32>>,
    subscription: Option<SubscriptionRef>,
    behaviour: Behaviour,
    /// Blackbox only: request 1 on subscribe and 1 per element.
    requesting: bool,
}

/// An unrelated subscriber whose terminal signal calls the real subscription: the harness is
/// not inside the subscriber under test's `on_complete` / `on_error`, so rule 2.3 is kept.
struct Unrelated {
    s: SubscriptionRef,
    request: bool,
}

impl Subscriber<()> for Unrelated {
    fn on_subscribe(&mut self, _: SubscriptionRef) {}
    fn on_next(&mut self, _: ()) {}
    fn on_error(&mut self, _: Error) {
        self.poke()
    }
    fn on_complete(&mut self) {
        self.poke()
    }
}

impl Unrelated {
    fn poke(&self) {
        if self.request {
            self.s.request(1)
        } else {
            self.s.cancel()
        }
    }
}

/// Forwards to the subscription, setting a flag first.
struct FlaggingPuppet {
    s: SubscriptionRef,
    cancelled: Arc<Mutex<bool>>,
}

impl SubscriberPuppet for FlaggingPuppet {
    fn trigger_request(&self, n: u64) {
        self.s.request(n)
    }
    fn signal_cancel(&self) {
        *self.cancelled.lock() = true;
        self.s.cancel()
    }
}

/// Requests and cancels after a delay, from a timer thread.
struct DelayedPuppet {
    s: SubscriptionRef,
    demand_requested: Arc<Mutex<bool>>,
    /// For the one-at-a-time variant: the total asked for but not yet received.
    outstanding: Option<Arc<Mutex<u64>>>,
}

impl SubscriberPuppet for DelayedPuppet {
    fn trigger_request(&self, n: u64) {
        let (s, flag) = (self.s.clone(), self.demand_requested.clone());
        let amount = match &self.outstanding {
            Some(o) => {
                *o.lock() += n;
                1
            }
            None => n,
        };
        spawn_after(DELAY, move || {
            *flag.lock() = true;
            s.request(amount);
        });
    }

    fn signal_cancel(&self) {
        let s = self.s.clone();
        spawn_after(DELAY, move || s.cancel());
    }
}

struct NoopPuppet;

/// Requests `n` as `n` requests of 1.
struct PiecesPuppet(SubscriptionRef);

impl SubscriberPuppet for PiecesPuppet {
    fn trigger_request(&self, n: u64) {
        for _ in 0..n {
            self.0.request(1);
        }
    }
    fn signal_cancel(&self) {
        self.0.cancel()
    }
}

impl SubscriberPuppet for NoopPuppet {
    fn trigger_request(&self, _: u64) {}
    fn signal_cancel(&self) {}
}

impl Probed {
    fn register_next(&self, x: i32) {
        if let Some(p) = &self.probe {
            p.register_on_next(x)
        }
    }
}

impl Subscriber<i32> for Probed {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        use Behaviour::*;
        let first = self.subscription.is_none();
        if first {
            self.subscription = Some(s.clone());
        }
        if let Some(probe) = &self.probe {
            match &self.behaviour {
                PuppetIgnoresRequests => probe.register_on_subscribe(NoopPuppet),
                ThousandRequestsOfOne => probe.register_on_subscribe(PiecesPuppet(s.clone())),
                NeverRegisters => {}
                PanicOnNextAfterCancel(flag) => probe.register_on_subscribe(FlaggingPuppet {
                    s: s.clone(),
                    cancelled: flag.clone(),
                }),
                DelayedPuppet(flag) => probe.register_on_subscribe(self::DelayedPuppet {
                    s: s.clone(),
                    demand_requested: flag.clone(),
                    outstanding: None,
                }),
                OneAtATimeDelayed(flag, outstanding) => {
                    probe.register_on_subscribe(self::DelayedPuppet {
                        s: s.clone(),
                        demand_requested: flag.clone(),
                        outstanding: Some(outstanding.clone()),
                    })
                }
                _ => probe.register_on_subscribe(s.clone()),
            }
        }
        match &self.behaviour {
            UnrelatedCancelFromOnComplete | UnrelatedRequestFromOnComplete => {
                let request = matches!(self.behaviour, UnrelatedRequestFromOnComplete);
                Unrelated {
                    s: s.clone(),
                    request,
                }
                .on_complete();
            }
            UnrelatedCancelFromOnError | UnrelatedRequestFromOnError => {
                let request = matches!(self.behaviour, UnrelatedRequestFromOnError);
                Unrelated {
                    s: s.clone(),
                    request,
                }
                .on_error(boom());
            }
            // Wrong: must check whether a subscription is already active (rule 2.5).
            RequestOnEverySubscribe => s.request(1),
            ThousandRequestsOfOne if first && self.requesting => {
                for _ in 0..1000 {
                    s.request(1);
                }
            }
            _ => {
                if !first {
                    s.cancel();
                } else if self.requesting {
                    s.request(1);
                }
            }
        }
    }

    fn on_next(&mut self, x: i32) {
        use Behaviour::*;
        match &self.behaviour {
            PanicOnNextAfterCancel(cancelled) if *cancelled.lock() => {
                panic!("But I thought it's cancelled!")
            }
            DelayedPuppet(flag) if !*flag.lock() => panic!("on_next signalled without demand!"),
            OneAtATimeDelayed(flag, outstanding) => {
                if !std::mem::replace(&mut *flag.lock(), false) {
                    panic!("on_next signalled without demand!");
                }
                let left = {
                    let mut o = outstanding.lock();
                    *o -= 1;
                    *o
                };
                if left > 0 {
                    let (s, flag) = (self.subscription.clone().unwrap(), flag.clone());
                    spawn_after(DELAY, move || {
                        *flag.lock() = true;
                        s.request(1);
                    });
                }
            }
            _ => {}
        }
        self.register_next(x);
        if self.requesting {
            if let Some(s) = &self.subscription {
                s.request(1);
            }
        }
    }

    fn on_error(&mut self, e: Error) {
        use Behaviour::*;
        match &self.behaviour {
            RequestInOnError => self.subscription.as_ref().unwrap().request(1),
            CancelInOnError => self.subscription.as_ref().unwrap().cancel(),
            PanicInOnError => panic!("Wrong, don't do this! {e}"),
            RequestFromAnotherThreadInOnError => {
                let s = self.subscription.clone().unwrap();
                on_another_thread(move || s.request(1));
            }
            _ => {}
        }
        if let Some(p) = &self.probe {
            p.register_on_error(e)
        }
    }

    fn on_complete(&mut self) {
        use Behaviour::*;
        match &self.behaviour {
            RequestInOnComplete => self.subscription.as_ref().unwrap().request(1),
            CancelInOnComplete => self.subscription.as_ref().unwrap().cancel(),
            SilentOnComplete => return,
            CancelFromAnotherThreadInOnComplete => {
                let s = self.subscription.clone().unwrap();
                on_another_thread(move || s.cancel());
            }
            _ => {}
        }
        if let Some(p) = &self.probe {
            p.register_on_complete()
        }
    }
}

struct Whitebox(Behaviour);

impl SubscriberWhiteboxVerification for Whitebox {
    type Item = i32;
    type Subscriber = Probed;

    fn create_subscriber(&self, probe: WhiteboxProbe<i32>) -> Probed {
        Probed {
            probe: Some(probe),
            subscription: None,
            behaviour: self.0.clone(),
            requesting: false,
        }
    }

    fn create_element(id: u64) -> i32 {
        id as i32
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        Ok(env())
    }
}

fn wb(b: Behaviour, name: &str) -> TestResult {
    run_subscriber_whitebox_test(&Whitebox(b), name)
}

const WB201: &str = "required_spec201_must_signal_demand_via_subscription_request";
const WB203_COMPLETE: &str =
    "required_spec203_must_not_call_methods_on_subscription_or_publisher_in_on_complete";
const WB203_ERROR: &str =
    "required_spec203_must_not_call_methods_on_subscription_or_publisher_in_on_error";
const WB205: &str = "required_spec205_must_call_subscription_cancel_if_it_already_has_an_subscription_and_receives_another_on_subscribe_signal";
const WB208: &str = "required_spec208_must_be_prepared_to_receive_on_next_signals_after_having_called_subscription_cancel";
const WB209_WITH: &str = "required_spec209_must_be_prepared_to_receive_an_on_complete_signal_with_preceding_request_call";
const WB209_WITHOUT: &str = "required_spec209_must_be_prepared_to_receive_an_on_complete_signal_without_preceding_request_call";
const WB210_WITH: &str =
    "required_spec210_must_be_prepared_to_receive_an_on_error_signal_with_preceding_request_call";
const WB210_WITHOUT: &str = "required_spec210_must_be_prepared_to_receive_an_on_error_signal_without_preceding_request_call";
const WB308: &str = "required_spec308_request_must_register_given_number_elements_to_be_produced";

#[test]
fn wb_spec201_should_fail_by_not_getting_request_call() {
    require_failure(
        wb(Behaviour::PuppetIgnoresRequests, WB201),
        "Did not receive expected `request` call within",
    );
}

#[test]
fn wb_spec201_should_pass() {
    require_pass(wb(Behaviour::Simple, WB201));
}

#[test]
fn wb_spec203_on_complete_should_fail_due_to_calling_request() {
    require_failure(
        wb(Behaviour::RequestInOnComplete, WB203_COMPLETE),
        "Subscription::request MUST NOT be called from Subscriber::on_complete (Rule 2.3)!",
    );
}

#[test]
fn wb_spec203_on_complete_should_fail_due_to_calling_cancel() {
    require_failure(
        wb(Behaviour::CancelInOnComplete, WB203_COMPLETE),
        "Subscription::cancel MUST NOT be called from Subscriber::on_complete (Rule 2.3)!",
    );
}

#[test]
fn wb_spec203_on_error_should_fail_due_to_calling_request() {
    require_failure(
        wb(Behaviour::RequestInOnError, WB203_ERROR),
        "Subscription::request MUST NOT be called from Subscriber::on_error (Rule 2.3)!",
    );
}

#[test]
fn wb_spec203_on_error_should_fail_due_to_calling_cancel() {
    require_failure(
        wb(Behaviour::CancelInOnError, WB203_ERROR),
        "Subscription::cancel MUST NOT be called from Subscriber::on_error (Rule 2.3)!",
    );
}

#[test]
fn wb_spec203_should_pass_unrelated_cancel_from_on_complete() {
    require_pass(wb(Behaviour::UnrelatedCancelFromOnComplete, WB203_COMPLETE));
}

#[test]
fn wb_spec203_should_pass_unrelated_request_from_on_complete() {
    require_pass(wb(
        Behaviour::UnrelatedRequestFromOnComplete,
        WB203_COMPLETE,
    ));
}

#[test]
fn wb_spec203_should_pass_unrelated_cancel_from_on_error() {
    require_pass(wb(Behaviour::UnrelatedCancelFromOnError, WB203_ERROR));
}

#[test]
fn wb_spec203_should_pass_unrelated_request_from_on_error() {
    require_pass(wb(Behaviour::UnrelatedRequestFromOnError, WB203_ERROR));
}

#[test]
fn wb_spec205_should_fail() {
    require_failure(
        wb(Behaviour::RequestOnEverySubscribe, WB205),
        "Expected 2nd Subscription given to subscriber to be cancelled",
    );
}

#[test]
fn wb_spec208_should_fail() {
    let cancelled = Arc::new(Mutex::new(false));
    require_failure(
        wb(Behaviour::PanicOnNextAfterCancel(cancelled), WB208),
        "But I thought it's cancelled!",
    );
}

#[test]
fn wb_spec208_should_wait_for_demand_before_signalling() {
    require_pass(wb(
        Behaviour::DelayedPuppet(Arc::new(Mutex::new(false))),
        WB208,
    ));
}

#[test]
fn wb_spec209_with_request_should_fail() {
    require_failure(
        wb(Behaviour::SilentOnComplete, WB209_WITH),
        "did not call `register_on_complete()`",
    );
}

#[test]
fn wb_spec209_without_request_should_fail_with_non_registering_subscriber() {
    require_failure(
        wb(Behaviour::NeverRegisters, WB209_WITHOUT),
        "did not `register_on_subscribe`",
    );
}

#[test]
fn wb_spec210_with_request_should_fail() {
    require_failure(
        wb(Behaviour::PanicInOnError, WB210_WITH),
        "Test Exception: Boom!",
    );
}

#[test]
fn wb_spec210_without_request_should_fail() {
    require_failure(
        wb(Behaviour::PanicInOnError, WB210_WITHOUT),
        "Test Exception: Boom!",
    );
}

#[test]
fn wb_spec308_should_pass() {
    require_pass(wb(Behaviour::Simple, WB308));
}

#[test]
fn wb_spec308_should_wait_for_demand_before_signalling() {
    require_pass(wb(
        Behaviour::DelayedPuppet(Arc::new(Mutex::new(false))),
        WB308,
    ));
}

#[test]
fn wb_spec308_should_wait_for_demand_twice_for_one_at_a_time_subscribers() {
    require_pass(wb(
        Behaviour::OneAtATimeDelayed(Arc::new(Mutex::new(false)), Arc::new(Mutex::new(0))),
        WB308,
    ));
}

#[test]
fn wb_spec213_null_tests_pass_by_type() {
    for name in [
        "required_spec213_on_subscribe_must_throw_null_pointer_exception_when_parameters_are_null",
        "required_spec213_on_next_must_throw_null_pointer_exception_when_parameters_are_null",
        "required_spec213_on_error_must_throw_null_pointer_exception_when_parameters_are_null",
    ] {
        require_pass_by_type(wb(Behaviour::Simple, name));
    }
}

#[test]
fn wb_simple_subscriber_whole_suite() {
    // JVM (SyncTriggeredDemandSubscriberWhiteboxTest): 14 pass / 13 skip.
    let report = run_subscriber_whitebox_verification(&Whitebox(Behaviour::Simple));
    assert_eq!(
        (report.passed(), report.failed(), report.skipped()),
        (14, 0, 13),
        "\n{report}"
    );
}

#[test]
fn wb_subscriber_that_never_registers() {
    // JVM (SubscriberNoRegisterOnSubscribeTest): each of the setup-dependent tests fails with
    // "did not `registerOnSubscribe`"; the null tests pass here by type.
    let report = run_subscriber_whitebox_verification(&Whitebox(Behaviour::NeverRegisters));
    for r in &report.results {
        match &r.outcome {
            Outcome::Failed(reason) => {
                assert!(
                    reason.contains("did not `register_on_subscribe` within"),
                    "{r:?}"
                )
            }
            Outcome::Passed => assert!(
                r.note.is_some() || r.name.starts_with("required_spec203"),
                "{r:?}"
            ),
            Outcome::Skipped(_) => assert!(r.name.starts_with("untested_"), "{r:?}"),
            Outcome::OptionalFailed(_) => {
                panic!("the whitebox verification has no optional test: {r:?}")
            }
        }
    }
    assert_eq!(
        (report.passed(), report.failed(), report.skipped()),
        (5, 9, 13),
        "\n{report}"
    );
}

// ---------------------------------------------------------------------------------------------
// Blackbox
// ---------------------------------------------------------------------------------------------

struct Blackbox {
    behaviour: Behaviour,
    requesting: bool,
}

impl SubscriberBlackboxVerification for Blackbox {
    type Item = i32;
    type Subscriber = Probed;

    fn create_subscriber(&self) -> Probed {
        Probed {
            probe: None,
            subscription: None,
            behaviour: self.behaviour.clone(),
            requesting: self.requesting,
        }
    }

    fn create_element(id: u64) -> i32 {
        id as i32
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        Ok(env())
    }
}

fn noop() -> Blackbox {
    Blackbox {
        behaviour: Behaviour::Simple,
        requesting: false,
    }
}

fn requesting(behaviour: Behaviour) -> Blackbox {
    Blackbox {
        behaviour,
        requesting: true,
    }
}

fn bb(v: &Blackbox, name: &str) -> TestResult {
    run_subscriber_blackbox_test(v, name)
}

const BB201: &str = "required_spec201_blackbox_must_signal_demand_via_subscription_request";
const BB203_COMPLETE: &str =
    "required_spec203_blackbox_must_not_call_methods_on_subscription_or_publisher_in_on_complete";
const BB203_ERROR: &str =
    "required_spec203_blackbox_must_not_call_methods_on_subscription_or_publisher_in_on_error";
const BB205: &str = "required_spec205_blackbox_must_call_subscription_cancel_if_it_already_has_an_subscription_and_receives_another_on_subscribe_signal";
const BB209_WITH: &str = "required_spec209_blackbox_must_be_prepared_to_receive_an_on_complete_signal_with_preceding_request_call";
const BB209_WITHOUT: &str = "required_spec209_blackbox_must_be_prepared_to_receive_an_on_complete_signal_without_preceding_request_call";
const BB210_WITH: &str = "required_spec210_blackbox_must_be_prepared_to_receive_an_on_error_signal_with_preceding_request_call";
const BB210_WITHOUT: &str = "required_spec210_blackbox_must_be_prepared_to_receive_an_on_error_signal_without_preceding_request_call";

#[test]
fn bb_spec201_should_fail_by_not_getting_request_call() {
    require_failure(
        bb(&noop(), BB201),
        "Did not receive expected `request` call within",
    );
}

#[test]
fn bb_spec201_should_pass() {
    require_pass(bb(&requesting(Behaviour::Simple), BB201));
}

/// A blackbox subscriber that asks for 5 at once and counts what it gets: the 2.1 test really
/// sends the elements (the JVM TCK sends none, issue #459).
#[test]
fn bb_spec201_really_sends_the_requested_elements() {
    struct Counting(Arc<Mutex<u32>>);
    impl Subscriber<i32> for Counting {
        fn on_subscribe(&mut self, s: SubscriptionRef) {
            s.request(5)
        }
        fn on_next(&mut self, _: i32) {
            *self.0.lock() += 1
        }
        fn on_error(&mut self, _: Error) {}
        fn on_complete(&mut self) {}
    }
    struct V(Arc<Mutex<u32>>);
    impl SubscriberBlackboxVerification for V {
        type Item = i32;
        type Subscriber = Counting;
        fn create_subscriber(&self) -> Counting {
            Counting(self.0.clone())
        }
        fn create_element(id: u64) -> i32 {
            id as i32
        }
        fn environment(&self) -> Result<TestEnvironment, EnvError> {
            Ok(env())
        }
    }
    let count = Arc::new(Mutex::new(0));
    require_pass(run_subscriber_blackbox_test(&V(count.clone()), BB201));
    assert_eq!(*count.lock(), 5);
}

#[test]
fn bb_spec203_on_complete_should_fail_due_to_calling_request() {
    require_failure(
        bb(&requesting(Behaviour::RequestInOnComplete), BB203_COMPLETE),
        "Subscription::request MUST NOT be called from Subscriber::on_complete (Rule 2.3)!",
    );
}

#[test]
fn bb_spec203_on_complete_should_fail_due_to_calling_cancel() {
    require_failure(
        bb(&requesting(Behaviour::CancelInOnComplete), BB203_COMPLETE),
        "Subscription::cancel MUST NOT be called from Subscriber::on_complete (Rule 2.3)!",
    );
}

#[test]
fn bb_spec203_on_error_should_fail_due_to_calling_request() {
    require_failure(
        bb(&requesting(Behaviour::RequestInOnError), BB203_ERROR),
        "Subscription::request MUST NOT be called from Subscriber::on_error (Rule 2.3)!",
    );
}

#[test]
fn bb_spec203_on_error_should_fail_due_to_calling_cancel() {
    require_failure(
        bb(&requesting(Behaviour::CancelInOnError), BB203_ERROR),
        "Subscription::cancel MUST NOT be called from Subscriber::on_error (Rule 2.3)!",
    );
}

#[test]
fn bb_spec203_should_pass_unrelated_calls() {
    for (b, name) in [
        (Behaviour::UnrelatedCancelFromOnComplete, BB203_COMPLETE),
        (Behaviour::UnrelatedRequestFromOnComplete, BB203_COMPLETE),
        (Behaviour::UnrelatedCancelFromOnError, BB203_ERROR),
        (Behaviour::UnrelatedRequestFromOnError, BB203_ERROR),
    ] {
        require_pass(bb(
            &Blackbox {
                behaviour: b,
                requesting: false,
            },
            name,
        ));
    }
}

#[test]
fn bb_spec205_should_fail() {
    require_failure(
        bb(&noop_with(Behaviour::RequestOnEverySubscribe), BB205),
        "illegally called `subscription.request(1)",
    );
}

fn noop_with(behaviour: Behaviour) -> Blackbox {
    Blackbox {
        behaviour,
        requesting: false,
    }
}

#[test]
fn bb_spec205_should_get_completion() {
    require_pass(bb(&requesting(Behaviour::Simple), BB205));
}

#[test]
fn bb_spec209_with_request_should_fail() {
    require_failure(
        bb(&noop(), BB209_WITH),
        "Did not receive expected `request` call within",
    );
}

#[test]
fn bb_spec209_without_request_should_pass_with_noop_subscriber() {
    require_pass(bb(&noop(), BB209_WITHOUT));
}

#[test]
fn bb_spec210_with_request_should_pass_with_requesting_subscriber() {
    require_pass(bb(&requesting(Behaviour::Simple), BB210_WITH));
}

#[test]
fn bb_spec210_with_request_should_fail_with_noop_subscriber() {
    require_failure(
        bb(&noop(), BB210_WITH),
        "Did not receive expected `request` call within",
    );
}

#[test]
fn bb_spec210_should_fail_with_panicking_inside_on_error() {
    require_failure(
        bb(&requesting(Behaviour::PanicInOnError), BB210_WITH),
        "Test Exception: Boom!",
    );
}

#[test]
fn bb_spec213_null_tests_pass_by_type() {
    for name in [
        "required_spec213_blackbox_on_subscribe_must_throw_null_pointer_exception_when_parameters_are_null",
        "required_spec213_blackbox_on_next_must_throw_null_pointer_exception_when_parameters_are_null",
        "required_spec213_blackbox_on_error_must_throw_null_pointer_exception_when_parameters_are_null",
    ] {
        require_pass_by_type(bb(&noop(), name));
    }
}

// ---------------------------------------------------------------------------------------------
// A synchronous subscriber whose demand is triggered from outside (SyncTriggeredDemandSubscriber)
// ---------------------------------------------------------------------------------------------

/// Runs on the publisher's thread; requests only when `trigger_demand` is called, then one
/// more per element.
#[derive(Default)]
struct SyncTriggered {
    subscription: Option<SubscriptionRef>,
    done: bool,
    sum: i64,
}

impl SyncTriggered {
    fn trigger_demand(&self, n: u64) -> bool {
        match &self.subscription {
            Some(s) => {
                s.request(n);
                true
            }
            None => false,
        }
    }
}

impl Subscriber<i32> for SyncTriggered {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        if self.subscription.is_some() {
            s.cancel(); // rule 2.5
        } else {
            self.subscription = Some(s);
        }
    }

    fn on_next(&mut self, x: i32) {
        if !self.done {
            self.sum += i64::from(x);
            self.trigger_demand(1);
        }
    }

    fn on_error(&mut self, _: Error) {
        self.done = true;
    }

    fn on_complete(&mut self) {
        self.done = true;
    }
}

struct SyncTriggeredTck;

impl SubscriberBlackboxVerification for SyncTriggeredTck {
    type Item = i32;
    type Subscriber = SyncTriggered;

    fn create_subscriber(&self) -> SyncTriggered {
        SyncTriggered::default()
    }

    fn trigger_request(&self, subscriber: &mut SyncTriggered) {
        subscriber.trigger_demand(1);
    }

    fn create_element(id: u64) -> i32 {
        id as i32
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        Ok(env())
    }
}

#[test]
fn bb_sync_triggered_demand_subscriber_whole_suite() {
    // JVM (SyncTriggeredDemandSubscriberTest): 11 pass / 15 skip.
    let report = run_subscriber_blackbox_verification(&SyncTriggeredTck);
    assert_eq!(
        (report.passed(), report.failed(), report.skipped()),
        (11, 0, 15),
        "\n{report}"
    );
}

/// The same subscriber wrapped for the whitebox verification.
struct SyncTriggeredProbed {
    inner: SyncTriggered,
    probe: WhiteboxProbe<i32>,
}

impl Subscriber<i32> for SyncTriggeredProbed {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        let first = self.inner.subscription.is_none();
        self.inner.on_subscribe(s.clone());
        if first {
            self.probe.register_on_subscribe(s);
        }
    }
    fn on_next(&mut self, x: i32) {
        self.inner.on_next(x);
        self.probe.register_on_next(x);
    }
    fn on_error(&mut self, e: Error) {
        self.inner.on_error(e.clone());
        self.probe.register_on_error(e);
    }
    fn on_complete(&mut self) {
        self.inner.on_complete();
        self.probe.register_on_complete();
    }
}

struct SyncTriggeredWhiteboxTck;

impl SubscriberWhiteboxVerification for SyncTriggeredWhiteboxTck {
    type Item = i32;
    type Subscriber = SyncTriggeredProbed;

    fn create_subscriber(&self, probe: WhiteboxProbe<i32>) -> SyncTriggeredProbed {
        SyncTriggeredProbed {
            inner: SyncTriggered::default(),
            probe,
        }
    }

    fn create_element(id: u64) -> i32 {
        id as i32
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        Ok(env())
    }
}

#[test]
fn wb_sync_triggered_demand_subscriber_whole_suite() {
    // JVM (SyncTriggeredDemandSubscriberWhiteboxTest): 14 pass / 13 skip.
    let report = run_subscriber_whitebox_verification(&SyncTriggeredWhiteboxTck);
    assert_eq!(
        (report.passed(), report.failed(), report.skipped()),
        (14, 0, 13),
        "\n{report}"
    );
}

#[test]
fn subscriber_puppet_is_implemented_for_subscriptions() {
    struct Count(Mutex<(u64, u32)>);
    impl Subscription for Count {
        fn request(&self, n: u64) {
            self.0.lock().0 += n
        }
        fn cancel(&self) {
            self.0.lock().1 += 1
        }
    }
    let c = Arc::new(Count(Mutex::new((0, 0))));
    let puppet: Arc<dyn SubscriberPuppet> = Arc::new(c.clone());
    puppet.trigger_request(3);
    puppet.signal_cancel();
    assert_eq!(*c.0.lock(), (3, 1));
}

// ---------------------------------------------------------------------------------------------
// Gaps the JVM TCK lets through, and a false alarm it raises
// ---------------------------------------------------------------------------------------------

const RULE_204: &str = "was called after the Subscriber received";

#[test]
fn wb_spec209_and_210_catch_calls_from_another_thread_after_the_terminal_signal() {
    let cancel = "Subscription::cancel was called after the Subscriber received on_complete: it must consider the Subscription cancelled (Rule 2.4)";
    let request = "Subscription::request was called after the Subscriber received on_error";
    for (behaviour, name, failure) in [
        (
            Behaviour::CancelFromAnotherThreadInOnComplete,
            WB209_WITH,
            cancel,
        ),
        (
            Behaviour::CancelFromAnotherThreadInOnComplete,
            WB209_WITHOUT,
            cancel,
        ),
        (
            Behaviour::RequestFromAnotherThreadInOnError,
            WB210_WITH,
            request,
        ),
        (
            Behaviour::RequestFromAnotherThreadInOnError,
            WB210_WITHOUT,
            request,
        ),
    ] {
        require_failure(wb(behaviour, name), failure);
    }
}

#[test]
fn bb_spec209_and_210_catch_calls_from_another_thread_after_the_terminal_signal() {
    for (behaviour, name) in [
        (Behaviour::CancelFromAnotherThreadInOnComplete, BB209_WITH),
        (
            Behaviour::CancelFromAnotherThreadInOnComplete,
            BB209_WITHOUT,
        ),
        (Behaviour::RequestFromAnotherThreadInOnError, BB210_WITH),
        (Behaviour::RequestFromAnotherThreadInOnError, BB210_WITHOUT),
    ] {
        require_failure(bb(&requesting(behaviour), name), RULE_204);
    }
}

#[test]
fn the_test_subscription_catches_calls_from_inside_the_terminal_signal_in_every_test() {
    // The rule 2.3 tests call the subscriber directly; the test subscription of every other
    // test catches the same mistake.
    require_failure(
        wb(Behaviour::RequestInOnComplete, WB209_WITH),
        "Subscription::request MUST NOT be called from Subscriber::on_complete (Rule 2.3)!",
    );
    require_failure(
        bb(&requesting(Behaviour::CancelInOnError), BB210_WITH),
        "Subscription::cancel MUST NOT be called from Subscriber::on_error (Rule 2.3)!",
    );
}

#[test]
fn a_subscriber_requesting_one_at_a_time_a_thousand_times_passes() {
    // Rule 3.17 allows any number of outstanding requests: the test subscription adds them up
    // (it used to fail after 32).
    let report =
        run_subscriber_blackbox_verification(&requesting(Behaviour::ThousandRequestsOfOne));
    assert_eq!(
        (report.passed(), report.failed(), report.skipped()),
        (11, 0, 15),
        "\n{report}"
    );
    require_pass(wb(Behaviour::ThousandRequestsOfOne, WB308));
}
