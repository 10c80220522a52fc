//! Snapshots: before an action destroys data, the original values are saved in the state
//! database (whole collections with `$out`; the fields a document write changes as compact
//! entries, see [`layout`]), and forward puts them back exactly (`$merge`), key order
//! included, without touching fields the action did not change.

pub(crate) mod conflicts;
pub(crate) mod documents;
mod layout;
pub(crate) mod proof;
pub(crate) mod recomputed;
pub(crate) mod replaced;
mod restore;
pub(crate) mod written;

use mongodb::bson::raw::{RawArrayBuf, RawBson, RawDocumentBuf};
use mongodb::bson::{doc, Bson, DateTime, Document};
use mongodb::options::Hint;

use super::documents::DocumentWrite;
use super::OnConflict;
use super::{indexes, ActionContext, ActionOutcome};
use crate::error::{Error, Result};
use crate::runbook::model::{Action, RestoreSnapshotAction};
use crate::store::snapshots::{LeftField, Snapshot, SnapshotKind, FIELDS_FORMAT_ENTRIES};
use written::Written;

/// A snapshot taken for an action, and whether the registry already holds it (a resumed run).
pub(crate) struct Taken {
    /// The registry entry.
    pub snapshot: Snapshot,
    /// True when it was taken by an earlier attempt of the same run and must be reused.
    pub registered: bool,
}

/// Saves what `action` is about to destroy. Returns `None` when it destroys nothing.
/// A snapshot an earlier attempt of this run already completed is reused, never retaken:
/// the data may already be changed.
pub(crate) async fn take(ctx: &ActionContext<'_>, action: &Action) -> Result<Option<Taken>> {
    let id = ctx.snapshot_id();
    if let Some(snapshot) = ctx.store.snapshot(&id).await? {
        return Ok(Some(Taken {
            snapshot,
            registered: true,
        }));
    }
    let snapshot = match action {
        Action::Unset(_) | Action::Set(_) | Action::Update(_) => {
            let write = DocumentWrite::of(action, ctx.database)?
                .ok_or_else(|| Error::Usage("not a document write".into()))?;
            match &write.update {
                super::documents::Change::Pipeline(stages) if write.replaces => {
                    let kind = SnapshotKind::Replaced;
                    let (database, collection) = (&write.database, &write.collection);
                    let taken =
                        documents::take(ctx, &id, database, collection, &write.filter, kind)
                            .await?;
                    Some(Snapshot {
                        pipeline: Some(stages.clone()),
                        ..taken
                    })
                }
                _ => Some(fields(ctx, &id, &write).await?),
            }
        }
        Action::Delete(a) => {
            let (database, filter) = super::delete::target(ctx, a)?;
            let kind = SnapshotKind::Documents;
            Some(documents::take(ctx, &id, database, &a.collection, &filter, kind).await?)
        }
        Action::DropIndex(a) => {
            let db = a
                .database
                .clone()
                .unwrap_or_else(|| ctx.database.to_owned());
            indexes::spec(&ctx.client.database(&db), &a.collection, &a.name)
                .await?
                .map(|spec| Snapshot {
                    index_name: Some(a.name.clone()),
                    index_spec: Some(spec),
                    ..entry(ctx, &id, SnapshotKind::Index, &db, &a.collection)
                })
        }
        Action::DropCollection(t) => {
            collection(
                ctx,
                &id,
                t.database.as_deref().unwrap_or(ctx.database),
                &t.collection,
            )
            .await?
        }
        Action::RenameCollection(a) if a.drop_target => {
            collection(
                ctx,
                &id,
                a.database.as_deref().unwrap_or(ctx.database),
                &a.to,
            )
            .await?
        }
        _ => None,
    };
    Ok(snapshot.map(|snapshot| Taken {
        snapshot,
        registered: false,
    }))
}

