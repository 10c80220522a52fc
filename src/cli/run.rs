//! `apply`, `rollback` and `verify`: resolve, connect, run through the engine, render.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::args::{GlobalArgs, OutputFormat};
use super::connect;
use super::request::RunInvocation;
use crate::actions::{Confirmer, ManualAnswer, RunEnv};
use crate::engine::prepare::{self, Ask};
use crate::engine::{Engine, EventSink, RunEvent, RunOptions, RunReport};
use crate::error::{Error, Result};
use crate::output::run_report;
use crate::plan::dry_run;
use crate::plan::saved::SavedPlan;
use crate::runbook::LoadedRunbook;

/// Runs one of the three run commands; returns the run's exit code. The gates, in order:
/// bad input (2), a missing approved plan (4), no terminal and no `--yes` (5) — all before
/// connecting — then with the database: the approval itself (4), drift from the saved plan
/// (10), the lock (6), and the operator's confirmation (5). Nothing is written before all pass.
pub(crate) async fn run(global: &GlobalArgs, invocation: &RunInvocation<'_>) -> Result<i32> {
    let request = super::request::run_request(global, invocation)?;
    let loaded = crate::runbook::load(request.runbook_reference()?, &global.runbooks_dir)?;
    let checked = prepare::check(&request, &loaded)?;
    let client = connect::client(global).await?;
    let store = connect::store(&client, global).await?;
    let db_user = crate::store::approvals::authenticated_user(&client).await;
    let limit = request.transaction_limit();
    let prepared = prepare::prepare(
        &store,
        &request,
        &checked,
        mongodb::bson::DateTime::now(),
        async || dry_run::preview(&client, &store, &checked.plan, limit).await,
    )
    .await?;
    if let Some(ask) = &prepared.ask {
        if let Some(run) = &prepared.resuming {
            eprintln!(
                "this resumes interrupted run {run}: its finished actions are not done again"
            );
        }
        let preview = match prepared.preview.clone() {
            Some(preview) => preview,
            None => dry_run::preview(&client, &store, &checked.plan, limit).await?,
        };
        confirm(&loaded, &checked.plan, preview, limit, ask)?;
    }
    let interrupt = Arc::new(AtomicBool::new(false));
    let watcher = watch_signals(interrupt.clone())?;
    let env = RunEnv {
        params: checked.plan.params.clone(),
        opt_ins: request.choices.opt_ins.clone(),
        confirmer: Arc::new(TerminalConfirmer),
        acknowledged: request.choices.acknowledged.clone(),
        on_conflict: request.choices.on_conflict,
    };
    let options = RunOptions {
        command: request.command,
        operator: request.operator.clone(),
        continue_on_error: checked.continue_on_error,
        transaction_limit: limit,
        interrupt,
        db_user,
        plan: prepared.plan,
    };
    let progress = Progress {
        enabled: global.output == OutputFormat::Human && std::io::stderr().is_terminal(),
    };
    let engine = Engine {
        client: &client,
        store: &store,
        env: &env,
        events: &progress,
        options: &options,
    };
    let report = engine.run(&loaded, &checked.request).await;
    watcher.abort();
    let report = report?;
    render(global, &report);
    Ok(report.exit_code)
}

/// Registers SIGINT (Ctrl-C) and SIGTERM handlers now — before anything is written — so a
/// signal never kills the process mid-action: it sets `interrupt`, and the engine stops after
/// the current action.
fn watch_signals(interrupt: Arc<AtomicBool>) -> Result<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let register =
        |kind| signal(kind).map_err(|e| Error::io("cannot install the interrupt handler", e));
    let mut sigint = register(SignalKind::interrupt())?;
    let mut sigterm = register(SignalKind::terminate())?;
    Ok(tokio::spawn(async move {
        tokio::select! {
            _ = sigint.recv() => {}
            _ = sigterm.recv() => {}
        }
        eprintln!("\ninterrupt: finishing the current action, then stopping (rerun the same command to resume)");
        interrupt.store(true, Ordering::SeqCst);
    }))
}

