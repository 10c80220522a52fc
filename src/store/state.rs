//! The seam at the state database: what the gates and the resume decision read from the store,
//! as a trait, so those decisions can be tested against [`memory`](super::memory) without a server.

use super::approvals::Approval;
use super::runs::RunRecord;
use super::Store;
use crate::error::Result;

/// What a run's preparation reads from the state database.
pub(crate) trait StateStore {
    /// The approvals recorded for a saved plan.
    async fn approvals_for(&self, plan_id: &str) -> Result<Vec<Approval>>;

    /// The newest run of `runbook` on `database`.
    async fn latest_run(&self, runbook: &str, database: &str) -> Result<Option<RunRecord>>;
}

impl StateStore for Store {
    async fn approvals_for(&self, plan_id: &str) -> Result<Vec<Approval>> {
        Store::approvals_for(self, plan_id).await
    }

    async fn latest_run(&self, runbook: &str, database: &str) -> Result<Option<RunRecord>> {
        Ok(self.runs(runbook, database, 1).await?.into_iter().next())
    }
}
