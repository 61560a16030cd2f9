//! Timeouts, debug output and the asynchronous-error ("flop") list shared by one test run.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use reactive_core::Error;

use crate::runner::outcome::Stop;

/// Environment variable that sets the default timeout `T` (milliseconds).
pub const DEFAULT_TIMEOUT_MILLIS_ENV: &str = "DEFAULT_TIMEOUT_MILLIS";
/// Environment variable that sets the no-signals timeout `N` (milliseconds).
pub const DEFAULT_NO_SIGNALS_TIMEOUT_MILLIS_ENV: &str = "DEFAULT_NO_SIGNALS_TIMEOUT_MILLIS";
/// Environment variable that sets the poll interval `P` (milliseconds).
pub const DEFAULT_POLL_TIMEOUT_MILLIS_ENV: &str = "DEFAULT_POLL_TIMEOUT_MILLIS";
/// Environment variable that sets the reference-drop timeout of rule 3.13 (milliseconds).
pub const PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS_ENV: &str = "PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS";

/// The default timeout `T`, when neither code nor environment sets one.
pub const DEFAULT_TIMEOUT_MILLIS: u64 = 100;
/// The default reference-drop timeout of rule 3.13.
pub const DEFAULT_PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS: u64 = 300;

/// How many elements the processor under test must be able to buffer, and half the capacity
/// of a TCK subscriber's element queue (which holds twice as many).
pub const TEST_BUFFER_SIZE: usize = 16;

/// An environment variable held something that is not a number of milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvError {
    /// The variable's name.
    pub variable: &'static str,
    /// What it contained.
    pub value: String,
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unable to parse the environment variable {}={:?} as a number of milliseconds",
            self.variable, self.value
        )
    }
}

impl std::error::Error for EnvError {}

#[derive(Debug, Clone)]
struct Config {
    default_timeout: Duration,
    no_signals_timeout: Duration,
    poll_timeout: Duration,
    gc_timeout: Duration,
    debug: bool,
}

/// A failure or a received error recorded asynchronously, to be checked later by the test.
#[derive(Debug, Clone)]
pub enum AsyncError {
    /// A TCK check failed inside a callback ("flop").
    Flop(String),
    /// A TCK subscriber received `on_error` with this error.
    Signalled(Error),
}

impl AsyncError {
    /// The message a failing test reports for this error.
    pub fn describe(&self) -> String {
        match self {
            AsyncError::Flop(m) => m.clone(),
            AsyncError::Signalled(e) => {
                format!("Async error during test execution: {}", e.message())
            }
        }
    }
}

#[derive(Default)]
struct Errors {
    list: Mutex<Vec<AsyncError>>,
    added: Condvar,
}

/// The timeouts a verification runs with, and the list of asynchronous errors of one test.
///
/// * `T`, the **default timeout**: how long to wait for a signal that must arrive.
/// * `N`, the **no-signals timeout**: how long to watch for signals that must not arrive.
/// * `P`, the **poll timeout**: how often to look for an expected error while waiting up to `T`.
/// * the **reference timeout** of rule 3.13: how long a publisher may keep the subscriber
///   alive after `cancel`.
///
/// Each can be set in code ([`with_timeouts`](Self::with_timeouts) and the builder methods) or
/// through the environment variables [`DEFAULT_TIMEOUT_MILLIS`](DEFAULT_TIMEOUT_MILLIS_ENV),
/// [`DEFAULT_NO_SIGNALS_TIMEOUT_MILLIS`](DEFAULT_NO_SIGNALS_TIMEOUT_MILLIS_ENV),
/// [`DEFAULT_POLL_TIMEOUT_MILLIS`](DEFAULT_POLL_TIMEOUT_MILLIS_ENV) and
/// [`PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS`](PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS_ENV)
/// ([`from_env`](Self::from_env)). Values set in code win over the environment.
///
/// Cloning shares the error list; each test runs on a [`fork`](Self::fork) with an empty one.
///
/// ```
/// use std::time::Duration;
/// use reactive_tck::TestEnvironment;
///
/// let env = TestEnvironment::with_timeouts(500).no_signals_timeout_millis(100).poll_timeout_millis(10);
/// assert_eq!(env.default_timeout(), Duration::from_millis(500));
/// assert_eq!(env.no_signals_timeout(), Duration::from_millis(100));
/// assert_eq!(env.poll_timeout(), Duration::from_millis(10));
/// ```
#[derive(Clone)]
pub struct TestEnvironment {
    config: Arc<Config>,
    errors: Arc<Errors>,
}

impl fmt::Debug for TestEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestEnvironment")
            .field("default_timeout", &self.config.default_timeout)
            .field("no_signals_timeout", &self.config.no_signals_timeout)
            .field("poll_timeout", &self.config.poll_timeout)
            .field("gc_timeout", &self.config.gc_timeout)
            .field("debug", &self.config.debug)
            .finish()
    }
}

