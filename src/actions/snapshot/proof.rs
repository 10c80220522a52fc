//! What makes a stored snapshot trustworthy: its entry count and a content digest of its
//! storage, both taken when it is registered and checked again, on the server, before anything
//! is put back from it. A storage collection that is gone, holds fewer or more entries, or whose
//! bytes changed is refused before a single document is written.

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};
use mongodb::Database;

use crate::error::{Error, Result};
use crate::store::snapshots::{Snapshot, SnapshotKind, FIELDS_FORMAT_ENTRIES};

/// The count and digest of a snapshot's storage as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Proof {
    /// Entries: one per saved document (a field snapshot's entries, a collection's documents).
    pub entries: i64,
    /// `md5:<hex>` of the storage collection's documents in `_id` order (the server's `dbHash`).
    pub digest: String,
}

/// Reads the count and digest of the storage collection `storage` of the state database `state`;
/// `None` when the collection does not exist. Both are computed by the server (`dbHash` and a
/// `$group`), so nothing is copied to this side.
pub(crate) async fn measure(
    state: &Database,
    storage: &str,
    kind: SnapshotKind,
    format: i32,
) -> Result<Option<Proof>> {
    let failed = |e| Error::database(format!("cannot check snapshot storage {storage}"), e);
    let hashed = state
        .run_command(doc! {"dbHash": 1, "collections": [storage]})
        .await
        .map_err(failed)?;
    let Some(digest) = hashed
        .get_document("collections")
        .ok()
        .and_then(|c| c.get_str(storage).ok())
    else {
        return Ok(None);
    };
    // A field snapshot in the batch format holds its entries in arrays `e`; any other storage
    // holds one document per entry.
    let batched = kind == SnapshotKind::Fields && format == FIELDS_FORMAT_ENTRIES;
    let size = if batched {
        doc! {"$size": {"$ifNull": ["$e", []]}}
    } else {
        doc! {"$literal": 1}
    };
    let counted: Vec<Document> = state
        .collection::<Document>(storage)
        .aggregate(vec![doc! {"$group": {"_id": null, "n": {"$sum": size}}}])
        .await
        .map_err(failed)?
        .try_collect()
        .await
        .map_err(failed)?;
    let entries = counted
        .first()
        .and_then(|d| match d.get("n") {
            Some(mongodb::bson::Bson::Int32(n)) => Some(i64::from(*n)),
            Some(mongodb::bson::Bson::Int64(n)) => Some(*n),
            _ => None,
        })
        .unwrap_or(0);
    Ok(Some(Proof {
        entries,
        digest: format!("md5:{digest}"),
    }))
}

/// Checks that `snapshot`'s storage still holds exactly what was registered. A snapshot
/// registered before digests were recorded is checked by its count alone.
pub(crate) async fn check(state: &Database, snapshot: &Snapshot) -> Result<()> {
    let Some(storage) = &snapshot.storage else {
        return Err(Error::SnapshotUnusable(format!(
            "snapshot {} of {}.{} has no storage recorded; nothing was restored",
            snapshot.id, snapshot.database, snapshot.collection
        )));
    };
    let place = format!("{}.{storage}", state.name());
    let unusable = |what: String| {
        Error::SnapshotUnusable(format!(
            "snapshot {} of {}.{} cannot be trusted: {what}; nothing was restored. Its storage is {place}; \
             restore that collection from a backup of the state database, or abandon the snapshot",
            snapshot.id, snapshot.database, snapshot.collection
        ))
    };
    let Some(found) = measure(state, storage, snapshot.kind, snapshot.format).await? else {
        return Err(unusable(format!("its storage {place} is missing")));
    };
    if found.entries != snapshot.documents {
        return Err(unusable(format!(
            "{place} holds {} entries, {} were saved",
            found.entries, snapshot.documents
        )));
    }
    match &snapshot.digest {
        Some(digest) if *digest != found.digest => Err(unusable(format!(
            "the content of {place} changed since it was saved (digest {}, saved {digest})",
            found.digest
        ))),
        _ => Ok(()),
    }
}
