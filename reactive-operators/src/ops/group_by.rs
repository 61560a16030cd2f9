//! `group_by`: one child publisher per key, each with a bounded queue.
//!
//! The upstream side (serial) keeps a map from key to the open group's queue producer; the
//! drain loop of [`substreams`](super::substreams) serves the outer downstream and every
//! group's subscriber.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::sync::Arc;

use reactive_core::queue::Producer;
use reactive_core::{Error, ErrorKind, Publisher, Subscriber, SubscriptionRef};

use super::substreams::{ChildShared, Hub, Substream};

/// What [`group_by`](crate::PublisherExt::group_by) does when a group's queue is full (the
/// group's subscriber, or the outer downstream that should take the group, is not keeping
/// up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupOverflow {
    /// The stream fails: the upstream is cancelled, and the outer downstream and every group
    /// get `Error::buffer_overflow` naming `group_by`, the key and the capacity. The default:
    /// a stalled group never hangs the pipeline silently.
    #[default]
    Error,
    /// The item is dropped (and given to the callback set with
    /// [`GroupBy::on_dropped`], if any); the other groups go on.
    Drop,
    /// The upstream is replenished only as the groups' subscribers consume, so a group that is
    /// not consumed stalls the whole pipeline once `prefetch` items wait in the queues, and it
    /// resumes when that group is consumed (or cancelled).
    Backpressure,
}

/// The callback of [`GroupOverflow::Drop`].
type OnDropped<K, T> = Arc<dyn Fn(&K, T) + Send + Sync>;

/// The publisher returned by [`PublisherExt::group_by`](crate::PublisherExt::group_by).
#[must_use = "publishers do nothing until subscribed"]
pub struct GroupBy<P, F, K, T> {
    source: P,
    key: F,
    prefetch: usize,
    max_groups: usize,
    overflow: GroupOverflow,
    on_dropped: Option<OnDropped<K, T>>,
}

impl<P: Clone, F: Clone, K, T> Clone for GroupBy<P, F, K, T> {
    fn clone(&self) -> Self {
        GroupBy {
            source: self.source.clone(),
            key: self.key.clone(),
            prefetch: self.prefetch,
            max_groups: self.max_groups,
            overflow: self.overflow,
            on_dropped: self.on_dropped.clone(),
        }
    }
}

impl<P, F, K, T> GroupBy<P, F, K, T> {
    /// The prefetch [`group_by`](crate::PublisherExt::group_by) is usually given: 256.
    pub const DEFAULT_PREFETCH: usize = 256;

    /// The default bound on the number of groups open at once: 1024.
    pub const DEFAULT_MAX_GROUPS: usize = 1024;

    pub(crate) fn new(source: P, key: F, prefetch: usize) -> Self {
        assert!(prefetch > 0, "group_by: prefetch must be at least 1");
        assert!(
            prefetch <= usize::MAX / 2,
            "group_by: prefetch {prefetch} is too large for a bounded queue"
        );
        GroupBy {
            source,
            key,
            prefetch,
            max_groups: Self::DEFAULT_MAX_GROUPS,
            overflow: GroupOverflow::Error,
            on_dropped: None,
        }
    }

    /// Sets what happens when a group's queue is full ([`GroupOverflow::Error`] by default).
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_operators::ops::GroupOverflow;
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // The groups are kept but never subscribed: with `Drop` each queue keeps 2 items,
    /// // the rest is dropped, and the stream completes.
    /// let groups = range(0u64..100)
    ///     .group_by(|x| x % 2, 2)
    ///     .overflow(GroupOverflow::Drop)
    ///     .collect::<Vec<_>>();
    /// StepVerifier::create(&groups)
    ///     .expect_next_matches(|groups| groups.len() == 2)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn overflow(mut self, policy: GroupOverflow) -> Self {
        self.overflow = policy;
        self
    }

    /// Sets the most groups open at once (1024 by default); one more key fails the stream
    /// with an error of kind `Overflow`. A group stops counting once it is cancelled,
    /// completed, or dropped unsubscribed.
    ///
    /// # Panics
    ///
    /// If `max` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use reactive_core::ErrorKind;
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// // The groups are kept (collected), so they stay open: the third key is one too many.
    /// let groups = range(0u64..10).group_by(|x| *x, 4).max_groups(2).collect::<Vec<_>>();
    /// StepVerifier::create(&groups)
    ///     .expect_error_kind(ErrorKind::Overflow)
    ///     .verify()
    ///     .unwrap();
    /// ```
    pub fn max_groups(mut self, max: usize) -> Self {
        assert!(max > 0, "group_by: max_groups must be at least 1");
        self.max_groups = max;
        self
    }

    /// Selects [`GroupOverflow::Drop`] and calls `f` with the key and the item for every
    /// item dropped because its group's queue was full.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use reactive_core::sync::atomic::{AtomicU64, Ordering};
    /// use reactive_operators::{range, PublisherExt};
    /// use reactive_tck::StepVerifier;
    ///
    /// let dropped = Arc::new(AtomicU64::new(0));
    /// let seen = dropped.clone();
    /// // One group, kept but never subscribed: its queue keeps 4 items, 6 are dropped.
    /// let groups = range(0u64..10)
    ///     .group_by(|_| 'a', 4)
    ///     .on_dropped(move |_key, _item| {
    ///         seen.fetch_add(1, Ordering::Relaxed);
    ///     })
    ///     .collect::<Vec<_>>();
    /// StepVerifier::create(&groups)
    ///     .expect_next_count(1)
    ///     .expect_complete()
    ///     .verify()
    ///     .unwrap();
    /// assert_eq!(dropped.load(Ordering::Relaxed), 6);
    /// ```
    pub fn on_dropped(mut self, f: impl Fn(&K, T) + Send + Sync + 'static) -> Self {
        self.overflow = GroupOverflow::Drop;
        self.on_dropped = Some(Arc::new(f));
        self
    }
}

