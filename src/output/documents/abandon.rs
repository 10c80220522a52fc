//! The document of `abandon`: the stopped run recorded as never to be finished.

use serde::Serialize;

use crate::store::runs::RunStatus;

/// `abandon`.
#[derive(Debug, Serialize)]
pub(crate) struct AbandonDocument<'a> {
    /// What was abandoned.
    pub(crate) abandon: Abandoned<'a>,
}

/// The run abandoned.
#[derive(Debug, Serialize)]
pub(crate) struct Abandoned<'a> {
    /// Its id.
    pub(crate) run_id: &'a str,
    /// How it had stopped.
    pub(crate) was: RunStatus,
    /// Snapshots it took that were not put back; they are kept.
    pub(crate) snapshots_kept: u64,
}
