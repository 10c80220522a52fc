//! `restore_snapshot`: puts back what the other direction of this step destroyed in one
//! collection — first the documents a `delete` removed, then the fields an update changed (so a
//! document deleted after an update gets its original fields too). When that direction
//! destroyed data there and ran last, yet no snapshot of it is left, the action fails: a step
//! whose data cannot come back never ends `ok`.

use super::documents::DocumentWrite;
use super::snapshot::written::Written;
use super::snapshot::{self, documents, replaced};
use super::{ActionContext, ActionOutcome, OnConflict};
use crate::error::{Error, Result};
use crate::runbook::model::{Action, RestoreSnapshotAction};
use crate::store::snapshots::SnapshotKind;

/// Runs a `restore_snapshot`.
pub(crate) async fn run(
    ctx: &ActionContext<'_>,
    action: &RestoreSnapshotAction,
) -> Result<ActionOutcome> {
    let database = action.database.as_deref().unwrap_or(ctx.database);
    let of = |kind| snapshot::to_restore(ctx, database, &action.collection, kind);
    let deleted = of(SnapshotKind::Documents).await?;
    let replaced = of(SnapshotKind::Replaced).await?;
    let fields = of(SnapshotKind::Fields).await?;
    let mut written = Written::for_snapshots(deleted.len() + replaced.len() + fields.len());
    // Whole documents first: deleted ones inserted again, replaced ones put back.
    let on_conflict = snapshot::on_conflict(ctx);
    let mut put_back = Vec::new();
    if !deleted.is_empty() {
        put_back.push(documents::put_back_all(ctx, &deleted, on_conflict, &mut written).await?);
    }
    if !replaced.is_empty() {
        put_back.push(replaced::put_back_all(ctx, &replaced, on_conflict, &mut written).await?);
    }
    let fields = if fields.is_empty() {
        None
    } else {
        snapshot::restore_fields(ctx, action, &fields, &mut written).await?
    };
    if fields.is_none() && put_back.is_empty() {
        return nothing_to_restore(ctx, database, action).await;
    }
    let mut outcome = fields.unwrap_or_else(|| {
        let mut outcome = ActionOutcome::new("restore_snapshot", Some(&action.collection));
        outcome.affected = Some(0);
        outcome.modified = Some(0);
        outcome
    });
    let mut ids = Vec::new();
    let mut said = Vec::new();
    for done in put_back {
        outcome.affected = Some(outcome.affected.unwrap_or(0) + done.restored);
        outcome.modified = Some(outcome.modified.unwrap_or(0) + done.restored);
        ids.extend(done.ids);
        if done.conflicts > 0 {
            outcome.conflicts = Some(outcome.conflicts.unwrap_or(0) + done.conflicts);
            said.push(match snapshot::on_conflict(ctx) {
                OnConflict::Overwrite => format!("overwritten: {}", done.described),
                _ => format!("left as they are: {}", done.described),
            });
        }
    }
    ids.extend(outcome.snapshot.take());
    outcome.snapshot = Some(ids.join(","));
    said.extend(outcome.detail.take());
    if !said.is_empty() {
        outcome.detail = Some(said.join("; "));
    }
    Ok(outcome)
}

/// The database and collection whose documents `action` changes or deletes (what a snapshot
/// of it holds), if it is such an action.
fn destroys_documents_of(action: &Action, default_db: &str) -> Option<(String, String)> {
    match action {
        Action::Delete(a) => Some((
            a.database.clone().unwrap_or_else(|| default_db.to_owned()),
            a.collection.clone(),
        )),
        _ => DocumentWrite::of(action, default_db)
            .ok()
            .flatten()
            .map(|w| (w.database, w.collection)),
    }
}

/// No snapshot to put back: fine when the other direction did not run last or destroyed
/// nothing here; otherwise its data is lost unless the operator restores it, so the action
/// fails (exit 11) with nothing written, unless `--on-conflict skip` or `overwrite` accepts it.
async fn nothing_to_restore(
    ctx: &ActionContext<'_>,
    database: &str,
    action: &RestoreSnapshotAction,
) -> Result<ActionOutcome> {
    let mut outcome = ActionOutcome::new("restore_snapshot", Some(&action.collection));
    outcome.affected = Some(0);
    outcome.modified = Some(0);
    let here = (database.to_owned(), action.collection.clone());
    let destroyer = ctx
        .opposite
        .iter()
        .find(|a| destroys_documents_of(a, ctx.database).as_ref() == Some(&here));
    let other = match ctx.direction {
        crate::runbook::model::Direction::Forward => "rollback",
        crate::runbook::model::Direction::Rollback => "forward",
    };
    let last = ctx
        .store
        .step_states(ctx.runbook, ctx.database)
        .await?
        .into_iter()
        .find(|s| s.step == ctx.step && s.last_direction.as_deref() == Some(other));
    let (Some(destroyer), Some(last)) = (destroyer, last) else {
        outcome.detail = Some(format!(
            "no snapshot to restore (the step's {other} did not change {database}.{} since it last ran {})",
            action.collection,
            ctx.direction.as_str()
        ));
        return Ok(outcome);
    };
    let run = last.run_id.unwrap_or_else(|| "?".into());
    if ctx
        .store
        .snapshots_taken(&run, ctx.step, database, &action.collection)
        .await?
        > 0
    {
        outcome.detail = Some(format!(
            "nothing left to restore (what the {other} of run {run} changed in {database}.{} was put back already)",
            action.collection
        ));
        return Ok(outcome);
    }
    if ctx.env.on_conflict != OnConflict::Fail {
        outcome.detail = Some(format!(
            "no snapshot left of what the {other} of run {run} changed in {database}.{}; accepted with --on-conflict",
            action.collection
        ));
        return Ok(outcome);
    }
    Err(Error::SnapshotUnusable(format!(
        "step {}'s {other} ({} on {database}.{}, run {run}) ran last, but no snapshot of what it \
         changed is left to put back (pruned, or removed from the state database); nothing was \
         restored. Restore {database}.{} from a backup; once the data is as it should be, rerun \
         with --on-conflict skip to go on without it",
        ctx.step,
        destroyer.kind(),
        action.collection,
        action.collection,
    )))
}
