//! `log(name)`: one `tracing` event per signal, `request(n)` and `cancel` included, each
//! with the name, the signal and its value; nothing when the level is disabled, and the
//! stream unchanged either way. Recorded with a small hand-written `tracing::Subscriber`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use reactive_core::{Error, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, range};
use reactive_tck::TestSubscriber;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata};

/// One recorded event: its fields as text, plus `level` and `target`.
type Fields = BTreeMap<String, String>;

/// Records every event it is shown; `enabled` only for levels up to `max`.
#[derive(Clone)]
struct Recorder {
    events: Arc<Mutex<Vec<Fields>>>,
    max: Level,
}

impl Recorder {
    fn new(max: Level) -> Self {
        Recorder {
            events: Arc::new(Mutex::new(Vec::new())),
            max,
        }
    }

    /// The recorded events, each as `signal` plus its value field, for the given name.
    fn signals(&self, name: &str) -> Vec<String> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.get("name").map(String::as_str) == Some(name))
            .map(|e| {
                let signal = e["signal"].clone();
                match ["item", "n", "error"].iter().find_map(|k| e.get(*k)) {
                    Some(value) => format!("{signal} {value}"),
                    None => signal,
                }
            })
            .collect()
    }
}

struct Text<'a>(&'a mut Fields);

impl Visit for Text<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= self.max
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::new();
        event.record(&mut Text(&mut fields));
        fields.insert("level".into(), event.metadata().level().to_string());
        fields.insert("target".into(), event.metadata().target().to_string());
        self.events.lock().unwrap().push(fields);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn every_signal_request_and_cancel_is_an_event_with_the_name() {
    let recorder = Recorder::new(Level::TRACE);
    tracing::subscriber::with_default(recorder.clone(), || {
        let ts = TestSubscriber::<u64>::with_request(2);
        range(0u64..3).log("numbers").subscribe(ts.clone());
        ts.request(5);
        assert_eq!(ts.values(), [0, 1, 2]);
        assert!(ts.is_complete());

        let ts = TestSubscriber::<u64>::with_request(1);
        range(10u64..20).log("cancelled").subscribe(ts.clone());
        ts.cancel();

        let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
        error::<u64>(Error::msg("boom"))
            .log("failing")
            .subscribe(ts.clone());
        assert!(ts.error().is_some());
    });
    assert_eq!(
        recorder.signals("numbers"),
        [
            "on_subscribe",
            "request 2",
            "on_next 0",
            "on_next 1",
            "request 5",
            "on_next 2",
            "on_complete"
        ]
    );
    assert_eq!(
        recorder.signals("cancelled"),
        ["on_subscribe", "request 1", "on_next 10", "cancel"]
    );
    assert_eq!(
        recorder.signals("failing"),
        [
            "on_subscribe",
            &format!("request {UNBOUNDED}"),
            "on_error user error: boom"
        ]
    );
    let events = recorder.events.lock().unwrap();
    assert!(events.iter().all(|e| e["level"] == "INFO"));
    assert!(
        events
            .iter()
            .all(|e| e["target"] == "reactive_operators::log")
    );
}

#[test]
fn request_zero_is_logged_and_reported() {
    let recorder = Recorder::new(Level::INFO);
    tracing::subscriber::with_default(recorder.clone(), || {
        let ts = TestSubscriber::<u64>::with_request(0);
        range(0u64..3).log("zero").subscribe(ts.clone());
        ts.request(0);
        assert!(ts.error().is_some_and(|e| e.message().contains("rule 3.9")));
    });
    let signals = recorder.signals("zero");
    assert_eq!(signals[..2], ["on_subscribe", "request 0"]);
    assert!(signals[2].starts_with("on_error"), "{signals:?}");
}

#[test]
fn a_disabled_level_records_nothing_and_changes_nothing() {
    let recorder = Recorder::new(Level::WARN);
    tracing::subscriber::with_default(recorder.clone(), || {
        let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
        range(0u64..1000)
            .log("quiet")
            .filter(|v| v % 2 == 0)
            .subscribe(ts.clone());
        assert_eq!(ts.value_count(), 500);
        assert!(ts.is_complete());
    });
    assert!(recorder.events.lock().unwrap().is_empty());
}
