//! Runs: one document per invocation of apply/rollback/verify, with a heartbeat so a run
//! whose process died is recognised as interrupted.

use std::collections::BTreeMap;

use mongodb::bson::{self, doc, DateTime, Document};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::error::{Error, Result};

/// A run is considered dead when its heartbeat is older than this: as long as its lease, since
/// a run silent that long has lost its lock (the heartbeat renews both) and writes nothing more.
pub(crate) const HEARTBEAT_EXPIRY_SECS: i64 = super::lock::LEASE_SECS;

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// In progress (or its process died and nobody noticed yet).
    Running,
    /// Finished; every step done and verified.
    Ok,
    /// An action failed.
    Failed,
    /// Verification did not hold.
    VerifyFailed,
    /// Manual actions were left unconfirmed.
    ManualPending,
    /// Stopped by a signal, or its process died.
    Interrupted,
    /// Failed, and every completed action was undone.
    Compensated,
    /// Failed, and some completed actions could not be undone.
    CompensationIncomplete,
    /// Stopped before its end, and recorded by hand as never to be finished (`abandon`).
    Abandoned,
}

impl RunStatus {
    /// The status as stored and printed (`ok`, `verify_failed`, …).
    #[must_use]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Ok => "ok",
            RunStatus::Failed => "failed",
            RunStatus::VerifyFailed => "verify_failed",
            RunStatus::ManualPending => "manual_pending",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Compensated => "compensated",
            RunStatus::CompensationIncomplete => "compensation_incomplete",
            RunStatus::Abandoned => "abandoned",
        }
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The stored form of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RunRecord {
    /// Run id.
    #[serde(rename = "_id")]
    pub id: String,
    /// `apply`, `rollback` or `verify`.
    pub command: String,
    /// Runbook id.
    pub runbook: String,
    /// Runbook digest when the run started.
    pub digest: String,
    /// Target database.
    pub database: String,
    /// `forward` or `rollback`.
    pub direction: String,
    /// Step ids in execution order.
    pub steps: Vec<String>,
    /// Parameter values.
    pub params: BTreeMap<String, String>,
    /// Who ran it.
    pub operator: String,
    /// The authenticated database user, when the server uses authentication.
    #[serde(default)]
    pub db_user: Option<String>,
    /// The saved plan executed, if any.
    #[serde(default)]
    pub plan_id: Option<String>,
    /// Host the process ran on.
    pub host: String,
    /// Process id.
    pub pid: u32,
    /// When it started.
    pub started_at: DateTime,
    /// Last sign of life.
    pub heartbeat_at: DateTime,
    /// When it finished.
    #[serde(default)]
    pub finished_at: Option<DateTime>,
    /// Where it stands.
    pub status: RunStatus,
    /// Exit code it finished with.
    #[serde(default)]
    pub exit_code: Option<i32>,
    /// Error code and message it finished with.
    #[serde(default)]
    pub error: Option<Document>,
    /// Times the run was resumed after an interruption.
    #[serde(default)]
    pub resumed_at: Vec<DateTime>,
    /// It goes on past failed steps (`--continue-on-error`, or an emergency procedure).
    #[serde(default)]
    pub continue_on_error: bool,
    /// Compensation under way or left unfinished: what it still has to undo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo: Option<UndoList>,
}

/// The persisted undo list of a compensation: written before the first undo, each entry removed
/// once undone, so a rerun finishes what an interrupted or incomplete compensation left.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UndoList {
    /// The failure that started the compensation (its code as the cause).
    pub failure: crate::error::ErrorReport,
    /// What is left to undo, in the order to undo it.
    pub remaining: Vec<PendingUndo>,
}

/// One action left to undo.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PendingUndo {
    /// Step id.
    pub step: String,
    /// The action's index in the step's actions of the run's direction.
    pub index: usize,
    /// How the action ended (what the undo needs: the index name, the backup written, …).
    pub outcome: Document,
    /// The snapshot taken before it, if any.
    #[serde(default)]
    pub snapshot: Option<String>,
}

impl RunRecord {
    /// True when the run claims to be running but its process is gone or silent.
    #[must_use]
    pub(crate) fn is_dead(&self, now: DateTime) -> bool {
        if self.status != RunStatus::Running {
            return false;
        }
        if self.host == crate::process::hostname()
            && self.pid != std::process::id()
            && !crate::process::is_alive(self.pid)
        {
            return true;
        }
        now.timestamp_millis() - self.heartbeat_at.timestamp_millis() > HEARTBEAT_EXPIRY_SECS * 1000
    }
}

