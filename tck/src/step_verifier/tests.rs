use super::vec_publisher::{vec_publisher, vec_publisher_then_error};
use super::verifier::Run;
use super::*;
use reactive_core::Subscription;
use reactive_core::support::empty_subscription;
use std::cell::Cell;
use std::thread::JoinHandle;

const WINDOW: Duration = Duration::from_millis(20);

/// How long a `ThreadPublisher` thread waits for demand before it gives up.
const GIVE_UP: Duration = Duration::from_secs(10);

/// A publisher that sends a fixed script of signals right after `on_subscribe`, whatever
/// the demand: a deliberately broken source.
struct Scripted(Vec<Signal<u32>>);

impl Clone for Signal<u32> {
    fn clone(&self) -> Self {
        match self {
            Signal::Next(v) => Signal::Next(*v),
            Signal::Error(e) => Signal::Error(e.clone()),
            Signal::Complete => Signal::Complete,
            Signal::Violation(index) => Signal::Violation(*index),
        }
    }
}

impl Publisher for Scripted {
    type Item = u32;
    fn subscribe<S: Subscriber<u32> + 'static>(&self, mut s: S) {
        s.on_subscribe(empty_subscription());
        for signal in self.0.clone() {
            match signal {
                Signal::Next(v) => s.on_next(v),
                Signal::Error(e) => s.on_error(e),
                Signal::Complete => s.on_complete(),
                Signal::Violation(_) => unreachable!("a script holds signals only"),
            }
        }
    }
}

/// A subscription that records requests and cancels.
#[derive(Default)]
struct Recording {
    requests: Mutex<Vec<u64>>,
    cancels: Mutex<u32>,
}

impl Subscription for Recording {
    fn request(&self, n: u64) {
        self.requests.lock().push(n);
    }
    fn cancel(&self) {
        *self.cancels.lock() += 1;
    }
}

/// An asynchronous publisher: each subscriber gets `1..=count` from its own thread, which
/// waits for demand on a condition variable.
struct ThreadPublisher {
    count: u32,
    gates: Mutex<Vec<Arc<Gate>>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

#[derive(Default)]
struct Gate {
    state: Mutex<(u64, bool)>, // (demand, cancelled)
    changed: Condvar,
}

impl Subscription for Gate {
    fn request(&self, n: u64) {
        let mut state = self.state.lock();
        state.0 = add_cap(state.0, n);
        drop(state);
        self.changed.notify_all();
    }
    fn cancel(&self) {
        self.state.lock().1 = true;
        self.changed.notify_all();
    }
}

impl ThreadPublisher {
    fn new(count: u32) -> Self {
        ThreadPublisher {
            count,
            gates: Mutex::new(Vec::new()),
            threads: Mutex::new(Vec::new()),
        }
    }

    fn was_cancelled(&self) -> bool {
        self.gates.lock().iter().all(|g| g.state.lock().1)
    }

    fn join(&self) {
        for t in self.threads.lock().drain(..) {
            t.join().unwrap();
        }
    }
}

impl Publisher for ThreadPublisher {
    type Item = u32;
    fn subscribe<S: Subscriber<u32> + 'static>(&self, mut s: S) {
        let gate = Arc::new(Gate::default());
        self.gates.lock().push(gate.clone());
        let count = self.count;
        self.threads.lock().push(std::thread::spawn(move || {
            s.on_subscribe(gate.clone());
            for i in 1..=count {
                let mut state = gate.state.lock();
                while state.0 == 0 && !state.1 {
                    // Bounded, so that a broken cancel fails the test instead of hanging
                    // it in `join`.
                    if gate.changed.wait_for(&mut state, GIVE_UP).timed_out() {
                        return;
                    }
                }
                if state.1 {
                    return;
                }
                if state.0 != UNBOUNDED {
                    state.0 -= 1;
                }
                drop(state);
                s.on_next(i);
            }
            s.on_complete();
        }));
    }
}

