//! `shell`: a command with a timeout. Parameters reach it only as environment variables
//! (`ROLLBOOK_PARAM_<NAME>`), never by string substitution. It starts from a clean
//! environment, so the connection string and whatever else rollbook inherited (tokens, cloud
//! credentials) never reach it. Output is captured for the journal.

use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use super::{ActionContext, ActionOutcome};
use crate::error::{Error, Result};
use crate::runbook::model::ShellAction;

/// The most output kept per stream.
const MAX_OUTPUT: usize = 16 * 1024;

/// Runs the command, unless it is opt-in and the operator did not opt in.
pub(crate) async fn run(ctx: &ActionContext<'_>, action: &ShellAction) -> Result<ActionOutcome> {
    let mut outcome = ActionOutcome::new("shell", None);
    if let Some(name) = &action.opt_in {
        if !ctx.env.opt_ins.iter().any(|o| o == name) {
            outcome.status = crate::actions::ActionStatus::Skipped;
            outcome.detail = Some(format!(
                "opt-in: run with --with {name} to include `{}`",
                action.run
            ));
            return Ok(outcome);
        }
    }
    let mut command = Command::new("sh");
    command.env_clear();
    for name in crate::process::INHERITED {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    command
        .arg("-c")
        .arg(&action.run)
        .env("ROLLBOOK_RUN_ID", ctx.run_id)
        .env("ROLLBOOK_DATABASE", ctx.database)
        .env("ROLLBOOK_STEP", ctx.step)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (name, value) in &ctx.env.params {
        command.env(format!("ROLLBOOK_PARAM_{}", name.to_uppercase()), value);
    }
    let child = command
        .spawn()
        .map_err(|e| Error::io(format!("cannot start `{}`", action.run), e))?;
    let output = tokio::time::timeout(
        Duration::from_secs(action.timeout_secs),
        child.wait_with_output(),
    )
    .await
    .map_err(|_| {
        Error::ActionFailed(format!(
            "`{}` did not finish within {} s and was killed",
            action.run, action.timeout_secs
        ))
    })?
    .map_err(|e| Error::io(format!("`{}` failed", action.run), e))?;
    let text = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        let cut = text.len().min(MAX_OUTPUT);
        crate::secrets::redact(text.get(..cut).unwrap_or(&text))
    };
    let detail = format!(
        "exit {}\nstdout:\n{}\nstderr:\n{}",
        output.status.code().unwrap_or(-1),
        text(&output.stdout),
        text(&output.stderr)
    );
    if !output.status.success() {
        return Err(Error::ActionFailed(format!(
            "`{}` failed: {detail}",
            action.run
        )));
    }
    outcome.detail = Some(detail);
    Ok(outcome)
}
