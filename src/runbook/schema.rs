//! The JSON Schema of the runbook format, generated from the model and shipped in the
//! repository as `runbook.schema.json` for editors.

use super::model::Runbook;

/// Where the shipped schema lives, relative to the repository root.
pub const SHIPPED_PATH: &str = "runbook.schema.json";

/// The schema as pretty-printed JSON with a trailing newline.
#[must_use]
pub fn generate() -> String {
    let schema = schemars::schema_for!(Runbook);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
