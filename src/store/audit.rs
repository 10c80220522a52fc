//! The audit trail: append-only events, newest first when read.

use mongodb::bson::{doc, DateTime, Document};
use mongodb::ClientSession;

use super::journal::append;
use super::Store;
use crate::error::{Error, Result};

/// One audit event to append.
#[derive(Debug, Clone)]
pub(crate) struct AuditEvent<'a> {
    /// Run id, when the event belongs to a run.
    pub run_id: Option<&'a str>,
    /// Runbook id.
    pub runbook: &'a str,
    /// Target database.
    pub database: &'a str,
    /// Who.
    pub operator: &'a str,
    /// What happened (`run_started`, `step_ok`, `step_failed`, `run_finished`, ...).
    pub event: &'a str,
    /// Step id, when the event is about a step.
    pub step: Option<&'a str>,
    /// Anything else worth keeping (never credentials).
    pub details: Document,
}

impl Store {
    /// Appends an event, inside `session`'s transaction when there is one.
    pub(crate) async fn audit(
        &self,
        event: &AuditEvent<'_>,
        session: Option<&mut ClientSession>,
    ) -> Result<()> {
        let document = doc! {
            "at": DateTime::now(),
            "run_id": event.run_id,
            "runbook": event.runbook,
            "database": event.database,
            "operator": event.operator,
            "event": event.event,
            "step": event.step,
            "details": event.details.clone(),
        };
        append(self, "audit", document, session).await
    }

    /// Audit events, newest first, optionally for one runbook and/or run.
    pub(crate) async fn history(
        &self,
        runbook: Option<&str>,
        run_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Document>> {
        use futures_util::TryStreamExt;
        let mut filter = Document::new();
        if let Some(runbook) = runbook {
            filter.insert("runbook", runbook);
        }
        if let Some(run_id) = run_id {
            filter.insert("run_id", run_id);
        }
        let cursor = self
            .collection("audit")
            .find(filter)
            .sort(doc! {"at": -1, "_id": -1})
            .limit(limit)
            .await
            .map_err(|e| Error::database("cannot read the audit trail", e))?;
        cursor
            .try_collect()
            .await
            .map_err(|e| Error::database("cannot read the audit trail", e))
    }
}
