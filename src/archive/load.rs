//! Loading one collection of a backup into a temporary collection: created with the
//! collection's options, filled from the data file in unordered batches of raw documents
//! (the file streamed through a bounded channel), indexed from the metadata, then counted.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::stream::FuturesUnordered;
use futures_util::StreamExt;
use mongodb::bson::raw::RawDocumentBuf;
use mongodb::bson::{doc, Document};
use mongodb::{Client, Collection};
use tokio::sync::mpsc;

use super::format;
use super::inspect::{stream_error, BackupCollection};
use super::stream::DocumentStream;
use super::Progress;
use crate::error::{Error, Result};

/// Prefix of the temporary collection a collection is loaded into before it is swapped in.
pub const TEMP_PREFIX: &str = "rollbook_tmp_";

/// A batch is sent once it holds this many bytes, even when it has fewer documents.
const BATCH_BYTES: usize = 8 * 1024 * 1024;
/// Batches that may wait between the file reader and the inserts.
const BATCHES_IN_FLIGHT: usize = 2;
/// `insert` commands in flight per collection (one for capped collections, to keep their
/// natural order).
const INSERT_WORKERS: usize = 4;
/// Collection options that `create` no longer accepts (written by old servers).
const OBSOLETE_OPTIONS: [&str; 2] = ["autoIndexId", "flags"];

/// The temporary collection name for `collection`.
#[must_use]
pub fn temp_name(collection: &str) -> String {
    format!("{TEMP_PREFIX}{collection}")
}

/// One collection to load.
pub(super) struct LoadJob<'a> {
    pub client: &'a Client,
    /// Target database.
    pub database: &'a str,
    /// What the backup holds for the collection.
    pub source: &'a BackupCollection,
    /// Documents per `insert` command.
    pub batch_size: usize,
    pub progress: &'a dyn Progress,
    /// Set when another collection failed: stop early.
    pub cancelled: &'a AtomicBool,
}

/// What was loaded.
pub(super) struct Loaded {
    pub documents: u64,
    pub bytes: u64,
    /// Indexes created (not counting `_id_`).
    pub indexes: usize,
}

impl LoadJob<'_> {
    fn namespace(&self) -> String {
        format!("{}.{}", self.database, self.source.name)
    }

    fn temp(&self) -> String {
        temp_name(&self.source.name)
    }
}

/// Loads the collection into its temporary collection. The caller drops the temporary
/// collection when this fails.
pub(super) async fn load(job: &LoadJob<'_>) -> Result<Loaded> {
    let db = job.client.database(job.database);
    let temp = job.temp();
    let mut create = doc! {"create": &temp};
    for (key, value) in &job.source.options {
        if !OBSOLETE_OPTIONS.contains(&key.as_str()) {
            create.insert(key.clone(), value.clone());
        }
    }
    db.run_command(create).await.map_err(|e| {
        Error::database(
            format!(
                "cannot create the temporary collection {}.{temp} with the backup's options",
                job.database
            ),
            e,
        )
    })?;
    let (documents, bytes) = match &job.source.data_file {
        Some(path) => insert_all(job, path.clone()).await?,
        None => (0, 0),
    };
    let specs: Vec<Document> = job
        .source
        .indexes
        .iter()
        .filter(|spec| spec.get_str("name") != Ok("_id_"))
        .map(|spec| {
            let mut spec = spec.clone();
            spec.remove("ns");
            spec
        })
        .collect();
    if !specs.is_empty() {
        let names: Vec<&str> = specs
            .iter()
            .map(|s| s.get_str("name").unwrap_or("?"))
            .collect();
        let context = format!(
            "cannot build the indexes {} of {} (on the temporary collection)",
            names.join(", "),
            job.namespace()
        );
        db.run_command(doc! {"createIndexes": &temp, "indexes": &specs})
            .await
            .map_err(|e| Error::database(context, e))?;
    }
    let count = db
        .collection::<Document>(&temp)
        .count_documents(doc! {})
        .await
        .map_err(|e| Error::database(format!("cannot count {}.{temp}", job.database), e))?;
    if count != documents || documents != job.source.documents {
        return Err(Error::ActionFailed(format!(
            "{} holds {count} documents after loading {} documents from {} (the backup was checked with {})",
            job.namespace(),
            documents,
            job.source
                .data_file
                .as_ref()
                .map_or_else(|| "no file".into(), |p| p.display().to_string()),
            job.source.documents
        )));
    }
    Ok(Loaded {
        documents,
        bytes,
        indexes: specs.len(),
    })
}

