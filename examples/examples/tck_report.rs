//! Runs the Reactive Streams TCK's publisher verification against three publishers and prints
//! one table of outcomes: `range` and `from_iter` from reactive-operators, and a deliberately
//! broken publisher that ignores demand and delivers everything on the first `request`.
//!
//! Run: `cargo run --example tck_report`
//!
//! Each row is one TCK test (the JVM TCK's name in snake_case) with its rule; each column one
//! publisher. Below the table, every failure, optional failure and skip is listed with its
//! reason.

#![forbid(unsafe_code)]

use std::sync::{Arc, Mutex};

use reactive_core::{BoxPublisher, Error, Publisher, Subscriber, Subscription};
use reactive_operators::source::{FromIter, Range};
use reactive_operators::{error, from_iter, range};
use reactive_tck::{
    EnvError, Outcome, PublisherVerification, Report, TestEnvironment, run_publisher_verification,
};

/// Timeouts for this demo: generous `T`, short `N` so that the run stays quick.
fn environment() -> Result<TestEnvironment, EnvError> {
    Ok(TestEnvironment::with_timeouts(500)
        .no_signals_timeout_millis(50)
        .poll_timeout_millis(10))
}

struct RangeTck;

impl PublisherVerification for RangeTck {
    type Item = u64;
    type Publisher = Range<u64>;

    fn create_publisher(&self, elements: u64) -> Range<u64> {
        range(0..elements)
    }

    fn create_failed_publisher(&self) -> Option<BoxPublisher<u64>> {
        Some(BoxPublisher::new(error::<u64>(Error::msg(
            "failed on purpose",
        ))))
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        environment()
    }
}

struct FromIterTck;

impl PublisherVerification for FromIterTck {
    type Item = u64;
    type Publisher = FromIter<std::ops::Range<u64>>;

    fn create_publisher(&self, elements: u64) -> FromIter<std::ops::Range<u64>> {
        from_iter(0..elements)
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        environment()
    }
}

/// BROKEN ON PURPOSE: on the first `request(n)`, whatever `n`, it delivers all its elements
/// (at most 100) and completes. It breaks rule 1.1 (never more than requested).
struct Greedy {
    elements: u64,
}

struct GreedySubscription<S> {
    elements: u64,
    subscriber: Mutex<Option<S>>,
}

impl<S: Subscriber<u64>> Subscription for GreedySubscription<S> {
    fn request(&self, _n: u64) {
        // Taken out of the slot: a `request` from inside `on_next` finds it empty.
        let taken = self.subscriber.lock().unwrap().take();
        if let Some(mut s) = taken {
            for i in 0..self.elements.min(100) {
                s.on_next(i);
            }
            s.on_complete();
        }
    }

    fn cancel(&self) {
        let taken = self.subscriber.lock().unwrap().take();
        drop(taken);
    }
}

impl Publisher for Greedy {
    type Item = u64;
    fn subscribe<S: Subscriber<u64> + 'static>(&self, mut subscriber: S) {
        let subscription = Arc::new(GreedySubscription {
            elements: self.elements,
            subscriber: Mutex::new(None),
        });
        subscriber.on_subscribe(subscription.clone());
        *subscription.subscriber.lock().unwrap() = Some(subscriber);
    }
}

fn main() {
    let runs: Vec<(&str, Report)> = vec![
        ("range", run_publisher_verification(&RangeTck)),
        ("from_iter", run_publisher_verification(&FromIterTck)),
        ("greedy (broken)", run_publisher_verification(&GreedyTck)),
    ];
    print_table(&runs);
}

struct GreedyTck;

impl PublisherVerification for GreedyTck {
    type Item = u64;
    type Publisher = Greedy;

    fn create_publisher(&self, elements: u64) -> Greedy {
        Greedy { elements }
    }

    fn environment(&self) -> Result<TestEnvironment, EnvError> {
        environment()
    }
}

fn print_table(runs: &[(&str, Report)]) {
    const NAME: usize = 64;
    print!("{:<6} {:<NAME$}", "rule", "test");
    for (label, _) in runs {
        print!(" {label:>16}");
    }
    println!();
    let tests = &runs[0].1.results;
    for (i, t) in tests.iter().enumerate() {
        let mut name = t.name.to_string();
        if name.len() > NAME {
            name.truncate(NAME - 3);
            name.push_str("...");
        }
        print!("{:<6} {name:<NAME$}", t.rule);
        for (_, report) in runs {
            print!(" {:>16}", report.results[i].outcome.label());
        }
        println!();
    }
    println!();
    for (label, report) in runs {
        println!(
            "{label}: {} passed, {} failed, {} optional failed, {} skipped",
            report.passed(),
            report.failed(),
            report.optional_failed(),
            report.skipped()
        );
        for r in &report.results {
            // A reason listing several failures has one per line: indent them.
            let outcome = match &r.outcome {
                Outcome::Failed(m) => Outcome::Failed(m.replace('\n', "\n      ")),
                Outcome::OptionalFailed(m) => Outcome::OptionalFailed(m.replace('\n', "\n      ")),
                other => other.clone(),
            };
            match &outcome {
                Outcome::Failed(reason) => {
                    println!("  FAIL {} (rule {}): {reason}", r.name, r.rule)
                }
                Outcome::OptionalFailed(reason) => {
                    println!("  opt-fail {} (rule {}): {reason}", r.name, r.rule)
                }
                Outcome::Skipped(reason) if !r.name.starts_with("untested_") => {
                    println!("  skip {} (rule {}): {reason}", r.name, r.rule)
                }
                _ => {}
            }
        }
    }
}
