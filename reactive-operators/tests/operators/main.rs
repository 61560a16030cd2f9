//! Behaviour tests for the operators crate: one module per source or operator.

mod probe;

mod demand;
mod filter;
mod map;
mod sources;
mod stress;
mod subscribe_with;
