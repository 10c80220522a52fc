//! `unset`, `set` and `update`: one `update_many` each, with a filter narrowed to the
//! documents that will really change, so the predicted count equals the modified count.

use mongodb::bson::{doc, Bson, Document};
use mongodb::ClientSession;

use super::{to_bson, ActionContext, ActionOutcome};
use crate::error::{Error, Result};
use crate::runbook::model::Action;

/// A document-changing action, ready to run.
#[derive(Debug, Clone)]
pub struct DocumentWrite {
    /// Kind (`unset`, `set`, `update`).
    pub kind: &'static str,
    /// Database.
    pub database: String,
    /// Collection.
    pub collection: String,
    /// The documents that will change.
    pub filter: Document,
    /// The update document.
    pub update: Document,
    /// Top-level fields the update touches (what a snapshot saves).
    pub fields: Vec<String>,
}

impl DocumentWrite {
    /// The write an action performs, or `None` for other kinds.
    pub fn of(action: &Action, default_db: &str) -> Result<Option<Self>> {
        let (kind, database, collection, filter, update, paths) = match action {
            Action::Unset(a) => {
                let mut unset = Document::new();
                for field in &a.fields {
                    unset.insert(field.clone(), "");
                }
                let has_any: Vec<Bson> = a
                    .fields
                    .iter()
                    .map(|f| Bson::Document(doc! {f: {"$exists": true}}))
                    .collect();
                let filter = narrow(user_filter(a.filter.as_ref())?, doc! {"$or": has_any});
                (
                    "unset",
                    &a.database,
                    &a.collection,
                    filter,
                    doc! {"$unset": unset},
                    a.fields.clone(),
                )
            }
            Action::Set(a) => {
                let values = to_bson(&a.values)?;
                let differs: Vec<Bson> = values
                    .iter()
                    .map(|(k, v)| Bson::Document(doc! {k: {"$ne": v.clone()}}))
                    .collect();
                let filter = narrow(user_filter(a.filter.as_ref())?, doc! {"$or": differs});
                let paths = values.keys().cloned().collect();
                (
                    "set",
                    &a.database,
                    &a.collection,
                    filter,
                    doc! {"$set": values},
                    paths,
                )
            }
            Action::Update(a) => {
                let update = to_bson(&a.update)?;
                let paths = touched_paths(&update);
                (
                    "update",
                    &a.database,
                    &a.collection,
                    user_filter(a.filter.as_ref())?,
                    update,
                    paths,
                )
            }
            _ => return Ok(None),
        };
        let mut fields: Vec<String> = paths
            .iter()
            .map(|p| p.split('.').next().unwrap_or(p).to_owned())
            .collect();
        fields.sort();
        fields.dedup();
        Ok(Some(DocumentWrite {
            kind,
            database: database.clone().unwrap_or_else(|| default_db.to_owned()),
            collection: collection.clone(),
            filter,
            update,
            fields,
        }))
    }
}

fn user_filter(filter: Option<&crate::runbook::model::DocumentValue>) -> Result<Document> {
    filter.map_or_else(|| Ok(Document::new()), to_bson)
}

fn narrow(filter: Document, condition: Document) -> Document {
    if filter.is_empty() {
        condition
    } else {
        doc! {"$and": [filter, condition]}
    }
}

/// Field paths named by an update document's operators (`$rename` counts both names).
fn touched_paths(update: &Document) -> Vec<String> {
    let mut paths = Vec::new();
    for (operator, fields) in update {
        if let Bson::Document(fields) = fields {
            for (path, value) in fields {
                paths.push(path.clone());
                if operator == "$rename" {
                    if let Bson::String(to) = value {
                        paths.push(to.clone());
                    }
                }
            }
        }
    }
    paths
}

/// Counts the documents the write will change.
pub(crate) async fn count(
    ctx: &ActionContext<'_>,
    write: &DocumentWrite,
    session: Option<&mut ClientSession>,
) -> Result<u64> {
    let collection = ctx
        .client
        .database(&write.database)
        .collection::<Document>(&write.collection);
    let counted = match session {
        Some(session) => {
            collection
                .count_documents(write.filter.clone())
                .session(session)
                .await
        }
        None => collection.count_documents(write.filter.clone()).await,
    };
    counted.map_err(|e| {
        Error::database(
            format!(
                "cannot count documents in {}.{}",
                write.database, write.collection
            ),
            e,
        )
    })
}

/// Counts the documents the write will change, stopping at `limit` (enough to decide whether a
/// step fits in a transaction without scanning a million documents).
pub(crate) async fn count_up_to(
    ctx: &ActionContext<'_>,
    write: &DocumentWrite,
    limit: u64,
) -> Result<u64> {
    let collection = ctx
        .client
        .database(&write.database)
        .collection::<Document>(&write.collection);
    collection
        .count_documents(write.filter.clone())
        .limit(limit)
        .await
        .map_err(|e| {
            Error::database(
                format!(
                    "cannot count documents in {}.{}",
                    write.database, write.collection
                ),
                e,
            )
        })
}

/// Runs the write (counting first), inside `session`'s transaction when there is one.
pub(crate) async fn execute(
    ctx: &ActionContext<'_>,
    write: &DocumentWrite,
    mut session: Option<&mut ClientSession>,
) -> Result<ActionOutcome> {
    // Outside a transaction, a snapshot just taken has counted exactly these documents.
    let affected = match (ctx.fresh_snapshot_documents, session.is_none()) {
        (Some(documents), true) => documents,
        _ => count(ctx, write, session.as_deref_mut()).await?,
    };
    let collection = ctx
        .client
        .database(&write.database)
        .collection::<Document>(&write.collection);
    let result = match session {
        Some(session) => {
            collection
                .update_many(write.filter.clone(), write.update.clone())
                .comment(ctx.comment())
                .session(session)
                .await
        }
        None => {
            collection
                .update_many(write.filter.clone(), write.update.clone())
                .comment(ctx.comment())
                .await
        }
    }
    .map_err(|e| {
        Error::database(
            format!(
                "{} on {}.{} failed",
                write.kind, write.database, write.collection
            ),
            e,
        )
    })?;
    let mut outcome = ActionOutcome::new(write.kind, Some(&write.collection));
    if write.database != ctx.database {
        outcome.database = Some(write.database.clone());
    }
    outcome.affected = Some(affected);
    outcome.modified = Some(result.modified_count);
    Ok(outcome)
}
