//! The seam at the state database: what the gates and the resume decision read from the store,
//! as a trait, so those decisions can be tested against [`memory`](super::memory) without a server.

use super::approvals::Approval;
use super::runs::RunRecord;
use super::Store;
use crate::error::Result;

/// How many recent runs the resume rule looks through.
const RECENT_RUNS: i64 = 50;

/// What a run's preparation reads from the state database.
pub(crate) trait StateStore {
    /// The approvals recorded for a saved plan.
    async fn approvals_for(&self, plan_id: &str) -> Result<Vec<Approval>>;

    /// The recent runs of `runbook` on `database`, newest first.
    async fn recent_runs(&self, runbook: &str, database: &str) -> Result<Vec<RunRecord>>;
}

impl StateStore for Store {
    async fn approvals_for(&self, plan_id: &str) -> Result<Vec<Approval>> {
        Store::approvals_for(self, plan_id).await
    }

    async fn recent_runs(&self, runbook: &str, database: &str) -> Result<Vec<RunRecord>> {
        self.runs(runbook, database, RECENT_RUNS).await
    }
}
