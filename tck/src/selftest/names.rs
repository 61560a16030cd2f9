//! The names of the JVM TCK's 94 distinct tests, checked against the Rust tests: every one must
//! exist, in snake_case, in the verification it belongs to, and in the `#[test]` functions the
//! macros generate. The Rust TCK has 3 more, for rules the JVM TCK lets through; they are
//! listed here too, so a test cannot appear or vanish unnoticed.

use super::fixtures::*;
use crate::{
    EnvError, SubscriberBlackboxVerification, SubscriberWhiteboxVerification, TestEnvironment,
    WhiteboxProbe, identity_processor_test_names, publisher_test_names,
    subscriber_blackbox_test_names, subscriber_whitebox_test_names,
};

/// Every `@Test` method of `PublisherVerification`, `SubscriberWhiteboxVerification`,
/// `SubscriberBlackboxVerification` and `IdentityProcessorVerification` (reactive-streams-jvm
/// 1.0.4), without duplicates.
const JVM_TEST_NAMES: &[&str] = &[
    "mustImmediatelyPassOnOnErrorEventsReceivedFromItsUpstreamToItsDownstream",
    "optional_spec104_mustSignalOnErrorWhenFails",
    "optional_spec105_emptyStreamMustTerminateBySignallingOnComplete",
    "optional_spec111_maySupportMultiSubscribe",
    "optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingManyUpfront",
    "optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingManyUpfrontAndCompleteAsExpected",
    "optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingOneByOne",
    "optional_spec111_registeredSubscribersMustReceiveOnNextOrOnCompleteSignals",
    "optional_spec309_requestNegativeNumberMaySignalIllegalArgumentExceptionWithSpecificMessage",
    "required_createPublisher1MustProduceAStreamOfExactly1Element",
    "required_createPublisher3MustProduceAStreamOfExactly3Elements",
    "required_exerciseWhiteboxHappyPath",
    "required_mustRequestFromUpstreamForElementsThatHaveBeenRequestedLongAgo",
    "required_spec101_subscriptionRequestMustResultInTheCorrectNumberOfProducedElements",
    "required_spec102_maySignalLessThanRequestedAndTerminateSubscription",
    "required_spec104_mustCallOnErrorOnAllItsSubscribersIfItEncountersANonRecoverableError",
    "required_spec105_mustSignalOnCompleteWhenFiniteStreamTerminates",
    "required_spec107_mustNotEmitFurtherSignalsOnceOnCompleteHasBeenSignalled",
    "required_spec109_mayRejectCallsToSubscribeIfPublisherIsUnableOrUnwillingToServeThemRejectionMustTriggerOnErrorAfterOnSubscribe",
    "required_spec109_mustIssueOnSubscribeForNonNullSubscriber",
    "required_spec109_subscribeThrowNPEOnNullSubscriber",
    "required_spec201_blackbox_mustSignalDemandViaSubscriptionRequest",
    "required_spec201_mustSignalDemandViaSubscriptionRequest",
    "required_spec203_blackbox_mustNotCallMethodsOnSubscriptionOrPublisherInOnComplete",
    "required_spec203_blackbox_mustNotCallMethodsOnSubscriptionOrPublisherInOnError",
    "required_spec203_mustNotCallMethodsOnSubscriptionOrPublisherInOnComplete",
    "required_spec203_mustNotCallMethodsOnSubscriptionOrPublisherInOnError",
    "required_spec205_blackbox_mustCallSubscriptionCancelIfItAlreadyHasAnSubscriptionAndReceivesAnotherOnSubscribeSignal",
    "required_spec205_mustCallSubscriptionCancelIfItAlreadyHasAnSubscriptionAndReceivesAnotherOnSubscribeSignal",
    "required_spec208_mustBePreparedToReceiveOnNextSignalsAfterHavingCalledSubscriptionCancel",
    "required_spec209_blackbox_mustBePreparedToReceiveAnOnCompleteSignalWithPrecedingRequestCall",
    "required_spec209_blackbox_mustBePreparedToReceiveAnOnCompleteSignalWithoutPrecedingRequestCall",
    "required_spec209_mustBePreparedToReceiveAnOnCompleteSignalWithPrecedingRequestCall",
    "required_spec209_mustBePreparedToReceiveAnOnCompleteSignalWithoutPrecedingRequestCall",
    "required_spec210_blackbox_mustBePreparedToReceiveAnOnErrorSignalWithPrecedingRequestCall",
    "required_spec210_blackbox_mustBePreparedToReceiveAnOnErrorSignalWithoutPrecedingRequestCall",
    "required_spec210_mustBePreparedToReceiveAnOnErrorSignalWithPrecedingRequestCall",
    "required_spec210_mustBePreparedToReceiveAnOnErrorSignalWithoutPrecedingRequestCall",
    "required_spec213_blackbox_onError_mustThrowNullPointerExceptionWhenParametersAreNull",
    "required_spec213_blackbox_onNext_mustThrowNullPointerExceptionWhenParametersAreNull",
    "required_spec213_blackbox_onSubscribe_mustThrowNullPointerExceptionWhenParametersAreNull",
    "required_spec213_onError_mustThrowNullPointerExceptionWhenParametersAreNull",
    "required_spec213_onNext_mustThrowNullPointerExceptionWhenParametersAreNull",
    "required_spec213_onSubscribe_mustThrowNullPointerExceptionWhenParametersAreNull",
    "required_spec302_mustAllowSynchronousRequestCallsFromOnNextAndOnSubscribe",
    "required_spec303_mustNotAllowUnboundedRecursion",
    "required_spec306_afterSubscriptionIsCancelledRequestMustBeNops",
    "required_spec307_afterSubscriptionIsCancelledAdditionalCancelationsMustBeNops",
    "required_spec308_requestMustRegisterGivenNumberElementsToBeProduced",
    "required_spec309_requestNegativeNumberMustSignalIllegalArgumentException",
    "required_spec309_requestZeroMustSignalIllegalArgumentException",
    "required_spec312_cancelMustMakeThePublisherToEventuallyStopSignaling",
    "required_spec313_cancelMustMakeThePublisherEventuallyDropAllReferencesToTheSubscriber",
    "required_spec317_mustNotSignalOnErrorWhenPendingAboveLongMaxValue",
    "required_spec317_mustSupportACumulativePendingElementCountUpToLongMaxValue",
    "required_spec317_mustSupportAPendingElementCountUpToLongMaxValue",
    "required_validate_boundedDepthOfOnNextAndRequestRecursion",
    "required_validate_maxElementsFromPublisher",
    "stochastic_spec103_mustSignalOnMethodsSequentially",
    "untested_spec106_mustConsiderSubscriptionCancelledAfterOnErrorOrOnCompleteHasBeenCalled",
    "untested_spec107_mustNotEmitFurtherSignalsOnceOnErrorHasBeenSignalled",
    "untested_spec108_possiblyCanceledSubscriptionShouldNotReceiveOnErrorOrOnCompleteSignals",
    "untested_spec109_subscribeShouldNotThrowNonFatalThrowable",
    "untested_spec110_rejectASubscriptionRequestIfTheSameSubscriberSubscribesTwice",
    "untested_spec202_blackbox_shouldAsynchronouslyDispatch",
    "untested_spec202_shouldAsynchronouslyDispatch",
    "untested_spec204_blackbox_mustConsiderTheSubscriptionAsCancelledInAfterRecievingOnCompleteOrOnError",
    "untested_spec204_mustConsiderTheSubscriptionAsCancelledInAfterRecievingOnCompleteOrOnError",
    "untested_spec206_blackbox_mustCallSubscriptionCancelIfItIsNoLongerValid",
    "untested_spec206_mustCallSubscriptionCancelIfItIsNoLongerValid",
    "untested_spec207_blackbox_mustEnsureAllCallsOnItsSubscriptionTakePlaceFromTheSameThreadOrTakeCareOfSynchronization",
    "untested_spec207_mustEnsureAllCallsOnItsSubscriptionTakePlaceFromTheSameThreadOrTakeCareOfSynchronization",
    "untested_spec208_blackbox_mustBePreparedToReceiveOnNextSignalsAfterHavingCalledSubscriptionCancel",
    "untested_spec211_blackbox_mustMakeSureThatAllCallsOnItsMethodsHappenBeforeTheProcessingOfTheRespectiveEvents",
    "untested_spec211_mustMakeSureThatAllCallsOnItsMethodsHappenBeforeTheProcessingOfTheRespectiveEvents",
    "untested_spec212_blackbox_mustNotCallOnSubscribeMoreThanOnceBasedOnObjectEquality",
    "untested_spec212_mustNotCallOnSubscribeMoreThanOnceBasedOnObjectEquality_specViolation",
    "untested_spec213_blackbox_failingOnSignalInvocation",
    "untested_spec213_failingOnSignalInvocation",
    "untested_spec301_blackbox_mustNotBeCalledOutsideSubscriberContext",
    "untested_spec301_mustNotBeCalledOutsideSubscriberContext",
    "untested_spec304_requestShouldNotPerformHeavyComputations",
    "untested_spec305_cancelMustNotSynchronouslyPerformHeavyComputation",
    "untested_spec308_blackbox_requestMustRegisterGivenNumberElementsToBeProduced",
    "untested_spec310_blackbox_requestMaySynchronouslyCallOnNextOnSubscriber",
    "untested_spec310_requestMaySynchronouslyCallOnNextOnSubscriber",
    "untested_spec311_blackbox_requestMaySynchronouslyCallOnCompleteOrOnError",
    "untested_spec311_requestMaySynchronouslyCallOnCompleteOrOnError",
    "untested_spec314_blackbox_cancelMayCauseThePublisherToShutdownIfNoOtherSubscriptionExists",
    "untested_spec314_cancelMayCauseThePublisherToShutdownIfNoOtherSubscriptionExists",
    "untested_spec315_blackbox_cancelMustNotThrowExceptionAndMustSignalOnError",
    "untested_spec315_cancelMustNotThrowExceptionAndMustSignalOnError",
    "untested_spec316_blackbox_requestMustNotThrowExceptionAndMustOnErrorTheSubscriber",
    "untested_spec316_requestMustNotThrowExceptionAndMustOnErrorTheSubscriber",
];

