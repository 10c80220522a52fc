//! Collection actions: create, drop, rename, copy (documents and indexes, on the server) and
//! `backup_to_collection`.

use mongodb::bson::{doc, Document};
use mongodb::Database;

use super::{indexes, ActionContext, ActionOutcome};
use crate::error::{Error, Result};
use crate::runbook::model::{
    BackupToCollectionAction, CopyCollectionAction, CreateCollectionAction, RenameCollectionAction,
    Target,
};

/// A collection's options (`{}` for none), or `None` when it does not exist.
pub(crate) async fn options(db: &Database, name: &str) -> Result<Option<Document>> {
    let reply = db
        .run_command(doc! {"listCollections": 1, "filter": {"name": name}})
        .await
        .map_err(|e| Error::database(format!("cannot look up {}.{name}", db.name()), e))?;
    let first = reply
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .ok()
        .and_then(|batch| batch.first().and_then(|b| b.as_document().cloned()));
    Ok(first.map(|info| info.get_document("options").cloned().unwrap_or_default()))
}

/// Counts every document of a collection.
pub(crate) async fn count(db: &Database, name: &str) -> Result<u64> {
    db.collection::<Document>(name)
        .count_documents(doc! {})
        .await
        .map_err(|e| Error::database(format!("cannot count {}.{name}", db.name()), e))
}

async fn estimated(db: &Database, name: &str) -> Result<u64> {
    db.collection::<Document>(name)
        .estimated_document_count()
        .await
        .map_err(|e| Error::database(format!("cannot count {}.{name}", db.name()), e))
}

/// `create_collection`: creates it (with options, or those of `like`); existing is fine.
pub(crate) async fn create(
    ctx: &ActionContext<'_>,
    action: &CreateCollectionAction,
) -> Result<ActionOutcome> {
    let db = ctx.db(action.database.as_deref());
    let mut outcome = ActionOutcome::new("create_collection", Some(&action.collection));
    if options(&db, &action.collection).await?.is_some() {
        outcome.status = crate::actions::ActionStatus::Skipped;
        outcome.detail = Some("already exists".into());
        return Ok(outcome);
    }
    let mut command = doc! {"create": &action.collection};
    if let Some(like) = &action.like {
        let source = options(&db, like).await?.ok_or_else(|| {
            Error::Usage(format!(
                "collection {like} (named by `like`) does not exist; nothing was changed"
            ))
        })?;
        command.extend(source);
    }
    if let Some(extra) = &action.options {
        command.extend(super::to_bson(extra)?);
    }
    db.run_command(command).await.map_err(|e| {
        Error::database(
            format!("cannot create {}.{}", db.name(), action.collection),
            e,
        )
    })?;
    Ok(outcome)
}

/// `drop_collection` (snapshotted first); a missing collection is not an error.
pub(crate) async fn drop(ctx: &ActionContext<'_>, target: &Target) -> Result<ActionOutcome> {
    let db = ctx.db(target.database.as_deref());
    let mut outcome = ActionOutcome::new("drop_collection", Some(&target.collection));
    if options(&db, &target.collection).await?.is_none() {
        outcome.status = crate::actions::ActionStatus::Skipped;
        outcome.detail = Some("does not exist".into());
        return Ok(outcome);
    }
    outcome.affected = Some(count(&db, &target.collection).await?);
    db.collection::<Document>(&target.collection)
        .drop()
        .await
        .map_err(|e| {
            Error::database(
                format!("cannot drop {}.{}", db.name(), target.collection),
                e,
            )
        })?;
    outcome.modified = outcome.affected;
    Ok(outcome)
}

/// `rename_collection`; already renamed (source gone, target present) is not an error.
pub(crate) async fn rename(
    ctx: &ActionContext<'_>,
    action: &RenameCollectionAction,
) -> Result<ActionOutcome> {
    let db = ctx.db(action.database.as_deref());
    let mut outcome = ActionOutcome::new("rename_collection", Some(&action.from));
    outcome.detail = Some(format!("→ {}", action.to));
    let from_exists = options(&db, &action.from).await?.is_some();
    if !from_exists && options(&db, &action.to).await?.is_some() {
        outcome.status = crate::actions::ActionStatus::Skipped;
        outcome.detail = Some(format!("already renamed to {}", action.to));
        return Ok(outcome);
    }
    let name = db.name();
    ctx.client
        .database("admin")
        .run_command(doc! {"renameCollection": format!("{name}.{}", action.from), "to": format!("{name}.{}", action.to), "dropTarget": action.drop_target})
        .await
        .map_err(|e| Error::database(format!("cannot rename {name}.{} to {}", action.from, action.to), e))?;
    Ok(outcome)
}

