//! Whole-document snapshots, taken before a `delete`: the documents it will remove, copied as
//! they are (key order and types included) into storage of their own by one server-side `$out`,
//! and put back by one `$merge` that inserts them again. A document that exists again under the
//! same `_id` (the application wrote it since) is a conflict: never overwritten unless asked.

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};

use std::collections::HashSet;

use super::conflicts::Counting;
use super::written::Written;
use super::{entry, proof, registered_proof, ActionContext, OnConflict};
use crate::error::{Error, Result};
use crate::store::snapshots::{Snapshot, SnapshotKind};

/// Ids looked up at once.
pub(crate) const IDS_PER_BATCH: usize = 10_000;
/// Sample ids kept for a message.
const SAMPLES: usize = 5;

/// Saves the documents of `database.collection` that `filter` matches, whole, as a snapshot of
/// `kind` (`documents` before a delete, `replaced` before an update that replaces them).
pub(super) async fn take(
    ctx: &ActionContext<'_>,
    id: &str,
    database: &str,
    collection: &str,
    filter: &Document,
    kind: SnapshotKind,
) -> Result<Snapshot> {
    let storage = ctx.storage_name(id);
    let source = ctx
        .client
        .database(database)
        .collection::<Document>(collection);
    let saving = source
        .aggregate(vec![
            doc! {"$match": filter.clone()},
            doc! {"$out": {"db": ctx.store.database().name(), "coll": &storage}},
        ])
        .comment(ctx.comment());
    crate::actions::tally::out_counted(ctx, ctx.store.database(), "snapshot", None, saving)
        .await
        .map_err(|e| Error::database(format!("cannot snapshot {database}.{collection}"), e))?;
    // `$out` of nothing leaves no collection: the storage is still created, so the snapshot
    // proves itself (empty) like any other.
    let state = ctx.store.database();
    if proof::measure(state, &storage, kind, 0).await?.is_none() {
        state
            .create_collection(&storage)
            .await
            .map_err(|e| Error::database(format!("cannot snapshot {database}.{collection}"), e))?;
    }
    let saved = state
        .collection::<Document>(&storage)
        .count_documents(doc! {})
        .await
        .map_err(|e| Error::database("cannot count a snapshot", e))?;
    let proof = registered_proof(ctx, &storage, kind, 0, saved).await?;
    Ok(Snapshot {
        storage: Some(storage),
        documents: proof.entries,
        digest: Some(proof.digest),
        ..entry(ctx, id, kind, database, collection)
    })
}

/// The `_id`s of a whole-document snapshot's storage, a batch at a time.
pub(crate) struct IdBatches {
    cursor: Option<mongodb::Cursor<Document>>,
    snapshot: String,
}

impl IdBatches {
    /// Opens the storage of `snapshot` (no batches when it has none).
    pub(crate) async fn open(ctx: &ActionContext<'_>, snapshot: &Snapshot) -> Result<Self> {
        let cursor = match &snapshot.storage {
            Some(storage) => Some(
                ctx.store
                    .database()
                    .collection::<Document>(storage)
                    .find(doc! {})
                    .projection(doc! {"_id": 1})
                    .batch_size(u32::try_from(IDS_PER_BATCH).unwrap_or(u32::MAX))
                    .await
                    .map_err(|e| {
                        Error::database(format!("cannot read snapshot {}", snapshot.id), e)
                    })?,
            ),
            None => None,
        };
        Ok(IdBatches {
            cursor,
            snapshot: snapshot.id.clone(),
        })
    }

    /// The next batch of ids, or `None` once all were read.
    pub(crate) async fn next(&mut self) -> Result<Option<Vec<Bson>>> {
        let Some(cursor) = self.cursor.as_mut() else {
            return Ok(None);
        };
        let mut batch = Vec::with_capacity(IDS_PER_BATCH);
        while batch.len() < IDS_PER_BATCH {
            let next = cursor.try_next().await.map_err(|e| {
                Error::database(format!("cannot read snapshot {}", self.snapshot), e)
            })?;
            match next.and_then(|mut d| d.remove("_id")) {
                Some(id) => batch.push(id),
                None => {
                    self.cursor = None;
                    break;
                }
            }
        }
        Ok((!batch.is_empty()).then_some(batch))
    }
}

/// Documents of a snapshot that exist again in the collection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Existing {
    /// Entries of the snapshot.
    pub entries: u64,
    /// How many exist again.
    pub count: u64,
    /// Documents this snapshot writes that a snapshot counted before writes too.
    pub again: u64,
    /// A few of their ids.
    pub samples: Vec<String>,
}

impl Existing {
    /// Adds another snapshot's.
    pub(crate) fn add(&mut self, other: Existing) {
        self.entries += other.entries;
        self.count += other.count;
        self.again += other.again;
        let room = SAMPLES.saturating_sub(self.samples.len());
        self.samples.extend(other.samples.into_iter().take(room));
    }

    /// In words.
    #[must_use]
    pub(crate) fn describe(&self) -> String {
        format!(
            "{} exist again since they were deleted (_id {})",
            self.count,
            self.samples.join(", ")
        )
    }
}

