//! An in-memory [`StateStore`] for unit tests of decisions: approvals and runs held in vectors.

use super::approvals::Approval;
use super::runs::RunRecord;
use super::state::StateStore;
use crate::error::Result;

/// Approvals and runs, newest run last.
#[derive(Debug, Default)]
pub(crate) struct MemoryStore {
    approvals: Vec<Approval>,
    runs: Vec<RunRecord>,
}

impl MemoryStore {
    /// A store holding `approvals` and `runs` (oldest first).
    pub(crate) fn new(approvals: Vec<Approval>, runs: Vec<RunRecord>) -> Self {
        MemoryStore { approvals, runs }
    }

    /// The runs as they are now, oldest first.
    pub(crate) fn runs(&self) -> &[RunRecord] {
        &self.runs
    }
}

impl StateStore for MemoryStore {
    async fn approvals_for(&self, plan_id: &str) -> Result<Vec<Approval>> {
        Ok(self
            .approvals
            .iter()
            .filter(|a| a.plan_id == plan_id)
            .cloned()
            .collect())
    }

    async fn recent_runs(&self, runbook: &str, database: &str) -> Result<Vec<RunRecord>> {
        Ok(self
            .runs
            .iter()
            .rev()
            .filter(|r| r.runbook == runbook && r.database == database)
            .cloned()
            .collect())
    }
}
