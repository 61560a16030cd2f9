//! The identity processor verification: 71 tests. The processor is checked as a publisher (the
//! 40 publisher tests, with the processor fed by the helper publisher), as a whitebox
//! subscriber (the 27 whitebox tests, with a TCK subscriber on its output as the puppet), and
//! by 4 tests of its own about several subscribers, error propagation (rule 4.2) and elements
//! passed on in order when the upstream is faster than the subscriber (rule 4.1).

use std::fmt::Debug;

use reactive_core::{BoxPublisher, Error, Processor, Publisher};

use crate::harness::{ManualPublisher, ManualSubscriber, publisher_name, short_type_name};
use crate::reference::helper::HelperPublisher;
use crate::runner::env::{EnvError, TEST_BUFFER_SIZE, TestEnvironment};
use crate::runner::outcome::{Report, Stop, TestResult};
use crate::runner::{
    Case, Meta, RunOptions, no_such_test, run_all_with_options, run_case, run_named_with_options,
};
use crate::verification::publisher::{self, PublisherVerification};
use crate::verification::subscriber::{
    self, ProbeBridge, SubscriberWhiteboxVerification, WhiteboxProbe,
};

/// What the identity processor verification needs: processors that pass every element on
/// unchanged, and elements to feed them.
///
/// The processor type must be a cloneable handle (the TCK subscribes one clone upstream and
/// another downstream), as processors in Rust usually are.
pub trait IdentityProcessorVerification {
    /// The element type.
    type Item: Clone + Debug + PartialEq + Send + 'static;

    /// The processor type under test.
    type Processor: Processor<Self::Item, Self::Item> + Clone + Send + 'static;

    /// A new processor that can buffer at least `buffer_size` elements.
    fn create_identity_processor(&self, buffer_size: usize) -> Self::Processor;

    /// A publisher that calls `on_subscribe` and then `on_error`; `None` (the default) skips
    /// the tests that need one.
    fn create_failed_publisher(&self) -> Option<BoxPublisher<Self::Item>> {
        None
    }

    /// The element with index `id` (0, 1, 2, ...). May be called from any thread.
    fn create_element(id: u64) -> Self::Item;

    /// The source of the elements fed to the processor: by default a [`HelperPublisher`] over
    /// `create_element`.
    fn create_helper_publisher(&self, elements: u64) -> BoxPublisher<Self::Item> {
        BoxPublisher::new(HelperPublisher::new(elements, Self::create_element))
    }

    /// The buffer size passed to `create_identity_processor`. Default
    /// [`TEST_BUFFER_SIZE`] (16).
    fn processor_buffer_size(&self) -> usize {
        TEST_BUFFER_SIZE
    }

    /// See [`PublisherVerification::max_elements_from_publisher`].
    fn max_elements_from_publisher(&self) -> u64 {
        u64::MAX - 1
    }

    /// See [`PublisherVerification::bounded_depth_of_on_next_and_request_recursion`].
    fn bounded_depth_of_on_next_and_request_recursion(&self) -> u64 {
        1
    }

    /// See [`PublisherVerification::skip_stochastic_tests`].
    fn skip_stochastic_tests(&self) -> bool {
        false
    }

    /// How many subscribers the processor supports at once; the tests that need 2 are skipped
    /// below that. Default `u64::MAX`.
    fn max_supported_subscribers(&self) -> u64 {
        u64::MAX
    }

    /// Whether the processor only emits once all its subscribers have demand (and requests
    /// upstream accordingly). Default `false`.
    fn does_coordinated_emission(&self) -> bool {
        false
    }

    /// The timeouts; by default read from the environment variables.
    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        TestEnvironment::from_env()
    }
}

/// The processor seen as a publisher: fed by the helper publisher.
pub(crate) struct AsPublisher<'a, V>(pub(crate) &'a V);

