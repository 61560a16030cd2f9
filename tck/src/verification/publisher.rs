//! The publisher verification: 40 tests of rules 1.x and 3.x against a publisher factory.

use std::cell::Cell;
use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::thread::ThreadId;

use parking_lot::Mutex;
use reactive_core::{BoxPublisher, Error, ErrorKind, Publisher, Subscriber, SubscriptionRef};

use crate::harness::{EndOfStream, Latch, ManualSubscriber, publisher_name, shorten_type_name};
use crate::runner::env::{EnvError, TestEnvironment};
use crate::runner::outcome::{Report, Stop, TestResult};
use crate::runner::{
    Case, RunOptions, not_verified, run_all, run_all_with_options, run_named,
    run_named_with_options,
};

/// Return this from [`PublisherVerification::max_elements_from_publisher`] for a publisher
/// that can never complete: every test that needs `on_complete` is then skipped.
pub const PUBLISHER_UNABLE_TO_SIGNAL_ON_COMPLETE: u64 = u64::MAX;

/// The skip reason of tests that need [`PublisherVerification::create_failed_publisher`].
pub const SKIPPING_NO_ERROR_PUBLISHER_AVAILABLE: &str = "Skipping because no error state Publisher provided, and the test requires it. Implement `create_failed_publisher` to run this test.";

/// What the publisher verification needs to know about the publisher under test.
///
/// Implement it for a small factory type, then run the verification with
/// [`publisher_verification!`](crate::publisher_verification) (one `#[test]` per TCK test) or
/// [`run_publisher_verification`] (a [`Report`]).
///
/// ```
/// use reactive_core::source::{self, Next, Pull};
/// use reactive_core::{Error, Publisher, Subscriber};
/// use reactive_tck::{PublisherVerification, TestEnvironment, EnvError};
///
/// /// Emits `0..n` on demand: a cursor on the pull engine, which supplies demand, `request(0)`
/// /// (rule 3.9) and cancellation.
/// struct Count(u64);
///
/// struct Cursor { next: u64, n: u64 }
///
/// impl Pull for Cursor {
///     type Item = u64;
///     fn next(&mut self) -> Next<u64> {
///         if self.next == self.n { return Next::End(Ok(())); }
///         self.next += 1;
///         Next::Item(self.next - 1)
///     }
///     fn end(&mut self) -> Option<Result<(), Error>> {
///         (self.next == self.n).then_some(Ok(()))
///     }
/// }
///
/// impl Publisher for Count {
///     type Item = u64;
///     fn subscribe<S: Subscriber<u64> + 'static>(&self, s: S) {
///         source::subscribe(Cursor { next: 0, n: self.0 }, s);
///     }
/// }
///
/// struct CountTck;
///
/// impl PublisherVerification for CountTck {
///     type Item = u64;
///     type Publisher = Count;
///
///     fn create_publisher(&self, elements: u64) -> Count {
///         Count(elements)
///     }
///
///     fn environment(&self) -> Result<TestEnvironment, EnvError> {
///         Ok(TestEnvironment::with_timeouts(1000).no_signals_timeout_millis(50))
///     }
/// }
///
/// let result = reactive_tck::run_publisher_test(
///     &CountTck,
///     "required_spec101_subscription_request_must_result_in_the_correct_number_of_produced_elements",
/// );
/// assert!(result.passed(), "{result:?}");
/// ```
pub trait PublisherVerification {
    /// The element type.
    type Item: Clone + Debug + PartialEq + Send + 'static;

    /// The publisher type under test. (`'static` so that failure messages can name the type
    /// inside a [`BoxPublisher`].)
    type Publisher: Publisher<Item = Self::Item> + 'static;

    /// A publisher of exactly `elements` items followed by `on_complete`; `u64::MAX` means an
    /// infinite stream.
    fn create_publisher(&self, elements: u64) -> Self::Publisher;

    /// A publisher that calls `on_subscribe` and then `on_error` (rules 1.4, 1.9). `None` (the
    /// default) skips the tests that need one.
    fn create_failed_publisher(&self) -> Option<BoxPublisher<Self::Item>> {
        None
    }

    /// The most elements the publisher can produce. Tests that need more are skipped.
    /// [`PUBLISHER_UNABLE_TO_SIGNAL_ON_COMPLETE`] (`u64::MAX`) marks a publisher that never
    /// completes. Default `u64::MAX - 1`: huge but finite.
    fn max_elements_from_publisher(&self) -> u64 {
        u64::MAX - 1
    }

    /// How deep `request` → `on_next` → `request` may recurse on one thread (rule 3.3).
    /// Default 1.
    fn bounded_depth_of_on_next_and_request_recursion(&self) -> u64 {
        1
    }

    /// Whether to skip the `stochastic_` tests. Default `false`.
    fn skip_stochastic_tests(&self) -> bool {
        false
    }

    /// The timeouts; by default read from the environment variables (see
    /// [`TestEnvironment::from_env`]).
    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        TestEnvironment::from_env()
    }
}

/// Runs every publisher test against `verification`.
pub fn run_publisher_verification<V: PublisherVerification>(verification: &V) -> Report {
    run_all(verification, verification.environment(), &cases::<V>())
}

/// Runs the publisher test called `name`.
///
/// # Panics
///
/// If there is no such test (reported at the caller's location).
#[track_caller]
pub fn run_publisher_test<V: PublisherVerification>(verification: &V, name: &str) -> TestResult {
    run_named(
        verification,
        verification.environment(),
        &cases::<V>(),
        name,
    )
}

