//! The journal: append-only entries, one when an action starts and one when it ends, so an
//! interrupted run shows exactly where it stopped.

use mongodb::bson::{doc, DateTime, Document};
use mongodb::ClientSession;

use super::{insert, Store};
use crate::error::{Error, Result};

/// Identifies one action of one run.
#[derive(Debug, Clone)]
pub(crate) struct ActionKey<'a> {
    /// Run id.
    pub run_id: &'a str,
    /// Step id.
    pub step: &'a str,
    /// `forward` or `rollback` (or `verify`).
    pub direction: &'a str,
    /// Position in the step's action list.
    pub index: usize,
}

impl ActionKey<'_> {
    fn entry(&self, phase: &str) -> Document {
        doc! {"run_id": self.run_id, "step": self.step, "direction": self.direction,
        "action_index": i64::try_from(self.index).unwrap_or_default(), "phase": phase, "at": DateTime::now()}
    }
}

impl Store {
    /// Appends that an action is about to run.
    pub(crate) async fn action_started(
        &self,
        key: &ActionKey<'_>,
        kind: &str,
        target: &str,
        session: Option<&mut ClientSession>,
    ) -> Result<()> {
        self.ensure_lease().await?;
        let mut entry = key.entry("start");
        entry.insert("kind", kind);
        entry.insert("target", target);
        insert(&self.collection("journal"), entry, session)
            .await
            .map_err(|e| Error::database("cannot journal the start of an action", e))
    }

    /// Appends how an action ended.
    pub(crate) async fn action_finished(
        &self,
        key: &ActionKey<'_>,
        status: ActionStatus,
        result: Document,
        session: Option<&mut ClientSession>,
    ) -> Result<()> {
        self.ensure_lease().await?;
        let mut entry = key.entry("end");
        entry.insert("status", status.as_str());
        entry.insert("result", result);
        insert(&self.collection("journal"), entry, session)
            .await
            .map_err(|e| Error::database("cannot journal the end of an action", e))
    }

    /// Records that one database of a multi-database restore action is restored.
    pub(crate) async fn tenant_done(
        &self,
        key: &ActionKey<'_>,
        database: &str,
        documents: u64,
    ) -> Result<()> {
        self.ensure_lease().await?;
        let mut entry = key.entry("tenant");
        entry.insert("database", database);
        entry.insert("documents", i64::try_from(documents).unwrap_or(i64::MAX));
        insert(&self.collection("journal"), entry, None)
            .await
            .map_err(|e| Error::database("cannot journal a restored database", e))
    }

    /// The databases a restore action of this run already restored (for resuming per tenant).
    pub(crate) async fn tenants_done(&self, key: &ActionKey<'_>) -> Result<Vec<String>> {
        use futures_util::TryStreamExt;
        let filter = doc! {"run_id": key.run_id, "step": key.step, "direction": key.direction,
        "action_index": i64::try_from(key.index).unwrap_or_default(), "phase": "tenant"};
        let entries: Vec<Document> = self
            .collection("journal")
            .find(filter)
            .await
            .map_err(|e| Error::database("cannot read the journal", e))?
            .try_collect()
            .await
            .map_err(|e| Error::database("cannot read the journal", e))?;
        Ok(entries
            .iter()
            .filter_map(|e| e.get_str("database").ok().map(str::to_owned))
            .collect())
    }

    /// Whether a run already began (or finished) a step in a direction: its preconditions held
    /// then, and its own actions may have made them false since, so a resumed run skips them.
    pub(crate) async fn step_begun_in_run(
        &self,
        run_id: &str,
        step: &str,
        direction: &str,
    ) -> Result<bool> {
        let read = |e| Error::database("cannot read the journal", e);
        let journaled = self
            .collection("journal")
            .find_one(doc! {"run_id": run_id, "step": step, "direction": direction})
            .await
            .map_err(read)?;
        if journaled.is_some() {
            return Ok(true);
        }
        let applied = self
            .collection("step_state")
            .find_one(doc! {"run_id": run_id, "step": step, "last_direction": direction})
            .await
            .map_err(read)?;
        Ok(applied.is_some())
    }

    /// How often earlier attempts of an action of a run started it, and ended it.
    pub(crate) async fn action_attempts(&self, key: &ActionKey<'_>) -> Result<Attempts> {
        let filter = |phase: &str| {
            doc! {"run_id": key.run_id, "step": key.step, "direction": key.direction,
            "action_index": i64::try_from(key.index).unwrap_or_default(), "phase": phase}
        };
        let read = |e| Error::database("cannot read the journal", e);
        let journal = self.collection("journal");
        let starts = journal
            .count_documents(filter("start"))
            .await
            .map_err(read)?;
        let ends = journal.count_documents(filter("end")).await.map_err(read)?;
        Ok(Attempts { starts, ends })
    }

    /// The result of an action of a run that already finished successfully (for resuming).
    pub(crate) async fn action_done(&self, key: &ActionKey<'_>) -> Result<Option<Document>> {
        let filter = doc! {"run_id": key.run_id, "step": key.step, "direction": key.direction,
        "action_index": i64::try_from(key.index).unwrap_or_default(), "phase": "end",
        "status": {"$in": [ActionStatus::Ok.as_str(), ActionStatus::Skipped.as_str()]}};
        let found = self
            .collection("journal")
            .find_one(filter)
            .await
            .map_err(|e| Error::database("cannot read the journal", e))?;
        Ok(found.and_then(|d| d.get_document("result").ok().cloned()))
    }

    /// Every journal entry of a run, in order.
    pub(crate) async fn journal(&self, run_id: &str) -> Result<Vec<Document>> {
        use futures_util::TryStreamExt;
        let cursor = self
            .collection("journal")
            .find(doc! {"run_id": run_id})
            .sort(doc! {"at": 1, "_id": 1})
            .await
            .map_err(|e| Error::database("cannot read the journal", e))?;
        cursor
            .try_collect()
            .await
            .map_err(|e| Error::database("cannot read the journal", e))
    }
}

/// What the journal holds of earlier attempts of one action in a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Attempts {
    /// Times it was started.
    pub starts: u64,
    /// Times it ended (done, skipped, pending or failed).
    pub ends: u64,
}

impl Attempts {
    /// An earlier attempt started it and never ended it: its process was killed in the middle,
    /// so it may have left partial effects behind.
    pub(crate) fn cut_short(self) -> bool {
        self.starts > self.ends
    }

    /// An earlier attempt started it, so some of its effects may be there already.
    pub(crate) fn retried(self) -> bool {
        self.starts > 0
    }
}

/// How an action ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Done.
    #[default]
    Ok,
    /// Nothing to do (already in the wanted state, or not opted in).
    Skipped,
    /// A manual action the operator has not confirmed.
    Pending,
    /// It failed.
    Failed,
}

impl ActionStatus {
    /// The status as stored and printed.
    #[must_use]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Ok => "ok",
            ActionStatus::Skipped => "skipped",
            ActionStatus::Pending => "pending",
            ActionStatus::Failed => "failed",
        }
    }
}

impl std::fmt::Display for ActionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
