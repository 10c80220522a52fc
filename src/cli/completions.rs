//! `rollbook completions SHELL`: completion scripts generated from the clap definitions.

use clap::CommandFactory;

use super::args::Cli;
use crate::error::Result;

/// The completion script for `shell`, as text.
#[must_use]
pub(crate) fn script(shell: clap_complete::Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "rollbook", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Prints the completion script for `shell` on stdout.
pub(crate) fn print(shell: clap_complete::Shell) -> Result<()> {
    print!("{}", script(shell));
    Ok(())
}
