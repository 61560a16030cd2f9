//! Schedulers (placeholder while being written).
