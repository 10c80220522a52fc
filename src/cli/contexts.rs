//! Named contexts: the targets an operator works on, each with where its connection string
//! comes from (an environment variable or a file — never the string itself), its state
//! database and runbooks directory, and `protected = true` for production, which makes every
//! changing command ask for the context's name typed out.
//!
//! Two files are read, the project's `rollbook.toml` (in the current directory) before the
//! user's `$XDG_CONFIG_HOME/rollbook/config.toml` (`~/.config/rollbook/config.toml`): a context
//! of the project's wins over the user's of the same name. `--context NAME` (or
//! `ROLLBOOK_CONTEXT`) chooses one, else the files' `default_context`.
//!
//! ```toml
//! default_context = "staging"
//!
//! [contexts.production]
//! uri_env = "PROD_MONGODB_URI"       # or uri_file = "/etc/rollbook/production.uri"
//! state_db = "rollbook"
//! runbooks = "runbooks"
//! protected = true
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::args::{Context, GlobalArgs, UriSource};
use crate::error::{Error, Result};

/// The project-level file, in the current directory.
pub(crate) const PROJECT_FILE: &str = "rollbook.toml";

/// A context as a file writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextSpec {
    /// Refused: a connection string (with its password) does not belong in a file like this.
    uri: Option<toml::Value>,
    uri_env: Option<String>,
    uri_file: Option<PathBuf>,
    state_db: Option<String>,
    runbooks: Option<PathBuf>,
    #[serde(default)]
    protected: bool,
}

/// One configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    default_context: Option<String>,
    #[serde(default)]
    contexts: BTreeMap<String, ContextSpec>,
}

/// The configuration files, project first, that exist.
fn files() -> Vec<PathBuf> {
    let user_dir = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    let mut files = vec![PathBuf::from(PROJECT_FILE)];
    if let Some(dir) = user_dir {
        files.push(dir.join("rollbook").join("config.toml"));
    }
    files.into_iter().filter(|f| f.is_file()).collect()
}

fn read(path: &Path) -> Result<ConfigFile> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Usage(format!(
            "cannot read the configuration {}: {e}; nothing was changed",
            path.display()
        ))
    })?;
    toml::from_str(&text).map_err(|e| {
        Error::Usage(format!(
            "invalid configuration {}: {}; nothing was changed",
            path.display(),
            e.message()
        ))
    })
}

/// A path of a file, relative to that file's directory; `~/` is the home directory.
fn beside(file: &Path, path: &Path) -> PathBuf {
    if let Ok(rest) = path.strip_prefix("~") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    if path.is_absolute() {
        return path.to_owned();
    }
    file.parent()
        .map_or_else(|| path.to_owned(), |dir| dir.join(path))
}