fn entry(
    ctx: &ActionContext<'_>,
    id: &str,
    kind: SnapshotKind,
    database: &str,
    collection: &str,
) -> Snapshot {
    Snapshot {
        id: id.to_owned(),
        run_id: ctx.run_id.to_owned(),
        runbook: ctx.runbook.to_owned(),
        step: ctx.step.to_owned(),
        direction: ctx.direction.as_str().to_owned(),
        action_index: i64::try_from(ctx.index).unwrap_or_default(),
        kind,
        database: database.to_owned(),
        collection: collection.to_owned(),
        fields: Vec::new(),
        storage: None,
        index_name: None,
        index_spec: None,
        options: None,
        indexes: Vec::new(),
        documents: 0,
        digest: None,
        left: None,
        format: 0,
        prefix: None,
        pipeline: None,
        change: None,
        created_at: DateTime::now(),
        restored_by: None,
    }
}

/// Saves what a document write will change: one pass over the documents it will change
/// (a plain `find` in natural order, so the server only reads and sends them), each reduced
/// on this side to its `_id`, the touched fields' values and, where needed, their positions
/// (see [`layout`]), written back in batches of thousands of entries per document. A
/// server-side `$project` + `$out` costs several times more: it computes the key order of
/// every document and inserts one document per entry.
async fn fields(ctx: &ActionContext<'_>, id: &str, write: &DocumentWrite) -> Result<Snapshot> {
    let started = std::time::Instant::now();
    let storage = ctx.storage_name(id);
    let target = ctx.store.database().collection::<RawDocumentBuf>(&storage);
    let fail = |e| {
        Error::database(
            format!(
                "cannot snapshot {}.{} before {}",
                write.database, write.collection, write.kind
            ),
            e,
        )
    };
    // Data left by an attempt killed before it registered the snapshot.
    target.drop().await.map_err(fail)?;
    ctx.store
        .database()
        .create_collection(&storage)
        .await
        .map_err(fail)?;
    let saved = save_entries(ctx, write, &target).await;
    let (layout, documents) = match saved {
        Ok(saved) => saved,
        Err(error) => {
            // Its own storage; a superseded attempt leaves even that alone.
            if !ctx
                .store
                .lease()
                .is_some_and(crate::store::lock::Lease::is_fenced)
            {
                let _ = target.drop().await;
            }
            return Err(error);
        }
    };
    let proof = match registered_proof(
        ctx,
        &storage,
        SnapshotKind::Fields,
        FIELDS_FORMAT_ENTRIES,
        documents,
    )
    .await
    {
        Ok(proof) => proof,
        Err(error) => {
            let _ = target.drop().await;
            return Err(error);
        }
    };
    tracing::debug!(
        documents,
        positioned = layout.positioned,
        elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "snapshot {id} of {}.{} saved",
        write.database,
        write.collection
    );
    // What the write leaves, when that is one value for all; else the write itself, for a
    // forward to run again (see `recomputed`).
    let left = left_by(write);
    let change = (left.is_none() && recomputable(&write.update)).then(|| write.update.stored());
    Ok(Snapshot {
        fields: write.fields.clone(),
        storage: Some(storage),
        documents: proof.entries,
        digest: Some(proof.digest),
        left,
        change,
        format: FIELDS_FORMAT_ENTRIES,
        prefix: layout.prefix().map(<[String]>::to_vec),
        ..entry(
            ctx,
            id,
            SnapshotKind::Fields,
            &write.database,
            &write.collection,
        )
    })
}

/// What `write` leaves in each field it touches, when that is the same for every document:
/// a `$set` of a top-level field to a value, or an `$unset` of it.
fn left_by(write: &DocumentWrite) -> Option<Vec<LeftField>> {
    let mut left = Vec::new();
    // A pipeline computes its values per document.
    let super::documents::Change::Operators(update) = &write.update else {
        return None;
    };
    for (operator, fields) in update {
        let Bson::Document(fields) = fields else {
            return None;
        };
        for (field, value) in fields {
            if field.contains('.') {
                return None;
            }
            match operator.as_str() {
                "$unset" => left.push(LeftField {
                    field: field.clone(),
                    removed: true,
                    value: Bson::Null,
                }),
                "$set" => left.push(LeftField {
                    field: field.clone(),
                    removed: false,
                    value: value.clone(),
                }),
                _ => return None,
            }
        }
    }
    let covered = write
        .fields
        .iter()
        .all(|f| left.iter().any(|l| &l.field == f));
    covered.then_some(left)
}

