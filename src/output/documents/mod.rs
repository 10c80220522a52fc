//! The typed bodies of the commands' JSON documents, one file per family of commands; each is
//! printed inside the common envelope of [`crate::output::json::Document`].
//!
//! `dump` and `restore` need no body of their own: their documents carry the fields of the
//! archive's `DumpReport` and `RestoreReport` as they are.

pub(crate) mod abandon;
pub(crate) mod catalog;
pub(crate) mod plan;
pub(crate) mod progress;
pub(crate) mod report;
pub(crate) mod runbook_ref;
pub(crate) mod runs;
pub(crate) mod sandbox;
pub(crate) mod snapshots;
pub(crate) mod state;
pub(crate) mod unlock;

pub(crate) use runbook_ref::RunbookRef;
