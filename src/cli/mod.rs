//! The command-line edge: argument types and the dispatch from a command to the core.

mod abandon;
mod approvals;
mod approve;
mod archive;
pub mod args;
mod audit;
mod catalog;
mod completers;
mod completions;
pub mod connect;
pub mod contexts;
mod interrupt;
mod new;
mod notifications;
mod plan;
mod progress;
mod prompt;
mod report;
mod request;
mod resume;
mod run;
mod runs;
mod sandbox;
mod snapshots;
mod state;
mod unlock;

use std::io::IsTerminal;

pub use args::Cli;
pub(crate) use args::{Command, OutputFormat};
pub use completers::DYNAMIC_VAR as DYNAMIC_COMPLETION_VAR;

use crate::engine::RunCommand;
use crate::error::Error;
use crate::exit_code;
use crate::output::json;

/// Runs one command and returns the process exit code. Errors are reported here: a headline
/// and cause chain on stderr, and with `--output json` one JSON document on stdout.
pub(crate) async fn run(mut cli: Cli) -> i32 {
    init_logging(&cli.global);
    let format = cli.global.output;
    let name = command_name(&cli.command);
    if let Err(error) = contexts::apply(&mut cli.global) {
        report(&error, format, name);
        return error.exit_code();
    }
    let result = match &cli.command {
        Command::Plan {
            runbook,
            direction,
            run,
            emergency,
            out,
            wide,
        } => plan::run(
            &cli.global,
            runbook,
            run,
            &plan::PlanOptions {
                direction: (*direction).into(),
                emergency: *emergency,
                out: out.as_deref(),
                wide: *wide,
            },
        )
        .await
        .map(|()| exit_code::OK),
        Command::Apply {
            runbook,
            run,
            saved,
        } => {
            run::run(
                &cli.global,
                &invocation(
                    RunCommand::Apply,
                    runbook.as_deref(),
                    run,
                    None,
                    false,
                    saved,
                ),
            )
            .await
        }
        Command::Rollback {
            runbook,
            run,
            saved,
            emergency,
        } => {
            run::run(
                &cli.global,
                &invocation(
                    RunCommand::Rollback,
                    runbook.as_deref(),
                    run,
                    None,
                    *emergency,
                    saved,
                ),
            )
            .await
        }
        Command::Verify {
            runbook,
            run,
            direction,
        } => {
            let none = args::SavedPlanArgs {
                plan: None,
                max_drift: 0.0,
            };
            run::run(
                &cli.global,
                &invocation(
                    RunCommand::Verify,
                    Some(runbook),
                    run,
                    direction.map(Into::into),
                    false,
                    &none,
                ),
            )
            .await
        }
        Command::Approve {
            plan_id,
            plan,
            reason,
            ticket,
            expires_in,
        } => approve::run(
            &cli.global,
            &approve::ApproveArgs {
                plan_id: plan_id.as_deref(),
                plan_file: plan.as_deref(),
                reason,
                ticket: ticket.as_deref(),
                expires_in_minutes: *expires_in,
            },
        )
        .await
        .map(|()| exit_code::OK),
        Command::Unlock {
            runbook,
            force,
            accept_state,
        } => unlock::run(&cli.global, runbook, *force, *accept_state)
            .await
            .map(|()| exit_code::OK),
        Command::Abandon { run_id } => abandon::run(&cli.global, run_id)
            .await
            .map(|()| exit_code::OK),
        Command::Resume { run_id, resume } => resume::run(&cli.global, run_id, resume).await,
        Command::Runs {
            runbook,
            status,
            limit,
        } => runs::run(
            &cli.global,
            runbook.as_deref(),
            status.map(Into::into),
            *limit,
        )
        .await
        .map(|()| exit_code::OK),
        Command::Report {
            run_id,
            last: _,
            runbook,
        } => report::run(&cli.global, run_id.as_deref(), runbook.as_deref())
            .await
            .map(|()| exit_code::OK),
        Command::Status { runbook, check } => match runbook {
            Some(runbook) => state::status(&cli.global, runbook, *check).await,
            None => state::status_all(&cli.global, *check).await,
        },
        Command::History {
            runbook,
            run,
            limit,
        } => state::history(&cli.global, runbook.as_deref(), run.as_deref(), *limit)
            .await
            .map(|()| exit_code::OK),
        Command::Audit {
            command: args::AuditCommand::Verify,
        } => audit::verify(&cli.global).await,
        Command::List => catalog::list(&cli.global).map(|()| exit_code::OK),
        Command::New { id } => new::run(&cli.global, id).map(|()| exit_code::OK),
        Command::Show { runbook, step } => {
            catalog::show(&cli.global, runbook, step.as_deref()).map(|()| exit_code::OK)
        }
        Command::Validate { files } => {
            catalog::validate(&cli.global, files).map(|()| exit_code::OK)
        }
        Command::Dump {
            collections,
            out,
            gzip,
            parallel,
        } => archive::dump(&cli.global, collections, out, *gzip, *parallel)
            .await
            .map(|()| exit_code::OK),
        Command::Restore {
            from,
            to_db,
            drop,
            parallel,
            batch_size,
            into_server_databases,
        } => archive::restore(
            &cli.global,
            &archive::RestoreArgs {
                from,
                to_db: to_db.as_deref(),
                drop: *drop,
                parallel: *parallel,
                batch_size: *batch_size,
                into_server_databases: *into_server_databases,
            },
        )
        .await
        .map(|()| exit_code::OK),
        Command::Completions { shell } => completions::print(*shell).map(|()| exit_code::OK),
        Command::Approvals { command } => approvals::run(&cli.global, command)
            .await
            .map(|()| exit_code::OK),
        Command::Snapshots { command } => snapshots::run(&cli.global, command)
            .await
            .map(|()| exit_code::OK),
        Command::Sandbox { command, dir } => sandbox::run(&cli.global, command, dir)
            .await
            .map(|()| exit_code::OK),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            report(&error, format, name);
            error.exit_code()
        }
    }
}

