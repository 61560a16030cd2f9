//! The TCK's self-tests: each feeds a deliberately broken (or a correct) implementation to a
//! verification and checks the outcome and its reason.

mod environment;
mod fixtures;
mod names;
mod processor;
mod publisher;
mod reports;
mod subscriber;
mod suites;
