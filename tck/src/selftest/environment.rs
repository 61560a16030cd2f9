//! The four timeout variables are read from the real process environment: this test runs the
//! test binary again as a child with the variables set and reads what it parsed.

use std::process::Command;

use crate::TestEnvironment;

const MARKER: &str = "REACTIVE_TCK_ENV_CHILD";

/// In the child: prints what `from_env` made of the variables. In a normal run: nothing.
#[test]
fn env_child() {
    if std::env::var_os(MARKER).is_none() {
        return;
    }
    match TestEnvironment::from_env() {
        Ok(env) => println!(
            "PARSED T={} N={} P={} GC={}",
            env.default_timeout().as_millis(),
            env.no_signals_timeout().as_millis(),
            env.poll_timeout().as_millis(),
            env.gc_timeout().as_millis()
        ),
        Err(e) => println!("PARSED ERROR {e}"),
    }
}

fn run_child(vars: &[(&str, &str)]) -> String {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(exe);
    cmd.args(["--exact", "selftest::environment::env_child", "--nocapture"])
        .env(MARKER, "1");
    for name in [
        "DEFAULT_TIMEOUT_MILLIS",
        "DEFAULT_NO_SIGNALS_TIMEOUT_MILLIS",
        "DEFAULT_POLL_TIMEOUT_MILLIS",
        "PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS",
    ] {
        cmd.env_remove(name);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    stdout
        .lines()
        .find(|l| l.starts_with("PARSED"))
        .unwrap_or_else(|| panic!("child printed no result:\n{stdout}"))
        .to_string()
}

#[test]
fn every_variable_is_read() {
    assert_eq!(run_child(&[]), "PARSED T=100 N=100 P=100 GC=300");
    assert_eq!(
        run_child(&[("DEFAULT_TIMEOUT_MILLIS", "250")]),
        "PARSED T=250 N=250 P=250 GC=300"
    );
    assert_eq!(
        run_child(&[
            ("DEFAULT_TIMEOUT_MILLIS", "250"),
            ("DEFAULT_NO_SIGNALS_TIMEOUT_MILLIS", "40"),
            ("DEFAULT_POLL_TIMEOUT_MILLIS", "5"),
            ("PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS", "900"),
        ]),
        "PARSED T=250 N=40 P=5 GC=900"
    );
}

#[test]
fn an_unparsable_variable_is_a_clear_error() {
    let line = run_child(&[("DEFAULT_POLL_TIMEOUT_MILLIS", "soon")]);
    assert!(line.starts_with("PARSED ERROR"), "{line}");
    assert!(line.contains("DEFAULT_POLL_TIMEOUT_MILLIS"), "{line}");
    assert!(line.contains("soon"), "{line}");
}

#[test]
fn a_broken_environment_fails_every_test_with_the_reason() {
    use crate::{EnvError, HelperPublisher, PublisherVerification, run_publisher_verification};
    struct Broken;
    impl PublisherVerification for Broken {
        type Item = u64;
        type Publisher = HelperPublisher<u64>;
        fn create_publisher(&self, n: u64) -> HelperPublisher<u64> {
            HelperPublisher::new(n, |i| i)
        }
        fn environment(&self) -> Result<TestEnvironment, EnvError> {
            TestEnvironment::from_lookup(&|name: &str| {
                (name == "DEFAULT_TIMEOUT_MILLIS").then(|| "ten".to_string())
            })
        }
    }
    let report = run_publisher_verification(&Broken);
    assert_eq!(report.failed(), 40);
    assert!(report.failures().all(|r| {
        r.outcome
            .reason()
            .unwrap()
            .contains("DEFAULT_TIMEOUT_MILLIS")
    }));
}

#[test]
fn debug_mode_runs_a_suite_unchanged() {
    // Debug output goes to stdout (captured by the test harness); the outcomes are the same.
    use super::fixtures::{RangePublisher, env};
    use crate::{EnvError, PublisherVerification, run_publisher_test};
    struct Range;
    impl PublisherVerification for Range {
        type Item = i64;
        type Publisher = RangePublisher;
        fn create_publisher(&self, n: u64) -> RangePublisher {
            RangePublisher { start: 0, count: n }
        }
        fn environment(&self) -> Result<TestEnvironment, EnvError> {
            Ok(env().debug(true))
        }
    }
    let r = run_publisher_test(
        &Range,
        "required_spec102_may_signal_less_than_requested_and_terminate_subscription",
    );
    assert!(r.passed(), "{r:?}");
}