/// Whether a forward can run `update` again on copies of the documents to tell which changed
/// since (see [`recomputed`]): not an update through a positional path (`items.$.qty`,
/// `$[]`, `$[x]`), which needs its own query or array filters to apply. Its conflicts are then
/// the deletions only.
fn recomputable(update: &super::documents::Change) -> bool {
    match update {
        super::documents::Change::Pipeline(_) => true,
        super::documents::Change::Operators(operators) => operators.iter().all(|(_, fields)| {
            fields
                .as_document()
                .is_none_or(|fields| fields.keys().all(|path| !path.contains('$')))
        }),
    }
}

/// Most entries per storage document, and the size a storage document stays under (unless
/// one entry alone is larger).
const BATCH_ENTRIES: usize = 10_000;
const BATCH_BYTES: usize = 4 * 1024 * 1024;

/// A snapshot read says how far it is every this many documents (the server's first batch
/// holds 101, so a read held by the server already shows a count).
const TALLY_EVERY: u64 = 100;

/// Reads the documents `write` will change and writes their entries into `target`: full
/// storage documents are written while the reading goes on. Returns the layout and the
/// number of entries.
async fn save_entries(
    ctx: &ActionContext<'_>,
    write: &DocumentWrite,
    target: &mongodb::Collection<RawDocumentBuf>,
) -> Result<(layout::Layout, u64)> {
    let source = ctx
        .client
        .database(&write.database)
        .collection::<RawDocumentBuf>(&write.collection);
    let (batches, mut full) = tokio::sync::mpsc::channel::<RawDocumentBuf>(2);
    let read_error = |e| {
        Error::database(
            format!(
                "cannot read {}.{} to snapshot it",
                write.database, write.collection
            ),
            e,
        )
    };
    let building = async move {
        // A collection scan on purpose: with an index on a touched field the planner would
        // pick it, and fetching through it is slower when many documents match.
        let mut cursor = source
            .find(write.filter.clone())
            .hint(Hint::Keys(doc! {"$natural": 1}))
            .comment(ctx.comment())
            .await
            .map_err(read_error)?;
        let mut layout = layout::Layout::new(&write.fields);
        let mut batch = RawArrayBuf::new();
        let (mut in_batch, mut numbered, mut documents) = (0_usize, 0_i64, 0_u64);
        while cursor.advance().await.map_err(read_error)? {
            let entry = layout.entry(cursor.current()).map_err(|e| {
                Error::ActionFailed(format!(
                    "cannot snapshot {}.{}: {e}",
                    write.database, write.collection
                ))
            })?;
            let full = in_batch >= BATCH_ENTRIES
                || batch.as_bytes().len() + entry.as_bytes().len() > BATCH_BYTES;
            if in_batch > 0 && full {
                let entries = std::mem::take(&mut batch);
                if batches
                    .send(batch_document(numbered, entries))
                    .await
                    .is_err()
                {
                    // The writing stage stopped on an error, which it reports.
                    return Ok((layout, documents));
                }
                numbered += 1;
                in_batch = 0;
            }
            batch.push(entry);
            in_batch += 1;
            documents += 1;
            if documents % TALLY_EVERY == 0 {
                ctx.tally("snapshot", documents, None);
            }
        }
        if in_batch > 0 {
            let _ = batches.send(batch_document(numbered, batch)).await;
        }
        Ok::<_, Error>((layout, documents))
    };
    let writing = async move {
        while let Some(batch) = full.recv().await {
            ctx.store.ensure_lease().await?;
            target.insert_one(batch).await.map_err(|e| {
                Error::database(
                    format!(
                        "cannot save the snapshot of {}.{}",
                        write.database, write.collection
                    ),
                    e,
                )
            })?;
        }
        Ok::<_, Error>(())
    };
    let (built, written) = tokio::join!(building, writing);
    written?;
    built
}

