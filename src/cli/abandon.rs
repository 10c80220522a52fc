//! `rollbook abandon RUN_ID`: record that a stopped run will not be finished, so no rerun
//! resumes it; its snapshots are kept. Asks; audited.

use std::io::IsTerminal;

use mongodb::bson::{doc, DateTime};

use super::args::{GlobalArgs, OutputFormat};
use super::connect;
use crate::error::{Error, Result};
use crate::output::documents::abandon::{AbandonDocument, Abandoned};
use crate::output::json::Document;
use crate::store::audit::AuditEvent;
use crate::store::runs::RunStatus;

/// Abandons run `run_id` of the state database.
pub(crate) async fn run(global: &GlobalArgs, run_id: &str) -> Result<()> {
    let client = connect::connect(global).await?.client;
    let store = connect::store(&client, global).await?;
    let Some(run) = store.run(run_id).await? else {
        return Err(Error::Usage(format!(
            "there is no run {run_id} in the state database {}; nothing was changed",
            global.state_db
        )));
    };
    let stopped = matches!(run.status, RunStatus::Interrupted | RunStatus::Failed)
        || run.is_dead(DateTime::now());
    if run.status == RunStatus::Running && stopped {
        // Its process is gone: it is interrupted, whatever its record still says.
    } else if run.status == RunStatus::Running {
        return Err(Error::Concurrent(format!(
            "run {run_id} is still running (host {}, pid {}); stop it first; nothing was changed",
            run.host, run.pid
        )));
    } else if !stopped {
        return Err(Error::Usage(format!(
            "run {run_id} ended {}: only a run that stopped before its end (interrupted or failed) can be abandoned; nothing was changed",
            run.status
        )));
    }
    if !global.yes {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(Error::NotConfirmed(format!(
                "abandoning run {run_id} needs confirmation: pass --yes; nothing was changed"
            )));
        }
        let go = super::prompt::yes_no(&format!(
            "Abandon run {run_id} ({} of {} steps {} on database {}, {})? No rerun will finish it.",
            run.command,
            run.runbook,
            run.steps.join(","),
            run.database,
            run.status
        )) == super::prompt::Answer::Yes;
        if !go {
            return Err(Error::NotConfirmed(
                "declined; the run was left as it was".into(),
            ));
        }
    }
    super::contexts::confirm_protected(
        global,
        &format!("Abandoning run {run_id} means no rerun finishes it."),
    )?;
    let operator = connect::operator(global);
    if !store.abandon_run(run_id, run.status, &operator).await? {
        return Err(Error::Concurrent(format!(
            "run {run_id} changed while being abandoned (it was resumed?); nothing was changed"
        )));
    }
    let kept = store.unrestored_snapshots_of(run_id).await?;
    store
        .audit(
            &AuditEvent {
                run_id: Some(run_id),
                runbook: &run.runbook,
                database: &run.database,
                operator: &operator,
                event: "run_abandoned",
                step: None,
                details: doc! {"was": run.status.as_str(), "snapshots_kept": i64::try_from(kept).unwrap_or(i64::MAX)},
            },
            None,
        )
        .await?;
    match global.output {
        OutputFormat::Json => Document::ok(
            "abandon",
            AbandonDocument {
                abandon: Abandoned {
                    run_id,
                    was: run.status,
                    snapshots_kept: kept,
                },
            },
        )
        .print(),
        OutputFormat::Human => println!(
            "abandoned run {run_id} ({} of {} steps {}, was {}); its {kept} snapshot(s) not put back are kept",
            run.command,
            run.runbook,
            run.steps.join(","),
            run.status
        ),
    }
    Ok(())
}
