//! `switch_map`: each outer item mapped to an inner publisher that replaces the current one
//! (the drain loop is in `sequential.rs`).

use reactive_core::{Publisher, Subscriber};

use super::sequential::{self, Mode};

/// The publisher returned by [`PublisherExt::switch_map`](crate::PublisherExt::switch_map).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Debug, Clone)]
pub struct SwitchMap<P, F> {
    source: P,
    f: F,
}

impl<P, F> SwitchMap<P, F> {
    pub(crate) fn new(source: P, f: F) -> Self {
        SwitchMap { source, f }
    }
}

impl<P, Q, F> Publisher for SwitchMap<P, F>
where
    P: Publisher,
    P::Item: Send + 'static,
    Q: Publisher + Send + 'static,
    Q::Item: Send + 'static,
    F: FnMut(P::Item) -> Q + Clone + Send + 'static,
{
    type Item = Q::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<Q::Item> + 'static,
    {
        sequential::subscribe(&self.source, self.f.clone(), Mode::Switch, subscriber);
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;

    use reactive_core::Publisher;
    use reactive_core::sync::atomic::Ordering;
    use reactive_core::sync::{Mutex, thread};

    use super::SwitchMap;
    use crate::ops::loom_support::{Asked, Manual, Slot};
    use crate::ops::sequential::loom_recorder::{Recorder, Seen};

    /// The old inner sends an item on one thread while the next outer item switches to the
    /// new inner on another: an item the old inner sends after it saw its cancel is never
    /// delivered, an earlier one may be but only before the new inner's items, and the new
    /// inner's item is always delivered.
    #[test]
    fn switch_races_inner_on_next() {
        loom::model(|| {
            let (outer, _, outer_slot) = Manual::new();
            let inners: Vec<(Arc<Manual>, Arc<Asked>, Slot)> = (0..2)
                .map(|_| {
                    let (m, asked, slot) = Manual::new();
                    (Arc::new(m), asked, slot)
                })
                .collect();
            let publishers: Arc<Vec<Arc<Manual>>> =
                Arc::new(inners.iter().map(|(m, _, _)| m.clone()).collect());
            let seen = Arc::new(Mutex::new(Seen::default()));
            SwitchMap::new(outer, move |i: u64| publishers[i as usize].clone()).subscribe(
                Recorder {
                    seen: seen.clone(),
                    initial: 10,
                },
            );
            let mut upstream = outer_slot.lock().take().expect("the outer was subscribed");
            upstream.on_next(0);
            let mut old = inners[0].2.lock().take().expect("inner 0 subscribed");
            let old_asked = inners[0].1.clone();
            let t = thread::spawn(move || {
                let late = old_asked.cancelled.load(Ordering::Acquire);
                old.on_next(100);
                drop(old);
                late
            });
            upstream.on_next(1);
            // The switch runs on whichever thread drains: both have finished after the join.
            let late = t.join().unwrap();
            let taken = inners[1].2.lock().take();
            let Some(mut new) = taken else {
                panic!(
                    "inner 1 not subscribed: items {:?}, late {late}, asked {}",
                    seen.lock().items,
                    inners[1].1.requested.load(Ordering::Acquire)
                );
            };
            new.on_next(200);
            let items = seen.lock().items.clone();
            assert_eq!(items.last(), Some(&200), "the new inner's item: {items:?}");
            assert!(
                !(late && items.contains(&100)),
                "an item sent after the cancel was delivered: {items:?}"
            );
            assert!(items == [200] || items == [100, 200], "{items:?}");
            upstream.on_complete();
            new.on_complete();
            drop(new);
            seen.lock().subscription = None;
        });
    }
}
