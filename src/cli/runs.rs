//! `rollbook runs`: the runs the state database records, newest first, with their status and
//! what can be done with the ones that stopped before their end. It only reads.

use mongodb::bson::DateTime;

use super::args::{GlobalArgs, OutputFormat};
use super::connect;
use crate::error::Result;
use crate::output::documents::runs::{RunEntry, RunsDocument};
use crate::output::human;
use crate::output::json::Document;
use crate::store::runs::{RunRecord, RunStatus};

/// Lists runs of `runbook` (all when `None`) on `--db` (all when not given), with `status`.
pub(crate) async fn run(
    global: &GlobalArgs,
    runbook: Option<&str>,
    status: Option<RunStatus>,
    limit: i64,
) -> Result<()> {
    let client = connect::connect(global).await?.client;
    let store = connect::store(&client, global).await?;
    let now = DateTime::now();
    // A run whose process is gone is shown interrupted (it is marked so by the next run), so
    // a run recorded as running may be either.
    let stored: Vec<RunStatus> = match status {
        None => Vec::new(),
        Some(RunStatus::Interrupted) => vec![RunStatus::Interrupted, RunStatus::Running],
        Some(wanted) => vec![wanted],
    };
    let runs: Vec<RunRecord> = store
        .list_runs(runbook, global.db.as_deref(), &stored, limit.max(1))
        .await?
        .into_iter()
        .map(|mut run| {
            if run.is_dead(now) {
                run.status = RunStatus::Interrupted;
            }
            run
        })
        .filter(|run| status.is_none_or(|wanted| run.status == wanted))
        .collect();
    let entries: Vec<RunEntry<'_>> = runs.iter().map(entry).collect();
    match global.output {
        OutputFormat::Json => Document::ok("runs", RunsDocument { runs: entries }).print(),
        OutputFormat::Human => print!("{}", human_view(&entries)),
    }
    Ok(())
}

fn time(at: DateTime) -> String {
    at.try_to_rfc3339_string().unwrap_or_default()
}

fn entry(run: &RunRecord) -> RunEntry<'_> {
    let left_to_undo = run.undo.as_ref().map_or(0, |u| u.remaining.len());
    let stopped = matches!(
        run.status,
        RunStatus::Interrupted | RunStatus::Failed | RunStatus::CompensationIncomplete
    );
    RunEntry {
        run_id: &run.id,
        command: &run.command,
        runbook: &run.runbook,
        database: &run.database,
        steps: &run.steps,
        status: run.status,
        exit_code: run.exit_code,
        operator: &run.operator,
        plan_id: run.plan_id.as_deref(),
        started_at: time(run.started_at),
        finished_at: run.finished_at.map(time),
        left_to_undo,
        next: (stopped && run.command != "verify")
            .then(|| format!("rollbook resume {0} (or rollbook abandon {0})", run.id)),
    }
}

/// The runs as a grid, then a line per run that can be resumed.
fn human_view(entries: &[RunEntry<'_>]) -> String {
    if entries.is_empty() {
        return "no runs recorded\n".to_owned();
    }
    let mut grid = human::grid(&["run", "what", "status", "started", "by"]);
    for run in entries {
        let status = match (run.exit_code, run.left_to_undo) {
            (_, left) if left > 0 => format!("{} ({left} to undo)", run.status),
            (Some(code), _) if code != 0 => format!("{} (exit {code})", run.status),
            _ => run.status.to_string(),
        };
        grid.add_row([
            run.run_id.to_owned(),
            format!(
                "{} {} steps {} on {}",
                run.command,
                run.runbook,
                run.steps.join(","),
                run.database
            ),
            status,
            human::time(&run.started_at),
            run.operator.to_owned(),
        ]);
    }
    let mut out = format!("{grid}\n");
    for run in entries {
        if let Some(next) = &run.next {
            out.push_str(&human::paragraph(&format!(
                "{} stopped before its end: {next}",
                run.run_id
            )));
            out.push('\n');
        }
    }
    out
}
