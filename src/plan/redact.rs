//! Samples without personal data: the fields a runbook names under `redact` read `<redacted>`
//! wherever a plan shows a document (its output, JSON and saved plan files). A plain name
//! (`email`) is that field at any depth; a dotted path (`profile.phone`) is exactly that field,
//! through arrays too.

use serde_json::Value;

/// What a redacted value reads.
pub(crate) const REDACTED: &str = "<redacted>";

/// Replaces the values of `fields` in `document` (a sample, as JSON) by [`REDACTED`].
pub(crate) fn redact(document: &mut Value, fields: &[String]) {
    if !fields.is_empty() {
        walk(document, "", fields);
    }
}

fn walk(value: &mut Value, path: &str, fields: &[String]) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if fields.iter().any(|f| f == key || *f == here) {
                    *inner = Value::String(REDACTED.to_owned());
                } else {
                    walk(inner, &here, fields);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, path, fields);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_redacted_at_any_depth_and_paths_exactly() {
        let mut sample = json!({
            "_id": "u-1",
            "email": "ann@example.com",
            "contacts": [{"email": "bob@example.com", "phone": "+1 555"}],
            "profile": {"phone": "+1 666", "city": "Oslo"},
            "phone": "+1 777",
        });
        redact(&mut sample, &["email".into(), "profile.phone".into()]);
        assert_eq!(
            sample,
            json!({
                "_id": "u-1",
                "email": REDACTED,
                "contacts": [{"email": REDACTED, "phone": "+1 555"}],
                "profile": {"phone": REDACTED, "city": "Oslo"},
                "phone": "+1 777",
            })
        );
        let mut nested = json!({"contacts": [{"phone": "+1 555"}]});
        redact(&mut nested, &["contacts.phone".into()]);
        assert_eq!(nested, json!({"contacts": [{"phone": REDACTED}]}));
    }
}