/// Finds the documents of `snapshot` that exist again in its collection. With `counting`, also
/// which of the documents it writes (every one with `overwrite`, else the missing ones) were
/// counted before.
pub(crate) async fn existing(
    ctx: &ActionContext<'_>,
    snapshot: &Snapshot,
    mut counting: Option<Counting<'_>>,
) -> Result<Existing> {
    let target = ctx
        .client
        .database(&snapshot.database)
        .collection::<Document>(&snapshot.collection);
    let mut found = Existing {
        entries: u64::try_from(snapshot.documents).unwrap_or_default(),
        ..Existing::default()
    };
    let mut batches = IdBatches::open(ctx, snapshot).await?;
    let failed = |e| Error::database("cannot look for documents written since", e);
    while let Some(ids) = batches.next().await? {
        let again: Vec<Document> = target
            .find(doc! {"_id": {"$in": &ids}})
            .projection(doc! {"_id": 1})
            .await
            .map_err(failed)?
            .try_collect()
            .await
            .map_err(failed)?;
        found.count += u64::try_from(again.len()).unwrap_or_default();
        let room = SAMPLES.saturating_sub(found.samples.len());
        found.samples.extend(
            again
                .iter()
                .take(room)
                .filter_map(|d| d.get("_id").map(ToString::to_string)),
        );
        if let Some(counting) = counting.as_mut() {
            let present: HashSet<String> = again
                .iter()
                .filter_map(|d| d.get("_id").map(|id| format!("{id:?}")))
                .collect();
            for id in &ids {
                let writes = counting.overwrite || !present.contains(&format!("{id:?}"));
                if writes && counting.written.again(id) {
                    found.again += 1;
                }
            }
        }
    }
    Ok(found)
}

/// Inserts the documents of `snapshot` (already checked) back into their collection; one that
/// exists again is left as it is, or replaced with `overwrite`.
pub(crate) async fn put_back_checked(
    ctx: &ActionContext<'_>,
    snapshot: &Snapshot,
    overwrite: bool,
) -> Result<()> {
    let Some(storage) = &snapshot.storage else {
        return Ok(());
    };
    // `keepExisting` would insert the others with their keys sorted (it upserts with
    // `$setOnInsert`); a pipeline that keeps the current document inserts them as they are.
    let when_matched = if overwrite {
        Bson::String("replace".into())
    } else {
        Bson::Array(vec![Bson::Document(doc! {"$replaceWith": "$$ROOT"})])
    };
    ctx.store
        .database()
        .collection::<Document>(storage)
        .aggregate(vec![doc! {"$merge": {
            "into": {"db": &snapshot.database, "coll": &snapshot.collection},
            "on": "_id",
            "whenMatched": when_matched,
            "whenNotMatched": "insert",
        }}])
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
    Ok(())
}

/// What putting whole-document snapshots back did.
#[derive(Debug, Default)]
pub(crate) struct PutBack {
    /// Documents written back.
    pub restored: u64,
    /// Documents the application wrote since (left as they are, unless overwritten).
    pub conflicts: u64,
    /// The conflicts in words.
    pub described: String,
    /// The snapshots put back.
    pub ids: Vec<String>,
}

/// Puts back every whole-document snapshot in `snapshots` (newest first): each proves itself,
/// and the documents that exist again are counted, before anything is written; with
/// `on_conflict` fail, any such document stops the action with nothing written.
pub(crate) async fn put_back_all(
    ctx: &ActionContext<'_>,
    snapshots: &[Snapshot],
    on_conflict: OnConflict,
    written: &mut Written,
) -> Result<PutBack> {
    let mut done = PutBack::default();
    let mut all = Existing::default();
    let mut each = Vec::new();
    let overwrite = on_conflict == OnConflict::Overwrite;
    for snapshot in snapshots {
        proof::check(ctx.store.database(), snapshot).await?;
        let counting = Counting {
            written: &mut *written,
            overwrite,
        };
        let found = existing(ctx, snapshot, Some(counting)).await?;
        all.add(found.clone());
        each.push(found);
    }
    done.conflicts = all.count;
    done.described = all.describe();
    if all.count > 0 && on_conflict == OnConflict::Fail {
        let first = &snapshots[0];
        return Err(Error::SnapshotUnusable(format!(
            "{} of {} deleted documents of {}.{} to put back for step {}: {}; nothing was \
             restored. Rerun with --on-conflict skip to keep them as they are now (the others are \
             put back), or --on-conflict overwrite to put the deleted version back over them",
            all.count,
            all.entries,
            first.database,
            first.collection,
            ctx.step,
            all.describe()
        )));
    }
    // A document a newer snapshot puts back exists when an older one meets it: with overwrite
    // the older (original) version replaces it, otherwise it keeps what the application wrote
    // between the deletes. Either way it counts once.
    if !overwrite && all.again > 0 {
        done.conflicts += all.again;
        let kept = format!(
            "{} kept what the application wrote between the stacked deletes",
            all.again
        );
        done.described = if all.count > 0 {
            format!("{}; {kept}", done.described)
        } else {
            kept
        };
    }
    for (snapshot, found) in snapshots.iter().zip(each) {
        put_back_checked(ctx, snapshot, overwrite).await?;
        done.restored += if overwrite {
            found.entries - found.again
        } else {
            found.entries - found.count - found.again
        };
        ctx.store
            .mark_restored(std::slice::from_ref(&snapshot.id), ctx.run_id, None)
            .await?;
        done.ids.push(snapshot.id.clone());
    }
    Ok(done)
}
