//! What every aggregate shares: a subscriber that folds the upstream's items into one
//! outcome with plain `&mut self` state, and hands the outcome to a
//! [`DeferredValue`](reactive_core::support::DeferredValue), which emits it once the
//! downstream has requested.

use std::ops::ControlFlow;
use std::sync::Arc;

use reactive_core::support::DeferredValue;
use reactive_core::{Error, Publisher, Subscriber, SubscriptionRef};

/// The outcome of an aggregate: a value, no value (completion only), or an error.
pub(crate) type Outcome<V> = Result<Option<V>, Error>;

/// One aggregate's per-subscription state.
pub(crate) trait Aggregator<T>: Send + 'static {
    /// The one item the aggregate emits.
    type Output: Send + 'static;

    /// What to request upstream on subscribe: everything, or exactly what is needed.
    const REQUEST: u64 = reactive_core::UNBOUNDED;

    /// Takes one item; `Break(outcome)` decides the outcome early (the upstream is cancelled).
    fn push(&mut self, item: T) -> ControlFlow<Outcome<Self::Output>>;

    /// The outcome once the upstream completed.
    fn finish(self) -> Outcome<Self::Output>;
}

/// Subscribes `downstream` to the aggregate of `source` computed by `aggregator`.
#[inline]
pub(crate) fn subscribe<P, A, S>(source: &P, aggregator: A, downstream: S)
where
    P: Publisher,
    A: Aggregator<P::Item>,
    S: Subscriber<A::Output> + 'static,
{
    source.subscribe(AggregateSubscriber {
        aggregator: Some(aggregator),
        shared: Arc::new(DeferredValue::new(downstream)),
    });
}

struct AggregateSubscriber<A, V, S> {
    /// `None` once the outcome is decided: later signals are ignored (rule 2.8).
    aggregator: Option<A>,
    shared: Arc<DeferredValue<V, S>>,
}

impl<T, A, V, S> Subscriber<T> for AggregateSubscriber<A, V, S>
where
    A: Aggregator<T, Output = V>,
    V: Send + 'static,
    S: Subscriber<V> + 'static,
{
    fn on_subscribe(&mut self, subscription: SubscriptionRef) {
        // Rule 2.5: a second subscription is cancelled by the slot inside.
        if self.shared.on_subscribe(subscription) {
            self.shared.upstream().request(A::REQUEST);
        }
    }

    #[inline]
    fn on_next(&mut self, item: T) {
        let Some(aggregator) = self.aggregator.as_mut() else {
            return;
        };
        if let ControlFlow::Break(outcome) = aggregator.push(item) {
            self.aggregator = None;
            self.shared.upstream().cancel();
            deliver(&self.shared, outcome);
        }
    }

    #[inline]
    fn on_error(&mut self, error: Error) {
        if self.aggregator.take().is_some() {
            self.shared.error(error);
        }
    }

    #[inline]
    fn on_complete(&mut self) {
        if let Some(aggregator) = self.aggregator.take() {
            deliver(&self.shared, aggregator.finish());
        }
    }
}

fn deliver<V, S>(shared: &DeferredValue<V, S>, outcome: Outcome<V>)
where
    V: Send + 'static,
    S: Subscriber<V> + 'static,
{
    match outcome {
        Ok(value) => shared.complete(value),
        Err(error) => shared.error(error),
    }
}

/// The `Debug` impl every aggregate has: its name and its source.
macro_rules! debug_with_source {
    ($name:ident $(, $param:ident)*) => {
        impl<P: std::fmt::Debug $(, $param)*> std::fmt::Debug for $name<P $(, $param)*> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("source", &self.source)
                    .finish_non_exhaustive()
            }
        }
    };
}
pub(crate) use debug_with_source;

/// An aggregate's publisher struct: `source` plus the given fields, `new`, `Clone`, `Debug`,
/// and a `Publisher` impl (items `$out`, with the extra bounds) that subscribes the
/// aggregator `$agg` (built from `$this`, the publisher).
macro_rules! aggregate_operator {
    (
        $(#[$meta:meta])*
        $name:ident [$($param:ident),*] [$($extra:ident),*] { $($field:ident: $fty:ty),* }
        where [$($bounds:tt)*] => $out:ty, |$this:ident| $agg:expr
    ) => {
        $(#[$meta])*
        #[must_use = "publishers do nothing until subscribed"]
        #[derive(Clone)]
        pub struct $name<P $(, $param)*> {
            source: P,
            $($field: $fty,)*
        }

        impl<P $(, $param)*> $name<P $(, $param)*> {
            pub(crate) fn new(source: P $(, $field: $fty)*) -> Self {
                $name { source $(, $field)* }
            }
        }

        crate::ops::one_value::debug_with_source!($name $(, $param)*);

        impl<P $(, $param)* $(, $extra)*> reactive_core::Publisher for $name<P $(, $param)*>
        where
            P: reactive_core::Publisher,
            P::Item: Send + 'static,
            $($bounds)*
        {
            type Item = $out;

            fn subscribe<S>(&self, subscriber: S)
            where
                S: reactive_core::Subscriber<$out> + 'static,
            {
                let $this = self;
                crate::ops::one_value::subscribe(&$this.source, $agg, subscriber);
            }
        }
    };
}
pub(crate) use aggregate_operator;