impl Store {
    /// Records a new run.
    pub(crate) async fn create_run(&self, run: &RunRecord) -> Result<()> {
        self.ensure_lease().await?;
        let document = bson::to_document(run).map_err(|e| Error::Usage(e.to_string()))?;
        self.collection("runs")
            .insert_one(document)
            .await
            .map_err(|e| Error::database("cannot record the run in the state database", e))?;
        Ok(())
    }

    /// Marks a resumed run as running again, by this process.
    pub(crate) async fn resume_run(&self, id: &str, operator: &str) -> Result<()> {
        self.ensure_lease().await?;
        let now = DateTime::now();
        self.collection("runs")
            .update_one(
                doc! {"_id": id},
                doc! {"$set": {"status": RunStatus::Running.as_str(), "heartbeat_at": now, "host": crate::process::hostname(), "pid": i64::from(std::process::id()), "operator": operator, "finished_at": null, "exit_code": null, "error": null},
                      "$push": {"resumed_at": now}},
            )
            .await
            .map_err(|e| Error::database("cannot resume the run", e))?;
        Ok(())
    }

    /// Refreshes a run's heartbeat. Fails with [`Error::StateConflict`] when the run's record
    /// is gone from the state database (dropped or replaced under the run).
    pub(crate) async fn heartbeat(&self, id: &str) -> Result<()> {
        self.ensure_lease().await?;
        let refreshed = self
            .collection("runs")
            .update_one(
                doc! {"_id": id},
                doc! {"$set": {"heartbeat_at": DateTime::now()}},
            )
            .await
            .map_err(|e| Error::database("cannot refresh the run's heartbeat", e))?;
        if refreshed.matched_count == 0 {
            return Err(Error::StateConflict(format!(
                "run {id}'s record vanished from the state database {} while it ran (dropped or replaced?); it stopped before its next write, and no run can go on until the state is restored or accepted (`rollbook unlock --accept-state`)",
                self.db.name()
            )));
        }
        Ok(())
    }

    /// Records how a run finished.
    pub(crate) async fn finish_run(
        &self,
        id: &str,
        status: RunStatus,
        exit_code: i32,
        error: Option<Document>,
        report: Document,
    ) -> Result<()> {
        self.ensure_lease().await?;
        let status = bson::to_bson(&status).unwrap_or_default();
        self.collection("runs")
            .update_one(
                doc! {"_id": id},
                doc! {"$set": {"status": status, "finished_at": DateTime::now(), "exit_code": exit_code, "error": error, "report": report}},
            )
            .await
            .map_err(|e| Error::database("cannot record the end of the run", e))?;
        Ok(())
    }

    /// Adds `warnings` to the stored report of finished run `id` (what was learnt after it was
    /// recorded, such as a notification that could not be sent).
    pub(crate) async fn add_report_warnings(&self, id: &str, warnings: &[String]) -> Result<()> {
        self.ensure_lease().await?;
        self.collection("runs")
            .update_one(
                doc! {"_id": id, "report": {"$type": "object"}},
                doc! {"$push": {"report.warnings": {"$each": warnings}}},
            )
            .await
            .map_err(|e| Error::database("cannot add warnings to the run's report", e))?;
        Ok(())
    }

    /// One run by id.
    pub(crate) async fn run(&self, id: &str) -> Result<Option<RunRecord>> {
        let found = self
            .collection("runs")
            .find_one(doc! {"_id": id})
            .await
            .map_err(|e| Error::database("cannot read the run", e))?;
        Ok(found.and_then(|d| bson::from_document(d).ok()))
    }

    /// Runs of a runbook on a database, newest first.
    pub(crate) async fn runs(
        &self,
        runbook: &str,
        database: &str,
        limit: i64,
    ) -> Result<Vec<RunRecord>> {
        self.list_runs(Some(runbook), Some(database), &[], limit)
            .await
    }

    /// Runs newest first, of one runbook and one database when given, with one of `statuses`
    /// (any when empty).
    pub(crate) async fn list_runs(
        &self,
        runbook: Option<&str>,
        database: Option<&str>,
        statuses: &[RunStatus],
        limit: i64,
    ) -> Result<Vec<RunRecord>> {
        use futures_util::TryStreamExt;
        let mut filter = Document::new();
        if let Some(runbook) = runbook {
            filter.insert("runbook", runbook);
        }
        if let Some(database) = database {
            filter.insert("database", database);
        }
        if !statuses.is_empty() {
            let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
            filter.insert("status", doc! {"$in": names});
        }
        let documents: Vec<Document> = self
            .collection("runs")
            .find(filter)
            .sort(doc! {"started_at": -1})
            .limit(limit)
            .await
            .map_err(|e| Error::database("cannot read runs", e))?
            .try_collect()
            .await
            .map_err(|e| Error::database("cannot read runs", e))?;
        Ok(documents
            .into_iter()
            .filter_map(|d| bson::from_document(d).ok())
            .collect())
    }

