//! Conflicts of a forward: documents of a field snapshot that changed or were deleted since the
//! rollback that took it. A document is intact when every touched field still holds what the
//! rollback left there; the comparison runs on the server, one batch of ids at a time.

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Bson, Document, RawDocumentBuf};

use super::written::Written;
use super::ActionContext;
use crate::error::{Error, Result};
use crate::store::snapshots::{LeftField, Snapshot, FIELDS_FORMAT_ENTRIES};

/// Ids looked up at once.
const IDS_PER_QUERY: usize = 10_000;
/// Sample ids kept per kind of conflict.
const SAMPLES: usize = 5;

/// The conflicts of one snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Conflicts {
    /// Entries of the snapshot.
    pub entries: u64,
    /// Documents whose touched fields changed since the rollback.
    pub changed: u64,
    /// Documents deleted since the rollback.
    pub deleted: u64,
    /// Documents this snapshot writes that a snapshot counted before writes too.
    pub again: u64,
    /// Scratch storage (state database) holding the changed documents of a recomputed check,
    /// when there are any: a restore leaving them as they are skips the ids it holds.
    pub excluded: Option<String>,
    /// A few ids of changed documents.
    pub changed_samples: Vec<String>,
    /// A few ids of deleted documents.
    pub deleted_samples: Vec<String>,
}

impl Conflicts {
    /// Changed and deleted documents.
    #[must_use]
    pub(crate) fn total(&self) -> u64 {
        self.changed + self.deleted
    }

    /// Adds another snapshot's conflicts.
    pub(crate) fn add(&mut self, other: Conflicts) {
        self.entries += other.entries;
        self.changed += other.changed;
        self.deleted += other.deleted;
        self.again += other.again;
        for (into, from) in [
            (&mut self.changed_samples, other.changed_samples),
            (&mut self.deleted_samples, other.deleted_samples),
        ] {
            let room = SAMPLES.saturating_sub(into.len());
            into.extend(from.into_iter().take(room));
        }
    }

    /// In words: how many, and a few ids.
    #[must_use]
    pub(crate) fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.changed > 0 {
            parts.push(format!(
                "{} changed since the rollback (_id {})",
                self.changed,
                self.changed_samples.join(", ")
            ));
        }
        if self.deleted > 0 {
            parts.push(format!(
                "{} deleted since the rollback (_id {})",
                self.deleted,
                self.deleted_samples.join(", ")
            ));
        }
        parts.join("; ")
    }
}

/// The aggregation expression that is true when the current document (`$$ROOT`) still holds,
/// in every touched field, what the rollback left there.
#[must_use]
pub(crate) fn intact(left: &[LeftField]) -> Bson {
    let conditions: Vec<Bson> = left
        .iter()
        .map(|field| {
            let current = doc! {"$getField": {"field": {"$literal": &field.field}, "input": "$$ROOT"}};
            if field.removed {
                Bson::Document(doc! {"$eq": [{"$type": current}, "missing"]})
            } else {
                // Same type and same value: `$eq` alone takes 1 and 1.0 for one another.
                Bson::Document(doc! {"$and": [
                    {"$eq": [{"$type": current.clone()}, {"$type": {"$literal": field.value.clone()}}]},
                    {"$eq": [current, {"$literal": field.value.clone()}]},
                ]})
            }
        })
        .collect();
    Bson::Document(doc! {"$and": conditions})
}

/// Which documents a restore writes, noted while its conflicts are found so that each counts
/// once: every one that exists with `overwrite`, else every intact one.
pub(crate) struct Counting<'a> {
    /// What the snapshots counted before write.
    pub written: &'a mut Written,
    /// Whether changed documents are written too.
    pub overwrite: bool,
}

/// Finds the conflicts of `snapshot`: reads its entries' ids in batches and asks the server
/// which of those documents still exist and are intact. With `counting`, also which of the
/// documents it writes were counted before.
pub(crate) async fn find(
    ctx: &ActionContext<'_>,
    snapshot: &Snapshot,
    mut counting: Option<Counting<'_>>,
) -> Result<Conflicts> {
    let mut conflicts = Conflicts::default();
    let Some(storage) = &snapshot.storage else {
        return Ok(conflicts);
    };
    let target = ctx
        .client
        .database(&snapshot.database)
        .collection::<Document>(&snapshot.collection);
    // Without what the change left (a computed or stacked one), only deletions are conflicts.
    // In a projection a bare `true` would mean "include field ok": the literal is needed.
    let ok = snapshot
        .left
        .as_deref()
        .map_or_else(|| Bson::Document(doc! {"$literal": true}), intact);
    let mut batches = EntryIds::open(ctx, snapshot, storage).await?;
    let (mut checked, total) = (0_u64, u64::try_from(snapshot.documents).ok());
    while let Some(ids) = batches.next().await? {
        checked += u64::try_from(ids.len()).unwrap_or_default();
        check_ids(&target, &ok, ids, &mut conflicts, counting.as_mut()).await?;
        ctx.tally("conflict check", checked, total);
    }
    Ok(conflicts)
}

