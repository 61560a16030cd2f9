use reactive_core::source::{self, Fused, Next, Pull};
use reactive_core::{Error, Publisher, Subscriber};

/// Emits `value` `count` times, then completes (as [`std::iter::repeat_n`]).
///
/// Like `std::iter::repeat_n`, the last item is `value` itself and the ones before it are
/// clones, so `value` is cloned `count - 1` times per subscriber (plus the clone each
/// subscriber starts from); `repeat_n(v, 0)` completes at once. Each subscriber gets its own
/// run.
///
/// # Backpressure
///
/// Exact: emits exactly what is requested; buffers nothing beyond the value. Completes right
/// after the last item, without waiting for more demand. `request` from inside `on_next`
/// never grows the stack (rule 3.3).
///
/// # Errors
///
/// `request(0)` before the last item ends the stream with an
/// [`ErrorKind::InvalidRequest`](reactive_core::ErrorKind::InvalidRequest) error (rule 3.9).
/// A panic in `value`'s `Clone` propagates to the caller of `subscribe` or `request`.
///
/// # Examples
///
/// ```
/// use reactive_operators::repeat_n;
/// use reactive_tck::StepVerifier;
///
/// StepVerifier::create(&repeat_n(String::from("ab"), 2))
///     .expect_next_values(["ab".to_string(), "ab".to_string()])
///     .expect_complete()
///     .verify()
///     .unwrap();
/// StepVerifier::create(&repeat_n(1u8, 0)).expect_complete().verify().unwrap();
/// ```
pub fn repeat_n<T>(value: T, count: usize) -> RepeatN<T>
where
    T: Clone + Send + 'static,
{
    RepeatN { value, count }
}

/// The publisher returned by [`repeat_n`].
#[must_use = "publishers do nothing until subscribed"]
#[derive(Debug, Clone)]
pub struct RepeatN<T> {
    value: T,
    count: usize,
}

impl<T> Publisher for RepeatN<T>
where
    T: Clone + Send + 'static,
{
    type Item = T;

    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<T> + 'static,
    {
        source::subscribe(self.cursor(), subscriber);
    }

    fn fuse(&self) -> Option<Fused<T>> {
        Some(Fused::Cursor(Box::new(self.cursor())))
    }
}

impl<T: Clone> RepeatN<T> {
    fn cursor(&self) -> RepeatNPull<T> {
        RepeatNPull {
            value: (self.count > 0).then(|| self.value.clone()),
            left: self.count,
        }
    }
}

struct RepeatNPull<T> {
    /// `None` once the last item (the value itself) went out, or for a count of 0.
    value: Option<T>,
    left: usize,
}

impl<T: Clone + Send + 'static> Pull for RepeatNPull<T> {
    type Item = T;

    #[inline(always)]
    fn next(&mut self) -> Next<T> {
        match self.left {
            0 => Next::End(Ok(())),
            1 => {
                self.left = 0;
                match self.value.take() {
                    Some(v) => Next::Item(v),
                    None => Next::End(Ok(())),
                }
            }
            _ => {
                self.left -= 1;
                match &self.value {
                    Some(v) => Next::Item(v.clone()),
                    None => Next::End(Ok(())),
                }
            }
        }
    }

    #[inline(always)]
    fn end(&mut self) -> Option<Result<(), Error>> {
        (self.left == 0).then_some(Ok(()))
    }
}
