use reactive_core::source::{self, Next, Pull};
use reactive_core::{Error, Publisher, Subscriber};

/// Emits `count` consecutive integers starting at `start`, then completes.
///
/// Each subscriber gets its own run from `start` (a cold publisher). `range(_, 0)` completes
/// at once.
///
/// # Backpressure
///
/// Emits exactly as many items as requested, never more (rule 1.1), and buffers nothing.
/// With unbounded demand (`request(u64::MAX)`) it runs a tight loop without any demand
/// accounting; with bounded demand it counts locally and subtracts in one batch when the
/// demand it read is used up. A `request` from inside `on_next` only records demand: the
/// running loop picks it up, so the stack never grows (rule 3.3). It completes as soon as the
/// last item is delivered, without waiting for more demand.
///
/// # Errors
///
/// `request(0)` ends the stream with an [`ErrorKind::InvalidRequest`] error (rule 3.9).
///
/// [`ErrorKind::InvalidRequest`]: reactive_core::ErrorKind::InvalidRequest
///
/// # Panics
///
/// If `start + count` overflows `u64`.
///
/// # Reactive Streams TCK
///
/// Passes every required, optional and stochastic test of the publisher verification. The
/// seven `untested_*` tests are skipped for every publisher: the JVM TCK has no check for
/// those rules either.
///
/// # Examples
///
/// ```
/// use reactive_operators::{range, PublisherExt};
///
/// let mut seen = Vec::new();
/// # let seen_ref = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
/// # let sink = seen_ref.clone();
/// range(1, 3).subscribe_with(move |v| sink.lock().unwrap().push(v), |_| {}, || {});
/// # seen.extend(seen_ref.lock().unwrap().iter().copied());
/// assert_eq!(seen, [1, 2, 3]);
/// ```
pub fn range(start: u64, count: u64) -> Range {
    let end = start
        .checked_add(count)
        .unwrap_or_else(|| panic!("range({start}, {count}) overflows u64"));
    Range { start, end }
}

/// The publisher returned by [`range`].
#[must_use = "publishers do nothing until subscribed"]
#[derive(Debug, Clone, Copy)]
pub struct Range {
    start: u64,
    end: u64,
}

impl Publisher for Range {
    type Item = u64;
    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<u64> + 'static,
    {
        source::subscribe(
            RangePull {
                next: self.start,
                end: self.end,
            },
            subscriber,
        );
    }
}

struct RangePull {
    next: u64,
    end: u64,
}

impl Pull for RangePull {
    type Item = u64;

    #[inline(always)]
    fn next(&mut self) -> Next<u64> {
        if self.next == self.end {
            Next::End(Ok(()))
        } else {
            let v = self.next;
            self.next += 1;
            Next::Item(v)
        }
    }

    #[inline(always)]
    fn end(&mut self) -> Option<Result<(), Error>> {
        (self.next == self.end).then_some(Ok(()))
    }
}