impl<P: fmt::Debug, F, K, T> fmt::Debug for GroupBy<P, F, K, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupBy")
            .field("source", &self.source)
            .field("prefetch", &self.prefetch)
            .field("max_groups", &self.max_groups)
            .field("overflow", &self.overflow)
            .finish_non_exhaustive()
    }
}

/// One group of [`group_by`](crate::PublisherExt::group_by): the items with one key, as a
/// publisher of its own with its own demand and a queue of `prefetch` items.
///
/// It accepts one subscriber; a second one gets `on_subscribe` and then an error of kind
/// `Rejected`. Dropping it without subscribing cancels the group: its queued items are
/// dropped, and a later item with its key opens a fresh group.
///
/// # Examples
///
/// ```
/// use reactive_operators::{range, PublisherExt};
/// use reactive_tck::{StepVerifier, TestSubscriber};
///
/// use reactive_core::Publisher;
///
/// let (odd, even) = (TestSubscriber::new(), TestSubscriber::new()); // request everything
/// let (o, e) = (odd.clone(), even.clone());
/// let keys = range(1u64..=5).group_by(|x| x % 2, 16).map(move |group| {
///     group.subscribe(if *group.key() == 1 { o.clone() } else { e.clone() });
///     *group.key()
/// });
/// StepVerifier::create(&keys)
///     .expect_next_values([1, 0])
///     .expect_complete()
///     .verify()
///     .unwrap();
/// assert_eq!(odd.values(), [1, 3, 5]);
/// assert_eq!(even.values(), [2, 4]);
/// assert!(odd.is_complete() && even.is_complete());
/// ```
pub struct GroupedPublisher<K, T: Send + 'static> {
    key: K,
    stream: Substream<T>,
}

impl<K, T: Send + 'static> GroupedPublisher<K, T> {
    /// The key every item of this group has.
    pub fn key(&self) -> &K {
        &self.key
    }
}

impl<K: fmt::Debug, T: Send + 'static> fmt::Debug for GroupedPublisher<K, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupedPublisher")
            .field("key", &self.key)
            .field("subscribed", &self.stream.is_claimed())
            .finish()
    }
}

impl<K, T: Send + 'static> Publisher for GroupedPublisher<K, T> {
    type Item = T;

    fn subscribe<S: Subscriber<T> + 'static>(&self, subscriber: S) {
        self.stream.subscribe(subscriber);
    }
}

impl<P, F, K, T> Publisher for GroupBy<P, F, K, T>
where
    P: Publisher<Item = T>,
    T: Send + 'static,
    F: FnMut(&T) -> K + Clone + Send + 'static,
    K: Hash + Eq + Clone + fmt::Debug + Send + Sync + 'static,
{
    type Item = GroupedPublisher<K, T>;

    fn subscribe<D>(&self, downstream: D)
    where
        D: Subscriber<GroupedPublisher<K, T>> + 'static,
    {
        let limit = crate::replenish_limit(self.prefetch) as u64;
        let replenish = (self.overflow == GroupOverflow::Backpressure).then_some(limit);
        let hub = Hub::start(downstream, None, replenish, ("group_by", "group"));
        self.source.subscribe(GroupBySubscriber {
            hub,
            key: self.key.clone(),
            groups: HashMap::new(),
            next_id: 0,
            prefetch: self.prefetch,
            limit,
            released: 0,
            max_groups: self.max_groups,
            overflow: self.overflow,
            on_dropped: self.on_dropped.clone(),
            done: false,
        });
    }
}

