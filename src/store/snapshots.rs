//! The snapshot registry: what each destructive action saved before it ran, where the saved
//! data lives (a collection in the state database), and whether it was put back yet.

use mongodb::bson::{self, doc, DateTime, Document};
use mongodb::ClientSession;
use serde::{Deserialize, Serialize};

use super::{insert, Store};
use crate::error::{Error, Result};

/// What a snapshot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotKind {
    /// Original values (and key order) of some top-level fields of the documents an update changes.
    Fields,
    /// The full spec of a dropped index.
    Index,
    /// The documents, options and indexes of a dropped or replaced collection.
    Collection,
    /// Whole documents a `delete` removes, one storage document each, exactly as they were.
    Documents,
    /// Whole documents an update pipeline replaces (`$project`, `$replaceWith`,
    /// `$replaceRoot`), exactly as they were, with the pipeline that changed them.
    Replaced,
}

/// A registry entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    /// `<run>/<step>/<direction>/<action index>`.
    #[serde(rename = "_id")]
    pub id: String,
    /// The run that took it.
    pub run_id: String,
    /// Runbook id.
    pub runbook: String,
    /// Step id.
    pub step: String,
    /// Direction of the action that took it.
    pub direction: String,
    /// Position of the action in its step.
    pub action_index: i64,
    /// What it holds.
    pub kind: SnapshotKind,
    /// Database of the snapshotted collection.
    pub database: String,
    /// The snapshotted collection.
    pub collection: String,
    /// Top-level fields saved (kind `fields`).
    #[serde(default)]
    pub fields: Vec<String>,
    /// Collection in the state database holding the saved documents.
    #[serde(default)]
    pub storage: Option<String>,
    /// Index name and full spec (kind `index`).
    #[serde(default)]
    pub index_name: Option<String>,
    /// Full index spec as `listIndexes` returned it.
    #[serde(default)]
    pub index_spec: Option<Document>,
    /// Collection options (kind `collection`).
    #[serde(default)]
    pub options: Option<Document>,
    /// Index specs (kind `collection`).
    #[serde(default)]
    pub indexes: Vec<Document>,
    /// Number of saved documents (for a field snapshot: of entries, one per changed document).
    #[serde(default)]
    pub documents: i64,
    /// Content digest of the storage collection when it was registered (`md5:<hex>`, the
    /// server's `dbHash`); a restore refuses storage that no longer matches it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// What the action that took a field snapshot left in each touched field: the value it
    /// set, or `{"$$missing": true}` for a field it removed. `None` when that depends on the
    /// document (e.g. `$inc`): then only deleted documents count as conflicts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<Vec<LeftField>>,
    /// How a field snapshot's storage is laid out: 0 for one document per entry with the full
    /// key list (`{_id, k, v}`), [`FIELDS_FORMAT_ENTRIES`] for batches of compact entries.
    #[serde(default)]
    pub format: i32,
    /// Shared key order of a field snapshot in [`FIELDS_FORMAT_ENTRIES`]: entries without
    /// positions are restored through it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<Vec<String>>,
    /// The update pipeline that replaced the documents (kind `replaced`): a restore runs it on
    /// the saved documents to tell which still hold what it left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<Vec<Document>>,
    /// The update of a field snapshot whose values it computes per document (no `left`):
    /// update operators as a document, or pipeline stages as an array. A forward runs it again
    /// on the saved values to tell which documents still hold what it left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<mongodb::bson::Bson>,
    /// When it was taken.
    pub created_at: DateTime,
    /// The run that put it back, once one did.
    #[serde(default)]
    pub restored_by: Option<String>,
}

/// What an action left in one touched top-level field of every document it changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct LeftField {
    /// The top-level field.
    pub field: String,
    /// True when the action removed it.
    #[serde(default)]
    pub removed: bool,
    /// The value it set, when it did not remove it.
    #[serde(default)]
    pub value: bson::Bson,
}

/// Field snapshot storage holding documents `{_id: n, e: [entry, ...]}`, each entry
/// `{_id, v: {field: value}}` or `{_id, p: [{i: index, k: field, v: value}]}`.
pub(crate) const FIELDS_FORMAT_ENTRIES: i32 = 2;

