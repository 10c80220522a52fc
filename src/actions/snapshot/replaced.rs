//! Putting back whole documents an update pipeline replaced (`$project`, `$replaceWith`,
//! `$replaceRoot`). A document is intact when it still is exactly what the pipeline made of its
//! saved original: the server runs the same stages on the saved documents, a batch of ids at a
//! time, and the results are compared byte for byte with the documents as they are now. Those
//! changed or deleted since are conflicts; a pipeline whose result depends on the time or on
//! chance (`$$NOW`, `$rand`) makes every document one.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Bson, Document, RawDocumentBuf};

use super::conflicts::Counting;
use super::documents::{IdBatches, PutBack};
use super::written::Written;
use super::{proof, ActionContext, OnConflict};
use crate::error::{Error, Result};
use crate::store::snapshots::Snapshot;

/// Sample ids kept for a message.
const SAMPLES: usize = 5;

/// The conflicts of replaced documents.
#[derive(Debug, Default)]
pub(crate) struct Changed {
    /// Entries of the snapshots.
    pub entries: u64,
    /// Ids of the documents changed since (left out of a skip).
    pub changed: Vec<Bson>,
    /// Documents deleted since.
    pub deleted: u64,
    /// Documents this snapshot writes that a snapshot counted before writes too.
    pub again: u64,
    /// A few ids of each, for a message.
    pub samples: Vec<String>,
}

impl Changed {
    /// Changed and deleted documents.
    #[must_use]
    pub(crate) fn total(&self) -> u64 {
        u64::try_from(self.changed.len()).unwrap_or(u64::MAX) + self.deleted
    }

    /// In words.
    #[must_use]
    pub(crate) fn describe(&self) -> String {
        format!(
            "{} changed and {} deleted since they were replaced (_id {})",
            self.changed.len(),
            self.deleted,
            self.samples.join(", ")
        )
    }
}

fn key(id: &Bson) -> String {
    format!("{id:?}")
}

/// Finds the documents of `snapshot` changed or deleted since its pipeline replaced them. With
/// `counting`, also which of the documents it writes (every existing one with `overwrite`,
/// else the intact ones) were counted before.
pub(crate) async fn find(
    ctx: &ActionContext<'_>,
    snapshot: &Snapshot,
    mut counting: Option<Counting<'_>>,
) -> Result<Changed> {
    let mut found = Changed {
        entries: u64::try_from(snapshot.documents).unwrap_or_default(),
        ..Changed::default()
    };
    let (Some(storage), Some(stages)) = (&snapshot.storage, &snapshot.pipeline) else {
        return Ok(found);
    };
    let failed = |e| {
        Error::database(
            format!("cannot check snapshot {} for conflicts", snapshot.id),
            e,
        )
    };
    let saved = ctx.store.database().collection::<Document>(storage);
    let target = ctx
        .client
        .database(&snapshot.database)
        .collection::<RawDocumentBuf>(&snapshot.collection);
    let mut batches = IdBatches::open(ctx, snapshot).await?;
    while let Some(ids) = batches.next().await? {
        let mut pipeline = vec![doc! {"$match": {"_id": {"$in": &ids}}}];
        pipeline.extend(stages.iter().cloned());
        // The server's own result, as raw bytes, keyed by id.
        let mut expected: HashMap<String, Vec<u8>> = HashMap::new();
        let mut cursor = saved.aggregate(pipeline).await.map_err(failed)?;
        while let Some(made) = cursor.try_next().await.map_err(failed)? {
            if let Some(id) = made.get("_id") {
                let bytes = mongodb::bson::to_vec(&made).map_err(|e| {
                    Error::ActionFailed(format!("unreadable snapshot {}: {e}", snapshot.id))
                })?;
                expected.insert(key(id), bytes);
            }
        }
        let mut now: HashMap<String, Vec<u8>> = HashMap::new();
        let mut cursor = target
            .find(doc! {"_id": {"$in": &ids}})
            .await
            .map_err(failed)?;
        while let Some(current) = cursor.try_next().await.map_err(failed)? {
            let id = current
                .get("_id")
                .ok()
                .flatten()
                .and_then(|id| Bson::try_from(id.to_raw_bson()).ok());
            if let Some(id) = id {
                now.insert(key(&id), current.as_bytes().to_vec());
            }
        }
        for id in ids {
            let sample = |found: &mut Changed| {
                if found.samples.len() < SAMPLES {
                    found.samples.push(id.to_string());
                }
            };
            let intact = match now.get(&key(&id)) {
                None => {
                    found.deleted += 1;
                    sample(&mut found);
                    continue;
                }
                Some(current) => expected.get(&key(&id)) == Some(current),
            };
            if let Some(counting) = counting.as_mut() {
                if (intact || counting.overwrite) && counting.written.again(&id) {
                    found.again += 1;
                }
            }
            if !intact {
                sample(&mut found);
                found.changed.push(id);
            }
        }
    }
    Ok(found)
}

