use std::sync::Arc;

use parking_lot::Mutex;
use reactive_core::Error;
use reactive_operators::{PublisherExt, error, never, range};

#[test]
fn runs_callbacks_then_reports_termination() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(Mutex::new(false));
    let (s, d) = (seen.clone(), done.clone());
    let handle = range(0, 4).subscribe_with(
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
