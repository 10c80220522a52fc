//! `apply`, `rollback` and `verify`: resolve, connect, run through the engine, render.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use std::path::Path;

use super::args::{GlobalArgs, OutputFormat, RunArgs};
use super::connect;
use super::plan::request_for;
use crate::actions::{Confirmer, ManualAnswer, RunEnv};
use crate::engine::gates::{self, Confirmation, Terminal};
use crate::engine::{Engine, EventSink, PlanRef, RunCommand, RunEvent, RunOptions, RunReport};
use crate::error::{Error, Result};
use crate::output::run_report;
use crate::plan::dry_run;
use crate::plan::saved::SavedPlan;
use crate::plan::{PlanRequest, StepSelection};
use crate::runbook::model::Direction;
use crate::runbook::LoadedRunbook;

/// What `apply`, `rollback` and `verify` were asked to do.
pub struct RunInvocation<'a> {
    /// Which command.
    pub command: RunCommand,
    /// Runbook id or path (optional with `--plan`).
    pub reference: Option<&'a str>,
    /// Run options.
    pub args: &'a RunArgs,
    /// `verify --direction`.
    pub direction: Option<Direction>,
    /// `rollback --emergency`.
    pub emergency: bool,
    /// `--plan FILE`.
    pub plan_file: Option<&'a Path>,
    /// `--max-drift PERCENT`.
    pub max_drift: f64,
}