/// The `_id`s of a field snapshot's entries, a batch of [`IDS_PER_QUERY`] at a time.
pub(crate) struct EntryIds {
    cursor: mongodb::Cursor<RawDocumentBuf>,
    batched: bool,
    pending: Vec<Bson>,
    done: bool,
    snapshot: String,
}

impl EntryIds {
    /// Opens `storage`, the storage of `snapshot`.
    pub(crate) async fn open(
        ctx: &ActionContext<'_>,
        snapshot: &Snapshot,
        storage: &str,
    ) -> Result<Self> {
        let batched = snapshot.format == FIELDS_FORMAT_ENTRIES;
        let projection = if batched {
            doc! {"e._id": 1}
        } else {
            doc! {"_id": 1}
        };
        let cursor = ctx
            .store
            .database()
            .collection::<RawDocumentBuf>(storage)
            .find(doc! {})
            .projection(projection)
            .sort(doc! {"_id": 1})
            .await
            .map_err(|e| Error::database(format!("cannot read snapshot {}", snapshot.id), e))?;
        Ok(EntryIds {
            cursor,
            batched,
            pending: Vec::new(),
            done: false,
            snapshot: snapshot.id.clone(),
        })
    }

    /// The next batch of ids, or `None` once all were read.
    pub(crate) async fn next(&mut self) -> Result<Option<Vec<Bson>>> {
        while !self.done && self.pending.len() < IDS_PER_QUERY {
            let failed = |e| Error::database(format!("cannot read snapshot {}", self.snapshot), e);
            let Some(stored) = self.cursor.try_next().await.map_err(failed)? else {
                self.done = true;
                break;
            };
            let stored = stored.to_document().map_err(|e| {
                Error::ActionFailed(format!("unreadable snapshot {}: {e}", self.snapshot))
            })?;
            if self.batched {
                for entry in stored.get_array("e").map(Vec::as_slice).unwrap_or_default() {
                    if let Some(id) = entry.as_document().and_then(|e| e.get("_id")) {
                        self.pending.push(id.clone());
                    }
                }
            } else if let Some(id) = stored.get("_id") {
                self.pending.push(id.clone());
            }
        }
        if self.pending.is_empty() {
            return Ok(None);
        }
        let rest = self
            .pending
            .split_off(self.pending.len().min(IDS_PER_QUERY));
        Ok(Some(std::mem::replace(&mut self.pending, rest)))
    }
}

async fn check_ids(
    target: &mongodb::Collection<Document>,
    ok: &Bson,
    ids: Vec<Bson>,
    conflicts: &mut Conflicts,
    mut counting: Option<&mut Counting<'_>>,
) -> Result<()> {
    let failed = |e| Error::database(format!("cannot check {} for conflicts", target.name()), e);
    let mut cursor = target
        .find(doc! {"_id": {"$in": &ids}})
        .projection(doc! {"_id": 1, "ok": ok.clone()})
        .await
        .map_err(failed)?;
    let mut found = std::collections::HashSet::new();
    while let Some(document) = cursor.try_next().await.map_err(failed)? {
        let Some(id) = document.get("_id") else {
            continue;
        };
        let intact = document.get_bool("ok") == Ok(true);
        if !intact {
            conflicts.changed += 1;
            if conflicts.changed_samples.len() < SAMPLES {
                conflicts.changed_samples.push(id.to_string());
            }
        }
        if let Some(counting) = counting.as_mut() {
            if (intact || counting.overwrite) && counting.written.again(id) {
                conflicts.again += 1;
            }
        }
        found.insert(id.to_string());
    }
    conflicts.entries += ids.len() as u64;
    for id in &ids {
        let id = id.to_string();
        if !found.contains(&id) {
            conflicts.deleted += 1;
            if conflicts.deleted_samples.len() < SAMPLES {
                conflicts.deleted_samples.push(id);
            }
        }
    }
    Ok(())
}
