//! Documents put back by more than one snapshot of one restore, counted once. Two rollbacks
//! without a forward between them stack their snapshots, and a step may both update and delete
//! in one collection: a document in several of them is written by each in turn (newest first,
//! whole documents before fields), yet `modified` is what really changed, so each counts once.

use std::collections::HashSet;

use mongodb::bson::Bson;

/// The ids of the documents the snapshots counted so far will write.
#[derive(Debug, Default)]
pub(crate) struct Written {
    /// `None` for a restore of one snapshot, where nothing can be counted twice.
    ids: Option<HashSet<String>>,
}

impl Written {
    /// For a restore putting back `snapshots` snapshots.
    #[must_use]
    pub(crate) fn for_snapshots(snapshots: usize) -> Self {
        Written {
            ids: (snapshots > 1).then(HashSet::new),
        }
    }

    /// Notes that the snapshot being counted writes document `id`; true when a snapshot
    /// counted earlier writes it too (so this one must not count it again).
    pub(crate) fn again(&mut self, id: &Bson) -> bool {
        self.ids
            .as_mut()
            .is_some_and(|ids| !ids.insert(format!("{id:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_counted_once_across_snapshots() {
        let mut written = Written::for_snapshots(2);
        assert!(!written.again(&Bson::Int32(1)));
        assert!(!written.again(&Bson::String("1".into())));
        assert!(written.again(&Bson::Int32(1)));
    }

    #[test]
    fn one_snapshot_keeps_no_ids() {
        let mut written = Written::for_snapshots(1);
        assert!(!written.again(&Bson::Int32(1)));
        assert!(!written.again(&Bson::Int32(1)));
        assert!(written.ids.is_none());
    }
}
