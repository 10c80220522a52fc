//! `create_index` and `drop_index`. A dropped index's full spec is kept in its snapshot, and
//! a later `create_index` of the same name recreates exactly that spec.

use mongodb::bson::{doc, Bson, Document};
use mongodb::{ClientSession, Database};

use super::{run_command, to_bson, ActionContext, ActionOutcome};
use crate::error::{Error, Result};
use crate::runbook::model::{CreateIndexAction, DropIndexAction};
use crate::store::snapshots::SnapshotKind;

/// The MongoDB error code for a missing namespace.
const NAMESPACE_NOT_FOUND: i32 = 26;
/// The MongoDB error code for a command a view does not support.
const COMMAND_NOT_SUPPORTED_ON_VIEW: i32 = 166;

fn code_of(error: &mongodb::error::Error) -> Option<i32> {
    match error.kind.as_ref() {
        mongodb::error::ErrorKind::Command(command) => Some(command.code),
        _ => None,
    }
}

/// "name key" of each spec, sorted: what two collections' indexes are compared on.
#[must_use]
pub(crate) fn names_and_keys(specs: &[Document]) -> Vec<String> {
    let mut keys: Vec<String> = specs
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s.get_str("name").unwrap_or_default(),
                s.get_document("key").cloned().unwrap_or_default()
            )
        })
        .collect();
    keys.sort();
    keys
}

/// Every index spec of a collection as `listIndexes` returns it (empty if it does not exist).
pub(crate) async fn specs(db: &Database, collection: &str) -> Result<Vec<Document>> {
    match db.run_command(doc! {"listIndexes": collection}).await {
        Ok(reply) => Ok(reply
            .get_document("cursor")
            .and_then(|c| c.get_array("firstBatch"))
            .map(|batch| {
                batch
                    .iter()
                    .filter_map(|b| b.as_document().cloned())
                    .collect()
            })
            .unwrap_or_default()),
        // A missing collection, or a view, has no indexes.
        Err(e)
            if matches!(
                code_of(&e),
                Some(NAMESPACE_NOT_FOUND | COMMAND_NOT_SUPPORTED_ON_VIEW)
            ) =>
        {
            Ok(Vec::new())
        }
        Err(e) => Err(Error::database(
            format!("cannot list the indexes of {}.{collection}", db.name()),
            e,
        )),
    }
}

/// The spec of one index by name.
pub(crate) async fn spec(db: &Database, collection: &str, name: &str) -> Result<Option<Document>> {
    Ok(specs(db, collection)
        .await?
        .into_iter()
        .find(|s| s.get_str("name").ok() == Some(name)))
}

/// Creates an index, from a snapshot of the same index when one is waiting to be restored.
pub(crate) async fn create(
    ctx: &ActionContext<'_>,
    action: &CreateIndexAction,
    session: Option<&mut ClientSession>,
) -> Result<ActionOutcome> {
    let database = action
        .database
        .clone()
        .unwrap_or_else(|| ctx.database.to_owned());
    let db = ctx.client.database(&database);
    let keys = to_bson(&action.keys)?;
    let name = action.name.clone().unwrap_or_else(|| default_name(&keys));
    let mut outcome = ActionOutcome::new("create_index", Some(&action.collection));
    outcome.detail = Some(name.clone());
    if let Some(existing) = spec(&db, &action.collection, &name).await? {
        let same = existing.get_document("key").ok() == Some(&keys);
        if !same {
            return Err(Error::Usage(format!(
                "an index named {name} already exists on {database}.{} with different keys; nothing was changed",
                action.collection
            )));
        }
        outcome.status = crate::actions::ActionStatus::Skipped;
        outcome.detail = Some(format!("{name} already exists"));
        return Ok(outcome);
    }
    let snapshots: Vec<_> = ctx
        .store
        .unrestored_snapshots(
            ctx.runbook,
            &database,
            ctx.step,
            &action.collection,
            SnapshotKind::Index,
        )
        .await?
        .into_iter()
        .filter(|s| s.index_name.as_deref() == Some(name.as_str()))
        .collect();
    let spec = match snapshots.first().and_then(|s| s.index_spec.clone()) {
        Some(mut saved) => {
            saved.remove("ns");
            outcome.snapshot = snapshots.first().map(|s| s.id.clone());
            saved
        }
        None => {
            let mut spec = doc! {"key": keys, "name": &name};
            if let Some(options) = &action.options {
                spec.extend(to_bson(options)?);
            }
            spec
        }
    };
    run_command(
        &db,
        doc! {"createIndexes": &action.collection, "indexes": [spec], "comment": ctx.comment()},
        session,
    )
    .await
    .map_err(|e| {
        Error::database(
            format!(
                "cannot create index {name} on {database}.{}",
                action.collection
            ),
            e,
        )
    })?;
    if !snapshots.is_empty() {
        let ids: Vec<String> = snapshots.iter().map(|s| s.id.clone()).collect();
        ctx.store.mark_restored(&ids, ctx.run_id, None).await?;
    }
    Ok(outcome)
}

/// Drops an index (its spec was snapshotted); an index already gone is not an error.
pub(crate) async fn drop(
    ctx: &ActionContext<'_>,
    action: &DropIndexAction,
) -> Result<ActionOutcome> {
    let database = action
        .database
        .clone()
        .unwrap_or_else(|| ctx.database.to_owned());
    let db = ctx.client.database(&database);
    let mut outcome = ActionOutcome::new("drop_index", Some(&action.collection));
    outcome.detail = Some(action.name.clone());
    if spec(&db, &action.collection, &action.name).await?.is_none() {
        outcome.status = crate::actions::ActionStatus::Skipped;
        outcome.detail = Some(format!("{} does not exist", action.name));
        return Ok(outcome);
    }
    db.run_command(doc! {"dropIndexes": &action.collection, "index": &action.name})
        .await
        .map_err(|e| {
            Error::database(
                format!(
                    "cannot drop index {} on {database}.{}",
                    action.name, action.collection
                ),
                e,
            )
        })?;
    Ok(outcome)
}

/// The server's default index name for `keys` (`a_1_b_-1`).
fn default_name(keys: &Document) -> String {
    keys.iter()
        .map(|(k, v)| match v {
            Bson::Int32(n) => format!("{k}_{n}"),
            Bson::Int64(n) => format!("{k}_{n}"),
            Bson::Double(n) => format!("{k}_{n}"),
            Bson::String(s) => format!("{k}_{s}"),
            other => format!("{k}_{other}"),
        })
        .collect::<Vec<_>>()
        .join("_")
}
