//! Writing databases or collections to a directory in mongodump's format, streamed from a
//! cursor through a bounded buffer into a file (gzipped or not), collections in parallel.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use futures_util::{StreamExt, TryStreamExt};
use mongodb::bson::raw::RawDocumentBuf;
use mongodb::bson::spec::BinarySubtype;
use mongodb::bson::{doc, Bson, Document};
use mongodb::{Client, Database};
use serde::Serialize;
use tokio::sync::mpsc;

use super::format::{self, CollectionMetadata, FileWriter};
use super::{millis_since, prefix_error, select, NoProgress, Progress, Skipped};
use crate::error::{Error, Result};
use crate::runbook::names;

/// What to dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpSpec {
    /// Databases: names, or globs such as `tenant_*` (a glob never picks `admin`, `local` or
    /// `config`). Every plain name must exist.
    pub databases: Vec<String>,
    /// Only these collections, each of which must exist in every database (all when empty).
    pub collections: Vec<String>,
    /// Output directory: `<out>/<db>/<coll>.bson` and `.metadata.json` are written. Each
    /// `<out>/<db>` must not exist yet or be empty.
    pub out: PathBuf,
    /// Gzip every file (`.gz` appended), as `mongodump --gzip` does.
    pub gzip: bool,
    /// How many collections are dumped at once (at least 1).
    pub parallel: usize,
}

/// What a dump wrote.
#[derive(Debug, Clone, Serialize)]
pub struct DumpReport {
    /// The output directory.
    pub out: PathBuf,
    /// Whether files are gzipped.
    pub gzip: bool,
    /// The databases dumped.
    pub databases: Vec<String>,
    /// Per collection (and view), by database and name.
    pub collections: Vec<DumpedCollection>,
    /// Collections left out, and why.
    pub skipped: Vec<Skipped>,
    /// Documents written in all.
    pub documents: u64,
    /// BSON bytes written in all (uncompressed).
    pub bytes: u64,
    /// Wall time of the whole dump.
    pub duration_ms: u64,
}

/// One dumped collection or view.
#[derive(Debug, Clone, Serialize)]
pub struct DumpedCollection {
    /// Its database.
    pub database: String,
    /// Its name.
    pub collection: String,
    /// `collection` or `view` (a view is written as metadata only, as mongodump does).
    pub kind: String,
    /// Documents written.
    pub documents: u64,
    /// BSON bytes written (uncompressed).
    pub bytes: u64,
    /// Bytes of the data file on disk (compressed when gzipped).
    pub file_bytes: u64,
    /// Index specs written to the metadata (`_id_` included).
    pub indexes: usize,
    /// The data file (none for a view).
    pub data_file: Option<PathBuf>,
    /// The metadata file.
    pub metadata_file: PathBuf,
    /// Wall time for this collection.
    pub duration_ms: u64,
}

/// Bytes of BSON gathered before they are handed to the file writer.
const CHUNK_BYTES: usize = 1024 * 1024;
/// Chunks that may wait for the file writer.
const CHUNKS_IN_FLIGHT: usize = 4;
/// Suffix of files being written; renamed to their final name when complete.
const PARTIAL_SUFFIX: &str = ".rollbook-partial";

/// Dumps `spec.databases` (and only `spec.collections`, when given) to `spec.out`.
pub async fn dump(client: &Client, spec: &DumpSpec) -> Result<DumpReport> {
    dump_with_progress(client, spec, &NoProgress).await
}

