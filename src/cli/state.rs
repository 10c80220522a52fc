//! `status` and `history`: what the state database says happened.

use super::args::{GlobalArgs, OutputFormat};
use super::connect;
use crate::error::{Error, Result};
use crate::exit_code;
use crate::output::documents::state::{
    AuditEntry, HistoryDocument, InterruptedRun, LastRun, LastVerify, RunbookStatus,
    StatusAllDocument, StatusDocument, StepStatus,
};
use crate::output::documents::RunbookRef;
use crate::output::human;
use crate::output::json::Document;
use crate::plan::live_check;
use crate::runbook::model::Direction;

/// The steps of `runbook` that have a last applied direction: id, direction, the run.
fn applied_steps(
    runbook: &crate::runbook::model::Runbook,
    states: &[crate::store::step_state::StepState],
) -> Vec<(String, Direction, Option<String>)> {
    runbook
        .steps
        .iter()
        .filter_map(|step| {
            let state = states.iter().find(|s| s.step == step.id)?;
            let direction = match state.last_direction.as_deref()? {
                "rollback" => Direction::Rollback,
                _ => Direction::Forward,
            };
            Some((step.id.clone(), direction, state.run_id.clone()))
        })
        .collect()
}

/// `rollbook status RUNBOOK [--check]`: per step the last direction applied, when, by whom, the
/// last verification, and the runs found interrupted; with `--check`, what the checks of each
/// step's last applied direction find now. Returns the exit code: 3 when state and data
/// disagree.
pub(crate) async fn status(global: &GlobalArgs, reference: &str, check: bool) -> Result<i32> {
    let loaded = crate::runbook::load(reference, &global.runbooks_dir)?;
    let runbook = &loaded.runbook;
    let database = global
        .db
        .clone()
        .unwrap_or_else(|| runbook.database.clone());
    let client = connect::client(global).await?;
    let store = connect::store(&client, global).await?;
    let newly_interrupted = store.reap_dead_runs(&runbook.id, &database).await?;
    let states = store.step_states(&runbook.id, &database).await?;
    let runs = store.runs(&runbook.id, &database, 20).await?;
    let interrupted: Vec<_> = runs
        .iter()
        .filter(|r| r.status == crate::store::runs::RunStatus::Interrupted)
        .collect();
    let checked = if check {
        let applied = applied_steps(runbook, &states);
        live_check::check_steps(&client, &store, &loaded, &database, &applied).await?
    } else {
        Vec::new()
    };
    let disagree: Vec<String> = checked
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.step.clone())
        .collect();
    let time = |t: Option<mongodb::bson::DateTime>| {
        t.and_then(|t| t.try_to_rfc3339_string().ok())
            .unwrap_or_default()
    };
    let steps: Vec<StepStatus> = runbook
        .steps
        .iter()
        .map(|step| {
            let state = states.iter().find(|s| s.step == step.id);
            let now = checked
                .iter()
                .position(|c| c.step == step.id)
                .map(|i| checked[i].clone());
            StepStatus {
                id: &step.id,
                title: &step.title,
                last_direction: state.and_then(|s| s.last_direction.as_deref()),
                applied_at: time(state.and_then(|s| s.applied_at)),
                applied_by: state.and_then(|s| s.applied_by.as_deref()),
                run_id: state.and_then(|s| s.run_id.as_deref()),
                last_verify: state
                    .and_then(|s| s.last_verify.as_ref())
                    .map(|v| LastVerify {
                        direction: v.get_str("direction").unwrap_or_default(),
                        ok: v.get_bool("ok").unwrap_or(false),
                        at: time(v.get_datetime("at").ok().copied()),
                        run_id: v.get_str("run_id").unwrap_or_default(),
                    }),
                check: check.then_some(now),
            }
        })
        .collect();
    let failure = (!disagree.is_empty()).then(|| {
        Error::VerifyFailed(format!(
            "the data no longer holds what the state database says of step(s) {}: their checks of the direction last applied do not hold now (nothing was changed)",
            disagree.join(", ")
        ))
    });
    match global.output {
        OutputFormat::Json => {
            let body = StatusDocument {
                runbook: RunbookRef::of(&loaded),
                database: &database,
                steps,
                interrupted_runs: interrupted
                    .iter()
                    .map(|r| InterruptedRun {
                        run_id: &r.id,
                        command: &r.command,
                        direction: &r.direction,
                        steps: &r.steps,
                        operator: &r.operator,
                        started_at: time(Some(r.started_at)),
                        last_heartbeat: time(Some(r.heartbeat_at)),
                    })
                    .collect(),
                newly_interrupted: newly_interrupted.iter().map(|r| r.id.as_str()).collect(),
            };
            match &failure {
                Some(error) => Document::failed("status", error, body).print(),
                None => Document::ok("status", body).print(),
            }
        }
        OutputFormat::Human => {
            println!("{} on database {database}", runbook.id);
            let mut header = vec!["step", "title", "last applied", "last verify"];
            if check {
                header.push("now");
            }
            let mut table = human::grid(&header);
            for step in &steps {
                let verify = step.last_verify.as_ref().map_or_else(String::new, |v| {
                    format!(
                        "{} after {} ({})",
                        if v.ok { "ok" } else { "FAILED" },
                        v.direction,
                        human::time(&v.at)
                    )
                });
                let applied = match step.last_direction {
                    Some(direction) => format!(
                        "{direction} by {} at {}",
                        step.applied_by.unwrap_or("?"),
                        human::time(&step.applied_at)
                    ),
                    None => "never".to_owned(),
                };
                let mut row = vec![step.id.to_owned(), step.title.to_owned(), applied, verify];
                if let Some(now) = &step.check {
                    row.push(match now {
                        None => String::new(),
                        Some(c) if c.error.is_some() => "cannot check".to_owned(),
                        Some(c) if c.ok => "holds".to_owned(),
                        Some(_) => "DISAGREES".to_owned(),
                    });
                }
                table.add_row(row);
            }
            println!("{table}");
            for now in steps.iter().filter_map(|s| s.check.clone().flatten()) {
                if let Some(error) = &now.error {
                    println!("step {}: cannot check: {error}", now.step);
                }
                for result in now.results.iter().filter(|r| !r.ok) {
                    println!(
                        "step {} ({} last applied): {}",
                        now.step,
                        now.direction.as_str(),
                        result.describe()
                    );
                }
            }
            for run in &interrupted {
                println!(
                    "interrupted run {}: {} {} of steps {} by {}, started {}; rerun the same command to resume it",
                    run.id,
                    run.command,
                    run.direction,
                    run.steps.join(","),
                    run.operator,
                    time(Some(run.started_at))
                );
            }
            if let Some(error) = &failure {
                eprintln!("error[VERIFY_FAILED]: {error}");
            }
        }
    }
    Ok(failure.map_or(exit_code::OK, |e| e.exit_code()))
}

