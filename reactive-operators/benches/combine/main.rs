//! Combining and flattening operators side by side with their `futures` `StreamExt` peers,
//! polled with `block_on` in the same run: one module per operator family.
//!
//! `cargo bench -p reactive-operators --bench combine -- --warm-up-time 1 --measurement-time 3`

#![allow(missing_docs)] // criterion's macros generate undocumented items

use criterion::{Criterion, criterion_group, criterion_main};

// Sequential combining.
mod concat_map;
// (end of sequential combining)

// Merging.
mod flat_map;
// (end of merging)

// Joining.
mod zip;
// (end of joining)

fn benches(c: &mut Criterion) {
    // Sequential combining.
    concat_map::benches(c);
    // (end of sequential combining)

    // Merging.
    flat_map::benches(c);
    // (end of merging)

    // Joining.
    zip::benches(c);
    // (end of joining)
    let _ = c;
}

criterion_group!(combine, benches);
criterion_main!(combine);
