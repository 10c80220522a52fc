//! Undoing one completed action, for compensation of atomic runbooks: each kind puts back
//! what it changed, from its snapshot where it destroyed something.

use mongodb::bson::doc;

use super::{snapshot, ActionContext, ActionOutcome};
use crate::error::{Error, Result};
use crate::runbook::model::Action;
use crate::store::snapshots::Snapshot;

/// True when a failed action may have changed part of what it meant to change, so
/// compensation must undo it too (a single server command that failed changed nothing).
#[must_use]
pub(crate) fn may_have_partial_effects(action: &Action) -> bool {
    matches!(
        action,
        Action::Unset(_)
            | Action::Set(_)
            | Action::Update(_)
            | Action::Delete(_)
            | Action::CopyCollection(_)
            | Action::BackupToCollection(_)
    )
}

/// Undoes `action`, which ended with `outcome` after taking `snapshot`. Returns what was done
/// (`None` when there was nothing to undo).
pub(crate) async fn undo(
    ctx: &ActionContext<'_>,
    action: &Action,
    outcome: &ActionOutcome,
    snapshot: Option<&Snapshot>,
) -> Result<Option<String>> {
    ctx.store.ensure_lease().await?;
    let did_something = outcome.status != crate::actions::ActionStatus::Skipped;
    match action {
        Action::Update(_) if snapshot.is_some_and(|s| s.kind == crate::store::snapshots::SnapshotKind::Replaced) => {
            let snapshot = snapshot.ok_or_else(|| Error::ActionFailed("no snapshot".into()))?;
            // Never over a document changed again since: it is kept, and said so.
            let done = snapshot::replaced::put_back_all(ctx, std::slice::from_ref(snapshot), crate::actions::OnConflict::Skip, &mut snapshot::written::Written::for_snapshots(1)).await?;
            let mut said = format!("put back {} replaced document(s) in {}", done.restored, snapshot.collection);
            if done.conflicts > 0 {
                said.push_str(&format!("; kept as they are now: {}", done.described));
            }
            Ok(Some(said))
        }
        Action::Unset(_) | Action::Set(_) | Action::Update(_) => {
            let snapshot = snapshot.ok_or_else(|| Error::ActionFailed("no snapshot was taken, so the change cannot be put back".into()))?;
            let restored = snapshot::merge_back_snapshot(ctx, snapshot, &snapshot.fields).await?;
            ctx.store.mark_restored(std::slice::from_ref(&snapshot.id), ctx.run_id, None).await?;
            Ok(Some(format!("put back {} of {restored} document(s) in {}", snapshot.fields.join(", "), snapshot.collection)))
        }
        Action::Delete(_) => {
            let snapshot = snapshot.ok_or_else(|| Error::ActionFailed("no snapshot was taken, so the deleted documents cannot be put back".into()))?;
            // Never over a document written again since: it is kept, and said so.
            let done = snapshot::documents::put_back_all(ctx, std::slice::from_ref(snapshot), crate::actions::OnConflict::Skip, &mut snapshot::written::Written::for_snapshots(1)).await?;
            let mut said = format!("put back {} deleted document(s) in {}", done.restored, snapshot.collection);
            if done.conflicts > 0 {
                said.push_str(&format!("; kept as they are now: {}", done.described));
            }
            Ok(Some(said))
        }
        Action::CreateIndex(a) if did_something => {
            let name = outcome.detail.clone().unwrap_or_default();
            ctx.db(a.database.as_deref())
                .run_command(doc! {"dropIndexes": &a.collection, "index": &name})
                .await
                .map_err(|e| Error::database(format!("cannot drop index {name} on {}", a.collection), e))?;
            Ok(Some(format!("dropped index {name} on {}", a.collection)))
        }
        Action::DropIndex(a) => match snapshot.and_then(|s| s.index_spec.clone()) {
            Some(mut spec) => {
                spec.remove("ns");
                ctx.db(a.database.as_deref())
                    .run_command(doc! {"createIndexes": &a.collection, "indexes": [spec], "comment": ctx.comment()})
                    .await
                    .map_err(|e| Error::database(format!("cannot recreate index {} on {}", a.name, a.collection), e))?;
                Ok(Some(format!("recreated index {} on {}", a.name, a.collection)))
            }
            None => Ok(None),
        },
        Action::CreateCollection(a) if did_something => {
            drop_collection(ctx, a.database.as_deref(), &a.collection).await?;
            Ok(Some(format!("dropped {}", a.collection)))
        }
        Action::DropCollection(_) | Action::BackupToCollection(_) if snapshot.is_some() => {
            let snapshot = snapshot.ok_or_else(|| Error::ActionFailed("no snapshot".into()))?;
            snapshot::restore_collection(ctx, snapshot).await?;
            Ok(Some(format!("restored {} ({} documents) from its snapshot", snapshot.collection, snapshot.documents)))
        }
        Action::BackupToCollection(a) => {
            // Only a backup this run wrote is dropped; an earlier run's is never touched.
            let Some(written) = outcome.backup.as_deref() else {
                return Ok(None);
            };
            drop_collection(ctx, a.database.as_deref(), written).await?;
            Ok(Some(format!("dropped the backup {written}")))
        }
        Action::CopyCollection(a) => {
            drop_collection(ctx, a.database.as_deref(), &a.to).await?;
            Ok(Some(format!("dropped the copy {}", a.to)))
        }
        Action::RenameCollection(a) if did_something => {
            let db = ctx.db(a.database.as_deref());
            let name = db.name().to_owned();
            ctx.client
                .database("admin")
                .run_command(doc! {"renameCollection": format!("{name}.{}", a.to), "to": format!("{name}.{}", a.from)})
                .await
                .map_err(|e| Error::database(format!("cannot rename {} back to {}", a.to, a.from), e))?;
            if let Some(snapshot) = snapshot {
                snapshot::restore_collection(ctx, snapshot).await?;
            }
            Ok(Some(format!("renamed {} back to {}", a.to, a.from)))
        }
        Action::RestoreSnapshot(_) => Err(Error::ActionFailed(
            "restored snapshot values cannot be removed again automatically; roll the step back to undo it".into(),
        )),
        Action::Shell(a) if did_something => Err(Error::ActionFailed(format!("`{}` ran and cannot be undone automatically", a.run))),
        Action::Restore(_) if did_something => Err(Error::ActionFailed("a restore cannot be undone automatically".into())),
        _ => Ok(None),
    }
}

async fn drop_collection(
    ctx: &ActionContext<'_>,
    database: Option<&str>,
    name: &str,
) -> Result<()> {
    let db = ctx.db(database);
    db.collection::<mongodb::bson::Document>(name)
        .drop()
        .await
        .map_err(|e| Error::database(format!("cannot drop {}.{name}", db.name()), e))
}
