use reactive_core::{Publisher, Subscriber};

use super::judged::{Judge, JudgedSubscriber, Verdict};

/// The publisher returned by [`PublisherExt::step_by`](crate::PublisherExt::step_by).
#[must_use = "publishers do nothing until subscribed"]
#[derive(Clone, Debug)]
pub struct StepBy<P> {
    source: P,
    step: usize,
}

impl<P> StepBy<P> {
    pub(crate) fn new(source: P, step: usize) -> Self {
        assert!(step != 0, "step_by: the step must not be 0");
        StepBy { source, step }
    }
}

impl<P: Publisher> Publisher for StepBy<P> {
    type Item = P::Item;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<P::Item> + 'static,
    {
        self.source.subscribe(JudgedSubscriber::new(
            subscriber,
            StepByJudge {
                step: self.step,
                // The first item is emitted.
                to_skip: 0,
            },
        ));
    }
}

/// Emits one item, drops the next `step - 1`, and so on.
struct StepByJudge {
    step: usize,
    /// Items to drop before the next one is emitted.
    to_skip: usize,
}

impl<T> Judge<T> for StepByJudge {
    type Out = T;

    #[inline]
    fn judge(&mut self, item: T) -> Verdict<T> {
        if self.to_skip > 0 {
            self.to_skip -= 1;
            return Verdict::Drop;
        }
        self.to_skip = self.step - 1;
        Verdict::Emit(item)
    }
}
