//! The run's verdict: from how its steps ended, whether it was compensated or interrupted and
//! what is left pending, the one status, exit code and error it reports. A pure function.

use super::report::{ErrorReport, PendingManual, StepReport, UndoReport};
use crate::error::{Error, ErrorCode};
use crate::exit_code;
use crate::store::runs::RunStatus;

/// Where a failed step's writes were made: it decides whether an action failure is reported as
/// `TRANSACTION_FAILED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StepMode {
    /// All of the step's writes in one transaction (none of them stayed).
    Transaction,
    /// Action by action, protected by snapshots.
    InPlace,
}

/// How far a failed step got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reached {
    /// It failed before any of its actions ran (a precondition, the transaction decision).
    BeforeActions,
    /// One of its actions failed.
    Actions,
}

/// The failure that stopped a run (the first one, with `--continue-on-error`).
#[derive(Debug)]
pub(crate) struct Failure {
    /// What failed.
    pub error: Error,
    /// How the failed step ran.
    pub mode: StepMode,
}

/// What a run reports.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    /// The run's status.
    pub status: RunStatus,
    /// The process exit code (DESIGN.md §6).
    pub exit: i32,
    /// The error reported, when not `ok`.
    pub error: Option<ErrorReport>,
}

/// What the run went through, for [`verdict`].
pub(crate) struct RunEnd<'a> {
    /// Every step reported, in order (their verify results included).
    pub steps: &'a [StepReport],
    /// The failure that stopped the run, if any.
    pub failure: Option<&'a Failure>,
    /// What compensation did, when it ran.
    pub undo: Option<&'a [UndoReport]>,
    /// Stopped by a signal (or a lock released by hand) before the end.
    pub interrupted: bool,
    /// Manual actions left unconfirmed.
    pub pending: &'a [PendingManual],
}

/// The verdict, most severe first: compensated (7) or not fully (8), interrupted (130), failed
/// (the error's own code), verification failed (3), manual actions pending (9), else ok (0).
pub(crate) fn verdict(end: &RunEnd<'_>) -> Verdict {
    if let (Some(undo), Some(failure)) = (end.undo, end.failure) {
        return compensated(undo, &started_compensation(&failure.error, failure.mode));
    }
    if end.interrupted {
        return Verdict {
            status: RunStatus::Interrupted,
            exit: exit_code::INTERRUPTED,
            error: Some(ErrorReport::new(
                ErrorCode::Interrupted,
                "stopped by a signal after finishing the current action; rerun the same command to resume",
            )),
        };
    }
    if let Some(failure) = end.failure {
        return Verdict {
            status: RunStatus::Failed,
            exit: failure.error.exit_code(),
            error: Some(step_error(&failure.error, failure.mode)),
        };
    }
    let verify_failed: Vec<String> = end
        .steps
        .iter()
        .flat_map(|s| {
            s.verify
                .iter()
                .filter(|c| !c.ok)
                .map(move |c| format!("step {}: {}", s.id, c.describe()))
        })
        .collect();
    if !verify_failed.is_empty() {
        return Verdict {
            status: RunStatus::VerifyFailed,
            exit: exit_code::VERIFY_FAILED,
            error: Some(ErrorReport::new(
                ErrorCode::VerifyFailed,
                verify_failed.join("; "),
            )),
        };
    }
    if !end.pending.is_empty() {
        let steps: Vec<&str> = end.pending.iter().map(|p| p.step.as_str()).collect();
        return Verdict {
            status: RunStatus::ManualPending,
            exit: exit_code::MANUAL_PENDING,
            error: Some(ErrorReport::new(
                ErrorCode::ManualPending,
                format!(
                    "manual actions of step(s) {} are not confirmed; do them, then rerun interactively",
                    steps.join(", ")
                ),
            )),
        };
    }
    Verdict {
        status: RunStatus::Ok,
        exit: exit_code::OK,
        error: None,
    }
}

/// A failed step's error as reported: an action failure inside a transaction is
/// `TRANSACTION_FAILED` (nothing of the step stayed).
pub(crate) fn step_error(error: &Error, mode: StepMode) -> ErrorReport {
    let mut report = ErrorReport::of(error);
    if mode == StepMode::Transaction && report.code == ErrorCode::ActionFailed {
        report.code = ErrorCode::TransactionFailed;
    }
    report
}

/// The failure that starts a compensation, as persisted with its undo list: the step's error,
/// with the code underneath it as the cause.
pub(crate) fn started_compensation(error: &Error, mode: StepMode) -> ErrorReport {
    let mut report = step_error(error, mode);
    report.cause = Some(error.cause_code());
    report
}

/// The verdict of a compensation of `failure` (see [`started_compensation`]): compensated (7)
/// when every undo held, else not fully (8), listing what remains.
pub(crate) fn compensated(undo: &[UndoReport], failure: &ErrorReport) -> Verdict {
    let remaining: Vec<String> = undo
        .iter()
        .filter(|u| !u.ok)
        .map(|u| format!("step {} {}: {}", u.step, u.kind, u.detail))
        .collect();
    let cause = failure.cause.clone();
    let original = &failure.message;
    if remaining.is_empty() {
        Verdict {
            status: RunStatus::Compensated,
            exit: exit_code::COMPENSATED,
            error: Some(ErrorReport {
                code: ErrorCode::Compensated,
                message: format!(
                    "{original}; every completed action was undone in reverse order ({} undone), the data is as before the run",
                    undo.len()
                ),
                cause,
                remaining,
            }),
        }
    } else {
        Verdict {
            status: RunStatus::CompensationIncomplete,
            exit: exit_code::COMPENSATION_INCOMPLETE,
            error: Some(ErrorReport {
                code: ErrorCode::CompensationIncomplete,
                message: format!(
                    "{original}; compensation could not undo everything: {}",
                    remaining.join("; ")
                ),
                cause,
                remaining,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
