//! Behaviour tests for the operators crate: one module per source or operator. They subscribe
//! `reactive_tck::TestSubscriber` (or script a `StepVerifier`), which checks the publisher's side
//! of the contract on every signal.

mod async_subscriber;
mod blocking;
mod demand;
mod filter;
mod from_stream;
mod fusion;
mod into_stream;
mod map;
mod publish_on;
mod sources;
mod stress;
mod stress_boundaries;
mod subscribe_on;
mod subscribe_with;
mod subscribe_with_demand;
mod support;

// Sources and fallible user code.
mod defer;
mod from_iter_once;
mod generate;
mod map_err;
mod repeat;
mod try_filter;
mod try_map;

// Transforms and filters.
mod cast;
mod distinct;
mod element_at;
mod enumerate;
mod filter_map;
mod ignore_elements;
mod scan;
mod skip;
mod skip_while;
mod step_by;
mod take;
mod take_while;
mod transforms_support;

// Buffering transforms.
mod buffer;
mod buffering_support;
mod if_empty;
mod skip_last;
mod start_with;
mod take_last;

// Aggregates, side effects and logging.
mod aggregates;
mod log;
mod side_effects;

// The differential property test.
mod differential;

// Sequential combining.
mod concat;
mod concat_map;
mod flat_map_iter;
mod switch_map;
// (end of sequential combining)

// Merging.
mod merging;
// (end of merging)

// Joining.
mod by_arrival;
mod combine_latest;
mod zip;
// (end of joining)

// Windows and groups.
mod group_by;
mod window;
// (end of windows and groups)

// The stress test of the combining operators.
mod stress_combining;
