//! The gates before a run writes anything, as pure decisions: which steps need an approval,
//! whether the run may go on without a terminal, whether a saved plan's approval and its data
//! still hold. The command line gathers the facts; these decide, in the order DESIGN.md §4 gives.

use mongodb::bson::DateTime;

use super::RunCommand;
use crate::error::Error;
use crate::plan::approval::valid_approval;
use crate::plan::saved::SavedPlan;
use crate::plan::RunPlan;
use crate::runbook::model::{DataLossLevel, Direction};
use crate::store::approvals::Approval;

/// How the operator's confirmation is had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Confirmation {
    /// Ask on the terminal.
    Prompt,
    /// `--yes`: take it as given (never an approval).
    AssumeYes,
}

/// Whether there is a terminal to ask on (stdin and stderr both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Terminal {
    /// Both are terminals.
    Present,
    /// A pipe, a file, a CI job.
    Absent,
}

/// The steps of `plan` that need an approval for `command` (none for `verify`, which only
/// reads).
pub(crate) fn needing_approval(plan: &RunPlan, command: RunCommand) -> Vec<&str> {
    if command == RunCommand::Verify {
        return Vec::new();
    }
    plan.steps
        .iter()
        .filter(|s| {
            s.step
                .approval
                .as_ref()
                .is_some_and(|a| a.directions.contains(&plan.direction))
        })
        .map(|s| s.step.id.as_str())
        .collect()
}

/// The steps of `plan` that lose data: confirming them means typing the runbook id.
pub(crate) fn losing_data(plan: &RunPlan) -> Vec<&str> {
    plan.steps
        .iter()
        .filter(|s| s.step.data_loss.level != DataLossLevel::None)
        .map(|s| s.step.id.as_str())
        .collect()
}

/// What the offline gates look at: decided before connecting.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Offline<'a> {
    /// The command.
    pub command: RunCommand,
    /// The direction it runs.
    pub direction: Direction,
    /// The runbook's id (for the message).
    pub runbook: &'a str,
    /// Steps that need an approval ([`needing_approval`]).
    pub needs_approval: &'a [&'a str],
    /// Whether a saved plan is executed (`--plan FILE`).
    pub with_plan: bool,
    /// `--yes` or a prompt.
    pub confirmation: Confirmation,
    /// Whether there is a terminal.
    pub terminal: Terminal,
}

/// The gates that need no server: approval-gated steps without a saved plan (exit 4), then a
/// changing command with no terminal and no `--yes` (exit 5). `--yes` never bypasses the first.
pub(crate) fn offline(gate: &Offline<'_>) -> Result<(), Error> {
    if !gate.needs_approval.is_empty() && !gate.with_plan {
        return Err(Error::ApprovalRequired(format!(
            "step(s) {} need an approved plan; nothing was changed. To get one: \
             `rollbook plan {} --direction {} --steps … --out plan.json`, then someone else runs \
             `rollbook approve --plan plan.json --reason \"…\"`, then `rollbook {} --plan plan.json`",
            gate.needs_approval.join(", "),
            gate.runbook,
            gate.direction.as_str(),
            gate.command.as_str()
        )));
    }
    if gate.command != RunCommand::Verify
        && gate.confirmation == Confirmation::Prompt
        && gate.terminal == Terminal::Absent
    {
        return Err(Error::NotConfirmed(format!(
            "{} changes data and needs confirmation, but there is no terminal to ask on: pass --yes to run it; nothing was changed",
            gate.command.as_str()
        )));
    }
    Ok(())
}

/// The approval gate of a saved plan: `None` when no step needs one, else the valid approval
/// (for exactly this digest, by someone other than `operator`, not expired) or exit 4.
pub(crate) fn approval<'a>(
    needs_approval: &[&str],
    approvals: &'a [Approval],
    saved: &SavedPlan,
    operator: &str,
    now: DateTime,
) -> Result<Option<&'a Approval>, Error> {
    if needs_approval.is_empty() {
        return Ok(None);
    }
    valid_approval(approvals, saved, operator, now)
        .map(Some)
        .map_err(|why| {
            Error::ApprovalRequired(format!(
                "{why}; step(s) {} need a valid approval (someone other than {operator} runs \
                 `rollbook approve --plan FILE --reason \"…\"`, valid for an hour by default); nothing was changed",
                needs_approval.join(", ")
            ))
        })
}