#[test]
fn synchronous_items_and_completion_pass() {
    StepVerifier::create(&vec_publisher(vec![1, 2, 3]))
        .expect_subscription()
        .expect_next(1)
        .expect_next_values([2, 3])
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn expect_next_mismatch_names_the_step_and_the_value() {
    let err = StepVerifier::create(&vec_publisher(vec![1, 2, 3]))
        .expect_next(1)
        .expect_next(5)
        .expect_complete()
        .verify()
        .unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Mismatch);
    assert_eq!(err.step(), Some(2));
    assert_eq!(err.step_description(), "expect_next(5)");
    assert_eq!(err.to_string(), "step 2 `expect_next(5)`: got on_next(2)");
    assert_eq!(format!("{err:?}"), err.to_string());
}

#[test]
fn completion_instead_of_an_item_is_reported() {
    let err = StepVerifier::create(&vec_publisher(vec![1, 2, 3]))
        .expect_next_values([1, 2, 3])
        .expect_next(4)
        .verify()
        .unwrap_err();
    assert_eq!(err.to_string(), "step 4 `expect_next(4)`: got on_complete");
}

/// Checks that `err` is a protocol violation reported at `step`; returns its message.
fn violation_at(err: &VerifyError, step: Option<usize>) -> &str {
    assert_eq!(err.kind(), VerifyErrorKind::ProtocolViolation, "{err}");
    assert_eq!(err.step(), step, "{err}");
    err.message()
}

#[test]
fn more_items_than_requested_is_a_rule_1_1_violation() {
    // All three items arrive inside `subscribe`, before step 1 runs; steps 1 and 2 take the
    // two requested items and pass, the script cancels, and the extra item is reported as a
    // failure of its own after the last step, not pinned on step 1 or 2.
    let broken = Scripted(vec![Signal::Next(1), Signal::Next(2), Signal::Next(3)]);
    let err = StepVerifier::create(&broken)
        .initial_request(2)
        .expect_next_values([1, 2])
        .then_cancel()
        .verify()
        .unwrap_err();
    violation_at(&err, None);
    assert_eq!(
        err.to_string(),
        "after the last step: protocol violation: rule 1.1: on_next #3 but only 2 requested \
         in total"
    );
}

#[test]
fn rule_1_1_violation_fails_the_step_that_reaches_the_extra_item() {
    let broken = Scripted(vec![Signal::Next(1), Signal::Next(2), Signal::Next(3)]);
    let err = StepVerifier::create(&broken)
        .initial_request(2)
        .expect_next(1)
        .expect_next(2)
        .expect_next(3)
        .expect_complete()
        .verify()
        .unwrap_err();
    violation_at(&err, Some(3));
    assert_eq!(
        err.to_string(),
        "step 3 `expect_next(3)`: protocol violation: rule 1.1: on_next #3 but only 2 \
         requested in total"
    );
    // A count step that runs into the extra item fails the same way.
    let err = StepVerifier::create(&broken)
        .initial_request(2)
        .expect_next_count(3)
        .verify()
        .unwrap_err();
    violation_at(&err, Some(1));
    assert!(err.message().contains("on_next #3"), "{err}");
}

#[test]
fn violations_count_the_ones_after_them() {
    let broken = Scripted(vec![Signal::Next(1), Signal::Next(2), Signal::Next(3)]);
    let err = StepVerifier::create(&broken)
        .initial_request(1)
        .expect_next(1)
        .expect_next(2)
        .verify()
        .unwrap_err();
    assert_eq!(
        violation_at(&err, Some(2)),
        "protocol violation: rule 1.1: on_next #2 but only 1 requested in total (and 1 more)"
    );
}

#[test]
fn a_violation_fails_a_no_event_window_that_reaches_it() {
    let broken = Scripted(vec![Signal::Next(1), Signal::Next(2)]);
    let err = StepVerifier::create(&broken)
        .initial_request(1)
        .expect_next(1)
        .expect_no_event(Duration::from_secs(30))
        .verify()
        .unwrap_err();
    violation_at(&err, Some(2));
    assert!(err.message().contains("rule 1.1: on_next #2"), "{err}");
}

#[test]
fn a_signal_before_on_subscribe_fails_a_request_step_at_once() {
    // Sends an item, and never calls on_subscribe: the request step must not wait for the
    // (long) step timeout.
    struct ItemFirst;
    impl Publisher for ItemFirst {
        type Item = u32;
        fn subscribe<S: Subscriber<u32> + 'static>(&self, mut s: S) {
            s.on_next(1);
        }
    }
    let err = StepVerifier::create(&ItemFirst)
        .timeout(Duration::from_secs(30))
        .then_request(1)
        .verify()
        .unwrap_err();
    violation_at(&err, Some(1));
    assert!(
        err.message()
            .contains("rule 1.9: on_next #1 before on_subscribe"),
        "{err}"
    );
}