impl<V: IdentityProcessorVerification> PublisherVerification for AsPublisher<'_, V> {
    type Item = V::Item;
    type Publisher = V::Processor;

    fn create_publisher(&self, elements: u64) -> V::Processor {
        let processor = self
            .0
            .create_identity_processor(self.0.processor_buffer_size());
        self.0
            .create_helper_publisher(elements)
            .subscribe(processor.clone());
        processor
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<V::Item>> {
        self.0.create_failed_publisher()
    }

    fn max_elements_from_publisher(&self) -> u64 {
        self.0.max_elements_from_publisher()
    }

    fn bounded_depth_of_on_next_and_request_recursion(&self) -> u64 {
        self.0.bounded_depth_of_on_next_and_request_recursion()
    }

    fn skip_stochastic_tests(&self) -> bool {
        self.0.skip_stochastic_tests()
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        self.0.environment()
    }
}

/// The processor seen as a whitebox subscriber: a TCK subscriber on its output is the puppet.
pub(crate) struct AsSubscriber<'a, V>(pub(crate) &'a V);

impl<V: IdentityProcessorVerification> SubscriberWhiteboxVerification for AsSubscriber<'_, V> {
    type Item = V::Item;
    type Subscriber = V::Processor;

    fn create_subscriber(&self, probe: WhiteboxProbe<V::Item>) -> V::Processor {
        let processor = self
            .0
            .create_identity_processor(self.0.processor_buffer_size());
        processor.subscribe(ProbeBridge {
            probe,
            subscribed: false,
        });
        processor
    }

    fn create_element(id: u64) -> V::Item {
        V::create_element(id)
    }

    fn create_helper_publisher(&self, elements: u64) -> BoxPublisher<V::Item> {
        self.0.create_helper_publisher(elements)
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        self.0.environment()
    }
}

/// Runs every identity processor test against `verification`.
pub fn run_identity_processor_verification<V: IdentityProcessorVerification>(
    verification: &V,
) -> Report {
    let env = verification.environment();
    let mut results = Vec::new();
    let as_publisher = AsPublisher(verification);
    for case in publisher::cases::<AsPublisher<'_, V>>() {
        results.push(run_case(&as_publisher, &env, &case));
    }
    let as_subscriber = AsSubscriber(verification);
    for case in subscriber::whitebox_cases::<AsSubscriber<'_, V>>() {
        results.push(run_case(&as_subscriber, &env, &case));
    }
    for case in own_cases::<V>() {
        results.push(run_case(verification, &env, &case));
    }
    Report { results }
}

/// Runs the identity processor test called `name`.
///
/// # Panics
///
/// If there is no such test (reported at the caller's location).
#[track_caller]
pub fn run_identity_processor_test<V: IdentityProcessorVerification>(
    verification: &V,
    name: &str,
) -> TestResult {
    let env = verification.environment();
    if let Some(case) = publisher::cases::<AsPublisher<'_, V>>()
        .into_iter()
        .find(|c| c.name == name)
    {
        return run_case(&AsPublisher(verification), &env, &case);
    }
    if let Some(case) = subscriber::whitebox_cases::<AsSubscriber<'_, V>>()
        .into_iter()
        .find(|c| c.name == name)
    {
        return run_case(&AsSubscriber(verification), &env, &case);
    }
    match own_cases::<V>().into_iter().find(|c| c.name == name) {
        Some(case) => run_case(verification, &env, &case),
        None => no_such_test(name),
    }
}

/// The identity processor tests, in order, without running them.
fn metas<V: IdentityProcessorVerification>() -> Vec<Meta> {
    let mut metas: Vec<Meta> = publisher::cases::<publisher::NoPublisher>()
        .iter()
        .map(Case::meta)
        .collect();
    metas.extend(
        subscriber::whitebox_cases::<subscriber::NoSubscriber>()
            .iter()
            .map(Case::meta),
    );
    metas.extend(own_cases::<V>().iter().map(Case::meta));
    metas
}

