//! What a TCK test can end in, and the report a whole verification produces.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

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
    /// `optional_`: a MAY/SHOULD rule or a test that needs extra set-up; a failure is reported
    /// as a skip with the reason.
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
    /// The implementation breaks the rule; the reason says how.
    Failed(String),
    /// The test did not apply; the reason says why.
    Skipped(String),
}

impl Outcome {
    /// Short label: `pass`, `FAIL` or `skip`.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Passed => "pass",
            Outcome::Failed(_) => "FAIL",
            Outcome::Skipped(_) => "skip",
        }
    }

    /// The failure or skip reason.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Outcome::Passed => None,
            Outcome::Failed(r) | Outcome::Skipped(r) => Some(r),
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
            write!(f, "{:<4} {:<6} {}", r.outcome.label(), r.rule, r.name)?;
            if let Some(reason) = r.outcome.reason() {
                write!(f, "\n            {reason}")?;
            } else if let Some(note) = r.note {
                write!(f, "\n            ({note})")?;
            }
            writeln!(f)?;
        }
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed(),
            self.failed(),
            self.skipped()
        )
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

/// Prints the result the way a `#[test]` generated by one of the verification macros reports
/// it: a skip or a type-enforced pass prints its reason and returns, a failure panics with the
/// rule and the reason.
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

/// Runs one TCK test for the macros: on its own thread, under a watchdog.
///
/// A deadlocked or endlessly looping implementation (a lock held across a call into the
/// subscriber, a `request` that re-enters `on_next` through a mutex) would otherwise hang
/// `cargo test` forever. After the watchdog's time the test fails with a reason that says so,
/// and the stuck thread is left behind (Rust cannot stop a thread). A panic inside the test
/// is passed on unchanged.
#[doc(hidden)]
pub fn __run_with_watchdog<F>(name: &'static str, test: F)
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

fn run_with_watchdog_for<F>(name: &'static str, millis: u64, test: F)
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
    match rx.recv_timeout(std::time::Duration::from_millis(millis)) {
        Ok(result) => {
            let _ = runner.join();
            report_as_test(&result);
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!(
            "TCK test {name} did not finish within {millis} ms: the implementation under test \
             hangs or deadlocks (usual causes: a lock held while calling into the subscriber, or \
             a request that re-enters on_next through a mutex, rule 3.3); raise \
             {WATCHDOG_MILLIS_ENV} if it is only slow"
        ),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => match runner.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => panic!("TCK test {name} ended without a result"),
        },
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
        __run_with_watchdog("required_x", passing);
    }

    #[test]
    #[should_panic(expected = "did not finish within")]
    fn watchdog_fails_a_hung_test_with_a_reason() {
        run_with_watchdog_for("required_hangs", 50, || {
            let (_tx, rx) = std::sync::mpsc::channel::<()>();
            let _ = rx.recv(); // never answered: stands for a deadlock
            passing()
        });
    }

    #[test]
    #[should_panic(expected = "boom in the test")]
    fn watchdog_passes_panics_on() {
        __run_with_watchdog("required_panics", || panic!("boom in the test"));
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
