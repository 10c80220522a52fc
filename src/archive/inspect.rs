//! Reading and checking a whole backup directory before anything is restored: every selected
//! database directory exists, every metadata file parses, every data file is read to its end
//! as a sequence of valid BSON documents.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use futures_util::{StreamExt, TryStreamExt};
use mongodb::bson::Document;
use serde::Serialize;

use super::format::{self, BackupFile, CollectionMetadata};
use super::stream::{self, DocumentStream, StreamError};
use super::{select, Skipped};
use crate::error::{Error, Result};

/// What a backup holds, checked.
#[derive(Debug, Clone, Serialize)]
pub struct BackupContents {
    /// The backup directory.
    pub dir: PathBuf,
    /// The selected databases, by name.
    pub databases: Vec<BackupDatabase>,
}

/// One database directory of a backup.
#[derive(Debug, Clone, Serialize)]
pub struct BackupDatabase {
    /// The database name (the directory's name).
    pub name: String,
    /// Its directory.
    pub path: PathBuf,
    /// Its collections and views, by name.
    pub collections: Vec<BackupCollection>,
    /// Files left out (`system.*`, time-series collections).
    pub skipped: Vec<Skipped>,
}

/// One collection (or view) of a backup.
#[derive(Debug, Clone, Serialize)]
pub struct BackupCollection {
    /// The collection name.
    pub name: String,
    /// `collection` or `view`.
    pub kind: String,
    /// The data file (`None` for a view, or a collection dumped as metadata only).
    pub data_file: Option<PathBuf>,
    /// Whether the data file is gzipped.
    pub gzip: bool,
    /// The metadata file, when there is one.
    pub metadata_file: Option<PathBuf>,
    /// Documents in the data file.
    pub documents: u64,
    /// Bytes of BSON in the data file (uncompressed).
    pub bytes: u64,
    /// Bytes of the data file on disk.
    pub file_bytes: u64,
    /// Collection options (validator, capped, collation, `viewOn`/`pipeline` for a view…).
    #[serde(serialize_with = "super::serialize_extjson")]
    pub options: Document,
    /// Index specs, `_id_` included.
    #[serde(serialize_with = "super::serialize_extjson_list")]
    pub indexes: Vec<Document>,
    /// The source collection's uuid, when the metadata has it.
    pub uuid: Option<String>,
}

impl BackupContents {
    /// Every collection and view, with its database.
    pub(crate) fn collections(&self) -> impl Iterator<Item = (&BackupDatabase, &BackupCollection)> {
        self.databases
            .iter()
            .flat_map(|db| db.collections.iter().map(move |c| (db, c)))
    }

    /// Documents in all selected data files.
    #[must_use]
    pub fn documents(&self) -> u64 {
        self.collections().map(|(_, c)| c.documents).sum()
    }
}

/// Reads and checks the databases of the backup in `dir` that `databases` selects (a comma
/// list of names and globs such as `superkafe_*`; empty for all but `local` and `config`).
/// Any problem — a missing database, a metadata file that does not parse, a data file that is
/// truncated or corrupt — is an error naming the file (and the byte offset); nothing else is
/// done.
pub async fn inspect(dir: &Path, databases: &str) -> Result<BackupContents> {
    let dir = dir.to_path_buf();
    let selector = databases.to_owned();
    let listed = blocking({
        let dir = dir.clone();
        move || list_backup(&dir, &selector)
    })
    .await?;
    let workers = std::thread::available_parallelism()
        .map(std::num::NonZeroUsize::get)
        .unwrap_or(2)
        .clamp(1, 4);
    let mut jobs = Vec::new();
    for (db_index, listed_db) in listed.iter().enumerate() {
        for found in &listed_db.found {
            jobs.push((db_index, found.clone()));
        }
    }
    let checked: Vec<(usize, Option<BackupCollection>, Option<Skipped>)> =
        futures_util::stream::iter(jobs.into_iter().map(|(db_index, found)| {
            let database = listed[db_index].name.clone();
            async move {
                let (collection, skipped) =
                    blocking(move || check_collection(&database, found)).await?;
                Ok::<_, Error>((db_index, collection, skipped))
            }
        }))
        .buffer_unordered(workers)
        .try_collect()
        .await?;
    let mut result = BackupContents {
        dir: dir.clone(),
        databases: listed
            .iter()
            .map(|l| BackupDatabase {
                name: l.name.clone(),
                path: l.path.clone(),
                collections: Vec::new(),
                skipped: l.skipped.clone(),
            })
            .collect(),
    };
    for (db_index, collection, skipped) in checked {
        let db = &mut result.databases[db_index];
        db.collections.extend(collection);
        db.skipped.extend(skipped);
    }
    for db in &mut result.databases {
        db.collections.sort_by(|a, b| a.name.cmp(&b.name));
        db.skipped.sort_by(|a, b| a.collection.cmp(&b.collection));
        let mut names: Vec<&str> = db.collections.iter().map(|c| c.name.as_str()).collect();
        names.dedup();
        if names.len() != db.collections.len() {
            return Err(Error::Usage(format!(
                "backup database directory {} names the same collection in two metadata files; nothing was changed",
                db.path.display()
            )));
        }
    }
    Ok(result)
}

