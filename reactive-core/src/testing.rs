//! Test support for publishers and operators: a global allocator that counts allocations per
//! thread, so that a test can show that a pipeline allocates nothing per item.
//!
//! ```no_run
//! // In a test binary of its own (a global allocator applies to the whole binary):
//! use reactive_core::testing::{CountingAllocator, allocations};
//!
//! #[global_allocator]
//! static GLOBAL: CountingAllocator = CountingAllocator;
//!
//! let before = allocations();
//! let v: Vec<u64> = Vec::with_capacity(8);
//! assert_eq!(allocations() - before, 1);
//! # drop(v);
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

std::thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

/// The system allocator, counting every allocation (and reallocation) made on each thread.
///
/// Install it with `#[global_allocator]` in a test binary and read the calling thread's count
/// with [`allocations`]. The count is per thread, so tests running in parallel do not see
/// each other's allocations; work handed to other threads is not counted.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAllocator;

/// How many allocations and reallocations the calling thread has made so far through a
/// [`CountingAllocator`] (0 if none is installed).
pub fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

fn count() {
    // `try_with`: during thread teardown the thread-local may be gone; such an allocation is
    // not counted. The `Cell` has a const initializer, so counting allocates nothing.
    let _ = ALLOCATIONS.try_with(|a| a.set(a.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator, which upholds the
// `GlobalAlloc` contract; counting touches only a thread-local `Cell` and never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded with the caller's layout, under the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with this layout (every allocation of this
        // allocator is `System`'s).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: as for `dealloc`; `new_size` comes from the caller, under its guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
