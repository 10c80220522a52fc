//! The run: takes the lock, starts or resumes a run, keeps its heartbeat, goes through the steps,
//! and records the verdict. Steps themselves are run by `step.rs` and `transactional.rs`.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mongodb::bson::doc;
use mongodb::Client;

use super::compensation::{self, Completed};
use super::keys::elapsed_ms;
use super::report::UndoReport;
use super::report::{RunReport, RunbookRef, StepReport, StepStatus};
use super::resume;
use super::step::{Progress, StepEnd};
use super::verdict::{verdict, Failure, RunEnd, Verdict};
use super::{EventSink, RunCommand, RunEvent, RunOptions};
use crate::actions::{ActionContext, RunEnv};
use crate::error::{Error, Result};
use crate::exit_code;
use crate::plan::{self, PlanRequest, PlannedStep, RunPlan};
use crate::runbook::LoadedRunbook;
use crate::store::lock::Lease;
use crate::store::runs::{RunRecord, RunStatus};
use crate::store::state::StateStore;
use crate::store::Store;

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
        let lease = Arc::new(self.take_lock(&plan, &provisional).await?);
        // Every write of this attempt, to the state and through the actions, checks the lease.
        let store = self.store.fenced(lease.clone());
        let engine = Engine {
            client: self.client,
            store: &store,
            env: self.env,
            events: self.events,
            options: self.options,
        };
        // Holding the lock, any other run still marked running has lost it: it is dead.
        let result = async {
            let reaped = store
                .interrupt_running_runs(&plan.runbook_id, &plan.database)
                .await?;
            engine
                .run_plan(loaded, request, plan.clone(), provisional.clone(), reaped)
                .await
        }
        .await;
        if let Err(e) = lease.release().await {
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
            .recent_runs(&plan.runbook_id, &plan.database)
            .await?;
        let step_ids: Vec<String> = plan.steps.iter().map(|s| s.step.id.clone()).collect();
        let command = self.options.command.as_str();
        let plan_id = self.options.plan.as_ref().map(|p| p.plan_id.as_str());
        let attempt = resume::Attempt {
            command,
            direction,
            steps: &step_ids,
            digest: &plan.digest,
            plan_id,
        };
        let choice = match &self.options.resume {
            Some(id) => resume::Choice::Resume(
                resume::choose_exactly(&recent, &attempt, id).map_err(|why| {
                    Error::StateConflict(format!(
                        "cannot resume run {id}: {why}; nothing was changed"
                    ))
                })?,
            ),
            None => resume::choose(&recent, &attempt),
        };
        let mut warnings = Vec::new();
        if let resume::Choice::Start(Some(why)) = &choice {
            self.events.emit(RunEvent::Warning(why.clone()));
            warnings.push(why.clone());
        }
        let resumable = choice.resumed();
        let (run_id, resumed) = if let Some(previous) = resumable {
            plan = plan::resolve(loaded, request, &previous.id)?;
            self.store
                .resume_run(&previous.id, &self.options.operator)
                .await?;
            if let Some(lease) = self.store.lease() {
                lease.transfer(&previous.id).await?;
                lease.recorded();
            }
            (previous.id.clone(), true)
        } else {
            self.store
                .create_run(&self.record(&plan, &provisional, &step_ids))
                .await?;
            if let Some(lease) = self.store.lease() {
                lease.recorded();
            }
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
            {
                let mut details =
                    doc! {"command": command, "direction": direction, "steps": &step_ids};
                if self.options.notifications_silenced {
                    details.insert("notifications", "silenced by --no-notify");
                }
                details
            },
        )
        .await?;
        self.events.emit(RunEvent::Started {
            run_id: run_id.clone(),
            resumed,
        });

        let heartbeat = {
            let store = self.store.clone();
            let id = run_id.clone();
            let interrupt = self.options.interrupt.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    if let Some(lease) = store.lease() {
                        match lease.renew().await {
                            Err(e) if lease.is_fenced() => {
                                tracing::error!("{e}");
                                interrupt.store(true, Ordering::SeqCst);
                                return;
                            }
                            Err(e) => tracing::warn!("cannot renew the lock: {e}"),
                            Ok(()) => {}
                        }
                    }
                    match store.heartbeat(&id).await {
                        Err(Error::StateConflict(vanished)) => {
                            // The state this run records into is gone: it must write nothing
                            // more (its next write would recreate part of the state).
                            tracing::error!("{vanished}");
                            if let Some(lease) = store.lease() {
                                lease.fence(vanished);
                            }
                            interrupt.store(true, Ordering::SeqCst);
                            return;
                        }
                        Err(e) => tracing::warn!("heartbeat: {e}"),
                        Ok(()) => {}
                    }
                }
            })
        };
        let mut report = RunReport {
            plan_id: self.options.plan.as_ref().map(|p| p.plan_id.clone()),
            approval: self.options.plan.as_ref().and_then(|p| p.approval.clone()),
            schema: super::report::SCHEMA_VERSION,
            command: self.options.command,
            run_id: run_id.clone(),
            runbook: RunbookRef {
                id: plan.runbook_id.clone(),
                digest: plan.digest.clone(),
            },
            database: plan.database.clone(),
            operator: self.options.operator.clone(),
            direction: plan.direction,
            status: RunStatus::Ok,
            exit_code: exit_code::OK,
            error: None,
            resumed,
            interrupted_runs: reaped.iter().map(|r| r.id.clone()).collect(),
            steps: Vec::new(),
            skipped: plan.skipped.clone(),
            pending_manual: Vec::new(),
            warnings,
            compensation: Vec::new(),
            duration_ms: 0,
        };
        for skipped in &plan.skipped {
            self.events.emit(RunEvent::Warning(format!(
                "skipping step {}: {}",
                skipped.id, skipped.reason
            )));
        }
        let mut failure: Option<Failure> = None;
        let mut interrupted = false;
        let mut completed: Vec<Completed> = Vec::new();
        let mut compensation: Option<Vec<UndoReport>> = None;
        // A resumed run whose compensation did not finish only finishes it.
        let unfinished = resumable
            .and_then(|run| run.undo.clone())
            .filter(|list| !list.remaining.is_empty());
        let mut finished_compensation = None;
        if let Some(list) = &unfinished {
            let why = format!(
                "run {run_id} failed ({}: {}) and its compensation left {} action(s) to undo; this attempt undoes them and runs no step",
                list.failure.code,
                list.failure.message,
                list.remaining.len()
            );
            self.events.emit(RunEvent::Warning(why.clone()));
            report.warnings.push(why);
            match self.pending_undo(&plan, list).await {
                Ok(pending) => {
                    let pending: Vec<&Completed> = pending.iter().collect();
                    let undo = self
                        .compensate(
                            &plan,
                            &run_id,
                            &list.failure,
                            &pending,
                            &mut report.warnings,
                        )
                        .await;
                    finished_compensation = Some(super::verdict::compensated(&undo, &list.failure));
                    compensation = Some(undo);
                }
                Err(error) => {
                    failure = Some(Failure {
                        error,
                        mode: super::verdict::StepMode::InPlace,
                    });
                }
            }
        }
        let steps = if unfinished.is_some() {
            &[][..]
        } else {
            &plan.steps[..]
        };
        for planned in steps {
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
                        warnings: &mut report.warnings,
                    },
                )
                .await
            };
            if matches!(end, StepEnd::Done) && !planned.verify.is_empty() {
                step_report.verify = self.verify_step(&plan, planned, &run_id).await?;
                if step_report.verify.iter().any(|c| !c.ok) {
                    step_report.status = StepStatus::VerifyFailed;
                } else if self.options.command == RunCommand::Verify {
                    step_report.status = StepStatus::Verified;
                }
            }
            step_report.duration_ms = elapsed_ms(step_started);
            step_report.estimate_ms = self
                .options
                .estimates
                .get(&planned.step.id)
                .copied()
                .filter(|ms| *ms > 0);
            self.events
                .emit(RunEvent::StepFinished(step_report.clone()));
            report.steps.push(step_report);
            match end {
                StepEnd::Failed {
                    error,
                    mode,
                    reached,
                } => {
                    // A superseded attempt writes nothing more: no compensation, no next step.
                    // The attempt that took over resumes the run.
                    if self.store.lease().is_some_and(Lease::is_fenced) {
                        failure = Some(Failure { error, mode });
                        break;
                    }
                    let scope = compensation::undo_scope(
                        &completed,
                        |c| c.step.as_str(),
                        plan.atomic,
                        &planned.step.id,
                    );
                    if compensation::compensates(
                        plan.atomic || planned.step.atomic,
                        reached,
                        scope.len(),
                    ) {
                        let started = super::verdict::started_compensation(&error, mode);
                        compensation = Some(
                            self.compensate(&plan, &run_id, &started, &scope, &mut report.warnings)
                                .await,
                        );
                        failure = Some(Failure { error, mode });
                        break;
                    }
                    failure.get_or_insert(Failure { error, mode });
                    if !self.options.continue_on_error {
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
        // Found superseded (by a write's check or the heartbeat): that is the outcome, whatever
        // else stopped the run.
        if let Some(lease) = self.store.lease().filter(|lease| lease.is_fenced()) {
            if !matches!(&failure, Some(f) if matches!(f.error, crate::error::Error::Concurrent(_)))
            {
                failure = Some(Failure {
                    error: lease.superseded(),
                    mode: super::verdict::StepMode::InPlace,
                });
            }
            interrupted = false;
        }

        let superseded = self.store.lease().is_some_and(Lease::is_fenced);
        let Verdict {
            status,
            exit,
            error,
        } = match finished_compensation {
            Some(verdict) if !superseded => verdict,
            _ => verdict(&RunEnd {
                steps: &report.steps,
                failure: failure.as_ref(),
                // A superseded attempt reports that, even if it had begun to compensate.
                undo: compensation.as_deref().filter(|_| !superseded),
                interrupted,
                pending: &report.pending_manual,
            }),
        };
        report.status = status;
        report.exit_code = exit;
        report.error = error;
        report.compensation = compensation.unwrap_or_default();
        report.duration_ms = elapsed_ms(started);
        // The outcome is reported even when it cannot be recorded: the operator must see it.
        let error_document = report
            .error
            .as_ref()
            .map(|e| doc! {"code": e.code.as_str(), "message": &e.message});
        let stored = match mongodb::bson::to_document(&report) {
            Ok(stored) => stored,
            Err(e) => {
                report
                    .warnings
                    .push(format!("the run's report could not be stored whole: {e}"));
                doc! {"run_id": &run_id, "status": status.as_str(), "exit_code": exit}
            }
        };
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
                doc! {"status": status.as_str(), "exit_code": exit, "error": error_document},
            )
            .await
        {
            report.warnings.push(e.to_string());
        }
        Ok(report)
    }

    pub(super) fn context<'c>(
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
            retried: false,
            fresh_snapshot_documents: None,
            tally: self,
            opposite: &[],
        }
    }

    pub(super) fn empty_step(&self, plan: &RunPlan, planned: &PlannedStep) -> StepReport {
        StepReport {
            id: planned.step.id.clone(),
            title: planned.step.title.clone(),
            direction: plan.direction,
            status: StepStatus::Ok,
            transaction: false,
            actions: Vec::new(),
            verify: Vec::new(),
            error: None,
            duration_ms: 0,
            estimate_ms: None,
        }
    }
}