#[test]
fn requests_add_up_for_rule_1_1() {
    let broken = Scripted(vec![Signal::Next(1), Signal::Next(2)]);
    let ts = TestSubscriber::with_request(1);
    ts.request(1);
    broken.subscribe(ts.clone());
    assert!(ts.violations().is_empty(), "{:?}", ts.violations());
    let ts = TestSubscriber::with_request(1);
    broken.subscribe(ts.clone());
    assert_eq!(ts.violations().len(), 1);
}

#[test]
fn item_after_completion_is_a_rule_1_7_violation() {
    let broken = Scripted(vec![Signal::Next(1), Signal::Complete, Signal::Next(2)]);
    let err = StepVerifier::create(&broken)
        .expect_next(1)
        .expect_complete()
        .verify()
        .unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::ProtocolViolation);
    assert!(
        err.message()
            .contains("rule 1.7: on_next #2 after on_complete"),
        "{err}"
    );
}

#[test]
fn second_terminal_signal_is_a_rule_1_7_violation() {
    let broken = Scripted(vec![Signal::Complete, Signal::Error(Error::msg("late"))]);
    let err = StepVerifier::create(&broken)
        .expect_complete()
        .verify()
        .unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::ProtocolViolation);
    assert!(err.message().contains("rule 1.7: on_error"), "{err}");
}

#[test]
fn violation_noticed_after_the_last_step_fails() {
    // The terminal step consumes on_complete, then the end check must still see the
    // violation recorded by the signal that followed it.
    let ts = TestSubscriber::<u32>::new();
    let mut publisher_side = ts.clone();
    publisher_side.on_subscribe(empty_subscription());
    let run = Run {
        subscriber: &ts,
        timeout: WINDOW,
        cancelled: false,
    };
    publisher_side.on_complete();
    assert!(matches!(
        run.next_signal("on_complete"),
        Ok(Signal::Complete)
    ));
    publisher_side.on_complete();
    let (kind, message) = run.finish().unwrap_err();
    assert_eq!(kind, VerifyErrorKind::ProtocolViolation);
    assert!(message.contains("rule 1.7: on_complete after on_complete"));
}

#[test]
fn signal_before_on_subscribe_is_a_rule_1_9_violation() {
    let mut ts = TestSubscriber::new();
    ts.on_next(1u8);
    ts.on_subscribe(empty_subscription());
    assert!(ts.violations()[0].contains("rule 1.9: on_next #1 before on_subscribe"));
}

#[test]
fn second_on_subscribe_is_a_violation_and_the_newcomer_is_cancelled() {
    let first = Arc::new(Recording::default());
    let second = Arc::new(Recording::default());
    let mut ts = TestSubscriber::<u8>::with_request(3);
    ts.on_subscribe(first.clone());
    ts.on_subscribe(second.clone());
    assert_eq!(*first.requests.lock(), [3]);
    assert_eq!(*first.cancels.lock(), 0);
    assert!(second.requests.lock().is_empty());
    assert_eq!(*second.cancels.lock(), 1);
    assert!(ts.violations()[0].contains("rule 2.12"));
}

#[test]
fn requests_are_passed_on_step_by_step() {
    StepVerifier::create(&vec_publisher(vec![1, 2, 3]))
        .initial_request(0)
        .expect_subscription()
        .expect_no_event(WINDOW)
        .then_request(2)
        .expect_next_values([1, 2])
        .expect_no_event(WINDOW)
        .then_request(1)
        .expect_next(3)
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn requests_reach_the_subscription_in_order() {
    struct Recorder(Arc<Recording>);
    impl Publisher for Recorder {
        type Item = u32;
        fn subscribe<S: Subscriber<u32> + 'static>(&self, mut s: S) {
            s.on_subscribe(self.0.clone());
        }
    }
    let recording = Arc::new(Recording::default());
    StepVerifier::create(&Recorder(recording.clone()))
        .initial_request(2)
        .then_request(5)
        .then_request(0)
        .then_cancel()
        .verify()
        .unwrap();
    assert_eq!(*recording.requests.lock(), [2, 5, 0]);
    assert_eq!(*recording.cancels.lock(), 1);
}

