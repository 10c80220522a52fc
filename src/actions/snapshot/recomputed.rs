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

/// Where scratch storage goes: beside snapshot storage, under a prefix of its own (so
/// `snapshots prune` never takes it for storage left unregistered).
pub(crate) const SCRATCH_PREFIX: &str = "snapshot_check.";

/// Finds the conflicts of `snapshot` (see [`recomputes`]) by running its update again on
/// copies; with `counting`, also which of the documents it writes were counted before. On
/// any failure the scratch storage is dropped again (unless the attempt lost its lease: then
/// it touches nothing more), and the error says how to go on without this check.
pub(crate) async fn find(
    ctx: &ActionContext<'_>,
    snapshot: &Snapshot,
    counting: Option<Counting<'_>>,
) -> Result<Conflicts> {
    let (Some(storage), Some(change)) = (&snapshot.storage, &snapshot.change) else {
        return super::conflicts::find(ctx, snapshot, counting).await;
    };
    let attempt = ctx.storage_name(&snapshot.id);
    let scratch_name = format!("{SCRATCH_PREFIX}{attempt}");
    drop_earlier_attempts(ctx, snapshot, &scratch_name).await?;
    let found = check(ctx, snapshot, storage, change, &scratch_name, counting).await;
    match found {
        Ok(found) => Ok(found),
        Err(error) => {
            let fenced = ctx
                .store
                .lease()
                .is_some_and(crate::store::lock::Lease::is_fenced);
            if !fenced {
                let _ = ctx
                    .store
                    .database()
                    .collection::<Document>(&scratch_name)
                    .drop()
                    .await;
            }
            Err(match error {
                Error::Concurrent(_) => error,
                other => Error::SnapshotUnusable(format!(
                    "cannot tell which documents of {}.{} changed since the rollback (its update \
                     is run again on copies to find out): {other}; nothing was restored. Rerun \
                     with --on-conflict overwrite to restore without this check",
                    snapshot.database, snapshot.collection
                )),
            })
        }
    }
}

/// Drops scratch storage that earlier attempts of this run left for `snapshot` (killed before
/// they dropped it): this attempt holds the lease, so none of them runs any more.
async fn drop_earlier_attempts(
    ctx: &ActionContext<'_>,
    snapshot: &Snapshot,
    mine: &str,
) -> Result<()> {
    let state = ctx.store.database();
    let base = format!(
        "{SCRATCH_PREFIX}{}",
        crate::store::snapshots::storage_name(&snapshot.id)
    );
    let names = state
        .list_collection_names()
        .filter(doc! {"name": {"$regex": format!(r"^{}(\.a[0-9]+)?$", regex::escape(&base))}})
        .await
        .map_err(|e| Error::database("cannot list scratch storage", e))?;
    for name in names.into_iter().filter(|n| n != mine) {
        ctx.store.ensure_lease().await?;
        state
            .collection::<Document>(&name)
            .drop()
            .await
            .map_err(|e| Error::database(format!("cannot drop {name}"), e))?;
    }
    Ok(())
}

/// [`find`]'s work, leaving the scratch storage `scratch_name` behind on failure.
async fn check(
    ctx: &ActionContext<'_>,
    snapshot: &Snapshot,
    storage: &str,
    change: &Bson,
    scratch_name: &str,
    mut counting: Option<Counting<'_>>,
) -> Result<Conflicts> {
    let Some(update) = Change::modifications_of(change) else {
        return Err(Error::ActionFailed(
            "its snapshot records an update that is neither operators nor stages".into(),
        ));
    };
    let failed = |e| {
        Error::database(
            format!("cannot check snapshot {} for conflicts", snapshot.id),
            e,
        )
    };
    let state = ctx.store.database();
    let scratch = state.collection::<RawDocumentBuf>(scratch_name);
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
                    "into": {"db": state.name(), "coll": scratch_name},
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
    let into = doc! {"db": state.name(), "coll": scratch_name};
    super::merge_entries(ctx, snapshot, &snapshot.fields, into, None, None).await?;
    ctx.store.ensure_lease().await?;
    state
        .collection::<Document>(scratch_name)
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
        conflicts.excluded = Some(scratch_name.to_owned());
    } else {
        scratch.drop().await.map_err(failed)?;
    }
    Ok(conflicts)
}

/// Before a merge skips the ids the scratch storage of `conflicts` holds: it must still hold
/// every changed document, or the merge would write over some of them.
pub(crate) async fn confirm_excluded(ctx: &ActionContext<'_>, conflicts: &Conflicts) -> Result<()> {
    let Some(name) = &conflicts.excluded else {
        return Ok(());
    };
    let held = ctx
        .store
        .database()
        .collection::<Document>(name)
        .count_documents(doc! {})
        .await
        .map_err(|e| Error::database(format!("cannot count {name}"), e))?;
    if held != conflicts.changed {
        return Err(Error::SnapshotUnusable(format!(
            "the scratch storage {name} holds {held} of the {} documents changed since the \
             rollback (removed by hand?); nothing was restored, so that none of them is \
             written over. Rerun to check again",
            conflicts.changed
        )));
    }
    Ok(())
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