/// `rollbook status [--check]` without a runbook: every runbook of the runbooks directory on one
/// line — its database, how many steps are forward or rolled back, its newest run, interrupted
/// runs and, with `--check`, the steps whose checks do not hold now.
pub(crate) async fn status_all(global: &GlobalArgs, check: bool) -> Result<i32> {
    let files = crate::runbook::load::list_files(&global.runbooks_dir)?;
    let client = connect::client(global).await?;
    let store = connect::store(&client, global).await?;
    let mut runbooks = Vec::new();
    for file in files {
        let loaded = match crate::runbook::load(&file.display().to_string(), &global.runbooks_dir) {
            Ok(loaded) => loaded,
            Err(error) => {
                runbooks.push(RunbookStatus {
                    id: file
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    database: String::new(),
                    steps: 0,
                    forward: 0,
                    rollback: 0,
                    last_run: None,
                    interrupted: 0,
                    disagree: None,
                    error: Some(crate::error::ErrorReport::of(&error).message),
                });
                continue;
            }
        };
        let runbook = &loaded.runbook;
        let database = global
            .db
            .clone()
            .unwrap_or_else(|| runbook.database.clone());
        let states = store.step_states(&runbook.id, &database).await?;
        let last = |direction: &str| {
            runbook
                .steps
                .iter()
                .filter(|step| {
                    states.iter().any(|s| {
                        s.step == step.id && s.last_direction.as_deref() == Some(direction)
                    })
                })
                .count()
        };
        let runs = store.runs(&runbook.id, &database, 20).await?;
        let disagree = if check {
            let applied = applied_steps(runbook, &states);
            let checked =
                live_check::check_steps(&client, &store, &loaded, &database, &applied).await?;
            Some(
                checked
                    .into_iter()
                    .filter(|c| !c.ok)
                    .map(|c| c.step)
                    .collect(),
            )
        } else {
            None
        };
        runbooks.push(RunbookStatus {
            id: runbook.id.clone(),
            database,
            steps: runbook.steps.len(),
            forward: last("forward"),
            rollback: last("rollback"),
            last_run: runs.first().map(|r| LastRun {
                run_id: r.id.clone(),
                command: r.command.clone(),
                status: r.status.as_str().to_owned(),
                started_at: r.started_at.try_to_rfc3339_string().unwrap_or_default(),
            }),
            interrupted: runs
                .iter()
                .filter(|r| r.status == crate::store::runs::RunStatus::Interrupted)
                .count(),
            disagree,
            error: None,
        });
    }
    let disagreeing: Vec<&str> = runbooks
        .iter()
        .filter(|r| r.disagree.as_ref().is_some_and(|d| !d.is_empty()))
        .map(|r| r.id.as_str())
        .collect();
    let failure = (!disagreeing.is_empty()).then(|| {
        Error::VerifyFailed(format!(
            "the data no longer holds what the state database says of runbook(s) {} (`rollbook status RUNBOOK --check` shows which checks); nothing was changed",
            disagreeing.join(", ")
        ))
    });
    match global.output {
        OutputFormat::Json => {
            let body = StatusAllDocument { runbooks };
            match &failure {
                Some(error) => Document::failed("status", error, body).print(),
                None => Document::ok("status", body).print(),
            }
        }
        OutputFormat::Human => {
            let mut header = vec!["runbook", "database", "steps", "applied", "last run"];
            if check {
                header.push("now");
            }
            let mut table = human::grid(&header);
            for r in &runbooks {
                let applied = match (&r.error, r.forward, r.rollback) {
                    (Some(_), _, _) => "unreadable".to_owned(),
                    (None, 0, 0) => "none".to_owned(),
                    (None, 0, back) => format!("{back} rolled back"),
                    (None, forward, 0) => format!("{forward} forward"),
                    (None, forward, back) => format!("{forward} forward, {back} rolled back"),
                };
                let mut last = r.last_run.as_ref().map_or_else(
                    || "never run".to_owned(),
                    |l| {
                        format!(
                            "{} {} {} ({})",
                            l.command,
                            l.status,
                            human::time(&l.started_at),
                            l.run_id
                        )
                    },
                );
                if r.interrupted > 0 {
                    last.push_str(&format!("; {} interrupted", r.interrupted));
                }
                let mut row = vec![
                    r.id.clone(),
                    r.database.clone(),
                    r.steps.to_string(),
                    applied,
                    last,
                ];
                if let Some(disagree) = &r.disagree {
                    row.push(if r.forward + r.rollback == 0 {
                        "nothing applied".to_owned()
                    } else if disagree.is_empty() {
                        "holds".to_owned()
                    } else {
                        format!("DISAGREES: step {}", disagree.join(", "))
                    });
                }
                table.add_row(row);
            }
            println!("{table}");
            for r in &runbooks {
                if let Some(error) = &r.error {
                    println!("{}: {error}", r.id);
                }
            }
            if let Some(error) = &failure {
                eprintln!("error[VERIFY_FAILED]: {error}");
            }
        }
    }
    Ok(failure.map_or(exit_code::OK, |e| e.exit_code()))
}

