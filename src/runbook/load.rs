//! Reading runbook files: YAML parsing with positions, validation, and lookup by id.

use std::path::{Path, PathBuf};

use super::digest;
use super::locate::Positions;
use super::model::Runbook;
use super::validate::validate;
use crate::error::{Error, Location, Problem, Result};

/// A runbook read from a file, validated, with its digest.
#[derive(Debug, Clone)]
pub struct LoadedRunbook {
    /// The file it came from.
    pub path: PathBuf,
    /// The parsed model.
    pub runbook: Runbook,
    /// `sha256:…` of the runbook's canonical content.
    pub digest: String,
}

/// Parses and validates YAML text; `path` is used for messages and the id check.
pub(crate) fn parse(path: &Path, source: &str) -> Result<LoadedRunbook, Vec<Problem>> {
    let at = |line: usize, column: usize| {
        Some(Location {
            file: path.to_path_buf(),
            line,
            column,
        })
    };
    let deserializer = serde_yaml::Deserializer::from_str(source);
    let runbook: Runbook = serde_yaml::with::singleton_map_recursive::deserialize(deserializer)
        .map_err(|error| {
            let location = error
                .location()
                .map_or_else(|| at(1, 1), |l| at(l.line(), l.column()));
            // The parser's message quotes the text it met; a file that is not a runbook (a
            // key file, a password file) must not be echoed, so it is described instead.
            let message = if looks_like_runbook(source) {
                error
                    .to_string()
                    .split(" at line ")
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            } else {
                NOT_A_RUNBOOK.to_owned()
            };
            vec![Problem {
                location,
                path: None,
                message,
            }]
        })?;
    let expected_id = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".yaml").or_else(|| n.strip_suffix(".yml")));
    let findings = validate(&runbook, expected_id);
    if !findings.is_empty() {
        let positions = Positions::index(source);
        return Err(findings
            .into_iter()
            .map(|finding| {
                let (line, column) = positions.find(&finding.path).unwrap_or((1, 1));
                Problem {
                    location: at(line, column),
                    path: Some(finding.path),
                    message: finding.message,
                }
            })
            .collect());
    }
    let digest = digest::of(&runbook);
    Ok(LoadedRunbook {
        path: path.to_path_buf(),
        runbook,
        digest,
    })
}

/// What is said, without quoting it, about a document that is not a runbook.
const NOT_A_RUNBOOK: &str = "this file is not a runbook: a runbook is a YAML mapping with the \
     keys id, title, database and steps (its content is not shown)";

/// True when `source` is a YAML mapping with at least one of a runbook's own top-level keys
/// (`id`, `title`, `database`, `steps`): only then may its text be quoted in a message.
fn looks_like_runbook(source: &str) -> bool {
    let Ok(serde_yaml::Value::Mapping(mapping)) = serde_yaml::from_str(source) else {
        // Invalid YAML: a runbook being edited, if its first mapping key is a runbook's.
        return source.lines().map(str::trim_start).any(|line| {
            ["id:", "title:", "database:", "steps:"]
                .iter()
                .any(|key| line.starts_with(key))
        });
    };
    ["id", "title", "database", "steps"]
        .iter()
        .any(|key| mapping.contains_key(*key))
}

/// Refuses a runbook path whose file, once symbolic links are followed, is not named
/// `*.yaml` or `*.yml`: a link named `x.yaml` to a file of secrets is not read at all.
fn check_extension(path: &Path) -> Result<(), Vec<Problem>> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if target
        .extension()
        .is_some_and(|e| e == "yaml" || e == "yml")
    {
        return Ok(());
    }
    let what = if target.file_name() == path.file_name() {
        String::new()
    } else {
        format!(" (it leads to {})", target.display())
    };
    Err(vec![Problem {
        location: None,
        path: None,
        message: format!(
            "{}{what} is not a runbook: runbook files are named *.yaml or *.yml; it was not read",
            path.display()
        ),
    }])
}

/// Reads, parses and validates one runbook file.
pub fn load_file(path: &Path) -> Result<LoadedRunbook, Vec<Problem>> {
    check_extension(path)?;
    let source = std::fs::read_to_string(path).map_err(|error| {
        vec![Problem {
            location: None,
            path: None,
            message: format!("cannot read {}: {error}", path.display()),
        }]
    })?;
    parse(path, &source)
}

/// Resolves a runbook reference: a path to a YAML file, or an id looked up in `dir`.
pub(crate) fn resolve_reference(reference: &str, dir: &Path) -> Result<PathBuf> {
    let as_path = Path::new(reference);
    let looks_like_path =
        reference.ends_with(".yaml") || reference.ends_with(".yml") || reference.contains('/');
    if looks_like_path {
        if as_path.is_file() {
            return Ok(as_path.to_path_buf());
        }
        return Err(Error::Usage(format!(
            "runbook file {reference} does not exist"
        )));
    }
    missing_directory(dir)?;
    for extension in ["yaml", "yml"] {
        let candidate = dir.join(format!("{reference}.{extension}"));
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    let known = list_files(dir)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .collect::<Vec<_>>();
    Err(Error::Usage(format!(
        "no runbook {reference:?} in {} (available: {})",
        dir.display(),
        if known.is_empty() {
            "none".to_owned()
        } else {
            known.join(", ")
        }
    )))
}

/// Loads a runbook by reference, turning problems into an `InvalidRunbook` error.
pub fn load(reference: &str, dir: &Path) -> Result<LoadedRunbook> {
    let path = resolve_reference(reference, dir)?;
    load_file(&path).map_err(Error::InvalidRunbook)
}

/// The runbook files in a directory, sorted by name.
pub(crate) fn list_files(dir: &Path) -> Result<Vec<PathBuf>> {
    missing_directory(dir)?;
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Error::io(
            format!("cannot read the runbooks directory {}", dir.display()),
            e,
        )
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    Ok(files)
}

/// A usage error pointing at `--runbooks` when the runbooks directory does not exist.
fn missing_directory(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let relative = if dir.is_relative() {
        std::env::current_dir()
            .map(|d| format!(" (in {})", d.display()))
            .unwrap_or_default()
    } else {
        String::new()
    };
    Err(Error::Usage(format!(
        "the runbooks directory {}{relative} does not exist; pass --runbooks DIR or set \
         ROLLBOOK_RUNBOOKS, or run rollbook where runbooks/ is",
        dir.display(),
    )))
}

#[cfg(test)]
mod tests {
    use super::{looks_like_runbook, parse};
    use std::path::Path;

    #[test]
    fn only_runbook_like_documents_are_quoted() {
        assert!(looks_like_runbook("id: x\ntitle: T\n"));
        assert!(looks_like_runbook("id: x\nsteps: [unset: {\n"));
        assert!(!looks_like_runbook("root:$6$hash:19000:0:99999:7:::\n"));
        assert!(!looks_like_runbook("password = hunter2\n"));
        assert!(!looks_like_runbook("aws_secret: hunter2\n"));
        for secret in [
            "root:$6$hash:19000:0:99999:7:::\n",
            "password = hunter2\n",
            "- hunter2\n",
        ] {
            let problems = parse(Path::new("x.yaml"), secret).expect_err("not a runbook");
            let message = &problems[0].message;
            assert!(
                !message.contains("hash") && !message.contains("hunter2"),
                "{message}"
            );
            assert!(message.contains("not a runbook"), "{message}");
        }
        let problems =
            parse(Path::new("x.yaml"), "id: x\ntitle: T\ndatabse: y\n").expect_err("bad");
        assert!(problems[0].message.contains("unknown field `databse`"));
    }
}
