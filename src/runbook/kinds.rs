//! Facts about each action and check kind: its name, whether it can run inside a
//! transaction, whether it destroys data, and which names it acts on.

use super::model::{Action, Check, DocumentValue};

/// What a name in an action refers to, for safety checks after substitution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameRole {
    /// A collection name.
    Collection,
    /// A database name.
    Database,
    /// One database name, a comma list, or a glob.
    DatabaseList,
    /// A filesystem path.
    Path,
}

/// A name an action acts on: the field it sits in, its role and its (unsubstituted) text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NameRef<'a> {
    /// Field name inside the action (`collection`, `from`, ...).
    pub field: &'static str,
    /// What the name refers to.
    pub role: NameRole,
    /// The text, possibly with placeholders.
    pub text: &'a str,
}

/// A filter or update document inside an action, with its field name.
pub(crate) type DocumentRef<'a> = (&'static str, &'a DocumentValue);

impl Action {
    /// The kind's name as written in YAML and JSON output.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Unset(_) => "unset",
            Action::Set(_) => "set",
            Action::Update(_) => "update",
            Action::Delete(_) => "delete",
            Action::CreateIndex(_) => "create_index",
            Action::DropIndex(_) => "drop_index",
            Action::CreateCollection(_) => "create_collection",
            Action::DropCollection(_) => "drop_collection",
            Action::RenameCollection(_) => "rename_collection",
            Action::CopyCollection(_) => "copy_collection",
            Action::BackupToCollection(_) => "backup_to_collection",
            Action::RestoreSnapshot(_) => "restore_snapshot",
            Action::Dump(_) => "dump",
            Action::Restore(_) => "restore",
            Action::Shell(_) => "shell",
            Action::Manual(_) => "manual",
            Action::Checklist(_) => "checklist",
            Action::Check(_) => "check",
            Action::Notify(_) => "notify",
        }
    }

    /// True when MongoDB allows the action inside a multi-document transaction and it has
    /// no side effects outside the database.
    #[must_use]
    pub(crate) fn can_run_in_transaction(&self) -> bool {
        match self {
            // `restore_snapshot` merges with `$merge`, which a transaction does not allow.
            Action::Unset(_) | Action::Set(_) | Action::Update(_) => true,
            Action::Check(check) => check.can_run_in_transaction(),
            _ => false,
        }
    }

    /// True when the action removes or overwrites data that must be snapshotted first.
    #[must_use]
    pub(crate) fn is_destructive(&self) -> bool {
        match self {
            Action::Unset(_)
            | Action::Set(_)
            | Action::Update(_)
            | Action::Delete(_)
            | Action::DropIndex(_)
            | Action::DropCollection(_)
            | Action::BackupToCollection(_)
            | Action::RestoreSnapshot(_) => true,
            Action::RenameCollection(rename) => rename.drop_target,
            Action::Restore(restore) => restore.drop,
            _ => false,
        }
    }

    /// True when the operator has to do or confirm something.
    #[must_use]
    pub(crate) fn needs_operator(&self) -> bool {
        matches!(self, Action::Manual(_) | Action::Checklist(_))
    }

    /// The names this action acts on.
    #[must_use]
    pub(crate) fn names(&self) -> Vec<NameRef<'_>> {
        use NameRole::{Collection, Database, DatabaseList, Path};
        let mut names = Names(Vec::new());
        match self {
            Action::Unset(a) => names.collection_in(&a.collection, a.database.as_deref()),
            Action::Set(a) => names.collection_in(&a.collection, a.database.as_deref()),
            Action::Update(a) => names.collection_in(&a.collection, a.database.as_deref()),
            Action::Delete(a) => names.collection_in(&a.collection, a.database.as_deref()),
            Action::CreateIndex(a) => names.collection_in(&a.collection, a.database.as_deref()),
            Action::DropIndex(a) => names.collection_in(&a.collection, a.database.as_deref()),
            Action::CreateCollection(a) => {
                names.collection_in(&a.collection, a.database.as_deref());
                if let Some(like) = &a.like {
                    names.add("like", Collection, like);
                }
            }
            Action::DropCollection(t) => names.collection_in(&t.collection, t.database.as_deref()),
            Action::RenameCollection(a) => {
                names.add("from", Collection, &a.from);
                names.add("to", Collection, &a.to);
                if let Some(db) = &a.database {
                    names.add("database", Database, db);
                }
            }
            Action::CopyCollection(a) => {
                names.add("from", Collection, &a.from);
                names.add("to", Collection, &a.to);
                if let Some(db) = &a.database {
                    names.add("database", Database, db);
                }
            }
            Action::BackupToCollection(a) => {
                names.collection_in(&a.collection, a.database.as_deref());
                names.add("to", Collection, &a.to);
            }
            Action::RestoreSnapshot(a) => {
                names.collection_in(&a.collection, a.database.as_deref());
            }
            Action::Dump(a) => {
                names.add("databases", DatabaseList, &a.databases);
                for collection in &a.collections {
                    names.add("collections", Collection, collection);
                }
                names.add("out", Path, &a.out);
            }
            Action::Restore(a) => {
                names.add("from", Path, &a.from);
                names.add("databases", DatabaseList, &a.databases);
            }
            Action::Shell(_) | Action::Manual(_) | Action::Checklist(_) | Action::Notify(_) => {}
            Action::Check(check) => return check.names(),
        }
        names.0
    }

    /// The filter and update documents in this action.
    #[must_use]
    pub(crate) fn documents(&self) -> Vec<DocumentRef<'_>> {
        let mut documents = Vec::new();
        match self {
            Action::Unset(a) => documents.extend(a.filter.iter().map(|f| ("filter", f))),
            Action::Set(a) => {
                documents.extend(a.filter.iter().map(|f| ("filter", f)));
                documents.push(("values", &a.values));
            }
            Action::Update(a) => {
                documents.extend(a.filter.iter().map(|f| ("filter", f)));
                documents.extend(a.update.documents().into_iter().map(|d| ("update", d)));
            }
            Action::BackupToCollection(a) => {
                documents.extend(a.filter.iter().map(|f| ("filter", f)));
            }
            Action::Delete(a) => documents.extend(a.filter.iter().map(|f| ("filter", f))),
            Action::CreateIndex(a) => {
                documents.push(("keys", &a.keys));
                documents.extend(a.options.iter().map(|o| ("options", o)));
            }
            Action::CreateCollection(a) => {
                documents.extend(a.options.iter().map(|o| ("options", o)));
            }
            Action::Check(check) => return check.documents(),
            _ => {}
        }
        documents
    }
}

