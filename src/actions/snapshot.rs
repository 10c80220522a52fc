//! Snapshots: before an action destroys data, the original values are saved on the server
//! (`$out` into the state database), and forward puts them back exactly (`$merge`),
//! key order included, without touching fields the action did not change.

use mongodb::bson::{doc, Bson, DateTime, Document};
use mongodb::options::Hint;

use super::documents::DocumentWrite;
use super::{indexes, ActionContext, ActionOutcome};
use crate::error::{Error, Result};
use crate::runbook::model::{Action, RestoreSnapshotAction};
use crate::store::snapshots::{storage_name, Snapshot, SnapshotKind};

/// A snapshot taken for an action, and whether the registry already holds it (a resumed run).
pub struct Taken {
    /// The registry entry.
    pub snapshot: Snapshot,
    /// True when it was taken by an earlier attempt of the same run and must be reused.
    pub registered: bool,
}

/// Saves what `action` is about to destroy. Returns `None` when it destroys nothing.
/// A snapshot an earlier attempt of this run already completed is reused, never retaken:
/// the data may already be changed.
pub async fn take(ctx: &ActionContext<'_>, action: &Action) -> Result<Option<Taken>> {
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
            Some(fields(ctx, &id, &write).await?)
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
        Action::BackupToCollection(a) => {
            collection(
                ctx,
                &id,
                a.database.as_deref().unwrap_or(ctx.database),
                &a.to,
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
        created_at: DateTime::now(),
        restored_by: None,
    }
}

/// Saves `_id`, the key order (`k`) and the touched fields' values (`v`) of every document
/// the write will change. A collection scan (`$natural`) is used on purpose: with an index on
/// the field the planner would pick it and be slower for a large share of documents.
async fn fields(ctx: &ActionContext<'_>, id: &str, write: &DocumentWrite) -> Result<Snapshot> {
    let storage = storage_name(id);
    let mut values = Document::new();
    for field in &write.fields {
        values.insert(field.clone(), format!("${field}"));
    }
    let pipeline = vec![
        doc! {"$match": write.filter.clone()},
        doc! {"$project": {"_id": 1, "k": {"$map": {"input": {"$objectToArray": "$$ROOT"}, "in": "$$this.k"}}, "v": values}},
        doc! {"$out": {"db": ctx.store.database().name(), "coll": &storage}},
    ];
    let source = ctx
        .client
        .database(&write.database)
        .collection::<Document>(&write.collection);
    source
        .aggregate(pipeline)
        .hint(Hint::Keys(doc! {"$natural": 1}))
        .await
        .map_err(|e| {
            Error::database(
                format!(
                    "cannot snapshot {}.{} before {}",
                    write.database, write.collection, write.kind
                ),
                e,
            )
        })?;
    let documents = count_storage(ctx, &storage).await?;
    Ok(Snapshot {
        fields: write.fields.clone(),
        storage: Some(storage),
        documents,
        ..entry(
            ctx,
            id,
            SnapshotKind::Fields,
            &write.database,
            &write.collection,
        )
    })
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
    let storage = storage_name(id);
    db.collection::<Document>(name)
        .aggregate(vec![
            doc! {"$out": {"db": ctx.store.database().name(), "coll": &storage}},
        ])
        .await
        .map_err(|e| Error::database(format!("cannot snapshot {database}.{name}"), e))?;
    let documents = count_storage(ctx, &storage).await?;
    let indexes = indexes::specs(&db, name).await?;
    Ok(Some(Snapshot {
        storage: Some(storage),
        documents,
        options: Some(options),
        indexes,
        ..entry(ctx, id, SnapshotKind::Collection, database, name)
    }))
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

/// The `whenMatched` pipeline that puts snapshot `$$new` back into the current document:
/// the original keys in their original order, the snapshotted fields with their original
/// values (absent if they were absent), every other field as it is now.
fn merge_back(fields: &[String]) -> Vec<Document> {
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

/// `restore_snapshot`: puts back, newest first and then older ones (so the oldest — the
/// true original — wins), every field snapshot of this step and collection not yet restored.
pub async fn restore_fields(
    ctx: &ActionContext<'_>,
    action: &RestoreSnapshotAction,
) -> Result<ActionOutcome> {
    let database = action
        .database
        .clone()
        .unwrap_or_else(|| ctx.database.to_owned());
    let snapshots = ctx
        .store
        .unrestored_snapshots(
            ctx.runbook,
            &database,
            ctx.step,
            &action.collection,
            SnapshotKind::Fields,
        )
        .await?;
    let mut outcome = ActionOutcome::new("restore_snapshot", Some(&action.collection));
    let snapshots: Vec<Snapshot> = snapshots
        .into_iter()
        .filter(|s| s.direction != ctx.direction.as_str())
        .collect();
    if snapshots.is_empty() {
        outcome.affected = Some(0);
        outcome.modified = Some(0);
        outcome.detail =
            Some("no snapshot to restore (nothing was rolled back since the last forward)".into());
        return Ok(outcome);
    }
    let mut restored = 0;
    for snapshot in &snapshots {
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
        restored += merge_back_snapshot(ctx, snapshot, &fields).await?;
    }
    let ids: Vec<String> = snapshots.iter().map(|s| s.id.clone()).collect();
    ctx.store.mark_restored(&ids, ctx.run_id, None).await?;
    outcome.affected = Some(restored);
    outcome.modified = Some(restored);
    outcome.snapshot = Some(ids.join(","));
    Ok(outcome)
}

/// Merges the `fields` of a field snapshot back into its collection; returns how many
/// documents the snapshot holds.
pub async fn merge_back_snapshot(
    ctx: &ActionContext<'_>,
    snapshot: &Snapshot,
    fields: &[String],
) -> Result<u64> {
    let Some(storage) = &snapshot.storage else {
        return Ok(0);
    };
    let pipeline = vec![doc! {"$merge": {
        "into": {"db": &snapshot.database, "coll": &snapshot.collection},
        "on": "_id",
        "whenMatched": merge_back(fields).into_iter().map(Bson::Document).collect::<Vec<_>>(),
        "whenNotMatched": "discard",
    }}];
    ctx.store
        .database()
        .collection::<Document>(storage)
        .aggregate(pipeline)
        .await
        .map_err(|e| {
            Error::database(
                format!(
                    "cannot restore snapshot {} into {}.{}",
                    snapshot.id, snapshot.database, snapshot.collection
                ),
                e,
            )
        })?;
    Ok(u64::try_from(snapshot.documents).unwrap_or_default())
}

/// Puts a whole-collection snapshot back: recreates the collection with its options and
/// indexes and copies its documents in (used to undo drops and replacements).
pub async fn restore_collection(ctx: &ActionContext<'_>, snapshot: &Snapshot) -> Result<()> {
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
        .await
        .map_err(|e| Error::database(format!("cannot copy snapshot {} back", snapshot.id), e))?;
    let specs: Vec<Document> = snapshot
        .indexes
        .iter()
        .filter(|s| s.get_str("name").ok() != Some("_id_"))
        .cloned()
        .collect();
    if !specs.is_empty() {
        db.run_command(doc! {"createIndexes": &snapshot.collection, "indexes": specs})
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
