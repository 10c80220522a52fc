//! `list`, `show` and `validate`: reading runbooks without touching a database.

use std::path::PathBuf;

use serde_json::Value;

use super::args::{GlobalArgs, OutputFormat};
use crate::error::{Error, Problem, Result};
use crate::output::documents::catalog::{
    ListDocument, RunbookSummary, ShowDocument, ValidateDocument, ValidatedFile,
};
use crate::output::human;
use crate::output::json::Document;
use crate::runbook::model::{Action, Check, Step};
use crate::runbook::{load, LoadedRunbook};

/// `rollbook list`.
pub(crate) fn list(global: &GlobalArgs) -> Result<()> {
    let files = load::list_files(&global.runbooks_dir)?;
    let mut loaded = Vec::new();
    for file in files {
        loaded.push(load::load_file(&file).map_err(Error::InvalidRunbook)?);
    }
    match global.output {
        OutputFormat::Json => {
            let runbooks = loaded.iter().map(RunbookSummary::of).collect();
            Document::ok("list", ListDocument { runbooks }).print();
        }
        OutputFormat::Human => {
            for (index, item) in loaded.iter().enumerate() {
                let runbook = &item.runbook;
                if index > 0 {
                    println!();
                }
                println!(
                    "{}",
                    human::paragraph(&format!(
                        "{} — {} (database {}, {} steps)",
                        runbook.id,
                        runbook.title,
                        runbook.database,
                        runbook.steps.len()
                    ))
                );
                let mut table =
                    human::grid(&["step", "title", "approval", "data loss", "rollback"]);
                for step in &runbook.steps {
                    table.add_row(vec![
                        step.id.clone(),
                        step.title.clone(),
                        step.approval
                            .as_ref()
                            .map(|a| name_of(&a.category))
                            .unwrap_or_default(),
                        name_of(&step.data_loss.level),
                        rollback_summary(step),
                    ]);
                }
                println!("{table}");
            }
        }
    }
    Ok(())
}

/// The name an enum value has in YAML and JSON (`user_linking`, `partial`, ...).
fn name_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn rollback_summary(step: &Step) -> String {
    if step.rollback_unsupported.is_some() {
        "unsupported".into()
    } else if step.rollback.iter().any(Action::needs_operator) {
        "manual".into()
    } else if step.rollback.is_empty() {
        "none".into()
    } else {
        format!("{} action(s)", step.rollback.len())
    }
}

/// `rollbook show RUNBOOK [STEP]`.
pub(crate) fn show(global: &GlobalArgs, reference: &str, step_id: Option<&str>) -> Result<()> {
    let loaded = load::load(reference, &global.runbooks_dir)?;
    let runbook = &loaded.runbook;
    let steps: Vec<&Step> = match step_id {
        None => runbook.steps.iter().collect(),
        Some(id) => vec![runbook.steps.iter().find(|s| s.id == id).ok_or_else(|| {
            let ids: Vec<&str> = runbook.steps.iter().map(|s| s.id.as_str()).collect();
            Error::Usage(format!(
                "runbook {} has no step {id:?} (steps: {})",
                runbook.id,
                ids.join(", ")
            ))
        })?],
    };
    match global.output {
        OutputFormat::Json => {
            let body = ShowDocument {
                runbook: RunbookSummary::of(&loaded),
                steps,
            };
            Document::ok("show", body).print();
        }
        OutputFormat::Human => {
            println!("{} — {}", runbook.id, runbook.title);
            println!(
                "file {}  digest {}  database {}",
                loaded.path.display(),
                loaded.digest,
                runbook.database
            );
            if let Some(description) = &runbook.description {
                println!("\n{}", description.trim_end());
            }
            for param in &runbook.params {
                println!(
                    "  param {} ({:?}){}: {}",
                    param.name,
                    param.kind,
                    param
                        .default
                        .as_ref()
                        .map(|d| format!(" default {d:?}"))
                        .unwrap_or_default(),
                    param.description
                );
            }
            for step in steps {
                print_step(step);
            }
        }
    }
    Ok(())
}

