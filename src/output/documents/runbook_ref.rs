//! `{"id": …, "digest": …}`: which runbook, in which exact content, a document is about.

use serde::Serialize;

/// A runbook's id and the `sha256:…` digest of its content.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct RunbookRef<'a> {
    /// Runbook id.
    pub(crate) id: &'a str,
    /// `sha256:…` of its canonical content.
    pub(crate) digest: &'a str,
}

impl<'a> RunbookRef<'a> {
    /// The reference to a loaded runbook.
    pub(crate) fn of(loaded: &'a crate::runbook::LoadedRunbook) -> Self {
        RunbookRef {
            id: &loaded.runbook.id,
            digest: &loaded.digest,
        }
    }
}
