//! Conflicts of a field snapshot whose update computes its values per document (`$inc`, `$mul`,
//! a dotted path, a pipeline's expressions): what it left is not one value for every document,
//! so the server works it out again. The documents are copied into scratch storage in the state
//! database, the saved fields are put back into the copies, and the same update runs on them;
//! a document is intact when every touched field holds, byte for byte and type for type, what
//! the update makes of its saved values again. An update whose result depends on the time
//! (`$currentDate`, `$$NOW`) or on chance (`$rand`) makes every document a conflict.
//!
//! The scratch storage ends holding the changed documents only: a restore that leaves them as
//! they are skips its ids, then drops it. It is named after the attempt's storage, so storage
//! left by an attempt that was killed meanwhile is listed by `snapshots list`.

use futures_util::TryStreamExt;
use mongodb::bson::raw::RawBson;
use mongodb::bson::{doc, Bson, Document, RawDocumentBuf};

use super::conflicts::{Conflicts, Counting, EntryIds};
use super::ActionContext;
use crate::actions::documents::Change;
use crate::error::{Error, Result};
use crate::store::snapshots::Snapshot;

/// Sample ids kept per kind of conflict.
const SAMPLES: usize = 5;

/// Whether the conflicts of `snapshot` are found by running its update again.
#[must_use]
pub(crate) fn recomputes(snapshot: &Snapshot) -> bool {
    snapshot.left.is_none() && snapshot.change.is_some() && snapshot.storage.is_some()
}

/// Finds the conflicts of `snapshot` (see [`recomputes`]) by running its update again on
/// copies; with `counting`, also which of the documents it writes were counted before.
pub(crate) async fn find(
    ctx: &ActionContext<'_>,
    snapshot: &Snapshot,
    mut counting: Option<Counting<'_>>,
) -> Result<Conflicts> {
    let (Some(storage), Some(change)) = (&snapshot.storage, &snapshot.change) else {
        return super::conflicts::find(ctx, snapshot, counting).await;
    };
    let Some(update) = Change::modifications_of(change) else {
        return Err(Error::SnapshotUnusable(format!(
            "snapshot {} records an update that is neither operators nor stages; nothing was \
             restored",
            snapshot.id
        )));
    };
    let failed = |e| {
        Error::database(
            format!("cannot check snapshot {} for conflicts", snapshot.id),
            e,
        )
    };
    let state = ctx.store.database();
    let scratch_name = format!("{}.check", ctx.storage_name(&snapshot.id));
    let scratch = state.collection::<RawDocumentBuf>(&scratch_name);
    let target = ctx
        .client
        .database(&snapshot.database)
        .collection::<RawDocumentBuf>(&snapshot.collection);
    ctx.store.ensure_lease().await?;
    scratch.drop().await.map_err(failed)?;

    // The documents as they are now, copied by the server.
    let mut batches = EntryIds::open(ctx, snapshot, storage).await?;
    while let Some(ids) = batches.next().await? {
        ctx.store.ensure_lease().await?;
        target
            .aggregate(vec![
                doc! {"$match": {"_id": {"$in": ids}}},
                doc! {"$merge": {
                    "into": {"db": state.name(), "coll": &scratch_name},
                    "on": "_id",
                    "whenMatched": "replace",
                    "whenNotMatched": "insert",
                }},
            ])
            .comment(ctx.comment())
            .await
            .map_err(failed)?;
    }
    // Their saved fields put back, then the update run again.
    ctx.store.ensure_lease().await?;
    let into = doc! {"db": state.name(), "coll": &scratch_name};
    super::merge_entries(ctx, snapshot, &snapshot.fields, into, None, None).await?;
    ctx.store.ensure_lease().await?;
    state
        .collection::<Document>(&scratch_name)
        .update_many(doc! {}, update)
        .comment(ctx.comment())
        .await
        .map_err(failed)?;

    // Each document compared field by field with what the update makes of it again.
    let mut projection = doc! {"_id": 1};
    for field in &snapshot.fields {
        projection.insert(field.clone(), 1);
    }
    let mut conflicts = Conflicts::default();
    let mut batches = EntryIds::open(ctx, snapshot, storage).await?;
    while let Some(ids) = batches.next().await? {
        let expected = by_id(&scratch, &ids, &projection).await.map_err(failed)?;
        let now = by_id(&target, &ids, &projection).await.map_err(failed)?;
        let mut intact_ids = Vec::new();
        for id in &ids {
            let key = format!("{id:?}");
            let Some(current) = now.get(&key) else {
                conflicts.deleted += 1;
                if conflicts.deleted_samples.len() < SAMPLES {
                    conflicts.deleted_samples.push(id.to_string());
                }
                continue;
            };
            let made = expected.get(&key);
            let intact = made.is_some_and(|made| {
                snapshot
                    .fields
                    .iter()
                    .all(|f| field(made, f) == field(current, f))
            });
            if intact {
                intact_ids.push(id.clone());
            } else {
                conflicts.changed += 1;
                if conflicts.changed_samples.len() < SAMPLES {
                    conflicts.changed_samples.push(id.to_string());
                }
            }
            if let Some(counting) = counting.as_mut() {
                if (intact || counting.overwrite) && counting.written.again(id) {
                    conflicts.again += 1;
                }
            }
        }
        conflicts.entries += ids.len() as u64;
        if !intact_ids.is_empty() {
            ctx.store.ensure_lease().await?;
            scratch
                .delete_many(doc! {"_id": {"$in": intact_ids}})
                .await
                .map_err(failed)?;
        }
    }
    if conflicts.changed > 0 {
        conflicts.excluded = Some(scratch_name);
    } else {
        scratch.drop().await.map_err(failed)?;
    }
    Ok(conflicts)
}

/// Drops the scratch storage a check left (see [`Conflicts::excluded`]).
pub(crate) async fn drop_scratch(ctx: &ActionContext<'_>, conflicts: &Conflicts) -> Result<()> {
    if let Some(name) = &conflicts.excluded {
        ctx.store
            .database()
            .collection::<Document>(name)
            .drop()
            .await
            .map_err(|e| Error::database(format!("cannot drop {name}"), e))?;
    }
    Ok(())
}

/// The documents of `collection` with `ids`, projected, by id.
async fn by_id(
    collection: &mongodb::Collection<RawDocumentBuf>,
    ids: &[Bson],
    projection: &Document,
) -> mongodb::error::Result<std::collections::HashMap<String, RawDocumentBuf>> {
    let mut found = std::collections::HashMap::new();
    let mut cursor = collection
        .find(doc! {"_id": {"$in": ids}})
        .projection(projection.clone())
        .await?;
    while let Some(document) = cursor.try_next().await? {
        let id = document
            .get("_id")
            .ok()
            .flatten()
            .and_then(|id| Bson::try_from(id.to_raw_bson()).ok());
        if let Some(id) = id {
            found.insert(format!("{id:?}"), document);
        }
    }
    Ok(found)
}

/// Top-level `name` of `document`, as raw BSON (`None` when absent).
fn field(document: &RawDocumentBuf, name: &str) -> Option<RawBson> {
    document
        .get(name)
        .ok()
        .flatten()
        .map(mongodb::bson::RawBsonRef::to_raw_bson)
}
