//! A bounded single-producer single-consumer ring.
//!
//! # Memory ordering
//!
//! The ring has two indices that only grow (wrapping at `usize::MAX`): `tail`, written only by
//! the producer, and `head`, written only by the consumer. Position `i` (stored in slot
//! `i & mask`) holds an item when `head <= i < tail`; every other slot is empty and belongs to
//! the producer. The ring is full when `tail - head` is the capacity that was asked for; the
//! slot array is that capacity rounded up to a power of two, so that a slot is found with a
//! mask rather than a division (the spare slots are never used: at most `capacity`
//! consecutive positions are live, and they fall in distinct slots).
//!
//! * The producer writes the item into slot `tail & mask`, then publishes it with a `Release`
//!   store of `tail + 1`. The consumer's `Acquire` load of `tail` synchronizes with that store,
//!   so the item's bytes are visible before the consumer reads the slot.
//! * The consumer moves the item out of slot `head & mask`, then frees the slot with a
//!   `Release` store of `head + 1`. The producer's `Acquire` load of `head` synchronizes with
//!   it, so the consumer's read finished before the producer overwrites the slot.
//! * Each side keeps a private copy of the other side's index and reloads it only when the
//!   copy says "full" (producer) or "empty" (consumer). A stale copy is always conservative:
//!   indices only grow, so an old `head` makes the ring look fuller and an old `tail` makes it
//!   look emptier than it is, never the other way round.
//! * `head` and `tail` live on separate cache lines ([`CachePadded`]) so the two threads do not
//!   fight over one line; the private copies live in the handles, on each side's own line.

use std::mem::MaybeUninit;

use crossbeam_utils::CachePadded;

use crate::loom::UnsafeCell;
use crate::loom::sync::Arc;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};

struct Ring<T> {
    /// Next slot the consumer reads. Written only by the consumer.
    head: CachePadded<AtomicUsize>,
    /// Next slot the producer writes. Written only by the producer.
    tail: CachePadded<AtomicUsize>,
    /// The number of items the ring holds when full, exactly as asked for.
    capacity: usize,
    /// `slots.len() - 1`; `slots.len()` is `capacity` rounded up to a power of two.
    mask: usize,
    slots: Box<[UnsafeCell<MaybeUninit<T>>]>,
}

// SAFETY: a slot is touched by one side at a time, handed over through the Release/Acquire
// pairs on `head` and `tail` described in the module docs; items move between threads, which
// needs `T: Send`.
unsafe impl<T: Send> Sync for Ring<T> {}
// SAFETY: owning the ring is owning its items.
unsafe impl<T: Send> Send for Ring<T> {}

impl<T> Ring<T> {
    fn capacity(&self) -> usize {
        self.capacity
    }

    fn len(&self) -> usize {
        // Load head first: tail only grows, so tail - head never underflows.
        let head = self.head.load(Ordering::Acquire);
        let tail = self.tail.load(Ordering::Acquire);
        tail.wrapping_sub(head)
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Relaxed);
        let mut i = head;
        while i != tail {
            self.slots[i & self.mask].with_mut(|slot| {
                // SAFETY: `&mut self` means both handles are gone; slots in head..tail hold
                // initialized items that nobody else will read.
                unsafe { (*slot).assume_init_drop() }
            });
            i = i.wrapping_add(1);
        }
    }
}

/// Creates a bounded single-producer single-consumer ring holding exactly `capacity` items,
/// and returns its two ends.
///
/// This is the queue behind every asynchronous boundary: the upstream's `on_next` offers, the
/// drain loop on the other side polls. Neither end blocks; [`Producer::offer`] hands the item
/// back when the ring is full, so the caller decides what overflow means.
///
/// The slot array is rounded up to a power of two (a slot is found with a mask, not a
/// division), so a ring of 100 items allocates 128 slots; it still refuses the 101st item.
///
/// # Panics
///
/// If `capacity` is 0 or larger than `usize::MAX / 2`.
///
/// # Examples
///
/// ```
/// let (mut tx, mut rx) = reactive_core::queue::spsc(3);
/// assert_eq!(tx.capacity(), 3);
/// for i in 1..=3 {
///     assert!(tx.offer(i).is_ok());
/// }
/// assert_eq!(tx.offer(4), Err(4)); // full: exactly 3 items
/// assert_eq!(rx.poll(), Some(1));
/// assert!(tx.offer(4).is_ok());
/// assert_eq!(rx.len(), 3);
/// assert_eq!((rx.poll(), rx.poll(), rx.poll()), (Some(2), Some(3), Some(4)));
/// assert_eq!(rx.poll(), None);
/// ```
pub fn spsc<T>(capacity: usize) -> (Producer<T>, Consumer<T>) {
    assert!(capacity > 0, "spsc capacity must be at least 1");
    assert!(
        capacity <= usize::MAX / 2,
        "spsc capacity {capacity} is too large"
    );
    let slots = (0..capacity.next_power_of_two())
        .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
        .collect::<Vec<_>>()
        .into_boxed_slice();
    let ring = Arc::new(Ring {
        head: CachePadded::new(AtomicUsize::new(0)),
        tail: CachePadded::new(AtomicUsize::new(0)),
        capacity,
        mask: slots.len() - 1,
        slots,
    });
    (
        Producer {
            ring: ring.clone(),
            tail: 0,
            cached_head: 0,
        },
        Consumer {
            ring,
            head: 0,
            cached_tail: 0,
        },
    )
}

