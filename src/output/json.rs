//! JSON output: every command prints exactly one document, versioned by `schema`.

use serde_json::{json, Map, Value};

use crate::error::Error;
use crate::exit_code;

pub use crate::engine::report::SCHEMA_VERSION;

/// The fields every document starts with; `status` is `ok` and the exit code 0.
#[must_use]
pub fn success(command: &str) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("schema".into(), json!(SCHEMA_VERSION));
    map.insert("command".into(), json!(command));
    map.insert("status".into(), json!("ok"));
    map.insert("exit_code".into(), json!(exit_code::OK));
    map.insert("error".into(), Value::Null);
    map
}

/// The document for a command that failed with `error`.
#[must_use]
pub fn failure(command: &str, error: &Error) -> Map<String, Value> {
    let mut map = success(command);
    map.insert("status".into(), json!("error"));
    map.insert("exit_code".into(), json!(error.exit_code()));
    map.insert("error".into(), error_value(error));
    map
}

/// `{"code": …, "message": …}` for an error, with credentials removed.
#[must_use]
pub fn error_value(error: &Error) -> Value {
    json!({"code": error.code(), "message": crate::secrets::redact(&error.to_string())})
}

/// Prints one document on stdout.
pub fn print(document: &Map<String, Value>) {
    println!(
        "{}",
        serde_json::to_string_pretty(document).unwrap_or_default()
    );
}