/// [`run_publisher_verification`] with options, such as a deadline for each test.
///
/// ```
/// use reactive_tck::{HelperPublisher, PublisherVerification, RunOptions};
///
/// # use reactive_tck::{EnvError, TestEnvironment};
/// struct HelperTck;
///
/// impl PublisherVerification for HelperTck {
///     type Item = u64;
///     type Publisher = HelperPublisher<u64>;
///     fn create_publisher(&self, elements: u64) -> HelperPublisher<u64> {
///         HelperPublisher::new(elements, |i| i)
///     }
/// #   fn environment(&self) -> Result<TestEnvironment, EnvError> {
/// #       Ok(TestEnvironment::with_timeouts(1000).no_signals_timeout_millis(10).poll_timeout_millis(10))
/// #   }
/// }
///
/// // Each test on its own thread; one still running after 30 s fails and the run goes on.
/// let options = RunOptions::new().deadline_millis(30_000);
/// let report = reactive_tck::run_publisher_verification_with(HelperTck, &options);
/// assert_eq!(report.failed(), 0, "{report}");
/// ```
pub fn run_publisher_verification_with<V>(verification: V, options: &RunOptions) -> Report
where
    V: PublisherVerification + Send + Sync + 'static,
{
    let metas = cases::<V>().iter().map(Case::meta).collect();
    run_all_with_options(verification, metas, options, run_publisher_test::<V>)
}

/// [`run_publisher_test`] with options, such as a deadline.
///
/// # Panics
///
/// If there is no such test (reported at the caller's location).
#[track_caller]
pub fn run_publisher_test_with<V>(verification: V, name: &str, options: &RunOptions) -> TestResult
where
    V: PublisherVerification + Send + Sync + 'static,
{
    let metas = cases::<V>().iter().map(Case::meta).collect();
    run_named_with_options(verification, metas, name, options, run_publisher_test::<V>)
}

/// The names of the publisher tests, in order.
pub fn publisher_test_names() -> Vec<&'static str> {
    cases::<NoPublisher>().iter().map(|c| c.name).collect()
}

/// A verification type used only to list the tests.
pub(crate) struct NoPublisher;

impl Publisher for NoPublisher {
    type Item = u8;
    fn subscribe<S: Subscriber<u8> + 'static>(&self, _: S) {}
}

impl PublisherVerification for NoPublisher {
    type Item = u8;
    type Publisher = NoPublisher;
    fn create_publisher(&self, _: u64) -> NoPublisher {
        NoPublisher
    }
}

pub(crate) fn cases<V: PublisherVerification>() -> Vec<Case<V>> {
    vec![
        Case::new(
            "required_create_publisher1_must_produce_a_stream_of_exactly1_element",
            "setup",
            required_create_publisher1_must_produce_a_stream_of_exactly1_element,
        ),
        Case::new(
            "required_create_publisher3_must_produce_a_stream_of_exactly3_elements",
            "setup",
            required_create_publisher3_must_produce_a_stream_of_exactly3_elements,
        ),
        Case::new(
            "required_validate_max_elements_from_publisher",
            "setup",
            |_, _| Ok(()),
        )
        .with_note("max_elements_from_publisher is a u64, so it is never negative"),
        Case::new(
            "required_validate_bounded_depth_of_on_next_and_request_recursion",
            "setup",
            required_validate_bounded_depth_of_on_next_and_request_recursion,
        ),
        Case::new(
            "required_spec101_subscription_request_must_result_in_the_correct_number_of_produced_elements",
            "1.1",
            required_spec101,
        ),
        Case::new(
            "required_spec102_may_signal_less_than_requested_and_terminate_subscription",
            "1.2",
            required_spec102,
        ),
        Case::new(
            "stochastic_spec103_must_signal_on_methods_sequentially",
            "1.3",
            stochastic_spec103,
        ),
        Case::new(
            "optional_spec104_must_signal_on_error_when_fails",
            "1.4",
            optional_spec104,
        )
        // Optional because the failed publisher is; once the verification provides one, it
        // must behave (as in the JVM TCK).
        .fails_as_required(),
        Case::new(
            "required_spec105_must_signal_on_complete_when_finite_stream_terminates",
            "1.5",
            required_spec105,
        ),
        Case::new(
            "optional_spec105_empty_stream_must_terminate_by_signalling_on_complete",
            "1.5",
            optional_spec105,
        ),
        Case::new(
            "untested_spec106_must_consider_subscription_cancelled_after_on_error_or_on_complete_has_been_called",
            "1.6",
            not_verified,
        ),
        Case::new(
            "required_spec107_must_not_emit_further_signals_once_on_complete_has_been_signalled",
            "1.7",
            required_spec107,
        ),
        Case::new(
            "untested_spec107_must_not_emit_further_signals_once_on_error_has_been_signalled",
            "1.7",
            not_verified,
        ),
        Case::new(
            "untested_spec108_possibly_canceled_subscription_should_not_receive_on_error_or_on_complete_signals",
            "1.8",
            not_verified,
        ),
        Case::new(
            "untested_spec109_subscribe_should_not_throw_non_fatal_throwable",
            "1.9",
            not_verified,
        ),
        Case::by_type(
            "required_spec109_subscribe_throw_npe_on_null_subscriber",
            "1.9",
            "rule 1.9 (null subscriber) is enforced by the type system: `subscribe` takes a subscriber by value, and Rust has no null",
        ),
        Case::new(
            "required_spec109_must_issue_on_subscribe_for_non_null_subscriber",
            "1.9",
            required_spec109_must_issue_on_subscribe,
        ),
        Case::new(
            "required_spec109_may_reject_calls_to_subscribe_if_publisher_is_unable_or_unwilling_to_serve_them_rejection_must_trigger_on_error_after_on_subscribe",
            "1.9",
            required_spec109_may_reject,
        ),
        Case::new(
            "untested_spec110_reject_a_subscription_request_if_the_same_subscriber_subscribes_twice",
            "1.10",
            not_verified,
        ),
        Case::new(
            "optional_spec111_may_support_multi_subscribe",
            "1.11",
            optional_spec111_may_support_multi_subscribe,
        ),
        Case::new(
            "optional_spec111_registered_subscribers_must_receive_on_next_or_on_complete_signals",
            "1.11",
            optional_spec111_registered_subscribers,
        ),
        Case::new(
            "optional_spec111_multicast_must_produce_the_same_elements_in_the_same_sequence_to_all_of_its_subscribers_when_requesting_one_by_one",
            "1.11",
            optional_spec111_one_by_one,
        ),
        Case::new(
            "optional_spec111_multicast_must_produce_the_same_elements_in_the_same_sequence_to_all_of_its_subscribers_when_requesting_many_upfront",
            "1.11",
            optional_spec111_many_upfront,
        ),
        Case::new(
            "optional_spec111_multicast_must_produce_the_same_elements_in_the_same_sequence_to_all_of_its_subscribers_when_requesting_many_upfront_and_complete_as_expected",
            "1.11",
            optional_spec111_many_upfront_and_complete,
        ),
        Case::new(
            "optional_spec111_must_count_demand_separately_for_each_subscriber",
            "1.11",
            optional_spec111_demand_per_subscriber,
        ),
        Case::new(
            "required_spec302_must_allow_synchronous_request_calls_from_on_next_and_on_subscribe",
            "3.2",
            required_spec302,
        ),
        Case::new(
            "required_spec303_must_not_allow_unbounded_recursion",
            "3.3",
            required_spec303,
        ),
        Case::new(
            "untested_spec304_request_should_not_perform_heavy_computations",
            "3.4",
            not_verified,
        ),
        Case::new(
            "untested_spec305_cancel_must_not_synchronously_perform_heavy_computation",
            "3.5",
            not_verified,
        ),
        Case::new(
            "required_spec306_after_subscription_is_cancelled_request_must_be_nops",
            "3.6",
            required_spec306,
        ),
        Case::new(
            "required_spec307_after_subscription_is_cancelled_additional_cancelations_must_be_nops",
            "3.7",
            required_spec307,
        ),
        Case::new(
            "required_spec308_requests_in_pieces_must_add_up",
            "3.8",
            required_spec308_requests_in_pieces,
        ),
        Case::new(
            "required_spec309_request_zero_must_signal_illegal_argument_exception",
            "3.9",
            required_spec309_zero,
        ),
        Case::by_type(
            "required_spec309_request_negative_number_must_signal_illegal_argument_exception",
            "3.9",
            "rule 3.9 (negative request) is enforced by the type system: demand is a u64; request(0) is tested by required_spec309_request_zero_must_signal_illegal_argument_exception",
        ),
        Case::new(
            "optional_spec309_request_negative_number_may_signal_illegal_argument_exception_with_specific_message",
            "3.9",
            optional_spec309_message,
        ),
        Case::new(
            "required_spec312_cancel_must_make_the_publisher_to_eventually_stop_signaling",
            "3.12",
            required_spec312,
        ),
        Case::new(
            "required_spec313_cancel_must_make_the_publisher_eventually_drop_all_references_to_the_subscriber",
            "3.13",
            required_spec313,
        ),
        Case::new(
            "required_spec317_must_support_a_pending_element_count_up_to_long_max_value",
            "3.17",
            required_spec317_pending,
        ),
        Case::new(
            "required_spec317_must_support_a_cumulative_pending_element_count_up_to_long_max_value",
            "3.17",
            required_spec317_cumulative,
        ),
        Case::new(
            "required_spec317_must_not_signal_on_error_when_pending_above_long_max_value",
            "3.17",
            required_spec317_above_max,
        ),
    ]
}

