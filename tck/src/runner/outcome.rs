//! What a TCK test can end in, and the report a whole verification produces.

use std::any::Any;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use reactive_core::Error;

/// How a test body stops early: a failure or a skip, each with its reason.
///
/// Test bodies return `Result<(), Stop>` and use `?` on every expectation, so the first failed
/// expectation ends the test with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The implementation broke a rule (or the test could not observe what it needs).
    Fail(String),
    /// The test does not apply to this implementation.
    Skip(String),
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Fail(m) => write!(f, "failed: {m}"),
            Stop::Skip(m) => write!(f, "skipped: {m}"),
        }
    }
}

/// What a test checks, as the prefix of its name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `required_`: a MUST rule; a failure is a spec violation.
    Required,
    /// `optional_`: a MAY/SHOULD rule or a test that needs extra set-up. A failure ends in
    /// [`Outcome::OptionalFailed`], except for `optional_spec104_must_signal_on_error_when_fails`,
    /// which checks the failed publisher the verification itself provides and so ends in
    /// [`Outcome::Failed`] (as in the JVM TCK).
    Optional,
    /// `stochastic_`: repeated many times; can pass although the rule is broken.
    Stochastic,
    /// `untested_`: the TCK cannot check this rule; always skipped.
    Untested,
    /// No prefix (one processor test); behaves as required.
    Unprefixed,
}

impl Kind {
    /// The kind named by a test's prefix.
    pub fn of(name: &str) -> Kind {
        if name.starts_with("required_") {
            Kind::Required
        } else if name.starts_with("optional_") {
            Kind::Optional
        } else if name.starts_with("stochastic_") {
            Kind::Stochastic
        } else if name.starts_with("untested_") {
            Kind::Untested
        } else {
            Kind::Unprefixed
        }
    }
}

/// How one test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The implementation keeps the rule (or Rust's types enforce it; see
    /// [`TestResult::note`]).
    Passed,
    /// The implementation breaks the rule; the reason says how (every failure the test
    /// recorded, in the order they happened).
    Failed(String),
    /// An `optional_` test failed: the implementation does not do what a MAY or SHOULD rule
    /// describes (for example it supports only one subscriber). Not a violation; the reason says
    /// what went wrong, as for [`Failed`](Self::Failed).
    OptionalFailed(String),
    /// The test did not apply; the reason says why.
    Skipped(String),
}

impl Outcome {
    /// Short label: `pass`, `FAIL`, `opt-fail` or `skip`.
    ///
    /// ```
    /// use reactive_tck::Outcome;
    ///
    /// assert_eq!(Outcome::OptionalFailed("one subscriber only".into()).label(), "opt-fail");
    /// ```
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Passed => "pass",
            Outcome::Failed(_) => "FAIL",
            Outcome::OptionalFailed(_) => "opt-fail",
            Outcome::Skipped(_) => "skip",
        }
    }

    /// The failure or skip reason.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Outcome::Passed => None,
            Outcome::Failed(r) | Outcome::OptionalFailed(r) | Outcome::Skipped(r) => Some(r),
        }
    }
}

/// The result of one TCK test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    /// The test's name: the JVM TCK method name in snake_case.
    pub name: &'static str,
    /// The specification rule it checks (`"1.1"`, `"3.13"`, or `"setup"`).
    pub rule: &'static str,
    /// Its prefix.
    pub kind: Kind,
    /// How it ended.
    pub outcome: Outcome,
    /// For tests that pass without running anything: why (the rule is enforced by Rust's types).
    pub note: Option<&'static str>,
}

impl TestResult {
    /// Whether it passed.
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }

    /// Whether it failed.
    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Failed(_))
    }

    /// Whether it was skipped.
    pub fn skipped(&self) -> bool {
        matches!(self.outcome, Outcome::Skipped(_))
    }

    /// Whether it is an `optional_` test that failed ([`Outcome::OptionalFailed`]).
    pub fn optional_failed(&self) -> bool {
        matches!(self.outcome, Outcome::OptionalFailed(_))
    }
}

/// One line per test: the outcome, the rule, the name, and the reason (or the note) indented
/// below.
///
/// ```
/// use reactive_tck::{Kind, Outcome, TestResult};
///
/// let result = TestResult {
///     name: "required_spec102_may_signal_less_than_requested_and_terminate_subscription",
///     rule: "1.2",
///     kind: Kind::Required,
///     outcome: Outcome::Failed("Did not receive expected element".into()),
///     note: None,
/// };
/// assert_eq!(
///     result.to_string(),
///     "FAIL     1.2    required_spec102_may_signal_less_than_requested_and_terminate_subscription\n            \
///      Did not receive expected element"
/// );
/// ```
impl fmt::Display for TestResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<8} {:<6} {}",
            self.outcome.label(),
            self.rule,
            self.name
        )?;
        if let Some(reason) = self.outcome.reason() {
            for line in reason.lines() {
                write!(f, "\n            {line}")?;
            }
        } else if let Some(note) = self.note {
            write!(f, "\n            ({note})")?;
        }
        Ok(())
    }
}

