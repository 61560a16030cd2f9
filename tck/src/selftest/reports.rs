//! How failures are reported: every recorded failure, at the user's location, naming the
//! user's type; optional failures on their own; deadlines for the runner functions.

use std::process::Command;
use std::sync::Arc;

use parking_lot::Mutex;
use reactive_core::{BoxPublisher, Error, Subscriber, SubscriptionRef};

use super::fixtures::*;
use crate::harness::Latch;
use crate::{
    EnvError, Kind, Outcome, PublisherVerification, RunOptions, SubscriberBlackboxVerification,
    TestEnvironment, TestResult, report_as_test, run_identity_processor_test_with,
    run_publisher_test, run_publisher_test_with, run_subscriber_blackbox_test_with,
};

const SPEC101: &str =
    "required_spec101_subscription_request_must_result_in_the_correct_number_of_produced_elements";
const SPEC102: &str = "required_spec102_may_signal_less_than_requested_and_terminate_subscription";
const OPT104: &str = "optional_spec104_must_signal_on_error_when_fails";
const SPEC317_ABOVE: &str =
    "required_spec317_must_not_signal_on_error_when_pending_above_long_max_value";
const BB201: &str = "required_spec201_blackbox_must_signal_demand_via_subscription_request";

/// A verification of one given publisher (boxed, as users often do), with an optional failed
/// publisher.
struct Boxed {
    publisher: BoxPublisher<i32>,
    failed: Option<BoxPublisher<i32>>,
    env: TestEnvironment,
}

impl PublisherVerification for Boxed {
    type Item = i32;
    type Publisher = BoxPublisher<i32>;

    fn create_publisher(&self, _: u64) -> BoxPublisher<i32> {
        self.publisher.clone()
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<i32>> {
        self.failed.clone()
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        Ok(self.env.clone())
    }
}

fn boxed(publisher: FnPublisher<i32>) -> Boxed {
    Boxed {
        publisher: BoxPublisher::new(publisher),
        failed: None,
        env: env(),
    }
}

// ---------------------------------------------------------------------------------------------
// Every recorded failure
// ---------------------------------------------------------------------------------------------

#[test]
fn a_failure_report_names_every_recorded_failure() {
    // Delivers one element more than the first request asks for, then nothing: the rule 1.1
    // test sees the extra element, and later times out waiting for what it requested. Both
    // are reported, in order.
    let served = Arc::new(Mutex::new(false));
    let publisher = linked(
        move |link, n| {
            if !std::mem::replace(&mut *served.lock(), true) {
                link.signal(move |s| {
                    for i in 0..=n {
                        s.on_next(i as i32)
                    }
                })
            }
        },
        |_| {},
    );
    let v = Boxed {
        env: env().default_timeout_millis(300),
        ..boxed(publisher)
    };
    let result = run_publisher_test(&v, SPEC101);
    let Outcome::Failed(reason) = &result.outcome else {
        panic!("{result:?}")
    };
    assert!(
        reason.starts_with("2 failures:\n  1. Publisher FnPublisher<i32> produced unrequested: [1]\n  2. Publisher FnPublisher<i32> produced less than 3 elements after two respective `request` calls within 300 ms"),
        "{reason}"
    );
}

// ---------------------------------------------------------------------------------------------
// The user's type, not BoxPublisher
// ---------------------------------------------------------------------------------------------

#[test]
fn messages_name_the_type_inside_a_box_publisher() {
    let v = Boxed {
        failed: Some(BoxPublisher::new(noop_publisher::<i32>())),
        env: env().default_timeout_millis(200),
        ..boxed(noop_publisher())
    };
    require_failure(
        run_publisher_test(&v, OPT104),
        "Error-state Publisher FnPublisher<i32> did not call `on_error` on new Subscriber",
    );
    require_failure(
        run_publisher_test(&v, SPEC101),
        "Publisher FnPublisher<i32> produced no element after first `request`",
    );
    // Never calls on_subscribe.
    let v = Boxed {
        env: env().default_timeout_millis(200),
        ..boxed(FnPublisher::new(|_| {}))
    };
    require_failure(
        run_publisher_test(&v, SPEC102),
        "Could not subscribe test subscriber to publisher FnPublisher<i32> within 200 ms",
    );
}

// ---------------------------------------------------------------------------------------------
// Failures point at the user's test
// ---------------------------------------------------------------------------------------------

/// Set in the child process of [`failures_point_at_the_callers_file`]: the tests below fail
/// only there.
const CHILD: &str = "REACTIVE_TCK_LOCATION_CHILD";

fn in_child() -> Option<String> {
    std::env::var(CHILD).ok()
}

/// Requests one at a time. Its verification cannot even start in the child: the environment
/// is broken there, so every test fails at once.
#[derive(Default)]
struct OneByOne(Option<SubscriptionRef>);

impl Subscriber<i32> for OneByOne {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        if self.0.is_some() {
            s.cancel();
        } else {
            s.request(1);
            self.0 = Some(s);
        }
    }
    fn on_next(&mut self, _: i32) {
        if let Some(s) = &self.0 {
            s.request(1)
        }
    }
    fn on_error(&mut self, _: Error) {}
    fn on_complete(&mut self) {}
}