impl<V: ?Sized> Case<V> {
    fn with_note(mut self, note: &'static str) -> Self {
        self.note = Some(note);
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Runner helpers (the JVM TCK's activePublisherTest & co.)
// ---------------------------------------------------------------------------------------------

fn check_elements<V: PublisherVerification>(
    v: &V,
    elements: u64,
    needs_completion: bool,
) -> Result<(), Stop> {
    let max = v.max_elements_from_publisher();
    if elements > max {
        Err(Stop::Skip(format!(
            "Unable to run this test, as required elements nr: {elements} is higher than supported by given producer: {max}"
        )))
    } else if needs_completion && max == PUBLISHER_UNABLE_TO_SIGNAL_ON_COMPLETE {
        Err(Stop::Skip("Unable to run this test, as it requires an on_complete signal, which this Publisher is unable to provide (as signalled by returning u64::MAX from `max_elements_from_publisher()`)".to_string()))
    } else {
        Ok(())
    }
}

/// A test of a required rule against `create_publisher(elements)`.
fn active_publisher_test<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
    elements: u64,
    needs_completion: bool,
    body: impl FnOnce(&V::Publisher) -> Result<(), Stop>,
) -> Result<(), Stop> {
    check_elements(v, elements, needs_completion)?;
    let publisher = v.create_publisher(elements);
    body(&publisher)?;
    env.verify_no_async_errors_no_delay()
}

/// A test of an optional rule. It runs like [`active_publisher_test`]; the runner reports a
/// failure, including one recorded asynchronously or a panic, as
/// [`Outcome::OptionalFailed`](crate::Outcome::OptionalFailed) (the JVM TCK drops
/// asynchronous failures of optional tests and reports the others as skips).
fn optional_active_publisher_test<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
    elements: u64,
    needs_completion: bool,
    body: impl FnOnce(&V::Publisher) -> Result<(), Stop>,
) -> Result<(), Stop> {
    active_publisher_test(v, env, elements, needs_completion, body)
}

fn when_has_error_publisher_test<V: PublisherVerification>(
    v: &V,
    body: impl FnOnce(&BoxPublisher<V::Item>) -> Result<(), Stop>,
) -> Result<(), Stop> {
    match v.create_failed_publisher() {
        Some(p) => body(&p),
        None => Err(Stop::Skip(
            SKIPPING_NO_ERROR_PUBLISHER_AVAILABLE.to_string(),
        )),
    }
}

fn name<P: Publisher + 'static>(p: &P) -> String {
    publisher_name(p)
}

