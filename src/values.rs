//! How values read in messages and table cells: JSON inline and unquoted, expected counts as
//! `= 0` or `≥ 1`.

/// A JSON value on one line with a space after `:` and `,` (`{"a": {"$exists": true}}`), so it
/// wraps between its parts instead of standing as one unbreakable word.
#[must_use]
pub(crate) fn json_inline(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), json_inline(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(json_inline).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// A check's expected value as people read it: `= 0`, `≥ 1`, `≤ 10`, `1 – 10`, `yes`/`no`,
/// else the value itself.
#[must_use]
pub(crate) fn expected(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "any".into(),
        Value::Number(n) => format!("= {n}"),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Object(bound) if bound.keys().all(|k| k == "min" || k == "max") => {
            let side = |key: &str| bound.get(key).filter(|v| !v.is_null());
            match (side("min"), side("max")) {
                (Some(min), Some(max)) if min == max => format!("= {min}"),
                (Some(min), Some(max)) => format!("{min} – {max}"),
                (Some(min), None) => format!("≥ {min}"),
                (None, Some(max)) => format!("≤ {max}"),
                (None, None) => "any".into(),
            }
        }
        other => self::value(other),
    }
}

/// A value found by a check, without JSON quotes around strings.
#[must_use]
pub(crate) fn value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Bool(true) => "yes".into(),
        serde_json::Value::Bool(false) => "no".into(),
        other => json_inline(other),
    }
}