/// The tests the JVM TCK does not have: what they catch passes the JVM TCK.
const RUST_ONLY_TEST_NAMES: &[&str] = &[
    // A publisher that overwrites its pending demand instead of adding to it (rule 3.8).
    "required_spec308_requests_in_pieces_must_add_up",
    // A publisher whose subscribers share one demand counter (rules 1.10, 1.11).
    "optional_spec111_must_count_demand_separately_for_each_subscriber",
    // A processor that requests everything and drops what overflows its buffer (rule 4.1).
    "required_spec401_must_not_lose_elements_when_upstream_outruns_downstream",
];

/// camelCase to snake_case: a capital starts a new word, except inside an acronym (`NPE`).
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = if i > 0 { chars[i - 1] } else { '_' };
            let next = chars.get(i + 1).copied().unwrap_or('_');
            let boundary = prev != '_'
                && (prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next.is_ascii_lowercase()));
            if boundary {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn snake_case_examples() {
    assert_eq!(
        snake_case("required_spec109_subscribeThrowNPEOnNullSubscriber"),
        "required_spec109_subscribe_throw_npe_on_null_subscriber"
    );
    assert_eq!(
        snake_case("required_createPublisher3MustProduceAStreamOfExactly3Elements"),
        "required_create_publisher3_must_produce_a_stream_of_exactly3_elements"
    );
}

fn all_rust_names() -> Vec<&'static str> {
    let mut names = publisher_test_names();
    names.extend(subscriber_whitebox_test_names());
    names.extend(subscriber_blackbox_test_names());
    names.extend(identity_processor_test_names());
    names.sort();
    names.dedup();
    names
}