/// `copy_collection`: documents with `$out` (the server's fastest copy) into the destination
/// (created with the source's options first), then the source's indexes built once.
pub(crate) async fn copy(
    ctx: &ActionContext<'_>,
    action: &CopyCollectionAction,
) -> Result<ActionOutcome> {
    let db = ctx.db(action.database.as_deref());
    let name = db.name().to_owned();
    let source_options = options(&db, &action.from).await?.ok_or_else(|| {
        Error::Usage(format!(
            "cannot copy {name}.{}: it does not exist; nothing was changed",
            action.from
        ))
    })?;
    let mut outcome = ActionOutcome::new("copy_collection", Some(&action.from));
    outcome.detail = Some(format!("→ {}", action.to));
    if ctx.cut_short && options(&db, &action.to).await?.is_some() {
        // An earlier attempt of this very action (interrupted mid-copy) left a partial copy.
        db.collection::<Document>(&action.to)
            .delete_many(doc! {})
            .comment(ctx.comment())
            .await
            .map_err(|e| {
                Error::database(
                    format!("cannot clear the partial copy {name}.{}", action.to),
                    e,
                )
            })?;
        outcome.detail = Some(format!(
            "→ {} (partial copy of an interrupted attempt cleared)",
            action.to
        ));
    }
    match options(&db, &action.to).await? {
        Some(_) if count(&db, &action.to).await? > 0 => {
            return Err(Error::Usage(format!(
                "cannot copy {name}.{} into {}: the destination already holds documents; nothing was changed",
                action.from, action.to
            )));
        }
        Some(_) => {}
        None => {
            let mut create = doc! {"create": &action.to};
            create.extend(source_options);
            db.run_command(create)
                .await
                .map_err(|e| Error::database(format!("cannot create {name}.{}", action.to), e))?;
        }
    }
    // Whole-collection counts come from collection metadata, which is exact for a collection
    // `$out` just wrote; an exact count would scan a million documents twice.
    let affected = estimated(&db, &action.from).await?;
    let source = db.collection::<Document>(&action.from);
    let copying = source
        .aggregate(vec![doc! {"$out": {"db": &name, "coll": &action.to}}])
        .comment(ctx.comment());
    super::tally::out_counted(ctx, &db, "copy", Some(affected), copying)
        .await
        .map_err(|e| {
            Error::database(
                format!("cannot copy {name}.{} to {}", action.from, action.to),
                e,
            )
        })?;
    if action.indexes {
        let specs: Vec<Document> = indexes::specs(&db, &action.from)
            .await?
            .into_iter()
            .filter(|s| s.get_str("name").ok() != Some("_id_"))
            .map(|mut s| {
                s.remove("ns");
                s
            })
            .collect();
        if !specs.is_empty() {
            db.run_command(
                doc! {"createIndexes": &action.to, "indexes": specs, "comment": ctx.comment()},
            )
            .await
            .map_err(|e| {
                Error::database(
                    format!(
                        "cannot copy the indexes of {name}.{} to {}",
                        action.from, action.to
                    ),
                    e,
                )
            })?;
        }
    }
    outcome.affected = Some(affected);
    outcome.modified = Some(estimated(&db, &action.to).await?);
    Ok(outcome)
}

/// The collection a run writes its backup to when `to` already holds an earlier one: `to`
/// suffixed with the run id, so no run replaces another's backup.
#[must_use]
pub(crate) fn run_backup_name(to: &str, run_id: &str) -> String {
    format!("{to}_{run_id}")
}

/// `backup_to_collection`: matching documents (optionally projected) copied with `$out` into
/// `to`, or, when `to` already exists, into `to` suffixed with the run id; an existing backup
/// is never emptied or replaced. A resumed attempt reuses the backup its run already wrote.
/// `modified` is the number of documents the backup holds.
pub(crate) async fn backup(
    ctx: &ActionContext<'_>,
    action: &BackupToCollectionAction,
) -> Result<ActionOutcome> {
    let db = ctx.db(action.database.as_deref());
    let name = db.name().to_owned();
    let id = ctx.snapshot_id();
    let mut outcome = ActionOutcome::new("backup_to_collection", Some(&action.collection));
    let suffixed = run_backup_name(&action.to, ctx.run_id);
    let mut reused = ctx.store.backup_of(&id).await?;
    // Killed after its copy but before registering it: a run-suffixed backup is this run's.
    if reused.is_none() && options(&db, &suffixed).await?.is_some() {
        reused = Some(suffixed.clone());
    }
    if let Some(existing) = reused {
        if options(&db, &existing).await?.is_some() {
            let documents = count(&db, &existing).await?;
            outcome.affected = Some(documents);
            outcome.modified = Some(documents);
            outcome.detail = Some(format!(
                "→ {existing} (written by an earlier attempt of this run, reused)"
            ));
            outcome.backup = Some(existing);
            return Ok(outcome);
        }
    }
    let (target, kept) = if options(&db, &action.to).await?.is_some() {
        (suffixed, Some(action.to.as_str()))
    } else {
        (action.to.clone(), None)
    };
    let filter = action
        .filter
        .as_ref()
        .map_or_else(|| Ok(Document::new()), super::to_bson)?;
    let mut pipeline = vec![doc! {"$match": filter}];
    if !action.fields.is_empty() {
        let mut projection = doc! {"_id": 1};
        for field in &action.fields {
            projection.insert(field.clone(), 1);
        }
        pipeline.push(doc! {"$project": projection});
    }
    pipeline.push(doc! {"$out": {"db": &name, "coll": &target}});
    db.collection::<Document>(&action.collection)
        .aggregate(pipeline)
        .comment(ctx.comment())
        .await
        .map_err(|e| {
            Error::database(
                format!("cannot back up {name}.{} to {target}", action.collection),
                e,
            )
        })?;
    let written = count(&db, &target).await?;
    ctx.store
        .register_backup(&id, &name, &target, written)
        .await?;
    outcome.affected = Some(written);
    outcome.modified = Some(written);
    outcome.detail = Some(match kept {
        Some(earlier) => format!("→ {target} ({earlier} holds an earlier backup and is kept)"),
        None => format!("→ {target}"),
    });
    outcome.backup = Some(target);
    Ok(outcome)
}