/// Runs blocking file work off the async runtime.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::io("reading the backup", io::Error::other(e.to_string())))?
}

/// The files of one collection found in a database directory.
#[derive(Debug, Clone, Default)]
struct Found {
    stem: String,
    data: Option<(PathBuf, bool)>,
    metadata: Option<(PathBuf, bool)>,
}

struct ListedDatabase {
    name: String,
    path: PathBuf,
    found: Vec<Found>,
    skipped: Vec<Skipped>,
}

fn list_backup(dir: &Path, selector: &str) -> Result<Vec<ListedDatabase>> {
    let metadata = std::fs::metadata(dir).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            return Error::Usage(format!(
                "backup directory {} does not exist; nothing was changed",
                dir.display()
            ));
        }
        Error::io(
            format!(
                "cannot open backup directory {}; nothing was changed",
                dir.display()
            ),
            e,
        )
    })?;
    if !metadata.is_dir() {
        return Err(Error::Usage(format!(
            "{} is not a directory (a mongodump backup is a directory of database directories); nothing was changed",
            dir.display()
        )));
    }
    let mut available = Vec::new();
    for entry in read_dir(dir)? {
        if entry.1 {
            available.push(entry.0);
        }
    }
    available.sort();
    let what = format!("backup {}", dir.display());
    if available.is_empty() {
        let parent = dir
            .parent()
            .map_or_else(|| ".".into(), |p| p.display().to_string());
        return Err(Error::Usage(format!(
            "{} holds no database directories (a mongodump backup is DIR/DB/COLL.bson); \
             if it is one database's directory, pass --from {parent} with --db NAME; nothing was changed",
            dir.display()
        )));
    }
    let chosen = select::resolve(selector, &available, &what)?;
    chosen
        .into_iter()
        .map(|name| {
            let path = dir.join(&name);
            let (found, skipped) = list_database(&name, &path)?;
            Ok(ListedDatabase {
                name,
                path,
                found,
                skipped,
            })
        })
        .collect()
}

/// `(file name, is a directory)` of every entry of `dir` whose name is UTF-8.
fn read_dir(dir: &Path) -> Result<Vec<(String, bool)>> {
    let context = || format!("cannot list {}; nothing was changed", dir.display());
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(context(), e))? {
        let entry = entry.map_err(|e| Error::io(context(), e))?;
        let is_dir = entry
            .file_type()
            .map_err(|e| Error::io(context(), e))?
            .is_dir();
        if let Ok(name) = entry.file_name().into_string() {
            entries.push((name, is_dir));
        }
    }
    Ok(entries)
}

fn list_database(database: &str, path: &Path) -> Result<(Vec<Found>, Vec<Skipped>)> {
    let mut by_stem: BTreeMap<String, Found> = BTreeMap::new();
    for (name, is_dir) in read_dir(path)? {
        if is_dir {
            continue;
        }
        let Some(file) = BackupFile::classify(&name) else {
            continue;
        };
        let (collection, gzip, is_data) = match file {
            BackupFile::Data { collection, gzip } => (collection, gzip, true),
            BackupFile::Metadata { collection, gzip } => (collection, gzip, false),
        };
        let found = by_stem.entry(collection.clone()).or_insert_with(|| Found {
            stem: collection,
            ..Found::default()
        });
        let slot = if is_data {
            &mut found.data
        } else {
            &mut found.metadata
        };
        if let Some((other, _)) = slot {
            return Err(Error::Usage(format!(
                "backup holds both {} and {}: which one to restore is ambiguous; nothing was changed",
                other.display(),
                path.join(&name).display()
            )));
        }
        *slot = Some((path.join(&name), gzip));
    }
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    for (stem, files) in by_stem {
        if stem.starts_with("system.") {
            skipped.push(Skipped {
                database: database.to_owned(),
                collection: stem,
                reason: "system collection".into(),
            });
        } else {
            found.push(files);
        }
    }
    Ok((found, skipped))
}

