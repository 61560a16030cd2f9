//! The TCK's reference implementations: the asynchronous helper publisher that feeds
//! subscribers under test, and the lockstep identity processor.

pub(crate) mod helper;
pub(crate) mod lockstep;