/// `rollbook history`: the audit trail, newest first.
pub(crate) async fn history(
    global: &GlobalArgs,
    runbook: Option<&str>,
    run: Option<&str>,
    limit: i64,
) -> Result<()> {
    let client = connect::client(global).await?;
    let store = connect::store(&client, global).await?;
    let events = store.history(runbook, run, limit).await?;
    let rows: Vec<AuditEntry> = events
        .iter()
        .map(|e| AuditEntry {
            at: e
                .get_datetime("at")
                .ok()
                .and_then(|t| t.try_to_rfc3339_string().ok()),
            run_id: e.get_str("run_id").ok(),
            runbook: e.get_str("runbook").ok(),
            database: e.get_str("database").ok(),
            operator: e.get_str("operator").ok(),
            event: e.get_str("event").ok(),
            step: e.get_str("step").ok(),
            details: e
                .get_document("details")
                .ok()
                .map(|d| mongodb::bson::Bson::Document(d.clone()).into_relaxed_extjson()),
        })
        .collect();
    match global.output {
        OutputFormat::Json => Document::ok("history", HistoryDocument { events: rows }).print(),
        OutputFormat::Human => {
            print!("{}", history_lines(&rows, human::width()));
        }
    }
    Ok(())
}

/// The audit trail for people: per event a line with when, what, where and who, then its run,
/// step and details, each wrapped at `width` without breaking a word.
fn history_lines(rows: &[AuditEntry], width: Option<usize>) -> String {
    let width = width.unwrap_or(usize::MAX);
    let mut out = String::new();
    for row in rows {
        let mut head = format!(
            "{}  {}",
            human::time(row.at.as_deref().unwrap_or_default()),
            row.event.unwrap_or_default()
        );
        if let Some(runbook) = row.runbook {
            head.push_str(&format!("  {runbook}"));
            if let Some(database) = row.database {
                head.push_str(&format!(" on {database}"));
            }
        }
        if let Some(operator) = row.operator {
            head.push_str(&format!("  by {operator}"));
        }
        let mut detail = Vec::new();
        if let Some(step) = row.step {
            detail.push(format!("step {step}"));
        }
        if let Some(run) = row.run_id {
            detail.push(format!("run {run}"));
        }
        if let Some(details) = row.details.as_ref().and_then(serde_json::Value::as_object) {
            detail.extend(
                details
                    .iter()
                    .filter(|(k, _)| *k != "actions")
                    .map(|(k, v)| match v {
                        serde_json::Value::String(text) => format!("{k}={text}"),
                        other => format!("{k}={}", human::json_inline(other)),
                    }),
            );
        }
        for line in human::wrap(&head, width, "    ") {
            out.push_str(&line);
            out.push('\n');
        }
        if !detail.is_empty() {
            for line in human::wrap(&detail.join("  "), width.saturating_sub(4), "  ") {
                out.push_str(&format!("    {line}\n"));
            }
        }
    }
    if rows.is_empty() {
        out.push_str("no audit events\n");
    }
    out
}