#[test]
fn an_unfinished_script_cancels_the_subscription() {
    let publisher = ThreadPublisher::new(1_000_000);
    StepVerifier::create(&publisher)
        .initial_request(2)
        .expect_next_values([1, 2])
        .verify()
        .unwrap();
    assert!(publisher.was_cancelled());
    publisher.join();
}

#[test]
fn asynchronous_publisher_with_requests_from_the_verifier_thread() {
    let publisher = ThreadPublisher::new(6);
    StepVerifier::create(&publisher)
        .initial_request(1)
        .expect_next(1)
        .then_request(2)
        .expect_next_values([2, 3])
        .then_request(10)
        .expect_next_count(2)
        .expect_next(6)
        .expect_complete()
        .verify()
        .unwrap();
    publisher.join();
}

#[test]
fn then_cancel_reaches_an_asynchronous_publisher() {
    let publisher = ThreadPublisher::new(1_000_000);
    StepVerifier::create(&publisher)
        .initial_request(5)
        .expect_next_count(5)
        .then_cancel()
        .verify()
        .unwrap();
    assert!(publisher.was_cancelled());
    publisher.join();
}

#[test]
fn unbounded_asynchronous_publisher_then_cancel_passes() {
    let publisher = ThreadPublisher::new(1_000_000);
    StepVerifier::create(&publisher)
        .expect_next_count(1000)
        .then_cancel()
        .verify()
        .unwrap();
    assert!(publisher.was_cancelled());
    publisher.join();
}

#[test]
fn expect_no_event_fails_on_a_queued_item() {
    let err = StepVerifier::create(&vec_publisher(vec![1]))
        .expect_no_event(WINDOW)
        .verify()
        .unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Mismatch);
    assert_eq!(
        err.to_string(),
        "step 1 `expect_no_event(20ms)`: got on_next(1) within the 20ms window"
    );
}

#[test]
fn expect_no_event_fails_on_an_item_from_another_thread() {
    // However the threads interleave, the item is requested before the window starts and
    // arrives before it would end: the step must fail (and it returns as soon as it does).
    let publisher = ThreadPublisher::new(3);
    let err = StepVerifier::create(&publisher)
        .initial_request(0)
        .expect_subscription()
        .then_request(1)
        .expect_no_event(Duration::from_secs(30))
        .verify()
        .unwrap_err();
    assert_eq!(err.step(), Some(3));
    assert_eq!(err.message(), "got on_next(1) within the 30s window");
    publisher.join();
}

#[test]
fn expect_no_event_after_completion_catches_a_late_signal() {
    // Completes at once, then sends an item from another thread when the test says so:
    // only a no-event window after the terminal step can notice it.
    struct LateItem(
        Mutex<Option<std::sync::mpsc::Receiver<()>>>,
        Mutex<Vec<JoinHandle<()>>>,
    );
    impl Publisher for LateItem {
        type Item = u32;
        fn subscribe<S: Subscriber<u32> + 'static>(&self, mut s: S) {
            let go = self.0.lock().take().unwrap();
            self.1.lock().push(std::thread::spawn(move || {
                s.on_subscribe(empty_subscription());
                s.on_complete();
                go.recv().unwrap();
                s.on_next(9);
            }));
        }
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let late = LateItem(Mutex::new(Some(rx)), Mutex::new(Vec::new()));
    let err = StepVerifier::create(&late)
        .expect_complete()
        .then(|| tx.send(()).unwrap())
        .expect_no_event(Duration::from_secs(30))
        .verify()
        .unwrap_err();
    assert_eq!(
        violation_at(&err, Some(3)),
        "protocol violation: rule 1.7: on_next #1 after on_complete"
    );
    for t in late.1.lock().drain(..) {
        t.join().unwrap();
    }
}

#[test]
fn violation_in_a_synchronous_stream_is_reported_where_it_happened() {
    // Everything arrives inside `subscribe`: step 1 takes on_complete (correct) and passes;
    // the item after it is a rule 1.7 violation that no step reached.
    let broken = Scripted(vec![Signal::Complete, Signal::Next(9)]);
    let err = StepVerifier::create(&broken)
        .expect_complete()
        .verify()
        .unwrap_err();
    violation_at(&err, None);
    assert_eq!(
        err.to_string(),
        "after the last step: protocol violation: rule 1.7: on_next #1 after on_complete"
    );
}