fn batch_document(number: i64, entries: RawArrayBuf) -> RawDocumentBuf {
    let mut batch = RawDocumentBuf::new();
    batch.append("_id", number);
    batch.append("e", RawBson::Array(entries));
    batch
}

/// Saves a whole collection (documents, options, indexes), or `None` if it does not exist.
async fn collection(
    ctx: &ActionContext<'_>,
    id: &str,
    database: &str,
    name: &str,
) -> Result<Option<Snapshot>> {
    let db = ctx.client.database(database);
    let Some(options) = super::collections::options(&db, name).await? else {
        return Ok(None);
    };
    let storage = ctx.storage_name(id);
    db.collection::<Document>(name)
        .aggregate(vec![
            doc! {"$out": {"db": ctx.store.database().name(), "coll": &storage}},
        ])
        .comment(ctx.comment())
        .await
        .map_err(|e| Error::database(format!("cannot snapshot {database}.{name}"), e))?;
    let documents = count_storage(ctx, &storage).await?;
    let proof = registered_proof(
        ctx,
        &storage,
        SnapshotKind::Collection,
        0,
        u64::try_from(documents).unwrap_or_default(),
    )
    .await?;
    let indexes = indexes::specs(&db, name).await?;
    Ok(Some(Snapshot {
        storage: Some(storage),
        documents: proof.entries,
        digest: Some(proof.digest),
        options: Some(options),
        indexes,
        ..entry(ctx, id, SnapshotKind::Collection, database, name)
    }))
}

/// The count and digest of storage just written, which must hold the `saved` entries.
async fn registered_proof(
    ctx: &ActionContext<'_>,
    storage: &str,
    kind: SnapshotKind,
    format: i32,
    saved: u64,
) -> Result<proof::Proof> {
    let state = ctx.store.database();
    let proof = proof::measure(state, storage, kind, format)
        .await?
        .ok_or_else(|| {
            Error::ActionFailed(format!(
                "the snapshot storage {}.{storage} vanished while it was written",
                state.name()
            ))
        })?;
    if u64::try_from(proof.entries).ok() != Some(saved) {
        return Err(Error::ActionFailed(format!(
            "the snapshot storage {}.{storage} holds {} entries, {saved} were written",
            state.name(),
            proof.entries
        )));
    }
    Ok(proof)
}

async fn count_storage(ctx: &ActionContext<'_>, storage: &str) -> Result<i64> {
    let count = ctx
        .store
        .database()
        .collection::<Document>(storage)
        .estimated_document_count()
        .await
        .map_err(|e| Error::database("cannot count a snapshot", e))?;
    Ok(i64::try_from(count).unwrap_or(i64::MAX))
}

