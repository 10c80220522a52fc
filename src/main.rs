//! The `rollbook` binary: parse arguments, run, exit with the documented code.

use clap::Parser;

#[tokio::main]
async fn main() {
    let cli = match rollbook::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => std::process::exit(rollbook::cli::parse_failure(&error)),
    };
    std::process::exit(rollbook::run(cli).await);
}