#[test]
fn silent_publisher_times_out_with_what_was_seen() {
    struct Never;
    impl Publisher for Never {
        type Item = u32;
        fn subscribe<S: Subscriber<u32> + 'static>(&self, mut s: S) {
            s.on_subscribe(empty_subscription());
        }
    }
    let err = StepVerifier::create(&Never)
        .timeout(WINDOW)
        .expect_next(1)
        .verify()
        .unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Timeout);
    assert_eq!(
        err.message(),
        "timed out after 20ms waiting for on_next; seen so far: on_subscribe, 0 items \
         (requested unbounded), no terminal signal"
    );
}

#[test]
fn publisher_without_on_subscribe_times_out_on_request() {
    struct Mute;
    impl Publisher for Mute {
        type Item = u32;
        fn subscribe<S: Subscriber<u32> + 'static>(&self, _s: S) {}
    }
    let err = StepVerifier::create(&Mute)
        .initial_request(0)
        .then_request(1)
        .verify_timeout(WINDOW)
        .unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Timeout);
    assert!(err.message().contains("waiting for on_subscribe"), "{err}");
    assert!(err.message().contains("no on_subscribe"), "{err}");
}

#[test]
fn count_shortfall_says_how_many_arrived() {
    let err = StepVerifier::create(&vec_publisher(vec![1, 2, 3]))
        .expect_next_count(5)
        .verify()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "step 1 `expect_next_count(5)`: got on_complete after 3 of 5 items"
    );
}

#[test]
fn steps_after_the_end_fail_at_once_instead_of_timing_out() {
    let err = StepVerifier::create(&vec_publisher(vec![1]))
        .expect_next(1)
        .expect_complete()
        .expect_next(2)
        .verify()
        .unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Mismatch);
    assert_eq!(
        err.message(),
        "got no on_next: the stream already ended with on_complete"
    );
}

#[test]
fn error_steps_check_the_signal_and_the_error() {
    let failing = vec_publisher_then_error(vec![1], Error::msg("boom"));
    StepVerifier::create(&failing)
        .expect_next(1)
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
    StepVerifier::create(&failing)
        .expect_next(1)
        .expect_error_matches(|e| e.message() == "boom")
        .verify()
        .unwrap();
    let err = StepVerifier::create(&failing)
        .expect_next(1)
        .expect_complete()
        .verify()
        .unwrap_err();
    assert_eq!(err.message(), "got on_error(user error: boom)");
    let err = StepVerifier::create(&failing)
        .expect_next(1)
        .expect_error_matches(|e| e.message() == "bang")
        .verify()
        .unwrap_err();
    assert_eq!(
        err.message(),
        "got on_error(user error: boom), which does not match"
    );
    let err = StepVerifier::create(&vec_publisher(vec![1]))
        .expect_next(1)
        .expect_error()
        .verify()
        .unwrap_err();
    assert_eq!(err.message(), "got on_complete");
}

#[test]
fn unconsumed_signals_after_the_last_step_fail() {
    let err = StepVerifier::create(&vec_publisher(vec![1, 2]))
        .expect_next(1)
        .verify()
        .unwrap_err();
    assert_eq!(err.step(), None);
    assert_eq!(
        err.to_string(),
        "after the last step: got on_next(2), which no step expects"
    );
}

#[test]
fn then_and_consume_run_in_script_order() {
    let order = Cell::new(0);
    let mut consumed = Vec::new();
    StepVerifier::create(&vec_publisher(vec![10, 20]))
        .then(|| order.set(order.get() * 10 + 1))
        .consume_next_with(|v| {
            order.set(order.get() * 10 + 2);
            consumed.push(v);
        })
        .then(|| order.set(order.get() * 10 + 3))
        .expect_next_matches(|v| *v == 20)
        .expect_complete()
        .verify()
        .unwrap();
    assert_eq!(order.get(), 123);
    assert_eq!(consumed, [10]);
}