/// An open group, as the upstream side holds it.
struct Open<T> {
    producer: Producer<T>,
    shared: Arc<ChildShared<T>>,
}

/// The subscriber put upstream: routes each item to its group's queue.
struct GroupBySubscriber<K, T: Send + 'static, F, D> {
    hub: Arc<Hub<T, GroupedPublisher<K, T>, D>>,
    key: F,
    groups: HashMap<K, Open<T>>,
    next_id: u64,
    prefetch: usize,
    limit: u64,
    /// Items gone since the last replenish, counted on this side.
    released: u64,
    max_groups: usize,
    overflow: GroupOverflow,
    on_dropped: Option<OnDropped<K, T>>,
    /// The upstream ended, or this stage failed it: later signals are ignored.
    done: bool,
}

impl<K, T, F, D> GroupBySubscriber<K, T, F, D>
where
    T: Send + 'static,
    F: FnMut(&T) -> K,
    K: Hash + Eq + Clone + fmt::Debug + Send + Sync + 'static,
    D: Subscriber<GroupedPublisher<K, T>> + 'static,
{
    /// One item left this side without reaching a queue, or (unless the policy is
    /// `Backpressure`, whose replenishing follows consumption) reached one: replenish by the
    /// 75% rule.
    fn release(&mut self) {
        self.released += 1;
        if self.released == self.limit {
            self.released = 0;
            self.hub.upstream.request(self.limit);
        }
    }

    /// The end of the upstream, or of this stage: the outer stream and every open group.
    fn end(&mut self, error: Option<Error>) {
        self.done = true;
        let open = self.groups.drain().map(|(_, open)| open.shared);
        self.hub.end(error, open);
    }

    fn fail(&mut self, error: Error) {
        self.hub.upstream.cancel();
        self.end(Some(error));
    }

    /// The open group for `key`, opening a fresh one if there is none (or it was let go).
    /// `None` when no group may be opened: the item is dropped (outer gone) or the stream
    /// failed (too many groups).
    fn group(&mut self, key: &K) -> Option<&mut Open<T>> {
        if self
            .groups
            .get(key)
            .is_some_and(|open| open.shared.is_closed())
        {
            self.groups.remove(key);
        }
        if !self.groups.contains_key(key) {
            if self.hub.outer_gone() {
                return None;
            }
            if self.groups.len() >= self.max_groups {
                self.groups.retain(|_, open| !open.shared.is_closed());
                if self.groups.len() >= self.max_groups {
                    let max = self.max_groups;
                    self.fail(Error::new(
                        ErrorKind::Overflow,
                        format!("group_by: key {key:?} would open group {} of at most {max} (max_groups)", max + 1),
                    ));
                    return None;
                }
            }
            let id = self.next_id;
            self.next_id += 1;
            let group_key = key.clone();
            let (producer, shared) = self.hub.open(id, self.prefetch, |stream| GroupedPublisher {
                key: group_key,
                stream,
            });
            self.groups.insert(key.clone(), Open { producer, shared });
        }
        self.groups.get_mut(key)
    }
}