/// The writing end of an [`spsc`] ring. Not `Clone`: there is one producer.
pub struct Producer<T> {
    ring: Arc<Ring<T>>,
    /// Our own index (the ring's `tail` mirrors it).
    tail: usize,
    /// Last `head` we loaded; reloaded only when the ring looks full.
    cached_head: usize,
}

impl<T> Producer<T> {
    /// Appends `item`, or hands it back if the ring is full.
    #[inline]
    pub fn offer(&mut self, item: T) -> Result<(), T> {
        let cap = self.ring.capacity();
        if self.tail.wrapping_sub(self.cached_head) == cap {
            self.cached_head = self.ring.head.load(Ordering::Acquire);
            if self.tail.wrapping_sub(self.cached_head) == cap {
                return Err(item);
            }
        }
        self.ring.slots[self.tail & self.ring.mask].with_mut(|slot| {
            // SAFETY: tail - head < capacity <= slots, so slot `tail` is empty: the consumer finished
            // with it before its Release store of `head` that our Acquire load observed, and
            // it will not read it until our Release store of `tail + 1` below.
            unsafe { (*slot).write(item) };
        });
        self.tail = self.tail.wrapping_add(1);
        self.ring.tail.store(self.tail, Ordering::Release);
        Ok(())
    }

    /// How many items the ring holds when full: the capacity given to [`spsc`].
    pub fn capacity(&self) -> usize {
        self.ring.capacity()
    }

    /// Items in the ring right now (a snapshot).
    pub fn len(&self) -> usize {
        self.ring.len()
    }

    /// Whether the ring is empty right now (a snapshot).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The reading end of an [`spsc`] ring. Not `Clone`: there is one consumer.
pub struct Consumer<T> {
    ring: Arc<Ring<T>>,
    /// Our own index (the ring's `head` mirrors it).
    head: usize,
    /// Last `tail` we loaded; reloaded only when the ring looks empty.
    cached_tail: usize,
}

impl<T> Consumer<T> {
    /// Takes the oldest item, if any.
    #[inline]
    pub fn poll(&mut self) -> Option<T> {
        if self.head == self.cached_tail {
            self.cached_tail = self.ring.tail.load(Ordering::Acquire);
            if self.head == self.cached_tail {
                return None;
            }
        }
        let item = self.ring.slots[self.head & self.ring.mask].with(|slot| {
            // SAFETY: head < tail, so slot `head` is full: the producer wrote it before its
            // Release store of `tail` that our Acquire load observed, and will not overwrite it
            // until our Release store of `head + 1` below. Reading moves the item out; the slot
            // is treated as uninitialized from here on.
            unsafe { (*slot).assume_init_read() }
        });
        self.head = self.head.wrapping_add(1);
        self.ring.head.store(self.head, Ordering::Release);
        Some(item)
    }

    /// Drops every item in the ring (for cancellation).
    pub fn clear(&mut self) {
        while self.poll().is_some() {}
    }

    /// How many items the ring holds when full: the capacity given to [`spsc`].
    pub fn capacity(&self) -> usize {
        self.ring.capacity()
    }

    /// Items in the ring right now (a snapshot).
    pub fn len(&self) -> usize {
        self.ring.len()
    }

    /// Whether the ring is empty right now (a snapshot).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> std::fmt::Debug for Producer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Producer")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .finish()
    }
}

impl<T> std::fmt::Debug for Consumer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .finish()
    }
}

#[cfg(all(test, not(reactive_loom)))]
mod tests {
    use super::*;

