//! Reading a `.bson` data file as a stream of documents, one at a time, checking every
//! length prefix: a truncated file, a corrupt length or trailing garbage is an error that
//! names the byte offset of the document where it happens.

use std::fmt;
use std::io::{self, Read};

use mongodb::bson::raw::{RawBsonRef, RawDocument, RawDocumentBuf};

use super::format::MAX_DOCUMENT_BYTES;

/// Why a data file cannot be read.
#[derive(Debug)]
pub(crate) enum StreamError {
    /// The bytes are not a valid sequence of BSON documents.
    Corrupt {
        /// Offset (in the uncompressed data) of the document where the problem is.
        offset: u64,
        /// What is wrong.
        message: String,
    },
    /// Reading failed (including a gzip stream that cannot be decompressed).
    Io {
        /// Offset (in the uncompressed data) reached when it failed.
        offset: u64,
        /// The error.
        source: io::Error,
    },
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::Corrupt { offset, message } => {
                write!(f, "at byte offset {offset}: {message}")
            }
            StreamError::Io { offset, source } => {
                write!(f, "read failed at byte offset {offset}: {source}")
            }
        }
    }
}

/// Documents read one by one from a data file.
pub(crate) struct DocumentStream<R> {
    inner: R,
    offset: u64,
    documents: u64,
}

impl<R: Read> DocumentStream<R> {
    /// Reads documents from `inner` (already decompressed).
    pub(crate) fn new(inner: R) -> Self {
        DocumentStream {
            inner,
            offset: 0,
            documents: 0,
        }
    }

    /// Bytes consumed so far (the offset of the next document).
    #[must_use]
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// Documents read so far.
    #[must_use]
    pub(crate) fn documents(&self) -> u64 {
        self.documents
    }

    /// The next document, `None` at a clean end of the file. Checks the length prefix and the
    /// terminating NUL only; [`validate`] checks a document's elements.
    pub(crate) fn next_document(&mut self) -> Result<Option<RawDocumentBuf>, StreamError> {
        let start = self.offset;
        let mut prefix = [0u8; 4];
        let got = self.fill(&mut prefix)?;
        if got == 0 {
            return Ok(None);
        }
        if got < prefix.len() {
            return Err(self.corrupt(
                start,
                format!(
                    "the file ends {got} byte(s) into a document's 4-byte length prefix \
                     (truncated, or trailing garbage after document {})",
                    self.documents
                ),
            ));
        }
        let declared = i32::from_le_bytes(prefix);
        let length = usize::try_from(declared).unwrap_or(0);
        if !(5..=MAX_DOCUMENT_BYTES).contains(&length) {
            return Err(self.corrupt(
                start,
                format!(
                    "document {} has an impossible length prefix {declared} \
                     (a BSON document is 5 to {MAX_DOCUMENT_BYTES} bytes): corrupt length, or trailing garbage",
                    self.documents + 1
                ),
            ));
        }
        let mut bytes = vec![0u8; length];
        bytes[..4].copy_from_slice(&prefix);
        let got = self.fill(&mut bytes[4..])?;
        if got < length - 4 {
            return Err(self.corrupt(
                start,
                format!(
                    "document {} declares {length} bytes but the file ends after {} (truncated)",
                    self.documents + 1,
                    got + 4
                ),
            ));
        }
        if bytes[length - 1] != 0 {
            return Err(self.corrupt(
                start,
                format!(
                    "document {} of {length} bytes does not end with a NUL byte: corrupt length prefix or data",
                    self.documents + 1
                ),
            ));
        }
        let document = RawDocumentBuf::from_bytes(bytes).map_err(|e| {
            self.corrupt(
                start,
                format!("document {} is not valid BSON: {e}", self.documents + 1),
            )
        })?;
        self.documents += 1;
        Ok(Some(document))
    }

