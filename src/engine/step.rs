//! One step, action by action: preconditions, the choice of transaction, each action journaled
//! before and after (destructive ones snapshotted first), manual actions and checklists, then
//! the step's verify checks.

use std::sync::atomic::Ordering;
use std::time::Instant;

use mongodb::bson::doc;

use super::compensation::Completed;
use super::keys::{elapsed_ms, step_key, target_of};
use super::report::{ErrorReport, PendingManual, StepReport, StepStatus};
use super::verdict::{step_error, Reached, StepMode};
use super::{Engine, RunEvent};
use crate::actions::checks::{self, CheckResult};
use crate::actions::snapshot;
use crate::actions::{self, ActionContext, ActionOutcome, ActionStatus};
use crate::error::{Error, Result};
use crate::plan::{PlannedStep, RunPlan};
use crate::runbook::model::Action;
use crate::store::journal::ActionKey;

/// What the steps of a run accumulate: manual actions left pending, actions completed, and
/// bookkeeping that could not be recorded (shown to the operator, never dropped).
pub(super) struct Progress<'a> {
    pub pending: &'a mut Vec<PendingManual>,
    pub completed: &'a mut Vec<Completed>,
    pub warnings: &'a mut Vec<String>,
}

/// How a step ended, for the run's verdict.
pub(super) enum StepEnd {
    Done,
    /// The step failed.
    Failed {
        error: Error,
        mode: StepMode,
        reached: Reached,
    },
    Pending,
    /// A checklist is not confirmed: the run stops here.
    Blocked,
    Interrupted,
}