fn subscribe<V: PublisherVerification>(
    env: &TestEnvironment,
    p: &V::Publisher,
) -> Result<ManualSubscriber<V::Item>, Stop> {
    ManualSubscriber::subscribe_to_named(env, p, &name(p))
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

fn required_create_publisher1_must_produce_a_stream_of_exactly1_element<
    V: PublisherVerification,
>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    active_publisher_test(v, env, 1, true, |p| {
        let sub = subscribe::<V>(env, p)?;
        let n = name(p);
        let msg = format!("Timeout while waiting for next element from Publisher {n}");
        if sub.request_next_element_or_end_of_stream(&msg)?.is_none() {
            return Err(Stop::Fail(format!("Publisher {n} produced no elements")));
        }
        sub.request_end_of_stream()
    })
}

fn required_create_publisher3_must_produce_a_stream_of_exactly3_elements<
    V: PublisherVerification,
>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    active_publisher_test(v, env, 3, true, |p| {
        let sub = subscribe::<V>(env, p)?;
        let n = name(p);
        let msg = format!("Timeout while waiting for next element from Publisher {n}");
        for failure in ["no elements", "only 1 element", "only 2 elements"] {
            if sub.request_next_element_or_end_of_stream(&msg)?.is_none() {
                return Err(Stop::Fail(format!("Publisher {n} produced {failure}")));
            }
        }
        sub.request_end_of_stream()
    })
}

fn required_validate_bounded_depth_of_on_next_and_request_recursion<V: PublisherVerification>(
    v: &V,
    _: &TestEnvironment,
) -> Result<(), Stop> {
    if v.bounded_depth_of_on_next_and_request_recursion() >= 1 {
        Ok(())
    } else {
        Err(Stop::Fail(
            "bounded_depth_of_on_next_and_request_recursion must return a number >= 1".into(),
        ))
    }
}

fn required_spec101<V: PublisherVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    active_publisher_test(v, env, 5, false, |p| {
        let sub = subscribe::<V>(env, p)?;
        let n = name(p);
        let result = (|| {
            sub.expect_none_msg(&format!(
                "Publisher {n} produced value before the first `request`: "
            ));
            sub.request(1)?;
            sub.next_element_msg(&format!(
                "Publisher {n} produced no element after first `request`"
            ))?;
            sub.expect_none_msg(&format!("Publisher {n} produced unrequested: "));
            sub.request(1)?;
            sub.request(2)?;
            sub.next_elements_msg(
                3,
                &format!(
                    "Publisher {n} produced less than 3 elements after two respective `request` calls"
                ),
            )?;
            sub.expect_none_msg(&format!("Publisher {n} produced unrequested "));
            Ok(())
        })();
        sub.cancel();
        result
    })
}

fn required_spec102<V: PublisherVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    active_publisher_test(v, env, 3, true, |p| {
        let sub = subscribe::<V>(env, p)?;
        sub.request(10)?;
        sub.next_elements(3)?;
        sub.expect_completion();
        Ok(())
    })
}

/// Detects two threads inside the subscriber's methods at once (rule 1.3), allowing a
/// synchronous publisher to nest a signal on the same thread.
///
/// With `&mut self` signal methods, safe Rust cannot call one subscriber from two threads at
/// once: only an `unsafe` publisher that aliases the subscriber can trip this barrier.
#[derive(Default)]
pub(crate) struct ConcurrentAccessBarrier {
    state: Mutex<(Option<ThreadId>, Option<String>)>,
}

impl ConcurrentAccessBarrier {
    pub(crate) fn enter(&self, env: &TestEnvironment, signal: &str) {
        let me = std::thread::current().id();
        let mut st = self.state.lock();
        match st.0 {
            None => st.0 = Some(me),
            Some(holder) => {
                let synchronous = st.1.is_some() && holder == me;
                if !synchronous {
                    env.flop(format!(
                        "Illegal concurrent access detected (entering critical section)! {me:?} emitted {signal} signal, before {holder:?} finished its {} signal.",
                        st.1.as_deref().unwrap_or("?")
                    ));
                }
            }
        }
        st.1 = Some(signal.to_string());
    }

    pub(crate) fn leave(&self, signal: &str) {
        let mut st = self.state.lock();
        st.0 = None;
        st.1 = Some(signal.to_string());
    }
}

struct Spec103Subscriber {
    env: TestEnvironment,
    subscription: Option<SubscriptionRef>,
    barrier: ConcurrentAccessBarrier,
    got: Arc<Mutex<u64>>,
    elements: u64,
    completion: Arc<Latch>,
    end: EndOfStream,
}

impl<T: Debug> Subscriber<T> for Spec103Subscriber {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        self.barrier.enter(&self.env, "on_subscribe()");
        self.subscription = Some(subscription.clone());
        subscription.request(1);
        self.barrier.leave("on_subscribe()");
    }

    fn on_next(&mut self, item: T) {
        let signal = format!("on_next({item:?})");
        self.barrier.enter(&self.env, &signal);
        if !self.end.admit(&self.env, || signal.clone()) {
            self.barrier.leave(&signal);
            return;
        }
        let got = {
            let mut g = self.got.lock();
            *g += 1;
            *g
        };
        // One more than the stream holds: some publishers only notice the end on a request.
        if got <= self.elements {
            if let Some(s) = &self.subscription {
                s.request(1);
            }
        }
        self.barrier.leave(&signal);
    }

    fn on_error(&mut self, error: Error) {
        let signal = format!("on_error({error})");
        self.barrier.enter(&self.env, &signal);
        self.end.end(&self.env, || signal.clone());
        self.barrier.leave(&signal);
    }

    fn on_complete(&mut self) {
        self.barrier.enter(&self.env, "on_complete()");
        let first = self.end.end(&self.env, || "on_complete()".to_string());
        self.barrier.leave("on_complete()");
        if first {
            self.completion.close();
        }
    }
}

