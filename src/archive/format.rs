//! mongodump's directory layout: `<db>/<coll>.bson` (documents, concatenated BSON) and
//! `<db>/<coll>.metadata.json` (options, indexes, uuid, name, type in canonical Extended JSON),
//! each with `.gz` appended when gzipped; opening those files for reading and writing.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use mongodb::bson::{Bson, Document};
use serde_json::{Map, Value};

/// Suffix of a collection's data file.
pub(crate) const BSON_SUFFIX: &str = ".bson";
/// Suffix of a collection's metadata file.
pub(crate) const METADATA_SUFFIX: &str = ".metadata.json";
/// Appended to both when the backup is gzipped.
pub(crate) const GZIP_SUFFIX: &str = ".gz";
/// The largest document a data file may hold: the server's internal limit (16 MiB + 16 KiB).
pub(crate) const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024 + 16 * 1024;

const IO_BUFFER: usize = 256 * 1024;

/// The data file name of a collection: `orders.bson` or `orders.bson.gz`.
#[must_use]
pub(crate) fn data_file_name(collection: &str, gzip: bool) -> String {
    with_suffix(collection, BSON_SUFFIX, gzip)
}

/// The metadata file name of a collection: `orders.metadata.json` or `orders.metadata.json.gz`.
#[must_use]
pub(crate) fn metadata_file_name(collection: &str, gzip: bool) -> String {
    with_suffix(collection, METADATA_SUFFIX, gzip)
}

fn with_suffix(collection: &str, suffix: &str, gzip: bool) -> String {
    let gz = if gzip { GZIP_SUFFIX } else { "" };
    format!("{}{suffix}{gz}", escape_file_stem(collection))
}

/// A collection name as a file name stem: `%`, `/`, `\` and NUL percent-escaped (as
/// mongodump escapes them), everything else as is.
#[must_use]
pub(crate) fn escape_file_stem(collection: &str) -> String {
    let mut out = String::with_capacity(collection.len());
    for c in collection.chars() {
        match c {
            '%' | '/' | '\\' | '\0' => out.push_str(&format!("%{:02X}", u32::from(c))),
            _ => out.push(c),
        }
    }
    out
}

/// The inverse of [`escape_file_stem`]; an invalid escape is kept literally.
#[must_use]
pub(crate) fn unescape_file_stem(stem: &str) -> String {
    let bytes = stem.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| stem.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| stem.to_owned())
}

/// What a file in a database directory of a backup is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BackupFile {
    /// A collection's documents.
    Data {
        /// The collection name (unescaped file stem).
        collection: String,
        /// Gzipped (`.bson.gz`).
        gzip: bool,
    },
    /// A collection's metadata.
    Metadata {
        /// The collection name (unescaped file stem).
        collection: String,
        /// Gzipped (`.metadata.json.gz`).
        gzip: bool,
    },
}

impl BackupFile {
    /// Classifies a file name; `None` for files that are not part of a collection.
    #[must_use]
    pub(crate) fn classify(file_name: &str) -> Option<BackupFile> {
        let (name, gzip) = match file_name.strip_suffix(GZIP_SUFFIX) {
            Some(name) => (name, true),
            None => (file_name, false),
        };
        if let Some(stem) = name.strip_suffix(METADATA_SUFFIX) {
            return (!stem.is_empty()).then(|| BackupFile::Metadata {
                collection: unescape_file_stem(stem),
                gzip,
            });
        }
        if let Some(stem) = name.strip_suffix(BSON_SUFFIX) {
            return (!stem.is_empty()).then(|| BackupFile::Data {
                collection: unescape_file_stem(stem),
                gzip,
            });
        }
        None
    }
}

/// A collection's `metadata.json`, as mongodump writes it.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct CollectionMetadata {
    /// `collectionName`.
    pub collection_name: String,
    /// `type`: `collection`, `view` or `timeseries` (absent in old dumps: a collection).
    pub kind: String,
    /// `options` from `listCollections` (`{}` when there are none).
    pub options: Document,
    /// `indexes`: the `listIndexes` specs, `_id_` included.
    pub indexes: Vec<Document>,
    /// `uuid` as 32 hex digits, when known.
    pub uuid: Option<String>,
}

