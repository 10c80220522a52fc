//! `delete`: removes the documents a filter matches once a snapshot holds each of them whole
//! (see [`super::snapshot`]). It deletes only documents of that snapshot that still match, a
//! batch of ids at a time, so a document the application wrote after the snapshot is never
//! deleted without a copy.

use mongodb::bson::{doc, Document};

use super::snapshot::documents::IdBatches;
use super::{to_bson, ActionContext, ActionOutcome};
use crate::error::{Error, Result};
use crate::runbook::model::DeleteAction;
use crate::store::snapshots::Snapshot;

/// The database, collection and filter of a `delete`.
pub(crate) fn target<'a>(
    ctx: &'a ActionContext<'_>,
    action: &'a DeleteAction,
) -> Result<(&'a str, Document)> {
    let database = action.database.as_deref().unwrap_or(ctx.database);
    let filter = action
        .filter
        .as_ref()
        .map_or_else(|| Ok(Document::new()), to_bson)?;
    Ok((database, filter))
}

/// Deletes what `snapshot` (taken just before, or by an earlier attempt of this run) holds.
pub(crate) async fn execute(
    ctx: &ActionContext<'_>,
    action: &DeleteAction,
    snapshot: &Snapshot,
) -> Result<ActionOutcome> {
    let (database, filter) = target(ctx, action)?;
    let collection = ctx
        .client
        .database(database)
        .collection::<Document>(&action.collection);
    let mut batches = IdBatches::open(ctx, snapshot).await?;
    let (mut deleted, mut seen) = (0, 0);
    let total = u64::try_from(snapshot.documents).ok();
    while let Some(ids) = batches.next().await? {
        ctx.store.ensure_lease().await?;
        seen += u64::try_from(ids.len()).unwrap_or_default();
        let these = doc! {"$and": [filter.clone(), {"_id": {"$in": ids}}]};
        let result = collection
            .delete_many(these)
            .comment(ctx.comment())
            .await
            .map_err(|e| {
                Error::database(
                    format!("delete on {database}.{} failed", action.collection),
                    e,
                )
            })?;
        deleted += result.deleted_count;
        ctx.tally("delete", seen, total);
    }
    let mut outcome = ActionOutcome::new("delete", Some(&action.collection));
    if database != ctx.database {
        outcome.database = Some(database.to_owned());
    }
    outcome.affected = Some(u64::try_from(snapshot.documents).unwrap_or_default());
    outcome.modified = Some(deleted);
    Ok(outcome)
}
