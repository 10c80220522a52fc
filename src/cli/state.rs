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
            let mut table =
                human::table(&["step", "title", "last applied", "when", "by", "last verify"]);
            for step in &steps {
                let verify = step.last_verify.as_ref().map_or_else(String::new, |v| {
                    format!(
                        "{} {} ({})",
                        v.direction,
                        if v.ok { "ok" } else { "FAILED" },
                        v.at
                    )
                });
                table.add_row(vec![
                    step.id.to_owned(),
                    step.title.to_owned(),
                    step.last_direction.unwrap_or("never").to_owned(),
                    step.applied_at.clone(),
                    step.applied_by.unwrap_or("").to_owned(),
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
            let mut table = human::table(&[
                "at", "run", "runbook", "database", "event", "step", "operator", "details",
            ]);
            for row in &rows {
                let cell = |value: Option<&str>| value.unwrap_or("").to_owned();
                let details = row
                    .details
                    .as_ref()
                    .and_then(serde_json::Value::as_object)
                    .map(|d| {
                        d.iter()
                            .filter(|(k, _)| *k != "actions")
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(" ")
                    });
                table.add_row(vec![
                    cell(row.at.as_deref()),
                    cell(row.run_id),
                    cell(row.runbook),
                    cell(row.database),
                    cell(row.event),
                    cell(row.step),
                    cell(row.operator),
                    details.unwrap_or_default(),
                ]);
            }
            println!("{table}");
        }
    }
    Ok(())
}
