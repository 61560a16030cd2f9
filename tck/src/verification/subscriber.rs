//! The two subscriber verifications: whitebox (27 tests; the subscriber reports to a probe and
//! is driven through a puppet) and blackbox (26 tests; the TCK only sees what passes through a
//! proxy).

use std::cell::Cell;
use std::fmt::Debug;
use std::sync::Arc;

use parking_lot::Mutex;
use reactive_core::{BoxPublisher, Error, Publisher, Subscriber, Subscription, SubscriptionRef};

use crate::harness::{
    EndOfStream, Latch, ManualPublisher, ManualSubscriber, Promise, Receptacle, publisher_name,
    same_error, short_type_name,
};
use crate::reference::helper::HelperPublisher;
use crate::runner::env::{EnvError, TestEnvironment};
use crate::runner::outcome::{Report, Stop, TestResult};
use crate::runner::{
    Case, RunOptions, not_verified, run_all, run_all_with_options, run_named,
    run_named_with_options,
};

// ---------------------------------------------------------------------------------------------
// Probe and puppet
// ---------------------------------------------------------------------------------------------

/// How the TCK asks a whitebox subscriber to request or cancel.
///
/// After `trigger_request(n)` the subscriber must *eventually* have requested at least `n`
/// more in total; it may do so in smaller steps (for example one at a time, as elements
/// arrive), and the TCK waits for each actual request before sending. A `signal_cancel` may be
/// merged with requests still pending.
///
/// Implemented for every `Arc<S: Subscription>` (including [`SubscriptionRef`]): the simplest
/// puppet forwards to the subscription itself.
pub trait SubscriberPuppet: Send + Sync {
    /// Make the subscriber request `elements` more.
    fn trigger_request(&self, elements: u64);
    /// Make the subscriber cancel.
    fn signal_cancel(&self);
}

impl<S: Subscription + ?Sized> SubscriberPuppet for Arc<S> {
    fn trigger_request(&self, elements: u64) {
        self.request(elements)
    }
    fn signal_cancel(&self) {
        self.cancel()
    }
}

struct ProbeInner<T> {
    env: TestEnvironment,
    subscriber: String,
    elements: Receptacle<T>,
    error: Promise<Error>,
    puppet: Promise<Arc<dyn SubscriberPuppet>>,
    end: EndOfStream,
}

/// What a subscriber under test reports to the TCK (whitebox), or what the TCK's proxy saw
/// (blackbox).
///
/// A whitebox subscriber calls [`register_on_subscribe`](Self::register_on_subscribe) from its
/// `on_subscribe` (handing over a puppet), and the `register_on_*` methods from the matching
/// signal methods. Cloning gives another handle on the same probe.
pub struct WhiteboxProbe<T> {
    inner: Arc<ProbeInner<T>>,
}

impl<T> std::fmt::Debug for WhiteboxProbe<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhiteboxProbe").finish_non_exhaustive()
    }
}

impl<T> Clone for WhiteboxProbe<T> {
    fn clone(&self) -> Self {
        WhiteboxProbe {
            inner: self.inner.clone(),
        }
    }
}

impl<T: Debug + Send + 'static> WhiteboxProbe<T> {
    /// A probe for a subscriber called `subscriber` (used in failure messages).
    pub fn new(env: &TestEnvironment, subscriber: impl Into<String>) -> Self {
        WhiteboxProbe {
            inner: Arc::new(ProbeInner {
                env: env.clone(),
                subscriber: subscriber.into(),
                elements: Receptacle::new(env),
                error: Promise::new(),
                puppet: Promise::new(),
                end: EndOfStream::default(),
            }),
        }
    }

    /// Reports that the subscriber accepted its subscription; `puppet` lets the TCK drive it.
    pub fn register_on_subscribe(&self, puppet: impl SubscriberPuppet + 'static) {
        self.inner
            .env
            .debug_log(|| format!("{}: register_on_subscribe", self.inner.subscriber));
        if !self.inner.puppet.is_completed() {
            self.inner
                .puppet
                .complete(&self.inner.env, Arc::new(puppet));
        }
    }

    /// Reports an element. Any signal after `register_on_complete` or `register_on_error` is
    /// recorded as a failure (rule 1.7).
    pub fn register_on_next(&self, element: T) {
        self.inner
            .env
            .debug_log(|| format!("{}: register_on_next({element:?})", self.inner.subscriber));
        if !self
            .inner
            .end
            .admit(&self.inner.env, || format!("on_next({element:?})"))
        {
            return;
        }
        if self.inner.elements.add(element).is_err() {
            self.inner.env.flop(format!(
                "Subscriber {} registered more than {} unconsumed elements",
                self.inner.subscriber,
                Receptacle::<T>::CAPACITY
            ));
        }
    }

    /// Reports completion.
    pub fn register_on_complete(&self) {
        self.inner
            .env
            .debug_log(|| format!("{}: register_on_complete", self.inner.subscriber));
        if self
            .inner
            .end
            .end(&self.inner.env, || "on_complete()".to_string())
        {
            self.inner.elements.complete();
        }
    }

    /// Reports an error.
    pub fn register_on_error(&self, error: Error) {
        self.inner
            .env
            .debug_log(|| format!("{}: register_on_error({error})", self.inner.subscriber));
        if self
            .inner
            .end
            .end(&self.inner.env, || format!("on_error({error})"))
        {
            self.inner.error.complete(&self.inner.env, error);
        }
    }

    fn env(&self) -> &TestEnvironment {
        &self.inner.env
    }

    /// The registered puppet, waiting up to `T` for it.
    fn puppet(&self) -> Result<Arc<dyn SubscriberPuppet>, Stop> {
        match self.inner.puppet.wait(self.env().default_timeout()) {
            Some(p) => Ok(p),
            None => Err(self.env().flop_and_fail(format!(
                "Subscriber {} did not `register_on_subscribe` within {} ms",
                self.inner.subscriber,
                self.env().default_timeout().as_millis()
            ))),
        }
    }

    /// Expects `expected` to be registered next, within `T`.
    fn expect_next(&self, expected: &T) -> Result<(), Stop>
    where
        T: PartialEq,
    {
        let got = self.inner.elements.next(
            self.env().default_timeout(),
            &format!(
                "Subscriber {} did not call `register_on_next({expected:?})`",
                self.inner.subscriber
            ),
        )?;
        if &got != expected {
            self.env().flop(format!(
                "Subscriber {} called `register_on_next({got:?})` rather than `register_on_next({expected:?})`",
                self.inner.subscriber
            ));
        }
        Ok(())
    }

    /// Expects completion within `T`.
    fn expect_completion(&self) {
        self.inner.elements.expect_completion(
            self.env().default_timeout(),
            &format!(
                "Subscriber {} did not call `register_on_complete()`",
                self.inner.subscriber
            ),
        );
    }

    /// Expects `expected` itself (or an equal error) within `T`.
    fn expect_error(&self, expected: &Error) {
        let name = &self.inner.subscriber;
        match self.inner.error.wait(self.env().default_timeout()) {
            None => self.env().flop(format!(
                "Subscriber {name} did not call `register_on_error({expected})` within {} ms",
                self.env().default_timeout().as_millis()
            )),
            Some(got) if same_error(&got, expected) => {}
            Some(got) => self.env().flop(format!(
                "Subscriber {name} called `register_on_error({got})` rather than `register_on_error({expected})`"
            )),
        }
    }

    /// Expects some error within `T`.
    fn expect_any_error(&self) -> Result<(), Stop> {
        match self.inner.error.wait(self.env().default_timeout()) {
            Some(_) => Ok(()),
            None => Err(self.env().flop_and_fail(format!(
                "Subscriber {} did not call `register_on_error(_)` within {} ms",
                self.inner.subscriber,
                self.env().default_timeout().as_millis()
            ))),
        }
    }

    /// Expects nothing registered during `N`.
    fn expect_none(&self) {
        self.inner
            .elements
            .expect_none(self.env().no_signals_timeout(), "Expected nothing");
    }
}

