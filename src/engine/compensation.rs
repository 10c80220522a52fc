//! Compensation: when a step of an atomic runbook (or an atomic step) fails, the actions it
//! completed are undone in reverse order, each undo journaled and audited; what could not be
//! undone is reported. Which actions and whether at all are pure decisions, tested below.

use mongodb::bson::doc;

use super::keys::{step_key, target_of};
use super::report::{ErrorReport, UndoReport};
use super::verdict::Reached;
use super::{Engine, RunEvent};
use crate::actions::{self, ActionOutcome, ActionStatus};
use crate::plan::RunPlan;
use crate::runbook::model::Action;
use crate::store::journal::ActionKey;
use crate::store::runs::{PendingUndo, UndoList};
use crate::store::snapshots::Snapshot;

/// An action that completed (or failed with partial effects) in this run, for compensation.
pub(super) struct Completed {
    pub step: String,
    pub index: usize,
    pub action: Action,
    pub outcome: ActionOutcome,
    pub snapshot: Option<Snapshot>,
}

/// The actions to undo after step `failed` failed, in the order to undo them (the reverse of
/// the order they ran): every completed action of the run when the runbook is atomic, else
/// those of the failed step.
pub(crate) fn undo_scope<'c, T>(
    completed: &'c [T],
    step_of: impl Fn(&T) -> &str,
    atomic_run: bool,
    failed: &str,
) -> Vec<&'c T> {
    completed
        .iter()
        .rev()
        .filter(|c| atomic_run || step_of(c) == failed)
        .collect()
}

/// Whether a failed step is compensated: only when the runbook or the step is atomic, and not
/// when it failed before any action ran with nothing to undo (a precondition that fails before
/// anything changed is reported as itself).
pub(crate) fn compensates(atomic: bool, reached: Reached, to_undo: usize) -> bool {
    atomic && !(reached == Reached::BeforeActions && to_undo == 0)
}