impl CollectionMetadata {
    /// True for a view (`type: view`, or options with `viewOn`).
    #[must_use]
    pub(crate) fn is_view(&self) -> bool {
        self.kind == "view" || self.options.contains_key("viewOn")
    }

    /// The metadata in mongodump's form: one line of canonical Extended JSON with the keys
    /// `options` (left out when empty), `indexes`, `uuid` (left out when unknown),
    /// `collectionName`, `type`.
    #[must_use]
    pub(crate) fn to_json(&self) -> String {
        let mut map = Map::new();
        if !self.options.is_empty() {
            map.insert(
                "options".into(),
                Bson::Document(self.options.clone()).into_canonical_extjson(),
            );
        }
        map.insert(
            "indexes".into(),
            Value::Array(
                self.indexes
                    .iter()
                    .map(|spec| Bson::Document(spec.clone()).into_canonical_extjson())
                    .collect(),
            ),
        );
        if let Some(uuid) = &self.uuid {
            map.insert("uuid".into(), Value::String(uuid.clone()));
        }
        map.insert(
            "collectionName".into(),
            Value::String(self.collection_name.clone()),
        );
        map.insert("type".into(), Value::String(self.kind.clone()));
        Value::Object(map).to_string()
    }

    /// Parses a metadata file's text (canonical or relaxed Extended JSON). `fallback_name` is
    /// used when the file has no `collectionName` (old mongodump versions).
    pub(crate) fn from_json(text: &str, fallback_name: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let Value::Object(map) = value else {
            return Err("not a JSON object".into());
        };
        let document =
            Document::try_from(map).map_err(|e| format!("not valid MongoDB Extended JSON: {e}"))?;
        let options = match document.get("options") {
            None | Some(Bson::Null) => Document::new(),
            Some(Bson::Document(options)) => options.clone(),
            Some(_) => return Err("`options` is not an object".into()),
        };
        let indexes = match document.get("indexes") {
            None | Some(Bson::Null) => Vec::new(),
            Some(Bson::Array(specs)) => specs
                .iter()
                .map(|spec| match spec {
                    Bson::Document(spec) if spec.get_document("key").is_ok() => Ok(spec.clone()),
                    _ => Err("an entry of `indexes` is not an index spec with a `key`".to_owned()),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err("`indexes` is not an array".into()),
        };
        let text_field = |key: &str| -> Result<Option<String>, String> {
            match document.get(key) {
                None | Some(Bson::Null) => Ok(None),
                Some(Bson::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("`{key}` is not a string")),
            }
        };
        Ok(CollectionMetadata {
            collection_name: text_field("collectionName")?
                .unwrap_or_else(|| fallback_name.to_owned()),
            kind: text_field("type")?.unwrap_or_else(|| "collection".into()),
            options,
            indexes,
            uuid: text_field("uuid")?,
        })
    }
}

/// Opens a data or metadata file for reading, decompressing it when `gzip`.
pub(crate) fn open_read(path: &Path, gzip: bool) -> io::Result<Box<dyn Read + Send>> {
    let file = BufReader::with_capacity(IO_BUFFER, File::open(path)?);
    Ok(if gzip {
        Box::new(BufReader::with_capacity(
            IO_BUFFER,
            MultiGzDecoder::new(file),
        ))
    } else {
        Box::new(file)
    })
}

/// A file being written, gzipped or not; [`FileWriter::finish`] flushes and syncs it.
pub(crate) enum FileWriter {
    /// Written as is.
    Plain(BufWriter<File>),
    /// Gzipped on the way.
    Gzip(GzEncoder<BufWriter<File>>),
}

impl FileWriter {
    /// Creates (truncates) `path`.
    pub(crate) fn create(path: &Path, gzip: bool) -> io::Result<FileWriter> {
        let file = BufWriter::with_capacity(IO_BUFFER, File::create(path)?);
        Ok(if gzip {
            FileWriter::Gzip(GzEncoder::new(file, Compression::fast()))
        } else {
            FileWriter::Plain(file)
        })
    }

    /// Flushes everything (and the gzip trailer) and syncs the file to disk.
    pub(crate) fn finish(self) -> io::Result<()> {
        let buffered = match self {
            FileWriter::Plain(file) => file,
            FileWriter::Gzip(encoder) => encoder.finish()?,
        };
        let file = buffered
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.sync_all()
    }
}

impl Write for FileWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            FileWriter::Plain(file) => file.write(buf),
            FileWriter::Gzip(encoder) => encoder.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            FileWriter::Plain(file) => file.write_all(buf),
            FileWriter::Gzip(encoder) => encoder.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            FileWriter::Plain(file) => file.flush(),
            FileWriter::Gzip(encoder) => encoder.flush(),
        }
    }
}

