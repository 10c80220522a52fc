//! The documents of `snapshots list` and `snapshots prune`.

use serde::Serialize;

/// `snapshots list`.
#[derive(Debug, Serialize)]
pub(crate) struct SnapshotsDocument<'a> {
    /// Registered snapshots, newest first.
    pub(crate) snapshots: Vec<SnapshotEntry<'a>>,
    /// Storage no registration names.
    pub(crate) unregistered: Vec<StorageEntry>,
}

/// One registered snapshot.
#[derive(Debug, Serialize)]
pub(crate) struct SnapshotEntry<'a> {
    /// Its id (`run/step/direction/action`).
    pub(crate) id: &'a str,
    /// The run that took it.
    pub(crate) run_id: &'a str,
    /// Runbook id.
    pub(crate) runbook: &'a str,
    /// Step id.
    pub(crate) step: &'a str,
    /// The direction whose action took it.
    pub(crate) direction: &'a str,
    /// `fields`, `collection` or `index`.
    pub(crate) kind: &'static str,
    /// The collection it saved from, `database.collection`.
    pub(crate) namespace: String,
    /// Documents it holds.
    pub(crate) documents: i64,
    /// When it was taken (RFC 3339).
    pub(crate) created_at: String,
    /// The run that put it back, if one did.
    pub(crate) restored_by: Option<&'a str>,
    /// Its storage collection in the state database, if it has one.
    pub(crate) storage: Option<&'a str>,
}

/// Storage no registration names.
#[derive(Debug, Serialize)]
pub(crate) struct StorageEntry {
    /// The collection in the state database.
    pub(crate) storage: String,
    /// Entries it holds.
    pub(crate) entries: u64,
    /// The run whose attempt wrote it.
    pub(crate) run_id: Option<String>,
}

/// `snapshots prune`.
#[derive(Debug, Serialize)]
pub(crate) struct PruneDocument {
    /// Snapshots removed (registration and storage).
    pub(crate) removed: Vec<String>,
    /// Unregistered storage dropped.
    pub(crate) storage_dropped: Vec<String>,
    /// Old enough but not put back, so kept (`--force` removes them).
    pub(crate) kept_unrestored: Vec<String>,
    /// Old enough but on a database a run holds the lock of now, so kept.
    pub(crate) kept_locked: Vec<String>,
}
