//! Operators: the publishers that [`PublisherExt`](crate::PublisherExt) methods return.

mod boundary;
mod filter;
mod map;
mod publish_on;
mod subscribe_on;

// Fallible user code.
mod fallible;
mod map_err;
mod try_filter;
mod try_filter_map;
mod try_map;
pub use fallible::{ContinueOnError, OnItemError, StopOnError};
pub use map_err::MapErr;
pub use try_filter::TryFilter;
pub use try_filter_map::TryFilterMap;
pub use try_map::TryMap;

// Transforms and filters.
mod cast;
mod distinct;
mod distinct_until_changed;
mod element_at;
mod enumerate;
mod filter_map;
mod ignore_elements;
mod judged;
#[cfg(all(test, reactive_loom))]
mod loom_harness;
mod scan;
mod skip;
mod skip_while;
mod step_by;
mod take;
mod take_while;
pub use cast::Cast;
pub use distinct::Distinct;
pub use distinct_until_changed::{DistinctUntilChanged, DistinctUntilChangedByKey};
pub use element_at::{ElementAt, ElementAtOr};
pub use enumerate::Enumerate;
pub use filter_map::FilterMap;
pub use ignore_elements::IgnoreElements;
pub use scan::Scan;
pub use skip::Skip;
pub use skip_while::SkipWhile;
pub use step_by::StepBy;
pub use take::Take;
pub use take_while::TakeWhile;

// Buffering transforms.
mod buffer;
mod buffer_skip;
mod default_if_empty;
#[cfg(all(test, reactive_loom))]
mod loom_support;
mod post_complete;
mod skip_last;
mod start_with;
mod switch_if_empty;
mod take_last;
pub use buffer::Buffer;
pub use buffer_skip::BufferSkip;
pub use default_if_empty::DefaultIfEmpty;
pub use skip_last::SkipLast;
pub use start_with::StartWith;
pub use switch_if_empty::SwitchIfEmpty;
pub use take_last::TakeLast;

// Aggregates.
mod all;
mod any;
mod collect;
mod count;
mod first;
mod fold;
mod has_elements;
mod last;
mod max;
mod max_by_key;
mod min;
mod min_by_key;
mod one_value;
mod reduce;
mod single;
pub use all::All;
pub use any::Any;
pub use collect::Collect;
pub use count::Count;
pub use first::First;
pub use fold::Fold;
pub use has_elements::HasElements;
pub use last::Last;
pub use max::Max;
pub use max_by_key::MaxByKey;
pub use min::Min;
pub use min_by_key::MinByKey;
pub use reduce::Reduce;
pub use single::Single;

// Side effects and logging.
mod do_finally;
mod do_on_cancel;
mod do_on_complete;
mod do_on_error;
mod do_on_request;
mod do_on_subscribe;
mod inspect;
mod log;
mod peek;
pub use do_finally::DoFinally;
pub use do_on_cancel::DoOnCancel;
pub use do_on_complete::DoOnComplete;
pub use do_on_error::DoOnError;
pub use do_on_request::DoOnRequest;
pub use do_on_subscribe::DoOnSubscribe;
pub use inspect::Inspect;
pub use log::Log;

// Sequential combining.
mod composite;
mod concat;
mod concat_map;
mod flat_map_iter;
mod sequential;
mod switch_map;
pub use composite::CompositeError;
pub use concat::{Concat, ConcatWith};
pub use concat::{concat, concat_delay_error};
pub use concat_map::ConcatMap;
pub use flat_map_iter::FlatMapIter;
pub use switch_map::SwitchMap;
// (end of sequential combining)

// Merging.
mod flat_map;
mod merge;
pub use flat_map::FlatMap;
pub use merge::{Merge, MergeWith, merge, merge_delay_error};
// (end of merging)

// Joining.
pub(crate) mod combine_latest;
mod companion;
mod lane;
mod sample_on;
mod skip_until;
mod take_until;
mod with_latest_from;
pub(crate) mod zip;
pub use combine_latest::CombineLatest;
pub use sample_on::SampleOn;
pub use skip_until::SkipUntil;
pub use take_until::TakeUntil;
pub use with_latest_from::WithLatestFrom;
pub use zip::{Zip, ZipAll};
// (end of joining)

// Windows and groups.
mod group_by;
mod substreams;
mod window;
mod window_skip;
pub use group_by::{GroupBy, GroupOverflow, GroupedPublisher};
pub use window::{Window, Windows};
pub use window_skip::WindowSkip;
// (end of windows and groups)

pub use filter::Filter;
pub use map::Map;
pub use publish_on::PublishOn;
pub use subscribe_on::SubscribeOn;