impl Default for TestEnvironment {
    fn default() -> Self {
        Self::with_timeouts(DEFAULT_TIMEOUT_MILLIS)
    }
}

fn read_var(
    lookup: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<u64>, EnvError> {
    match lookup(name) {
        Some(v) => v.trim().parse().map(Some).map_err(|_| EnvError {
            variable: name,
            value: v,
        }),
        None => Ok(None),
    }
}

fn process_var(name: &str) -> Option<String> {
    std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
}

impl TestEnvironment {
    /// `T = N = P = timeout_millis`, and the default reference timeout (300 ms).
    pub fn with_timeouts(timeout_millis: u64) -> Self {
        let t = Duration::from_millis(timeout_millis);
        TestEnvironment {
            config: Arc::new(Config {
                default_timeout: t,
                no_signals_timeout: t,
                poll_timeout: t,
                gc_timeout: Duration::from_millis(DEFAULT_PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS),
                debug: false,
            }),
            errors: Arc::default(),
        }
    }

    /// Reads the four environment variables. `T` defaults to 100 ms, `N` and `P` default to
    /// `T`, the reference timeout to 300 ms.
    ///
    /// # Errors
    ///
    /// A variable that is set but is not a number of milliseconds.
    pub fn from_env() -> Result<Self, EnvError> {
        Self::from_lookup(&process_var)
    }

    /// [`from_env`](Self::from_env) with the variables looked up by `lookup` instead of in the
    /// process environment.
    ///
    /// ```
    /// use std::time::Duration;
    /// use reactive_tck::TestEnvironment;
    ///
    /// let env = TestEnvironment::from_lookup(&|name: &str| {
    ///     (name == "DEFAULT_TIMEOUT_MILLIS").then(|| "250".to_string())
    /// })
    /// .unwrap();
    /// assert_eq!(env.default_timeout(), Duration::from_millis(250));
    /// assert_eq!(env.no_signals_timeout(), Duration::from_millis(250));
    ///
    /// let err = TestEnvironment::from_lookup(&|_: &str| Some("soon".to_string())).unwrap_err();
    /// assert_eq!(err.variable, "DEFAULT_TIMEOUT_MILLIS");
    /// ```
    ///
    /// # Errors
    ///
    /// A variable that is set but is not a number of milliseconds.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, EnvError> {
        let t = read_var(lookup, DEFAULT_TIMEOUT_MILLIS_ENV)?.unwrap_or(DEFAULT_TIMEOUT_MILLIS);
        let n = read_var(lookup, DEFAULT_NO_SIGNALS_TIMEOUT_MILLIS_ENV)?.unwrap_or(t);
        let p = read_var(lookup, DEFAULT_POLL_TIMEOUT_MILLIS_ENV)?.unwrap_or(t);
        let gc = read_var(lookup, PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS_ENV)?
            .unwrap_or(DEFAULT_PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS);
        Ok(Self::with_timeouts(t)
            .no_signals_timeout_millis(n)
            .poll_timeout_millis(p)
            .gc_timeout_millis(gc))
    }

    fn map(self, f: impl FnOnce(&mut Config)) -> Self {
        let mut config = (*self.config).clone();
        f(&mut config);
        TestEnvironment {
            config: Arc::new(config),
            errors: self.errors,
        }
    }

    /// Sets `T`, the time to wait for a signal that must arrive.
    pub fn default_timeout_millis(self, millis: u64) -> Self {
        self.map(|c| c.default_timeout = Duration::from_millis(millis))
    }

    /// Sets `N`, the time to watch for signals that must not arrive.
    pub fn no_signals_timeout_millis(self, millis: u64) -> Self {
        self.map(|c| c.no_signals_timeout = Duration::from_millis(millis))
    }

    /// Sets `P`, the interval at which an expected error is looked for.
    pub fn poll_timeout_millis(self, millis: u64) -> Self {
        self.map(|c| c.poll_timeout = Duration::from_millis(millis))
    }

    /// Sets how long a publisher may keep a cancelled subscriber alive (rule 3.13).
    pub fn gc_timeout_millis(self, millis: u64) -> Self {
        self.map(|c| c.gc_timeout = Duration::from_millis(millis))
    }

    /// Prints every signal the TCK's own subscribers and publishers see, prefixed with
    /// `[TCK-DEBUG]`.
    pub fn debug(self, enabled: bool) -> Self {
        self.map(|c| c.debug = enabled)
    }

    /// `T`.
    pub fn default_timeout(&self) -> Duration {
        self.config.default_timeout
    }

    /// `N`.
    pub fn no_signals_timeout(&self) -> Duration {
        self.config.no_signals_timeout
    }

    /// `P`.
    pub fn poll_timeout(&self) -> Duration {
        self.config.poll_timeout
    }

    /// The reference timeout of rule 3.13.
    pub fn gc_timeout(&self) -> Duration {
        self.config.gc_timeout
    }

    /// Whether debug output is on.
    pub fn debug_enabled(&self) -> bool {
        self.config.debug
    }

    /// The same configuration with a fresh, empty error list.
    pub fn fork(&self) -> Self {
        TestEnvironment {
            config: self.config.clone(),
            errors: Arc::default(),
        }
    }

    /// Prints `msg` if debug output is on.
    pub fn debug_log(&self, msg: impl FnOnce() -> String) {
        if self.config.debug {
            println!("[TCK-DEBUG] {}", msg());
        }
    }

    /// Records a failure without failing the test now: the test fails when it next checks
    /// for asynchronous errors.
    pub fn flop(&self, msg: impl Into<String>) {
        let msg = msg.into();
        self.debug_log(|| format!("flop: {msg}"));
        self.push(AsyncError::Flop(msg));
    }

    /// Records an error received through `on_error`.
    pub fn record_error(&self, error: Error) {
        self.push(AsyncError::Signalled(error));
    }

    fn push(&self, e: AsyncError) {
        self.errors.list.lock().push(e);
        self.errors.added.notify_all();
    }

    /// Records a failure and returns it as a test failure, for use with `?` or `Err(..)`.
    pub fn flop_and_fail(&self, msg: impl Into<String>) -> Stop {
        let msg = msg.into();
        self.flop(msg.clone());
        Stop::Fail(msg)
    }

    /// Removes and returns the oldest recorded error.
    pub fn drop_async_error(&self) -> Option<AsyncError> {
        let mut list = self.errors.list.lock();
        if list.is_empty() {
            None
        } else {
            Some(list.remove(0))
        }
    }

    /// All recorded errors, oldest first.
    pub fn async_errors(&self) -> Vec<AsyncError> {
        self.errors.list.lock().clone()
    }

    /// Forgets all recorded errors.
    pub fn clear_async_errors(&self) {
        self.errors.list.lock().clear();
    }

    /// Fails with the oldest recorded error, if any, at once.
    pub fn verify_no_async_errors_no_delay(&self) -> Result<(), Stop> {
        match self.errors.list.lock().first() {
            Some(e) => Err(Stop::Fail(e.describe())),
            None => Ok(()),
        }
    }

    /// Checks for recorded errors now and again after `N`, failing early if one arrives.
    pub fn verify_no_async_errors(&self) -> Result<(), Stop> {
        self.verify_no_async_errors_within(self.no_signals_timeout())
    }

    /// Checks for recorded errors now and during `delay`.
    pub fn verify_no_async_errors_within(&self, delay: Duration) -> Result<(), Stop> {
        let deadline = Instant::now() + delay;
        let mut list = self.errors.list.lock();
        loop {
            if let Some(e) = list.first() {
                return Err(Stop::Fail(e.describe()));
            }
            if self
                .errors
                .added
                .wait_until(&mut list, deadline)
                .timed_out()
            {
                return match list.first() {
                    Some(e) => Err(Stop::Fail(e.describe())),
                    None => Ok(()),
                };
            }
        }
    }

    /// Waits up to `total`, looking every `poll`, for the oldest recorded error and removes it.
    pub(crate) fn poll_async_error(&self, total: Duration, poll: Duration) -> Option<AsyncError> {
        let deadline = Instant::now() + total;
        let poll = poll.max(Duration::from_millis(1));
        let mut list = self.errors.list.lock();
        loop {
            if !list.is_empty() {
                return Some(list.remove(0));
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            let wake = (now + poll).min(deadline);
            self.errors.added.wait_until(&mut list, wake);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_sets_each_timeout() {
        let env = TestEnvironment::with_timeouts(7)
            .no_signals_timeout_millis(8)
            .poll_timeout_millis(9)
            .gc_timeout_millis(10)
            .debug(true);
        assert_eq!(env.default_timeout(), Duration::from_millis(7));
        assert_eq!(env.no_signals_timeout(), Duration::from_millis(8));
        assert_eq!(env.poll_timeout(), Duration::from_millis(9));
        assert_eq!(env.gc_timeout(), Duration::from_millis(10));
        assert!(env.debug_enabled());
    }

    #[test]
    fn fork_has_its_own_errors() {
        let env = TestEnvironment::default();
        env.flop("one");
        let f = env.fork();
        assert!(f.verify_no_async_errors_no_delay().is_ok());
        assert!(env.verify_no_async_errors_no_delay().is_err());
    }

    #[test]
    fn env_error_names_the_variable() {
        let e = EnvError {
            variable: DEFAULT_TIMEOUT_MILLIS_ENV,
            value: "soon".into(),
        };
        let text = e.to_string();
        assert!(text.contains("DEFAULT_TIMEOUT_MILLIS"));
        assert!(text.contains("soon"));
    }
}
