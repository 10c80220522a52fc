//! Parameter values: parsing `--param name=value`, checking them against their declaration.

use std::collections::BTreeMap;

use regex::Regex;

use super::model::{Param, ParamType};
use super::names;
use crate::error::{Error, Result};

/// Longest value any parameter may have, whatever its declaration says.
pub(crate) const MAX_VALUE_LENGTH: usize = 1024;

/// Splits `name=value`; used by the command-line parser.
pub(crate) fn parse_assignment(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got {text:?}"))?;
    if name.trim().is_empty() {
        return Err(format!("parameter name is empty in {text:?}"));
    }
    Ok((name.trim().to_owned(), value.to_owned()))
}

/// Compiles a declared pattern so that it must match the whole value.
pub(crate) fn compile_pattern(pattern: &str) -> Result<Regex, String> {
    Regex::new(&format!("^(?:{pattern})$")).map_err(|e| format!("invalid pattern {pattern:?}: {e}"))
}

/// Trims `raw` and checks it against `param`; returns the value to substitute.
pub(crate) fn check_value(param: &Param, raw: &str) -> Result<String, String> {
    let value = raw.trim();
    let length = value.chars().count();
    if length > MAX_VALUE_LENGTH {
        return Err(format!(
            "value is {length} characters long (at most {MAX_VALUE_LENGTH})"
        ));
    }
    if let Some(min) = param.min_length {
        if length < min {
            return Err(format!("value {value:?} is shorter than {min} characters"));
        }
    }
    if let Some(max) = param.max_length {
        if length > max {
            return Err(format!("value is {length} characters long (at most {max})"));
        }
    }
    if value.contains('\0') {
        return Err("value contains a NUL character".into());
    }
    match param.kind {
        ParamType::String => {}
        ParamType::Integer => {
            value
                .parse::<i64>()
                .map_err(|_| format!("{value:?} is not a whole number"))?;
        }
        ParamType::Boolean => {
            if value != "true" && value != "false" {
                return Err(format!("{value:?} is not true or false"));
            }
        }
        ParamType::Path => names::check_path(value)?,
        ParamType::Name => {
            if value.is_empty() {
                return Err("value is empty".into());
            }
            if let Some(bad) = value.chars().find(|c| "$\0/\\. \"*<>:|?".contains(*c)) {
                return Err(format!(
                    "{value:?} contains {bad:?}, which no name may contain"
                ));
            }
            if value.starts_with("system") {
                return Err(format!("{value:?} starts with \"system\""));
            }
        }
        ParamType::DatabaseList => names::check_database_list(value)?,
    }
    if let Some(pattern) = &param.pattern {
        let regex = compile_pattern(pattern)?;
        if !regex.is_match(value) {
            return Err(format!("{value:?} does not match the pattern {pattern:?}"));
        }
    }
    Ok(value.to_owned())
}

/// Resolves the given assignments against the declarations: every declared parameter gets a
/// checked value (given or default); undeclared or missing ones are errors.
pub(crate) fn resolve(
    declared: &[Param],
    given: &[(String, String)],
) -> Result<BTreeMap<String, String>> {
    let mut values = BTreeMap::new();
    for (name, _) in given {
        if !declared.iter().any(|p| &p.name == name) {
            let known: Vec<&str> = declared.iter().map(|p| p.name.as_str()).collect();
            return Err(Error::InvalidParam {
                name: name.clone(),
                message: if known.is_empty() {
                    "this runbook declares no parameters".into()
                } else {
                    format!(
                        "not declared by this runbook (it declares: {})",
                        known.join(", ")
                    )
                },
            });
        }
    }
    for (index, (name, value)) in given.iter().enumerate() {
        if let Some((_, other)) = given[..index].iter().find(|(earlier, _)| earlier == name) {
            return Err(Error::InvalidParam {
                name: name.clone(),
                message: format!(
                    "given twice ({other:?} and {value:?}); pass --param {name}=VALUE once"
                ),
            });
        }
    }
    for param in declared {
        let raw = given
            .iter()
            .find(|(name, _)| name == &param.name)
            .map(|(_, value)| value.as_str())
            .or(param.default.as_deref())
            .ok_or_else(|| Error::InvalidParam {
                name: param.name.clone(),
                message: format!(
                    "required; pass --param {}=VALUE ({})",
                    param.name, param.description
                ),
            })?;
        let value = check_value(param, raw).map_err(|message| Error::InvalidParam {
            name: param.name.clone(),
            message,
        })?;
        values.insert(param.name.clone(), value);
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_param() -> Param {
        Param {
            name: "org".into(),
            kind: ParamType::Name,
            pattern: Some("[a-z0-9_]+".into()),
            default: None,
            min_length: Some(3),
            max_length: Some(20),
            description: "organization".into(),
        }
    }

    #[test]
    fn checks_values_against_declarations() {
        let param = name_param();
        assert_eq!(check_value(&param, "  acme_1 ").as_deref(), Ok("acme_1"));
        for bad in [
            "",
            "ab",
            "a$b",
            "system_x",
            "acme.x",
            "ACME",
            &"a".repeat(21),
            "a/../b",
        ] {
            assert!(check_value(&param, bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn resolve_refuses_undeclared_and_missing() {
        let declared = [name_param()];
        assert!(resolve(&declared, &[]).is_err());
        assert!(resolve(&declared, &[("nope".into(), "x".into())]).is_err());
        let twice = [
            ("org".into(), "acme".into()),
            ("org".into(), "globex".into()),
        ];
        assert!(resolve(&declared, &twice)
            .unwrap_err()
            .to_string()
            .contains("given twice"));
        let values = resolve(&declared, &[("org".into(), "acme".into())]).unwrap();
        assert_eq!(values["org"], "acme");
        assert_eq!(parse_assignment("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert!(parse_assignment("novalue").is_err());
    }
}