/// Puts back every replaced-documents snapshot in `snapshots` (newest first): each proves
/// itself and its conflicts are found before anything is written; with `on_conflict` fail any
/// conflict stops the action with nothing written, with skip the changed documents are left as
/// they are, with overwrite they are replaced too. A deleted document is never written back.
pub(crate) async fn put_back_all(
    ctx: &ActionContext<'_>,
    snapshots: &[Snapshot],
    on_conflict: OnConflict,
    written: &mut Written,
) -> Result<PutBack> {
    let overwrite = on_conflict == OnConflict::Overwrite;
    let mut each = Vec::new();
    for snapshot in snapshots {
        proof::check(ctx.store.database(), snapshot).await?;
        let counting = Counting {
            written: &mut *written,
            overwrite,
        };
        each.push(find(ctx, snapshot, Some(counting)).await?);
    }
    let conflicts: u64 = each.iter().map(Changed::total).sum();
    let entries: u64 = each.iter().map(|c| c.entries).sum();
    let described = each
        .iter()
        .filter(|c| c.total() > 0)
        .map(Changed::describe)
        .collect::<Vec<_>>()
        .join("; ");
    if conflicts > 0 && on_conflict == OnConflict::Fail {
        let first = &snapshots[0];
        return Err(Error::SnapshotUnusable(format!(
            "{conflicts} of {entries} replaced documents of {}.{} to put back for step {}: \
             {described}; nothing was restored. Rerun with --on-conflict skip to leave them as \
             they are now (the others are put back), or --on-conflict overwrite to put the saved \
             version back over the changed ones",
            first.database, first.collection, ctx.step
        )));
    }
    let mut done = PutBack {
        conflicts,
        described,
        ..PutBack::default()
    };
    for (snapshot, found) in snapshots.iter().zip(&each) {
        let Some(storage) = &snapshot.storage else {
            continue;
        };
        let mut pipeline = Vec::new();
        let put_back = if overwrite {
            found.entries - found.deleted - found.again
        } else {
            if !found.changed.is_empty() {
                pipeline.push(doc! {"$match": {"_id": {"$nin": &found.changed}}});
            }
            found.entries - found.total() - found.again
        };
        pipeline.push(doc! {"$merge": {
            "into": {"db": &snapshot.database, "coll": &snapshot.collection},
            "on": "_id",
            "whenMatched": "replace",
            "whenNotMatched": "discard",
        }});
        ctx.store
            .database()
            .collection::<Document>(storage)
            .aggregate(pipeline)
            .comment(ctx.comment())
            .await
            .map_err(|e| {
                Error::database(
                    format!(
                        "cannot put the documents of snapshot {} back into {}.{}",
                        snapshot.id, snapshot.database, snapshot.collection
                    ),
                    e,
                )
            })?;
        done.restored += put_back;
        ctx.store
            .mark_restored(std::slice::from_ref(&snapshot.id), ctx.run_id, None)
            .await?;
        done.ids.push(snapshot.id.clone());
    }
    Ok(done)
}
