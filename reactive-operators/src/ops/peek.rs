//! What every side-effect operator shares: a subscriber that calls a hook at each signal
//! and passes the signal on unchanged (one generic type, so each operator is just its hook).

use reactive_core::{Error, Subscriber, SubscriptionRef};

/// The hooks of one side-effect operator, per subscription. Each runs before the signal is
/// passed on, except [`after_terminal`](Self::after_terminal).
pub(crate) trait Hooks<T>: Send {
    /// Sees the upstream subscription and returns the one handed downstream: the upstream's
    /// own (pass-through) unless the operator watches requests or cancels.
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) -> SubscriptionRef {
        subscription
    }

    /// Sees each item, on both the plain and the conditional path.
    #[inline]
    fn on_next(&mut self, _item: &T) {}

    /// Sees the error.
    #[inline]
    fn on_error(&mut self, _error: &Error) {}

    /// Sees the completion.
    #[inline]
    fn on_complete(&mut self) {}

    /// Runs after the downstream got its terminal signal.
    #[inline]
    fn after_terminal(&mut self) {}
}

/// The subscriber of every side-effect operator.
pub(crate) struct PeekSubscriber<S, H> {
    pub(crate) downstream: S,
    pub(crate) hooks: H,
}

impl<T, S, H> Subscriber<T> for PeekSubscriber<S, H>
where
    S: Subscriber<T>,
    H: Hooks<T>,
{
    #[inline]
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        let handed = self.hooks.on_subscribe(subscription);
        self.downstream.on_subscribe(handed);
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        self.hooks.on_next(&item);
        self.downstream.on_next(item);
    }

    #[inline]
    fn try_on_next(&mut self, item: T) -> bool {
        // Keeps the conditional path of the stage below (a `filter` after `inspect`).
        self.hooks.on_next(&item);
        self.downstream.try_on_next(item)
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        self.hooks.on_error(&error);
        self.downstream.on_error(error);
        self.hooks.after_terminal();
    }

    #[inline]
    fn on_complete(&mut self) {
        self.hooks.on_complete();
        self.downstream.on_complete();
        self.hooks.after_terminal();
    }
}

/// The publisher struct of a side-effect operator with one closure `F` (bounded by the
/// tokens after the hooks' name): `source` and `f`, `new`, `Clone`, `Debug`, and a
/// `Publisher` impl that subscribes a [`PeekSubscriber`] with the hooks `$hooks(f.clone())`.
macro_rules! peek_operator {
    ($(#[$meta:meta])* $name:ident, $hooks:ident, $($bound:tt)+) => {
        $(#[$meta])*
        #[must_use = "publishers do nothing until subscribed"]
        #[derive(Clone)]
        pub struct $name<P, F> {
            source: P,
            f: F,
        }

        impl<P, F> $name<P, F> {
            pub(crate) fn new(source: P, f: F) -> Self {
                $name { source, f }
            }
        }

        crate::ops::one_value::debug_with_source!($name, F);

        impl<P, F> reactive_core::Publisher for $name<P, F>
        where
            P: reactive_core::Publisher,
            F: Clone + $($bound)+,
        {
            type Item = P::Item;

            fn subscribe<S>(&self, subscriber: S)
            where
                S: reactive_core::Subscriber<P::Item> + 'static,
            {
                self.source.subscribe(crate::ops::peek::PeekSubscriber {
                    downstream: subscriber,
                    hooks: $hooks(self.f.clone()),
                });
            }
        }
    };
}
pub(crate) use peek_operator;