/// The error the subscriber tests send.
pub(crate) fn test_exception() -> Error {
    Error::msg("Test Exception: Boom!")
}

thread_local! {
    /// Set while the harness itself calls `on_complete` / `on_error` of the subscriber under
    /// test (rule 2.3).
    static IN_HARNESS_TERMINAL: Cell<Option<&'static str>> = const { Cell::new(None) };
}

/// Calls `f` (the harness's own call into `on_complete` or `on_error`) with the rule 2.3 flag
/// set on this thread.
fn in_terminal(which: &'static str, f: impl FnOnce()) {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            IN_HARNESS_TERMINAL.with(|c| c.set(None));
        }
    }
    IN_HARNESS_TERMINAL.with(|c| c.set(Some(which)));
    let _reset = Reset;
    f();
}

/// A subscription that records a failure if it is called while the harness is inside the
/// subscriber's `on_complete` / `on_error` on the same thread (rule 2.3).
struct Rule203Subscription {
    env: TestEnvironment,
}

impl Subscription for Rule203Subscription {
    fn request(&self, _: u64) {
        if let Some(which) = IN_HARNESS_TERMINAL.with(|c| c.get()) {
            self.env.flop(format!(
                "Subscription::request MUST NOT be called from Subscriber::{which} (Rule 2.3)!"
            ));
        }
    }

    fn cancel(&self) {
        if let Some(which) = IN_HARNESS_TERMINAL.with(|c| c.get()) {
            self.env.flop(format!(
                "Subscription::cancel MUST NOT be called from Subscriber::{which} (Rule 2.3)!"
            ));
        }
    }
}

fn rule_203<T, S: Subscriber<T>>(
    env: &TestEnvironment,
    mut sub: S,
    on_error: bool,
) -> Result<(), Stop> {
    sub.on_subscribe(Arc::new(Rule203Subscription { env: env.clone() }));
    if on_error {
        in_terminal("on_error", || sub.on_error(test_exception()));
    } else {
        in_terminal("on_complete", || sub.on_complete());
    }
    env.verify_no_async_errors_no_delay()
}

/// The second subscription of the rule 2.5 tests: must be cancelled.
struct SecondSubscription {
    env: TestEnvironment,
    cancelled: Arc<Latch>,
    flop_on_request: bool,
}

impl Subscription for SecondSubscription {
    fn request(&self, n: u64) {
        if self.flop_on_request {
            self.env.flop(format!(
                "Subscriber illegally called `subscription.request({n})` on a second subscription!"
            ));
        }
    }
    fn cancel(&self) {
        self.cancelled.close();
    }
}

// ---------------------------------------------------------------------------------------------
// Whitebox verification
// ---------------------------------------------------------------------------------------------