#[test]
fn test_subscriber_records_and_waits() {
    let publisher = ThreadPublisher::new(3);
    let ts = TestSubscriber::with_request(1);
    publisher.subscribe(ts.clone());
    assert!(ts.await_values(1, Duration::from_secs(5)));
    ts.request(2);
    assert!(ts.await_terminal(Duration::from_secs(5)));
    assert_eq!(ts.values(), [1, 2, 3]);
    assert!(ts.is_complete());
    assert!(ts.error().is_none());
    assert!(ts.violations().is_empty());
    publisher.join();
}

#[test]
fn test_subscriber_waits_end_without_a_signal() {
    let ts = TestSubscriber::<u8>::new();
    assert!(!ts.await_terminal(WINDOW));
    assert!(!ts.await_values(1, WINDOW));
}

#[test]
fn test_subscriber_cancel_before_subscribe_cancels_the_newcomer() {
    let recording = Arc::new(Recording::default());
    let mut ts = TestSubscriber::<u8>::new();
    ts.cancel();
    ts.on_subscribe(recording.clone());
    assert_eq!(*recording.cancels.lock(), 1);
    assert!(recording.requests.lock().is_empty());
}

#[test]
fn test_subscriber_keeps_a_bounded_number_of_violations() {
    let mut ts = TestSubscriber::with_request(0);
    ts.on_subscribe(empty_subscription());
    for i in 0..100u32 {
        ts.on_next(i);
    }
    assert_eq!(ts.violations().len(), MAX_KEPT_VIOLATIONS);
    let message = ts.lock().first_violation().unwrap();
    assert!(message.ends_with("(and 99 more)"), "{message}");
}

#[test]
fn request_zero_before_on_subscribe_is_passed_on() {
    let ts = TestSubscriber::<u32>::with_request(0);
    ts.request(0);
    vec_publisher(vec![1, 2]).subscribe(ts.clone());
    assert_eq!(
        ts.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
    assert_eq!(ts.value_count(), 0);
}

#[test]
fn on_next_hook_requests_one_at_a_time_from_inside_on_next() {
    let ts = TestSubscriber::with_request(1).with_on_next_hook(|ts, _| ts.request(1));
    vec_publisher((0..50).collect::<Vec<u32>>()).subscribe(ts.clone());
    assert_eq!(ts.values(), (0..50).collect::<Vec<_>>());
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{:?}", ts.violations());
    assert_eq!(ts.requested(), 51);
    assert_eq!(ts.max_on_next_depth(), 1);
}

#[test]
fn on_next_hook_sees_the_count_and_can_cancel() {
    let counts = Arc::new(Mutex::new(Vec::new()));
    let seen = counts.clone();
    let ts = TestSubscriber::new().with_on_next_hook(move |ts, n| {
        seen.lock().push(n);
        if n == 3 {
            ts.cancel();
        }
    });
    vec_publisher((0..100).collect::<Vec<u32>>()).subscribe(ts.tracked_clone());
    assert_eq!(*counts.lock(), [1, 2, 3]);
    assert_eq!(ts.values(), [0, 1, 2]);
    assert!(ts.is_cancelled());
    assert!(!ts.is_terminated());
    assert!(
        ts.is_dropped(),
        "the publisher kept the subscriber after cancel"
    );
}

#[test]
fn on_next_hook_runs_for_a_nested_on_next_and_the_depth_shows_it() {
    // The hook itself plays a publisher that recurses: it calls on_next from inside on_next.
    let calls = Arc::new(Mutex::new(0u32));
    let counted = calls.clone();
    let mut ts = TestSubscriber::new().with_on_next_hook(move |ts, n| {
        *counted.lock() += 1;
        if n == 1 {
            ts.clone().on_next(2u32);
        }
    });
    ts.on_subscribe(empty_subscription());
    ts.on_next(1);
    assert_eq!(ts.values(), [1, 2]);
    assert_eq!(*calls.lock(), 2, "the nested on_next ran the hook too");
    assert_eq!(ts.max_on_next_depth(), 2);
    ts.on_next(3);
    assert_eq!(
        ts.max_on_next_depth(),
        2,
        "the depth went back down after the nesting"
    );
}

#[test]
fn max_on_next_depth_is_zero_before_any_item() {
    let ts = TestSubscriber::<u8>::new();
    assert_eq!(ts.max_on_next_depth(), 0);
}

#[test]
fn a_tracked_clone_is_dropped_only_when_every_copy_is() {
    let ts = TestSubscriber::<u8>::new();
    let tracked = ts.tracked_clone();
    let copy = tracked.clone();
    drop(tracked);
    assert!(
        !ts.is_dropped(),
        "a copy of the tracked clone is still alive"
    );
    let plain = ts.clone();
    drop(copy);
    assert!(ts.is_dropped(), "an untracked clone must not count");
    drop(plain);
}

#[test]
fn a_publisher_that_keeps_the_subscriber_after_cancel_is_seen() {
    // Keeps every subscriber forever: rule 3.13 broken.
    struct Hoarder(Mutex<Vec<Box<dyn Send>>>);
    impl Publisher for Hoarder {
        type Item = u32;
        fn subscribe<S: Subscriber<u32> + 'static>(&self, mut s: S) {
            s.on_subscribe(empty_subscription());
            self.0.lock().push(Box::new(s));
        }
    }
    let hoarder = Hoarder(Mutex::new(Vec::new()));
    let ts = TestSubscriber::<u32>::new();
    hoarder.subscribe(ts.tracked_clone());
    ts.cancel();
    assert!(!ts.is_dropped());
    hoarder.0.lock().clear();
    assert!(ts.is_dropped());
}

