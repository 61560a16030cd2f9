use reactive_core::source::{self, Fused, Next, Pull};
use reactive_core::{Publisher, Subscriber};

/// Emits clones of `value` forever (as [`std::iter::repeat`]).
///
/// Never completes: cancel the subscription (or limit the stream downstream) to stop it.
/// Each subscriber gets its own clone of `value` to clone from.
///
/// # Backpressure
///
/// Exact: emits exactly what is requested, one clone per item; buffers nothing beyond the
/// value itself. Unbounded demand runs a tight loop until cancelled; `request` from inside
/// `on_next` never grows the stack (rule 3.3).
///
/// # Errors
///
/// `request(0)` ends the stream with an
/// [`ErrorKind::InvalidRequest`](reactive_core::ErrorKind::InvalidRequest) error (rule 3.9).
/// A panic in `value`'s `Clone` propagates to the caller of `subscribe` or `request`.
///
/// # Examples
///
/// ```
/// use reactive_operators::repeat;
/// use reactive_tck::StepVerifier;
///
/// StepVerifier::create(&repeat("ping"))
///     .initial_request(3)
///     .expect_next_values(["ping"; 3])
///     .then_cancel()
///     .verify()
///     .unwrap();
/// ```
pub fn repeat<T>(value: T) -> Repeat<T>
where
    T: Clone + Send + 'static,
{
    Repeat { value }
}

/// The publisher returned by [`repeat`].
#[must_use = "publishers do nothing until subscribed"]
#[derive(Debug, Clone)]
pub struct Repeat<T> {
    value: T,
}

impl<T> Publisher for Repeat<T>
where
    T: Clone + Send + 'static,
{
    type Item = T;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<T> + 'static,
    {
        source::subscribe(RepeatPull(self.value.clone()), subscriber);
    }

    fn fuse(&self) -> Option<Fused<T>> {
        Some(Fused::Cursor(Box::new(RepeatPull(self.value.clone()))))
    }
}

struct RepeatPull<T>(T);

impl<T: Clone + Send + 'static> Pull for RepeatPull<T> {
    type Item = T;

    #[inline(always)]
    fn next(&mut self) -> Next<T> {
        Next::Item(self.0.clone())
    }
}
