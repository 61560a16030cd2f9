//! `window_skip(size, skip)`: a window of `size` items every `skip` items (overlapping when
//! `skip < size`, with gaps when `skip > size`); the machinery is `window`'s.

use reactive_core::{Publisher, Subscriber};

use super::window::{Window, subscribe_windows};

/// The publisher returned by [`PublisherExt::window_skip`](crate::PublisherExt::window_skip).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct WindowSkip<P> {
    source: P,
    size: usize,
    skip: usize,
}

impl<P> WindowSkip<P> {
    pub(crate) fn new(source: P, size: usize, skip: usize) -> Self {
        assert!(size > 0, "window_skip: size must be at least 1");
        assert!(skip > 0, "window_skip: skip must be at least 1");
        assert!(
            size <= usize::MAX / 2,
            "window_skip: size {size} is too large for a bounded queue"
        );
        WindowSkip { source, size, skip }
    }
}

impl<P> Publisher for WindowSkip<P>
where
    P: Publisher,
    P::Item: Clone + Send + 'static,
{
    type Item = Window<P::Item>;

    fn subscribe<D: Subscriber<Window<P::Item>> + 'static>(&self, downstream: D) {
        let copy = (self.skip < self.size).then_some(<P::Item as Clone>::clone as fn(&_) -> _);
        subscribe_windows(&self.source, downstream, self.size, self.skip, copy);
    }
}
