use std::ops::{Range as StdRange, RangeInclusive};

use reactive_core::source::{self, Fused, Next, Pull};
use reactive_core::{Error, Publisher, Subscriber};

/// Emits the integers of a Rust range in ascending order, then completes.
///
/// Takes `a..b` (`b` excluded) or `a..=b` (`b` included) over any primitive integer type, so
/// the item type is the range's: `range(0..10u8)` emits `u8`s, `range(-3..=3)` emits `i32`s.
/// An empty range (`5..5`, `3..=2`) completes at once. Each subscriber gets its own run from
/// the start (a cold publisher). `a..=T::MAX` works: the last item is `T::MAX`, with no
/// overflow.
///
/// # Backpressure
///
/// Emits exactly as many items as requested, never more (rule 1.1), and buffers nothing.
/// With unbounded demand (`request(u64::MAX)`) it runs a tight loop without any demand
/// accounting; with bounded demand it counts locally and subtracts in one batch when the
/// demand it read is used up. A `request` from inside `on_next` only records demand: the
/// running loop picks it up, so the stack never grows (rule 3.3). It completes as soon as the
/// last item is delivered, without waiting for more demand.
///
/// # Errors
///
/// `request(0)` ends the stream with an [`ErrorKind::InvalidRequest`] error (rule 3.9).
///
/// [`ErrorKind::InvalidRequest`]: reactive_core::ErrorKind::InvalidRequest
///
/// # Reactive Streams TCK
///
/// Passes every required, optional and stochastic test of the publisher verification. The
/// seven `untested_*` tests are skipped for every publisher: the JVM TCK has no check for
/// those rules either.
///
/// # Examples
///
/// ```
/// use reactive_operators::{range, PublisherExt};
///
/// let tens: Vec<u8> = range(1..=3u8).map(|v| v * 10).blocking_iter(8).map(Result::unwrap).collect();
/// assert_eq!(tens, [10, 20, 30]);
///
/// let evens: Vec<i64> = range(-4..4i64).filter(|v| v % 2 == 0).blocking_iter(8).map(Result::unwrap).collect();
/// assert_eq!(evens, [-4, -2, 0, 2]);
/// ```
pub fn range<R: IntoRange>(range: R) -> Range<R::Int> {
    range.into_range()
}

/// The publisher returned by [`range`].
#[must_use = "publishers do nothing until subscribed"]
#[derive(Debug, Clone, Copy)]
pub struct Range<T> {
    /// The first item not yet emitted.
    start: T,
    /// The first item past the half-open part.
    end: T,
    /// Whether `end` itself is emitted after the half-open part: only for `a..=T::MAX`, which
    /// has no exclusive end in `T`.
    last: bool,
}

/// A primitive integer type that [`range`] can count over.
///
/// Implemented for `u8` to `u128`, `i8` to `i128`, `usize` and `isize`; sealed.
pub trait RangeInt: Copy + Ord + Send + Sync + std::fmt::Debug + 'static + sealed::Sealed {
    /// The largest value of the type.
    #[doc(hidden)]
    const MAX: Self;
    /// `self + 1`; called only when `self` is below `MAX`.
    #[doc(hidden)]
    fn succ(self) -> Self;
}

/// What [`range`] accepts: `a..b` and `a..=b` over a [`RangeInt`].
pub trait IntoRange: sealed::Sealed {
    /// The item type.
    type Int: RangeInt;
    /// The publisher that emits the range's items.
    fn into_range(self) -> Range<Self::Int>;
}

mod sealed {
    pub trait Sealed {}
}

impl<T: RangeInt> sealed::Sealed for StdRange<T> {}
impl<T: RangeInt> sealed::Sealed for RangeInclusive<T> {}

impl<T: RangeInt> IntoRange for StdRange<T> {
    type Int = T;
    fn into_range(self) -> Range<T> {
        // An inverted range (`5..3`) is empty, as an `Iterator` range is.
        let end = self.end.max(self.start);
        Range {
            start: self.start,
            end,
            last: false,
        }
    }
}

impl<T: RangeInt> IntoRange for RangeInclusive<T> {
    type Int = T;
    fn into_range(self) -> Range<T> {
        let (start, last) = self.into_inner();
        if last < start {
            Range {
                start,
                end: start,
                last: false,
            }
        } else if last == T::MAX {
            Range {
                start,
                end: last,
                last: true,
            }
        } else {
            Range {
                start,
                end: last.succ(),
                last: false,
            }
        }
    }
}

macro_rules! range_int {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl RangeInt for $t {
            const MAX: Self = <$t>::MAX;
            #[inline(always)]
            fn succ(self) -> Self {
                self + 1
            }
        }
    )*};
}

range_int!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize
);

impl<T: RangeInt> Publisher for Range<T> {
    type Item = T;
    fn subscribe<S>(&self, subscriber: S)
    where
        S: Subscriber<T> + 'static,
    {
        source::subscribe(*self, subscriber);
    }

    fn fuse(&self) -> Option<Fused<T>> {
        Some(Fused::Cursor(Box::new(*self)))
    }
}

impl<T: RangeInt> Pull for Range<T> {
    type Item = T;

    #[inline(always)]
    fn next(&mut self) -> Next<T> {
        if self.start < self.end {
            let v = self.start;
            self.start = v.succ();
            Next::Item(v)
        } else if self.last {
            self.last = false;
            Next::Item(self.end)
        } else {
            Next::End(Ok(()))
        }
    }

    #[inline(always)]
    fn end(&mut self) -> Option<Result<(), Error>> {
        (self.start >= self.end && !self.last).then_some(Ok(()))
    }
}