/// The `whenMatched` pipeline that puts an entry `$$new` of a snapshot in the first format
/// (`{_id, k: every original key, v: {field: value}}`) back into the current document: the
/// original keys in their original order, the snapshotted fields with their original values
/// (absent if they were absent), every other field as it is now. Kept for snapshots taken
/// before the current format.
fn merge_back_legacy(fields: &[String]) -> Vec<Document> {
    // The entry for `key` in `entries` (an `$objectToArray` array) found through its key list,
    // or `false`: `$indexOfArray` is one native scan, much cheaper than a `$filter` closure.
    let find = |entries: &str, keys: &str| {
        doc! {"$let": {
            "vars": {"i": {"$indexOfArray": [keys, "$$key"]}},
            "in": {"$cond": [{"$gte": ["$$i", 0]}, {"$arrayElemAt": [entries, "$$i"]}, false]},
        }}
    };
    vec![doc! {"$replaceWith": {"$arrayToObject": {"$let": {
        "vars": {
            "cur": {"$objectToArray": "$$ROOT"},
            "snap": {"$objectToArray": "$$new.v"},
            "keys": "$$new.k",
            "f": fields,
        },
        "in": {"$let": {
            "vars": {"curKeys": "$$cur.k", "snapKeys": "$$snap.k"},
            "in": {"$concatArrays": [
                {"$filter": {
                    "input": {"$map": {"input": "$$keys", "as": "key", "in": {"$cond": [
                        {"$in": ["$$key", "$$f"]}, find("$$snap", "$$snapKeys"), find("$$cur", "$$curKeys"),
                    ]}}},
                    "as": "entry",
                    "cond": {"$ne": ["$$entry", false]},
                }},
                {"$filter": {"input": "$$cur", "as": "e", "cond": {"$and": [
                    {"$not": [{"$in": ["$$e.k", "$$keys"]}]},
                    {"$not": [{"$in": ["$$e.k", "$$f"]}]},
                ]}}},
            ]},
        }},
    }}}}]
}

/// The snapshots of `kind` a `restore_snapshot` of `database.collection` in this step puts
/// back: those the other direction took and nobody put back yet, newest first.
pub(crate) async fn to_restore(
    ctx: &ActionContext<'_>,
    database: &str,
    collection: &str,
    kind: SnapshotKind,
) -> Result<Vec<Snapshot>> {
    Ok(ctx
        .store
        .unrestored_snapshots(ctx.runbook, database, ctx.step, collection, kind)
        .await?
        .into_iter()
        .filter(|s| s.direction != ctx.direction.as_str())
        .collect())
}

/// What `restore_snapshot` does with conflicts: as asked, except that a retry of an action an
/// earlier attempt started skips them (see [`restore_fields`]).
pub(crate) fn on_conflict(ctx: &ActionContext<'_>) -> OnConflict {
    match ctx.env.on_conflict {
        OnConflict::Fail if ctx.retried => OnConflict::Skip,
        chosen => chosen,
    }
}

