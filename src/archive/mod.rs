//! Native dump and restore in mongodump's directory format — no external tools.
//!
//! A backup directory holds one directory per database, and in it per collection
//! `<coll>.bson` (the documents, concatenated BSON) and `<coll>.metadata.json` (options,
//! index specs, uuid, name and type in canonical Extended JSON), each with `.gz` appended
//! when gzipped. Files are streamed in both directions: memory stays bounded whatever the
//! collection size.
//!
//! - [`dump`] writes such a directory (views as metadata only, as mongodump does);
//! - [`inspect`] reads and checks a whole backup without touching any server;
//! - [`restore`] checks the backup first, loads every collection into a temporary collection,
//!   and only when all of them loaded and counted right swaps them in by rename.
//!
//! This module never touches the terminal: progress is reported through [`Progress`].

pub(crate) mod dump;
pub(crate) mod format;
pub(crate) mod inspect;
mod load;
pub(crate) mod restore;
pub(crate) mod select;
pub(crate) mod stream;

use serde::Serialize;

use crate::error::Error;

pub use dump::{dump, dump_with_progress, DumpReport, DumpSpec, DumpedCollection};
pub use inspect::{inspect, BackupCollection, BackupContents, BackupDatabase};
pub use load::{temp_name, TEMP_PREFIX};
pub use restore::{
    execute_restore, plan_restore, restore, restore_with_progress, Existing, RestorePlan,
    RestoreReport, RestoreSpec, RestoreTarget, RestoredCollection,
};

/// A collection left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Its database.
    pub database: String,
    /// The collection.
    pub collection: String,
    /// Why it was left out.
    pub reason: String,
}

/// Receives progress per collection (`db.collection`); the CLI draws bars from it.
pub trait Progress: Send + Sync {
    /// Work on a collection starts; `total` documents when known.
    fn start(&self, namespace: &str, total: Option<u64>) {
        let _ = (namespace, total);
    }
    /// `documents` more documents were written.
    fn advance(&self, namespace: &str, documents: u64) {
        let _ = (namespace, documents);
    }
    /// Work on a collection ended (done or failed).
    fn finish(&self, namespace: &str) {
        let _ = namespace;
    }
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NoProgress;

impl Progress for NoProgress {}

/// Puts `prefix` before an error's message, keeping its kind.
fn prefix_error(error: Error, prefix: &str) -> Error {
    match error {
        Error::Database { context, source } => Error::Database {
            context: format!("{prefix}: {context}"),
            source,
        },
        Error::Io { context, source } => Error::Io {
            context: format!("{prefix}: {context}"),
            source,
        },
        Error::Usage(message) => Error::Usage(format!("{prefix}: {message}")),
        Error::ActionFailed(message) => Error::ActionFailed(format!("{prefix}: {message}")),
        other => other,
    }
}

/// What a collection's job returns when it stopped because another one failed.
const CANCELLED: &str = "cancelled because another collection failed";

fn cancelled() -> Error {
    Error::ActionFailed(CANCELLED.into())
}

fn is_cancelled(error: &Error) -> bool {
    matches!(error, Error::ActionFailed(message) if message == CANCELLED)
}

/// Milliseconds since `start`, saturating.
fn millis_since(start: std::time::Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Serializes a document as relaxed Extended JSON (for reports).
fn serialize_extjson<S: serde::Serializer>(
    document: &mongodb::bson::Document,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    mongodb::bson::Bson::Document(document.clone())
        .into_relaxed_extjson()
        .serialize(serializer)
}

/// Serializes documents as relaxed Extended JSON (for reports).
fn serialize_extjson_list<S: serde::Serializer>(
    documents: &[mongodb::bson::Document],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    documents
        .iter()
        .map(|d| mongodb::bson::Bson::Document(d.clone()).into_relaxed_extjson())
        .collect::<Vec<_>>()
        .serialize(serializer)
}