impl Check {
    /// The kind's name as written in YAML and JSON output.
    #[must_use]
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Check::Count(_) => "count",
            Check::IndexExists(_) => "index_exists",
            Check::CollectionExists(_) => "collection_exists",
            Check::CountsEqual(_) => "counts_equal",
            Check::ContentEqual(_) => "content_equal",
            Check::BackupValid(_) => "backup_valid",
            Check::MatchesBackup(_) => "matches_backup",
        }
    }

    /// True when the check only reads documents in a way a transaction allows.
    #[must_use]
    pub(crate) fn can_run_in_transaction(&self) -> bool {
        matches!(self, Check::Count(_) | Check::CountsEqual(_))
    }

    /// The names this check reads.
    #[must_use]
    pub(crate) fn names(&self) -> Vec<NameRef<'_>> {
        use NameRole::{Collection, Database, DatabaseList, Path};
        let mut names = Names(Vec::new());
        match self {
            Check::Count(c) => names.collection_in(&c.collection, c.database.as_deref()),
            Check::IndexExists(c) => names.collection_in(&c.collection, c.database.as_deref()),
            Check::CollectionExists(c) => {
                names.collection_in(&c.collection, c.database.as_deref());
            }
            Check::CountsEqual(c) => {
                for side in [&c.left, &c.right] {
                    names.collection_in(&side.collection, side.database.as_deref());
                }
            }
            Check::ContentEqual(c) => {
                names.add("left", Collection, &c.left);
                names.add("right", Collection, &c.right);
                if let Some(db) = &c.database {
                    names.add("database", Database, db);
                }
            }
            Check::BackupValid(c) | Check::MatchesBackup(c) => {
                names.add("path", Path, &c.path);
                names.add("databases", DatabaseList, &c.databases);
            }
        }
        names.0
    }

    /// The filter documents in this check.
    #[must_use]
    pub(crate) fn documents(&self) -> Vec<DocumentRef<'_>> {
        match self {
            Check::Count(c) => c.filter.iter().map(|f| ("filter", f)).collect(),
            Check::CountsEqual(c) => [&c.left, &c.right]
                .into_iter()
                .filter_map(|side| side.filter.as_ref().map(|f| ("filter", f)))
                .collect(),
            _ => Vec::new(),
        }
    }
}

struct Names<'a>(Vec<NameRef<'a>>);

impl<'a> Names<'a> {
    fn add(&mut self, field: &'static str, role: NameRole, text: &'a str) {
        self.0.push(NameRef { field, role, text });
    }

    fn collection_in(&mut self, collection: &'a str, database: Option<&'a str>) {
        self.add("collection", NameRole::Collection, collection);
        if let Some(db) = database {
            self.add("database", NameRole::Database, db);
        }
    }
}