/// The registry id of the snapshot an action takes.
#[must_use]
pub(crate) fn snapshot_id(run_id: &str, step: &str, direction: &str, index: usize) -> String {
    format!("{run_id}/{step}/{direction}/{index}")
}

/// The state-database collection holding a snapshot's documents.
#[must_use]
pub(crate) fn storage_name(id: &str) -> String {
    format!("snapshot.{}", id.replace('/', "."))
}

impl Store {
    /// A snapshot by id (complete ones only: an entry is written once its data is saved).
    pub(crate) async fn snapshot(&self, id: &str) -> Result<Option<Snapshot>> {
        let found = self
            .collection("snapshots")
            .find_one(doc! {"_id": id})
            .await
            .map_err(|e| Error::database("cannot read the snapshot registry", e))?;
        Ok(found.and_then(|d| bson::from_document(d).ok()))
    }

    /// Registers a snapshot whose data is saved, inside `session`'s transaction if any.
    pub(crate) async fn register_snapshot(
        &self,
        snapshot: &Snapshot,
        session: Option<&mut ClientSession>,
    ) -> Result<()> {
        self.ensure_lease().await?;
        let document = bson::to_document(snapshot).map_err(|e| Error::Usage(e.to_string()))?;
        insert(&self.collection("snapshots"), document, session)
            .await
            .map_err(|e| Error::database("cannot register the snapshot", e))
    }

    /// Snapshots not yet put back for a collection of a step, newest first.
    pub(crate) async fn unrestored_snapshots(
        &self,
        runbook: &str,
        database: &str,
        step: &str,
        collection: &str,
        kind: SnapshotKind,
    ) -> Result<Vec<Snapshot>> {
        use futures_util::TryStreamExt;
        let kind = bson::to_bson(&kind).unwrap_or_default();
        let cursor = self
            .collection("snapshots")
            .find(doc! {"runbook": runbook, "database": database, "step": step, "collection": collection,
                        "kind": kind, "restored_by": null})
            .sort(doc! {"created_at": -1})
            .await
            .map_err(|e| Error::database("cannot read the snapshot registry", e))?;
        let documents: Vec<Document> = cursor
            .try_collect()
            .await
            .map_err(|e| Error::database("cannot read the snapshot registry", e))?;
        Ok(documents
            .into_iter()
            .filter_map(|d| bson::from_document(d).ok())
            .collect())
    }

    /// How many snapshots run `run_id` took of `database.collection` in `step`, put back or not.
    pub(crate) async fn snapshots_taken(
        &self,
        run_id: &str,
        step: &str,
        database: &str,
        collection: &str,
    ) -> Result<u64> {
        self.collection("snapshots")
            .count_documents(doc! {"run_id": run_id, "step": step, "database": database, "collection": collection})
            .await
            .map_err(|e| Error::database("cannot read the snapshot registry", e))
    }

    /// How many snapshots run `run_id` took that were not put back.
    pub(crate) async fn unrestored_snapshots_of(&self, run_id: &str) -> Result<u64> {
        self.collection("snapshots")
            .count_documents(doc! {"run_id": run_id, "restored_by": null})
            .await
            .map_err(|e| Error::database("cannot read the snapshot registry", e))
    }

    /// Marks snapshots as put back by `run_id`.
    pub(crate) async fn mark_restored(
        &self,
        ids: &[String],
        run_id: &str,
        session: Option<&mut ClientSession>,
    ) -> Result<()> {
        self.ensure_lease().await?;
        let filter = doc! {"_id": {"$in": ids}};
        let update = doc! {"$set": {"restored_by": run_id, "restored_at": DateTime::now()}};
        let collection = self.collection("snapshots");
        let result = match session {
            Some(session) => {
                collection
                    .update_many(filter, update)
                    .session(session)
                    .await
            }
            None => collection.update_many(filter, update).await,
        };
        result
            .map(|_| ())
            .map_err(|e| Error::database("cannot mark snapshots as restored", e))
    }
}