impl Engine<'_> {
    /// Undoes `to_undo` (already in undo order, see [`undo_scope`]), journaling and auditing
    /// each undo, going on past an undo that fails; returns what happened to each. Journal and
    /// audit writes that fail become `warnings`.
    ///
    /// The undo list is persisted first, with the `failure` that started it, and each entry is
    /// taken off once undone: a rerun finishes what is left ([`Self::pending_undo`]).
    pub(super) async fn compensate(
        &self,
        plan: &RunPlan,
        run_id: &str,
        failure: &ErrorReport,
        to_undo: &[&Completed],
        warnings: &mut Vec<String>,
    ) -> Vec<UndoReport> {
        let list = UndoList {
            failure: failure.clone(),
            remaining: to_undo
                .iter()
                .map(|done| PendingUndo {
                    step: done.step.clone(),
                    index: done.index,
                    outcome: done.outcome.to_document(),
                    snapshot: done.snapshot.as_ref().map(|s| s.id.clone()),
                })
                .collect(),
        };
        if let Err(e) = self.store.save_undo(run_id, &list).await {
            self.bookkeeping_failed(warnings, "the undo list of the run", &e);
        }
        let mut reports = Vec::new();
        let mut steps: Vec<&str> = Vec::new();
        for done in to_undo {
            let ctx = self.context(plan, run_id, &done.step, done.index);
            let key = ActionKey {
                run_id,
                step: &done.step,
                direction: "undo",
                index: done.index,
            };
            if let Err(e) = self
                .store
                .action_started(&key, done.action.kind(), &target_of(&done.action), None)
                .await
            {
                self.bookkeeping_failed(warnings, "the start of an undo in the journal", &e);
            }
            let result =
                actions::undo::undo(&ctx, &done.action, &done.outcome, done.snapshot.as_ref())
                    .await;
            let (ok, detail) = match result {
                Ok(Some(what)) => (true, what),
                Ok(None) => (true, "nothing to undo".to_owned()),
                Err(error) => (false, ErrorReport::of(&error).message),
            };
            let status = if ok {
                ActionStatus::Ok
            } else {
                ActionStatus::Failed
            };
            if let Err(e) = self
                .store
                .action_finished(
                    &key,
                    status,
                    doc! {"kind": done.action.kind(), "detail": &detail},
                    None,
                )
                .await
            {
                self.bookkeeping_failed(warnings, "the end of an undo in the journal", &e);
            }
            if ok {
                if let Err(e) = self.store.undone(run_id, &done.step, done.index).await {
                    self.bookkeeping_failed(warnings, "the undo list of the run", &e);
                }
            }
            if let Err(e) = self
                .audit(
                    plan,
                    run_id,
                    Some(&done.step),
                    if ok { "undo_ok" } else { "undo_failed" },
                    doc! {"kind": done.action.kind(), "detail": &detail},
                )
                .await
            {
                self.bookkeeping_failed(warnings, "an undo in the audit trail", &e);
            }
            self.events.emit(RunEvent::Warning(format!(
                "undo step {} {}: {detail}",
                done.step,
                done.action.kind()
            )));
            if !steps.contains(&done.step.as_str()) {
                steps.push(&done.step);
            }
            reports.push(UndoReport {
                step: done.step.clone(),
                kind: done.action.kind().to_owned(),
                ok,
                detail,
            });
        }
        for step in steps {
            if let Err(e) = self
                .store
                .step_applied(
                    step_key(plan, step),
                    "compensated",
                    run_id,
                    &self.options.operator,
                    None,
                )
                .await
            {
                self.bookkeeping_failed(
                    warnings,
                    &format!("step {step}'s state (compensated)"),
                    &e,
                );
            }
        }
        reports
    }

    /// What a persisted undo list still has to undo, as actions of `plan` (the same runbook, so
    /// the same actions at the same places), with their outcomes and snapshots.
    pub(super) async fn pending_undo(
        &self,
        plan: &RunPlan,
        list: &UndoList,
    ) -> crate::error::Result<Vec<Completed>> {
        let mut pending = Vec::new();
        for entry in &list.remaining {
            let action = plan
                .steps
                .iter()
                .find(|planned| planned.step.id == entry.step)
                .and_then(|planned| planned.actions.get(entry.index))
                .ok_or_else(|| {
                    crate::error::Error::StateConflict(format!(
                        "the run's undo list names action {} of step {}, which its runbook does not have; nothing was changed",
                        entry.index + 1,
                        entry.step
                    ))
                })?;
            let outcome = mongodb::bson::from_document(entry.outcome.clone())
                .unwrap_or_else(|_| ActionOutcome::new(action.kind(), None));
            let snapshot = match &entry.snapshot {
                Some(id) => self.store.snapshot(id).await?,
                None => None,
            };
            pending.push(Completed {
                step: entry.step.clone(),
                index: entry.index,
                action: action.clone(),
                outcome,
                snapshot,
            });
        }
        Ok(pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_runs_in_reverse_over_the_run_or_the_failed_step() {
        let done = [("19", 0), ("20", 0), ("20", 1), ("21", 0)];
        fn step<'a>(c: &'a (&'static str, usize)) -> &'a str {
            c.0
        }
        type Case = (&'static str, bool, &'static str, Vec<(&'static str, usize)>);
        let cases: Vec<Case> = vec![
            (
                "atomic run: everything, newest first",
                true,
                "21",
                vec![("21", 0), ("20", 1), ("20", 0), ("19", 0)],
            ),
            (
                "atomic step: its own actions, newest first",
                false,
                "20",
                vec![("20", 1), ("20", 0)],
            ),
            ("a step with nothing completed", false, "22", vec![]),
            (
                "atomic run failing in its first step",
                true,
                "19",
                vec![("21", 0), ("20", 1), ("20", 0), ("19", 0)],
            ),
        ];
        for (name, atomic_run, failed, expected) in cases {
            let scope: Vec<(&str, usize)> = undo_scope(&done, step, atomic_run, failed)
                .into_iter()
                .copied()
                .collect();
            assert_eq!(scope, expected, "{name}");
        }
        let empty: [(&str, usize); 0] = [];
        assert!(undo_scope(&empty, step, true, "19").is_empty());
    }

    #[test]
    fn only_atomic_failures_with_something_to_undo_or_mid_step_are_compensated() {
        let cases = [
            ("not atomic", false, Reached::Actions, 3, false),
            (
                "not atomic, nothing done",
                false,
                Reached::BeforeActions,
                0,
                false,
            ),
            ("atomic, an action failed", true, Reached::Actions, 2, true),
            (
                "atomic, an action failed first",
                true,
                Reached::Actions,
                0,
                true,
            ),
            (
                "atomic, precondition, nothing to undo",
                true,
                Reached::BeforeActions,
                0,
                false,
            ),
            (
                "atomic, precondition after earlier steps",
                true,
                Reached::BeforeActions,
                4,
                true,
            ),
        ];
        for (name, atomic, reached, to_undo, expected) in cases {
            assert_eq!(compensates(atomic, reached, to_undo), expected, "{name}");
        }
    }
}