struct FailsInChild;

impl SubscriberBlackboxVerification for FailsInChild {
    type Item = i32;
    type Subscriber = OneByOne;
    fn create_subscriber(&self) -> OneByOne {
        OneByOne::default()
    }
    fn create_element(id: u64) -> i32 {
        id as i32
    }
    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        match in_child() {
            Some(_) => Err(EnvError {
                variable: CHILD,
                value: "armed".into(),
            }),
            None => Ok(env().no_signals_timeout_millis(20)),
        }
    }
}

/// The line of the macro invocation in `location_macro`.
const MACRO_LINE: u32 = line!() + 3;
mod location_macro {
    use super::FailsInChild;
    crate::subscriber_blackbox_verification!(FailsInChild);
}

/// In the child: fails through the function named by the variable, after printing the line
/// of the call. In a normal run: nothing.
#[test]
fn location_child() {
    let Some(which) = in_child() else { return };
    let failed = TestResult {
        name: "required_x",
        rule: "1.1",
        kind: Kind::Required,
        outcome: Outcome::Failed("on purpose".into()),
        note: None,
    };
    match which.as_str() {
        "report_as_test" => {
            println!("\nEXPECTED LINE {}", line!() + 1);
            report_as_test(&failed);
        }
        "run_publisher_test" => {
            println!("\nEXPECTED LINE {}", line!() + 1);
            run_publisher_test(&RangeTck { start: 0 }, "required_no_such_test");
        }
        "run_publisher_test_with" => {
            println!("\nEXPECTED LINE {}", line!() + 1);
            run_publisher_test_with(RangeTck { start: 0 }, "x", &RunOptions::new());
        }
        other => panic!("unknown child case {other}"),
    }
}

/// Runs one test of this binary in a child process with [`CHILD`] set to `case`; returns its
/// stdout and stderr.
fn run_child(test: &str, case: &str) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD, case)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the child test must fail");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn failures_point_at_the_callers_file() {
    // A macro-generated test fails at the macro's invocation, in the user's file.
    let out = run_child(
        "selftest::reports::location_macro::required_spec201_blackbox_must_signal_demand_via_subscription_request",
        "macro",
    );
    let at = format!("panicked at {}:{MACRO_LINE}:", file!());
    assert!(out.contains(&at), "expected {at:?} in:\n{out}");
    assert!(out.contains("TCK test required_spec201_blackbox"), "{out}");

    // So do the functions that panic on the caller's behalf.
    for case in [
        "report_as_test",
        "run_publisher_test",
        "run_publisher_test_with",
    ] {
        let out = run_child("selftest::reports::location_child", case);
        let line = out
            .lines()
            .find_map(|l| l.strip_prefix("EXPECTED LINE "))
            .unwrap_or_else(|| panic!("no line from the child:\n{out}"));
        let at = format!("panicked at {}:{line}:", file!());
        assert!(out.contains(&at), "{case}: expected {at:?} in:\n{out}");
    }
}

// ---------------------------------------------------------------------------------------------
// Deadlines for the runner functions
// ---------------------------------------------------------------------------------------------

/// A publisher that, on its first request, emits until the test sets `stop`: it ignores
/// `cancel` (rule 3.12).
struct Endless {
    stop: Arc<Mutex<bool>>,
}

impl PublisherVerification for Endless {
    type Item = i32;
    type Publisher = FnPublisher<i32>;

    fn create_publisher(&self, _: u64) -> FnPublisher<i32> {
        let stop = self.stop.clone();
        let started = Arc::new(Mutex::new(false));
        linked(
            move |link, _| {
                if !std::mem::replace(&mut *started.lock(), true) {
                    let stop = stop.clone();
                    link.signal(move |s| {
                        while !*stop.lock() {
                            s.on_next(0);
                        }
                    });
                }
            },
            |_| {},
        )
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        Ok(env())
    }
}