/// What the whitebox subscriber verification needs: a subscriber wired to a probe, and
/// elements to send it.
///
/// The subscriber under test (usually a thin wrapper around the real one) must call
/// [`WhiteboxProbe::register_on_subscribe`] from `on_subscribe` with a puppet, and the other
/// `register_on_*` methods from the matching signal methods.
///
/// ```
/// use reactive_core::{Error, Subscriber, SubscriptionRef};
/// use reactive_tck::{SubscriberWhiteboxVerification, TestEnvironment, EnvError, WhiteboxProbe};
///
/// /// Requests when told to and records what it gets.
/// struct Recorder {
///     probe: WhiteboxProbe<u32>,
/// }
///
/// impl Subscriber<u32> for Recorder {
///     fn on_subscribe(&mut self, s: SubscriptionRef) {
///         self.probe.register_on_subscribe(s); // the subscription is the puppet
///     }
///     fn on_next(&mut self, x: u32) { self.probe.register_on_next(x) }
///     fn on_error(&mut self, e: Error) { self.probe.register_on_error(e) }
///     fn on_complete(&mut self) { self.probe.register_on_complete() }
/// }
///
/// struct RecorderTck;
///
/// impl SubscriberWhiteboxVerification for RecorderTck {
///     type Item = u32;
///     type Subscriber = Recorder;
///     fn create_subscriber(&self, probe: WhiteboxProbe<u32>) -> Recorder {
///         Recorder { probe }
///     }
///     fn create_element(id: u64) -> u32 { id as u32 }
///     fn environment(&self) -> Result<TestEnvironment, EnvError> {
///         Ok(TestEnvironment::with_timeouts(1000).no_signals_timeout_millis(50))
///     }
/// }
///
/// let result = reactive_tck::run_subscriber_whitebox_test(
///     &RecorderTck,
///     "required_spec308_request_must_register_given_number_elements_to_be_produced",
/// );
/// assert!(result.passed(), "{result:?}");
/// ```
pub trait SubscriberWhiteboxVerification {
    /// The element type.
    type Item: Clone + Debug + PartialEq + Send + 'static;

    /// The subscriber type under test.
    type Subscriber: Subscriber<Self::Item> + 'static;

    /// A new subscriber that reports to `probe`.
    fn create_subscriber(&self, probe: WhiteboxProbe<Self::Item>) -> Self::Subscriber;

    /// The element with index `id` (0, 1, 2, ...). May be called from any thread.
    fn create_element(id: u64) -> Self::Item;

    /// The source of the elements the TCK sends: by default a [`HelperPublisher`] over
    /// `create_element`. A replacement must emit exactly `elements` items (`u64::MAX`:
    /// infinite) and complete at once when `elements == 0`.
    fn create_helper_publisher(&self, elements: u64) -> BoxPublisher<Self::Item> {
        BoxPublisher::new(HelperPublisher::new(elements, Self::create_element))
    }

    /// The timeouts; by default read from the environment variables.
    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        TestEnvironment::from_env()
    }
}

/// Runs every whitebox subscriber test against `verification`.
pub fn run_subscriber_whitebox_verification<V: SubscriberWhiteboxVerification>(
    verification: &V,
) -> Report {
    run_all(
        verification,
        verification.environment(),
        &whitebox_cases::<V>(),
    )
}

/// Runs the whitebox subscriber test called `name`.
///
/// # Panics
///
/// If there is no such test (reported at the caller's location).
#[track_caller]
pub fn run_subscriber_whitebox_test<V: SubscriberWhiteboxVerification>(
    verification: &V,
    name: &str,
) -> TestResult {
    run_named(
        verification,
        verification.environment(),
        &whitebox_cases::<V>(),
        name,
    )
}

/// [`run_subscriber_whitebox_verification`] with options, such as a deadline for each test (see
/// [`RunOptions`]).
pub fn run_subscriber_whitebox_verification_with<V>(verification: V, options: &RunOptions) -> Report
where
    V: SubscriberWhiteboxVerification + Send + Sync + 'static,
{
    let metas = whitebox_cases::<V>().iter().map(Case::meta).collect();
    run_all_with_options(
        verification,
        metas,
        options,
        run_subscriber_whitebox_test::<V>,
    )
}

/// [`run_subscriber_whitebox_test`] with options, such as a deadline (see [`RunOptions`]).
///
/// # Panics
///
/// If there is no such test (reported at the caller's location).
#[track_caller]
pub fn run_subscriber_whitebox_test_with<V>(
    verification: V,
    name: &str,
    options: &RunOptions,
) -> TestResult
where
    V: SubscriberWhiteboxVerification + Send + Sync + 'static,
{
    let metas = whitebox_cases::<V>().iter().map(Case::meta).collect();
    run_named_with_options(
        verification,
        metas,
        name,
        options,
        run_subscriber_whitebox_test::<V>,
    )
}

/// The names of the whitebox subscriber tests, in order.
pub fn subscriber_whitebox_test_names() -> Vec<&'static str> {
    whitebox_cases::<NoSubscriber>()
        .iter()
        .map(|c| c.name)
        .collect()
}

/// A verification type used only to list the tests.
pub(crate) struct NoSubscriber;

impl Subscriber<u8> for NoSubscriber {
    fn on_subscribe(&mut self, _: SubscriptionRef) {}
    fn on_next(&mut self, _: u8) {}
    fn on_error(&mut self, _: Error) {}
    fn on_complete(&mut self) {}
}

impl SubscriberWhiteboxVerification for NoSubscriber {
    type Item = u8;
    type Subscriber = NoSubscriber;
    fn create_subscriber(&self, _: WhiteboxProbe<u8>) -> NoSubscriber {
        NoSubscriber
    }
    fn create_element(id: u64) -> u8 {
        id as u8
    }
}

impl SubscriberBlackboxVerification for NoSubscriber {
    type Item = u8;
    type Subscriber = NoSubscriber;
    fn create_subscriber(&self) -> NoSubscriber {
        NoSubscriber
    }
    fn create_element(id: u64) -> u8 {
        id as u8
    }
}

