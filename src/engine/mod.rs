//! The engine: runs a resolved plan step by step — snapshots, transactions, journal, verify —
//! and reports what happened. It never touches the terminal: it emits [`RunEvent`]s and asks
//! a [`Confirmer`](crate::actions::Confirmer).

mod compensation;
pub mod events;
pub(crate) mod gates;
mod keys;
pub(crate) mod prepare;
mod records;
pub(crate) mod report;
pub(crate) mod request;
pub(crate) mod resume;
mod run;
mod step;
mod takeover;
pub(crate) mod transaction;
mod transactional;
mod verdict;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

pub(crate) use events::{EventSink, RunEvent};
pub use report::RunReport;
pub use run::Engine;

/// Which command is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunCommand {
    /// Forward actions.
    Apply,
    /// Rollback actions.
    Rollback,
    /// Verify checks only.
    Verify,
}

impl RunCommand {
    /// The command's name.
    #[must_use]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RunCommand::Apply => "apply",
            RunCommand::Rollback => "rollback",
            RunCommand::Verify => "verify",
        }
    }
}

impl std::fmt::Display for RunCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to run.
pub struct RunOptions {
    /// The command.
    pub command: RunCommand,
    /// Who runs it.
    pub operator: String,
    /// Keep going after a failed step (the failures are still reported).
    pub continue_on_error: bool,
    /// Largest number of documents a step may write and still run in a transaction.
    pub transaction_limit: u64,
    /// Set by Ctrl-C: stop after the current action.
    pub interrupt: Arc<AtomicBool>,
    /// The database user the client is authenticated as, if any.
    pub db_user: Option<String>,
    /// The saved plan being executed, with the approval that lets it run.
    pub plan: Option<PlanRef>,
    /// `rollbook resume RUN_ID`: resume exactly this run, or refuse.
    pub resume: Option<String>,
    /// `--no-notify` silenced the runbook's notifications (recorded in the audit).
    pub notifications_silenced: bool,
    /// The plan's time estimate of each step, in milliseconds, for the report to set against
    /// what it took.
    pub estimates: std::collections::HashMap<String, u64>,
    /// The plan's predicted document count of each action of each step (by position), for
    /// progress bars.
    pub expected: std::collections::HashMap<String, Vec<Option<u64>>>,
}

/// A saved plan a run executes.
#[derive(Debug, Clone)]
pub struct PlanRef {
    /// Plan id.
    pub plan_id: String,
    /// The approval used, when the plan has sensitive steps.
    pub approval: Option<crate::store::approvals::Approval>,
}

/// Default for [`RunOptions::transaction_limit`].
pub const DEFAULT_TRANSACTION_LIMIT: u64 = 10_000;

/// A new run id: UTC time and a random suffix, sortable and readable.
#[must_use]
pub(crate) fn new_run_id() -> String {
    let now = chrono::Utc::now();
    format!(
        "{}-{:04x}",
        now.format("%Y%m%dT%H%M%SZ"),
        rand::random::<u16>()
    )
}
