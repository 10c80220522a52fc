//! Completion of values while the operator types, answered by `rollbook` itself when a shell
//! asks (`source <(ROLLBOOK_COMPLETE=bash rollbook)`): runbook ids of the runbooks directory,
//! their step ids and their parameter names. Reads the runbooks only; never connects.

/// The environment variable that makes `rollbook` answer a shell's completion request
/// instead of running (`source <(ROLLBOOK_COMPLETE=bash rollbook)` registers it).
pub const DYNAMIC_VAR: &str = "ROLLBOOK_COMPLETE";

/// The words of the command line being completed (after the `--` the shell passes).
fn words() -> Vec<String> {
    std::env::args().skip_while(|a| a != "--").skip(1).collect()
}

/// The runbooks directory the command line being completed names, else `ROLLBOOK_RUNBOOKS`,
/// else `runbooks`.
fn runbooks_dir(words: &[String]) -> std::path::PathBuf {
    let named = words
        .windows(2)
        .find(|w| w[0] == "--runbooks")
        .map(|w| w[1].clone())
        .or_else(|| {
            words
                .iter()
                .find_map(|w| w.strip_prefix("--runbooks=").map(str::to_owned))
        });
    named
        .or_else(|| std::env::var("ROLLBOOK_RUNBOOKS").ok())
        .unwrap_or_else(|| "runbooks".into())
        .into()
}

/// The runbook ids of the runbooks directory.
fn ids_in(dir: &std::path::Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let ext = path.extension()?.to_str()?;
            matches!(ext, "yaml" | "yml")
                .then(|| path.file_stem()?.to_str().map(str::to_owned))
                .flatten()
        })
        .collect();
    ids.sort();
    ids
}

/// The runbook the command line being completed names (an id of the directory, or a path).
fn named_runbook(words: &[String]) -> Option<crate::runbook::model::Runbook> {
    let dir = runbooks_dir(words);
    let ids = ids_in(&dir);
    let reference = words
        .iter()
        .find(|w| ids.contains(w) || w.ends_with(".yaml") || w.ends_with(".yml"))?;
    crate::runbook::load(reference, &dir)
        .ok()
        .map(|l| l.runbook)
}

fn candidates(
    current: &std::ffi::OsStr,
    values: Vec<String>,
) -> Vec<clap_complete::CompletionCandidate> {
    let current = current.to_string_lossy();
    values
        .into_iter()
        .filter(|v| v.starts_with(current.as_ref()))
        .map(clap_complete::CompletionCandidate::new)
        .collect()
}

/// Completes a runbook id.
pub(crate) fn runbook_ids(current: &std::ffi::OsStr) -> Vec<clap_complete::CompletionCandidate> {
    candidates(current, ids_in(&runbooks_dir(&words())))
}

/// Completes a step id of the runbook on the command line; in a `--steps` list (`19,2…`,
/// `20-2…`) the part after the last `,` or `-`.
pub(crate) fn step_ids(current: &std::ffi::OsStr) -> Vec<clap_complete::CompletionCandidate> {
    let Some(runbook) = named_runbook(&words()) else {
        return Vec::new();
    };
    let text = current.to_string_lossy();
    let cut = text.rfind([',', '-']).map_or(0, |i| i + 1);
    let (done, _) = text.split_at(cut);
    let mut values: Vec<String> = runbook
        .steps
        .iter()
        .map(|s| format!("{done}{}", s.id))
        .collect();
    if done.is_empty() {
        values.push("all".into());
    }
    candidates(current, values)
}

/// Completes `--param NAME=` with the parameters of the runbook on the command line.
pub(crate) fn param_names(current: &std::ffi::OsStr) -> Vec<clap_complete::CompletionCandidate> {
    let Some(runbook) = named_runbook(&words()) else {
        return Vec::new();
    };
    let values = runbook
        .params
        .iter()
        .map(|p| format!("{}=", p.name))
        .collect();
    candidates(current, values)
}