/// Chooses the context (`--context`, `ROLLBOOK_CONTEXT`, else a `default_context`) and fills in
/// what the command line did not give. A context chosen by name next to `--uri` or
/// `--uri-file` is refused (which server was meant?); a default context gives way to them.
pub fn apply(global: &mut GlobalArgs) -> Result<()> {
    let given = global.given;
    let files = files();
    let mut loaded = Vec::new();
    for path in &files {
        loaded.push((path.clone(), read(path)?));
    }
    let named = global.context_name.clone().filter(|n| !n.trim().is_empty());
    let flags_name_a_server = global.uri.is_some() || global.uri_file.is_some();
    let name = match named {
        Some(name) => {
            if flags_name_a_server {
                return Err(Error::Usage(format!(
                    "--context {name} names its own server, and so does --uri/--uri-file: give one of them; nothing was changed"
                )));
            }
            name
        }
        None => match loaded.iter().find_map(|(_, c)| c.default_context.clone()) {
            Some(_) if flags_name_a_server => return Ok(()),
            Some(name) => name,
            None => return Ok(()),
        },
    };
    let Some((file, spec)) = loaded
        .iter()
        .find_map(|(path, c)| c.contexts.get(&name).map(|spec| (path, spec)))
    else {
        let known: Vec<&str> = loaded
            .iter()
            .flat_map(|(_, c)| c.contexts.keys().map(String::as_str))
            .collect();
        let looked: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        return Err(Error::Usage(format!(
            "no context {name:?} in {} (contexts: {}); nothing was changed",
            if looked.is_empty() {
                format!("{PROJECT_FILE} or the user configuration (neither exists)")
            } else {
                looked.join(", ")
            },
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        )));
    };
    let at = |what: &str| {
        format!(
            "context {name} in {}: {what}; nothing was changed",
            file.display()
        )
    };
    if spec.uri.is_some() {
        return Err(Error::Usage(at(
            "`uri` would keep the connection string (and its password) in the file: name where to read it with uri_env or uri_file",
        )));
    }
    let uri = match (&spec.uri_env, &spec.uri_file) {
        (Some(env), None) if !env.trim().is_empty() => UriSource::Env(env.clone()),
        (None, Some(path)) => UriSource::File(beside(file, path)),
        _ => {
            return Err(Error::Usage(at(
                "give exactly one of uri_env (an environment variable) or uri_file (a file) for the connection string",
            )))
        }
    };
    if !given.state_db {
        if let Some(state) = &spec.state_db {
            global.state_db.clone_from(state);
        }
    }
    if !given.runbooks {
        if let Some(dir) = &spec.runbooks {
            global.runbooks_dir = beside(file, dir);
        }
    }
    global.context = Some(Context {
        name,
        uri,
        protected: spec.protected,
        file: file.clone(),
    });
    Ok(())
}

/// Before a changing command writes anything: in a protected context, the operator types the
/// context's name (or passes `--confirm-context NAME`); `--yes` is not enough. `what` says
/// what would change.
pub(crate) fn confirm_protected(global: &GlobalArgs, what: &str) -> Result<()> {
    let Some(context) = global.context.as_ref().filter(|c| c.protected) else {
        return Ok(());
    };
    let name = &context.name;
    if let Some(confirmed) = &global.confirm_context {
        if confirmed == name {
            return Ok(());
        }
        return Err(Error::NotConfirmed(format!(
            "--confirm-context {confirmed} does not name this context: expected {name}; nothing was changed"
        )));
    }
    if super::request::terminal() == crate::engine::gates::Terminal::Absent {
        return Err(Error::NotConfirmed(format!(
            "context {name} is protected: {what} needs its name typed out, and there is no terminal to ask on; pass --confirm-context {name} (--yes is not enough); nothing was changed"
        )));
    }
    match super::prompt::typed(&format!("Context {name} is protected. {what}"), name) {
        super::prompt::Typed::Matched => Ok(()),
        super::prompt::Typed::Mismatch(typed) => Err(Error::NotConfirmed(format!(
            "typed {typed:?}, expected the context's name {name}; nothing was changed"
        ))),
        super::prompt::Typed::Closed => Err(Error::NotConfirmed(format!(
            "no answer; context {name} is protected; nothing was changed"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read_beside_their_file() {
        let file = Path::new("/etc/rollbook/config.toml");
        assert_eq!(
            beside(file, Path::new("prod.uri")),
            PathBuf::from("/etc/rollbook/prod.uri")
        );
        assert_eq!(beside(file, Path::new("/abs/x")), PathBuf::from("/abs/x"));
    }

    #[test]
    fn a_file_with_an_inline_uri_parses_so_it_can_be_refused() {
        let parsed: ConfigFile =
            toml::from_str("[contexts.prod]\nuri = \"mongodb://u:p@h\"\n").unwrap();
        assert!(parsed.contexts["prod"].uri.is_some());
        assert!(toml::from_str::<ConfigFile>("[contexts.prod]\nurl_env = \"X\"\n").is_err());
    }
}
