//! A fast source and a slow consumer: the consumer decides how much it receives.
//!
//! `range` could produce a billion items as fast as the CPU allows. The consumer asks for
//! four at a time, takes a while over each, asks for four more only when it is ready, and
//! stops after twelve. The source produces exactly what was asked for: twelve, not a billion,
//! and nothing piles up in between.
//!
//! Run: `cargo run --release --example quickstart`

#![forbid(unsafe_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};
use reactive_operators::{PublisherExt, range};

/// Asks for `batch` items at a time and cancels after `wanted` items.
struct SlowConsumer {
    batch: u64,
    wanted: u64,
    received: u64,
    outstanding: u64,
    subscription: Option<SubscriptionRef>,
}

impl SlowConsumer {
    fn ask(&mut self) {
        println!("consumer: request({})", self.batch);
        self.outstanding += self.batch;
        if let Some(s) = &self.subscription {
            s.request(self.batch);
        }
    }
}

impl Subscriber<u64> for SlowConsumer {
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        self.subscription = Some(subscription);
        self.ask();
    }

    fn on_next(&mut self, item: u64) {
        self.received += 1;
        self.outstanding -= 1;
        println!(
            "  delivered {item:>3}  (received {:>2}, demand left {})",
            self.received, self.outstanding
        );
        std::thread::sleep(Duration::from_millis(30)); // slow work
        if self.received == self.wanted {
            println!("consumer: cancel after {} items", self.received);
            if let Some(s) = self.subscription.take() {
                s.cancel();
            }
        } else if self.outstanding == 0 {
            self.ask(); // only when ready for more
        }
    }

    fn on_error(&mut self, error: Error) {
        println!("consumer: failed: {error}");
    }

    fn on_complete(&mut self) {
        println!("consumer: complete");
    }
}

fn main() {
    let produced = Arc::new(Mutex::new(0u64));
    let counter = produced.clone();

    let source = range(1, 1_000_000_000).map(move |v| {
        *counter.lock().unwrap() += 1; // count what the source actually produced
        v * v
    });

    source.subscribe(SlowConsumer {
        batch: 4,
        wanted: 12,
        received: 0,
        outstanding: 0,
        subscription: None,
    });

    println!(
        "the source could emit 1000000000 items and produced {}",
        produced.lock().unwrap()
    );
}
