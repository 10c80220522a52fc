//! What a run did, in the shape of DESIGN.md §5: the JSON document and the human table are
//! both drawn from this.

use serde::Serialize;

use crate::actions::checks::CheckResult;
use crate::actions::ActionOutcome;
use crate::plan::SkippedStep;
use crate::runbook::model::Direction;
use crate::store::runs::RunStatus;

/// The whole run.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct RunReport {
    /// JSON output version.
    pub schema: u32,
    /// `apply`, `rollback` or `verify`.
    pub command: super::RunCommand,
    /// Run id.
    pub run_id: String,
    /// Runbook id and digest.
    pub runbook: RunbookRef,
    /// Target database.
    pub database: String,
    /// Who ran it.
    pub operator: String,
    /// The direction it ran.
    pub direction: Direction,
    /// How it ended.
    pub status: RunStatus,
    /// Process exit code.
    pub exit_code: i32,
    /// The error, when the run did not succeed.
    pub error: Option<ErrorReport>,
    /// The saved plan executed, if any.
    pub plan_id: Option<String>,
    /// The approval that let sensitive steps run.
    pub approval: Option<crate::store::approvals::Approval>,
    /// True when this invocation resumed an interrupted run.
    pub resumed: bool,
    /// Runs found dead (and marked interrupted) when this one started.
    pub interrupted_runs: Vec<String>,
    /// Steps that ran, in order.
    pub steps: Vec<StepReport>,
    /// Selected steps that did not run, and why.
    pub skipped: Vec<SkippedStep>,
    /// Manual actions left unconfirmed.
    pub pending_manual: Vec<PendingManual>,
    /// What compensation undid (atomic runbooks that failed).
    #[serde(default)]
    pub compensation: Vec<UndoReport>,
    /// Problems that did not change the outcome (e.g. the end of the run could not be recorded).
    pub warnings: Vec<String>,
    /// Milliseconds the run took.
    pub duration_ms: u64,
}

/// Runbook id and digest.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct RunbookRef {
    /// Id.
    pub id: String,
    /// `sha256:…`.
    pub digest: String,
}

pub(crate) use crate::error::ErrorReport;

/// Version of the JSON output format; bumped only on incompatible changes.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// How a step of a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Its actions are done (no verify checks, or not verified yet).
    Ok,
    /// An action failed.
    Failed,
    /// A manual action is unconfirmed.
    Pending,
    /// Stopped by a signal before its end.
    Interrupted,
    /// Done, and every verify check held.
    Verified,
    /// Done, and a verify check did not hold.
    VerifyFailed,
}

impl StepStatus {
    /// The status as printed.
    #[must_use]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StepStatus::Ok => "ok",
            StepStatus::Failed => "failed",
            StepStatus::Pending => "pending",
            StepStatus::Interrupted => "interrupted",
            StepStatus::Verified => "verified",
            StepStatus::VerifyFailed => "verify_failed",
        }
    }
}

impl std::fmt::Display for StepStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of a run.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct StepReport {
    /// Step id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Direction.
    pub direction: Direction,
    /// How it ended.
    pub status: StepStatus,
    /// Whether its writes ran in one transaction.
    pub transaction: bool,
    /// Its actions' outcomes.
    pub actions: Vec<ActionOutcome>,
    /// Its verify checks.
    pub verify: Vec<CheckResult>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorReport>,
    /// Milliseconds it took.
    pub duration_ms: u64,
    /// Milliseconds the plan estimated for it, when it had an estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate_ms: Option<u64>,
}

/// A manual action that still needs the operator.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct PendingManual {
    /// Step id.
    pub step: String,
    /// What must be done.
    pub instructions: String,
}

/// What compensation did for one action.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UndoReport {
    /// Step id.
    pub step: String,
    /// Action kind.
    pub kind: String,
    /// Whether it was undone.
    pub ok: bool,
    /// What was done, or why it could not be.
    pub detail: String,
}
