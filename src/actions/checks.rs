//! Verification checks: counts, index and collection existence, equal counts, equal content.

use mongodb::bson::{doc, Document};
use mongodb::ClientSession;

use super::{collections, indexes, to_bson, ActionContext};
use crate::error::{Error, Result};
use crate::runbook::model::Check;

pub(crate) use super::check_result::CheckResult;

/// The error a failed check raises when it runs as an action or precondition.
#[must_use]
pub(crate) fn failure(result: &CheckResult) -> Error {
    Error::CheckFailed {
        code: result.error_code.clone(),
        message: result.description.as_ref().map_or_else(
            || result.describe(),
            |d| format!("{d}: {}", result.describe()),
        ),
    }
}

/// Runs a check, inside `session`'s transaction when there is one (counts only).
pub(crate) async fn run(
    ctx: &ActionContext<'_>,
    check: &Check,
    session: Option<&mut ClientSession>,
) -> Result<CheckResult> {
    let result = |collection: &str,
                  expected: serde_json::Value,
                  actual: serde_json::Value,
                  ok: bool| CheckResult {
        kind: check.kind().to_owned(),
        collection: Some(collection.to_owned()),
        expected,
        actual,
        ok,
        error_code: None,
        description: None,
        filter: None,
    };
    match check {
        Check::Count(c) => {
            let filter = c
                .filter
                .as_ref()
                .map_or_else(|| Ok(Document::new()), to_bson)?;
            let actual = count(ctx, c.database.as_deref(), &c.collection, filter, session).await?;
            let (expected, ok) = match (c.equals, c.min, c.max) {
                (Some(n), _, _) => (serde_json::json!(n), actual == n),
                (None, None, None) => (serde_json::Value::Null, true),
                (None, min, max) => (
                    serde_json::json!({"min": min, "max": max}),
                    min.is_none_or(|m| actual >= m) && max.is_none_or(|m| actual <= m),
                ),
            };
            Ok(CheckResult {
                error_code: c.error_code.clone(),
                description: c.description.clone(),
                filter: c.filter.clone().map(serde_json::Value::Object),
                ..result(&c.collection, expected, serde_json::json!(actual), ok)
            })
        }
        Check::IndexExists(c) => {
            let db = ctx.db(c.database.as_deref());
            let present = indexes::spec(&db, &c.collection, &c.name).await?.is_some();
            let mut found = result(
                &c.collection,
                serde_json::json!(c.present),
                serde_json::json!(present),
                present == c.present,
            );
            found.description = Some(format!("index {}", c.name));
            Ok(found)
        }
        Check::CollectionExists(c) => {
            let db = ctx.db(c.database.as_deref());
            let present = collections::options(&db, &c.collection).await?.is_some();
            Ok(CheckResult {
                error_code: c.error_code.clone(),
                ..result(
                    &c.collection,
                    serde_json::json!(c.present),
                    serde_json::json!(present),
                    present == c.present,
                )
            })
        }
        Check::CountsEqual(c) => {
            let mut session = session;
            let left_filter = c
                .left
                .filter
                .as_ref()
                .map_or_else(|| Ok(Document::new()), to_bson)?;
            let right_filter = c
                .right
                .filter
                .as_ref()
                .map_or_else(|| Ok(Document::new()), to_bson)?;
            let left = count(
                ctx,
                c.left.database.as_deref(),
                &c.left.collection,
                left_filter,
                session.as_deref_mut(),
            )
            .await?;
            let right = count(
                ctx,
                c.right.database.as_deref(),
                &c.right.collection,
                right_filter,
                session,
            )
            .await?;
            Ok(result(
                &format!("{} = {}", c.left.collection, c.right.collection),
                serde_json::json!(left),
                serde_json::json!(right),
                left == right,
            ))
        }
        Check::ContentEqual(c) => {
            let db = ctx.db(c.database.as_deref());
            let reply = db
                .run_command(doc! {"dbHash": 1, "collections": [&c.left, &c.right]})
                .await
                .map_err(|e| {
                    Error::database(
                        format!("cannot hash {}.{} and {}", db.name(), c.left, c.right),
                        e,
                    )
                })?;
            let hashes = reply
                .get_document("collections")
                .cloned()
                .unwrap_or_default();
            let left = hashes.get_str(&c.left).unwrap_or("missing").to_owned();
            let right = hashes.get_str(&c.right).unwrap_or("missing").to_owned();
            let left_indexes = index_keys(&db, &c.left).await?;
            let right_indexes = index_keys(&db, &c.right).await?;
            let ok = left == right && left != "missing" && left_indexes == right_indexes;
            Ok(result(
                &format!("{} = {}", c.left, c.right),
                serde_json::json!({"hash": left, "indexes": left_indexes}),
                serde_json::json!({"hash": right, "indexes": right_indexes}),
                ok,
            ))
        }
        Check::BackupValid(c) => Ok(super::archive::backup_valid(c).await),
        Check::MatchesBackup(c) => super::archive::matches_backup(ctx, c).await,
    }
}

async fn count(
    ctx: &ActionContext<'_>,
    database: Option<&str>,
    collection: &str,
    filter: Document,
    session: Option<&mut ClientSession>,
) -> Result<u64> {
    // `count_documents` (an aggregation) works inside transactions; the `count` command does not.
    let db = ctx.db(database);
    let handle = db.collection::<Document>(collection);
    let counted = match session {
        Some(session) => handle.count_documents(filter).session(session).await,
        None => handle.count_documents(filter).await,
    };
    counted.map_err(|e| Error::database(format!("cannot count {}.{collection}", db.name()), e))
}

/// Index names with their keys, sorted, for comparing two collections' indexes.
async fn index_keys(db: &mongodb::Database, collection: &str) -> Result<Vec<String>> {
    Ok(indexes::names_and_keys(
        &indexes::specs(db, collection).await?,
    ))
}
