//! The run's verdict: from how its steps ended, whether it was compensated or interrupted and
//! what is left pending, the one status, exit code and error it reports. A pure function.

use super::report::{ErrorReport, PendingManual, StepReport, UndoReport};
use crate::error::Error;
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
        return compensated(undo, &failure.error);
    }
    if end.interrupted {
        return Verdict {
            status: RunStatus::Interrupted,
            exit: exit_code::INTERRUPTED,
            error: Some(ErrorReport {
                code: "INTERRUPTED".into(),
                message: "stopped by a signal after finishing the current action; rerun the same command to resume".into(),
                ..ErrorReport::default()
            }),
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
            error: Some(ErrorReport {
                code: "VERIFY_FAILED".into(),
                message: verify_failed.join("; "),
                ..ErrorReport::default()
            }),
        };
    }
    if !end.pending.is_empty() {
        let steps: Vec<&str> = end.pending.iter().map(|p| p.step.as_str()).collect();
        return Verdict {
            status: RunStatus::ManualPending,
            exit: exit_code::MANUAL_PENDING,
            error: Some(ErrorReport {
                code: "MANUAL_PENDING".into(),
                message: format!(
                    "manual actions of step(s) {} are not confirmed; do them, then rerun interactively",
                    steps.join(", ")
                ),
                ..ErrorReport::default()
            }),
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
    if mode == StepMode::Transaction && report.code == "ACTION_FAILED" {
        report.code = "TRANSACTION_FAILED".into();
    }
    report
}

fn compensated(undo: &[UndoReport], error: &Error) -> Verdict {
    let remaining: Vec<String> = undo
        .iter()
        .filter(|u| !u.ok)
        .map(|u| format!("step {} {}: {}", u.step, u.kind, u.detail))
        .collect();
    let cause = Some(error.cause_code().to_owned());
    let original = ErrorReport::of(error).message;
    if remaining.is_empty() {
        Verdict {
            status: RunStatus::Compensated,
            exit: exit_code::COMPENSATED,
            error: Some(ErrorReport {
                code: "COMPENSATED".into(),
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
                code: "COMPENSATION_INCOMPLETE".into(),
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
mod tests {
    use super::*;
    use crate::actions::checks::CheckResult;

    fn step(id: &str, verified: &[bool]) -> StepReport {
        StepReport {
            id: id.into(),
            title: format!("step {id}"),
            direction: "rollback".into(),
            status: "ok".into(),
            transaction: false,
            actions: Vec::new(),
            verify: verified
                .iter()
                .map(|ok| CheckResult {
                    kind: "count".into(),
                    collection: Some("orders".into()),
                    expected: serde_json::json!(0),
                    actual: serde_json::json!(if *ok { 0 } else { 5 }),
                    ok: *ok,
                    error_code: None,
                    description: None,
                })
                .collect(),
            error: None,
            duration_ms: 0,
        }
    }

    fn undo(ok: &[bool]) -> Vec<UndoReport> {
        ok.iter()
            .enumerate()
            .map(|(i, ok)| UndoReport {
                step: "20".into(),
                kind: format!("action{i}"),
                ok: *ok,
                detail: if *ok {
                    "undone".into()
                } else {
                    "drop refused".into()
                },
            })
            .collect()
    }

    fn failure(error: Error, mode: StepMode) -> Failure {
        Failure { error, mode }
    }

    fn pending() -> Vec<PendingManual> {
        vec![PendingManual {
            step: "24".into(),
            instructions: "deploy".into(),
        }]
    }

    /// Every combination that matters, with the status, exit code and error code it must give.
    #[test]
    fn the_most_severe_outcome_decides() {
        let action = || failure(Error::ActionFailed("boom".into()), StepMode::InPlace);
        let in_txn = || failure(Error::ActionFailed("boom".into()), StepMode::Transaction);
        let approval = || failure(Error::ApprovalRequired("no".into()), StepMode::InPlace);
        let conflict = || failure(Error::Usage("bad".into()), StepMode::Transaction);
        let ok_steps = vec![step("19", &[true]), step("20", &[true])];
        let bad_verify = vec![step("19", &[true]), step("20", &[true, false])];
        let all_undone = undo(&[true, true]);
        let some_left = undo(&[true, false]);
        let none_undone: Vec<UndoReport> = Vec::new();
        let pending = pending();
        type Case<'a> = (
            &'a str,
            &'a [StepReport],
            Option<Failure>,
            Option<&'a [UndoReport]>,
            bool,
            &'a [PendingManual],
            RunStatus,
            i32,
            Option<&'a str>,
        );
        let cases: Vec<Case<'_>> = vec![
            (
                "all ok",
                &ok_steps,
                None,
                None,
                false,
                &[],
                RunStatus::Ok,
                0,
                None,
            ),
            (
                "no steps",
                &[],
                None,
                None,
                false,
                &[],
                RunStatus::Ok,
                0,
                None,
            ),
            (
                "verify fails",
                &bad_verify,
                None,
                None,
                false,
                &[],
                RunStatus::VerifyFailed,
                3,
                Some("VERIFY_FAILED"),
            ),
            (
                "pending manual",
                &ok_steps,
                None,
                None,
                false,
                &pending,
                RunStatus::ManualPending,
                9,
                Some("MANUAL_PENDING"),
            ),
            (
                "verify beats pending",
                &bad_verify,
                None,
                None,
                false,
                &pending,
                RunStatus::VerifyFailed,
                3,
                Some("VERIFY_FAILED"),
            ),
            (
                "action failed",
                &ok_steps,
                Some(action()),
                None,
                false,
                &[],
                RunStatus::Failed,
                1,
                Some("ACTION_FAILED"),
            ),
            (
                "failed in a transaction",
                &ok_steps,
                Some(in_txn()),
                None,
                false,
                &[],
                RunStatus::Failed,
                1,
                Some("TRANSACTION_FAILED"),
            ),
            (
                "non-action error in a transaction keeps its code",
                &ok_steps,
                Some(conflict()),
                None,
                false,
                &[],
                RunStatus::Failed,
                2,
                Some("USAGE"),
            ),
            (
                "failure beats verify",
                &bad_verify,
                Some(action()),
                None,
                false,
                &pending,
                RunStatus::Failed,
                1,
                Some("ACTION_FAILED"),
            ),
            (
                "failure keeps its own exit",
                &ok_steps,
                Some(approval()),
                None,
                false,
                &[],
                RunStatus::Failed,
                4,
                Some("APPROVAL_REQUIRED"),
            ),
            (
                "interrupted",
                &ok_steps,
                None,
                None,
                true,
                &[],
                RunStatus::Interrupted,
                130,
                Some("INTERRUPTED"),
            ),
            (
                "interrupt beats failure",
                &ok_steps,
                Some(action()),
                None,
                true,
                &pending,
                RunStatus::Interrupted,
                130,
                Some("INTERRUPTED"),
            ),
            (
                "compensated",
                &ok_steps,
                Some(action()),
                Some(&all_undone),
                false,
                &[],
                RunStatus::Compensated,
                7,
                Some("COMPENSATED"),
            ),
            (
                "compensated with nothing to undo",
                &ok_steps,
                Some(action()),
                Some(&none_undone),
                false,
                &[],
                RunStatus::Compensated,
                7,
                Some("COMPENSATED"),
            ),
            (
                "compensation incomplete",
                &ok_steps,
                Some(action()),
                Some(&some_left),
                false,
                &[],
                RunStatus::CompensationIncomplete,
                8,
                Some("COMPENSATION_INCOMPLETE"),
            ),
            (
                "compensation beats interrupt",
                &ok_steps,
                Some(action()),
                Some(&some_left),
                true,
                &[],
                RunStatus::CompensationIncomplete,
                8,
                Some("COMPENSATION_INCOMPLETE"),
            ),
            (
                "undo without a failure is not compensation",
                &ok_steps,
                None,
                Some(&all_undone),
                false,
                &[],
                RunStatus::Ok,
                0,
                None,
            ),
        ];
        for (name, steps, failure, undo, interrupted, pending, status, exit, code) in cases {
            let found = verdict(&RunEnd {
                steps,
                failure: failure.as_ref(),
                undo,
                interrupted,
                pending,
            });
            assert_eq!(found.status, status, "{name}");
            assert_eq!(found.exit, exit, "{name}");
            assert_eq!(
                found.error.as_ref().map(|e| e.code.as_str()),
                code,
                "{name}"
            );
        }
    }

    #[test]
    fn incomplete_compensation_names_exactly_what_remains_and_the_cause() {
        let failed = failure(Error::ActionFailed("copy failed".into()), StepMode::InPlace);
        let undo = undo(&[true, false, false]);
        let found = verdict(&RunEnd {
            steps: &[],
            failure: Some(&failed),
            undo: Some(&undo),
            interrupted: false,
            pending: &[],
        });
        let error = found.error.expect("an error");
        assert_eq!(
            error.remaining,
            [
                "step 20 action1: drop refused",
                "step 20 action2: drop refused"
            ]
        );
        assert_eq!(error.cause.as_deref(), Some("ACTION_FAILED"));
        assert!(error
            .message
            .starts_with("copy failed; compensation could not undo everything"));
    }

    #[test]
    fn failed_verifications_are_listed_by_step() {
        let steps = vec![step("19", &[false]), step("23", &[true, false])];
        let found = verdict(&RunEnd {
            steps: &steps,
            failure: None,
            undo: None,
            interrupted: false,
            pending: &[],
        });
        let message = found.error.expect("an error").message;
        assert!(message.starts_with("step 19: count orders"), "{message}");
        assert!(message.contains("; step 23: count orders"), "{message}");
    }
}