fn print_step(step: &Step) {
    println!("\nStep {}: {}", step.id, step.title);
    let list = |items: &[String]| {
        items
            .iter()
            .map(|i| format!("• {i}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let rows: Vec<(&str, String)> = vec![
        ("added", list(&step.added)),
        ("impact", list(&step.impact)),
        ("warnings", list(&step.warnings)),
        (
            "recommendation",
            step.recommendation.clone().unwrap_or_default(),
        ),
        (
            "data loss",
            format!(
                "{} {}",
                name_of(&step.data_loss.level),
                step.data_loss.detail.clone().unwrap_or_default()
            ),
        ),
        (
            "reversibility",
            format!(
                "{} {}",
                name_of(&step.reversibility.level),
                step.reversibility.detail.clone().unwrap_or_default()
            ),
        ),
        ("time", step.time.clone().unwrap_or_default()),
        (
            "approval",
            step.approval
                .as_ref()
                .map(|a| {
                    let directions: Vec<&str> = a.directions.iter().map(|d| d.as_str()).collect();
                    format!(
                        "{} ({}): {}",
                        name_of(&a.category),
                        directions.join(", "),
                        a.reason
                    )
                })
                .unwrap_or_else(|| "not needed".into()),
        ),
        ("transaction", name_of(&step.transaction)),
        ("forward", actions_text(&step.forward)),
        (
            "rollback",
            step.rollback_unsupported
                .as_ref()
                .map(|reason| format!("UNSUPPORTED: {reason}"))
                .unwrap_or_else(|| actions_text(&step.rollback)),
        ),
        ("verify forward", checks_text(&step.verify.forward)),
        ("verify rollback", checks_text(&step.verify.rollback)),
    ];
    print!("{}", human::fields(&rows, human::width()));
}

fn actions_text(actions: &[Action]) -> String {
    actions
        .iter()
        .map(describe_action)
        .collect::<Vec<_>>()
        .join("\n")
}

fn checks_text(checks: &[Check]) -> String {
    checks
        .iter()
        .map(describe_check)
        .collect::<Vec<_>>()
        .join("\n")
}

/// One line describing an action.
fn describe_action(action: &Action) -> String {
    match action {
        Action::Unset(a) => format!(
            "unset {} on {} where {}",
            a.fields.join(", "),
            a.collection,
            filter_text(a.filter.as_ref(), a.all_documents)
        ),
        Action::Set(a) => format!(
            "set {} on {} where {}",
            compact(&a.values),
            a.collection,
            filter_text(a.filter.as_ref(), a.all_documents)
        ),
        Action::Update(a) => format!(
            "update {} with {} where {}",
            a.collection,
            a.update
                .documents()
                .into_iter()
                .map(compact)
                .collect::<Vec<_>>()
                .join(" then "),
            filter_text(a.filter.as_ref(), a.all_documents)
        ),
        Action::Delete(a) => format!(
            "delete from {} where {}",
            a.collection,
            filter_text(a.filter.as_ref(), a.all_documents)
        ),
        Action::CreateIndex(a) => format!(
            "create index {} {} on {}",
            a.name.as_deref().unwrap_or(""),
            compact(&a.keys),
            a.collection
        ),
        Action::DropIndex(a) => format!("drop index {} on {}", a.name, a.collection),
        Action::CreateCollection(a) => format!("create collection {}", a.collection),
        Action::DropCollection(t) => format!("drop collection {}", t.collection),
        Action::RenameCollection(a) => format!("rename collection {} → {}", a.from, a.to),
        Action::CopyCollection(a) => format!(
            "copy collection {} → {}{}",
            a.from,
            a.to,
            if a.indexes { " (with indexes)" } else { "" }
        ),
        Action::BackupToCollection(a) => format!(
            "back up {} where {} → {}",
            a.collection,
            filter_text(a.filter.as_ref(), a.all_documents),
            a.to
        ),
        Action::RestoreSnapshot(a) => format!(
            "restore snapshot of {}{}",
            a.collection,
            if a.fields.is_empty() {
                String::new()
            } else {
                format!(" ({})", a.fields.join(", "))
            }
        ),
        Action::Dump(a) => format!(
            "dump {} → {}{}",
            a.databases,
            a.out,
            if a.gzip { " (gzip)" } else { "" }
        ),
        Action::Restore(a) => format!(
            "restore {} from {}{}",
            a.databases,
            a.from,
            if a.drop { " (drop)" } else { "" }
        ),
        Action::Shell(a) => format!(
            "shell `{}`{}",
            a.run,
            a.opt_in
                .as_ref()
                .map(|o| format!(" (only with --with {o})"))
                .unwrap_or_default()
        ),
        Action::Manual(a) => format!(
            "manual: {}",
            a.instructions.lines().next().unwrap_or_default()
        ),
        Action::Checklist(a) => format!("checklist: {} item(s)", a.items.len()),
        Action::Check(check) => format!("check: {}", describe_check(check)),
        Action::Notify(a) => format!("notify {}: {}", a.to.join(", "), a.message),
    }
}

fn describe_check(check: &Check) -> String {
    match check {
        Check::Count(c) => {
            let bound = match (c.equals, c.min, c.max) {
                (Some(n), _, _) => format!(" = {n}"),
                (None, Some(min), Some(max)) => format!(" in {min}..={max}"),
                (None, Some(min), None) => format!(" ≥ {min}"),
                (None, None, Some(max)) => format!(" ≤ {max}"),
                (None, None, None) => " (reported)".into(),
            };
            format!(
                "count {} where {}{bound}",
                c.collection,
                filter_text(c.filter.as_ref(), c.all_documents)
            )
        }
        Check::IndexExists(c) => format!(
            "index {} on {} {}",
            c.name,
            c.collection,
            if c.present { "exists" } else { "absent" }
        ),
        Check::CollectionExists(c) => format!(
            "collection {} {}",
            c.collection,
            if c.present { "exists" } else { "absent" }
        ),
        Check::CountsEqual(c) => {
            format!("count {} = count {}", c.left.collection, c.right.collection)
        }
        Check::ContentEqual(c) => format!("content {} = content {}", c.left, c.right),
        Check::BackupValid(c) => format!("backup {} is complete ({})", c.path, c.databases),
        Check::MatchesBackup(c) => format!("{} match backup {}", c.databases, c.path),
    }
}

fn filter_text(filter: Option<&serde_json::Map<String, Value>>, all: bool) -> String {
    match filter {
        Some(f) if !f.is_empty() => compact(f),
        _ if all => "all documents".into(),
        _ => "{}".into(),
    }
}

fn compact(map: &serde_json::Map<String, Value>) -> String {
    human::json_inline(&Value::Object(map.clone()))
}

/// `rollbook validate [FILES…]`.
pub(crate) fn validate(global: &GlobalArgs, references: &[String]) -> Result<()> {
    let paths: Vec<PathBuf> = if references.is_empty() {
        load::list_files(&global.runbooks_dir)?
    } else {
        references
            .iter()
            .map(|r| load::resolve_reference(r, &global.runbooks_dir))
            .collect::<Result<_>>()?
    };
    if paths.is_empty() {
        return Err(Error::Usage(format!(
            "no runbooks in {}",
            global.runbooks_dir.display()
        )));
    }
    let results: Vec<(PathBuf, std::result::Result<LoadedRunbook, Vec<Problem>>)> = paths
        .into_iter()
        .map(|p| (p.clone(), load::load_file(&p)))
        .collect();
    let problems: Vec<Problem> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .flatten()
        .cloned()
        .collect();
    let error = (!problems.is_empty()).then(|| Error::InvalidRunbook(problems));
    match global.output {
        OutputFormat::Json => {
            let body = ValidateDocument {
                runbooks: results
                    .iter()
                    .map(|(path, result)| ValidatedFile::of(path, result))
                    .collect(),
            };
            match &error {
                Some(error) => Document::failed("validate", error, body).print(),
                None => Document::ok("validate", body).print(),
            }
        }
        OutputFormat::Human => {
            let mut table = human::grid(&["file", "runbook", "steps", "result", "digest"]);
            for (path, result) in &results {
                let row = match result {
                    Ok(loaded) => vec![
                        path.display().to_string(),
                        loaded.runbook.id.clone(),
                        loaded.runbook.steps.len().to_string(),
                        "ok".into(),
                        loaded.digest.clone(),
                    ],
                    Err(problems) => vec![
                        path.display().to_string(),
                        String::new(),
                        String::new(),
                        format!("{} problem(s)", problems.len()),
                        String::new(),
                    ],
                };
                table.add_row(row);
            }
            println!("{table}");
        }
    }
    error.map_or(Ok(()), Err)
}
