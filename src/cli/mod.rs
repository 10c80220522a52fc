//! The command-line edge: argument types and the dispatch from a command to the core.

pub mod args;
mod catalog;
mod completions;
mod sandbox;

use std::io::IsTerminal;

pub use args::{Cli, Command, OutputFormat};

use crate::error::Error;
use crate::exit_code;
use crate::output::json;

/// Runs one command and returns the process exit code. Errors are reported here: a headline
/// and cause chain on stderr, and with `--output json` one JSON document on stdout.
pub async fn run(cli: Cli) -> i32 {
    init_logging(&cli.global);
    let format = cli.global.output;
    let name = command_name(&cli.command);
    let result = match &cli.command {
        Command::List => catalog::list(&cli.global),
        Command::Show { runbook, step } => catalog::show(&cli.global, runbook, step.as_deref()),
        Command::Validate { files } => catalog::validate(&cli.global, files),
        Command::Completions { shell } => completions::print(*shell),
        Command::Sandbox { command, dir } => sandbox::run(&cli.global, command, dir).await,
    };
    match result {
        Ok(()) => exit_code::OK,
        Err(error) => {
            report(&error, format, name);
            error.exit_code()
        }
    }
}

fn report(error: &Error, format: OutputFormat, command: &str) {
    let redacted = |line: &str| crate::secrets::redact(line);
    for line in error.report_lines() {
        eprintln!("{}", redacted(&line));
    }
    if format == OutputFormat::Json
        && !matches!(error, Error::InvalidRunbook(_) if command == "validate")
    {
        json::print(&json::failure(command, error));
    }
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::List => "list",
        Command::Show { .. } => "show",
        Command::Validate { .. } => "validate",
        Command::Completions { .. } => "completions",
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
