//! JSON output: every command prints exactly one document, versioned by `schema`.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode};
use crate::exit_code;

pub(crate) use crate::engine::report::SCHEMA_VERSION;

/// One command's JSON document: the envelope every document starts with (`schema`, `command`,
/// `status`, `exit_code`, `error`, in that order), then the fields of the command's `body`.
#[derive(Debug, Serialize)]
pub(crate) struct Document<'a, B> {
    schema: u32,
    command: &'a str,
    status: DocumentStatus,
    exit_code: i32,
    error: Option<DocumentError>,
    #[serde(flatten)]
    body: B,
}

impl<'a, B: Serialize> Document<'a, B> {
    /// The document of a command that succeeded: `status` is `ok`, the exit code 0, `error` null.
    pub(crate) fn ok(command: &'a str, body: B) -> Self {
        Document {
            schema: SCHEMA_VERSION,
            command,
            status: DocumentStatus::Ok,
            exit_code: exit_code::OK,
            error: None,
            body,
        }
    }

    /// The document of a command that failed with `error`, still carrying what it found.
    pub(crate) fn failed(command: &'a str, error: &'a Error, body: B) -> Self {
        Document {
            status: DocumentStatus::Error,
            exit_code: error.exit_code(),
            error: Some(DocumentError::of(error)),
            ..Document::ok(command, body)
        }
    }

    /// Prints the document on stdout.
    pub(crate) fn print(&self) {
        print(self);
    }
}

/// A document's `status`: the command's outcome (a run's own statuses are in its report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DocumentStatus {
    /// The command did what was asked.
    Ok,
    /// It failed; `error` says why.
    Error,
}

/// A document's `error`: `{"code": …, "message": …}`, with credentials removed.
#[derive(Debug, Serialize)]
pub(crate) struct DocumentError {
    code: ErrorCode,
    message: String,
}

impl DocumentError {
    /// The code and the redacted message of `error`.
    pub(crate) fn of(error: &Error) -> Self {
        DocumentError {
            code: error.code(),
            message: crate::secrets::redact(&error.to_string()),
        }
    }
}

/// The document of a command that failed before it had anything else to say.
#[must_use]
pub(crate) fn failure<'a>(command: &'a str, error: &'a Error) -> Document<'a, ()> {
    Document::failed(command, error, ())
}

/// The envelope of a successful document as a map, for the documents the proof tools
/// (`crates/rollbook-proof`) assemble themselves.
#[must_use]
pub fn success(command: &str) -> Map<String, Value> {
    match serde_json::to_value(Document::ok(command, ())) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Prints one document on stdout.
pub fn print<T: Serialize + ?Sized>(document: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(document).unwrap_or_default()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Body {
        answer: u32,
        note: Option<&'static str>,
    }

    fn text<T: Serialize>(document: &T) -> String {
        serde_json::to_string(document).unwrap_or_default()
    }

    #[test]
    fn the_envelope_comes_first_then_the_body() {
        let document = Document::ok(
            "list",
            Body {
                answer: 42,
                note: None,
            },
        );
        assert_eq!(
            text(&document),
            r#"{"schema":1,"command":"list","status":"ok","exit_code":0,"error":null,"answer":42,"note":null}"#
        );
    }

    #[test]
    fn a_failure_carries_code_exit_code_and_message() {
        let error = Error::Usage("no such step".into());
        assert_eq!(
            text(&failure("show", &error)),
            r#"{"schema":1,"command":"show","status":"error","exit_code":2,"error":{"code":"USAGE","message":"no such step"}}"#
        );
    }

    #[test]
    fn the_proof_tools_envelope_is_the_same_envelope() {
        assert_eq!(text(&success("bench")), text(&Document::ok("bench", ())));
    }
}
