//! Content fingerprints of databases: every document's exact bytes (key order included) and every
//! index spec, so two states can be compared document by document.

use std::collections::BTreeMap;

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document, RawDocumentBuf};
use mongodb::Client;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A field whose value is allowed to differ (e.g. a timestamp a rollback sets to "now").
#[derive(Debug, Clone, Copy)]
pub struct Ignored<'a> {
    /// The collection.
    pub collection: &'a str,
    /// The top-level field left out of the comparison.
    pub field: &'a str,
}

/// One collection: document hashes by `_id` and index specs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct CollectionPrint {
    documents: BTreeMap<Vec<u8>, [u8; 32]>,
    indexes: Vec<String>,
}

/// The fingerprint of one database, by collection name.
#[derive(Debug, Clone, Default)]
pub struct Fingerprint {
    collections: BTreeMap<String, CollectionPrint>,
}

/// How an actual state differs from the expected one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Difference {
    /// Expected documents that are missing or whose content changed.
    pub lost: u64,
    /// Documents present that were not expected.
    pub unexpected: u64,
    /// What differs, in words (collections and indexes included).
    pub notes: Vec<String>,
}

impl Difference {
    /// True when the states are content-identical.
    #[must_use]
    pub fn is_none(&self) -> bool {
        self.lost == 0 && self.unexpected == 0 && self.notes.is_empty()
    }
}

/// Takes the fingerprint of every collection of `db` (`system.*` and rollbook's lock excluded).
pub async fn take(client: &Client, db: &str, ignored: &[Ignored<'_>]) -> Result<Fingerprint> {
    let database = client.database(db);
    let mut names = database
        .list_collection_names()
        .await
        .map_err(|e| Error::database(format!("cannot list the collections of {db}"), e))?;
    names
        .retain(|name| !name.starts_with("system.") && name != crate::store::lock::LOCK_COLLECTION);
    let mut collections = BTreeMap::new();
    for name in names {
        let ignored: Vec<&str> = ignored
            .iter()
            .filter(|i| i.collection == name)
            .map(|i| i.field)
            .collect();
        collections.insert(name.clone(), collection(client, db, &name, &ignored).await?);
    }
    Ok(Fingerprint { collections })
}

async fn collection(
    client: &Client,
    db: &str,
    name: &str,
    ignored: &[&str],
) -> Result<CollectionPrint> {
    let failed = |e| Error::database(format!("cannot read {db}.{name}"), e);
    let handle = client.database(db).collection::<RawDocumentBuf>(name);
    let mut cursor = handle
        .find(doc! {})
        .sort(doc! {"_id": 1})
        .await
        .map_err(failed)?;
    let mut documents = BTreeMap::new();
    while let Some(raw) = cursor.try_next().await.map_err(failed)? {
        let id = raw
            .get("_id")
            .ok()
            .flatten()
            .map(|id| {
                let mut key = RawDocumentBuf::new();
                key.append("_id", id.to_raw_bson());
                key.into_bytes()
            })
            .unwrap_or_default();
        let bytes = if ignored.is_empty() {
            raw.into_bytes()
        } else {
            let mut document: Document = raw
                .to_document()
                .map_err(|e| Error::ActionFailed(format!("{db}.{name}: {e}")))?;
            for field in ignored {
                document.remove(*field);
            }
            mongodb::bson::to_vec(&document)
                .map_err(|e| Error::ActionFailed(format!("{db}.{name}: {e}")))?
        };
        documents.insert(id, Sha256::digest(&bytes).into());
    }
    let mut indexes: Vec<String> = crate::actions::indexes::specs(&client.database(db), name)
        .await?
        .into_iter()
        .map(|mut spec| {
            spec.remove("v");
            spec.remove("ns");
            spec.to_string()
        })
        .collect();
    indexes.sort();
    Ok(CollectionPrint { documents, indexes })
}

impl Fingerprint {
    /// True when collection `name` is part of it.
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.collections.contains_key(name)
    }

    /// The fingerprint expected after collection `from` was renamed to `to`.
    #[must_use]
    pub fn renamed(&self, from: &str, to: &str) -> Fingerprint {
        let mut collections = self.collections.clone();
        if let Some(print) = collections.remove(from) {
            collections.insert(to.to_owned(), print);
        }
        Fingerprint { collections }
    }

    /// Only the collections whose names `keep` accepts.
    #[must_use]
    pub fn only(&self, keep: impl Fn(&str) -> bool) -> Fingerprint {
        Fingerprint {
            collections: self
                .collections
                .iter()
                .filter(|(name, _)| keep(name))
                .map(|(name, print)| (name.clone(), print.clone()))
                .collect(),
        }
    }

    /// How `actual` differs from `self`, the expected state.
    #[must_use]
    pub fn compare(&self, actual: &Fingerprint) -> Difference {
        let mut difference = Difference::default();
        let empty = CollectionPrint::default();
        for (name, expected) in &self.collections {
            let Some(found) = actual.collections.get(name) else {
                difference.lost += expected.documents.len() as u64;
                difference
                    .notes
                    .push(format!("collection {name} is missing"));
                continue;
            };
            let lost = expected
                .documents
                .iter()
                .filter(|(id, hash)| found.documents.get(*id) != Some(*hash))
                .count() as u64;
            let unexpected = found
                .documents
                .keys()
                .filter(|id| !expected.documents.contains_key(*id))
                .count() as u64;
            if lost > 0 || unexpected > 0 {
                let changed = samples(
                    expected
                        .documents
                        .iter()
                        .filter(|(id, hash)| found.documents.get(*id) != Some(*hash))
                        .map(|(id, _)| id),
                );
                let extra = samples(
                    found
                        .documents
                        .keys()
                        .filter(|id| !expected.documents.contains_key(*id)),
                );
                difference.notes.push(format!(
                    "{name}: {lost} documents missing or changed (_id {changed}), {unexpected} unexpected (_id {extra}) of {} expected, {} found",
                    expected.documents.len(),
                    found.documents.len()
                ));
            }
            difference.lost += lost;
            difference.unexpected += unexpected;
            if expected.indexes != found.indexes {
                difference.notes.push(format!(
                    "{name}: indexes differ (expected {:?}, found {:?})",
                    expected.indexes, found.indexes
                ));
            }
        }
        for (name, found) in &actual.collections {
            if !self.collections.contains_key(name) && found != &empty {
                difference.unexpected += found.documents.len() as u64;
                difference.notes.push(format!(
                    "unexpected collection {name} ({} documents, indexes {:?})",
                    found.documents.len(),
                    found.indexes
                ));
            } else if !self.collections.contains_key(name) {
                difference
                    .notes
                    .push(format!("unexpected empty collection {name}"));
            }
        }
        difference
    }
}

/// The first few `_id`s (kept as `{_id: …}` documents) in words, `none` for none.
fn samples<'a>(ids: impl Iterator<Item = &'a Vec<u8>>) -> String {
    const SHOWN: usize = 3;
    let ids: Vec<&Vec<u8>> = ids.collect();
    if ids.is_empty() {
        return "none".into();
    }
    let mut words: Vec<String> = ids
        .iter()
        .take(SHOWN)
        .map(|bytes| {
            RawDocumentBuf::from_bytes((*bytes).clone())
                .ok()
                .and_then(|raw| raw.to_document().ok())
                .and_then(|doc| doc.get("_id").map(ToString::to_string))
                .unwrap_or_else(|| "?".into())
        })
        .collect();
    if ids.len() > SHOWN {
        words.push(format!("and {} more", ids.len() - SHOWN));
    }
    words.join(", ")
}