impl<K, T, F, D> Subscriber<T> for GroupBySubscriber<K, T, F, D>
where
    T: Send + 'static,
    F: FnMut(&T) -> K + Send,
    K: Hash + Eq + Clone + fmt::Debug + Send + Sync + 'static,
    D: Subscriber<GroupedPublisher<K, T>> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // A second subscription, or one after a cancel, is cancelled (rule 2.5).
        if self.hub.upstream.set(subscription.clone()) {
            subscription.request(self.prefetch as u64);
        }
    }

    fn on_next(&mut self, item: T) {
        if self.done {
            return;
        }
        let key = (self.key)(&item);
        let backpressure = self.overflow == GroupOverflow::Backpressure;
        let Some(open) = self.group(&key) else {
            if !self.done {
                // The outer downstream is gone and this key has no live group: dropped. With
                // no live group left either, nobody needs the upstream any more (the drain
                // would cancel it too, but a synchronous upstream may be emitting inside one
                // of its passes).
                drop(item);
                self.groups.retain(|_, open| !open.shared.is_closed());
                if self.groups.is_empty() {
                    self.done = true;
                    self.hub.upstream.cancel();
                } else {
                    self.release();
                }
            }
            return;
        };
        match open.producer.offer(item) {
            Ok(()) => {
                open.shared.signal();
                if !backpressure {
                    self.release();
                }
            }
            Err(item) => match self.overflow {
                GroupOverflow::Drop => {
                    if let Some(f) = &self.on_dropped {
                        f(&key, item);
                    }
                    self.release();
                }
                // With `Backpressure` the queues together never hold more than `prefetch`
                // items unless the upstream sent more than it was asked for (rule 1.1).
                GroupOverflow::Error | GroupOverflow::Backpressure => {
                    drop(item);
                    let capacity = self.prefetch;
                    self.fail(Error::buffer_overflow(
                        &format!("group_by: the queue of group {key:?}"),
                        capacity,
                    ));
                }
            },
        }
    }

    fn on_error(&mut self, error: Error) {
        if !self.done {
            self.end(Some(error));
        }
    }

    fn on_complete(&mut self) {
        if !self.done {
            self.end(None);
        }
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;

    use reactive_core::sync::Mutex;
    use reactive_core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use reactive_core::sync::thread;
    use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef, UNBOUNDED};

    use super::{GroupBy, GroupedPublisher};
    use crate::ops::loom_harness::{Asked, Manual, Slot};

    /// What the group's subscriber saw.
    struct Seen {
        items: Mutex<Vec<u64>>,
        completes: AtomicU64,
        dropped: AtomicBool,
    }

    impl Seen {
        fn new() -> Self {
            Seen {
                items: Mutex::new(Vec::new()),
                completes: AtomicU64::new(0),
                dropped: AtomicBool::new(false),
            }
        }
    }

    /// Subscribes the groups it gets (requesting everything), after asking for every group.
    struct Outer {
        subscription: Arc<Mutex<Option<SubscriptionRef>>>,
        groups: Arc<AtomicU64>,
        seen: Arc<Seen>,
        dropped: Arc<AtomicBool>,
    }

    impl Subscriber<GroupedPublisher<u64, u64>> for Outer {
        fn on_subscribe(&mut self, s: SubscriptionRef) {
            s.request(UNBOUNDED);
            *self.subscription.lock() = Some(s);
        }
        fn on_next(&mut self, group: GroupedPublisher<u64, u64>) {
            self.groups.fetch_add(1, Ordering::AcqRel);
            group.subscribe(Inner(self.seen.clone()));
        }
        fn on_error(&mut self, _: Error) {}
        fn on_complete(&mut self) {}
    }

    impl Drop for Outer {
        fn drop(&mut self) {
            self.dropped.store(true, Ordering::Release);
        }
    }

    struct Inner(Arc<Seen>);

    impl Subscriber<u64> for Inner {
        fn on_subscribe(&mut self, s: SubscriptionRef) {
            s.request(UNBOUNDED);
        }
        fn on_next(&mut self, item: u64) {
            self.0.items.lock().push(item);
        }
        fn on_error(&mut self, _: Error) {}
        fn on_complete(&mut self) {
            self.0.completes.fetch_add(1, Ordering::AcqRel);
        }
    }

    impl Drop for Inner {
        fn drop(&mut self) {
            self.0.dropped.store(true, Ordering::Release);
        }
    }

    /// "group_by new group vs cancel": the item that opens a new group arrives on one thread
    /// while the outer downstream cancels on another. Either the group was delivered and is
    /// served (its item, then its completion when the upstream completes, then it is
    /// dropped), or it never reached the downstream and the upstream was cancelled (nobody
    /// is left); never a group stranded in between, and the outer downstream is dropped.
    #[test]
    fn new_group_races_outer_cancel() {
        loom::model(|| {
            let asked = Arc::new(Asked::default());
            let slot: Slot = Arc::new(Mutex::new(None));
            let subscription = Arc::new(Mutex::new(None));
            let groups = Arc::new(AtomicU64::new(0));
            let seen = Arc::new(Seen::new());
            let outer_dropped = Arc::new(AtomicBool::new(false));
            let manual = Manual {
                asked: asked.clone(),
                subscriber: slot.clone(),
            };
            GroupBy::new(manual, |x: &u64| *x % 2, 2).subscribe(Outer {
                subscription: subscription.clone(),
                groups: groups.clone(),
                seen: seen.clone(),
                dropped: outer_dropped.clone(),
            });
            let handle: SubscriptionRef = subscription.lock().clone().expect("subscribed");
            let canceller = thread::spawn(move || handle.cancel());
            let mut upstream = slot.lock().take().expect("subscribed upstream");
            upstream.on_next(1);
            canceller.join().unwrap();
            upstream.on_complete();
            assert!(
                outer_dropped.load(Ordering::Acquire),
                "outer kept after cancel (3.13)"
            );
            if groups.load(Ordering::Acquire) == 1 {
                assert_eq!(*seen.items.lock(), [1], "a delivered group is served");
                assert_eq!(seen.completes.load(Ordering::Acquire), 1);
                assert!(
                    seen.dropped.load(Ordering::Acquire),
                    "group subscriber kept (3.13)"
                );
            } else {
                assert!(seen.items.lock().is_empty());
                assert!(
                    asked.cancelled.load(Ordering::Acquire),
                    "no group reached the downstream and the upstream was not cancelled"
                );
            }
        });
    }
}