/// Streams the data file into the temporary collection; returns documents and bytes read.
async fn insert_all(job: &LoadJob<'_>, path: PathBuf) -> Result<(u64, u64)> {
    let namespace = job.namespace();
    let gzip = job.source.gzip;
    let batch_size = job.batch_size;
    let (sender, mut receiver) = mpsc::channel::<Vec<RawDocumentBuf>>(BATCHES_IN_FLIGHT);
    let file = path.clone();
    let reader = tokio::task::spawn_blocking(move || -> Result<(u64, u64)> {
        let input = format::open_read(&file, gzip)
            .map_err(|e| Error::io(format!("cannot open {}", file.display()), e))?;
        let mut stream = DocumentStream::new(input);
        let mut batch = Vec::with_capacity(batch_size.min(10_000));
        let mut batch_bytes = 0;
        loop {
            match stream.next_document() {
                Ok(Some(document)) => {
                    batch_bytes += document.as_bytes().len();
                    batch.push(document);
                    if batch.len() >= batch_size || batch_bytes >= BATCH_BYTES {
                        let full = std::mem::replace(
                            &mut batch,
                            Vec::with_capacity(batch_size.min(10_000)),
                        );
                        batch_bytes = 0;
                        if sender.blocking_send(full).is_err() {
                            // The inserting side stopped; it reports why.
                            return Ok((stream.documents(), stream.offset()));
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => return Err(stream_error(&file, gzip, e)),
            }
        }
        if !batch.is_empty() {
            let _ = sender.blocking_send(batch);
        }
        Ok((stream.documents(), stream.offset()))
    });

    let collection: Collection<RawDocumentBuf> =
        job.client.database(job.database).collection(&job.temp());
    let bypass = job.source.options.contains_key("validator");
    let workers = if job.source.options.get_bool("capped") == Ok(true) {
        1
    } else {
        INSERT_WORKERS
    };
    let insert = |batch: Vec<RawDocumentBuf>, first: u64| {
        let collection = collection.clone();
        async move {
            let count = batch.len() as u64;
            collection
                .insert_many(batch)
                .ordered(false)
                .bypass_document_validation(bypass)
                .await
                .map(|_| count)
                .map_err(|e| (first, count, e))
        }
    };
    let describe = |(first, count, error): (u64, u64, mongodb::error::Error)| {
        Error::database(
            format!(
                "cannot insert documents {}-{} of {} into the temporary collection {}.{}",
                first + 1,
                first + count,
                path.display(),
                job.database,
                job.temp()
            ),
            error,
        )
    };
    let mut in_flight = FuturesUnordered::new();
    let mut sent = 0u64;
    let mut failure: Option<Error> = None;
    while let Some(batch) = receiver.recv().await {
        if job.cancelled.load(Ordering::Relaxed) {
            failure = Some(super::cancelled());
            break;
        }
        if in_flight.len() >= workers {
            match in_flight.next().await {
                Some(Ok(count)) => job.progress.advance(&namespace, count),
                Some(Err(e)) => {
                    failure = Some(describe(e));
                    break;
                }
                None => {}
            }
        }
        let count = batch.len() as u64;
        in_flight.push(insert(batch, sent));
        sent += count;
    }
    // Every insert sent is awaited, after a failure too: one still running on the server when
    // the caller drops the temporary collection would create it again.
    while let Some(result) = in_flight.next().await {
        match result {
            Ok(count) => job.progress.advance(&namespace, count),
            Err(e) => {
                failure.get_or_insert(describe(e));
            }
        }
    }
    drop(in_flight);
    drop(receiver);
    let read = reader
        .await
        .map_err(|e| Error::io("reading the backup", std::io::Error::other(e.to_string())))?;
    if let Some(error) = failure {
        return Err(error);
    }
    let (documents, bytes) = read?;
    if documents != sent {
        return Err(Error::ActionFailed(format!(
            "read {documents} documents from {} but inserted {sent}",
            path.display()
        )));
    }
    Ok((documents, bytes))
}
