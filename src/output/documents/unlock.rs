//! The document of `unlock`: which run's lock was released by hand.

use serde::Serialize;

/// `unlock`.
#[derive(Debug, Serialize)]
pub(crate) struct UnlockDocument<'a> {
    /// What was released.
    pub(crate) unlock: Unlocked<'a>,
}

/// The lock released.
#[derive(Debug, Serialize)]
pub(crate) struct Unlocked<'a> {
    /// The run that held the lock; null when nothing was locked.
    pub(crate) released: Option<&'a str>,
    /// `--accept-state`: the run the lock no longer asks the state database for.
    pub(crate) forgot: Option<&'a str>,
}