fn stochastic_spec103<V: PublisherVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    const ITERATIONS: u64 = 100;
    const ELEMENTS: u64 = 10;
    if v.skip_stochastic_tests() {
        return Err(Stop::Skip(
            "Skipping stochastic test because `skip_stochastic_tests()` returned `true`!".into(),
        ));
    }
    for run in 0..ITERATIONS {
        active_publisher_test(v, env, ELEMENTS, true, |p| {
            let completion = Arc::new(Latch::new());
            let got = Arc::new(Mutex::new(0));
            p.subscribe(Spec103Subscriber {
                env: env.clone(),
                subscription: None,
                barrier: ConcurrentAccessBarrier::default(),
                got: got.clone(),
                elements: ELEMENTS,
                completion: completion.clone(),
                end: EndOfStream::default(),
            });
            let timeout = env.default_timeout() * ELEMENTS as u32;
            if !completion.wait(timeout) {
                env.flop(format!(
                    "Failed in iteration {run} of {ITERATIONS}. Expected completion signal after signalling {ELEMENTS} elements (signalled {}), yet did not receive it within {} ms",
                    *got.lock(),
                    timeout.as_millis()
                ));
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// A subscriber for the failed-publisher tests: checks that `on_subscribe` comes first and
/// `on_error` once; any element or completion is a failure.
struct FailedPublisherSubscriber {
    env: TestEnvironment,
    on_subscribe: Arc<Latch>,
    on_error: Arc<Latch>,
    subscription: Arc<Mutex<Option<SubscriptionRef>>>,
    twice_error_msg: String,
}

impl<T: Debug> Subscriber<T> for FailedPublisherSubscriber {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        *self.subscription.lock() = Some(subscription);
        self.on_subscribe
            .assert_open(&self.env, "Only one onSubscribe call expected");
        self.on_subscribe.close();
    }

    fn on_next(&mut self, item: T) {
        self.env
            .flop(format!("Unexpected Subscriber::on_next({item:?})"));
    }

    fn on_error(&mut self, _: Error) {
        self.on_subscribe.assert_closed(
            &self.env,
            "onSubscribe should be called prior to onError always",
        );
        self.on_error.assert_open(&self.env, &self.twice_error_msg);
        self.on_error.close();
    }

    fn on_complete(&mut self) {
        self.env.flop("Unexpected Subscriber::on_complete()");
    }
}

fn optional_spec104<V: PublisherVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    let result = catch_unwind(AssertUnwindSafe(|| {
        when_has_error_publisher_test(v, |p| {
            let n = shorten_type_name(p.type_name());
            let on_subscribe = Arc::new(Latch::new());
            let on_error = Arc::new(Latch::new());
            p.subscribe(FailedPublisherSubscriber {
                env: env.clone(),
                on_subscribe: on_subscribe.clone(),
                on_error: on_error.clone(),
                subscription: Arc::default(),
                twice_error_msg: "Error-state Publisher called `on_error` twice on new Subscriber"
                    .into(),
            });
            on_subscribe.expect_close(
                env,
                env.default_timeout(),
                "Should have received onSubscribe",
            );
            on_error.expect_close(
                env,
                env.default_timeout(),
                &format!("Error-state Publisher {n} did not call `on_error` on new Subscriber"),
            );
            env.verify_no_async_errors()
        })
    }));
    match result {
        Ok(r) => r,
        Err(p) => Err(Stop::Fail(format!(
            "Publisher failed with `{}` instead of signalling the error through on_error!",
            Error::panic(p.as_ref()).message()
        ))),
    }
}

fn required_spec105<V: PublisherVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    active_publisher_test(v, env, 3, true, |p| {
        let sub = subscribe::<V>(env, p)?;
        sub.request_next_element()?;
        sub.request_next_element()?;
        sub.request_next_element()?;
        sub.request_end_of_stream()?;
        sub.expect_none();
        Ok(())
    })
}

fn optional_spec105<V: PublisherVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    optional_active_publisher_test(v, env, 0, true, |p| {
        let sub = subscribe::<V>(env, p)?;
        sub.request(1)?;
        sub.expect_completion();
        sub.expect_none();
        Ok(())
    })
}

fn required_spec107<V: PublisherVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    active_publisher_test(v, env, 1, true, |p| {
        let sub = subscribe::<V>(env, p)?;
        sub.request(10)?;
        sub.next_element()?;
        sub.expect_completion();
        sub.request(10)?;
        sub.expect_none();
        Ok(())
    })
}

struct OrderCheckingSubscriber {
    env: TestEnvironment,
    on_subscribe: Arc<Latch>,
    subscription: Arc<Mutex<Option<SubscriptionRef>>>,
    end: EndOfStream,
}

impl<T> Subscriber<T> for OrderCheckingSubscriber {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        *self.subscription.lock() = Some(subscription);
        self.on_subscribe
            .assert_open(&self.env, "Only one onSubscribe call expected");
        self.on_subscribe.close();
    }

    fn on_next(&mut self, _: T) {
        self.on_subscribe.assert_closed(
            &self.env,
            "onSubscribe should be called prior to onNext always",
        );
        self.end.admit(&self.env, || "on_next(..)".to_string());
    }

    fn on_error(&mut self, error: Error) {
        self.on_subscribe.assert_closed(
            &self.env,
            "onSubscribe should be called prior to onError always",
        );
        self.end.end(&self.env, || format!("on_error({error})"));
    }

    fn on_complete(&mut self) {
        self.on_subscribe.assert_closed(
            &self.env,
            "onSubscribe should be called prior to onComplete always",
        );
        self.end.end(&self.env, || "on_complete()".to_string());
    }
}

fn required_spec109_must_issue_on_subscribe<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    active_publisher_test(v, env, 0, false, |p| {
        let on_subscribe = Arc::new(Latch::new());
        let subscription: Arc<Mutex<Option<SubscriptionRef>>> = Arc::default();
        p.subscribe(OrderCheckingSubscriber {
            env: env.clone(),
            on_subscribe: on_subscribe.clone(),
            subscription: subscription.clone(),
            end: EndOfStream::default(),
        });
        on_subscribe.expect_close(
            env,
            env.default_timeout(),
            "Should have received onSubscribe",
        );
        let result = env.verify_no_async_errors_no_delay();
        if let Some(s) = subscription.lock().take() {
            s.cancel();
        }
        result
    })
}