/// The results of a whole verification, in test order.
///
/// Its `Display` is a table: one line per test with the outcome, the rule, the name and the
/// reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// One entry per test.
    pub results: Vec<TestResult>,
}

impl Report {
    /// How many passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed()).count()
    }

    /// How many failed.
    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| r.failed()).count()
    }

    /// How many were skipped.
    pub fn skipped(&self) -> usize {
        self.results.iter().filter(|r| r.skipped()).count()
    }

    /// How many `optional_` tests failed ([`Outcome::OptionalFailed`]); not counted in
    /// [`failed`](Self::failed).
    pub fn optional_failed(&self) -> usize {
        self.results.iter().filter(|r| r.optional_failed()).count()
    }

    /// The result of the test called `name`.
    pub fn get(&self, name: &str) -> Option<&TestResult> {
        self.results.iter().find(|r| r.name == name)
    }

    /// The failed tests.
    pub fn failures(&self) -> impl Iterator<Item = &TestResult> {
        self.results.iter().filter(|r| r.failed())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.results {
            writeln!(f, "{r}")?;
        }
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed(),
            self.failed(),
            self.skipped()
        )?;
        match self.optional_failed() {
            0 => Ok(()),
            n => write!(f, ", {n} optional failed"),
        }
    }
}

/// Runs a test body; a panic (from the implementation under test or from a TCK subscriber that
/// refuses an overflowing element) is a failure with the panic's message.
pub(crate) fn guarded(body: impl FnOnce() -> Result<(), Stop>) -> Outcome {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => Outcome::Passed,
        Ok(Err(Stop::Fail(m))) => Outcome::Failed(m),
        Ok(Err(Stop::Skip(m))) => Outcome::Skipped(m),
        Err(payload) => Outcome::Failed(Error::panic(payload.as_ref()).message().to_string()),
    }
}

/// The final outcome of a test: how its body ended, plus every failure recorded while it ran
/// (`recorded`, oldest first). Any recorded failure fails the test, even one the body did not
/// stop at; the reason lists them all, each once, in the order they happened, followed by the
/// failure the body stopped with if it was not one of them. `optional` turns a failure into
/// [`Outcome::OptionalFailed`].
pub(crate) fn settle(ended: Outcome, recorded: Vec<String>, optional: bool) -> Outcome {
    let mut failures: Vec<String> = Vec::new();
    for m in recorded {
        if !failures.contains(&m) {
            failures.push(m);
        }
    }
    if let Outcome::Failed(m) = &ended {
        // A panic message repeats the failure recorded just before it ("user code panicked:
        // <the failure>"); `flop_and_fail` records the failure it returns.
        if !failures.iter().any(|f| m.contains(f.as_str())) {
            failures.push(m.clone());
        }
    }
    let reason = match failures.len() {
        0 => return ended,
        1 => failures.remove(0),
        n => {
            let mut text = format!("{n} failures:");
            for (i, f) in failures.iter().enumerate() {
                text.push_str(&format!("\n  {}. {f}", i + 1));
            }
            text
        }
    };
    if optional {
        Outcome::OptionalFailed(reason)
    } else {
        Outcome::Failed(reason)
    }
}

/// Prints the result the way a `#[test]` generated by one of the verification macros reports
/// it: a skip, an optional failure or a type-enforced pass prints its reason and returns, a
/// failure panics with the rule and the reason.
///
/// The panic is reported at the caller's location (`#[track_caller]`), so a failing test
/// points at the user's test file, not at the TCK.
///
/// ```should_panic
/// use reactive_tck::{Kind, Outcome, TestResult, report_as_test};
///
/// report_as_test(&TestResult {
///     name: "required_spec102_may_signal_less_than_requested_and_terminate_subscription",
///     rule: "1.2",
///     kind: Kind::Required,
///     outcome: Outcome::Failed("Did not receive expected element".into()),
///     note: None,
/// });
/// ```
#[track_caller]
pub fn report_as_test(result: &TestResult) {
    match &result.outcome {
        Outcome::Passed => {
            if let Some(note) = result.note {
                println!("{}: passes: {note}", result.name);
            }
        }
        Outcome::Skipped(reason) => {
            println!(
                "SKIPPED {} (rule {}): {reason}\n(Rust's test harness has no skip outcome: a skipped TCK test is reported as passing.)",
                result.name, result.rule
            );
        }
        Outcome::OptionalFailed(reason) => {
            println!(
                "OPTIONAL FAILED {} (rule {}): {reason}\n(An optional rule is not a requirement: the test is reported as passing.)",
                result.name, result.rule
            );
        }
        Outcome::Failed(reason) => {
            panic!(
                "TCK test {} failed (rule {}): {reason}",
                result.name, result.rule
            );
        }
    }
}