/// `restore_snapshot`'s fields: puts back, newest first and then older ones (so the oldest —
/// the true original — wins), every field snapshot of this step and collection not yet
/// restored (`snapshots`, see [`to_restore`]), each document counted once with what the
/// other snapshots of the restore wrote (`written`). `None` when there is none.
pub(crate) async fn restore_fields(
    ctx: &ActionContext<'_>,
    action: &RestoreSnapshotAction,
    snapshots: &[Snapshot],
    written: &mut Written,
) -> Result<Option<ActionOutcome>> {
    let database = action
        .database
        .clone()
        .unwrap_or_else(|| ctx.database.to_owned());
    let mut outcome = ActionOutcome::new("restore_snapshot", Some(&action.collection));
    if snapshots.is_empty() {
        return Ok(None);
    }
    // Every snapshot proves itself before the first one is put back: a damaged one stops the
    // action with nothing written.
    for snapshot in snapshots {
        proof::check(ctx.store.database(), snapshot).await?;
    }
    // Then the conflicts, still before anything is written: documents changed or deleted since
    // the rollback. Older snapshots of stacked rollbacks are checked for deletions only: their
    // documents hold what the newest rollback left until it is put back first.
    // An earlier attempt of this very action may have put some documents back already: they no
    // longer hold what the rollback left, yet are no conflict. A retry therefore puts back only
    // the documents still as the rollback left them and leaves every other one as it is (it
    // never overwrites), instead of refusing.
    // What each snapshot writes is counted here, except for an older snapshot whose guard
    // decides at its turn (it is counted then).
    let retried = ctx.retried;
    let on_conflict = on_conflict(ctx);
    let overwrite = on_conflict == OnConflict::Overwrite;
    let counted_at_turn = |n: usize, snapshot: &Snapshot| {
        n > 0 && !overwrite && (snapshot.left.is_some() || recomputed::recomputes(snapshot))
    };
    let mut conflicts = Vec::new();
    for (n, snapshot) in snapshots.iter().enumerate() {
        let counting = (!counted_at_turn(n, snapshot)).then_some(conflicts::Counting {
            written: &mut *written,
            overwrite,
        });
        // With overwrite the changed documents are written over anyway: no need to work out
        // which they are (only deletions count).
        let checked = if n == 0 && !overwrite {
            recomputed::find(ctx, snapshot, counting).await
        } else if n == 0 {
            conflicts::find(ctx, snapshot, counting).await
        } else {
            let mut older = snapshot.clone();
            older.left = None;
            older.change = None;
            conflicts::find(ctx, &older, counting).await
        };
        match checked {
            Ok(checked) => conflicts.push(checked),
            Err(error) => return Err(dropping_scratch(ctx, &conflicts, error).await),
        }
    }
    let mut total = conflicts::Conflicts::default();
    for found in &conflicts {
        total.add(found.clone());
    }
    if total.total() > 0 && on_conflict == OnConflict::Fail {
        let refused = Error::SnapshotUnusable(format!(
            "{} of {} documents of {database}.{} to restore for step {} conflict: {}; nothing was \
             restored. Rerun with --on-conflict skip to leave them as they are now (the others are \
             restored), or --on-conflict overwrite to put the snapshot back over them",
            total.total(),
            total.entries,
            action.collection,
            ctx.step,
            total.describe()
        ));
        return Err(dropping_scratch(ctx, &conflicts, refused).await);
    }
    let mut restored = 0;
    let mut kept_between = 0;
    for (n, (snapshot, found)) in snapshots.iter().zip(&conflicts).enumerate() {
        let guard = match (on_conflict, &snapshot.left) {
            (OnConflict::Overwrite, _) | (_, None) => None,
            (_, Some(left)) => Some(conflicts::intact(left)),
        };
        let fields: Vec<String> = if action.fields.is_empty() {
            snapshot.fields.clone()
        } else {
            snapshot
                .fields
                .iter()
                .filter(|f| action.fields.contains(f))
                .cloned()
                .collect()
        };
        // An older snapshot of stacked rollbacks meets the documents a newer one just put
        // back: they hold what the application wrote between the rollbacks, and the guard
        // keeps them so. Counted now, so that each document counts once in `modified`.
        let now = if counted_at_turn(n, snapshot) {
            let counting = conflicts::Counting {
                written: &mut *written,
                overwrite,
            };
            recomputed::find(ctx, snapshot, Some(counting)).await?
        } else {
            found.clone()
        };
        // A recomputed check leaves the changed documents' ids for the merge to skip.
        let excluded = now.excluded.as_deref().filter(|_| !overwrite);
        let merged = match recomputed::confirm_excluded(ctx, &now).await {
            Ok(()) => merge_back_checked(ctx, snapshot, &fields, guard.as_ref(), excluded).await,
            Err(error) => Err(error),
        };
        recomputed::drop_scratch(ctx, &now).await?;
        merged?;
        restored += if overwrite {
            found.entries - found.deleted - found.again
        } else {
            now.entries - now.total() - now.again
        };
        kept_between += now.changed.saturating_sub(found.changed);
        // Marked once it is wholly back, so a failure later leaves the rest to restore.
        ctx.store
            .mark_restored(std::slice::from_ref(&snapshot.id), ctx.run_id, None)
            .await?;
    }
    let ids: Vec<String> = snapshots.iter().map(|s| s.id.clone()).collect();
    outcome.affected = Some(restored);
    outcome.modified = Some(restored);
    outcome.snapshot = Some(ids.join(","));
    if total.total() > 0 {
        outcome.conflicts = Some(total.total());
        outcome.detail = Some(match on_conflict {
            OnConflict::Overwrite => format!("overwritten: {}", total.describe()),
            _ if retried => format!(
                "left as they are (put back by the earlier attempt, or changed since): {}",
                total.describe()
            ),
            _ => format!("left as they are: {}", total.describe()),
        });
    }
    if kept_between > 0 {
        outcome.conflicts = Some(outcome.conflicts.unwrap_or(0) + kept_between);
        let said =
            format!("{kept_between} kept what the application wrote between the stacked rollbacks");
        outcome.detail = Some(match outcome.detail.take() {
            Some(before) => format!("{before}; {said}"),
            None => said,
        });
    }
    Ok(Some(outcome))
}