fn required_spec109_may_reject<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    when_has_error_publisher_test(v, |p| {
        let on_subscribe = Arc::new(Latch::new());
        let on_error = Arc::new(Latch::new());
        p.subscribe(FailedPublisherSubscriber {
            env: env.clone(),
            on_subscribe: on_subscribe.clone(),
            on_error: on_error.clone(),
            subscription: Arc::default(),
            twice_error_msg: "Only one onError call expected".into(),
        });
        on_subscribe.expect_close(
            env,
            env.default_timeout(),
            "Should have received onSubscribe",
        );
        on_error.expect_close(env, env.default_timeout(), "Should have received onError");
        env.verify_no_async_errors_no_delay()
    })
}

fn optional_spec111_may_support_multi_subscribe<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    optional_active_publisher_test(v, env, 1, false, |p| {
        let sub1 = subscribe::<V>(env, p)?;
        let sub2 = subscribe::<V>(env, p)?;
        let result = env.verify_no_async_errors();
        sub1.cancel();
        sub2.cancel();
        result
    })
}

fn optional_spec111_registered_subscribers<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    optional_active_publisher_test(v, env, 1, false, |p| {
        let sub1 = subscribe::<V>(env, p)?;
        let sub2 = subscribe::<V>(env, p)?;
        // Unicast or multicast is the publisher's choice: each gets an element or completion.
        sub1.request_next_element_or_end_of_stream("Did not receive expected stream completion")?;
        sub2.request_next_element_or_end_of_stream("Did not receive expected stream completion")?;
        let result = env.verify_no_async_errors();
        sub1.cancel();
        sub2.cancel();
        result
    })
}

fn assert_same<T: Debug + PartialEq>(a: &[T], b: &[T], msg: &str) -> Result<(), Stop> {
    if let Some(i) = (0..a.len().min(b.len())).find(|&i| a[i] != b[i]) {
        return Err(Stop::Fail(format!(
            "{msg}: Lists differ at element [{i}]: {:?} != {:?}",
            a[i], b[i]
        )));
    }
    if a.len() != b.len() {
        return Err(Stop::Fail(format!(
            "{msg}: Lists have different lengths: {} != {}",
            a.len(),
            b.len()
        )));
    }
    Ok(())
}

fn optional_spec111_one_by_one<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    optional_active_publisher_test(v, env, 5, true, |p| {
        let n = name(p);
        let sub1 = subscribe::<V>(env, p)?;
        let sub2 = subscribe::<V>(env, p)?;
        let sub3 = subscribe::<V>(env, p)?;
        let on = |k: u64, which: &str| {
            format!(
                "Publisher {n} did not produce the requested {k} elements on {which} subscriber"
            )
        };
        let done = |which: &str| {
            format!("Publisher {n} did not complete the stream as expected on {which} subscriber")
        };

        sub1.request(1)?;
        let x1 = sub1.next_element_msg(&on(1, "1st"))?;
        sub2.request(2)?;
        let y1 = sub2.next_elements_msg(2, &on(2, "2nd"))?;
        sub1.request(1)?;
        let x2 = sub1.next_element_msg(&on(1, "1st"))?;
        sub3.request(3)?;
        let z1 = sub3.next_elements_msg(3, &on(3, "3rd"))?;
        sub3.request(1)?;
        let z2 = sub3.next_element_msg(&on(1, "3rd"))?;
        sub3.request(1)?;
        let z3 = sub3.next_element_msg(&on(1, "3rd"))?;
        sub3.request_end_of_stream_msg(&done("3rd"))?;
        sub2.request(3)?;
        let y2 = sub2.next_elements_msg(3, &on(3, "2nd"))?;
        sub2.request_end_of_stream_msg(&done("2nd"))?;
        sub1.request(2)?;
        let x3 = sub1.next_elements_msg(2, &on(2, "1st"))?;
        sub1.request(1)?;
        let x4 = sub1.next_element_msg(&on(1, "1st"))?;
        sub1.request_end_of_stream_msg(&done("1st"))?;

        let mut r = vec![x1, x2];
        r.extend(x3);
        r.push(x4);
        let mut check1 = y1;
        check1.extend(y2);
        let mut check2 = z1;
        check2.push(z2);
        check2.push(z3);
        assert_same(
            &r,
            &check1,
            &format!(
                "Publisher {n} did not produce the same element sequence for subscribers 1 and 2"
            ),
        )?;
        assert_same(
            &r,
            &check2,
            &format!(
                "Publisher {n} did not produce the same element sequence for subscribers 1 and 3"
            ),
        )
    })
}

fn many_upfront<V: PublisherVerification>(
    env: &TestEnvironment,
    p: &V::Publisher,
    check_completion: bool,
) -> Result<(), Stop> {
    let sub1 = subscribe::<V>(env, p)?;
    let sub2 = subscribe::<V>(env, p)?;
    let sub3 = subscribe::<V>(env, p)?;
    // Ask for one more than there is: some publishers only notice the end on a request.
    sub1.request(4)?;
    sub2.request(4)?;
    sub3.request(4)?;
    let r1 = sub1.next_elements(3)?;
    let r2 = sub2.next_elements(3)?;
    let r3 = sub3.next_elements(3)?;
    if check_completion {
        sub1.expect_completion();
        sub2.expect_completion();
        sub3.expect_completion();
    }
    assert_same(
        &r1,
        &r2,
        "Expected elements to be signaled in the same sequence to 1st and 2nd subscribers",
    )?;
    assert_same(
        &r2,
        &r3,
        "Expected elements to be signaled in the same sequence to 2nd and 3rd subscribers",
    )
}

fn optional_spec111_many_upfront<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    optional_active_publisher_test(v, env, 3, false, |p| many_upfront::<V>(env, p, false))
}