/// [`dump`], reporting progress per collection.
///
/// Everything is checked before a file is written: the databases and collections exist and no
/// `<out>/<db>` holds files. `system.*` collections and time-series collections are left out
/// (listed in `skipped`); views are written as metadata only. On failure every file written so
/// far is removed again.
pub async fn dump_with_progress(
    client: &Client,
    spec: &DumpSpec,
    progress: &dyn Progress,
) -> Result<DumpReport> {
    let started = Instant::now();
    check_spec(spec)?;
    let databases = resolve_databases(client, &spec.databases).await?;
    let mut jobs = Vec::new();
    let mut skipped = Vec::new();
    for database in &databases {
        let infos = list_collections(&client.database(database)).await?;
        for wanted in &spec.collections {
            if !infos.iter().any(|info| info.get_str("name") == Ok(wanted)) {
                return Err(Error::Usage(format!(
                    "collection {database}.{wanted} does not exist; nothing was written"
                )));
            }
        }
        for info in infos {
            let name = info.get_str("name").unwrap_or_default().to_owned();
            if !spec.collections.is_empty() && !spec.collections.contains(&name) {
                continue;
            }
            if name == "system.views" {
                // Its content is the views' definitions, which each view's metadata carries.
                continue;
            }
            let kind = info.get_str("type").unwrap_or("collection").to_owned();
            let reason = if name.starts_with("system.") {
                Some("system collection")
            } else if name == crate::store::lock::LOCK_COLLECTION {
                Some("rollbook's lock of this database")
            } else if kind == "timeseries" {
                Some("time-series collections are not supported")
            } else if kind != "collection" && kind != "view" {
                Some("not a collection or view")
            } else {
                None
            };
            if let Some(reason) = reason {
                tracing::info!("dump: skipping {database}.{name}: {reason}");
                skipped.push(Skipped {
                    database: database.clone(),
                    collection: name,
                    reason: reason.into(),
                });
                continue;
            }
            jobs.push(Job {
                database: database.clone(),
                options: info.get_document("options").cloned().unwrap_or_default(),
                uuid: uuid_hex(&info),
                name,
                kind,
            });
        }
    }
    let mut created = Vec::new();
    for database in &databases {
        prepare_dir(&spec.out, &spec.out.join(database), &mut created)?;
    }

    let written = Mutex::new(Vec::new());
    let failed = AtomicBool::new(false);
    let results: Vec<Result<DumpedCollection>> =
        futures_util::stream::iter(jobs.iter().map(|job| {
            let context = JobContext {
                client,
                spec,
                progress,
                failed: &failed,
                written: &written,
            };
            async move {
                if context.failed.load(Ordering::Relaxed) {
                    return Err(super::cancelled());
                }
                let result = dump_collection(&context, job).await;
                if result.is_err() {
                    context.failed.store(true, Ordering::Relaxed);
                }
                result
            }
        }))
        .buffer_unordered(spec.parallel)
        .collect()
        .await;

    let mut collections = Vec::with_capacity(results.len());
    let mut first_error = None;
    for result in results {
        match result {
            Ok(collection) => collections.push(collection),
            Err(error) if super::is_cancelled(&error) => {}
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    if let Some(error) = first_error {
        let files = written.lock().map(|w| w.clone()).unwrap_or_default();
        remove_written(&files, &created);
        return Err(prefix_error(
            error,
            &format!(
                "dump failed; the files it had written to {} were removed",
                spec.out.display()
            ),
        ));
    }
    collections.sort_by(|a, b| (&a.database, &a.collection).cmp(&(&b.database, &b.collection)));
    skipped.sort_by(|a, b| (&a.database, &a.collection).cmp(&(&b.database, &b.collection)));
    Ok(DumpReport {
        out: spec.out.clone(),
        gzip: spec.gzip,
        documents: collections.iter().map(|c| c.documents).sum(),
        bytes: collections.iter().map(|c| c.bytes).sum(),
        databases,
        collections,
        skipped,
        duration_ms: millis_since(started),
    })
}

fn check_spec(spec: &DumpSpec) -> Result<()> {
    if spec.parallel == 0 {
        return Err(Error::Usage("--parallel must be at least 1".into()));
    }
    if spec.databases.is_empty() {
        return Err(Error::Usage(
            "no database to dump: name one with --db; nothing was written".into(),
        ));
    }
    for database in &spec.databases {
        let check = if select::is_glob(database) {
            names::check_database(&database.replace(['*', '?'], "x"))
        } else {
            names::check_database(database)
        };
        check.map_err(|m| Error::Usage(format!("{m}; nothing was written")))?;
    }
    for collection in &spec.collections {
        names::check_collection(collection)
            .map_err(|m| Error::Usage(format!("{m}; nothing was written")))?;
    }
    Ok(())
}

/// The databases the spec names, checked against the server's list.
async fn resolve_databases(client: &Client, wanted: &[String]) -> Result<Vec<String>> {
    let existing = client
        .list_database_names()
        .await
        .map_err(|e| Error::database("cannot list databases", e))?;
    let mut chosen: Vec<String> = Vec::new();
    for item in wanted {
        if select::is_glob(item) {
            let matched: Vec<&String> = existing
                .iter()
                .filter(|name| !["admin", "local", "config"].contains(&name.as_str()))
                .filter(|name| select::glob_matches(item, name))
                .collect();
            if matched.is_empty() {
                return Err(Error::Usage(format!(
                    "{item:?} matches no database on the server; nothing was written"
                )));
            }
            chosen.extend(matched.into_iter().cloned());
        } else if existing.contains(item) {
            chosen.push(item.clone());
        } else {
            return Err(Error::Usage(format!(
                "database {item} does not exist on the server (it has no collections); nothing was written"
            )));
        }
    }
    chosen.sort();
    chosen.dedup();
    Ok(chosen)
}

/// `listCollections` of a database, every entry as the server returns it.
async fn list_collections(db: &Database) -> Result<Vec<Document>> {
    db.run_cursor_command(doc! {"listCollections": 1})
        .await
        .map_err(|e| Error::database(format!("cannot list the collections of {}", db.name()), e))?
        .try_collect()
        .await
        .map_err(|e| Error::database(format!("cannot list the collections of {}", db.name()), e))
}

/// `listIndexes` of a collection, every spec as the server returns it.
async fn list_indexes(db: &Database, collection: &str) -> Result<Vec<Document>> {
    let context = || format!("cannot list the indexes of {}.{collection}", db.name());
    db.run_cursor_command(doc! {"listIndexes": collection})
        .await
        .map_err(|e| Error::database(context(), e))?
        .try_collect()
        .await
        .map_err(|e| Error::database(context(), e))
}

/// `info.uuid` of a `listCollections` entry as 32 hex digits.
fn uuid_hex(info: &Document) -> Option<String> {
    match info.get_document("info").ok()?.get("uuid")? {
        Bson::Binary(binary) if binary.subtype == BinarySubtype::Uuid => {
            Some(hex::encode(&binary.bytes))
        }
        _ => None,
    }
}

/// Creates `dir` (and `out`) unless it exists empty; a `dir` holding files is refused.
/// Directories created are pushed onto `created`, parents first.
fn prepare_dir(out: &Path, dir: &Path, created: &mut Vec<PathBuf>) -> Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::Usage(format!(
                    "{} already holds files (an earlier backup?); choose another --out or move it away; nothing was written",
                    dir.display()
                )));
            }
            return Ok(());
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(Error::io(
                format!(
                    "cannot use {} for the dump; nothing was written",
                    dir.display()
                ),
                e,
            ))
        }
    }
    for path in [out, dir] {
        if !path.exists() {
            std::fs::create_dir_all(path)
                .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
            created.push(path.to_path_buf());
        }
    }
    Ok(())
}