/// `error`, once the scratch storage the checks in `checked` left is dropped.
async fn dropping_scratch(
    ctx: &ActionContext<'_>,
    checked: &[conflicts::Conflicts],
    error: Error,
) -> Error {
    for found in checked {
        if let Err(dropping) = recomputed::drop_scratch(ctx, found).await {
            tracing::warn!("{dropping}");
        }
    }
    error
}

/// Concurrent `$merge`s putting a field snapshot back.
const RESTORE_STREAMS: i64 = 2;

/// Merges the `fields` of a field snapshot back into its collection once the snapshot proved
/// itself (see [`proof::check`]); returns how many documents the snapshot holds.
pub(crate) async fn merge_back_snapshot(
    ctx: &ActionContext<'_>,
    snapshot: &Snapshot,
    fields: &[String],
) -> Result<u64> {
    proof::check(ctx.store.database(), snapshot).await?;
    merge_back_checked(ctx, snapshot, fields, None, None).await?;
    Ok(u64::try_from(snapshot.documents).unwrap_or_default())
}

/// [`merge_back_snapshot`] of a snapshot already checked; with a `guard`, only documents for
/// which it holds are written, and with `excluded` (scratch storage of a recomputed check)
/// none whose id it holds.
async fn merge_back_checked(
    ctx: &ActionContext<'_>,
    snapshot: &Snapshot,
    fields: &[String],
    guard: Option<&Bson>,
    excluded: Option<&str>,
) -> Result<()> {
    let into = doc! {"db": &snapshot.database, "coll": &snapshot.collection};
    merge_entries(ctx, snapshot, fields, into, guard, excluded).await
}

/// Merges the `fields` of a field snapshot's entries into the collection `into` names (its
/// own collection, or the scratch copy of a recomputed check): see [`merge_back_checked`].
async fn merge_entries(
    ctx: &ActionContext<'_>,
    snapshot: &Snapshot,
    fields: &[String],
    into: Document,
    guard: Option<&Bson>,
    excluded: Option<&str>,
) -> Result<()> {
    let Some(storage) = &snapshot.storage else {
        return Ok(());
    };
    let storage = ctx.store.database().collection::<Document>(storage);
    let failed = |e| {
        Error::database(
            format!(
                "cannot restore snapshot {} into {}.{}",
                snapshot.id, snapshot.database, snapshot.collection
            ),
            e,
        )
    };
    if snapshot.format != FIELDS_FORMAT_ENTRIES {
        let when_matched: Vec<Bson> = merge_back_legacy(fields)
            .into_iter()
            .map(Bson::Document)
            .collect();
        storage
            .aggregate(vec![doc! {"$merge": {
                "into": into,
                "on": "_id",
                "whenMatched": when_matched,
                "whenNotMatched": "discard",
            }}])
            .comment(ctx.comment())
            .await
            .map_err(failed)?;
        return Ok(());
    }
    // The server writes without saying how far it is: a phase without a count.
    ctx.phase("write on the server");
    let when_matched =
        restore::when_matched(fields, &snapshot.fields, snapshot.prefix.as_deref(), guard);
    // The storage documents are split between concurrent `$merge`s: each one writes one
    // document at a time, and the entries touch distinct documents.
    let merges = (0..RESTORE_STREAMS).map(|stream| {
        let mut pipeline = vec![
            doc! {"$match": {"_id": {"$mod": [RESTORE_STREAMS, stream]}}},
            doc! {"$unwind": "$e"},
            doc! {"$replaceWith": "$e"},
        ];
        if let Some(excluded) = excluded {
            pipeline.extend([
                doc! {"$lookup": {
                    "from": excluded,
                    "localField": "_id",
                    "foreignField": "_id",
                    "pipeline": [{"$project": {"_id": 1}}],
                    "as": "rollbook_changed",
                }},
                doc! {"$match": {"rollbook_changed": {"$size": 0}}},
                doc! {"$unset": "rollbook_changed"},
            ]);
        }
        pipeline.push(doc! {"$merge": {
            "into": into.clone(),
            "on": "_id",
            "whenMatched": when_matched.clone(),
            "whenNotMatched": "discard",
        }});
        let (storage, comment) = (storage.clone(), ctx.comment());
        async move { storage.aggregate(pipeline).comment(comment).await.map(drop) }
    });
    // Every stream is awaited, after a failure too: a `$merge` dropped on this side goes on
    // writing on the server, behind the back of whatever runs next.
    for result in futures_util::future::join_all(merges).await {
        result.map_err(failed)?;
    }
    Ok(())
}