/// Runs one of the three run commands; returns the run's exit code. The gates, in order:
/// bad input (2), a missing approved plan (4), no terminal and no `--yes` (5) — all before
/// connecting — then with the database: the approval itself (4), drift from the saved plan
/// (10), the lock (6), and the operator's confirmation (5). Nothing is written before all pass.
pub async fn run(global: &GlobalArgs, invocation: &RunInvocation<'_>) -> Result<i32> {
    let command = invocation.command;
    let direction = match command {
        RunCommand::Apply => Direction::Forward,
        RunCommand::Rollback => Direction::Rollback,
        RunCommand::Verify => invocation.direction.unwrap_or(Direction::Forward),
    };
    let saved = invocation.plan_file.map(SavedPlan::read).transpose()?;
    let (loaded, request, continue_on_error) = match &saved {
        Some(saved) => from_saved_plan(global, saved, invocation.reference, direction)?,
        None => {
            let reference = invocation
                .reference
                .ok_or_else(|| Error::Usage("name a runbook, or pass --plan FILE".into()))?;
            let loaded = crate::runbook::load(reference, &global.runbooks_dir)?;
            let (request, _, continue_on_error) = request_for(
                &loaded,
                global,
                invocation.args,
                direction,
                invocation.emergency,
            )?;
            (loaded, request, continue_on_error)
        }
    };
    // Bad input is refused before connecting: resolve once with a throwaway run id.
    let checked = crate::plan::resolve(&loaded, &request, "check")?;
    let needs_approval = gates::needing_approval(&checked, command);
    let terminal = if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        Terminal::Present
    } else {
        Terminal::Absent
    };
    let confirmation = if global.yes {
        Confirmation::AssumeYes
    } else {
        Confirmation::Prompt
    };
    gates::offline(&gates::Offline {
        command,
        direction,
        runbook: &loaded.runbook.id,
        needs_approval: &needs_approval,
        with_plan: saved.is_some(),
        confirmation,
        terminal,
    })?;
    let client = connect::client(global).await?;
    let store = connect::store(&client, global).await?;
    let operator = connect::operator(global);
    let db_user = crate::store::approvals::authenticated_user(&client).await;
    let mut plan_ref = None;
    // The dry-run of a saved plan, made once for the drift check and shown again when asking.
    let mut preview = None;
    if let Some(saved) = &saved {
        let approvals = if needs_approval.is_empty() {
            Vec::new()
        } else {
            store.approvals_for(&saved.plan_id).await?
        };
        let approval = gates::approval(
            &needs_approval,
            &approvals,
            saved,
            &operator,
            mongodb::bson::DateTime::now(),
        )?
        .cloned();
        // Resuming an interrupted run of this plan: its finished actions changed the counts on
        // purpose, and the plan was checked when that run started.
        store
            .reap_dead_runs(&checked.runbook_id, &checked.database)
            .await?;
        let step_ids: Vec<String> = checked.steps.iter().map(|s| s.step.id.clone()).collect();
        let latest = store
            .runs(&checked.runbook_id, &checked.database, 1)
            .await?;
        let resuming = crate::engine::resume::resumable(
            latest.first(),
            &crate::engine::resume::Attempt {
                command: command.as_str(),
                direction: checked.direction.as_str(),
                steps: &step_ids,
                digest: &checked.digest,
                plan_id: Some(saved.plan_id.as_str()),
            },
        )
        .is_some();
        let now =
            dry_run::preview(&client, &store, &checked, saved.content.transaction_limit).await?;
        let differences =
            crate::plan::saved::drift(&saved.content.preview, &now, invocation.max_drift);
        gates::drift(&saved.plan_id, &differences, invocation.max_drift, resuming)?;
        plan_ref = Some(PlanRef {
            plan_id: saved.plan_id.clone(),
            approval,
        });
        preview = Some(now);
    }
    if command != RunCommand::Verify && confirmation == Confirmation::Prompt {
        let limit = saved
            .as_ref()
            .map_or(invocation.args.transaction_limit, |s| {
                s.content.transaction_limit
            });
        let preview = match preview.take() {
            Some(preview) => preview,
            None => dry_run::preview(&client, &store, &checked, limit).await?,
        };
        confirm(&loaded, &checked, preview, limit)?;
    }
    let interrupt = Arc::new(AtomicBool::new(false));
    let watcher = watch_signals(interrupt.clone())?;
    let env = RunEnv {
        params: checked.params.clone(),
        opt_ins: invocation.args.with.clone(),
        confirmer: Arc::new(TerminalConfirmer),
        acknowledged: invocation.args.ack.clone(),
    };
    let options = RunOptions {
        command,
        operator,
        continue_on_error,
        transaction_limit: saved
            .as_ref()
            .map_or(invocation.args.transaction_limit, |s| {
                s.content.transaction_limit
            }),
        interrupt,
        db_user,
        plan: plan_ref,
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
    let report = engine.run(&loaded, &request).await;
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

/// The runbook and request a saved plan describes, after checking it still fits the runbook.
fn from_saved_plan(
    global: &GlobalArgs,
    saved: &SavedPlan,
    reference: Option<&str>,
    direction: Direction,
) -> Result<(LoadedRunbook, PlanRequest, bool)> {
    let content = &saved.content;
    let loaded = crate::runbook::load(reference.unwrap_or(&content.runbook), &global.runbooks_dir)?;
    if loaded.runbook.id != content.runbook {
        return Err(Error::Usage(format!(
            "plan {} is for runbook {}, not {}",
            saved.plan_id, content.runbook, loaded.runbook.id
        )));
    }
    if loaded.digest != content.runbook_digest {
        return Err(Error::PlanDrift(format!(
            "runbook {} changed since plan {} was made ({} then, {} now); make a new plan; nothing was changed",
            content.runbook, saved.plan_id, content.runbook_digest, loaded.digest
        )));
    }
    if content.direction != direction {
        return Err(Error::Usage(format!(
            "plan {} is a {} plan; run it with `rollbook {} --plan …`",
            saved.plan_id,
            content.direction.as_str(),
            if content.direction == Direction::Forward {
                "apply"
            } else {
                "rollback"
            }
        )));
    }
    if global.db.as_ref().is_some_and(|db| db != &content.database) {
        return Err(Error::Usage(format!(
            "plan {} targets database {}, not the one given with --db",
            saved.plan_id, content.database
        )));
    }
    let request = PlanRequest {
        direction,
        selection: StepSelection::parse(&content.steps).map_err(Error::Usage)?,
        params: content.params.clone().into_iter().collect(),
        database: Some(content.database.clone()),
        fail_on_unsupported: false,
    };
    Ok((loaded, request, content.continue_on_error))
}

/// Shows what will change and asks: a typed runbook id when a step loses data, else yes/no.
fn confirm(
    loaded: &LoadedRunbook,
    plan: &crate::plan::RunPlan,
    preview: dry_run::PlanPreview,
    limit: u64,
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
    let losing = gates::losing_data(plan);
    let declined = || Error::NotConfirmed("declined by the operator; nothing was changed".into());
    if losing.is_empty() {
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
    }
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