#[test]
fn every_jvm_test_exists_under_its_snake_case_name() {
    assert_eq!(JVM_TEST_NAMES.len(), 94);
    let rust = all_rust_names();
    let missing: Vec<String> = JVM_TEST_NAMES
        .iter()
        .map(|n| snake_case(n))
        .filter(|n| !rust.contains(&n.as_str()))
        .collect();
    assert!(missing.is_empty(), "missing TCK tests: {missing:#?}");
    let mut expected: Vec<String> = JVM_TEST_NAMES.iter().map(|n| snake_case(n)).collect();
    expected.extend(RUST_ONLY_TEST_NAMES.iter().map(|n| n.to_string()));
    expected.sort();
    let extra: Vec<&&str> = rust
        .iter()
        .filter(|n| !expected.contains(&n.to_string()))
        .collect();
    assert!(
        extra.is_empty(),
        "tests without a JVM counterpart that are not listed: {extra:#?}"
    );
    assert_eq!(rust.len(), 97);
}

#[test]
fn verification_sizes() {
    assert_eq!(publisher_test_names().len(), 40);
    assert_eq!(subscriber_whitebox_test_names().len(), 27);
    assert_eq!(subscriber_blackbox_test_names().len(), 26);
    assert_eq!(identity_processor_test_names().len(), 71);
}