/// Puts a whole-collection snapshot back: recreates the collection with its options and
/// indexes and copies its documents in (used to undo drops and replacements). The snapshot
/// proves itself first: a damaged one leaves the collection as it is.
pub(crate) async fn restore_collection(ctx: &ActionContext<'_>, snapshot: &Snapshot) -> Result<()> {
    proof::check(ctx.store.database(), snapshot).await?;
    let db = ctx.client.database(&snapshot.database);
    let Some(storage) = &snapshot.storage else {
        return Err(Error::Usage(format!(
            "snapshot {} holds no documents",
            snapshot.id
        )));
    };
    db.collection::<Document>(&snapshot.collection)
        .drop()
        .await
        .map_err(|e| {
            Error::database(
                format!("cannot clear {}.{}", snapshot.database, snapshot.collection),
                e,
            )
        })?;
    let mut create = doc! {"create": &snapshot.collection};
    if let Some(options) = &snapshot.options {
        create.extend(options.clone());
    }
    db.run_command(create).await.map_err(|e| {
        Error::database(
            format!(
                "cannot recreate {}.{}",
                snapshot.database, snapshot.collection
            ),
            e,
        )
    })?;
    ctx.store
        .database()
        .collection::<Document>(storage)
        .aggregate(vec![doc! {"$merge": {"into": {"db": &snapshot.database, "coll": &snapshot.collection}, "on": "_id", "whenMatched": "replace", "whenNotMatched": "insert"}}])
        .comment(ctx.comment())
        .await
        .map_err(|e| Error::database(format!("cannot copy snapshot {} back", snapshot.id), e))?;
    let specs: Vec<Document> = snapshot
        .indexes
        .iter()
        .filter(|s| s.get_str("name").ok() != Some("_id_"))
        .cloned()
        .collect();
    if !specs.is_empty() {
        db.run_command(doc! {"createIndexes": &snapshot.collection, "indexes": specs, "comment": ctx.comment()})
            .await
            .map_err(|e| {
                Error::database(
                    format!(
                        "cannot recreate the indexes of {}.{}",
                        snapshot.database, snapshot.collection
                    ),
                    e,
                )
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::documents::Change;

    #[test]
    fn positional_updates_are_not_run_again_on_copies() {
        assert!(recomputable(&Change::Operators(
            doc! {"$inc": {"amount": 5}, "$set": {"note.by": "ops"}}
        )));
        for positional in ["items.$.qty", "items.$[].qty", "items.$[i].qty"] {
            assert!(!recomputable(&Change::Operators(
                doc! {"$set": {positional: 0}}
            )));
        }
        assert!(recomputable(&Change::Pipeline(vec![
            doc! {"$set": {"x": 1}}
        ])));
    }
}
