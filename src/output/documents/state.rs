//! The documents of `status` and `history`: what the state database says happened.

use serde::Serialize;

use super::RunbookRef;

/// `status`: per step the last direction applied and the last verification, and the runs
/// found interrupted.
#[derive(Debug, Serialize)]
pub(crate) struct StatusDocument<'a> {
    /// The runbook.
    pub(crate) runbook: RunbookRef<'a>,
    /// The database it targets.
    pub(crate) database: &'a str,
    /// Every step of the runbook, in runbook order.
    pub(crate) steps: Vec<StepStatus<'a>>,
    /// Recent runs left interrupted.
    pub(crate) interrupted_runs: Vec<InterruptedRun<'a>>,
    /// Runs this command found dead and marked interrupted.
    pub(crate) newly_interrupted: Vec<&'a str>,
}

/// What the state database records of one step.
#[derive(Debug, Serialize)]
pub(crate) struct StepStatus<'a> {
    /// Step id.
    pub(crate) id: &'a str,
    /// Title.
    pub(crate) title: &'a str,
    /// The direction last applied, as recorded; null when never.
    pub(crate) last_direction: Option<&'a str>,
    /// When (RFC 3339); empty when never.
    pub(crate) applied_at: String,
    /// By whom.
    pub(crate) applied_by: Option<&'a str>,
    /// In which run.
    pub(crate) run_id: Option<&'a str>,
    /// The last verification of the step; null when none.
    pub(crate) last_verify: Option<LastVerify<'a>>,
    /// `--check`: what its checks find now (absent without `--check`, null when never applied).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) check: Option<Option<crate::plan::live_check::StepCheck>>,
}

/// `status` without a runbook: one entry per runbook of the runbooks directory.
#[derive(Debug, Serialize)]
pub(crate) struct StatusAllDocument {
    /// The runbooks, by id.
    pub(crate) runbooks: Vec<RunbookStatus>,
}

/// One runbook at a glance.
#[derive(Debug, Serialize)]
pub(crate) struct RunbookStatus {
    /// Runbook id.
    pub(crate) id: String,
    /// The database it targets (`--db`, or the runbook's).
    pub(crate) database: String,
    /// Its steps.
    pub(crate) steps: usize,
    /// Steps whose last applied direction is forward.
    pub(crate) forward: usize,
    /// Steps whose last applied direction is rollback.
    pub(crate) rollback: usize,
    /// The newest run: id, command, status and when it started; null when none.
    pub(crate) last_run: Option<LastRun>,
    /// Runs left interrupted.
    pub(crate) interrupted: usize,
    /// `--check`: the steps whose checks do not hold now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) disagree: Option<Vec<String>>,
    /// Why the runbook could not be read, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
}

/// The newest run of a runbook.
#[derive(Debug, Serialize)]
pub(crate) struct LastRun {
    /// Run id.
    pub(crate) run_id: String,
    /// `apply`, `rollback` or `verify`.
    pub(crate) command: String,
    /// Where it stands.
    pub(crate) status: String,
    /// When it started (RFC 3339).
    pub(crate) started_at: String,
}

/// The last verification of a step.
#[derive(Debug, Serialize)]
pub(crate) struct LastVerify<'a> {
    /// The direction whose checks ran, as recorded.
    pub(crate) direction: &'a str,
    /// Whether they held.
    pub(crate) ok: bool,
    /// When (RFC 3339).
    pub(crate) at: String,
    /// In which run.
    pub(crate) run_id: &'a str,
}

/// A run left interrupted: a rerun of the same command resumes it.
#[derive(Debug, Serialize)]
pub(crate) struct InterruptedRun<'a> {
    /// Run id.
    pub(crate) run_id: &'a str,
    /// The command it ran, as recorded.
    pub(crate) command: &'a str,
    /// Its direction, as recorded.
    pub(crate) direction: &'a str,
    /// The steps selected.
    pub(crate) steps: &'a [String],
    /// Who ran it.
    pub(crate) operator: &'a str,
    /// When it started (RFC 3339).
    pub(crate) started_at: String,
    /// Its last heartbeat (RFC 3339).
    pub(crate) last_heartbeat: String,
}

/// `history`: audit events, newest first.
#[derive(Debug, Serialize)]
pub(crate) struct HistoryDocument<'a> {
    /// The events.
    pub(crate) events: Vec<AuditEntry<'a>>,
}

/// One audit event as recorded; a field the event lacks is null.
#[derive(Debug, Serialize)]
pub(crate) struct AuditEntry<'a> {
    /// When (RFC 3339).
    pub(crate) at: Option<String>,
    /// The run it belongs to.
    pub(crate) run_id: Option<&'a str>,
    /// Runbook id.
    pub(crate) runbook: Option<&'a str>,
    /// Target database.
    pub(crate) database: Option<&'a str>,
    /// Who.
    pub(crate) operator: Option<&'a str>,
    /// What happened (`run_started`, `plan_approved`, …).
    pub(crate) event: Option<&'a str>,
    /// The step, for step events.
    pub(crate) step: Option<&'a str>,
    /// The event's details, in relaxed extended JSON: each event has its own.
    pub(crate) details: Option<serde_json::Value>,
}
