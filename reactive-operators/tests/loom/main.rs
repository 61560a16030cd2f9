//! Races in the operators crate, under loom. Empty unless built with `--cfg reactive_loom`:
//!
//! ```sh
//! RUSTFLAGS="--cfg reactive_loom" CARGO_TARGET_DIR=target/loom LOOM_MAX_PREEMPTIONS=2 \
//!     cargo test -p reactive-operators --release --test loom
//! ```
//!
//! The models drive the pull engine behind every synchronous source (`source/pull.rs`) through
//! `range`: a subscriber holds an initial demand of 1 while other threads request, cancel or
//! send `request(0)`. Each checks the invariants that matter: never more items than requested
//! (rule 1.1), items in order, at most one terminal signal (rule 1.7), a `request(0)` reported
//! exactly once unless the stream had ended (rule 3.9), and the subscriber dropped once the
//! subscription is over (rule 3.13).

#![cfg(reactive_loom)]

use std::sync::Arc;

use reactive_core::__private::loom::sync::Mutex;
use reactive_core::__private::loom::thread;
use reactive_core::{Error, ErrorKind, Publisher, Subscriber, SubscriptionRef};
use reactive_operators::range;

#[derive(Default)]
struct Record {
    items: Vec<u64>,
    requested: u64,
    completes: usize,
    errors: Vec<ErrorKind>,
    subscription: Option<SubscriptionRef>,
}

/// Records what it receives; requests 1 in `on_subscribe`.
struct Recorder {
    record: Arc<Mutex<Record>>,
    _token: Arc<()>,
}

impl Subscriber<u64> for Recorder {
    fn on_subscribe(&mut self, s: SubscriptionRef) {
        {
            let mut r = self.record.lock();
            r.subscription = Some(s.clone());
            r.requested += 1;
        }
        s.request(1);
    }
    fn on_next(&mut self, item: u64) {
        self.record.lock().items.push(item);
    }
    fn on_error(&mut self, e: Error) {
        let mut r = self.record.lock();
        r.errors.push(e.kind());
        r.subscription = None;
    }
    fn on_complete(&mut self) {
        let mut r = self.record.lock();
        r.completes += 1;
        r.subscription = None;
    }
}

/// Subscribes a recorder to `range(0, 3)`; returns the record, the subscription and a weak
/// handle on the subscriber's token.
fn start() -> (Arc<Mutex<Record>>, SubscriptionRef, std::sync::Weak<()>) {
    let record = Arc::new(Mutex::new(Record::default()));
    let token = Arc::new(());
    let weak = Arc::downgrade(&token);
    range(0, 3).subscribe(Recorder {
        record: record.clone(),
        _token: token,
    });
    let s = record
        .lock()
        .subscription
        .clone()
        .expect("on_subscribe ran");
    (record, s, weak)
}

fn request(record: &Arc<Mutex<Record>>, s: &SubscriptionRef, n: u64) {
    record.lock().requested += n;
    s.request(n);
}

fn check_common(r: &Record) {
    let n = r.items.len() as u64;
    assert!(
        n <= r.requested,
        "{n} items for {} requested (rule 1.1)",
        r.requested
    );
    assert!(
        r.items.iter().copied().eq(0..n),
        "items out of order: {:?}",
        r.items
    );
    assert!(
        r.completes + r.errors.len() <= 1,
        "two terminal signals (rule 1.7)"
    );
    if r.completes == 1 {
        assert_eq!(n, 3, "completed early");
    }
}

/// A request from one thread races a cancel from another while the first item is out.
#[test]
fn request_races_cancel() {
    loom::model(|| {
        let (record, s, token) = start();
        let (r1, s1) = (record.clone(), s.clone());
        let requester = thread::spawn(move || request(&r1, &s1, 2));
        let s2 = s.clone();
        let canceller = thread::spawn(move || s2.cancel());
        requester.join().unwrap();
        canceller.join().unwrap();
        let r = record.lock();
        check_common(&r);
        assert!(r.errors.is_empty());
        drop(r);
        // Checked while we still hold the subscription, as a subscriber that keeps it would.
        assert_eq!(
            token.strong_count(),
            0,
            "subscriber kept after cancel (rule 3.13)"
        );
        drop(s);
    });
}

/// `request(0)` races a valid request: exactly one terminal signal, and the rule 3.9 error
/// unless the stream had already completed.
#[test]
fn request_zero_races_request() {
    loom::model(|| {
        let (record, s, token) = start();
        let (r1, s1) = (record.clone(), s.clone());
        let requester = thread::spawn(move || request(&r1, &s1, 2));
        let s2 = s.clone();
        let zero = thread::spawn(move || s2.request(0));
        requester.join().unwrap();
        zero.join().unwrap();
        let r = record.lock();
        check_common(&r);
        assert_eq!(r.completes + r.errors.len(), 1, "no terminal signal");
        if r.completes == 0 {
            assert_eq!(r.errors, vec![ErrorKind::InvalidRequest]);
        }
        drop(r);
        assert_eq!(
            token.strong_count(),
            0,
            "subscriber kept after the end (rule 3.13)"
        );
        drop(s);
    });
}

/// Two threads request concurrently: every requested item arrives exactly once, in order,
/// followed by completion.
#[test]
fn concurrent_requests_deliver_everything_once() {
    loom::model(|| {
        let (record, s, token) = start();
        let (r1, s1) = (record.clone(), s.clone());
        let a = thread::spawn(move || request(&r1, &s1, 1));
        let (r2, s2) = (record.clone(), s.clone());
        let b = thread::spawn(move || request(&r2, &s2, 1));
        a.join().unwrap();
        b.join().unwrap();
        let r = record.lock();
        check_common(&r);
        assert_eq!(r.items, vec![0, 1, 2], "a request was lost");
        assert_eq!(r.completes, 1);
        drop(r);
        assert_eq!(
            token.strong_count(),
            0,
            "subscriber kept after completion (rule 3.13)"
        );
        drop(s);
    });
}
