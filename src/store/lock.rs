//! The lock: one run at a time per runbook and target database, as a lease document acquired
//! atomically (`findOneAndUpdate` with upsert on a unique `_id`), renewed by the run's
//! heartbeat, and taken over once expired — or at once when its holder's process is gone.

use mongodb::bson::{doc, DateTime, Document};
use mongodb::options::ReturnDocument;

use super::runs::hostname;
use super::Store;
use crate::error::{Error, Result};

/// How long a lease lasts without renewal.
pub(crate) const LEASE_SECS: i64 = 30;

const DUPLICATE_KEY: i32 = 11_000;

fn key(runbook: &str, database: &str) -> String {
    format!("{runbook}/{database}")
}

fn is_duplicate_key(error: &mongodb::error::Error) -> bool {
    use mongodb::error::{ErrorKind, WriteFailure};
    match error.kind.as_ref() {
        ErrorKind::Command(command) => command.code == DUPLICATE_KEY,
        ErrorKind::Write(WriteFailure::WriteError(write)) => write.code == DUPLICATE_KEY,
        _ => error.to_string().contains("E11000"),
    }
}

/// How the lock was obtained.
#[derive(Debug, Clone)]
pub(crate) struct Acquired {
    /// The previous holder's run id, when its lease was taken over.
    pub took_over_from: Option<String>,
}

/// Describes a lease document for messages.
#[must_use]
pub(crate) fn describe_holder(holder: &Document) -> String {
    let time = |field: &str| {
        holder
            .get_datetime(field)
            .ok()
            .and_then(|t| t.try_to_rfc3339_string().ok())
            .unwrap_or_default()
    };
    format!(
        "run {} by {} (host {}, pid {}) since {}, lease until {}",
        holder.get_str("owner").unwrap_or("?"),
        holder.get_str("operator").unwrap_or("?"),
        holder.get_str("host").unwrap_or("?"),
        holder.get_i64("pid").unwrap_or_default(),
        time("acquired_at"),
        time("expires_at"),
    )
}

impl Store {
    fn lease_fields(run_id: &str, operator: &str) -> Document {
        let now = DateTime::now();
        doc! {"owner": run_id, "operator": operator, "host": hostname(), "pid": i64::from(std::process::id()),
        "acquired_at": now, "heartbeat_at": now,
        "expires_at": DateTime::from_millis(now.timestamp_millis() + LEASE_SECS * 1000)}
    }

    /// Takes the lock for `run_id`, or fails with `CONCURRENT_UPDATE_DETECTED` naming the holder.
    pub(crate) async fn acquire_lock(
        &self,
        runbook: &str,
        database: &str,
        run_id: &str,
        operator: &str,
    ) -> Result<Acquired> {
        let locks = self.collection("locks");
        let id = key(runbook, database);
        let free =
            doc! {"_id": &id, "$or": [{"expires_at": {"$lt": DateTime::now()}}, {"owner": run_id}]};
        let update = doc! {"$set": Self::lease_fields(run_id, operator)};
        match locks
            .find_one_and_update(free, update.clone())
            .upsert(true)
            .return_document(ReturnDocument::Before)
            .await
        {
            Ok(previous) => Ok(Acquired {
                took_over_from: previous
                    .and_then(|p| p.get_str("owner").ok().map(str::to_owned))
                    .filter(|o| o != run_id),
            }),
            Err(e) if is_duplicate_key(&e) => {
                let holder = locks
                    .find_one(doc! {"_id": &id})
                    .await
                    .map_err(|e| Error::database("cannot read the lock", e))?
                    .unwrap_or_default();
                let same_host = holder.get_str("host").ok() == Some(hostname().as_str());
                let pid = holder
                    .get_i64("pid")
                    .ok()
                    .and_then(|p| u32::try_from(p).ok())
                    .unwrap_or_default();
                if same_host && pid != std::process::id() && !crate::process::is_alive(pid) {
                    // Its process is gone: take the lease over now, atomically, from exactly that holder.
                    let owner = holder.get_str("owner").unwrap_or_default().to_owned();
                    let taken = locks
                        .find_one_and_update(doc! {"_id": &id, "owner": &owner}, update)
                        .await
                        .map_err(|e| Error::database("cannot take over the lock", e))?;
                    if taken.is_some() {
                        return Ok(Acquired {
                            took_over_from: Some(owner),
                        });
                    }
                }
                Err(Error::Concurrent(format!(
                    "{runbook} on {database} is locked by {}; nothing was changed (a dead holder's lease expires after {LEASE_SECS} s; `rollbook unlock {runbook}` releases it by hand)",
                    describe_holder(&holder)
                )))
            }
            Err(e) => Err(Error::database("cannot take the lock", e)),
        }
    }

    /// Hands the lock from one run id to another of the same process (resuming a run).
    pub(crate) async fn transfer_lock(
        &self,
        runbook: &str,
        database: &str,
        from: &str,
        to: &str,
    ) -> Result<()> {
        self.collection("locks")
            .update_one(
                doc! {"_id": key(runbook, database), "owner": from},
                doc! {"$set": {"owner": to}},
            )
            .await
            .map_err(|e| Error::database("cannot update the lock", e))?;
        Ok(())
    }

    /// Extends the lease; false when the lock is no longer this run's (it was released by hand).
    pub(crate) async fn renew_lock(
        &self,
        runbook: &str,
        database: &str,
        run_id: &str,
    ) -> Result<bool> {
        let now = DateTime::now();
        let renewed = self
            .collection("locks")
            .find_one_and_update(
                doc! {"_id": key(runbook, database), "owner": run_id},
                doc! {"$set": {"heartbeat_at": now, "expires_at": DateTime::from_millis(now.timestamp_millis() + LEASE_SECS * 1000)}},
            )
            .await
            .map_err(|e| Error::database("cannot renew the lock", e))?;
        Ok(renewed.is_some())
    }

    /// Releases the lock if this run holds it.
    pub(crate) async fn release_lock(
        &self,
        runbook: &str,
        database: &str,
        run_id: &str,
    ) -> Result<()> {
        self.collection("locks")
            .delete_one(doc! {"_id": key(runbook, database), "owner": run_id})
            .await
            .map_err(|e| Error::database("cannot release the lock", e))?;
        Ok(())
    }

    /// The current holder, if any.
    pub(crate) async fn lock_holder(
        &self,
        runbook: &str,
        database: &str,
    ) -> Result<Option<Document>> {
        self.collection("locks")
            .find_one(doc! {"_id": key(runbook, database)})
            .await
            .map_err(|e| Error::database("cannot read the lock", e))
    }

    /// Removes the lock whoever holds it (`unlock`); returns what was removed.
    pub(crate) async fn force_unlock(
        &self,
        runbook: &str,
        database: &str,
    ) -> Result<Option<Document>> {
        self.collection("locks")
            .find_one_and_delete(doc! {"_id": key(runbook, database)})
            .await
            .map_err(|e| Error::database("cannot release the lock", e))
    }
}
