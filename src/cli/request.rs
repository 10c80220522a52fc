//! The one place the command line becomes a typed request: clap's structs go no further.

use std::io::IsTerminal;
use std::path::Path;

use super::args::{GlobalArgs, RunArgs};
use super::connect;
use crate::engine::gates::{Confirmation, Terminal};
use crate::engine::request::{Choices, PlanSource, Procedure, RunRequest};
use crate::engine::RunCommand;
use crate::error::Result;
use crate::plan::saved::SavedPlan;
use crate::runbook::model::Direction;

/// What `apply`, `rollback` and `verify` were asked to do.
pub(crate) struct RunInvocation<'a> {
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

/// The request `apply`, `rollback` or `verify` makes (the saved plan file is read here).
pub(crate) fn run_request(
    global: &GlobalArgs,
    invocation: &RunInvocation<'_>,
) -> Result<RunRequest> {
    let command = invocation.command;
    let direction = match command {
        RunCommand::Apply => Direction::Forward,
        RunCommand::Rollback => Direction::Rollback,
        RunCommand::Verify => invocation.direction.unwrap_or(Direction::Forward),
    };
    let source = match invocation.plan_file {
        Some(file) => PlanSource::Saved {
            plan: Box::new(SavedPlan::read(file)?),
            max_drift: invocation.max_drift,
            steps: invocation.args.steps.clone(),
        },
        None => PlanSource::Procedure(procedure(invocation.args, invocation.emergency)),
    };
    Ok(RunRequest {
        command,
        direction,
        runbook: invocation.reference.map(str::to_owned),
        source,
        choices: choices(global, invocation.args),
        operator: connect::operator(global),
        confirmation: confirmation(global),
        terminal: terminal(),
        resume: None,
    })
}

/// `--yes`, or ask.
pub(crate) fn confirmation(global: &GlobalArgs) -> Confirmation {
    if global.yes {
        Confirmation::AssumeYes
    } else {
        Confirmation::Prompt
    }
}

/// Whether there is a terminal to ask on (stdin and stderr both).
pub(crate) fn terminal() -> Terminal {
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        Terminal::Present
    } else {
        Terminal::Absent
    }
}

/// The steps `--steps` or `--emergency` choose.
pub(crate) fn procedure(args: &RunArgs, emergency: bool) -> Procedure {
    if emergency {
        Procedure::Emergency
    } else {
        Procedure::Selected {
            steps: args.steps.clone().unwrap_or_else(|| "all".to_owned()),
            continue_on_error: args.continue_on_error,
        }
    }
}

/// The other choices of the run options.
pub(crate) fn choices(global: &GlobalArgs, args: &RunArgs) -> Choices {
    Choices {
        params: args.params.clone(),
        database: global.db.clone(),
        state_db: global.state_db.clone(),
        fail_on_unsupported: args.fail_on_unsupported,
        no_samples: args.no_samples,
        transaction_limit: args.transaction_limit,
        opt_ins: args.with.clone(),
        acknowledged: args.ack.clone(),
        on_conflict: args.on_conflict,
    }
}