fn check_collection(
    database: &str,
    found: Found,
) -> Result<(Option<BackupCollection>, Option<Skipped>)> {
    let metadata = match &found.metadata {
        Some((path, gzip)) => {
            let text = format::read_metadata_text(path, *gzip).map_err(|e| {
                if *gzip && is_corruption(&e) {
                    Error::Usage(format!(
                        "backup file {} is not a valid gzip file: {e}; nothing was changed",
                        path.display()
                    ))
                } else {
                    Error::io(
                        format!("cannot read {}; nothing was changed", path.display()),
                        e,
                    )
                }
            })?;
            CollectionMetadata::from_json(&text, &found.stem).map_err(|message| {
                Error::Usage(format!(
                    "backup file {} is not a valid metadata file: {message}; nothing was changed",
                    path.display()
                ))
            })?
        }
        None => CollectionMetadata {
            collection_name: found.stem.clone(),
            kind: "collection".into(),
            ..CollectionMetadata::default()
        },
    };
    let name = metadata.collection_name.clone();
    if name.starts_with("system.") {
        return Ok((
            None,
            Some(Skipped {
                database: database.to_owned(),
                collection: name,
                reason: "system collection".into(),
            }),
        ));
    }
    if metadata.kind == "timeseries" || metadata.options.contains_key("timeseries") {
        return Ok((
            None,
            Some(Skipped {
                database: database.to_owned(),
                collection: name,
                reason: "time-series collections are not supported".into(),
            }),
        ));
    }
    let is_view = metadata.is_view();
    let mut collection = BackupCollection {
        name,
        kind: if is_view { "view" } else { "collection" }.into(),
        data_file: None,
        gzip: false,
        metadata_file: found.metadata.as_ref().map(|(path, _)| path.clone()),
        documents: 0,
        bytes: 0,
        file_bytes: 0,
        options: metadata.options,
        indexes: metadata.indexes,
        uuid: metadata.uuid,
    };
    if let (Some((path, gzip)), false) = (found.data, is_view) {
        let (documents, bytes) = scan_data_file(&path, gzip, true)?;
        collection.file_bytes = std::fs::metadata(&path)
            .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?
            .len();
        collection.documents = documents;
        collection.bytes = bytes;
        collection.gzip = gzip;
        collection.data_file = Some(path);
    }
    Ok((Some(collection), None))
}

/// Reads a data file to its end; returns its documents and bytes. With `deep`, every element
/// of every document is checked too.
pub(crate) fn scan_data_file(path: &Path, gzip: bool, deep: bool) -> Result<(u64, u64)> {
    let reader = format::open_read(path, gzip).map_err(|e| {
        Error::io(
            format!("cannot open {}; nothing was changed", path.display()),
            e,
        )
    })?;
    let mut documents = DocumentStream::new(reader);
    loop {
        let offset = documents.offset();
        match documents.next_document() {
            Ok(Some(document)) => {
                if deep {
                    stream::validate(&document).map_err(|message| {
                        stream_error(
                            path,
                            gzip,
                            StreamError::Corrupt {
                                offset,
                                message: format!(
                                    "document {} is not valid BSON: {message}",
                                    documents.documents()
                                ),
                            },
                        )
                    })?;
                }
            }
            Ok(None) => return Ok((documents.documents(), documents.offset())),
            Err(e) => return Err(stream_error(path, gzip, e)),
        }
    }
}

/// An error reading a data file as an [`Error`] naming the file: corruption (including an
/// undecodable gzip stream) is bad input, anything else an I/O failure.
pub(crate) fn stream_error(path: &Path, gzip: bool, error: StreamError) -> Error {
    let place = if gzip { "uncompressed " } else { "" };
    match error {
        StreamError::Corrupt { offset, message } => Error::Usage(format!(
            "backup file {} is corrupt at {place}byte offset {offset}: {message}; nothing was changed",
            path.display()
        )),
        StreamError::Io { offset, source } if gzip && is_corruption(&source) => {
            Error::Usage(format!(
                "backup file {} is corrupt at {place}byte offset {offset}: the gzip data cannot be decompressed ({source}); nothing was changed",
                path.display()
            ))
        }
        StreamError::Io { offset, source } => Error::io(
            format!(
                "cannot read backup file {} at {place}byte offset {offset}",
                path.display()
            ),
            source,
        ),
    }
}

fn is_corruption(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof
    )
}
