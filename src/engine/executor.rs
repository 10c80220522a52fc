//! The step-by-step executor.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use mongodb::bson::doc;
use mongodb::{Client, ClientSession};

use super::report::{ErrorReport, PendingManual, RunReport, RunbookRef, StepReport};
use super::{transaction, EventSink, RunCommand, RunEvent, RunOptions};
use crate::actions::checks::{self, CheckResult};
use crate::actions::documents::DocumentWrite;
use crate::actions::snapshot::{self, Taken};
use crate::actions::{self, ActionContext, ActionOutcome, RunEnv};
use crate::error::{Error, Result};
use crate::exit_code;
use crate::plan::{self, PlanRequest, PlannedStep, RunPlan};
use crate::runbook::model::{Action, TransactionMode};
use crate::runbook::LoadedRunbook;
use crate::store::audit::AuditEvent;
use crate::store::journal::ActionKey;
use crate::store::runs::{hostname, RunRecord, RunStatus};
use crate::store::snapshots::Snapshot;
use crate::store::step_state::StepKey;
use crate::store::Store;

/// An action that completed (or failed with partial effects) in this run, for compensation.
struct Completed {
    step: String,
    index: usize,
    action: Action,
    outcome: ActionOutcome,
    snapshot: Option<Snapshot>,
}

/// What the steps of a run accumulate: manual actions left pending, actions completed.
struct Progress<'a> {
    pending: &'a mut Vec<PendingManual>,
    completed: &'a mut Vec<Completed>,
}

/// What compensation did for one action.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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

/// Runs plans against one client and state store.
pub struct Engine<'a> {
    /// The client.
    pub client: &'a Client,
    /// State database.
    pub store: &'a Store,
    /// Parameters, opt-ins, confirmer.
    pub env: &'a RunEnv,
    /// Where events go.
    pub events: &'a dyn EventSink,
    /// How to run.
    pub options: &'a RunOptions,
}

/// How a step ended, for the run's verdict.
enum StepEnd {
    Done,
    /// The step failed: the error, whether it ran in a transaction, and whether it failed
    /// before any of its actions ran (a precondition).
    Failed(Error, bool, bool),
    Pending,
    /// A checklist is not confirmed: the run stops here.
    Blocked,
    Interrupted,
}

