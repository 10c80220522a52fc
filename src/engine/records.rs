//! What a run records about itself in the state database: its run record and its audit
//! events.

use super::Engine;
use crate::error::Result;
use crate::plan::RunPlan;
use crate::store::audit::AuditEvent;
use crate::store::runs::{RunRecord, RunStatus};

impl Engine<'_> {
    pub(super) fn record(&self, plan: &RunPlan, id: &str, steps: &[String]) -> RunRecord {
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
            host: crate::process::hostname(),
            pid: std::process::id(),
            started_at: now,
            heartbeat_at: now,
            finished_at: None,
            status: RunStatus::Running,
            exit_code: None,
            error: None,
            resumed_at: Vec::new(),
            continue_on_error: self.options.continue_on_error,
            undo: None,
        }
    }

    /// Appends an event of this run to the audit trail.
    pub(super) async fn audit(
        &self,
        plan: &RunPlan,
        run_id: &str,
        step: Option<&str>,
        event: &str,
        details: mongodb::bson::Document,
    ) -> Result<()> {
        self.audit_in(plan, run_id, step, event, details, None)
            .await
    }

    /// [`Self::audit`], inside `session`'s transaction when there is one.
    pub(super) async fn audit_in(
        &self,
        plan: &RunPlan,
        run_id: &str,
        step: Option<&str>,
        event: &str,
        details: mongodb::bson::Document,
        session: Option<&mut mongodb::ClientSession>,
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
                session,
            )
            .await
    }
}