/// The drift gate of a saved plan: refused (exit 10) when the data moved past `max_drift`,
/// unless the run resumes an interrupted run of this plan (whose own actions moved it).
pub(crate) fn drift(
    plan_id: &str,
    differences: &[String],
    max_drift: f64,
    resuming: bool,
) -> Result<(), Error> {
    if differences.is_empty() || resuming {
        return Ok(());
    }
    Err(Error::PlanDrift(format!(
        "the data no longer matches plan {plan_id} (allowed drift {max_drift}%): {}; make a new plan; nothing was changed",
        differences.join("; ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::approval::tests as fixtures;

    fn offline_gate<'a>(
        command: RunCommand,
        needs: &'a [&'a str],
        with_plan: bool,
        confirmation: Confirmation,
        terminal: Terminal,
    ) -> Offline<'a> {
        Offline {
            command,
            direction: Direction::Rollback,
            runbook: "steps-19-30",
            needs_approval: needs,
            with_plan,
            confirmation,
            terminal,
        }
    }

    #[test]
    fn offline_gates_refuse_in_order_and_yes_never_bypasses_approval() {
        use Confirmation::{AssumeYes, Prompt};
        use RunCommand::{Apply, Rollback, Verify};
        use Terminal::{Absent, Present};
        let gated: &[&str] = &["23"];
        let none: &[&str] = &[];
        let cases = [
            (
                "plain rollback, --yes, no terminal",
                Rollback,
                none,
                false,
                AssumeYes,
                Absent,
                None,
            ),
            (
                "plain rollback on a terminal",
                Rollback,
                none,
                false,
                Prompt,
                Present,
                None,
            ),
            (
                "no terminal, no --yes",
                Rollback,
                none,
                false,
                Prompt,
                Absent,
                Some(5),
            ),
            (
                "apply, no terminal, no --yes",
                Apply,
                none,
                false,
                Prompt,
                Absent,
                Some(5),
            ),
            (
                "verify needs no confirmation",
                Verify,
                none,
                false,
                Prompt,
                Absent,
                None,
            ),
            (
                "gated without a plan",
                Rollback,
                gated,
                false,
                Prompt,
                Present,
                Some(4),
            ),
            (
                "gated without a plan, --yes",
                Rollback,
                gated,
                false,
                AssumeYes,
                Absent,
                Some(4),
            ),
            (
                "approval is checked before the terminal",
                Rollback,
                gated,
                false,
                Prompt,
                Absent,
                Some(4),
            ),
            (
                "gated with a plan, --yes",
                Rollback,
                gated,
                true,
                AssumeYes,
                Absent,
                None,
            ),
            (
                "gated with a plan, no terminal, no --yes",
                Rollback,
                gated,
                true,
                Prompt,
                Absent,
                Some(5),
            ),
        ];
        for (name, command, needs, with_plan, confirmation, terminal, exit) in cases {
            let found = offline(&offline_gate(
                command,
                needs,
                with_plan,
                confirmation,
                terminal,
            ));
            assert_eq!(found.as_ref().err().map(Error::exit_code), exit, "{name}");
            if let Err(error) = found {
                assert!(
                    error.to_string().contains("nothing was changed"),
                    "{name}: {error}"
                );
            }
        }
    }

    #[test]
    fn the_approval_gate_holds_only_for_someone_else_unexpired_and_only_when_needed() {
        let plan = fixtures::plan();
        let now = DateTime::now();
        let carol = fixtures::approval(&plan, "carol", 60_000);
        let own = fixtures::approval(&plan, "bob", 60_000);
        let expired = fixtures::approval(&plan, "carol", -60_000);
        let mut elsewhere = fixtures::approval(&plan, "carol", 60_000);
        elsewhere.plan_digest = "sha256:another".into();
        let gated: &[&str] = &["23"];
        type Case<'a> = (
            &'a str,
            &'a [&'a str],
            Vec<Approval>,
            Option<&'a str>,
            Option<i32>,
        );
        let cases: Vec<Case<'_>> = vec![
            ("no step needs one", &[], vec![], None, None),
            (
                "no step needs one, approvals ignored",
                &[],
                vec![own.clone()],
                None,
                None,
            ),
            ("needed, none given", gated, vec![], None, Some(4)),
            ("self-approval", gated, vec![own.clone()], None, Some(4)),
            ("expired", gated, vec![expired], None, Some(4)),
            ("for another digest", gated, vec![elsewhere], None, Some(4)),
            (
                "someone else's",
                gated,
                vec![carol.clone()],
                Some("carol"),
                None,
            ),
            (
                "own and someone else's",
                gated,
                vec![own, carol],
                Some("carol"),
                None,
            ),
        ];
        for (name, needs, approvals, approver, exit) in cases {
            let found = approval(needs, &approvals, &plan, "bob", now);
            assert_eq!(found.as_ref().err().map(Error::exit_code), exit, "{name}");
            assert_eq!(
                found.ok().flatten().map(|a| a.approver.as_str()),
                approver,
                "{name}"
            );
        }
    }

    #[test]
    fn drift_is_refused_unless_nothing_moved_or_the_plan_is_being_resumed() {
        let moved = vec!["step 22: 10 documents predicted, 12 now".to_owned()];
        assert!(drift("p1", &[], 0.0, false).is_ok());
        assert!(
            drift("p1", &moved, 0.0, true).is_ok(),
            "a resumed plan moved its own data"
        );
        let refused = drift("p1", &moved, 5.0, false).expect_err("drift");
        assert_eq!(refused.exit_code(), 10);
        assert!(refused.to_string().contains("step 22"), "{refused}");
        assert!(
            refused.to_string().contains("allowed drift 5%"),
            "{refused}"
        );
    }
}