#[test]
fn a_tracked_record_keeps_the_publisher_state_alive() {
    // Keeps the subscriber inside its subscription and never lets go (rule 3.13 broken): the
    // only thing that could free the subscriber is the last reference to the subscription
    // going away, which a tracked record prevents, so the bug shows.
    struct Clingy<S>(Mutex<Option<S>>);
    impl<S: Send> Subscription for Clingy<S> {
        fn request(&self, _: u64) {}
        fn cancel(&self) {}
    }
    struct KeepsSubscriber;
    impl Publisher for KeepsSubscriber {
        type Item = u32;
        fn subscribe<S: Subscriber<u32> + 'static>(&self, s: S) {
            let state = Arc::new(Clingy(Mutex::new(Some(s))));
            let mut s = state.0.lock().take().unwrap();
            s.on_subscribe(state.clone());
            s.on_complete();
            *state.0.lock() = Some(s);
        }
    }
    let ts = TestSubscriber::<u32>::new();
    KeepsSubscriber.subscribe(ts.tracked_clone());
    assert!(ts.is_complete());
    assert!(ts.subscription().is_none(), "not handed out after the end");
    assert!(
        !ts.is_dropped(),
        "the kept subscription must keep the state alive"
    );
}

#[test]
#[should_panic(expected = "no tracked_clone to watch")]
fn is_dropped_without_a_tracked_clone_panics() {
    let ts = TestSubscriber::<u8>::new();
    vec_publisher(vec![1u8]).subscribe(ts.clone());
    let _ = ts.is_dropped();
}

#[test]
fn requested_counts_demand_before_on_subscribe_but_not_after_the_end() {
    let ts = TestSubscriber::<u32>::with_request(2);
    ts.request(3);
    assert_eq!(ts.requested(), 5);
    assert!(!ts.is_subscribed());
    vec_publisher(vec![1, 2]).subscribe(ts.clone());
    assert!(ts.is_subscribed());
    assert!(ts.is_complete());
    ts.request(7); // after the terminal signal: ignored
    assert_eq!(ts.requested(), 5);
}

#[test]
fn the_subscription_is_held_until_the_end_or_cancel() {
    let recording = Arc::new(Recording::default());
    let mut ts = TestSubscriber::<u8>::with_request(0);
    assert!(ts.subscription().is_none());
    ts.on_subscribe(recording.clone());
    let s = ts.subscription().expect("held after on_subscribe");
    ts.cancel();
    assert!(ts.subscription().is_none(), "still held after cancel");
    ts.cancel();
    assert_eq!(*recording.cancels.lock(), 1, "cancel reached it twice");
    // The raw subscription still reaches the publisher after cancel.
    s.request(4);
    s.cancel();
    assert_eq!(*recording.requests.lock(), [4]);
    assert_eq!(*recording.cancels.lock(), 2);
    assert_eq!(ts.requested(), 0, "a raw request must not count as demand");

    let mut ts = TestSubscriber::<u8>::new();
    ts.on_subscribe(empty_subscription());
    ts.on_complete();
    assert!(ts.subscription().is_none(), "still held after on_complete");
}
