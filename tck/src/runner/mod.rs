//! Running the tests of a verification: one at a time, or all into a [`Report`]; the test
//! environment (timeouts, recorded failures), outcomes and reports, and the macros that expand
//! a verification into `#[test]`s.

pub(crate) mod env;
mod macros;
pub(crate) mod outcome;

use crate::runner::env::{EnvError, TestEnvironment};
use crate::runner::outcome::{Kind, Outcome, Report, Stop, TestResult, guarded};

/// A test body.
pub(crate) type TestFn<V> = fn(&V, &TestEnvironment) -> Result<(), Stop>;

/// One TCK test of a verification over `V`.
pub(crate) struct Case<V: ?Sized> {
    pub(crate) name: &'static str,
    pub(crate) rule: &'static str,
    pub(crate) run: TestFn<V>,
    /// Set for tests that pass by construction (the rule is enforced by Rust's types).
    pub(crate) note: Option<&'static str>,
}

impl<V: ?Sized> Case<V> {
    pub(crate) fn new(name: &'static str, rule: &'static str, run: TestFn<V>) -> Self {
        Case {
            name,
            rule,
            run,
            note: None,
        }
    }

    pub(crate) fn by_type(name: &'static str, rule: &'static str, note: &'static str) -> Self {
        Case {
            name,
            rule,
            run: |_, _| Ok(()),
            note: Some(note),
        }
    }
}

/// The message of every `untested_` test.
pub const NOT_VERIFIED: &str = "Not verified by this TCK.";

/// The body of every `untested_` test.
pub(crate) fn not_verified<V: ?Sized>(_: &V, _: &TestEnvironment) -> Result<(), Stop> {
    Err(Stop::Skip(NOT_VERIFIED.to_string()))
}

pub(crate) fn run_case<V: ?Sized>(
    v: &V,
    env: &Result<TestEnvironment, EnvError>,
    case: &Case<V>,
) -> TestResult {
    let outcome = match env {
        Err(e) => Outcome::Failed(e.to_string()),
        Ok(env) => {
            let env = env.fork();
            env.debug_log(|| format!("running {}", case.name));
            guarded(|| {
                (case.run)(v, &env)?;
                env.verify_no_async_errors_no_delay()
            })
        }
    };
    TestResult {
        name: case.name,
        rule: case.rule,
        kind: Kind::of(case.name),
        outcome,
        note: case.note,
    }
}

pub(crate) fn run_all<V: ?Sized>(
    v: &V,
    env: Result<TestEnvironment, EnvError>,
    cases: &[Case<V>],
) -> Report {
    Report {
        results: cases.iter().map(|c| run_case(v, &env, c)).collect(),
    }
}

pub(crate) fn run_named<V: ?Sized>(
    v: &V,
    env: Result<TestEnvironment, EnvError>,
    cases: &[Case<V>],
    name: &str,
) -> TestResult {
    match cases.iter().find(|c| c.name == name) {
        Some(c) => run_case(v, &env, c),
        None => panic!("this verification has no TCK test called `{name}`"),
    }
}
