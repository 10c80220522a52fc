//! The audit trail: append-only events, newest first when read, in a hash chain. Each entry
//! carries its number (`seq`), the hash of the entry before it (`prev`) and its own hash
//! (`hash`, SHA-256 of the entry's BSON without `_id` and `hash`): an edited, deleted or
//! inserted entry breaks the chain, and `audit verify` names it (see [`super::audit_chain`]).

use mongodb::bson::{doc, DateTime, Document};
use mongodb::options::FindOneOptions;
use mongodb::ClientSession;

use super::audit_chain::{entry_hash, GENESIS};
use super::Store;
use crate::error::{Error, Result};

/// Appends tried before giving up when other writers keep taking the next number.
const APPEND_TRIES: usize = 20;

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
        self.ensure_lease().await?;
        let collection = self.collection("audit");
        let failed = |e| Error::database("cannot write to audit", e);
        let mut session = session;
        for _ in 0..APPEND_TRIES {
            let last = FindOneOptions::builder()
                .sort(doc! {"seq": -1})
                .projection(doc! {"seq": 1, "hash": 1})
                .build();
            let newest = collection
                .find_one(doc! {"seq": {"$exists": true}})
                .with_options(last);
            let newest = match session.as_deref_mut() {
                Some(session) => newest.session(session).await,
                None => newest.await,
            }
            .map_err(failed)?;
            let (seq, prev) = match &newest {
                Some(entry) => (
                    entry.get_i64("seq").unwrap_or_default() + 1,
                    entry.get_str("hash").unwrap_or_default().to_owned(),
                ),
                None => (1, GENESIS.to_owned()),
            };
            let mut document = doc! {
                "seq": seq,
                "prev": prev,
                "at": DateTime::now(),
                "run_id": event.run_id,
                "runbook": event.runbook,
                "database": event.database,
                "operator": event.operator,
                "event": event.event,
                "step": event.step,
                "details": event.details.clone(),
            };
            document.insert("hash", entry_hash(&document)?);
            match super::insert(&collection, document, session.as_deref_mut()).await {
                Ok(()) => return Ok(()),
                // Another writer took this number first (outside a transaction; inside one the
                // server reports a write conflict and the whole transaction is retried).
                Err(e) if session.is_none() && super::is_duplicate_key(&e) => {}
                Err(e) => return Err(failed(e)),
            }
        }
        Err(Error::ActionFailed(format!(
            "cannot append to the audit trail: {APPEND_TRIES} tries lost the race for the next entry"
        )))
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
