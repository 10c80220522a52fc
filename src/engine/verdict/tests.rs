//! Table-driven tests of the verdict: every combination of step outcomes, failure, compensation and interruption.

use super::*;
use crate::actions::checks::CheckResult;

fn step(id: &str, verified: &[bool]) -> StepReport {
    StepReport {
        id: id.into(),
        title: format!("step {id}"),
        direction: crate::runbook::model::Direction::Rollback,
        status: super::super::report::StepStatus::Ok,
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
                filter: None,
            })
            .collect(),
        error: None,
        duration_ms: 0,
        estimate_ms: None,
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
    assert_eq!(error.cause, Some(ErrorCode::ActionFailed));
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