#[test]
fn a_deadline_fails_a_test_that_does_not_finish() {
    // The rule 3.17 test discards elements and cancels after 11: this publisher never stops.
    let stop = Arc::new(Mutex::new(false));
    let result = run_publisher_test_with(
        Endless { stop: stop.clone() },
        SPEC317_ABOVE,
        &RunOptions::new().deadline_millis(300),
    );
    *stop.lock() = true; // lets the abandoned thread end
    assert_eq!((result.name, result.rule), (SPEC317_ABOVE, "3.17"));
    let Outcome::Failed(reason) = &result.outcome else {
        panic!("{result:?}")
    };
    for part in [
        "did not finish within 300 ms",
        "a publisher that ignores `cancel` and keeps emitting",
        "`RunOptions::deadline_millis`",
    ] {
        assert!(reason.contains(part), "{part:?} missing from: {reason}");
    }
}

#[test]
fn without_a_deadline_the_with_functions_run_like_the_plain_ones() {
    require_pass(run_publisher_test_with(
        RangeTck { start: 0 },
        SPEC102,
        &RunOptions::new(),
    ));
    require_pass(run_publisher_test_with(
        RangeTck { start: 0 },
        SPEC102,
        &RunOptions::new().deadline_millis(60_000),
    ));
}

/// Blocks in `on_next` until the test releases it.
struct Stuck(Arc<Latch>);

impl Subscriber<i32> for Stuck {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        s.request(1)
    }
    fn on_next(&mut self, _: i32) {
        self.0.wait(std::time::Duration::from_secs(3600));
    }
    fn on_error(&mut self, _: Error) {}
    fn on_complete(&mut self) {}
}

struct StuckTck(Arc<Latch>);

impl SubscriberBlackboxVerification for StuckTck {
    type Item = i32;
    type Subscriber = Stuck;
    fn create_subscriber(&self) -> Stuck {
        Stuck(self.0.clone())
    }
    fn create_element(id: u64) -> i32 {
        id as i32
    }
    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        Ok(env())
    }
}

#[test]
fn a_deadline_fails_a_subscriber_test_that_does_not_finish() {
    let release = Arc::new(Latch::new());
    let result = run_subscriber_blackbox_test_with(
        StuckTck(release.clone()),
        BB201,
        &RunOptions::new().deadline_millis(300),
    );
    release.close();
    require_failure(result, "did not finish within 300 ms");
}

#[test]
fn the_processor_runner_takes_options_too() {
    use super::processor::Lockstep;
    require_pass(run_identity_processor_test_with(
        Lockstep,
        "must_immediately_pass_on_on_error_events_received_from_its_upstream_to_its_downstream",
        &RunOptions::new().deadline_millis(60_000),
    ));
}

// ---------------------------------------------------------------------------------------------
// Optional failures, as docs/tck.md describes them
// ---------------------------------------------------------------------------------------------

/// The table of optional tests in `docs/tck.md`: each test's name and what a failure ends in.
fn documented_optional_outcomes() -> Vec<(String, String)> {
    let guide = include_str!("../../../docs/tck.md");
    let table = guide
        .split("| optional test | on failure | skipped when |")
        .nth(1)
        .expect("docs/tck.md has the table of optional tests");
    table
        .lines()
        .skip(2) // the rest of the header line and the |---| line
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].trim_matches('`').to_string(), cells[2].to_string())
        })
        .collect()
}

/// Every subscriber is refused with `on_error`; the failed publisher never signals its error.
struct Refusing;

impl PublisherVerification for Refusing {
    type Item = i32;
    type Publisher = FnPublisher<i32>;

    fn create_publisher(&self, _: u64) -> FnPublisher<i32> {
        FnPublisher::new(|mut s| {
            s.on_subscribe(FnSubscription::noop());
            s.on_error(Error::msg("refused"));
        })
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<i32>> {
        Some(BoxPublisher::new(noop_publisher::<i32>()))
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        Ok(env().default_timeout_millis(200))
    }
}

#[test]
fn optional_tests_fail_as_the_guide_says() {
    let documented = documented_optional_outcomes();
    let optional: Vec<&str> = crate::publisher_test_names()
        .into_iter()
        .filter(|n| Kind::of(n) == Kind::Optional)
        .collect();
    let listed: Vec<&str> = documented.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        listed, optional,
        "docs/tck.md must list every optional test"
    );
    for (name, label) in &documented {
        let result = run_publisher_test(&Refusing, name);
        assert!(
            result.failed() || result.optional_failed(),
            "{name} must fail against a refusing publisher: {result:?}"
        );
        assert_eq!(
            result.outcome.label(),
            label,
            "docs/tck.md says a failure of {name} is {label}: {result:?}"
        );
    }
}