/// [`run_identity_processor_verification`] with options, such as a deadline for each test (see
/// [`RunOptions`]).
pub fn run_identity_processor_verification_with<V>(verification: V, options: &RunOptions) -> Report
where
    V: IdentityProcessorVerification + Send + Sync + 'static,
{
    run_all_with_options(
        verification,
        metas::<V>(),
        options,
        run_identity_processor_test::<V>,
    )
}

/// [`run_identity_processor_test`] with options, such as a deadline (see [`RunOptions`]).
///
/// # Panics
///
/// If there is no such test (reported at the caller's location).
#[track_caller]
pub fn run_identity_processor_test_with<V>(
    verification: V,
    name: &str,
    options: &RunOptions,
) -> TestResult
where
    V: IdentityProcessorVerification + Send + Sync + 'static,
{
    run_named_with_options(
        verification,
        metas::<V>(),
        name,
        options,
        run_identity_processor_test::<V>,
    )
}

/// The names of the identity processor tests, in order (the 40 publisher tests, the 27
/// whitebox tests, then its own 4).
pub fn identity_processor_test_names() -> Vec<&'static str> {
    metas::<NoProcessor>().iter().map(|m| m.name).collect()
}

/// A verification type used only to list the tests.
struct NoProcessor;

impl IdentityProcessorVerification for NoProcessor {
    type Item = u8;
    type Processor = crate::LockstepProcessor<u8>;
    fn create_identity_processor(&self, _: usize) -> Self::Processor {
        crate::LockstepProcessor::new()
    }
    fn create_element(id: u64) -> u8 {
        id as u8
    }
}

fn own_cases<V: IdentityProcessorVerification>() -> Vec<Case<V>> {
    vec![
        Case::new(
            "required_spec104_must_call_on_error_on_all_its_subscribers_if_it_encounters_a_non_recoverable_error",
            "1.4",
            required_spec104_multi,
        ),
        Case::new(
            "must_immediately_pass_on_on_error_events_received_from_its_upstream_to_its_downstream",
            "4.2",
            must_immediately_pass_on_on_error,
        ),
        Case::new(
            "required_must_request_from_upstream_for_elements_that_have_been_requested_long_ago",
            "2.1",
            required_must_request_long_ago,
        ),
        Case::new(
            "required_spec401_must_not_lose_elements_when_upstream_outruns_downstream",
            "4.1",
            required_spec401_no_lost_elements,
        ),
    ]
}

const COORDINATION_HINT: &str = "If the Processor coordinates requests/emissions when having multiple Subscribers at once, return true from does_coordinated_emission() to allow this test to pass.";

fn multiple_subscribers_test<V: IdentityProcessorVerification>(
    v: &V,
    required: u64,
) -> Result<(), Stop> {
    let max = v.max_supported_subscribers();
    if required > max {
        Err(Stop::Skip(format!(
            "The Publisher under test only supports {max} subscribers, while this test requires at least {required} to run."
        )))
    } else {
        Ok(())
    }
}

/// A processor subscribed to a [`ManualPublisher`], and a TCK subscriber on the helper
/// publisher that supplies element values.
struct Setup<V: IdentityProcessorVerification> {
    env: TestEnvironment,
    upstream: ManualPublisher<V::Item>,
    tees: ManualSubscriber<V::Item>,
    seen: Vec<V::Item>,
    processor: V::Processor,
}

impl<V: IdentityProcessorVerification> Setup<V> {
    fn new(v: &V, env: &TestEnvironment) -> Result<Self, Stop> {
        let helper = v.create_helper_publisher(u64::MAX);
        let tees = ManualSubscriber::subscribe_to_named(env, &helper, &publisher_name(&helper))?;
        let processor = v.create_identity_processor(v.processor_buffer_size());
        let upstream = ManualPublisher::new(env);
        upstream.subscribe(processor.clone());
        Ok(Setup {
            env: env.clone(),
            upstream,
            tees,
            seen: Vec::new(),
            processor,
        })
    }