const NULL_ON_SUBSCRIBE: &str = "rule 2.13 (null subscription) is enforced by the type system: `on_subscribe` takes a SubscriptionRef, and Rust has no null";
const NULL_ON_NEXT: &str = "rule 2.13 (null element) is enforced by the type system: `on_next` takes an item by value, and Rust has no null";
const NULL_ON_ERROR: &str = "rule 2.13 (null error) is enforced by the type system: `on_error` takes an Error by value, and Rust has no null";

pub(crate) fn whitebox_cases<V: SubscriberWhiteboxVerification>() -> Vec<Case<V>> {
    vec![
        Case::new(
            "required_exercise_whitebox_happy_path",
            "setup",
            wb_happy_path,
        ),
        Case::new(
            "required_spec201_must_signal_demand_via_subscription_request",
            "2.1",
            wb_spec201,
        ),
        Case::new(
            "untested_spec202_should_asynchronously_dispatch",
            "2.2",
            not_verified,
        ),
        Case::new(
            "required_spec203_must_not_call_methods_on_subscription_or_publisher_in_on_complete",
            "2.3",
            |v: &V, env| {
                rule_203(
                    env,
                    v.create_subscriber(WhiteboxProbe::new(
                        env,
                        short_type_name::<V::Subscriber>(),
                    )),
                    false,
                )
            },
        ),
        Case::new(
            "required_spec203_must_not_call_methods_on_subscription_or_publisher_in_on_error",
            "2.3",
            |v: &V, env| {
                rule_203(
                    env,
                    v.create_subscriber(WhiteboxProbe::new(
                        env,
                        short_type_name::<V::Subscriber>(),
                    )),
                    true,
                )
            },
        ),
        Case::new(
            "untested_spec204_must_consider_the_subscription_as_cancelled_in_after_recieving_on_complete_or_on_error",
            "2.4",
            not_verified,
        ),
        Case::new(
            "required_spec205_must_call_subscription_cancel_if_it_already_has_an_subscription_and_receives_another_on_subscribe_signal",
            "2.5",
            wb_spec205,
        ),
        Case::new(
            "untested_spec206_must_call_subscription_cancel_if_it_is_no_longer_valid",
            "2.6",
            not_verified,
        ),
        Case::new(
            "untested_spec207_must_ensure_all_calls_on_its_subscription_take_place_from_the_same_thread_or_take_care_of_synchronization",
            "2.7",
            not_verified,
        ),
        Case::new(
            "required_spec208_must_be_prepared_to_receive_on_next_signals_after_having_called_subscription_cancel",
            "2.8",
            wb_spec208,
        ),
        Case::new(
            "required_spec209_must_be_prepared_to_receive_an_on_complete_signal_with_preceding_request_call",
            "2.9",
            wb_spec209_with,
        ),
        Case::new(
            "required_spec209_must_be_prepared_to_receive_an_on_complete_signal_without_preceding_request_call",
            "2.9",
            wb_spec209_without,
        ),
        Case::new(
            "required_spec210_must_be_prepared_to_receive_an_on_error_signal_with_preceding_request_call",
            "2.10",
            wb_spec210_with,
        ),
        Case::new(
            "required_spec210_must_be_prepared_to_receive_an_on_error_signal_without_preceding_request_call",
            "2.10",
            wb_spec210_without,
        ),
        Case::new(
            "untested_spec211_must_make_sure_that_all_calls_on_its_methods_happen_before_the_processing_of_the_respective_events",
            "2.11",
            not_verified,
        ),
        Case::new(
            "untested_spec212_must_not_call_on_subscribe_more_than_once_based_on_object_equality_spec_violation",
            "2.12",
            not_verified,
        ),
        Case::new(
            "untested_spec213_failing_on_signal_invocation",
            "2.13",
            not_verified,
        ),
        Case::by_type(
            "required_spec213_on_subscribe_must_throw_null_pointer_exception_when_parameters_are_null",
            "2.13",
            NULL_ON_SUBSCRIBE,
        ),
        Case::by_type(
            "required_spec213_on_next_must_throw_null_pointer_exception_when_parameters_are_null",
            "2.13",
            NULL_ON_NEXT,
        ),
        Case::by_type(
            "required_spec213_on_error_must_throw_null_pointer_exception_when_parameters_are_null",
            "2.13",
            NULL_ON_ERROR,
        ),
        Case::new(
            "untested_spec301_must_not_be_called_outside_subscriber_context",
            "3.1",
            not_verified,
        ),
        Case::new(
            "required_spec308_request_must_register_given_number_elements_to_be_produced",
            "3.8",
            wb_spec308,
        ),
        Case::new(
            "untested_spec310_request_may_synchronously_call_on_next_on_subscriber",
            "3.10",
            not_verified,
        ),
        Case::new(
            "untested_spec311_request_may_synchronously_call_on_complete_or_on_error",
            "3.11",
            not_verified,
        ),
        Case::new(
            "untested_spec314_cancel_may_cause_the_publisher_to_shutdown_if_no_other_subscription_exists",
            "3.14",
            not_verified,
        ),
        Case::new(
            "untested_spec315_cancel_must_not_throw_exception_and_must_signal_on_error",
            "3.15",
            not_verified,
        ),
        Case::new(
            "untested_spec316_request_must_not_throw_exception_and_must_on_error_the_subscriber",
            "3.16",
            not_verified,
        ),
    ]
}

