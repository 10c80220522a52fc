//! `unset`, `set` and `update`: one `update_many` each, with a filter narrowed to the
//! documents that will really change, so the predicted count equals the modified count.

use mongodb::bson::{doc, Bson, Document};
use mongodb::ClientSession;

use super::{to_bson, ActionContext, ActionOutcome};
use crate::error::{Error, Result};
use crate::runbook::model::{Action, UpdateSpec};

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
    /// What it changes.
    pub update: Change,
    /// Top-level fields the update touches (what a snapshot saves).
    pub fields: Vec<String>,
    /// A pipeline stage replaces whole documents: the snapshot saves them whole.
    pub replaces: bool,
}

/// What a document write changes.
#[derive(Debug, Clone)]
pub enum Change {
    /// Update operators: values stored as written.
    Operators(Document),
    /// A pipeline of `$set`, `$addFields` and `$unset` stages: values computed per document.
    Pipeline(Vec<Document>),
}

impl Change {
    /// The argument of `update_many`.
    #[must_use]
    pub fn modifications(&self) -> mongodb::options::UpdateModifications {
        match self {
            Change::Operators(update) => update.clone().into(),
            Change::Pipeline(stages) => stages.clone().into(),
        }
    }

    /// As a snapshot records it: the operators' document, or the stages' array.
    #[must_use]
    pub fn stored(&self) -> mongodb::bson::Bson {
        match self {
            Change::Operators(update) => mongodb::bson::Bson::Document(update.clone()),
            Change::Pipeline(stages) => mongodb::bson::Bson::Array(
                stages
                    .iter()
                    .cloned()
                    .map(mongodb::bson::Bson::Document)
                    .collect(),
            ),
        }
    }

    /// [`Change::modifications`] of what a snapshot recorded ([`Change::stored`]).
    #[must_use]
    pub fn modifications_of(
        stored: &mongodb::bson::Bson,
    ) -> Option<mongodb::options::UpdateModifications> {
        match stored {
            mongodb::bson::Bson::Document(update) => Some(update.clone().into()),
            mongodb::bson::Bson::Array(stages) => stages
                .iter()
                .map(|s| s.as_document().cloned())
                .collect::<Option<Vec<_>>>()
                .map(Into::into),
            _ => None,
        }
    }
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
                    Change::Operators(doc! {"$unset": unset}),
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
                    Change::Operators(doc! {"$set": values}),
                    paths,
                )
            }
            Action::Update(a) => {
                let (update, paths) = match &a.update {
                    UpdateSpec::Operators(update) => {
                        let update = to_bson(update)?;
                        let paths = touched_paths(&update);
                        (Change::Operators(update), paths)
                    }
                    UpdateSpec::Pipeline(stages) => {
                        let stages = stages.iter().map(to_bson).collect::<Result<Vec<_>>>()?;
                        let paths = stages.iter().flat_map(stage_paths).collect();
                        (Change::Pipeline(stages), paths)
                    }
                };
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
        let replaces = matches!(&update, Change::Pipeline(stages) if stages.iter().any(|stage| {
            WHOLE_DOCUMENT_STAGES.iter().any(|name| stage.contains_key(name))
        }));
        Ok(Some(DocumentWrite {
            kind,
            database: database.clone().unwrap_or_else(|| default_db.to_owned()),
            collection: collection.clone(),
            filter,
            update,
            fields,
            replaces,
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

/// Pipeline stages that replace whole documents.
pub const WHOLE_DOCUMENT_STAGES: [&str; 3] = ["$project", "$replaceWith", "$replaceRoot"];

/// Field paths a pipeline stage sets or removes.
fn stage_paths(stage: &Document) -> Vec<String> {
    let mut paths = Vec::new();
    for (name, value) in stage {
        match (name.as_str(), value) {
            ("$set" | "$addFields", Bson::Document(fields)) => {
                paths.extend(fields.keys().cloned());
            }
            ("$unset", Bson::String(field)) => paths.push(field.clone()),
            ("$unset", Bson::Array(fields)) => {
                paths.extend(fields.iter().filter_map(|f| f.as_str().map(str::to_owned)));
            }
            _ => {}
        }
    }
    paths
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
                .update_many(write.filter.clone(), write.update.modifications())
                .comment(ctx.comment())
                .session(session)
                .await
        }
        None => {
            collection
                .update_many(write.filter.clone(), write.update.modifications())
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
