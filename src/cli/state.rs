//! `status` and `history`: what the state database says happened.

use super::args::{GlobalArgs, OutputFormat};
use super::connect;
use crate::error::Result;
use crate::output::documents::state::{
    AuditEntry, HistoryDocument, InterruptedRun, LastVerify, StatusDocument, StepStatus,
};
use crate::output::documents::RunbookRef;
use crate::output::human;
use crate::output::json::Document;

/// `rollbook status RUNBOOK`: per step the last direction applied, when, by whom, the last
/// verification, and the runs found interrupted.
pub(crate) async fn status(global: &GlobalArgs, reference: &str) -> Result<()> {
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
    let time = |t: Option<mongodb::bson::DateTime>| {
        t.and_then(|t| t.try_to_rfc3339_string().ok())
            .unwrap_or_default()
    };
    let steps: Vec<StepStatus> = runbook
        .steps
        .iter()
        .map(|step| {
            let state = states.iter().find(|s| s.step == step.id);
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
            }
        })
        .collect();
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
            Document::ok("status", body).print();
        }
        OutputFormat::Human => {
            println!("{} on database {database}", runbook.id);
            let mut table = human::grid(&["step", "title", "last applied", "last verify"]);
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
                table.add_row(vec![
                    step.id.to_owned(),
                    step.title.to_owned(),
                    applied,
                    verify,
                ]);
            }
            println!("{table}");
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
        }
    }
    Ok(())
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