/// The stage of a subscriber test: a [`ManualPublisher`] the subscriber under test is
/// subscribed to, and a TCK subscriber ("tees") on an infinite helper publisher that supplies
/// the element values.
struct Stage<T: Clone + Debug + Send + 'static> {
    publisher: ManualPublisher<T>,
    tees: ManualSubscriber<T>,
}

impl<T: Clone + Debug + Send + 'static> Stage<T> {
    fn new(env: &TestEnvironment, helper: BoxPublisher<T>) -> Result<Self, Stop> {
        let tees = ManualSubscriber::subscribe_to_named(env, &helper, &publisher_name(&helper))?;
        Ok(Stage {
            publisher: ManualPublisher::new(env),
            tees,
        })
    }

    /// Pulls the next value from the helper publisher.
    fn next_t(&self) -> Result<T, Stop> {
        self.tees.request_next_element()
    }

    /// Sends the next value to the subscriber under test and returns it.
    fn signal_next(&self) -> Result<T, Stop> {
        let t = self.next_t()?;
        self.publisher.send_next(t.clone());
        Ok(t)
    }
}

impl<T: Clone + Debug + Send + 'static> Drop for Stage<T> {
    fn drop(&mut self) {
        if self.tees.is_subscribed() {
            self.tees.cancel();
        }
    }
}

struct WhiteboxStage<T: Clone + Debug + Send + 'static> {
    stage: Stage<T>,
    probe: WhiteboxProbe<T>,
}

impl<T: Clone + Debug + PartialEq + Send + 'static> WhiteboxStage<T> {
    fn new<V: SubscriberWhiteboxVerification<Item = T>>(
        v: &V,
        env: &TestEnvironment,
    ) -> Result<Self, Stop> {
        let stage = Stage::new(env, v.create_helper_publisher(u64::MAX))?;
        let probe = WhiteboxProbe::new(env, short_type_name::<V::Subscriber>());
        stage
            .publisher
            .subscribe(v.create_subscriber(probe.clone()));
        probe.puppet()?;
        env.verify_no_async_errors_no_delay()?;
        Ok(WhiteboxStage { stage, probe })
    }

    fn puppet(&self) -> Result<Arc<dyn SubscriberPuppet>, Stop> {
        self.probe.puppet()
    }

    fn expect_request(&self) -> Result<u64, Stop> {
        self.stage.publisher.expect_request()
    }
}

fn wb_happy_path<V: SubscriberWhiteboxVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    let st = WhiteboxStage::new(v, env)?;
    st.puppet()?.trigger_request(1);
    st.puppet()?.trigger_request(1);
    let received = st.expect_request()?;
    let t = st.stage.signal_next()?;
    st.probe.expect_next(&t)?;
    st.puppet()?.trigger_request(1);
    if received == 1 {
        st.expect_request()?;
    }
    let t = st.stage.signal_next()?;
    st.probe.expect_next(&t)?;
    st.puppet()?.signal_cancel();
    st.stage.publisher.expect_cancelling();
    env.verify_no_async_errors()
}

fn wb_spec201<V: SubscriberWhiteboxVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    let st = WhiteboxStage::new(v, env)?;
    st.puppet()?.trigger_request(1);
    st.expect_request()?;
    st.stage.signal_next()?;
    Ok(())
}

fn wb_spec205<V: SubscriberWhiteboxVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    let st = WhiteboxStage::new(v, env)?;
    let cancelled = Arc::new(Latch::new());
    let second: SubscriptionRef = Arc::new(SecondSubscription {
        env: env.clone(),
        cancelled: cancelled.clone(),
        flop_on_request: false,
    });
    st.stage
        .publisher
        .with_subscriber("send a second on_subscribe", |s| s.on_subscribe(second));
    cancelled.expect_close(
        env,
        env.default_timeout(),
        "Expected 2nd Subscription given to subscriber to be cancelled, but `Subscription.cancel()` was not called",
    );
    env.verify_no_async_errors()
}

fn wb_spec208<V: SubscriberWhiteboxVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    let st = WhiteboxStage::new(v, env)?;
    st.puppet()?.trigger_request(1);
    st.expect_request()?;
    st.puppet()?.signal_cancel();
    st.stage.publisher.expect_cancelling();
    st.stage.signal_next()?;
    st.puppet()?.trigger_request(1);
    st.puppet()?.trigger_request(1);
    env.verify_no_async_errors()
}

fn wb_spec209_with<V: SubscriberWhiteboxVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    let st = WhiteboxStage::new(v, env)?;
    st.puppet()?.trigger_request(1);
    st.stage.publisher.send_completion();
    st.probe.expect_completion();
    env.verify_no_async_errors()
}

fn wb_spec209_without<V: SubscriberWhiteboxVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    let st = WhiteboxStage::new(v, env)?;
    st.stage.publisher.send_completion();
    st.probe.expect_completion();
    env.verify_no_async_errors()
}

fn wb_spec210_with<V: SubscriberWhiteboxVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    let st = WhiteboxStage::new(v, env)?;
    st.puppet()?.trigger_request(1);
    st.puppet()?.trigger_request(1);
    let ex = test_exception();
    st.stage.publisher.send_error(ex.clone());
    st.probe.expect_error(&ex);
    // Give a late `request` or `cancel` (rule 2.4) `N` to arrive.
    env.verify_no_async_errors()
}

fn wb_spec210_without<V: SubscriberWhiteboxVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    let st = WhiteboxStage::new(v, env)?;
    let ex = test_exception();
    st.stage.publisher.send_error(ex.clone());
    st.probe.expect_error(&ex);
    env.verify_no_async_errors()
}

