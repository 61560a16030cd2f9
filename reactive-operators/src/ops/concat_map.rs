//! `concat_map` and `concat_map_delay_error`: each outer item mapped to an inner publisher,
//! the inners played one after another (the drain loop is in `sequential.rs`).

use reactive_core::{Publisher, Subscriber};

use super::sequential::{self, Mode};

/// The publisher returned by [`PublisherExt::concat_map`](crate::PublisherExt::concat_map)
/// and [`PublisherExt::concat_map_delay_error`](crate::PublisherExt::concat_map_delay_error).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Debug, Clone)]
pub struct ConcatMap<P, F> {
    source: P,
    f: F,
    prefetch: usize,
    delay_error: bool,
}

impl<P, F> ConcatMap<P, F> {
    pub(crate) fn new(source: P, f: F, prefetch: usize, delay_error: bool) -> Self {
        assert!(prefetch > 0, "concat_map: prefetch must be at least 1");
        assert!(
            prefetch <= usize::MAX / 2,
            "concat_map: prefetch {prefetch} is too large for a bounded queue"
        );
        ConcatMap {
            source,
            f,
            prefetch,
            delay_error,
        }
    }
}

impl<P, Q, F> Publisher for ConcatMap<P, F>
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
        let mode = Mode::Concat {
            prefetch: self.prefetch,
            delay_error: self.delay_error,
        };
        sequential::subscribe(&self.source, self.f.clone(), mode, subscriber);
    }
}

#[cfg(all(test, reactive_loom))]
mod loom_models {
    use std::sync::Arc;

    use reactive_core::Publisher;
    use reactive_core::sync::atomic::Ordering;
    use reactive_core::sync::{Mutex, thread};

    use super::ConcatMap;
    use crate::ops::loom_support::Manual;
    use crate::ops::sequential::loom_recorder::{Recorder, Seen};
    use crate::source::Just;

    /// An outer item arrives (and is queued, then mapped to a fused `just`) on one thread
    /// while the downstream's first request arrives on another: whichever drains, the item
    /// is delivered exactly once, never before the request, and the outer was asked for the
    /// prefetch.
    #[test]
    fn outer_item_races_request() {
        loom::model(|| {
            let (outer, asked, slot) = Manual::new();
            let seen = Arc::new(Mutex::new(Seen::default()));
            ConcatMap::new(outer, crate::just as fn(u64) -> Just<u64>, 2, false).subscribe(
                Recorder {
                    seen: seen.clone(),
                    initial: 0,
                },
            );
            let subscription = seen.lock().subscription.clone().expect("on_subscribe ran");
            let mut upstream = slot.lock().take().expect("the outer was subscribed");
            assert_eq!(asked.requested.load(Ordering::Acquire), 2, "the prefetch");
            let t = thread::spawn(move || subscription.request(1));
            upstream.on_next(5);
            t.join().unwrap();
            assert_eq!(seen.lock().items, [5], "delivered exactly once");
            upstream.on_complete();
            assert!(seen.lock().completed);
            seen.lock().subscription = None;
        });
    }
}