/// Reports a command line that could not be parsed: clap's message on stderr (credentials
/// masked) and, when the command line asks for `--output json`, one JSON document with the
/// `USAGE` error on stdout, so a script always has a document to read. Returns the exit code:
/// 0 for `--help` and `--version`, else 2.
#[must_use]
pub fn parse_failure(error: &clap::Error) -> i32 {
    parse_failure_of(error)
}

/// Parses the process's command line: the options, and which of them it (or their
/// environment variables) gave rather than their defaults — a context fills in only those it
/// did not give.
pub fn parse() -> std::result::Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().try_get_matches()?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    let given = |id: &str| {
        let mut level = Some(&matches);
        while let Some(m) = level {
            let source = m
                .try_contains_id(id)
                .ok()
                .filter(|c| *c)
                .and_then(|_| m.value_source(id));
            // Only the command line: a context wins over the shell's variables
            // (`ROLLBOOK_RUNBOOKS`), as it does over `ROLLBOOK_URI`.
            if matches!(source, Some(clap::parser::ValueSource::CommandLine)) {
                return true;
            }
            level = m.subcommand().map(|(_, sub)| sub);
        }
        false
    };
    cli.global.given = args::Given {
        state_db: given("state_db"),
        runbooks: given("runbooks_dir"),
    };
    Ok(cli)
}

fn parse_failure_of(error: &clap::Error) -> i32 {
    use clap::error::ErrorKind;
    use clap::CommandFactory;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return error.exit_code();
    }
    let text = crate::secrets::redact(&error.render().to_string());
    eprint!("{text}");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json_output = args.iter().any(|a| a == "--output=json")
        || args
            .windows(2)
            .any(|w| w[0] == "--output" && w[1] == "json");
    if json_output {
        let cli = Cli::command();
        let command = args
            .iter()
            .find_map(|a| cli.get_subcommands().find(|c| c.get_name() == a))
            .map_or_else(|| "rollbook".to_owned(), |c| c.get_name().to_owned());
        let headline = text.lines().next().unwrap_or_default();
        let message = headline.strip_prefix("error: ").unwrap_or(headline);
        json::failure(&command, &Error::Usage(message.to_owned())).print();
    }
    exit_code::INVALID_INPUT
}

fn report(error: &Error, format: OutputFormat, command: &str) {
    let redacted = |line: &str| crate::secrets::redact(line);
    for line in error.report_lines() {
        eprintln!("{}", redacted(&line));
    }
    if format == OutputFormat::Json
        && !matches!(error, Error::InvalidRunbook(_) if command == "validate")
    {
        json::failure(command, error).print();
    }
}

fn invocation<'a>(
    command: RunCommand,
    reference: Option<&'a str>,
    args: &'a args::RunArgs,
    direction: Option<crate::runbook::model::Direction>,
    emergency: bool,
    saved: &'a args::SavedPlanArgs,
) -> request::RunInvocation<'a> {
    request::RunInvocation {
        command,
        reference,
        args,
        direction,
        emergency,
        plan_file: saved.plan.as_deref(),
        max_drift: saved.max_drift,
    }
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Plan { .. } => "plan",
        Command::Approve { .. } => "approve",
        Command::Unlock { .. } => "unlock",
        Command::Abandon { .. } => "abandon",
        Command::Resume { .. } => "resume",
        Command::Runs { .. } => "runs",
        Command::Report { .. } => "report",
        Command::Apply { .. } => "apply",
        Command::Rollback { .. } => "rollback",
        Command::Verify { .. } => "verify",
        Command::Status { .. } => "status",
        Command::History { .. } => "history",
        Command::List => "list",
        Command::New { .. } => "new",
        Command::Show { .. } => "show",
        Command::Validate { .. } => "validate",
        Command::Dump { .. } => "dump",
        Command::Restore { .. } => "restore",
        Command::Completions { .. } => "completions",
        Command::Approvals { .. } => "approvals",
        Command::Audit { .. } => "audit verify",
        Command::Snapshots { .. } => "snapshots",
        Command::Sandbox { .. } => "sandbox",
    }
}

fn init_logging(global: &args::GlobalArgs) {
    let level = if global.quiet {
        "error"
    } else if global.verbose >= 2 {
        "debug"
    } else if global.verbose == 1 || std::io::stderr().is_terminal() {
        "info"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("ROLLBOOK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("rollbook={level}")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match global.log_format {
        args::LogFormat::Text => builder.without_time().try_init(),
        args::LogFormat::Json => builder.json().try_init(),
    };
}
