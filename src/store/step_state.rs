//! Per-step state: the last direction applied to each step of a runbook on a database,
//! when and by whom, and the last verification.

use mongodb::bson::{self, doc, DateTime, Document};
use mongodb::ClientSession;
use serde::{Deserialize, Serialize};

use super::{upsert, Store};
use crate::error::{Error, Result};

/// The stored state of one step.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StepState {
    /// Step id.
    pub step: String,
    /// `forward` or `rollback`, when a direction completed.
    #[serde(default)]
    pub last_direction: Option<String>,
    /// When it completed.
    #[serde(default)]
    pub applied_at: Option<DateTime>,
    /// Who ran it.
    #[serde(default)]
    pub applied_by: Option<String>,
    /// The run that did it.
    #[serde(default)]
    pub run_id: Option<String>,
    /// Last verification: direction, ok, when, run.
    #[serde(default)]
    pub last_verify: Option<Document>,
}

/// Identifies a step of a runbook on a database.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepKey<'a> {
    /// Runbook id.
    pub runbook: &'a str,
    /// Target database.
    pub database: &'a str,
    /// Step id.
    pub step: &'a str,
}

impl StepKey<'_> {
    fn id(&self) -> String {
        format!("{}/{}/{}", self.runbook, self.database, self.step)
    }
}

impl Store {
    /// Records that a step completed a direction.
    pub(crate) async fn step_applied(
        &self,
        key: StepKey<'_>,
        direction: &str,
        run_id: &str,
        operator: &str,
        session: Option<&mut ClientSession>,
    ) -> Result<()> {
        self.ensure_lease().await?;
        upsert(
            &self.collection("step_state"),
            doc! {"_id": key.id()},
            doc! {"$set": {"runbook": key.runbook, "database": key.database, "step": key.step, "last_direction": direction,
                    "applied_at": DateTime::now(), "applied_by": operator, "run_id": run_id}},
            session,
        )
        .await
        .map_err(|e| Error::database("cannot record the step's state", e))
    }

    /// Records a step's verification result.
    pub(crate) async fn step_verified(
        &self,
        key: StepKey<'_>,
        direction: &str,
        ok: bool,
        run_id: &str,
    ) -> Result<()> {
        self.ensure_lease().await?;
        upsert(
            &self.collection("step_state"),
            doc! {"_id": key.id()},
            doc! {"$set": {"runbook": key.runbook, "database": key.database, "step": key.step,
                    "last_verify": {"direction": direction, "ok": ok, "at": DateTime::now(), "run_id": run_id}}},
            None,
        )
        .await
        .map_err(|e| Error::database("cannot record the verification", e))
    }

    /// The state of every step of a runbook on a database.
    pub(crate) async fn step_states(
        &self,
        runbook: &str,
        database: &str,
    ) -> Result<Vec<StepState>> {
        use futures_util::TryStreamExt;
        let cursor = self
            .collection("step_state")
            .find(doc! {"runbook": runbook, "database": database})
            .await
            .map_err(|e| Error::database("cannot read step states", e))?;
        let documents: Vec<Document> = cursor
            .try_collect()
            .await
            .map_err(|e| Error::database("cannot read step states", e))?;
        Ok(documents
            .into_iter()
            .filter_map(|d| bson::from_document(d).ok())
            .collect())
    }
}