fn wb_spec308<V: SubscriberWhiteboxVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    let st = WhiteboxStage::new(v, env)?;
    st.puppet()?.trigger_request(2);
    let requested = st.expect_request()?;
    let t = st.stage.signal_next()?;
    st.probe.expect_next(&t)?;
    // Some subscribers request one element at a time.
    if requested < 2 {
        st.expect_request()?;
    }
    let t = st.stage.signal_next()?;
    st.probe.expect_next(&t)?;
    st.probe.expect_none();
    st.puppet()?.trigger_request(3);
    env.verify_no_async_errors()
}

// ---------------------------------------------------------------------------------------------
// Blackbox verification
// ---------------------------------------------------------------------------------------------

/// What the blackbox subscriber verification needs: a subscriber, and elements to send it.
///
/// The TCK cannot drive the subscriber; it only observes the signals passing through a proxy.
/// If the subscriber only requests after some outside event, implement
/// [`trigger_request`](Self::trigger_request). Prefer the whitebox verification when you can:
/// it checks more rules.
///
/// ```
/// use reactive_core::{Error, Subscriber, SubscriptionRef};
/// use reactive_tck::{SubscriberBlackboxVerification, TestEnvironment, EnvError};
///
/// /// Requests one element at a time.
/// #[derive(Default)]
/// struct OneByOne(Option<SubscriptionRef>);
///
/// impl Subscriber<u32> for OneByOne {
///     fn on_subscribe(&mut self, s: SubscriptionRef) {
///         if self.0.is_some() { s.cancel(); return; } // rule 2.5
///         s.request(1);
///         self.0 = Some(s);
///     }
///     fn on_next(&mut self, _: u32) { self.0.as_ref().unwrap().request(1) }
///     fn on_error(&mut self, _: Error) {}
///     fn on_complete(&mut self) {}
/// }
///
/// struct OneByOneTck;
///
/// impl SubscriberBlackboxVerification for OneByOneTck {
///     type Item = u32;
///     type Subscriber = OneByOne;
///     fn create_subscriber(&self) -> OneByOne { OneByOne::default() }
///     fn create_element(id: u64) -> u32 { id as u32 }
///     fn environment(&self) -> Result<TestEnvironment, EnvError> {
///         Ok(TestEnvironment::with_timeouts(1000).no_signals_timeout_millis(50))
///     }
/// }
///
/// let report = reactive_tck::run_subscriber_blackbox_verification(&OneByOneTck);
/// assert_eq!(report.failed(), 0, "{report}");
/// ```
pub trait SubscriberBlackboxVerification {
    /// The element type.
    type Item: Clone + Debug + PartialEq + Send + 'static;

    /// The subscriber type under test.
    type Subscriber: Subscriber<Self::Item> + 'static;

    /// A new subscriber.
    fn create_subscriber(&self) -> Self::Subscriber;

    /// Makes `subscriber` signal demand, for subscribers that only request after an outside
    /// event. Does nothing by default.
    fn trigger_request(&self, subscriber: &mut Self::Subscriber) {
        let _ = subscriber;
    }

    /// The element with index `id` (0, 1, 2, ...). May be called from any thread.
    fn create_element(id: u64) -> Self::Item;

    /// The source of the elements the TCK sends: by default a [`HelperPublisher`] over
    /// `create_element`.
    fn create_helper_publisher(&self, elements: u64) -> BoxPublisher<Self::Item> {
        BoxPublisher::new(HelperPublisher::new(elements, Self::create_element))
    }

    /// The timeouts; by default read from the environment variables.
    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        TestEnvironment::from_env()
    }
}

/// Runs every blackbox subscriber test against `verification`.
pub fn run_subscriber_blackbox_verification<V: SubscriberBlackboxVerification>(
    verification: &V,
) -> Report {
    run_all(
        verification,
        verification.environment(),
        &blackbox_cases::<V>(),
    )
}

/// Runs the blackbox subscriber test called `name`.
///
/// # Panics
///
/// If there is no such test (reported at the caller's location).
#[track_caller]
pub fn run_subscriber_blackbox_test<V: SubscriberBlackboxVerification>(
    verification: &V,
    name: &str,
) -> TestResult {
    run_named(
        verification,
        verification.environment(),
        &blackbox_cases::<V>(),
        name,
    )
}

/// [`run_subscriber_blackbox_verification`] with options, such as a deadline for each test (see
/// [`RunOptions`]).
pub fn run_subscriber_blackbox_verification_with<V>(verification: V, options: &RunOptions) -> Report
where
    V: SubscriberBlackboxVerification + Send + Sync + 'static,
{
    let metas = blackbox_cases::<V>().iter().map(Case::meta).collect();
    run_all_with_options(
        verification,
        metas,
        options,
        run_subscriber_blackbox_test::<V>,
    )
}

/// [`run_subscriber_blackbox_test`] with options, such as a deadline (see [`RunOptions`]).
///
/// # Panics
///
/// If there is no such test (reported at the caller's location).
#[track_caller]
pub fn run_subscriber_blackbox_test_with<V>(
    verification: V,
    name: &str,
    options: &RunOptions,
) -> TestResult
where
    V: SubscriberBlackboxVerification + Send + Sync + 'static,
{
    let metas = blackbox_cases::<V>().iter().map(Case::meta).collect();
    run_named_with_options(
        verification,
        metas,
        name,
        options,
        run_subscriber_blackbox_test::<V>,
    )
}

/// The names of the blackbox subscriber tests, in order.
pub fn subscriber_blackbox_test_names() -> Vec<&'static str> {
    blackbox_cases::<NoSubscriber>()
        .iter()
        .map(|c| c.name)
        .collect()
}

