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
    /// The filter of a counting check, as the runbook gives it (parameters substituted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<serde_json::Value>,
}

impl CheckResult {
    /// One line: what was checked, expected and found.
    #[must_use]
    pub(crate) fn describe(&self) -> String {
        format!(
            "{} {}: expected {}, found {}{}",
            self.kind,
            self.collection.as_deref().unwrap_or_default(),
            crate::values::expected(&self.expected),
            crate::values::value(&self.actual),
            if self.ok { "" } else { " — FAILED" }
        )
    }

    /// What was checked, for a table cell: the description (when the runbook gives one), the
    /// kind, the collection and the filter (`users with no customer: count users where
    /// {"customer_id": {"$exists": true}}`).
    #[must_use]
    pub(crate) fn what(&self) -> String {
        let mut what = format!(
            "{} {}",
            self.kind,
            self.collection.as_deref().unwrap_or_default()
        );
        if let Some(filter) = self.filter.as_ref().filter(|f| !f.is_null()) {
            what.push_str(&format!(" where {}", crate::values::json_inline(filter)));
        }
        match &self.description {
            Some(description) => format!("{description}: {}", what.trim_end()),
            None => what.trim_end().to_owned(),
        }
    }
}
