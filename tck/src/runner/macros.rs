//! The macros that turn a verification into `#[test]` functions.

#[doc(hidden)]
#[macro_export]
macro_rules! __tck_generate {
    ($runner:path, $verification:expr; $($name:ident)*) => {
        $(
            #[test]
            fn $name() {
                // On its own thread under a watchdog, so a deadlocked implementation fails
                // with a reason instead of hanging `cargo test`.
                $crate::__private::run_with_watchdog(stringify!($name), || {
                    let verification = $verification;
                    $runner(&verification, stringify!($name))
                });
            }
        )*

        /// The names of the TCK tests generated in this module.
        #[allow(dead_code, unreachable_pub)]
        pub const TCK_TEST_NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}

/// Passes the 40 publisher test names to `$callback`, after `$args` and before `$tail`.
/// One list for the publisher and the identity processor macros.
#[doc(hidden)]
#[macro_export]
macro_rules! __tck_publisher_names {
    ($callback:ident { $($args:tt)* } $($tail:tt)*) => {
        $crate::$callback! {
            $($args)*
            required_create_publisher1_must_produce_a_stream_of_exactly1_element
            required_create_publisher3_must_produce_a_stream_of_exactly3_elements
            required_validate_max_elements_from_publisher
            required_validate_bounded_depth_of_on_next_and_request_recursion
            required_spec101_subscription_request_must_result_in_the_correct_number_of_produced_elements
            required_spec102_may_signal_less_than_requested_and_terminate_subscription
            stochastic_spec103_must_signal_on_methods_sequentially
            optional_spec104_must_signal_on_error_when_fails
            required_spec105_must_signal_on_complete_when_finite_stream_terminates
            optional_spec105_empty_stream_must_terminate_by_signalling_on_complete
            untested_spec106_must_consider_subscription_cancelled_after_on_error_or_on_complete_has_been_called
            required_spec107_must_not_emit_further_signals_once_on_complete_has_been_signalled
            untested_spec107_must_not_emit_further_signals_once_on_error_has_been_signalled
            untested_spec108_possibly_canceled_subscription_should_not_receive_on_error_or_on_complete_signals
            untested_spec109_subscribe_should_not_throw_non_fatal_throwable
            required_spec109_subscribe_throw_npe_on_null_subscriber
            required_spec109_must_issue_on_subscribe_for_non_null_subscriber
            required_spec109_may_reject_calls_to_subscribe_if_publisher_is_unable_or_unwilling_to_serve_them_rejection_must_trigger_on_error_after_on_subscribe
            untested_spec110_reject_a_subscription_request_if_the_same_subscriber_subscribes_twice
            optional_spec111_may_support_multi_subscribe
            optional_spec111_registered_subscribers_must_receive_on_next_or_on_complete_signals
            optional_spec111_multicast_must_produce_the_same_elements_in_the_same_sequence_to_all_of_its_subscribers_when_requesting_one_by_one
            optional_spec111_multicast_must_produce_the_same_elements_in_the_same_sequence_to_all_of_its_subscribers_when_requesting_many_upfront
            optional_spec111_multicast_must_produce_the_same_elements_in_the_same_sequence_to_all_of_its_subscribers_when_requesting_many_upfront_and_complete_as_expected
            optional_spec111_must_count_demand_separately_for_each_subscriber
            required_spec302_must_allow_synchronous_request_calls_from_on_next_and_on_subscribe
            required_spec303_must_not_allow_unbounded_recursion
            untested_spec304_request_should_not_perform_heavy_computations
            untested_spec305_cancel_must_not_synchronously_perform_heavy_computation
            required_spec306_after_subscription_is_cancelled_request_must_be_nops
            required_spec307_after_subscription_is_cancelled_additional_cancelations_must_be_nops
            required_spec308_requests_in_pieces_must_add_up
            required_spec309_request_zero_must_signal_illegal_argument_exception
            required_spec309_request_negative_number_must_signal_illegal_argument_exception
            optional_spec309_request_negative_number_may_signal_illegal_argument_exception_with_specific_message
            required_spec312_cancel_must_make_the_publisher_to_eventually_stop_signaling
            required_spec313_cancel_must_make_the_publisher_eventually_drop_all_references_to_the_subscriber
            required_spec317_must_support_a_pending_element_count_up_to_long_max_value
            required_spec317_must_support_a_cumulative_pending_element_count_up_to_long_max_value
            required_spec317_must_not_signal_on_error_when_pending_above_long_max_value
            $($tail)*
        }
    };
}

/// Passes the 27 whitebox subscriber test names to `$callback`, after `$args` and before
/// `$tail`. One list for the whitebox and the identity processor macros.
#[doc(hidden)]
#[macro_export]
macro_rules! __tck_whitebox_names {
    ($callback:ident { $($args:tt)* } $($tail:tt)*) => {
        $crate::$callback! {
            $($args)*
            required_exercise_whitebox_happy_path
            required_spec201_must_signal_demand_via_subscription_request
            untested_spec202_should_asynchronously_dispatch
            required_spec203_must_not_call_methods_on_subscription_or_publisher_in_on_complete
            required_spec203_must_not_call_methods_on_subscription_or_publisher_in_on_error
            untested_spec204_must_consider_the_subscription_as_cancelled_in_after_recieving_on_complete_or_on_error
            required_spec205_must_call_subscription_cancel_if_it_already_has_an_subscription_and_receives_another_on_subscribe_signal
            untested_spec206_must_call_subscription_cancel_if_it_is_no_longer_valid
            untested_spec207_must_ensure_all_calls_on_its_subscription_take_place_from_the_same_thread_or_take_care_of_synchronization
            required_spec208_must_be_prepared_to_receive_on_next_signals_after_having_called_subscription_cancel
            required_spec209_must_be_prepared_to_receive_an_on_complete_signal_with_preceding_request_call
            required_spec209_must_be_prepared_to_receive_an_on_complete_signal_without_preceding_request_call
            required_spec210_must_be_prepared_to_receive_an_on_error_signal_with_preceding_request_call
            required_spec210_must_be_prepared_to_receive_an_on_error_signal_without_preceding_request_call
            untested_spec211_must_make_sure_that_all_calls_on_its_methods_happen_before_the_processing_of_the_respective_events
            untested_spec212_must_not_call_on_subscribe_more_than_once_based_on_object_equality_spec_violation
            untested_spec213_failing_on_signal_invocation
            required_spec213_on_subscribe_must_throw_null_pointer_exception_when_parameters_are_null
            required_spec213_on_next_must_throw_null_pointer_exception_when_parameters_are_null
            required_spec213_on_error_must_throw_null_pointer_exception_when_parameters_are_null
            untested_spec301_must_not_be_called_outside_subscriber_context
            required_spec308_request_must_register_given_number_elements_to_be_produced
            untested_spec310_request_may_synchronously_call_on_next_on_subscriber
            untested_spec311_request_may_synchronously_call_on_complete_or_on_error
            untested_spec314_cancel_may_cause_the_publisher_to_shutdown_if_no_other_subscription_exists
            untested_spec315_cancel_must_not_throw_exception_and_must_signal_on_error
            untested_spec316_request_must_not_throw_exception_and_must_on_error_the_subscriber
            $($tail)*
        }
    };
}

/// Expands into one `#[test]` per publisher test (40), each running one TCK test against
/// the given [`PublisherVerification`](crate::PublisherVerification) value.
///
/// Invoke it once per module (the generated functions carry the TCK test names). A failing test
/// panics with the rule and the reason, reported at the macro's invocation in your file; a
/// skipped test or an optional failure prints its reason and passes, because Rust's test
/// harness has no "skipped" outcome. The module also gets a constant
/// `TCK_TEST_NAMES` with the names of the generated tests.
///
/// ```
/// use reactive_tck::{HelperPublisher, PublisherVerification};
///
/// struct HelperTck;
///
/// impl PublisherVerification for HelperTck {
///     type Item = u64;
///     type Publisher = HelperPublisher<u64>;
///     fn create_publisher(&self, elements: u64) -> HelperPublisher<u64> {
///         HelperPublisher::new(elements, |i| i)
///     }
/// }
///
/// mod helper_tck {
///     reactive_tck::publisher_verification!(super::HelperTck);
/// }
///
/// // Under `cargo test`, `helper_tck` holds one `#[test]` per TCK test.
/// assert_eq!(helper_tck::TCK_TEST_NAMES.len(), 40);
/// ```
#[macro_export]
macro_rules! publisher_verification {
    ($verification:expr) => {
        $crate::__tck_publisher_names! {
            __tck_generate { $crate::run_publisher_test, $verification; }
        }
    };
}

/// Expands into one `#[test]` per whitebox subscriber test (27), each running one TCK test against
/// the given [`SubscriberWhiteboxVerification`](crate::SubscriberWhiteboxVerification) value.
///
/// Invoke it once per module (the generated functions carry the TCK test names). A failing test
/// panics with the rule and the reason, reported at the macro's invocation in your file; a
/// skipped test or an optional failure prints its reason and passes, because Rust's test
/// harness has no "skipped" outcome. The module also gets a constant
/// `TCK_TEST_NAMES` with the names of the generated tests.
///
/// ```
/// use reactive_core::{Error, Subscriber, SubscriptionRef};
/// use reactive_tck::{SubscriberWhiteboxVerification, WhiteboxProbe};
///
/// struct Recorder(WhiteboxProbe<u32>);
///
/// impl Subscriber<u32> for Recorder {
///     fn on_subscribe(&mut self, s: SubscriptionRef) { self.0.register_on_subscribe(s) }
///     fn on_next(&mut self, x: u32) { self.0.register_on_next(x) }
///     fn on_error(&mut self, e: Error) { self.0.register_on_error(e) }
///     fn on_complete(&mut self) { self.0.register_on_complete() }
/// }
///
/// struct RecorderTck;
///
/// impl SubscriberWhiteboxVerification for RecorderTck {
///     type Item = u32;
///     type Subscriber = Recorder;
///     fn create_subscriber(&self, probe: WhiteboxProbe<u32>) -> Recorder { Recorder(probe) }
///     fn create_element(id: u64) -> u32 { id as u32 }
/// }
///
/// mod recorder_tck {
///     reactive_tck::subscriber_whitebox_verification!(super::RecorderTck);
/// }
///
/// assert_eq!(recorder_tck::TCK_TEST_NAMES.len(), 27);
/// ```
#[macro_export]
macro_rules! subscriber_whitebox_verification {
    ($verification:expr) => {
        $crate::__tck_whitebox_names! {
            __tck_generate { $crate::run_subscriber_whitebox_test, $verification; }
        }
    };
}

/// Expands into one `#[test]` per blackbox subscriber test (26), each running one TCK test against
/// the given [`SubscriberBlackboxVerification`](crate::SubscriberBlackboxVerification) value.
///
/// Invoke it once per module (the generated functions carry the TCK test names). A failing test
/// panics with the rule and the reason, reported at the macro's invocation in your file; a
/// skipped test or an optional failure prints its reason and passes, because Rust's test
/// harness has no "skipped" outcome. The module also gets a constant
/// `TCK_TEST_NAMES` with the names of the generated tests.
///
/// ```
/// use reactive_core::{Error, Subscriber, SubscriptionRef};
/// use reactive_tck::SubscriberBlackboxVerification;
///
/// /// Asks for everything at once.
/// struct Greedy;
///
/// impl Subscriber<u32> for Greedy {
///     fn on_subscribe(&mut self, s: SubscriptionRef) { s.request(u64::MAX) }
///     fn on_next(&mut self, _: u32) {}
///     fn on_error(&mut self, _: Error) {}
///     fn on_complete(&mut self) {}
/// }
///
/// struct GreedyTck;
///
/// impl SubscriberBlackboxVerification for GreedyTck {
///     type Item = u32;
///     type Subscriber = Greedy;
///     fn create_subscriber(&self) -> Greedy { Greedy }
///     fn create_element(id: u64) -> u32 { id as u32 }
/// }
///
/// mod greedy_tck {
///     reactive_tck::subscriber_blackbox_verification!(super::GreedyTck);
/// }
///
/// assert_eq!(greedy_tck::TCK_TEST_NAMES.len(), 26);
/// ```
#[macro_export]
macro_rules! subscriber_blackbox_verification {
    ($verification:expr) => {
        $crate::__tck_generate! {
            $crate::run_subscriber_blackbox_test, $verification;
            required_spec201_blackbox_must_signal_demand_via_subscription_request
            untested_spec202_blackbox_should_asynchronously_dispatch
            required_spec203_blackbox_must_not_call_methods_on_subscription_or_publisher_in_on_complete
            required_spec203_blackbox_must_not_call_methods_on_subscription_or_publisher_in_on_error
            untested_spec204_blackbox_must_consider_the_subscription_as_cancelled_in_after_recieving_on_complete_or_on_error
            required_spec205_blackbox_must_call_subscription_cancel_if_it_already_has_an_subscription_and_receives_another_on_subscribe_signal
            untested_spec206_blackbox_must_call_subscription_cancel_if_it_is_no_longer_valid
            untested_spec207_blackbox_must_ensure_all_calls_on_its_subscription_take_place_from_the_same_thread_or_take_care_of_synchronization
            untested_spec208_blackbox_must_be_prepared_to_receive_on_next_signals_after_having_called_subscription_cancel
            required_spec209_blackbox_must_be_prepared_to_receive_an_on_complete_signal_with_preceding_request_call
            required_spec209_blackbox_must_be_prepared_to_receive_an_on_complete_signal_without_preceding_request_call
            required_spec210_blackbox_must_be_prepared_to_receive_an_on_error_signal_with_preceding_request_call
            required_spec210_blackbox_must_be_prepared_to_receive_an_on_error_signal_without_preceding_request_call
            untested_spec211_blackbox_must_make_sure_that_all_calls_on_its_methods_happen_before_the_processing_of_the_respective_events
            untested_spec212_blackbox_must_not_call_on_subscribe_more_than_once_based_on_object_equality
            untested_spec213_blackbox_failing_on_signal_invocation
            required_spec213_blackbox_on_subscribe_must_throw_null_pointer_exception_when_parameters_are_null
            required_spec213_blackbox_on_next_must_throw_null_pointer_exception_when_parameters_are_null
            required_spec213_blackbox_on_error_must_throw_null_pointer_exception_when_parameters_are_null
            untested_spec301_blackbox_must_not_be_called_outside_subscriber_context
            untested_spec308_blackbox_request_must_register_given_number_elements_to_be_produced
            untested_spec310_blackbox_request_may_synchronously_call_on_next_on_subscriber
            untested_spec311_blackbox_request_may_synchronously_call_on_complete_or_on_error
            untested_spec314_blackbox_cancel_may_cause_the_publisher_to_shutdown_if_no_other_subscription_exists
            untested_spec315_blackbox_cancel_must_not_throw_exception_and_must_signal_on_error
            untested_spec316_blackbox_request_must_not_throw_exception_and_must_on_error_the_subscriber
        }
    };
}

/// Expands into one `#[test]` per identity processor test (71, including the 40 publisher and 27 whitebox tests it delegates), each running one TCK test against
/// the given [`IdentityProcessorVerification`](crate::IdentityProcessorVerification) value.
///
/// Invoke it once per module (the generated functions carry the TCK test names). A failing test
/// panics with the rule and the reason, reported at the macro's invocation in your file; a
/// skipped test or an optional failure prints its reason and passes, because Rust's test
/// harness has no "skipped" outcome. The module also gets a constant
/// `TCK_TEST_NAMES` with the names of the generated tests.
///
/// ```
/// use reactive_tck::{IdentityProcessorVerification, LockstepProcessor};
///
/// /// The TCK's reference processor, verified by the TCK.
/// struct LockstepTck;
///
/// impl IdentityProcessorVerification for LockstepTck {
///     type Item = u64;
///     type Processor = LockstepProcessor<u64>;
///     fn create_identity_processor(&self, _buffer_size: usize) -> LockstepProcessor<u64> {
///         LockstepProcessor::new()
///     }
///     fn create_element(id: u64) -> u64 {
///         id
///     }
///     fn max_supported_subscribers(&self) -> u64 {
///         2
///     }
///     fn does_coordinated_emission(&self) -> bool {
///         true
///     }
/// }
///
/// mod lockstep_tck {
///     reactive_tck::identity_processor_verification!(super::LockstepTck);
/// }
///
/// // Under `cargo test`, `lockstep_tck` holds one `#[test]` per TCK test.
/// assert_eq!(lockstep_tck::TCK_TEST_NAMES.len(), 71);
/// ```
#[macro_export]
macro_rules! identity_processor_verification {
    ($verification:expr) => {
        // Expands to the 40 publisher tests, the 27 whitebox tests, then the processor's own
        // four: each list macro puts its names before the tokens that follow its callback, so
        // the innermost list comes first.
        $crate::__tck_whitebox_names! {
            __tck_publisher_names {
                __tck_generate { $crate::run_identity_processor_test, $verification; }
            }
            required_spec104_must_call_on_error_on_all_its_subscribers_if_it_encounters_a_non_recoverable_error
            must_immediately_pass_on_on_error_events_received_from_its_upstream_to_its_downstream
            required_must_request_from_upstream_for_elements_that_have_been_requested_long_ago
            required_spec401_must_not_lose_elements_when_upstream_outruns_downstream
        }
    };
}
