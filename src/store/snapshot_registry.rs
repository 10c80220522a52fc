//! The snapshot registry as an operator manages it (`rollbook snapshots list|prune`): every
//! registered snapshot, the storage no registration names (left by an attempt that was killed
//! or superseded before it registered its snapshot), and removing both.

use futures_util::TryStreamExt;
use mongodb::bson::{self, doc, Document};

use super::snapshots::Snapshot;
use super::Store;
use crate::error::{Error, Result};

/// The prefix of every snapshot storage collection in the state database.
pub(crate) const STORAGE_PREFIX: &str = "snapshot.";

impl Store {
    /// Every registered snapshot, of `runbook` when given, newest first.
    pub(crate) async fn registered_snapshots(
        &self,
        runbook: Option<&str>,
    ) -> Result<Vec<Snapshot>> {
        let filter = runbook.map_or_else(Document::new, |r| doc! {"runbook": r});
        let failed = |e| Error::database("cannot read the snapshot registry", e);
        let documents: Vec<Document> = self
            .collection("snapshots")
            .find(filter)
            .sort(doc! {"created_at": -1})
            .await
            .map_err(failed)?
            .try_collect()
            .await
            .map_err(failed)?;
        Ok(documents
            .into_iter()
            .filter_map(|d| bson::from_document(d).ok())
            .collect())
    }

    /// Snapshot storage collections that no registration names, with their sizes in entries.
    pub(crate) async fn unregistered_storage(&self) -> Result<Vec<(String, u64)>> {
        let failed = |e| Error::database("cannot list the state database's collections", e);
        let names = self.db.list_collection_names().await.map_err(failed)?;
        let registered: Vec<String> = self
            .registered_snapshots(None)
            .await?
            .into_iter()
            .filter_map(|s| s.storage)
            .collect();
        let mut found = Vec::new();
        for name in names {
            if name.starts_with(STORAGE_PREFIX) && !registered.contains(&name) {
                let entries = self
                    .db
                    .collection::<Document>(&name)
                    .estimated_document_count()
                    .await
                    .map_err(failed)?;
                found.push((name, entries));
            }
        }
        found.sort();
        Ok(found)
    }

    /// Removes a snapshot: its storage first, then its registration (so a failure in between
    /// leaves unregistered storage, which `prune` finds again, never a registration without data
    /// that a restore would trust).
    pub(crate) async fn remove_snapshot(&self, snapshot: &Snapshot) -> Result<()> {
        if let Some(storage) = &snapshot.storage {
            self.drop_storage(storage).await?;
        }
        self.collection("snapshots")
            .delete_one(doc! {"_id": &snapshot.id})
            .await
            .map_err(|e| Error::database("cannot remove the snapshot's registration", e))?;
        Ok(())
    }

    /// Drops one snapshot storage collection.
    pub(crate) async fn drop_storage(&self, storage: &str) -> Result<()> {
        if !storage.starts_with(STORAGE_PREFIX) {
            return Err(Error::Usage(format!(
                "{storage} is not snapshot storage; nothing was removed"
            )));
        }
        self.db
            .collection::<Document>(storage)
            .drop()
            .await
            .map_err(|e| Error::database(format!("cannot drop {storage}"), e))
    }
}

/// The run id a storage collection's name begins with (`snapshot.<run id>.<step>…`).
#[must_use]
pub(crate) fn storage_run_id(storage: &str) -> Option<&str> {
    storage.strip_prefix(STORAGE_PREFIX)?.split('.').next()
}

/// When run `run_id` started, from its id (`20261202T031500Z-ab12`), in milliseconds.
#[must_use]
pub(crate) fn run_started_ms(run_id: &str) -> Option<i64> {
    let stamp = run_id.split('-').next()?;
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|t| t.and_utc().timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_names_give_their_run_and_its_start() {
        let storage = "snapshot.20261202T031500Z-ab12.19.rollback.0.a1";
        assert_eq!(storage_run_id(storage), Some("20261202T031500Z-ab12"));
        assert_eq!(
            run_started_ms("20261202T031500Z-ab12"),
            chrono::DateTime::parse_from_rfc3339("2026-12-02T03:15:00Z")
                .ok()
                .map(|t| t.timestamp_millis())
        );
        assert_eq!(storage_run_id("snapshots"), None);
        assert_eq!(run_started_ms("not-a-run"), None);
    }
}
