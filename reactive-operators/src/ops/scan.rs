use reactive_core::{Publisher, Subscriber};

use super::judged::{Judge, JudgedSubscriber, Verdict};

/// The publisher returned by [`PublisherExt::scan`](crate::PublisherExt::scan).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone)]
pub struct Scan<P, St, F> {
    source: P,
    initial: St,
    f: F,
}

impl<P, St, F> Scan<P, St, F> {
    pub(crate) fn new(source: P, initial: St, f: F) -> Self {
        Scan { source, initial, f }
    }
}

impl<P: std::fmt::Debug, St: std::fmt::Debug, F> std::fmt::Debug for Scan<P, St, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scan")
            .field("source", &self.source)
            .field("initial", &self.initial)
            .finish_non_exhaustive()
    }
}

impl<P, St, F, U> Publisher for Scan<P, St, F>
where
    P: Publisher,
    St: Clone + Send + 'static,
    F: FnMut(&mut St, P::Item) -> Option<U> + Clone + Send + 'static,
{
    type Item = U;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<U> + 'static,
    {
        self.source.subscribe(JudgedSubscriber::new(
            subscriber,
            ScanJudge {
                state: self.initial.clone(),
                f: self.f.clone(),
            },
        ));
    }
}

/// The state of one subscription; the first `None` stops the stream.
struct ScanJudge<St, F> {
    state: St,
    f: F,
}

impl<T, U, St, F> Judge<T> for ScanJudge<St, F>
where
    St: Send,
    F: FnMut(&mut St, T) -> Option<U> + Send,
{
    type Out = U;

    #[inline]
    fn judge(&mut self, item: T) -> Verdict<U> {
        match (self.f)(&mut self.state, item) {
            Some(out) => Verdict::Emit(out),
            None => Verdict::Stop,
        }
    }
}