/// Shows what will change and asks: a typed runbook id when a step loses data, else yes/no.
fn confirm(
    loaded: &LoadedRunbook,
    plan: &crate::plan::RunPlan,
    preview: dry_run::PlanPreview,
    limit: u64,
    ask: &Ask,
) -> Result<()> {
    let summary = SavedPlan::new(crate::plan::saved::PlanContent {
        created_at: String::new(),
        created_by: String::new(),
        runbook: loaded.runbook.id.clone(),
        runbook_digest: loaded.digest.clone(),
        database: plan.database.clone(),
        direction: plan.direction,
        steps: plan
            .steps
            .iter()
            .map(|s| s.step.id.clone())
            .collect::<Vec<_>>()
            .join(","),
        params: plan.params.clone(),
        continue_on_error: false,
        transaction_limit: limit,
        approvals_required: Vec::new(),
        preview,
    });
    eprint!(
        "{}",
        crate::output::plan_view::human(&summary, &plan.skipped)
    );
    let declined = || Error::NotConfirmed("declined by the operator; nothing was changed".into());
    let Ask::RunbookId { losing } = ask else {
        let go = dialoguer::Confirm::new()
            .with_prompt(format!(
                "Run {} of {} on {}?",
                plan.direction.as_str(),
                loaded.runbook.id,
                plan.database
            ))
            .default(false)
            .interact()
            .map_err(|_| declined())?;
        return if go { Ok(()) } else { Err(declined()) };
    };
    let typed: String = dialoguer::Input::new()
        .with_prompt(format!(
            "Step(s) {} lose data when done by hand (rollbook snapshots it first). Type the runbook id ({}) to continue",
            losing.join(", "),
            loaded.runbook.id
        ))
        .allow_empty(true)
        .interact_text()
        .map_err(|_| declined())?;
    if typed.trim() == loaded.runbook.id {
        Ok(())
    } else {
        Err(declined())
    }
}

fn render(global: &GlobalArgs, report: &RunReport) {
    match global.output {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(report).unwrap_or_default()
        ),
        OutputFormat::Human => print!("{}", run_report::human(report)),
    }
    // The headline goes to stderr in both formats, so a script that keeps stdout for the JSON
    // report still shows the operator what went wrong.
    if let Some(error) = &report.error {
        eprintln!(
            "error[{}]: {}",
            error.code,
            crate::secrets::redact(&error.message)
        );
    }
}

/// Progress lines on stderr while a run goes (only on a terminal).
struct Progress {
    enabled: bool,
}

impl EventSink for Progress {
    fn emit(&self, event: RunEvent) {
        if !self.enabled {
            return;
        }
        match event {
            RunEvent::Started { run_id, resumed } => {
                eprintln!(
                    "{} run {run_id}",
                    if resumed {
                        "resuming interrupted"
                    } else {
                        "starting"
                    }
                );
            }
            RunEvent::StepStarted {
                id,
                title,
                transaction,
            } => {
                eprintln!(
                    "step {id}: {title}{}",
                    if transaction {
                        " (in a transaction)"
                    } else {
                        ""
                    }
                );
            }
            RunEvent::ActionFinished { outcome, .. } => {
                let counts = match (outcome.affected, outcome.modified) {
                    (Some(a), Some(m)) => format!(" affected {a}, modified {m}"),
                    (Some(a), None) => format!(" {a} documents"),
                    _ => String::new(),
                };
                eprintln!(
                    "  {} {}{counts} [{}] {} ms",
                    outcome.kind,
                    outcome.collection.as_deref().unwrap_or(""),
                    outcome.status,
                    outcome.duration_ms
                );
            }
            RunEvent::StepFinished(step) => eprintln!("  → step {} {}", step.id, step.status),
            RunEvent::Warning(message) => eprintln!("warning: {message}"),
        }
    }
}

/// Asks about manual actions on the terminal; with no terminal, leaves them pending.
struct TerminalConfirmer;

impl Confirmer for TerminalConfirmer {
    fn confirm_manual(&self, step: &str, title: &str, lines: &[String]) -> ManualAnswer {
        if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
            return ManualAnswer::Unavailable;
        }
        eprintln!("\nstep {step} — {title}:");
        for line in lines {
            eprintln!("  {line}");
        }
        match dialoguer::Confirm::new()
            .with_prompt("Is this done?")
            .default(false)
            .interact()
        {
            Ok(true) => ManualAnswer::Done,
            Ok(false) => ManualAnswer::NotDone,
            Err(_) => ManualAnswer::Unavailable,
        }
    }
}