/// Removes the files a failed dump wrote and the directories it created (when empty).
fn remove_written(files: &[PathBuf], created: &[PathBuf]) {
    for file in files {
        let _ = std::fs::remove_file(file);
    }
    for dir in created.iter().rev() {
        let _ = std::fs::remove_dir(dir);
    }
}

struct Job {
    database: String,
    name: String,
    kind: String,
    options: Document,
    uuid: Option<String>,
}

struct JobContext<'a> {
    client: &'a Client,
    spec: &'a DumpSpec,
    progress: &'a dyn Progress,
    failed: &'a AtomicBool,
    written: &'a Mutex<Vec<PathBuf>>,
}

impl JobContext<'_> {
    /// Remembers a file (and its partial name) so a failed dump can remove it.
    fn track(&self, path: &Path) -> PathBuf {
        let partial = partial_path(path);
        if let Ok(mut written) = self.written.lock() {
            written.push(path.to_path_buf());
            written.push(partial.clone());
        }
        partial
    }
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(PARTIAL_SUFFIX);
    PathBuf::from(name)
}

async fn dump_collection(context: &JobContext<'_>, job: &Job) -> Result<DumpedCollection> {
    let started = Instant::now();
    let namespace = format!("{}.{}", job.database, job.name);
    let db = context.client.database(&job.database);
    let dir = context.spec.out.join(&job.database);
    let gzip = context.spec.gzip;
    let is_view = job.kind == "view";
    let indexes = if is_view {
        Vec::new()
    } else {
        list_indexes(&db, &job.name).await?
    };
    let mut dumped = DumpedCollection {
        database: job.database.clone(),
        collection: job.name.clone(),
        kind: job.kind.clone(),
        documents: 0,
        bytes: 0,
        file_bytes: 0,
        indexes: indexes.len(),
        data_file: None,
        metadata_file: dir.join(format::metadata_file_name(&job.name, gzip)),
        duration_ms: 0,
    };
    if !is_view {
        let path = dir.join(format::data_file_name(&job.name, gzip));
        let result = write_data(context, &db, job, &namespace, &path).await;
        context.progress.finish(&namespace);
        let (documents, bytes) = result?;
        dumped.documents = documents;
        dumped.bytes = bytes;
        dumped.file_bytes = std::fs::metadata(&path)
            .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?
            .len();
        dumped.data_file = Some(path);
    }
    let metadata = CollectionMetadata {
        collection_name: job.name.clone(),
        kind: job.kind.clone(),
        options: job.options.clone(),
        indexes,
        uuid: job.uuid.clone(),
    };
    let path = dumped.metadata_file.clone();
    let partial = context.track(&path);
    tokio::task::spawn_blocking(move || {
        format::write_metadata(&partial, gzip, &metadata)?;
        std::fs::rename(&partial, &path)
    })
    .await
    .map_err(|e| Error::io("writing metadata", std::io::Error::other(e.to_string())))?
    .map_err(|e| {
        Error::io(
            format!("cannot write {}", dumped.metadata_file.display()),
            e,
        )
    })?;
    dumped.duration_ms = millis_since(started);
    Ok(dumped)
}

