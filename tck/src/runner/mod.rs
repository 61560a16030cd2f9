//! Running the tests of a verification: one at a time, or all into a [`Report`]; the test
//! environment (timeouts, recorded failures), outcomes and reports, and the macros that expand
//! a verification into `#[test]`s.

pub(crate) mod env;
mod macros;
pub(crate) mod outcome;

use std::sync::Arc;
use std::time::Duration;

use crate::runner::env::{AsyncError, EnvError, TestEnvironment};
use crate::runner::outcome::{
    Kind, Outcome, Report, Stop, TestResult, Unfinished, did_not_finish, guarded, settle, watched,
};

/// A test body.
pub(crate) type TestFn<V> = fn(&V, &TestEnvironment) -> Result<(), Stop>;

/// One TCK test of a verification over `V`.
pub(crate) struct Case<V: ?Sized> {
    pub(crate) name: &'static str,
    pub(crate) rule: &'static str,
    pub(crate) run: TestFn<V>,
    /// Set for tests that pass by construction (the rule is enforced by Rust's types).
    pub(crate) note: Option<&'static str>,
    /// Whether a failure ends in [`Outcome::OptionalFailed`] rather than [`Outcome::Failed`]:
    /// set for `optional_` tests unless [`fails_as_required`](Self::fails_as_required).
    pub(crate) optional: bool,
}

impl<V: ?Sized> Case<V> {
    pub(crate) fn new(name: &'static str, rule: &'static str, run: TestFn<V>) -> Self {
        Case {
            name,
            rule,
            run,
            note: None,
            optional: Kind::of(name) == Kind::Optional,
        }
    }

    /// An `optional_` test whose failure is a real failure: it checks something the
    /// verification itself chose to provide (the failed publisher of rule 1.4).
    pub(crate) fn fails_as_required(mut self) -> Self {
        self.optional = false;
        self
    }

    /// What a report needs to know about the test without running it.
    pub(crate) fn meta(&self) -> Meta {
        Meta {
            name: self.name,
            rule: self.rule,
            note: self.note,
        }
    }

    pub(crate) fn by_type(name: &'static str, rule: &'static str, note: &'static str) -> Self {
        Case {
            name,
            rule,
            run: |_, _| Ok(()),
            note: Some(note),
            optional: false,
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
            let ended = guarded(|| (case.run)(v, &env));
            let recorded = env
                .async_errors()
                .iter()
                .map(AsyncError::describe)
                .collect();
            settle(ended, recorded, case.optional)
        }
    };
    case.meta().result(outcome)
}

/// A test's name, rule and note: enough to report it without running it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Meta {
    pub(crate) name: &'static str,
    pub(crate) rule: &'static str,
    pub(crate) note: Option<&'static str>,
}

impl Meta {
    pub(crate) fn result(self, outcome: Outcome) -> TestResult {
        TestResult {
            name: self.name,
            rule: self.rule,
            kind: Kind::of(self.name),
            outcome,
            note: self.note,
        }
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

#[track_caller]
pub(crate) fn run_named<V: ?Sized>(
    v: &V,
    env: Result<TestEnvironment, EnvError>,
    cases: &[Case<V>],
    name: &str,
) -> TestResult {
    match cases.iter().find(|c| c.name == name) {
        Some(c) => run_case(v, &env, c),
        None => no_such_test(name),
    }
}

#[track_caller]
pub(crate) fn no_such_test(name: &str) -> ! {
    panic!("this verification has no TCK test called `{name}`")
}

/// How the `run_*_with` functions run each test.
///
/// By default exactly like the plain runner functions: each test on the calling thread, with
/// no time limit. With a [`deadline`](Self::deadline_millis), each test runs on a thread of its
/// own, and one that has not finished in time fails with a reason listing the likely causes (a
/// deadlock, a re-entrant lock, a publisher that ignores `cancel` and keeps emitting, a
/// blocking call in `request`); the run goes on with the next test and the stuck thread is
/// left behind, since Rust cannot stop a thread.
///
/// ```
/// use std::time::Duration;
/// use reactive_tck::RunOptions;
///
/// let options = RunOptions::new().deadline_millis(30_000);
/// assert_eq!(options.deadline(), Some(Duration::from_secs(30)));
/// assert_eq!(RunOptions::new().deadline(), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOptions {
    deadline: Option<Duration>,
}

impl RunOptions {
    /// No deadline.
    pub fn new() -> Self {
        Self::default()
    }

    /// Each test must finish within `millis` milliseconds.
    pub fn deadline_millis(self, millis: u64) -> Self {
        RunOptions {
            deadline: Some(Duration::from_millis(millis)),
        }
    }

    /// The per-test deadline, if any.
    pub fn deadline(&self) -> Option<Duration> {
        self.deadline
    }
}

/// Runs the test `meta` of the shared verification `v` through `run` (a `run_*_test`
/// function), under the deadline of `options` if it has one.
pub(crate) fn run_with_options<V: Send + Sync + 'static>(
    v: &Arc<V>,
    meta: Meta,
    options: &RunOptions,
    run: fn(&V, &str) -> TestResult,
) -> TestResult {
    let Some(deadline) = options.deadline else {
        return run(v, meta.name);
    };
    let shared = v.clone();
    match watched(meta.name, deadline, move || run(&shared, meta.name)) {
        Ok(result) => result,
        Err(Unfinished::TimedOut) => meta.result(Outcome::Failed(did_not_finish(
            meta.name,
            deadline,
            "raise the deadline (`RunOptions::deadline_millis`)",
        ))),
        Err(Unfinished::Panicked(p)) => meta.result(Outcome::Failed(
            reactive_core::Error::panic(p.as_ref())
                .message()
                .to_string(),
        )),
    }
}

/// [`run_with_options`] for every test in `metas`.
pub(crate) fn run_all_with_options<V: Send + Sync + 'static>(
    v: V,
    metas: Vec<Meta>,
    options: &RunOptions,
    run: fn(&V, &str) -> TestResult,
) -> Report {
    let v = Arc::new(v);
    Report {
        results: metas
            .into_iter()
            .map(|m| run_with_options(&v, m, options, run))
            .collect(),
    }
}

/// [`run_with_options`] for the test called `name` among `metas`.
#[track_caller]
pub(crate) fn run_named_with_options<V: Send + Sync + 'static>(
    v: V,
    metas: Vec<Meta>,
    name: &str,
    options: &RunOptions,
    run: fn(&V, &str) -> TestResult,
) -> TestResult {
    match metas.into_iter().find(|m| m.name == name) {
        Some(m) => run_with_options(&Arc::new(v), m, options, run),
        None => no_such_test(name),
    }
}
