//! The result of one verification check: what was expected, what was found, whether it held.

use serde::Serialize;

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CheckResult {
    /// Check kind.
    pub kind: String,
    /// Collection checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
    /// What was expected (a number, a bound, `true`/`false`, or a value to match).
    pub expected: serde_json::Value,
    /// What was found.
    pub actual: serde_json::Value,
    /// Whether it held.
    pub ok: bool,
    /// Error code to report when it fails as a precondition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// What the check means.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl CheckResult {
    /// One line: what was checked, expected and found.
    #[must_use]
    pub(crate) fn describe(&self) -> String {
        format!(
            "{} {}: expected {}, found {}{}",
            self.kind,
            self.collection.as_deref().unwrap_or_default(),
            self.expected,
            self.actual,
            if self.ok { "" } else { " — FAILED" }
        )
    }
}