enum Chunk {
    Bytes(Vec<u8>),
    End,
}

/// Streams a collection's documents into `path`; returns documents and bytes written.
async fn write_data(
    context: &JobContext<'_>,
    db: &Database,
    job: &Job,
    namespace: &str,
    path: &Path,
) -> Result<(u64, u64)> {
    let collection = db.collection::<RawDocumentBuf>(&job.name);
    let total = collection.estimated_document_count().await.ok();
    context.progress.start(namespace, total);
    let partial = context.track(path);
    let (sender, mut receiver) = mpsc::channel::<Chunk>(CHUNKS_IN_FLIGHT);
    let gzip = context.spec.gzip;
    let final_path = path.to_path_buf();
    let writer = tokio::task::spawn_blocking(move || -> std::io::Result<bool> {
        use std::io::Write;
        let mut file = FileWriter::create(&partial, gzip)?;
        loop {
            match receiver.blocking_recv() {
                Some(Chunk::Bytes(bytes)) => file.write_all(&bytes)?,
                Some(Chunk::End) => {
                    file.finish()?;
                    std::fs::rename(&partial, &final_path)?;
                    return Ok(true);
                }
                // The reading side gave up: leave the partial file for the cleanup.
                None => return Ok(false),
            }
        }
    });
    let streamed = stream_documents(context, &collection, namespace, &sender).await;
    let ended = match &streamed {
        Ok(_) => sender.send(Chunk::End).await.is_ok(),
        Err(_) => false,
    };
    drop(sender);
    let written = writer
        .await
        .map_err(|e| Error::io("writing a data file", std::io::Error::other(e.to_string())))?
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e));
    let counts = streamed?;
    match (written?, ended) {
        (true, true) => Ok(counts),
        _ => Err(Error::io(
            format!("cannot write {}", path.display()),
            std::io::Error::other("the file writer stopped early"),
        )),
    }
}

async fn stream_documents(
    context: &JobContext<'_>,
    collection: &mongodb::Collection<RawDocumentBuf>,
    namespace: &str,
    sender: &mpsc::Sender<Chunk>,
) -> Result<(u64, u64)> {
    let read_error = |e| Error::database(format!("cannot read {namespace}"), e);
    let mut cursor = collection.find(doc! {}).await.map_err(read_error)?;
    let mut chunk = Vec::with_capacity(CHUNK_BYTES + 64 * 1024);
    let (mut documents, mut bytes, mut unreported) = (0u64, 0u64, 0u64);
    let closed = || {
        Error::io(
            format!("cannot write the dump of {namespace}"),
            std::io::Error::other("the file writer stopped"),
        )
    };
    while cursor.advance().await.map_err(read_error)? {
        let raw = cursor.current().as_bytes();
        chunk.extend_from_slice(raw);
        documents += 1;
        unreported += 1;
        bytes += raw.len() as u64;
        if chunk.len() >= CHUNK_BYTES {
            if context.failed.load(Ordering::Relaxed) {
                return Err(super::cancelled());
            }
            let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_BYTES + 64 * 1024));
            sender
                .send(Chunk::Bytes(full))
                .await
                .map_err(|_| closed())?;
            context.progress.advance(namespace, unreported);
            unreported = 0;
        }
    }
    if !chunk.is_empty() {
        sender
            .send(Chunk::Bytes(chunk))
            .await
            .map_err(|_| closed())?;
    }
    context.progress.advance(namespace, unreported);
    Ok((documents, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_is_hex() {
        let uuid = mongodb::bson::Binary {
            subtype: BinarySubtype::Uuid,
            bytes: (0u8..16).collect(),
        };
        let info = doc! {"name": "x", "info": {"readOnly": false, "uuid": uuid}};
        assert_eq!(
            uuid_hex(&info).as_deref(),
            Some("000102030405060708090a0b0c0d0e0f")
        );
        assert_eq!(uuid_hex(&doc! {"name": "x"}), None);
    }

    #[test]
    fn partial_names() {
        assert_eq!(
            partial_path(Path::new("/a/b.bson.gz")),
            PathBuf::from("/a/b.bson.gz.rollbook-partial")
        );
    }
}