/// Forwards every signal to the subscriber under test, recording `on_next`, `on_error` and
/// `on_complete` in a probe first.
struct BlackboxProxy<T, S> {
    probe: WhiteboxProbe<T>,
    subscriber: S,
}

/// The proxy as the manual publisher holds it: shared, so that `trigger_request` can reach the
/// subscriber.
struct SharedProxy<T, S>(Arc<Mutex<BlackboxProxy<T, S>>>);

impl<T, S> Subscriber<T> for SharedProxy<T, S>
where
    T: Clone + Debug + Send + 'static,
    S: Subscriber<T>,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        self.0.lock().subscriber.on_subscribe(subscription);
    }

    fn on_next(&mut self, item: T) {
        let mut p = self.0.lock();
        p.probe.register_on_next(item.clone());
        p.subscriber.on_next(item);
    }

    fn on_error(&mut self, error: Error) {
        let mut p = self.0.lock();
        p.probe.register_on_error(error.clone());
        p.subscriber.on_error(error);
    }

    fn on_complete(&mut self) {
        let mut p = self.0.lock();
        p.probe.register_on_complete();
        p.subscriber.on_complete();
    }
}

struct BlackboxStage<T: Clone + Debug + Send + 'static, S> {
    stage: Stage<T>,
    proxy: Arc<Mutex<BlackboxProxy<T, S>>>,
    probe: WhiteboxProbe<T>,
}

impl<T, S> BlackboxStage<T, S>
where
    T: Clone + Debug + PartialEq + Send + 'static,
    S: Subscriber<T> + 'static,
{
    fn new<V: SubscriberBlackboxVerification<Item = T, Subscriber = S>>(
        v: &V,
        env: &TestEnvironment,
    ) -> Result<Self, Stop> {
        let stage = Stage::new(env, v.create_helper_publisher(u64::MAX))?;
        let probe = WhiteboxProbe::new(env, short_type_name::<S>());
        let proxy = Arc::new(Mutex::new(BlackboxProxy {
            probe: probe.clone(),
            subscriber: v.create_subscriber(),
        }));
        stage.publisher.subscribe(SharedProxy(proxy.clone()));
        Ok(BlackboxStage {
            stage,
            proxy,
            probe,
        })
    }

    fn trigger_request<V: SubscriberBlackboxVerification<Item = T, Subscriber = S>>(&self, v: &V) {
        v.trigger_request(&mut self.proxy.lock().subscriber);
    }
}

pub(crate) fn blackbox_cases<V: SubscriberBlackboxVerification>() -> Vec<Case<V>> {
    vec![
        Case::new(
            "required_spec201_blackbox_must_signal_demand_via_subscription_request",
            "2.1",
            bb_spec201,
        ),
        Case::new(
            "untested_spec202_blackbox_should_asynchronously_dispatch",
            "2.2",
            not_verified,
        ),
        Case::new(
            "required_spec203_blackbox_must_not_call_methods_on_subscription_or_publisher_in_on_complete",
            "2.3",
            |v: &V, env| rule_203(env, v.create_subscriber(), false),
        ),
        Case::new(
            "required_spec203_blackbox_must_not_call_methods_on_subscription_or_publisher_in_on_error",
            "2.3",
            |v: &V, env| rule_203(env, v.create_subscriber(), true),
        ),
        Case::new(
            "untested_spec204_blackbox_must_consider_the_subscription_as_cancelled_in_after_recieving_on_complete_or_on_error",
            "2.4",
            not_verified,
        ),
        Case::new(
            "required_spec205_blackbox_must_call_subscription_cancel_if_it_already_has_an_subscription_and_receives_another_on_subscribe_signal",
            "2.5",
            bb_spec205,
        ),
        Case::new(
            "untested_spec206_blackbox_must_call_subscription_cancel_if_it_is_no_longer_valid",
            "2.6",
            not_verified,
        ),
        Case::new(
            "untested_spec207_blackbox_must_ensure_all_calls_on_its_subscription_take_place_from_the_same_thread_or_take_care_of_synchronization",
            "2.7",
            not_verified,
        ),
        Case::new(
            "untested_spec208_blackbox_must_be_prepared_to_receive_on_next_signals_after_having_called_subscription_cancel",
            "2.8",
            not_verified,
        ),
        Case::new(
            "required_spec209_blackbox_must_be_prepared_to_receive_an_on_complete_signal_with_preceding_request_call",
            "2.9",
            bb_spec209_with,
        ),
        Case::new(
            "required_spec209_blackbox_must_be_prepared_to_receive_an_on_complete_signal_without_preceding_request_call",
            "2.9",
            bb_spec209_without,
        ),
        Case::new(
            "required_spec210_blackbox_must_be_prepared_to_receive_an_on_error_signal_with_preceding_request_call",
            "2.10",
            bb_spec210_with,
        ),
        Case::new(
            "required_spec210_blackbox_must_be_prepared_to_receive_an_on_error_signal_without_preceding_request_call",
            "2.10",
            bb_spec210_without,
        ),
        Case::new(
            "untested_spec211_blackbox_must_make_sure_that_all_calls_on_its_methods_happen_before_the_processing_of_the_respective_events",
            "2.11",
            not_verified,
        ),
        Case::new(
            "untested_spec212_blackbox_must_not_call_on_subscribe_more_than_once_based_on_object_equality",
            "2.12",
            not_verified,
        ),
        Case::new(
            "untested_spec213_blackbox_failing_on_signal_invocation",
            "2.13",
            not_verified,
        ),
        Case::by_type(
            "required_spec213_blackbox_on_subscribe_must_throw_null_pointer_exception_when_parameters_are_null",
            "2.13",
            NULL_ON_SUBSCRIBE,
        ),
        Case::by_type(
            "required_spec213_blackbox_on_next_must_throw_null_pointer_exception_when_parameters_are_null",
            "2.13",
            NULL_ON_NEXT,
        ),
        Case::by_type(
            "required_spec213_blackbox_on_error_must_throw_null_pointer_exception_when_parameters_are_null",
            "2.13",
            NULL_ON_ERROR,
        ),
        Case::new(
            "untested_spec301_blackbox_must_not_be_called_outside_subscriber_context",
            "3.1",
            not_verified,
        ),
        Case::new(
            "untested_spec308_blackbox_request_must_register_given_number_elements_to_be_produced",
            "3.8",
            not_verified,
        ),
        Case::new(
            "untested_spec310_blackbox_request_may_synchronously_call_on_next_on_subscriber",
            "3.10",
            not_verified,
        ),
        Case::new(
            "untested_spec311_blackbox_request_may_synchronously_call_on_complete_or_on_error",
            "3.11",
            not_verified,
        ),
        Case::new(
            "untested_spec314_blackbox_cancel_may_cause_the_publisher_to_shutdown_if_no_other_subscription_exists",
            "3.14",
            not_verified,
        ),
        Case::new(
            "untested_spec315_blackbox_cancel_must_not_throw_exception_and_must_signal_on_error",
            "3.15",
            not_verified,
        ),
        Case::new(
            "untested_spec316_blackbox_request_must_not_throw_exception_and_must_on_error_the_subscriber",
            "3.16",
            not_verified,
        ),
    ]
}