    fn new_subscriber(&self) -> Result<ManualSubscriber<V::Item>, Stop> {
        ManualSubscriber::subscribe_to(&self.env, &self.processor)
    }

    fn new_error_collecting_subscriber(&self) -> Result<ManualSubscriber<V::Item>, Stop> {
        let (sub, sink) = ManualSubscriber::new(&self.env);
        sub.subscribe_sink(&self.processor, sink.collect_errors())?;
        Ok(sub)
    }

    fn next_t(&mut self) -> Result<V::Item, Stop> {
        let t = self.tees.request_next_element()?;
        if self.seen.contains(&t) {
            self.env.flop(format!(
                "Helper publisher illegally produced the same element {t:?} twice"
            ));
        }
        self.seen.push(t.clone());
        Ok(t)
    }

    fn send_next_t_from_upstream(&mut self) -> Result<V::Item, Stop> {
        let t = self.next_t()?;
        self.upstream.send_next(t.clone());
        Ok(t)
    }

    /// Sends upstream what the processor asked for and was not sent yet (`owed`), until `sent`
    /// holds `total` elements.
    fn send_owed(
        &mut self,
        sent: &mut Vec<V::Item>,
        owed: &mut u64,
        total: usize,
    ) -> Result<(), Stop> {
        while sent.len() < total && *owed > 0 {
            sent.push(self.send_next_t_from_upstream()?);
            *owed -= 1;
        }
        Ok(())
    }

    fn expect_next_element(
        &self,
        sub: &ManualSubscriber<V::Item>,
        expected: &V::Item,
        addendum: &str,
    ) -> Result<(), Stop> {
        let msg = if addendum.is_empty() {
            format!("timeout while awaiting {expected:?}")
        } else {
            format!("timeout while awaiting {expected:?}. {addendum}")
        };
        let got = sub.next_element_msg(&msg)?;
        if &got != expected {
            self.env.flop(format!(
                "Received `on_next({got:?})` on downstream but expected `on_next({expected:?})`"
            ));
        }
        Ok(())
    }
}

impl<V: IdentityProcessorVerification> Drop for Setup<V> {
    fn drop(&mut self) {
        if self.tees.is_subscribed() {
            self.tees.cancel();
        }
    }
}

fn required_spec104_multi<V: IdentityProcessorVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    multiple_subscribers_test(v, 2)?;
    let mut setup = Setup::new(v, env)?;
    let sub1 = setup.new_error_collecting_subscriber()?;
    let sub2 = setup.new_error_collecting_subscriber()?;
    let ex = Error::msg("Test exception");
    if v.does_coordinated_emission() {
        sub1.request(1)?;
        sub2.request(1)?;
        setup.upstream.expect_request()?;
        let x = setup.send_next_t_from_upstream()?;
        setup.expect_next_element(&sub1, &x, "")?;
        setup.expect_next_element(&sub2, &x, "")?;
        sub1.request(1)?;
        sub2.request(1)?;
    } else {
        sub1.request(1)?;
        setup
            .upstream
            .expect_request_msg(env.default_timeout(), COORDINATION_HINT)?;
        let x = setup.send_next_t_from_upstream()?;
        setup.expect_next_element(&sub1, &x, COORDINATION_HINT)?;
        sub1.request(1)?;
        // sub2 has requested nothing: it must still get the error.
    }
    setup.upstream.send_error(ex.clone());
    sub1.expect_error_value(&ex);
    sub2.expect_error_value(&ex);
    env.verify_no_async_errors_no_delay()
}

fn must_immediately_pass_on_on_error<V: IdentityProcessorVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    let setup = Setup::new(v, env)?;
    let sub = setup.new_error_collecting_subscriber()?;
    let ex = Error::msg("Test exception");
    setup.upstream.send_error(ex.clone());
    // "Immediately": without any request from downstream.
    sub.expect_error_value(&ex);
    env.verify_no_async_errors_no_delay()
}