impl Engine<'_> {
    /// Resolves the request, takes the lock, starts (or resumes) a run, runs it and records
    /// the outcome. Errors are returned only for problems found before anything was written.
    pub async fn run(&self, loaded: &LoadedRunbook, request: &PlanRequest) -> Result<RunReport> {
        let provisional = super::new_run_id();
        let plan = plan::resolve(loaded, request, &provisional)?;

        if self.options.command == RunCommand::Verify {
            // Verify only reads: it takes no lock, and only reports runs that look dead.
            let reaped = self
                .store
                .reap_dead_runs(&plan.runbook_id, &plan.database)
                .await?;
            return self
                .run_plan(loaded, request, plan, provisional, reaped)
                .await;
        }
        let acquired = self
            .store
            .acquire_lock(
                &plan.runbook_id,
                &plan.database,
                &provisional,
                &self.options.operator,
            )
            .await?;
        // Holding the lock, any other run still marked running has lost it: it is dead.
        let result = async {
            let reaped = self
                .store
                .interrupt_running_runs(&plan.runbook_id, &plan.database)
                .await?;
            if let Some(previous) = &acquired.took_over_from {
                tracing::warn!("took over the lock of run {previous}, whose process is gone");
            }
            self.run_plan(loaded, request, plan.clone(), provisional.clone(), reaped)
                .await
        }
        .await;
        let owner = result
            .as_ref()
            .map_or(provisional.as_str(), |r| r.run_id.as_str());
        if let Err(e) = self
            .store
            .release_lock(&plan.runbook_id, &plan.database, owner)
            .await
        {
            tracing::warn!("cannot release the lock: {e}");
        }
        result
    }

    async fn run_plan(
        &self,
        loaded: &LoadedRunbook,
        request: &PlanRequest,
        mut plan: RunPlan,
        provisional: String,
        reaped: Vec<RunRecord>,
    ) -> Result<RunReport> {
        let started = Instant::now();
        let direction = plan.direction.as_str();
        let recent = self
            .store
            .runs(&plan.runbook_id, &plan.database, 10)
            .await?;
        let step_ids: Vec<String> = plan.steps.iter().map(|s| s.step.id.clone()).collect();
        let command = self.options.command.as_str();
        let resumable = recent.first().filter(|r| {
            matches!(r.status, RunStatus::Interrupted | RunStatus::Failed)
                && r.command == command
                && r.direction == direction
                && r.steps == step_ids
                && r.digest == plan.digest
        });
        let (run_id, resumed) = if let Some(previous) = resumable {
            plan = plan::resolve(loaded, request, &previous.id)?;
            self.store
                .resume_run(&previous.id, &self.options.operator)
                .await?;
            if self.options.command != RunCommand::Verify {
                self.store
                    .transfer_lock(&plan.runbook_id, &plan.database, &provisional, &previous.id)
                    .await?;
            }
            (previous.id.clone(), true)
        } else {
            self.store
                .create_run(&self.record(&plan, &provisional, &step_ids))
                .await?;
            (provisional, false)
        };
        self.audit(
            &plan,
            &run_id,
            None,
            if resumed {
                "run_resumed"
            } else {
                "run_started"
            },
            doc! {"command": command, "direction": direction, "steps": &step_ids},
        )
        .await?;
        self.events.emit(RunEvent::Started {
            run_id: run_id.clone(),
            resumed,
        });

        let heartbeat = {
            let store = self.store.clone();
            let id = run_id.clone();
            let (runbook, database) = (plan.runbook_id.clone(), plan.database.clone());
            let locked = self.options.command != RunCommand::Verify;
            let interrupt = self.options.interrupt.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    if let Err(e) = store.heartbeat(&id).await {
                        tracing::warn!("heartbeat: {e}");
                    }
                    if locked
                        && matches!(store.renew_lock(&runbook, &database, &id).await, Ok(false))
                    {
                        tracing::error!(
                            "the lock was released by hand: stopping after the current action"
                        );
                        interrupt.store(true, Ordering::SeqCst);
                    }
                }
            })
        };
        let mut report = RunReport {
            plan_id: self.options.plan.as_ref().map(|p| p.plan_id.clone()),
            approval: self.options.plan.as_ref().and_then(|p| p.approval.clone()),
            schema: crate::output::json::SCHEMA_VERSION,
            command: command.to_owned(),
            run_id: run_id.clone(),
            runbook: RunbookRef {
                id: plan.runbook_id.clone(),
                digest: plan.digest.clone(),
            },
            database: plan.database.clone(),
            operator: self.options.operator.clone(),
            direction: direction.to_owned(),
            status: "ok".into(),
            exit_code: exit_code::OK,
            error: None,
            resumed,
            interrupted_runs: reaped.iter().map(|r| r.id.clone()).collect(),
            steps: Vec::new(),
            skipped: plan.skipped.clone(),
            pending_manual: Vec::new(),
            warnings: Vec::new(),
            compensation: Vec::new(),
            duration_ms: 0,
        };
        for skipped in &plan.skipped {
            self.events.emit(RunEvent::Warning(format!(
                "skipping step {}: {}",
                skipped.id, skipped.reason
            )));
        }
        let mut failure: Option<(Error, bool)> = None;
        let mut interrupted = false;
        let mut completed: Vec<Completed> = Vec::new();
        let mut compensation: Option<Vec<UndoReport>> = None;
        for planned in &plan.steps {
            if self.options.interrupt.load(Ordering::SeqCst) {
                interrupted = true;
                break;
            }
            let step_started = Instant::now();
            let (mut step_report, end) = if self.options.command == RunCommand::Verify {
                (self.empty_step(&plan, planned), StepEnd::Done)
            } else {
                self.run_step(
                    &plan,
                    planned,
                    &run_id,
                    resumed,
                    Progress {
                        pending: &mut report.pending_manual,
                        completed: &mut completed,
                    },
                )
                .await
            };
            if matches!(end, StepEnd::Done) && !planned.verify.is_empty() {
                step_report.verify = self.verify_step(&plan, planned, &run_id).await?;
                if step_report.verify.iter().any(|c| !c.ok) {
                    step_report.status = "verify_failed".into();
                } else if self.options.command == RunCommand::Verify {
                    step_report.status = "verified".into();
                }
            }
            step_report.duration_ms = elapsed_ms(step_started);
            self.events
                .emit(RunEvent::StepFinished(step_report.clone()));
            report.steps.push(step_report);
            match end {
                StepEnd::Failed(error, in_transaction, before_actions) => {
                    let atomic_run = plan.atomic;
                    let scope: Vec<&Completed> = completed
                        .iter()
                        .filter(|c| atomic_run || c.step == planned.step.id)
                        .collect();
                    let atomic = atomic_run || planned.step.atomic;
                    // A precondition that fails before anything changed is reported as itself.
                    if atomic && !(before_actions && scope.is_empty()) {
                        compensation = Some(self.compensate(&plan, &run_id, &scope).await);
                        failure = Some((error, in_transaction));
                        break;
                    }
                    let stop = !self.options.continue_on_error;
                    failure.get_or_insert((error, in_transaction));
                    if stop {
                        break;
                    }
                }
                StepEnd::Interrupted => {
                    interrupted = true;
                    break;
                }
                StepEnd::Blocked => break,
                StepEnd::Done | StepEnd::Pending => {}
            }
        }
        heartbeat.abort();

        let verify_failed: Vec<String> = report
            .steps
            .iter()
            .flat_map(|s| {
                s.verify
                    .iter()
                    .filter(|c| !c.ok)
                    .map(move |c| format!("step {}: {}", s.id, c.describe()))
            })
            .collect();
        let (status, exit, error) = if let (Some(undo), Some((error, _))) =
            (&compensation, &failure)
        {
            let remaining: Vec<String> = undo
                .iter()
                .filter(|u| !u.ok)
                .map(|u| format!("step {} {}: {}", u.step, u.kind, u.detail))
                .collect();
            let cause = error.cause_code().to_owned();
            let original = ErrorReport::of(error).message;
            if remaining.is_empty() {
                (RunStatus::Compensated, exit_code::COMPENSATED, Some(ErrorReport {
                    code: "COMPENSATED".into(),
                    message: format!("{original}; every completed action was undone in reverse order ({} undone), the data is as before the run", undo.len()),
                    cause: Some(cause),
                    remaining,
                }))
            } else {
                (
                    RunStatus::CompensationIncomplete,
                    exit_code::COMPENSATION_INCOMPLETE,
                    Some(ErrorReport {
                        code: "COMPENSATION_INCOMPLETE".into(),
                        message: format!(
                            "{original}; compensation could not undo everything: {}",
                            remaining.join("; ")
                        ),
                        cause: Some(cause),
                        remaining,
                    }),
                )
            }
        } else if interrupted {
            (RunStatus::Interrupted, exit_code::INTERRUPTED, Some(ErrorReport {
                code: "INTERRUPTED".into(),
                message: "stopped by a signal after finishing the current action; rerun the same command to resume".into(),
                ..ErrorReport::default()
            }))
        } else if let Some((error, in_transaction)) = &failure {
            let mut error_report = ErrorReport::of(error);
            if *in_transaction && error_report.code == "ACTION_FAILED" {
                error_report.code = "TRANSACTION_FAILED".into();
            }
            (RunStatus::Failed, error.exit_code(), Some(error_report))
        } else if !verify_failed.is_empty() {
            (
                RunStatus::VerifyFailed,
                exit_code::VERIFY_FAILED,
                Some(ErrorReport {
                    code: "VERIFY_FAILED".into(),
                    message: verify_failed.join("; "),
                    ..ErrorReport::default()
                }),
            )
        } else if !report.pending_manual.is_empty() {
            let steps: Vec<&str> = report
                .pending_manual
                .iter()
                .map(|p| p.step.as_str())
                .collect();
            (RunStatus::ManualPending, exit_code::MANUAL_PENDING, Some(ErrorReport {
                code: "MANUAL_PENDING".into(),
                message: format!("manual actions of step(s) {} are not confirmed; do them, then rerun interactively", steps.join(", ")),
                ..ErrorReport::default()
            }))
        } else {
            (RunStatus::Ok, exit_code::OK, None)
        };
        report.status = mongodb::bson::to_bson(&status)
            .ok()
            .and_then(|b| b.as_str().map(str::to_owned))
            .unwrap_or_default();
        report.exit_code = exit;
        report.error = error;
        report.compensation = compensation.unwrap_or_default();
        report.duration_ms = elapsed_ms(started);
        // The outcome is reported even when it cannot be recorded: the operator must see it.
        let error_document = report
            .error
            .as_ref()
            .map(|e| doc! {"code": &e.code, "message": &e.message});
        let stored = mongodb::bson::to_document(&report).unwrap_or_default();
        if let Err(e) = self
            .store
            .finish_run(&run_id, status, exit, error_document.clone(), stored)
            .await
        {
            report.warnings.push(format!(
                "{e}; `rollbook status` will show the run as interrupted"
            ));
        }
        if let Err(e) = self
            .audit(
                &plan,
                &run_id,
                None,
                "run_finished",
                doc! {"status": &report.status, "exit_code": exit, "error": error_document},
            )
            .await
        {
            report.warnings.push(e.to_string());
        }
        Ok(report)
    }

    fn record(&self, plan: &RunPlan, id: &str, steps: &[String]) -> RunRecord {
        let now = mongodb::bson::DateTime::now();
        RunRecord {
            id: id.to_owned(),
            command: self.options.command.as_str().to_owned(),
            runbook: plan.runbook_id.clone(),
            digest: plan.digest.clone(),
            database: plan.database.clone(),
            direction: plan.direction.as_str().to_owned(),
            steps: steps.to_vec(),
            params: plan.params.clone(),
            operator: self.options.operator.clone(),
            db_user: self.options.db_user.clone(),
            plan_id: self.options.plan.as_ref().map(|p| p.plan_id.clone()),
            host: hostname(),
            pid: std::process::id(),
            started_at: now,
            heartbeat_at: now,
            finished_at: None,
            status: RunStatus::Running,
            exit_code: None,
            error: None,
            resumed_at: Vec::new(),
        }
    }

    async fn audit(
        &self,
        plan: &RunPlan,
        run_id: &str,
        step: Option<&str>,
        event: &str,
        details: mongodb::bson::Document,
    ) -> Result<()> {
        self.store
            .audit(
                &AuditEvent {
                    run_id: Some(run_id),
                    runbook: &plan.runbook_id,
                    database: &plan.database,
                    operator: &self.options.operator,
                    event,
                    step,
                    details,
                },
                None,
            )
            .await
    }

    fn context<'c>(
        &'c self,
        plan: &'c RunPlan,
        run_id: &'c str,
        step: &'c str,
        index: usize,
    ) -> ActionContext<'c> {
        ActionContext {
            client: self.client,
            store: self.store,
            database: &plan.database,
            run_id,
            runbook: &plan.runbook_id,
            step,
            direction: plan.direction,
            index,
            env: self.env,
            cut_short: false,
            fresh_snapshot_documents: None,
        }
    }

    fn empty_step(&self, plan: &RunPlan, planned: &PlannedStep) -> StepReport {
        StepReport {
            id: planned.step.id.clone(),
            title: planned.step.title.clone(),
            direction: plan.direction.as_str().to_owned(),
            status: "ok".into(),
            transaction: false,
            actions: Vec::new(),
            verify: Vec::new(),
            error: None,
            duration_ms: 0,
        }
    }

    /// Whether a step runs in one transaction (the same decision `plan` shows).
    async fn use_transaction(
        &self,
        plan: &RunPlan,
        planned: &PlannedStep,
        run_id: &str,
    ) -> Result<bool> {
        let step = &planned.step;
        let mut writes = 0;
        if step.transaction == TransactionMode::Auto
            && planned.actions.iter().all(Action::can_run_in_transaction)
        {
            for (index, action) in planned.actions.iter().enumerate() {
                if let Some(write) = DocumentWrite::of(action, &plan.database)? {
                    let budget = (self.options.transaction_limit + 1).saturating_sub(writes);
                    writes += actions::documents::count_up_to(
                        &self.context(plan, run_id, &step.id, index),
                        &write,
                        budget,
                    )
                    .await?;
                    if writes > self.options.transaction_limit {
                        break;
                    }
                }
            }
        }
        Ok(crate::plan::dry_run::decide_transaction(
            step.transaction,
            &planned.actions,
            writes,
            self.options.transaction_limit,
        ))
    }

    async fn run_step(
        &self,
        plan: &RunPlan,
        planned: &PlannedStep,
        run_id: &str,
        resumed: bool,
        progress: Progress<'_>,
    ) -> (StepReport, StepEnd) {
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
            return self
                .fail_step(plan, run_id, report, verdict, false, true)
                .await;
        }
        let in_transaction = match self.use_transaction(plan, planned, run_id).await {
            Ok(decision) => decision,
            Err(error) => {
                return self
                    .fail_step(plan, run_id, report, error, false, true)
                    .await
            }
        };
        report.transaction = in_transaction;
        self.events.emit(RunEvent::StepStarted {
            id: step.id.clone(),
            title: step.title.clone(),
            transaction: in_transaction,
        });
        let result = if in_transaction {
            self.step_in_transaction(plan, planned, run_id, progress.completed)
                .await
        } else {
            self.step_in_place(plan, planned, run_id, resumed, &mut report, progress)
                .await
        };
        match result {
            Ok(Some(outcomes)) => {
                report.actions = outcomes;
                (report, StepEnd::Done)
            }
            Ok(None) if report.status == "pending" => {
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
                self.fail_step(plan, run_id, report, error, in_transaction, false)
                    .await
            }
        }
    }

    async fn fail_step(
        &self,
        plan: &RunPlan,
        run_id: &str,
        mut report: StepReport,
        error: Error,
        in_transaction: bool,
        before_actions: bool,
    ) -> (StepReport, StepEnd) {
        let mut error_report = ErrorReport::of(&error);
        if in_transaction && error_report.code == "ACTION_FAILED" {
            error_report.code = "TRANSACTION_FAILED".into();
        }
        report.status = "failed".into();
        report.error = Some(error_report.clone());
        if let Err(e) = self
            .audit(plan, run_id, Some(&report.id), "step_failed", doc! {"code": &error_report.code, "message": &error_report.message, "transaction": in_transaction})
            .await
        {
            tracing::warn!("cannot audit the failure: {e}");
        }
        (
            report,
            StepEnd::Failed(error, in_transaction, before_actions),
        )
    }

    /// All of the step's writes, their journal entries, snapshot registrations and the step's
    /// state in one transaction. Snapshot data is saved before it (`$out` cannot run inside).
    async fn step_in_transaction(
        &self,
        plan: &RunPlan,
        planned: &PlannedStep,
        run_id: &str,
        completed: &mut Vec<Completed>,
    ) -> Result<Option<Vec<ActionOutcome>>> {
        let step = &planned.step;
        let mut taken: Vec<Option<Taken>> = Vec::new();
        for (index, action) in planned.actions.iter().enumerate() {
            taken.push(if action.is_destructive() {
                snapshot::take(&self.context(plan, run_id, &step.id, index), action).await?
            } else {
                None
            });
        }
        let mut session = transaction::session(self.client).await?;
        let mut attempt = 0;
        let started = Instant::now();
        let result = loop {
            attempt += 1;
            transaction::begin(&mut session).await?;
            let body = self
                .transaction_body(plan, planned, run_id, &taken, &mut session)
                .await;
            let committed = match body {
                Ok(outcomes) => transaction::commit(&mut session).await.map(|()| outcomes),
                Err(error) => {
                    transaction::abort(&mut session).await;
                    Err(error)
                }
            };
            let pause = match &committed {
                Err(error) if transaction::is_transient(error) => {
                    transaction::backoff(attempt, started)
                }
                _ => None,
            };
            match (committed, pause) {
                (Err(error), Some(pause)) => {
                    // A write conflict on resume is most often the killed run's transaction,
                    // still open on the server until it expires.
                    tracing::warn!(
                        attempt,
                        "transient transaction error in step {}, retrying in {pause:?} (for up to {:?}): {error}",
                        step.id,
                        transaction::RETRY_FOR
                    );
                    tokio::time::sleep(pause).await;
                }
                (other, _) => break other,
            }
        };
        if result.is_err() {
            for t in taken.iter().flatten().filter(|t| !t.registered) {
                if let Some(storage) = &t.snapshot.storage {
                    let _ = self
                        .store
                        .database()
                        .collection::<mongodb::bson::Document>(storage)
                        .drop()
                        .await;
                }
            }
        }
        let outcomes = result?;
        for (index, outcome) in outcomes.iter().enumerate() {
            self.events.emit(RunEvent::ActionFinished {
                step: step.id.clone(),
                outcome: outcome.clone(),
            });
            completed.push(Completed {
                step: step.id.clone(),
                index,
                action: planned.actions[index].clone(),
                outcome: outcome.clone(),
                snapshot: taken
                    .get(index)
                    .and_then(Option::as_ref)
                    .map(|t| t.snapshot.clone()),
            });
        }
        Ok(Some(outcomes))
    }

    async fn transaction_body(
        &self,
        plan: &RunPlan,
        planned: &PlannedStep,
        run_id: &str,
        taken: &[Option<Taken>],
        session: &mut ClientSession,
    ) -> Result<Vec<ActionOutcome>> {
        let step = &planned.step;
        let direction = plan.direction.as_str();
        let mut outcomes = Vec::new();
        for (index, action) in planned.actions.iter().enumerate() {
            let ctx = self.context(plan, run_id, &step.id, index);
            let key = ActionKey {
                run_id,
                step: &step.id,
                direction,
                index,
            };
            self.store
                .action_started(&key, action.kind(), &target_of(action), Some(&mut *session))
                .await?;
            let snapshot = taken.get(index).and_then(Option::as_ref);
            if let Some(t) = snapshot.filter(|t| !t.registered) {
                self.store
                    .register_snapshot(&t.snapshot, Some(&mut *session))
                    .await?;
            }
            let started = Instant::now();
            let mut outcome = actions::execute(&ctx, action, Some(&mut *session)).await?;
            outcome.duration_ms = elapsed_ms(started);
            outcome.snapshot = snapshot.map(|t| t.snapshot.id.clone()).or(outcome.snapshot);
            self.store
                .action_finished(
                    &key,
                    &outcome.status,
                    outcome.to_document(),
                    Some(&mut *session),
                )
                .await?;
            outcomes.push(outcome);
        }
        self.store
            .step_applied(
                step_key(plan, &step.id),
                direction,
                run_id,
                &self.options.operator,
                Some(&mut *session),
            )
            .await?;
        self.store
            .audit(
                &AuditEvent {
                    run_id: Some(run_id),
                    runbook: &plan.runbook_id,
                    database: &plan.database,
                    operator: &self.options.operator,
                    event: "step_ok",
                    step: Some(&step.id),
                    details: doc! {"direction": direction, "transaction": true, "actions": outcomes.iter().map(ActionOutcome::to_document).collect::<Vec<_>>()},
                },
                Some(&mut *session),
            )
            .await?;
        Ok(outcomes)
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
        let Progress { pending, completed } = progress;
        let step = &planned.step;
        let direction = plan.direction.as_str();
        let mut outcomes = Vec::new();
        for (index, action) in planned.actions.iter().enumerate() {
            if index > 0 && self.options.interrupt.load(Ordering::SeqCst) {
                report.actions = outcomes;
                report.status = "interrupted".into();
                return Ok(None);
            }
            let key = ActionKey {
                run_id,
                step: &step.id,
                direction,
                index,
            };
            let mut ctx = self.context(plan, run_id, &step.id, index);
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
                ctx.cut_short = self.store.action_cut_short(&key).await?;
            }
            self.store
                .action_started(&key, action.kind(), &target_of(action), None)
                .await?;
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
                    completed.push(Completed {
                        step: step.id.clone(),
                        index,
                        action: action.clone(),
                        outcome: outcome.clone(),
                        snapshot,
                    });
                    outcome.duration_ms = elapsed_ms(started);
                    self.store
                        .action_finished(&key, &outcome.status, outcome.to_document(), None)
                        .await?;
                    self.events.emit(RunEvent::ActionFinished {
                        step: step.id.clone(),
                        outcome: outcome.clone(),
                    });
                    let is_pending = outcome.status == "pending";
                    outcomes.push(outcome);
                    if is_pending {
                        pending.push(PendingManual {
                            step: step.id.clone(),
                            instructions: manual_text(action),
                        });
                        report.actions = outcomes;
                        report.status = "pending".into();
                        return Ok(None);
                    }
                }
                Err(error) => {
                    let _ = self
                        .store
                        .action_finished(
                            &key,
                            "failed",
                            doc! {"error": ErrorReport::of(&error).message},
                            None,
                        )
                        .await;
                    if actions::undo::may_have_partial_effects(action) {
                        let mut outcome = ActionOutcome::new(action.kind(), None);
                        outcome.status = "failed".into();
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

    /// Undoes `completed` actions in reverse order, journaling and auditing each undo, going on
    /// past an undo that fails; returns what happened to each.
    async fn compensate(
        &self,
        plan: &RunPlan,
        run_id: &str,
        completed: &[&Completed],
    ) -> Vec<UndoReport> {
        let mut reports = Vec::new();
        let mut steps: Vec<&str> = Vec::new();
        for done in completed.iter().rev() {
            let ctx = self.context(plan, run_id, &done.step, done.index);
            let key = ActionKey {
                run_id,
                step: &done.step,
                direction: "undo",
                index: done.index,
            };
            let _ = self
                .store
                .action_started(&key, done.action.kind(), &target_of(&done.action), None)
                .await;
            let result =
                actions::undo::undo(&ctx, &done.action, &done.outcome, done.snapshot.as_ref())
                    .await;
            let (ok, detail) = match result {
                Ok(Some(what)) => (true, what),
                Ok(None) => (true, "nothing to undo".to_owned()),
                Err(error) => (false, ErrorReport::of(&error).message),
            };
            let status = if ok { "ok" } else { "failed" };
            let _ = self
                .store
                .action_finished(
                    &key,
                    status,
                    doc! {"kind": done.action.kind(), "detail": &detail},
                    None,
                )
                .await;
            let _ = self
                .audit(
                    plan,
                    run_id,
                    Some(&done.step),
                    if ok { "undo_ok" } else { "undo_failed" },
                    doc! {"kind": done.action.kind(), "detail": &detail},
                )
                .await;
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
            let _ = self
                .store
                .step_applied(
                    step_key(plan, step),
                    "compensated",
                    run_id,
                    &self.options.operator,
                    None,
                )
                .await;
        }
        reports
    }

    async fn verify_step(
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
}

fn step_key<'a>(plan: &'a RunPlan, step: &'a str) -> StepKey<'a> {
    StepKey {
        runbook: &plan.runbook_id,
        database: &plan.database,
        step,
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// A short description of what an action acts on, for the journal.
fn target_of(action: &Action) -> String {
    action
        .names()
        .iter()
        .map(|n| n.text)
        .collect::<Vec<_>>()
        .join(" ")
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
