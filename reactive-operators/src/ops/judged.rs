//! The subscriber shared by the synchronous operators that look at one item at a time and
//! either emit something for it, drop it, or end the stream there (`filter_map`, `scan`,
//! `step_by`, `take_while`, `skip_while`, `distinct`, `distinct_until_changed`): each
//! operator's file holds only its [`Judge`], the per-subscription state that decides.

use reactive_core::{Error, Subscriber, SubscriptionRef};

/// What to do with one item.
pub(crate) enum Verdict<U> {
    /// Emit this.
    Emit(U),
    /// Drop the item: on the conditional path it does not count against demand; on the plain
    /// path it is replaced with `request(1)` upstream.
    Drop,
    /// End here: cancel the upstream (rule 2.6) and complete; the item emits nothing.
    Stop,
    /// End here with this error: cancel the upstream and fail.
    Fail(Error),
}

/// The per-subscription state of an operator, deciding item by item.
pub(crate) trait Judge<T>: Send {
    /// What the operator emits.
    type Out;
    /// The verdict on `item`; not called again after a `Stop` or a `Fail`.
    fn judge(&mut self, item: T) -> Verdict<Self::Out>;
}

/// Wraps the downstream; the upstream subscription goes downstream unchanged (these operators
/// change no demand), and a clone is kept for the replacement requests and the cancel.
pub(crate) struct JudgedSubscriber<S, J> {
    downstream: S,
    judge: J,
    upstream: Option<SubscriptionRef>,
    subscribed: bool,
    /// Set once a terminal signal went downstream; later upstream signals are ignored
    /// (rule 2.8: items may still arrive after our cancel).
    done: bool,
}

impl<S, J> JudgedSubscriber<S, J> {
    pub(crate) fn new(downstream: S, judge: J) -> Self {
        JudgedSubscriber {
            downstream,
            judge,
            upstream: None,
            subscribed: false,
            done: false,
        }
    }

    /// Ends the stream from inside: cancels the upstream, then completes (no error) or fails.
    #[cold]
    fn end<U>(&mut self, error: Option<Error>)
    where
        S: Subscriber<U>,
    {
        self.done = true;
        if let Some(upstream) = self.upstream.take() {
            upstream.cancel();
        }
        match error {
            None => self.downstream.on_complete(),
            Some(error) => self.downstream.on_error(error),
        }
    }
}

impl<T, S, J> Subscriber<T> for JudgedSubscriber<S, J>
where
    J: Judge<T>,
    S: Subscriber<J::Out>,
{
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        if self.subscribed {
            // Rule 2.5: a second subscription is cancelled, the first one stays.
            subscription.cancel();
            return;
        }
        self.subscribed = true;
        self.upstream = Some(subscription.clone());
        self.downstream.on_subscribe(subscription);
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        if self.done {
            return;
        }
        match self.judge.judge(item) {
            Verdict::Emit(out) => self.downstream.on_next(out),
            Verdict::Drop => {
                if let Some(upstream) = &self.upstream {
                    // The upstream counted this item against the downstream's demand.
                    upstream.request(1);
                }
            }
            Verdict::Stop => self.end::<J::Out>(None),
            Verdict::Fail(error) => self.end::<J::Out>(Some(error)),
        }
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        if self.done {
            return false;
        }
        match self.judge.judge(item) {
            Verdict::Emit(out) => self.downstream.try_on_next(out),
            // Conditional path: a dropped item is "not delivered", so it costs no request.
            Verdict::Drop => false,
            Verdict::Stop => {
                self.end::<J::Out>(None);
                false
            }
            Verdict::Fail(error) => {
                self.end::<J::Out>(Some(error));
                false
            }
        }
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        if !self.done {
            self.done = true;
            self.upstream = None;
            self.downstream.on_error(error);
        }
    }

    #[inline]
    fn on_complete(&mut self) {
        if !self.done {
            self.done = true;
            self.upstream = None;
            self.downstream.on_complete();
        }
    }
}
