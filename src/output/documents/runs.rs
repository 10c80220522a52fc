//! The document of `runs`: the runs recorded in the state database, newest first.

use serde::Serialize;

use crate::store::runs::RunStatus;

/// `runs`.
#[derive(Debug, Serialize)]
pub(crate) struct RunsDocument<'a> {
    /// The runs, newest first.
    pub(crate) runs: Vec<RunEntry<'a>>,
}

/// One run.
#[derive(Debug, Serialize)]
pub(crate) struct RunEntry<'a> {
    /// Run id.
    pub(crate) run_id: &'a str,
    /// `apply`, `rollback` or `verify`.
    pub(crate) command: &'a str,
    /// Runbook id.
    pub(crate) runbook: &'a str,
    /// Target database.
    pub(crate) database: &'a str,
    /// Step ids in execution order.
    pub(crate) steps: &'a [String],
    /// Where it stands (a run whose process is gone is reported `interrupted`).
    pub(crate) status: RunStatus,
    /// The exit code it finished with.
    pub(crate) exit_code: Option<i32>,
    /// Who ran it last.
    pub(crate) operator: &'a str,
    /// The saved plan it executed.
    pub(crate) plan_id: Option<&'a str>,
    /// When it started (RFC 3339).
    pub(crate) started_at: String,
    /// When it finished, if it did.
    pub(crate) finished_at: Option<String>,
    /// Actions its compensation still has to undo (a rerun or `resume` finishes them).
    pub(crate) left_to_undo: usize,
    /// What can be done with it: `resume` and `abandon` for a run stopped before its end.
    pub(crate) next: Option<String>,
}