fn required_must_request_long_ago<V: IdentityProcessorVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    multiple_subscribers_test(v, 2)?;
    let mut setup = Setup::new(v, env)?;
    let sub1 = setup.new_subscriber()?;
    sub1.request(20)?;

    let mut total_requests = setup.upstream.expect_request()?;
    let x = setup.send_next_t_from_upstream()?;
    setup.expect_next_element(&sub1, &x, "")?;
    if total_requests == 1 {
        total_requests += setup.upstream.expect_request()?;
    }
    let y = setup.send_next_t_from_upstream()?;
    setup.expect_next_element(&sub1, &y, "")?;
    if total_requests == 2 {
        total_requests += setup.upstream.expect_request()?;
    }

    let sub2 = setup.new_subscriber()?;
    if v.does_coordinated_emission() {
        sub2.expect_none(); // sub2 has requested nothing yet
        sub2.request(1)?;
        let z = setup.send_next_t_from_upstream()?;
        setup.expect_next_element(&sub1, &z, "")?;
        setup.expect_next_element(&sub2, &z, "")?;
    } else {
        let z = setup.send_next_t_from_upstream()?;
        setup.expect_next_element(&sub1, &z, COORDINATION_HINT)?;
        sub2.expect_none(); // sub2 has requested nothing yet
        sub2.request(1)?;
        setup.expect_next_element(&sub2, &z, "")?;
    }
    if total_requests == 3 {
        setup.upstream.expect_request()?;
    }

    setup.upstream.send_completion();
    sub1.expect_completion();
    sub2.expect_completion();
    env.verify_no_async_errors_no_delay()
}

/// Not in the JVM TCK, whose processor streams are too short for this: a processor that asks
/// its upstream for more than its subscriber wants must keep what arrives and pass every
/// element on, in order, once the subscriber asks (a processor that requests everything and
/// drops what overflows its buffer fails here).
fn required_spec401_no_lost_elements<V: IdentityProcessorVerification>(
    v: &V,
    env: &TestEnvironment,
) -> Result<(), Stop> {
    let mut setup = Setup::new(v, env)?;
    let name = short_type_name::<V::Processor>();
    let total = 3 * v.processor_buffer_size().max(1);
    let sub = setup.new_subscriber()?;
    let mut sent = Vec::new();
    sub.request(1)?;
    let mut owed = setup.upstream.expect_request_msg(
        env.default_timeout(),
        "The processor's subscriber requested 1 element.",
    )?;
    // Everything the processor asked for (up to `total`), while its subscriber wants one.
    setup.send_owed(&mut sent, &mut owed, total)?;
    let mut received = 0;
    while received < total {
        owed = owed.saturating_add(setup.upstream.take_requests());
        setup.send_owed(&mut sent, &mut owed, total)?;
        if received == sent.len() {
            owed = owed.saturating_add(setup.upstream.expect_request_msg(
                env.default_timeout(),
                &format!(
                    "Processor {name} passed on all {received} elements it was sent, and its subscriber wants more."
                ),
            )?);
            continue;
        }
        let expected = &sent[received];
        let got = sub.next_element_msg(&format!(
            "Processor {name} did not pass on element {expected:?}, number {} of the {} it requested and was sent: an identity processor must pass on every element, in order, even when its upstream is faster than its subscriber (rule 4.1)",
            received + 1,
            sent.len()
        ))?;
        if &got != expected {
            return Err(env.flop_and_fail(format!(
                "Processor {name} passed on {got:?} where {expected:?} (number {} of the {} it was sent) was next: elements were lost, reordered or duplicated (rule 4.1)",
                received + 1,
                sent.len()
            )));
        }
        received += 1;
        if received < total {
            // One at a time: the test subscriber holds at most 32 unread elements.
            sub.request(1)?;
        }
    }
    setup.upstream.send_completion();
    sub.expect_completion();
    env.verify_no_async_errors_no_delay()
}