    /// Persists the undo list of a compensation before its first undo.
    pub(crate) async fn save_undo(&self, id: &str, undo: &UndoList) -> Result<()> {
        self.ensure_lease().await?;
        let undo = bson::to_bson(undo).map_err(|e| Error::Usage(e.to_string()))?;
        self.collection("runs")
            .update_one(doc! {"_id": id}, doc! {"$set": {"undo": undo}})
            .await
            .map_err(|e| Error::database("cannot record the undo list of the run", e))?;
        Ok(())
    }

    /// Takes one undone action off the run's undo list.
    pub(crate) async fn undone(&self, id: &str, step: &str, index: usize) -> Result<()> {
        self.ensure_lease().await?;
        let index = i64::try_from(index).unwrap_or(i64::MAX);
        self.collection("runs")
            .update_one(
                doc! {"_id": id},
                doc! {"$pull": {"undo.remaining": {"step": step, "index": index}}},
            )
            .await
            .map_err(|e| Error::database("cannot update the undo list of the run", e))?;
        Ok(())
    }

    /// Marks a stopped run abandoned, only if its status is still `was`; false if it changed.
    pub(crate) async fn abandon_run(
        &self,
        id: &str,
        was: RunStatus,
        operator: &str,
    ) -> Result<bool> {
        self.ensure_lease().await?;
        let changed = self
            .collection("runs")
            .update_one(
                doc! {"_id": id, "status": was.as_str()},
                doc! {"$set": {"status": RunStatus::Abandoned.as_str(), "abandoned_at": DateTime::now(), "abandoned_by": operator}},
            )
            .await
            .map_err(|e| Error::database("cannot abandon the run", e))?;
        Ok(changed.modified_count == 1)
    }

    /// Marks one run as interrupted if it is still marked running.
    pub(crate) async fn mark_interrupted(&self, id: &str) -> Result<()> {
        self.ensure_lease().await?;
        self.collection("runs")
            .update_one(doc! {"_id": id, "status": RunStatus::Running.as_str()}, doc! {"$set": {"status": RunStatus::Interrupted.as_str(), "interrupted_detected_at": DateTime::now()}})
            .await
            .map_err(|e| Error::database("cannot mark the run as interrupted", e))?;
        Ok(())
    }

    /// Marks every "running" run of this runbook and database as interrupted (called by the
    /// lock holder: any other run still marked running has lost its lock) and returns them.
    pub(crate) async fn interrupt_running_runs(
        &self,
        runbook: &str,
        database: &str,
    ) -> Result<Vec<RunRecord>> {
        self.interrupt_runs_where(runbook, database, |run, _| run.status == RunStatus::Running)
            .await
    }

    /// Marks every dead "running" run of this runbook and database as interrupted and returns them.
    pub(crate) async fn reap_dead_runs(
        &self,
        runbook: &str,
        database: &str,
    ) -> Result<Vec<RunRecord>> {
        self.interrupt_runs_where(runbook, database, RunRecord::is_dead)
            .await
    }

    async fn interrupt_runs_where(
        &self,
        runbook: &str,
        database: &str,
        selected: impl Fn(&RunRecord, DateTime) -> bool,
    ) -> Result<Vec<RunRecord>> {
        let now = DateTime::now();
        let mut interrupted = Vec::new();
        for run in self.runs(runbook, database, 50).await? {
            if selected(&run, now) {
                self.mark_interrupted(&run.id).await?;
                interrupted.push(RunRecord {
                    status: RunStatus::Interrupted,
                    ..run
                });
            }
        }
        Ok(interrupted)
    }
}

#[cfg(test)]
mod status_tests {
    use super::RunStatus;

    #[test]
    fn status_names_are_the_stored_ones() {
        for status in [
            RunStatus::Running,
            RunStatus::Ok,
            RunStatus::Failed,
            RunStatus::VerifyFailed,
            RunStatus::ManualPending,
            RunStatus::Interrupted,
            RunStatus::Compensated,
            RunStatus::CompensationIncomplete,
        ] {
            assert_eq!(
                serde_json::to_value(status).ok(),
                Some(serde_json::json!(status.as_str()))
            );
        }
    }
}
