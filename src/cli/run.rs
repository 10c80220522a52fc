//! `apply`, `rollback` and `verify`: resolve, connect, run through the engine, render.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::args::{GlobalArgs, OutputFormat, RunArgs};
use super::connect;
use crate::actions::{Confirmer, ManualAnswer, RunEnv};
use crate::engine::{Engine, EventSink, RunCommand, RunEvent, RunOptions, RunReport};
use crate::error::{Error, Result};
use crate::output::run_report;
use crate::plan::{PlanRequest, StepSelection};
use crate::runbook::model::Direction;

/// Runs one of the three run commands; returns the run's exit code.
pub async fn run(
    global: &GlobalArgs,
    command: RunCommand,
    reference: &str,
    args: &RunArgs,
    direction: Option<Direction>,
    emergency: bool,
) -> Result<i32> {
    let loaded = crate::runbook::load(reference, &global.runbooks_dir)?;
    let (steps, continue_on_error) = if emergency {
        let declared = loaded.runbook.emergency.as_ref().ok_or_else(|| {
            Error::Usage(format!(
                "runbook {} declares no emergency procedure; nothing was changed",
                loaded.runbook.id
            ))
        })?;
        (declared.steps.clone(), true)
    } else {
        (args.steps.clone(), args.continue_on_error)
    };
    let selection = StepSelection::parse(&steps).map_err(Error::Usage)?;
    let direction = match command {
        RunCommand::Apply => Direction::Forward,
        RunCommand::Rollback => Direction::Rollback,
        RunCommand::Verify => direction.unwrap_or(Direction::Forward),
    };
    let request = PlanRequest {
        direction,
        selection,
        params: args.params.clone(),
        database: global.db.clone(),
        fail_on_unsupported: args.fail_on_unsupported,
    };
    // Bad input is refused before connecting: resolve once with a throwaway run id.
    crate::plan::resolve(&loaded, &request, "check")?;
    if command != RunCommand::Verify && !global.yes {
        return Err(Error::NotConfirmed(format!(
            "{} changes data and needs confirmation: pass --yes to run it; nothing was changed",
            command.as_str()
        )));
    }
    let client = connect::client(global).await?;
    let store = connect::store(&client, global).await?;
    let interrupt = Arc::new(AtomicBool::new(false));
    let watcher = {
        let interrupt = interrupt.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ninterrupt: finishing the current action, then stopping (the run can be resumed)");
                interrupt.store(true, Ordering::SeqCst);
            }
        })
    };
    let env = RunEnv {
        params: crate::runbook::params::resolve(&loaded.runbook.params, &args.params)?,
        opt_ins: args.with.clone(),
        confirmer: Arc::new(TerminalConfirmer),
    };
    let options = RunOptions {
        command,
        operator: connect::operator(global),
        continue_on_error,
        transaction_limit: args.transaction_limit,
        interrupt,
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

fn render(global: &GlobalArgs, report: &RunReport) {
    match global.output {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(report).unwrap_or_default()
        ),
        OutputFormat::Human => {
            print!("{}", run_report::human(report));
            if let Some(error) = &report.error {
                eprintln!("error[{}]: {}", error.code, error.message);
            }
        }
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