/// The environment variable that sets how long one macro-generated TCK test may run before it
/// is reported as hung (milliseconds; default [`DEFAULT_WATCHDOG_MILLIS`]).
pub const WATCHDOG_MILLIS_ENV: &str = "TCK_WATCHDOG_MILLIS";

/// How long one macro-generated TCK test may run by default: far longer than any test takes
/// on a working implementation (the slowest take a few seconds), short enough that a hung one
/// does not hold a CI run for hours.
pub const DEFAULT_WATCHDOG_MILLIS: u64 = 60_000;

/// The failure reason of a test that ran past its deadline; `raise` says how to give it more
/// time.
pub(crate) fn did_not_finish(name: &str, deadline: Duration, raise: &str) -> String {
    format!(
        "TCK test {name} did not finish within {} ms. Likely causes: a deadlock (a lock held \
         while calling into the subscriber or the publisher); a re-entrant lock (a `request` \
         from inside `on_next` that waits for a lock `on_next` already holds, rule 3.3); a \
         publisher that ignores `cancel` and keeps emitting (rule 3.12); a blocking call in \
         `request` (rule 3.4). The test's thread is left behind (Rust cannot stop a thread); \
         {raise} if the implementation is only slow.",
        deadline.as_millis()
    )
}

/// Why a watched test gave no result.
pub(crate) enum Unfinished {
    /// It was still running at the deadline.
    TimedOut,
    /// Its thread panicked (the payload).
    Panicked(Box<dyn Any + Send>),
}

/// Runs `test` on a thread of its own and waits for its result until `deadline`.
pub(crate) fn watched<F>(name: &str, deadline: Duration, test: F) -> Result<TestResult, Unfinished>
where
    F: FnOnce() -> TestResult + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    let runner = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let _ = tx.send(test());
        })
        .expect("could not start a thread for the TCK test");
    match rx.recv_timeout(deadline) {
        Ok(result) => {
            let _ = runner.join();
            Ok(result)
        }
        Err(RecvTimeoutError::Timeout) => Err(Unfinished::TimedOut),
        Err(RecvTimeoutError::Disconnected) => match runner.join() {
            Err(panic) => Err(Unfinished::Panicked(panic)),
            Ok(()) => Err(Unfinished::Panicked(Box::new(format!(
                "TCK test {name} ended without a result"
            )))),
        },
    }
}