impl Engine<'_> {
    pub(super) async fn run_step(
        &self,
        plan: &RunPlan,
        planned: &PlannedStep,
        run_id: &str,
        resumed: bool,
        progress: Progress<'_>,
    ) -> (StepReport, StepEnd) {
        let Progress {
            pending,
            completed,
            warnings,
        } = progress;
        let mut report = self.empty_step(plan, planned);
        let step = &planned.step;
        let begun = match resumed {
            true => self
                .store
                .step_begun_in_run(run_id, &step.id, plan.direction.as_str())
                .await
                .unwrap_or(false),
            false => false,
        };
        for check in planned.preconditions.iter().filter(|_| !begun) {
            let ctx = self.context(plan, run_id, &step.id, 0);
            let verdict = match checks::run(&ctx, check, None).await {
                Ok(result) if result.ok => continue,
                Ok(result) => checks::failure(&result),
                Err(error) => error,
            };
            let failed = (verdict, StepMode::InPlace, Reached::BeforeActions);
            return self.fail_step(plan, run_id, report, failed, warnings).await;
        }
        let in_transaction = match self.use_transaction(plan, planned, run_id).await {
            Ok(decision) => decision,
            Err(error) => {
                let failed = (error, StepMode::InPlace, Reached::BeforeActions);
                return self.fail_step(plan, run_id, report, failed, warnings).await;
            }
        };
        report.transaction = in_transaction;
        self.events.emit(RunEvent::StepStarted {
            id: step.id.clone(),
            title: step.title.clone(),
            transaction: in_transaction,
        });
        let (result, mode) = if in_transaction {
            let result = self
                .step_in_transaction(plan, planned, run_id, completed, warnings)
                .await;
            (result, StepMode::Transaction)
        } else {
            let progress = Progress {
                pending: &mut *pending,
                completed: &mut *completed,
                warnings: &mut *warnings,
            };
            let result = self
                .step_in_place(plan, planned, run_id, resumed, &mut report, progress)
                .await;
            (result, StepMode::InPlace)
        };
        match result {
            Ok(Some(outcomes)) => {
                report.actions = outcomes;
                (report, StepEnd::Done)
            }
            Ok(None) if report.status == StepStatus::Pending => {
                // An unconfirmed checklist is a gate: nothing after it runs. An unconfirmed
                // manual action is work left to do: the run goes on.
                let gate = report.actions.last().is_some_and(|a| a.kind == "checklist");
                (
                    report,
                    if gate {
                        StepEnd::Blocked
                    } else {
                        StepEnd::Pending
                    },
                )
            }
            Ok(None) => (report, StepEnd::Interrupted),
            Err(error) => {
                let failed = (error, mode, Reached::Actions);
                self.fail_step(plan, run_id, report, failed, warnings).await
            }
        }
    }

    /// Marks the step failed (its error as the verdict reports it) and audits the failure.
    async fn fail_step(
        &self,
        plan: &RunPlan,
        run_id: &str,
        mut report: StepReport,
        (error, mode, reached): (Error, StepMode, Reached),
        warnings: &mut Vec<String>,
    ) -> (StepReport, StepEnd) {
        let error_report = step_error(&error, mode);
        report.status = StepStatus::Failed;
        report.error = Some(error_report.clone());
        let details = doc! {
            "code": error_report.code.as_str(),
            "message": &error_report.message,
            "transaction": mode == StepMode::Transaction,
        };
        if let Err(e) = self
            .audit(plan, run_id, Some(&report.id), "step_failed", details)
            .await
        {
            self.bookkeeping_failed(warnings, "the step's failure in the audit trail", &e);
        }
        (
            report,
            StepEnd::Failed {
                error,
                mode,
                reached,
            },
        )
    }

    /// Action by action, each journaled before and after, each destructive one snapshotted
    /// first (or its snapshot from an earlier attempt of this run reused). Returns `None` when
    /// the step stopped early (a manual action pending, or an interrupt).
    async fn step_in_place(
        &self,
        plan: &RunPlan,
        planned: &PlannedStep,
        run_id: &str,
        resumed: bool,
        report: &mut StepReport,
        progress: Progress<'_>,
    ) -> Result<Option<Vec<ActionOutcome>>> {
        let Progress {
            pending,
            completed,
            warnings,
        } = progress;
        let step = &planned.step;
        let direction = plan.direction.as_str();
        let mut outcomes = Vec::new();
        for (index, action) in planned.actions.iter().enumerate() {
            if index > 0 && self.options.interrupt.load(Ordering::SeqCst) {
                report.actions = outcomes;
                report.status = StepStatus::Interrupted;
                return Ok(None);
            }
            let key = ActionKey {
                run_id,
                step: &step.id,
                direction,
                index,
            };
            let mut ctx = ActionContext {
                opposite: &planned.opposite,
                ..self.context(plan, run_id, &step.id, index)
            };
            if resumed {
                if let Some(done) = self.store.action_done(&key).await? {
                    let mut outcome: ActionOutcome = mongodb::bson::from_document(done)
                        .unwrap_or_else(|_| ActionOutcome::new(action.kind(), None));
                    outcome.detail = Some("done before the interruption".into());
                    completed.push(Completed {
                        step: step.id.clone(),
                        index,
                        action: action.clone(),
                        outcome: outcome.clone(),
                        snapshot: self.store.snapshot(&ctx.snapshot_id()).await?,
                    });
                    outcomes.push(outcome);
                    continue;
                }
                let attempts = self.store.action_attempts(&key).await?;
                ctx.cut_short = attempts.cut_short();
                ctx.retried = attempts.retried();
            }
            self.store
                .action_started(&key, action.kind(), &target_of(action), None)
                .await?;
            self.events.emit(RunEvent::ActionStarted {
                step: step.id.clone(),
                kind: action.kind().to_owned(),
                target: target_of(action),
            });
            let started = Instant::now();
            let mut taken = None;
            let result = async {
                taken = if action.is_destructive() {
                    snapshot::take(&ctx, action).await?
                } else {
                    None
                };
                if let Some(t) = taken.as_ref().filter(|t| !t.registered) {
                    self.store.register_snapshot(&t.snapshot, None).await?;
                }
                let ctx = ActionContext {
                    fresh_snapshot_documents: taken
                        .as_ref()
                        .filter(|t| {
                            !t.registered
                                && t.snapshot.kind == crate::store::snapshots::SnapshotKind::Fields
                        })
                        .and_then(|t| u64::try_from(t.snapshot.documents).ok()),
                    ..ctx
                };
                let mut outcome = actions::execute(&ctx, action, None).await?;
                outcome.snapshot = taken
                    .as_ref()
                    .map(|t| t.snapshot.id.clone())
                    .or(outcome.snapshot);
                Ok::<_, Error>(outcome)
            }
            .await;
            let snapshot = taken.map(|t| t.snapshot);
            match result {
                Ok(mut outcome) => {
                    // What the action wants known (a notification not sent) is a warning of
                    // the run; the step's audit entry carries it with the outcome.
                    for warning in &outcome.warnings {
                        self.events.emit(RunEvent::Warning(warning.clone()));
                        warnings.push(warning.clone());
                    }
                    completed.push(Completed {
                        step: step.id.clone(),
                        index,
                        action: action.clone(),
                        outcome: outcome.clone(),
                        snapshot,
                    });
                    outcome.duration_ms = elapsed_ms(started);
                    self.store
                        .action_finished(&key, outcome.status, outcome.to_document(), None)
                        .await?;
                    self.events.emit(RunEvent::ActionFinished {
                        step: step.id.clone(),
                        outcome: outcome.clone(),
                    });
                    let is_pending = outcome.status == ActionStatus::Pending;
                    outcomes.push(outcome);
                    if is_pending {
                        pending.push(PendingManual {
                            step: step.id.clone(),
                            instructions: manual_text(action),
                        });
                        report.actions = outcomes;
                        report.status = StepStatus::Pending;
                        return Ok(None);
                    }
                }
                Err(error) => {
                    if let Err(e) = self
                        .store
                        .action_finished(
                            &key,
                            ActionStatus::Failed,
                            doc! {"error": ErrorReport::of(&error).message},
                            None,
                        )
                        .await
                    {
                        self.bookkeeping_failed(warnings, "the failed action in the journal", &e);
                    }
                    if actions::undo::may_have_partial_effects(action) {
                        let mut outcome = ActionOutcome::new(action.kind(), None);
                        outcome.status = ActionStatus::Failed;
                        completed.push(Completed {
                            step: step.id.clone(),
                            index,
                            action: action.clone(),
                            outcome,
                            snapshot,
                        });
                    }
                    report.actions = outcomes;
                    return Err(error);
                }
            }
        }
        self.store
            .step_applied(
                step_key(plan, &step.id),
                direction,
                run_id,
                &self.options.operator,
                None,
            )
            .await?;
        self.audit(plan, run_id, Some(&step.id), "step_ok", doc! {"direction": direction, "transaction": false, "actions": outcomes.iter().map(ActionOutcome::to_document).collect::<Vec<_>>()})
            .await?;
        Ok(Some(outcomes))
    }

    pub(super) async fn verify_step(
        &self,
        plan: &RunPlan,
        planned: &PlannedStep,
        run_id: &str,
    ) -> Result<Vec<CheckResult>> {
        let step = &planned.step;
        let ctx = self.context(plan, run_id, &step.id, 0);
        let mut results = Vec::new();
        for check in &planned.verify {
            let result = match checks::run(&ctx, check, None).await {
                Ok(result) => result,
                // The server could not be asked: that is not an answer. The run stops
                // (exit 1) and a rerun verifies again.
                Err(Error::Database { context, source }) => {
                    return Err(Error::Database {
                        context: format!("cannot verify step {}: {context}", step.id),
                        source,
                    })
                }
                Err(error) => CheckResult {
                    kind: check.kind().to_owned(),
                    collection: None,
                    expected: serde_json::Value::Null,
                    actual: serde_json::json!(ErrorReport::of(&error).message),
                    ok: false,
                    error_code: None,
                    description: None,
                    filter: None,
                },
            };
            results.push(result);
        }
        let ok = results.iter().all(|r| r.ok);
        self.store
            .step_verified(
                step_key(plan, &step.id),
                plan.direction.as_str(),
                ok,
                run_id,
            )
            .await?;
        Ok(results)
    }

    /// Reports bookkeeping that failed (a journal or audit write): a warning on the event
    /// stream and in the run's report.
    pub(super) fn bookkeeping_failed(&self, warnings: &mut Vec<String>, what: &str, error: &Error) {
        let warning = format!("{what} could not be recorded: {error}");
        self.events.emit(RunEvent::Warning(warning.clone()));
        warnings.push(warning);
    }
}

fn manual_text(action: &Action) -> String {
    match action {
        Action::Manual(m) => m.instructions.trim().to_owned(),
        Action::Checklist(c) => c
            .items
            .iter()
            .map(|i| format!("[ ] {i}"))
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.kind().to_owned(),
    }
}
