//! The `rollbook` binary: parse arguments, run, exit with the documented code.

#[tokio::main]
async fn main() {
    // A shell asking for completions (runbook ids, step ids, parameter names) is answered,
    // and nothing else runs.
    clap_complete::CompleteEnv::with_factory(<rollbook::Cli as clap::CommandFactory>::command)
        .var(rollbook::cli::DYNAMIC_COMPLETION_VAR)
        .bin("rollbook")
        .complete();
    let cli = match rollbook::cli::parse() {
        Ok(cli) => cli,
        Err(error) => std::process::exit(rollbook::cli::parse_failure(&error)),
    };
    std::process::exit(rollbook::run(cli).await);
}