fn optional_spec111_many_upfront_and_complete<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    optional_active_publisher_test(v, env, 3, true, |p| many_upfront::<V>(env, p, true))
}

/// Not in the JVM TCK, whose multi-subscriber tests request without leaving demand over: a
/// publisher whose subscribers share one demand counter passes them.
fn optional_spec111_demand_per_subscriber<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    optional_active_publisher_test(v, env, 3, true, |p| {
        let n = name(p);
        let sub1 = subscribe::<V>(env, p)?;
        let sub2 = subscribe::<V>(env, p)?;
        // More than the stream holds: 2 of the 1st subscriber's demand are left over when its
        // stream ends. They are its own, not the 2nd subscriber's.
        sub1.request(5)?;
        sub1.next_elements_msg(
            3,
            &format!("Publisher {n} did not produce the 3 elements the 1st subscriber requested"),
        )?;
        sub1.expect_completion_msg(&format!(
            "Publisher {n} did not complete the stream of the 1st subscriber"
        ));
        let unrequested = format!(
            "Publisher {n} produced elements the 2nd subscriber did not request (demand must be counted for each subscriber on its own, rules 1.10 and 1.11): "
        );
        sub2.expect_none_msg(&unrequested);
        sub2.request(1)?;
        sub2.next_element_msg(&format!(
            "Publisher {n} did not produce the element the 2nd subscriber requested"
        ))?;
        sub2.expect_none_msg(&unrequested);
        // Two elements are left, and one more request for the end of the stream.
        sub2.request(3)?;
        sub2.next_elements_msg(
            2,
            &format!("Publisher {n} did not produce the 2 elements the 2nd subscriber requested"),
        )?;
        sub2.expect_completion_msg(&format!(
            "Publisher {n} did not complete the stream of the 2nd subscriber"
        ));
        Ok(())
    })
}

fn required_spec302<V: PublisherVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    active_publisher_test(v, env, 6, false, |p| {
        let (sub, sink) = ManualSubscriber::<V::Item>::new(env);
        let sink = sink
            .on_subscribe_hook(|_, s| {
                s.request(1);
                s.request(1);
                s.request(1);
            })
            .on_next_hook(|handle, _| {
                if let Some(s) = handle.subscription() {
                    s.request(1);
                }
            });
        sub.subscribe_sink(p, sink)?;
        env.verify_no_async_errors()
    })
}

thread_local! {
    /// How many `on_next` calls of the rule 3.3 test are active on this thread.
    static ON_NEXT_DEPTH: Cell<u64> = const { Cell::new(0) };
}

/// Counts nested `on_next` frames on the current thread (rule 3.3).
pub(crate) struct DepthGuard;

impl DepthGuard {
    /// Enters one frame and returns the depth including it.
    pub(crate) fn enter() -> (DepthGuard, u64) {
        let depth = ON_NEXT_DEPTH.with(|d| {
            d.set(d.get() + 1);
            d.get()
        });
        (DepthGuard, depth)
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        ON_NEXT_DEPTH.with(|d| d.set(d.get() - 1));
    }
}

pub(crate) fn recursion_message(depth: u64, bound: u64) -> String {
    format!(
        "Got {depth} on_next calls within thread: {:?}, yet expected recursive bound was {bound}",
        std::thread::current().id()
    )
}

fn required_spec303<V: PublisherVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    let bound = v.bounded_depth_of_on_next_and_request_recursion();
    let limit = bound.saturating_add(1);
    active_publisher_test(v, env, limit, false, |p| {
        let run_completed = Arc::new(Latch::new());
        let (sub, sink) = ManualSubscriber::<V::Item>::new(env);
        let mut signals = 0u64;
        let latch = run_completed.clone();
        let flops = env.clone();
        let sink = sink
            .on_next_hook(move |handle, item| {
                signals += 1;
                let (_guard, depth) = DepthGuard::enter();
                flops.debug_log(|| format!("recursion depth {depth}: on_next({item:?})"));
                if depth > bound {
                    flops.flop(recursion_message(depth, bound));
                    latch.close();
                } else if signals >= limit {
                    latch.close();
                } else if let Some(s) = handle.subscription() {
                    // Ask for more right away: the publisher must break the recursion.
                    s.request(1);
                }
            })
            .on_terminal_hook({
                let latch = run_completed.clone();
                move || latch.close()
            });
        let result = (|| {
            sub.subscribe_sink(p, sink)?;
            sub.request(1)?;
            run_completed.expect_close(
                env,
                env.default_timeout(),
                &format!(
                    "Unable to validate call stack depth safety, awaited at-most {limit} signals or completion"
                ),
            );
            env.verify_no_async_errors_no_delay()
        })();
        sub.cancel();
        result
    })
}

fn required_spec306<V: PublisherVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    active_publisher_test(v, env, 3, false, |p| {
        let sub = subscribe::<V>(env, p)?;
        sub.cancel();
        sub.request(1)?;
        sub.request(1)?;
        sub.request(1)?;
        sub.expect_none();
        env.verify_no_async_errors_no_delay()
    })
}

fn required_spec307<V: PublisherVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    active_publisher_test(v, env, 1, false, |p| {
        let sub = subscribe::<V>(env, p)?;
        sub.cancel();
        sub.cancel();
        sub.cancel();
        sub.expect_none();
        env.verify_no_async_errors_no_delay()
    })
}

