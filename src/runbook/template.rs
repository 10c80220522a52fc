//! `{{name}}` placeholders: finding them and substituting parameter values.
//!
//! Substitution happens only in string values of the fields a runbook declares as names,
//! paths or filter/update values — never in keys and never in shell commands.

use std::collections::BTreeMap;

use serde_json::Value;

/// The built-in placeholder holding the current run's id.
pub(crate) const RUN_ID: &str = "run_id";

/// Keys whose string values are prose or commands: never substituted.
pub(crate) const VERBATIM_KEYS: &[&str] = &["run", "instructions", "items", "title", "description"];

/// The run's facts a `notify` action's `message` may name, besides the parameters and
/// `run_id`: that message is filled in when it is sent (see [`without_notify_message`]).
pub(crate) const MESSAGE_FACTS: &[&str] = &[
    "runbook",
    "step",
    "database",
    "server",
    "operator",
    "direction",
];

/// The placeholder names used in `text`, in order, or the offset of a malformed one.
pub(crate) fn placeholders(text: &str) -> Result<Vec<&str>, String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(format!("unclosed placeholder in {text:?}"));
        };
        let name = after[..end].trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "malformed placeholder {{{{{}}}}} in {text:?}",
                &after[..end]
            ));
        }
        names.push(name);
        rest = &after[end + 2..];
    }
    Ok(names)
}

/// Replaces every placeholder in `text` with its value; unknown names are an error.
pub(crate) fn substitute(text: &str, values: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("unclosed placeholder in {text:?}"))?;
        let name = after[..end].trim();
        let value = values
            .get(name)
            .ok_or_else(|| format!("undeclared parameter {{{{{name}}}}}"))?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Visits every substitutable string leaf of `value` with its path suffix.
pub(crate) fn for_each_templated(value: &Value, path: &str, visit: &mut dyn FnMut(&str, &str)) {
    match value {
        Value::String(text) => visit(path, text),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                for_each_templated(item, &format!("{path}[{index}]"), visit);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                if !VERBATIM_KEYS.contains(&key.as_str()) {
                    for_each_templated(item, &format!("{path}.{key}"), visit);
                }
            }
        }
        _ => {}
    }
}

/// A serialized action without a `notify` action's `message`, which is filled in only when it
/// is sent (it may name the run's facts); the message is given back to put in again.
pub(crate) fn without_notify_message(value: &mut Value) -> Option<Value> {
    value
        .as_object_mut()
        .and_then(|outer| outer.get_mut("notify"))
        .and_then(Value::as_object_mut)
        .and_then(|fields| fields.remove("message"))
}

/// Substitutes placeholders in every substitutable string leaf of `value`, in place.
pub(crate) fn substitute_value(
    value: &mut Value,
    values: &BTreeMap<String, String>,
) -> Result<(), String> {
    match value {
        Value::String(text) => *text = substitute(text, values)?,
        Value::Array(items) => {
            for item in items {
                substitute_value(item, values)?;
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if !VERBATIM_KEYS.contains(&key.as_str()) {
                    substitute_value(item, values)?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_notify_actions_own_message_is_left_for_later() {
        let values = BTreeMap::from([("x".to_owned(), "v".to_owned())]);
        // A field of the data that happens to be called `message` is filled in like any other.
        let mut set: Value = serde_json::json!({"set": {"values": {"message": "{{x}}"}}});
        assert!(without_notify_message(&mut set).is_none());
        substitute_value(&mut set, &values).unwrap();
        assert_eq!(set["set"]["values"]["message"], "v");
        let mut notify: Value =
            serde_json::json!({"notify": {"to": ["{{x}}"], "message": "{{operator}}"}});
        assert_eq!(
            without_notify_message(&mut notify),
            Some(Value::String("{{operator}}".into()))
        );
        substitute_value(&mut notify, &values).unwrap();
        assert_eq!(notify["notify"]["to"][0], "v");
    }

    #[test]
    fn finds_and_substitutes_placeholders() {
        assert_eq!(
            placeholders("org_{{ new_name }}_{{x}}"),
            Ok(vec!["new_name", "x"])
        );
        assert!(placeholders("org_{{new").is_err());
        assert!(placeholders("org_{{a b}}").is_err());
        let values = BTreeMap::from([("new_name".to_owned(), "acme".to_owned())]);
        assert_eq!(
            substitute("org_{{new_name}}", &values).as_deref(),
            Ok("org_acme")
        );
        assert!(substitute("{{missing}}", &values).is_err());
    }

    #[test]
    fn never_substitutes_into_keys_or_commands() {
        let mut value = serde_json::json!({
            "collection": "org_{{n}}",
            "filter": {"{{n}}": "{{n}}"},
            "run": "echo {{n}}"
        });
        let values = BTreeMap::from([("n".to_owned(), "acme".to_owned())]);
        substitute_value(&mut value, &values).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"collection": "org_acme", "filter": {"{{n}}": "acme"}, "run": "echo {{n}}"})
        );
    }
}
