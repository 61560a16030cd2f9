//! Runnable examples live in `examples/`; this library holds what more than one of them
//! uses.

#![forbid(unsafe_code)]

use std::hint::black_box;

/// A slow consumer's per-item work: about 100 dependent multiply-adds, so that a consumer
/// doing it is always behind a producer that does none.
///
/// ```
/// assert_ne!(reactive_examples::slow(1), reactive_examples::slow(2));
/// ```
#[inline(never)]
pub fn slow(v: u64) -> u64 {
    let mut x = v;
    for _ in 0..100 {
        x = black_box(
            x.wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407),
        );
    }
    x
}