/// Not in the JVM TCK, whose rule 3.8 test is a subscriber test: requests made while the
/// publisher is still delivering a signal (from `on_subscribe` and `on_next`) must add up, so a
/// publisher that overwrites its pending demand instead of adding to it fails.
fn required_spec308_requests_in_pieces<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    active_publisher_test(v, env, 10, false, |p| {
        let n = name(p);
        let (sub, sink) = ManualSubscriber::<V::Item>::new(env);
        let mut first = true;
        let sink = sink
            .on_subscribe_hook(|_, s| {
                s.request(2);
                s.request(3);
            })
            .on_next_hook(move |handle, item| {
                handle.enqueue(item);
                if std::mem::take(&mut first) {
                    if let Some(s) = handle.subscription() {
                        s.request(1);
                        s.request(2);
                    }
                }
            });
        sub.subscribe_sink_named(p, sink, &n)?;
        let result = (|| {
            sub.next_elements_msg(
                8,
                &format!(
                    "Publisher {n} produced less than the 8 elements requested in four pieces (2 and 3 from on_subscribe, 1 and 2 from the first on_next): requests must add up (rule 3.8)"
                ),
            )?;
            sub.expect_none_msg(&format!(
                "Publisher {n} produced more than the 8 elements requested in pieces: "
            ));
            Ok(())
        })();
        sub.cancel();
        result
    })
}

fn required_spec309_zero<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    active_publisher_test(v, env, 10, false, |p| {
        let sub = subscribe::<V>(env, p)?;
        sub.request(0)?;
        sub.expect_error(ErrorKind::InvalidRequest)?;
        // The error ends the stream (rules 1.6 and 1.7): a later request must not revive it.
        // The test subscriber records any signal after the error; give one `N` to arrive.
        sub.request(10)?;
        env.verify_no_async_errors()
    })
}

fn optional_spec309_message<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    // Negative requests cannot be written in Rust; the message requirement applies to the one
    // non-positive request that can: request(0).
    optional_active_publisher_test(v, env, 10, false, |p| {
        let sub = subscribe::<V>(env, p)?;
        sub.request(0)?;
        sub.expect_error_with_message(
            ErrorKind::InvalidRequest,
            &[
                "3.9",
                "non-positive subscription request",
                "negative subscription request",
            ],
        )
    })
}

fn required_spec312<V: PublisherVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    const DEMAND1: u64 = 10;
    const DEMAND2: u64 = 5;
    const TOTAL: u64 = DEMAND1 + DEMAND2;
    active_publisher_test(v, env, 20, false, |p| {
        let sub = subscribe::<V>(env, p)?;
        sub.request(DEMAND1)?;
        sub.request(DEMAND2)?;
        // Take one element before cancelling: an asynchronous publisher may legally handle a
        // cancel that arrives before it started emitting by never emitting at all.
        sub.next_element()?;
        sub.cancel();
        let mut signalled = 1;
        loop {
            // An element arriving now is recorded as a failure; count and drop those.
            sub.expect_none();
            if env.drop_async_error().is_none() {
                break;
            }
            signalled += 1;
            if signalled > TOTAL {
                return Err(Stop::Fail(format!(
                    "Publisher signalled [{signalled}] elements, which is more than the signalled demand: {TOTAL}"
                )));
            }
        }
        Ok(())
    })
}

fn required_spec313<V: PublisherVerification>(v: &V, env: &TestEnvironment) -> Result<(), Stop> {
    active_publisher_test(v, env, 3, false, |p| {
        let watch = {
            let sub = subscribe::<V>(env, p)?;
            sub.request(1)?;
            sub.next_element()?;
            sub.cancel();
            sub.drop_watch()
            // The test's handle ends here: only the publisher can keep the subscriber alive.
        };
        if !watch.wait_dropped(env.gc_timeout()) {
            env.flop(format!(
                "Publisher {} did not drop reference to test subscriber after subscription cancellation within {} ms",
                name(p),
                env.gc_timeout().as_millis()
            ));
        }
        env.verify_no_async_errors_no_delay()
    })
}

fn required_spec317_pending<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    active_publisher_test(v, env, 3, true, |p| {
        let sub = subscribe::<V>(env, p)?;
        sub.request(u64::MAX)?;
        sub.next_elements(3)?;
        sub.expect_completion();
        env.verify_no_async_errors_no_delay()
    })
}

fn required_spec317_cumulative<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    active_publisher_test(v, env, 3, true, |p| {
        let sub = subscribe::<V>(env, p)?;
        let result = (|| {
            sub.request(u64::MAX / 2)?; // pending = MAX / 2
            sub.request(u64::MAX / 2)?; // pending = MAX - 1
            sub.request(1)?; // pending = MAX
            sub.next_elements(3)?;
            sub.expect_completion();
            env.verify_no_async_errors_no_delay()
        })();
        sub.cancel();
        result
    })
}

fn required_spec317_above_max<V: PublisherVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    active_publisher_test(v, env, i32::MAX as u64, false, |p| {
        let n = name(p);
        let (sub, sink) = ManualSubscriber::<V::Item>::new(env);
        let flowing = Arc::new(Latch::new());
        let seen = Arc::new(Mutex::new(0u64));
        // On the 1st element (all demand used up) request `u64::MAX`, then 1 more: a sum that
        // wraps around instead of saturating leaves a demand of 0 and the stream stops. On the
        // 2nd to 10th, re-request `u64::MAX - 1` (every sum overflows). The 11th shows that the
        // stream kept flowing: cancel.
        let (latch, count) = (flowing.clone(), seen.clone());
        let sink = sink.blackhole().on_next_hook(move |handle, _| {
            let k = {
                let mut c = count.lock();
                *c += 1;
                *c
            };
            if let Some(s) = handle.subscription() {
                match k {
                    1 => {
                        s.request(u64::MAX);
                        s.request(1);
                    }
                    2..=10 => s.request(u64::MAX - 1),
                    11 => {
                        latch.close();
                        s.cancel();
                    }
                    _ => {}
                }
            }
        });
        sub.subscribe_sink_named(p, sink, &n)?;
        sub.request(1)?;
        if !flowing.wait(env.default_timeout()) {
            env.flop(format!(
                "Publisher {n} stopped after {} element(s) within {} ms although more than u64::MAX elements were requested: demand must saturate at u64::MAX, not wrap around (rule 3.17)",
                *seen.lock(),
                env.default_timeout().as_millis()
            ));
        }
        let result = env.verify_no_async_errors();
        sub.cancel();
        result
    })
}
