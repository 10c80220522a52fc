//! The `rollbook` binary: parse arguments, run, exit with the documented code.

use clap::Parser;

#[tokio::main]
async fn main() {
    let cli = rollbook::Cli::parse();
    std::process::exit(rollbook::run(cli).await);
}