fn bb_spec201<V: SubscriberBlackboxVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    let st = BlackboxStage::new(v, env)?;
    st.trigger_request(v);
    let requested = st.stage.publisher.expect_request()?;
    // Send what was asked for (at most 512), checking every 10th element whether the
    // subscriber cancelled meanwhile. (The JVM TCK's loop condition is inverted and sends
    // nothing, issue #459.)
    for i in 0..requested.min(512) {
        if i % 10 == 0 && st.stage.publisher.is_cancelled() {
            break;
        }
        let t = st.stage.signal_next()?;
        st.probe.expect_next(&t)?;
    }
    st.stage.publisher.send_completion();
    Ok(())
}

fn bb_spec205<V: SubscriberBlackboxVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    let st = BlackboxStage::new(v, env)?;
    let cancelled = Arc::new(Latch::new());
    let second: SubscriptionRef = Arc::new(SecondSubscription {
        env: env.clone(),
        cancelled: cancelled.clone(),
        flop_on_request: true,
    });
    st.stage
        .publisher
        .with_subscriber("send a second on_subscribe", |s| s.on_subscribe(second));
    cancelled.expect_close(
        env,
        env.default_timeout(),
        "Expected SecondSubscription given to subscriber to be cancelled, but `Subscription.cancel()` was not called.",
    );
    env.verify_no_async_errors_no_delay()?;
    st.stage.publisher.send_completion();
    Ok(())
}

fn bb_spec209_with<V: SubscriberBlackboxVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    let st = BlackboxStage::new(v, env)?;
    st.trigger_request(v);
    st.stage.publisher.expect_request()?;
    st.stage.publisher.send_completion();
    st.probe.expect_completion();
    // Give a late `request` or `cancel` (rule 2.4) `N` to arrive.
    env.verify_no_async_errors()
}

fn bb_spec209_without<V: SubscriberBlackboxVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    let st = BlackboxStage::new(v, env)?;
    st.stage.publisher.send_completion();
    st.probe.expect_completion();
    env.verify_no_async_errors()
}

fn bb_spec210_with<V: SubscriberBlackboxVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    let st = BlackboxStage::new(v, env)?;
    st.trigger_request(v);
    st.stage.publisher.expect_request()?;
    st.stage.publisher.send_error(test_exception());
    st.probe.expect_any_error()?;
    env.verify_no_async_errors()
}

fn bb_spec210_without<V: SubscriberBlackboxVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    let st = BlackboxStage::new(v, env)?;
    st.stage.publisher.send_error(test_exception());
    st.probe.expect_any_error()?;
    env.verify_no_async_errors()
}

// ---------------------------------------------------------------------------------------------
// Pieces the processor verification reuses
// ---------------------------------------------------------------------------------------------

/// The TCK subscriber the processor verification attaches to a processor's output, so that the
/// processor can be tested as a whitebox subscriber: it hands its subscription to the probe as
/// the puppet and reports every signal.
pub(crate) struct ProbeBridge<T> {
    pub(crate) probe: WhiteboxProbe<T>,
    pub(crate) subscribed: bool,
}

impl<T: Debug + Send + 'static> Subscriber<T> for ProbeBridge<T> {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        self.probe
            .env()
            .debug_log(|| "processor output: on_subscribe".to_string());
        if self.subscribed {
            // The bridge must keep the subscriber rules too (2.5).
            subscription.cancel();
            return;
        }
        self.subscribed = true;
        self.probe.register_on_subscribe(subscription);
    }

    fn on_next(&mut self, item: T) {
        self.probe
            .env()
            .debug_log(|| format!("processor output: on_next({item:?})"));
        self.probe.register_on_next(item);
    }

    fn on_error(&mut self, error: Error) {
        self.probe
            .env()
            .debug_log(|| format!("processor output: on_error({error})"));
        self.probe.register_on_error(error);
    }

    fn on_complete(&mut self) {
        self.probe
            .env()
            .debug_log(|| "processor output: on_complete".to_string());
        self.probe.register_on_complete();
    }
}