#[test]
fn processor_delegates_every_publisher_and_whitebox_test() {
    // The JVM TCK's IdentityProcessorVerificationDelegationTest.
    let processor = identity_processor_test_names();
    for name in publisher_test_names()
        .into_iter()
        .chain(subscriber_whitebox_test_names())
    {
        assert!(processor.contains(&name), "{name} is not delegated");
    }
}

// The macros, applied to correct implementations: their generated tests run with the rest of
// this binary, and their name lists must match the verifications'.

mod publisher_macro {
    use super::RangeTck;
    crate::publisher_verification!(RangeTck { start: 0 });
}

/// A correct whitebox subscriber: its subscription is its puppet.
struct Recorder(WhiteboxProbe<i32>, bool);

impl reactive_core::Subscriber<i32> for Recorder {
    fn on_subscribe(&mut self, s: reactive_core::SubscriptionRef) {
        if self.1 {
            s.cancel();
        } else {
            self.1 = true;
            self.0.register_on_subscribe(s);
        }
    }
    fn on_next(&mut self, x: i32) {
        self.0.register_on_next(x)
    }
    fn on_error(&mut self, e: reactive_core::Error) {
        self.0.register_on_error(e)
    }
    fn on_complete(&mut self) {
        self.0.register_on_complete()
    }
}

struct RecorderTck;

impl SubscriberWhiteboxVerification for RecorderTck {
    type Item = i32;
    type Subscriber = Recorder;
    fn create_subscriber(&self, probe: WhiteboxProbe<i32>) -> Recorder {
        Recorder(probe, false)
    }
    fn create_element(id: u64) -> i32 {
        id as i32
    }
    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        Ok(env())
    }
}

mod whitebox_macro {
    use super::RecorderTck;
    crate::subscriber_whitebox_verification!(RecorderTck);
}

/// A correct blackbox subscriber that requests everything up front.
#[derive(Default)]
struct Greedy(bool);

impl reactive_core::Subscriber<i32> for Greedy {
    fn on_subscribe(&mut self, s: reactive_core::SubscriptionRef) {
        if self.0 {
            s.cancel();
        } else {
            self.0 = true;
            s.request(8);
        }
    }
    fn on_next(&mut self, _: i32) {}
    fn on_error(&mut self, _: reactive_core::Error) {}
    fn on_complete(&mut self) {}
}

struct GreedyTck;

impl SubscriberBlackboxVerification for GreedyTck {
    type Item = i32;
    type Subscriber = Greedy;
    fn create_subscriber(&self) -> Greedy {
        Greedy::default()
    }
    fn create_element(id: u64) -> i32 {
        id as i32
    }
    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        Ok(env())
    }
}

mod blackbox_macro {
    use super::GreedyTck;
    crate::subscriber_blackbox_verification!(GreedyTck);
}

mod processor_macro {
    use crate::selftest::processor::Lockstep;
    crate::identity_processor_verification!(Lockstep);
}

#[test]
fn macro_generated_tests_match_the_verifications() {
    assert_eq!(
        publisher_macro::TCK_TEST_NAMES,
        publisher_test_names().as_slice()
    );
    assert_eq!(
        whitebox_macro::TCK_TEST_NAMES,
        subscriber_whitebox_test_names().as_slice()
    );
    assert_eq!(
        blackbox_macro::TCK_TEST_NAMES,
        subscriber_blackbox_test_names().as_slice()
    );
    assert_eq!(
        processor_macro::TCK_TEST_NAMES,
        identity_processor_test_names().as_slice()
    );
}
