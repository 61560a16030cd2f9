use std::sync::Arc;

use parking_lot::Mutex;
use reactive_core::Error;
use reactive_operators::{PublisherExt, error, never, range};

#[test]
fn runs_callbacks_then_reports_termination() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(Mutex::new(false));
    let (s, d) = (seen.clone(), done.clone());
    let handle = range(0u64..4).subscribe_with(
        move |v| s.lock().push(v),
        |e| panic!("unexpected {e}"),
        move || *d.lock() = true,
    );
    assert_eq!(*seen.lock(), vec![0, 1, 2, 3]);
    assert!(*done.lock());
    assert!(handle.is_terminated());
    assert!(!handle.is_cancelled());
}

#[test]
fn errors_reach_on_error() {
    let got = Arc::new(Mutex::new(None));
    let g = got.clone();
    let handle = error::<u8>(Error::msg("boom")).subscribe_with(
        |_| {},
        move |e| *g.lock() = Some(e.to_string()),
        || panic!("completed"),
    );
    assert_eq!(got.lock().as_deref(), Some("user error: boom"));
    assert!(handle.is_terminated());
}

#[test]
fn cancel_stops_an_open_stream() {
    let handle = never::<u8>().subscribe_with(|_| {}, |_| {}, || {});
    assert!(!handle.is_terminated());
    handle.cancel();
    handle.cancel();
    assert!(handle.is_cancelled());
    assert!(!handle.is_terminated());
}

/// What a broken publisher sends after `on_subscribe`, whatever the demand.
#[derive(Clone)]
enum Signal {
    Next(u8),
    Error,
    Complete,
}

/// A deliberately broken publisher: sends its script right after `on_subscribe`, including
/// signals after a terminal one (rule 1.7).
struct Broken(Vec<Signal>);

impl reactive_core::Publisher for Broken {
    type Item = u8;
    fn subscribe<S: reactive_core::Subscriber<u8> + 'static>(&self, mut s: S) {
        s.on_subscribe(reactive_core::support::empty_subscription());
        for signal in self.0.clone() {
            match signal {
                Signal::Next(v) => s.on_next(v),
                Signal::Error => s.on_error(Error::msg("broken")),
                Signal::Complete => s.on_complete(),
            }
        }
    }
}

/// Subscribes with callbacks that log what they see; returns the log.
fn callbacks_seen(script: Vec<Signal>) -> Vec<String> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let (n, e, c) = (log.clone(), log.clone(), log.clone());
    let handle = Broken(script).subscribe_with(
        move |v| n.lock().push(format!("next {v}")),
        move |err| e.lock().push(format!("error {}", err.message())),
        move || c.lock().push("complete".to_owned()),
    );
    assert!(handle.is_terminated());
    log.lock().clone()
}

#[test]
fn error_then_complete_runs_only_on_error() {
    assert_eq!(
        callbacks_seen(vec![Signal::Next(1), Signal::Error, Signal::Complete]),
        ["next 1", "error broken"]
    );
}

#[test]
fn complete_then_error_runs_only_on_complete() {
    assert_eq!(
        callbacks_seen(vec![Signal::Complete, Signal::Error]),
        ["complete"]
    );
}

#[test]
fn a_second_complete_or_error_is_ignored() {
    assert_eq!(
        callbacks_seen(vec![Signal::Complete, Signal::Complete]),
        ["complete"]
    );
    assert_eq!(
        callbacks_seen(vec![Signal::Error, Signal::Error]),
        ["error broken"]
    );
}

#[test]
fn on_next_after_the_end_is_ignored() {
    assert_eq!(
        callbacks_seen(vec![
            Signal::Next(1),
            Signal::Complete,
            Signal::Next(2),
            Signal::Error,
            Signal::Next(3),
        ]),
        ["next 1", "complete"]
    );
    assert_eq!(
        callbacks_seen(vec![Signal::Error, Signal::Next(2), Signal::Complete]),
        ["error broken"]
    );
}
