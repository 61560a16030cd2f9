//! Things waiting for a deadline: the serial queue's delayed tasks and an event loop's timers.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::Instant;

/// A heap of items with deadlines that gives back the earliest first, equal deadlines in the
/// order they were added.
pub(crate) struct Timers<T> {
    heap: BinaryHeap<Timed<T>>,
    next_seq: u64,
}

impl<T> Timers<T> {
    pub(crate) const fn new() -> Self {
        Timers {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }

    /// Adds `item`, due at `deadline`. `true` if it is now the earliest.
    pub(crate) fn push(&mut self, deadline: Instant, item: T) -> bool {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Timed {
            deadline,
            seq,
            item,
        });
        self.heap.peek().is_some_and(|t| t.seq == seq)
    }

    /// Takes out the earliest item whose deadline is at or before `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<T> {
        if self.heap.peek()?.deadline <= now {
            self.heap.pop().map(|t| t.item)
        } else {
            None
        }
    }

    /// The earliest deadline, if anything waits.
    #[cfg_attr(reactive_loom, allow(dead_code))] // used by the event loop
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.heap.peek().map(|t| t.deadline)
    }

    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Empties the heap, giving back every item (in no particular order).
    pub(crate) fn take_all(&mut self) -> impl Iterator<Item = T> + use<T> {
        std::mem::take(&mut self.heap).into_iter().map(|t| t.item)
    }
}

/// One entry, ordered so that the max-heap pops the earliest deadline first, and equal
/// deadlines in submission (`seq`) order.
struct Timed<T> {
    deadline: Instant,
    seq: u64,
    item: T,
}

impl<T> PartialEq for Timed<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.deadline, self.seq) == (other.deadline, other.seq)
    }
}

impl<T> Eq for Timed<T> {}

impl<T> PartialOrd for Timed<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Timed<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.deadline, other.seq).cmp(&(self.deadline, self.seq))
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn earliest_first_then_in_the_order_added() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut timers = Timers::new();
        assert!(timers.push(t0 + ms(30), "30"));
        assert!(timers.push(t0 + ms(10), "10"));
        assert!(!timers.push(t0 + ms(20), "20"));
        assert!(!timers.push(t0 + ms(10), "10 again"));
        assert_eq!(timers.next_deadline(), Some(t0 + ms(10)));
        assert_eq!(timers.pop_due(t0), None, "nothing is due yet");
        let due: Vec<_> = std::iter::from_fn(|| timers.pop_due(t0 + ms(20))).collect();
        assert_eq!(due, ["10", "10 again", "20"]);
        assert_eq!(timers.len(), 1);
        assert_eq!(timers.take_all().collect::<Vec<_>>(), ["30"]);
        assert_eq!(timers.next_deadline(), None);
    }
}