    /// Reads until `buf` is full or the input ends; returns how many bytes were read.
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, StreamError> {
        let mut filled = 0;
        while filled < buf.len() {
            match self.inner.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => {
                    filled += n;
                    self.offset += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(StreamError::Io {
                        offset: self.offset,
                        source,
                    })
                }
            }
        }
        Ok(filled)
    }

    fn corrupt(&self, offset: u64, message: String) -> StreamError {
        StreamError::Corrupt { offset, message }
    }
}

/// Checks every element of a document, recursively: keys, lengths, strings, nested documents,
/// arrays and code-with-scope. Returns what is wrong.
pub(crate) fn validate(document: &RawDocument) -> Result<(), String> {
    validate_at(document, "", 0)
}

const MAX_DEPTH: usize = 200;

fn validate_at(document: &RawDocument, path: &str, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "nesting deeper than {MAX_DEPTH} levels at {path:?}"
        ));
    }
    for element in document {
        let (key, value) = element.map_err(|e| match path {
            "" => format!("malformed element: {e}"),
            _ => format!("malformed element in {path:?}: {e}"),
        })?;
        let here = if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        };
        validate_value(value, &here, depth)?;
    }
    Ok(())
}

fn validate_value(value: RawBsonRef<'_>, path: &str, depth: usize) -> Result<(), String> {
    match value {
        RawBsonRef::Document(inner) => validate_at(inner, path, depth + 1),
        RawBsonRef::Array(array) => {
            for (index, item) in array.into_iter().enumerate() {
                let item = item.map_err(|e| format!("malformed array element in {path:?}: {e}"))?;
                validate_value(item, &format!("{path}.{index}"), depth + 1)?;
            }
            Ok(())
        }
        RawBsonRef::JavaScriptCodeWithScope(code) => {
            validate_at(code.scope, &format!("{path}.$scope"), depth + 1)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::{doc, Document};

    fn bytes(documents: &[Document]) -> Vec<u8> {
        let mut out = Vec::new();
        for d in documents {
            out.extend(mongodb::bson::to_vec(d).unwrap());
        }
        out
    }

    fn read_all(data: &[u8]) -> Result<u64, StreamError> {
        let mut stream = DocumentStream::new(data);
        while let Some(document) = stream.next_document()? {
            validate(&document).map_err(|message| StreamError::Corrupt { offset: 0, message })?;
        }
        Ok(stream.documents())
    }

    #[test]
    fn reads_every_document() {
        let data = bytes(&[doc! {"_id": 1, "a": {"b": [1, 2]}}, doc! {"_id": 2}]);
        assert_eq!(read_all(&data).unwrap(), 2);
        assert_eq!(read_all(&[]).unwrap(), 0);
    }

    #[test]
    fn truncation_and_garbage_name_the_offset() {
        let data = bytes(&[doc! {"_id": 1}, doc! {"_id": 2, "x": "hello"}]);
        let first = mongodb::bson::to_vec(&doc! {"_id": 1}).unwrap().len() as u64;
        let truncated = &data[..data.len() - 3];
        let error = read_all(truncated).unwrap_err().to_string();
        assert!(error.contains(&format!("offset {first}")), "{error}");
        assert!(error.contains("truncated"), "{error}");

        let mut garbage = data.clone();
        garbage.extend([1, 2]);
        let error = read_all(&garbage).unwrap_err().to_string();
        assert!(error.contains(&format!("offset {}", data.len())), "{error}");

        let mut bad_length = data.clone();
        bad_length[first as usize..first as usize + 4].copy_from_slice(&(-7i32).to_le_bytes());
        let error = read_all(&bad_length).unwrap_err().to_string();
        assert!(error.contains("impossible length prefix -7"), "{error}");

        let mut too_short = data.clone();
        too_short[first as usize] -= 1;
        assert!(read_all(&too_short).is_err());
    }

    #[test]
    fn malformed_elements_are_found() {
        let mut data = mongodb::bson::to_vec(&doc! {"a": "xyz"}).unwrap();
        // Make the string's length prefix claim more than the document holds.
        let at = data.iter().position(|&b| b == 4).unwrap();
        data[at] = 40;
        let error = read_all(&data).unwrap_err().to_string();
        assert!(error.contains("malformed"), "{error}");
    }
}