/// Writes a metadata file (gzipped when `gzip`), synced to disk.
pub(crate) fn write_metadata(
    path: &Path,
    gzip: bool,
    metadata: &CollectionMetadata,
) -> io::Result<()> {
    let mut writer = FileWriter::create(path, gzip)?;
    writer.write_all(metadata.to_json().as_bytes())?;
    writer.finish()
}

/// Reads a metadata file's text (decompressed when `gzip`).
pub(crate) fn read_metadata_text(path: &Path, gzip: bool) -> io::Result<String> {
    let mut text = String::new();
    open_read(path, gzip)?.read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::doc;

    #[test]
    fn file_names_round_trip() {
        assert_eq!(data_file_name("orders", false), "orders.bson");
        assert_eq!(
            metadata_file_name("orders", true),
            "orders.metadata.json.gz"
        );
        assert_eq!(escape_file_stem("a/b%c"), "a%2Fb%25c");
        assert_eq!(unescape_file_stem("a%2Fb%25c"), "a/b%c");
        assert_eq!(unescape_file_stem("100%"), "100%");
        assert_eq!(
            BackupFile::classify("a%2Fb.bson.gz"),
            Some(BackupFile::Data {
                collection: "a/b".into(),
                gzip: true
            })
        );
        assert_eq!(
            BackupFile::classify("x.metadata.json"),
            Some(BackupFile::Metadata {
                collection: "x".into(),
                gzip: false
            })
        );
        assert_eq!(BackupFile::classify("prelude.json"), None);
        assert_eq!(BackupFile::classify(".bson"), None);
    }

    #[test]
    fn metadata_is_written_as_mongodump_writes_it() {
        let metadata = CollectionMetadata {
            collection_name: "events_capped".into(),
            kind: "collection".into(),
            options: doc! {"capped": true, "size": 65536},
            indexes: vec![doc! {"v": 2, "key": {"_id": 1}, "name": "_id_"}],
            uuid: Some("506eb5df44054d0bafbe63560fda8d4b".into()),
        };
        let text = metadata.to_json();
        assert_eq!(
            text,
            r#"{"options":{"capped":true,"size":{"$numberInt":"65536"}},"indexes":[{"v":{"$numberInt":"2"},"key":{"_id":{"$numberInt":"1"}},"name":"_id_"}],"uuid":"506eb5df44054d0bafbe63560fda8d4b","collectionName":"events_capped","type":"collection"}"#
        );
        assert_eq!(
            CollectionMetadata::from_json(&text, "other").unwrap(),
            metadata
        );
        let empty = CollectionMetadata {
            options: Document::new(),
            ..metadata
        };
        assert!(!empty.to_json().contains("options"));
    }

    #[test]
    fn old_metadata_without_name_or_type_is_read() {
        let metadata = CollectionMetadata::from_json(
            r#"{"indexes":[{"v":1,"key":{"a":1},"name":"a_1","ns":"d.c"}]}"#,
            "c",
        )
        .unwrap();
        assert_eq!(metadata.collection_name, "c");
        assert_eq!(metadata.kind, "collection");
        assert_eq!(metadata.indexes.len(), 1);
        assert!(CollectionMetadata::from_json("[1]", "c").is_err());
        assert!(CollectionMetadata::from_json(r#"{"indexes":[{"name":"x"}]}"#, "c").is_err());
    }
}