/// Runs one TCK test for the macros: on its own thread, under a watchdog.
///
/// A deadlocked or endlessly looping implementation (a lock held across a call into the
/// subscriber, a `request` that re-enters `on_next` through a mutex, a publisher that ignores
/// `cancel`) would otherwise hang `cargo test` forever. After the watchdog's time the test
/// fails with a reason that says so, and the stuck thread is left behind (Rust cannot stop a
/// thread). A panic inside the test is passed on unchanged. Failures are reported at the
/// caller's location: the macro invocation in the user's test file.
#[doc(hidden)]
#[track_caller]
pub fn run_with_watchdog<F>(name: &'static str, test: F)
where
    F: FnOnce() -> TestResult + Send + 'static,
{
    let millis = match std::env::var(WATCHDOG_MILLIS_ENV) {
        Err(_) => DEFAULT_WATCHDOG_MILLIS,
        Ok(v) => v.trim().parse::<u64>().unwrap_or_else(|_| {
            panic!("{WATCHDOG_MILLIS_ENV}={v:?} is not a number of milliseconds")
        }),
    };
    run_with_watchdog_for(name, millis, test);
}

#[track_caller]
fn run_with_watchdog_for<F>(name: &'static str, millis: u64, test: F)
where
    F: FnOnce() -> TestResult + Send + 'static,
{
    let deadline = Duration::from_millis(millis);
    match watched(name, deadline, test) {
        Ok(result) => report_as_test(&result),
        Err(Unfinished::TimedOut) => panic!(
            "{}",
            did_not_finish(name, deadline, &format!("raise {WATCHDOG_MILLIS_ENV}"))
        ),
        Err(Unfinished::Panicked(panic)) => std::panic::resume_unwind(panic),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passing() -> TestResult {
        TestResult {
            name: "required_x",
            rule: "1.1",
            kind: Kind::Required,
            outcome: Outcome::Passed,
            note: None,
        }
    }

    #[test]
    fn watchdog_reports_a_result_that_arrives() {
        run_with_watchdog("required_x", passing);
    }

    #[test]
    fn watchdog_fails_a_hung_test_with_a_reason() {
        // The hung test waits on a channel the test releases afterwards, so its thread ends.
        let (release, hang) = std::sync::mpsc::channel::<()>();
        let panic = catch_unwind(AssertUnwindSafe(|| {
            run_with_watchdog_for("required_hangs", 50, move || {
                let _ = hang.recv(); // stands for a deadlock
                passing()
            })
        }))
        .unwrap_err();
        drop(release);
        let message = Error::panic(panic.as_ref()).message().to_string();
        for cause in [
            "did not finish within 50 ms",
            "deadlock",
            "re-entrant lock",
            "ignores `cancel` and keeps emitting",
            "blocking call in `request`",
            WATCHDOG_MILLIS_ENV,
        ] {
            assert!(message.contains(cause), "{cause:?} missing from: {message}");
        }
    }

    #[test]
    #[should_panic(expected = "boom in the test")]
    fn watchdog_passes_panics_on() {
        run_with_watchdog("required_panics", || panic!("boom in the test"));
    }

    fn failed(m: &str) -> Outcome {
        Outcome::Failed(m.into())
    }

    #[test]
    fn settle_lists_every_recorded_failure_once_in_order() {
        let recorded = vec![
            "first".to_string(),
            "second".to_string(),
            "first".to_string(),
        ];
        assert_eq!(
            settle(failed("last"), recorded, false),
            failed("3 failures:\n  1. first\n  2. second\n  3. last")
        );
    }

    #[test]
    fn settle_does_not_repeat_the_failure_the_body_stopped_with() {
        // `flop_and_fail` records what it returns; a panic repeats the failure before it.
        assert_eq!(
            settle(failed("same"), vec!["same".into()], false),
            failed("same")
        );
        assert_eq!(
            settle(
                failed("user code panicked: overflow"),
                vec!["overflow".into()],
                false
            ),
            failed("overflow")
        );
    }

    #[test]
    fn settle_fails_a_passing_or_skipping_body_with_recorded_failures() {
        assert_eq!(settle(Outcome::Passed, vec![], false), Outcome::Passed);
        assert_eq!(
            settle(Outcome::Passed, vec!["late".into()], false),
            failed("late")
        );
        assert_eq!(
            settle(Outcome::Skipped("n/a".into()), vec!["seen".into()], false),
            failed("seen")
        );
        assert_eq!(
            settle(Outcome::Skipped("n/a".into()), vec![], true),
            Outcome::Skipped("n/a".into())
        );
    }

    #[test]
    fn settle_reports_optional_failures_on_their_own() {
        assert_eq!(
            settle(failed("one subscriber only"), vec![], true),
            Outcome::OptionalFailed("one subscriber only".into())
        );
    }

    #[test]
    fn a_multi_line_reason_stays_indented_in_the_report() {
        let report = Report {
            results: vec![TestResult {
                outcome: failed("2 failures:\n  1. a\n  2. b"),
                ..passing()
            }],
        };
        assert_eq!(
            report.to_string(),
            "FAIL     1.1    required_x\n            2 failures:\n              1. a\n              2. b\n\
             0 passed, 1 failed, 0 skipped"
        );
    }

    #[test]
    fn kind_follows_prefix() {
        assert_eq!(Kind::of("required_x"), Kind::Required);
        assert_eq!(Kind::of("optional_x"), Kind::Optional);
        assert_eq!(Kind::of("stochastic_x"), Kind::Stochastic);
        assert_eq!(Kind::of("untested_x"), Kind::Untested);
        assert_eq!(Kind::of("must_x"), Kind::Unprefixed);
    }

    #[test]
    fn guarded_maps_every_ending() {
        assert_eq!(guarded(|| Ok(())), Outcome::Passed);
        assert_eq!(
            guarded(|| Err(Stop::Skip("no".into()))),
            Outcome::Skipped("no".into())
        );
        assert_eq!(
            guarded(|| Err(Stop::Fail("bad".into()))),
            Outcome::Failed("bad".into())
        );
        match guarded(|| panic!("boom {}", 1)) {
            Outcome::Failed(m) => assert!(m.contains("boom 1")),
            other => panic!("unexpected {other:?}"),
        }
    }
}