    /// Exactly `cap` offers succeed and the next one fails, also for capacities that are not a
    /// power of two; after one poll exactly one more fits, and the ring keeps that edge while
    /// its indices wrap around the slot array many times.
    #[test]
    fn holds_exactly_the_capacity_asked_for() {
        for cap in [1, 2, 3, 5, 7, 8, 100] {
            let (mut tx, mut rx) = spsc::<usize>(cap);
            assert_eq!((tx.capacity(), rx.capacity()), (cap, cap));
            for round in 0..3 * cap {
                let base = round * cap;
                for i in 0..cap {
                    assert_eq!(tx.offer(base + i), Ok(()), "cap {cap}: offer {i} refused");
                }
                assert_eq!(
                    tx.offer(usize::MAX),
                    Err(usize::MAX),
                    "cap {cap}: held cap + 1"
                );
                assert_eq!(tx.len(), cap);
                assert_eq!(rx.poll(), Some(base));
                assert_eq!(tx.offer(base + cap), Ok(()), "cap {cap}: the freed slot");
                assert_eq!(tx.offer(usize::MAX), Err(usize::MAX));
                for i in 1..=cap {
                    assert_eq!(rx.poll(), Some(base + i), "cap {cap}: order");
                }
                assert_eq!(rx.poll(), None);
                // Shift the start by one so the next round's full edge falls on another slot.
                tx.offer(0).unwrap();
                rx.poll().unwrap();
            }
        }
    }

    #[test]
    fn wraps_around_many_times_in_order() {
        let (mut tx, mut rx) = spsc(4);
        let mut next_out = 0;
        for i in 0..1000u32 {
            while tx.offer(i).is_err() {
                assert_eq!(rx.poll(), Some(next_out));
                next_out += 1;
            }
        }
        while let Some(v) = rx.poll() {
            assert_eq!(v, next_out);
            next_out += 1;
        }
        assert_eq!(next_out, 1000);
    }

    #[test]
    fn dropping_the_ring_drops_queued_items() {
        let item = std::sync::Arc::new(());
        let (mut tx, rx) = spsc(4);
        tx.offer(item.clone()).unwrap();
        tx.offer(item.clone()).unwrap();
        assert_eq!(std::sync::Arc::strong_count(&item), 3);
        drop(tx);
        drop(rx);
        assert_eq!(std::sync::Arc::strong_count(&item), 1);
    }

    #[test]
    fn two_threads_move_a_million_items_in_order() {
        let (mut tx, mut rx) = spsc(64);
        const N: u64 = 1_000_000;
        let producer = std::thread::spawn(move || {
            for i in 0..N {
                let mut v = i;
                while let Err(back) = tx.offer(v) {
                    v = back;
                    std::hint::spin_loop();
                }
            }
        });
        let mut expected = 0;
        while expected < N {
            match rx.poll() {
                Some(v) => {
                    assert_eq!(v, expected);
                    expected += 1;
                }
                None => std::hint::spin_loop(),
            }
        }
        producer.join().unwrap();
        assert!(rx.is_empty());
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use super::*;
    use crate::loom::thread;

    /// A producer offers 3 items into a ring of 2 while the consumer polls: items arrive in
    /// order, none is lost or duplicated, and `offer` only fails when the ring is really full.
    #[test]
    fn spsc_full_and_empty_edges() {
        loom::model(|| {
            let (mut tx, mut rx) = spsc::<usize>(2);
            let producer = thread::spawn(move || {
                let mut sent = 0;
                let mut rejected = 0;
                while sent < 3 {
                    match tx.offer(sent) {
                        Ok(()) => sent += 1,
                        Err(_) => {
                            rejected += 1;
                            if rejected > 2 {
                                // give up: the consumer will see fewer items, checked below
                                break;
                            }
                            thread::yield_now();
                        }
                    }
                }
                sent
            });
            let mut got = Vec::new();
            for _ in 0..4 {
                match rx.poll() {
                    Some(v) => got.push(v),
                    None => thread::yield_now(),
                }
            }
            let sent = producer.join().unwrap();
            while let Some(v) = rx.poll() {
                got.push(v);
            }
            let expected: Vec<usize> = (0..sent).collect();
            assert_eq!(got, expected, "lost, duplicated or reordered");
        });
    }

    /// Items left in the ring are dropped exactly once when both ends go away.
    #[test]
    fn spsc_drop_with_items_in_flight() {
        loom::model(|| {
            let token = std::sync::Arc::new(());
            let (mut tx, mut rx) = spsc(2);
            let t2 = token.clone();
            let producer = thread::spawn(move || {
                let _ = tx.offer(t2.clone());
                let _ = tx.offer(t2);
            });
            let _ = rx.poll();
            producer.join().unwrap();
            drop(rx);
            assert_eq!(std::sync::Arc::strong_count(&token), 1);
        });
    }
}
