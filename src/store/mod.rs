//! rollbook's own state, kept in MongoDB (the `--state-db` database): runs and their
//! journal, per-step state, the append-only audit trail, and the snapshot registry.

pub(crate) mod approvals;
pub(crate) mod audit;
pub(crate) mod audit_chain;
pub(crate) mod backups;
pub(crate) mod journal;
pub(crate) mod lock;
pub(crate) mod measured;
#[cfg(test)]
pub(crate) mod memory;
pub(crate) mod runs;
pub(crate) mod snapshot_registry;
pub mod snapshots;
pub(crate) mod state;
pub(crate) mod step_state;

use mongodb::bson::{doc, Document};
use mongodb::{ClientSession, Collection, Database, IndexModel};

use crate::error::{Error, Result};

/// Handle on the state database; a run's handle carries its lease, and checks it before
/// every write.
#[derive(Debug, Clone)]
pub struct Store {
    db: Database,
    lease: Option<std::sync::Arc<lock::Lease>>,
}

impl Store {
    /// Opens the state database and makes sure its indexes exist.
    pub async fn open(db: Database) -> Result<Self> {
        let store = Store { db, lease: None };
        for (collection, keys) in [
            (
                "journal",
                doc! {"run_id": 1, "step": 1, "direction": 1, "action_index": 1, "phase": 1},
            ),
            ("audit", doc! {"runbook": 1, "at": -1}),
            ("audit", doc! {"run_id": 1, "at": -1}),
            ("runs", doc! {"runbook": 1, "database": 1, "status": 1}),
            (
                "snapshots",
                doc! {"runbook": 1, "database": 1, "step": 1, "collection": 1},
            ),
        ] {
            store
                .collection(collection)
                .create_index(IndexModel::builder().keys(keys).build())
                .await
                .map_err(|e| {
                    Error::database(
                        format!("cannot prepare the state database ({collection})"),
                        e,
                    )
                })?;
        }
        // One entry per number: two writers appending at once cannot both take the next one.
        let unique = mongodb::options::IndexOptions::builder()
            .name("seq_unique".to_owned())
            .unique(true)
            .partial_filter_expression(doc! {"seq": {"$exists": true}})
            .build();
        store
            .collection("audit")
            .create_index(
                IndexModel::builder()
                    .keys(doc! {"seq": 1})
                    .options(unique)
                    .build(),
            )
            .await
            .map_err(|e| Error::database("cannot prepare the state database (audit)", e))?;
        Ok(store)
    }

    /// Opens the state database for reading only: nothing is created (used by `plan`).
    #[must_use]
    pub fn read_only(db: Database) -> Self {
        Store { db, lease: None }
    }

    /// This handle for a run holding `lease`: every write it makes checks the lease first.
    #[must_use]
    pub(crate) fn fenced(&self, lease: std::sync::Arc<lock::Lease>) -> Self {
        Store {
            db: self.db.clone(),
            lease: Some(lease),
        }
    }

    /// Before a write: fails with `CONCURRENT_UPDATE_DETECTED` once the run's attempt no
    /// longer holds its lease (a handle without a lease always passes).
    pub(crate) async fn ensure_lease(&self) -> Result<()> {
        match &self.lease {
            Some(lease) => lease.ensure().await,
            None => Ok(()),
        }
    }

    /// The lease of the run this handle belongs to, if it holds one.
    #[must_use]
    pub(crate) fn lease(&self) -> Option<&lock::Lease> {
        self.lease.as_deref()
    }

    /// The state database.
    #[must_use]
    pub fn database(&self) -> &Database {
        &self.db
    }

    fn collection(&self, name: &str) -> Collection<Document> {
        self.db.collection(name)
    }
}

/// Inserts a document, inside `session`'s transaction when there is one.
async fn insert(
    collection: &Collection<Document>,
    document: Document,
    session: Option<&mut ClientSession>,
) -> mongodb::error::Result<()> {
    match session {
        Some(session) => collection
            .insert_one(document)
            .session(session)
            .await
            .map(|_| ()),
        None => collection.insert_one(document).await.map(|_| ()),
    }
}

/// True when `error` is a duplicate key (another writer inserted the same unique key first).
fn is_duplicate_key(error: &mongodb::error::Error) -> bool {
    use mongodb::error::{ErrorKind, WriteFailure};
    const DUPLICATE_KEY: i32 = 11_000;
    match error.kind.as_ref() {
        ErrorKind::Command(command) => command.code == DUPLICATE_KEY,
        ErrorKind::Write(WriteFailure::WriteError(write)) => write.code == DUPLICATE_KEY,
        _ => error.to_string().contains("E11000"),
    }
}

/// Upserts by `filter` with `update`, inside `session`'s transaction when there is one.
async fn upsert(
    collection: &Collection<Document>,
    filter: Document,
    update: Document,
    session: Option<&mut ClientSession>,
) -> mongodb::error::Result<()> {
    match session {
        Some(session) => collection
            .update_one(filter, update)
            .upsert(true)
            .session(session)
            .await
            .map(|_| ()),
        None => collection
            .update_one(filter, update)
            .upsert(true)
            .await
            .map(|_| ()),
    }
}
