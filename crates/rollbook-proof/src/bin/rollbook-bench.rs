//! `rollbook-bench`: parse the command line, run one benchmark, exit with its code.

use clap::Parser;

#[tokio::main]
async fn main() {
    let cli = rollbook_proof::args::BenchCli::parse();
    let code = match rollbook_proof::run_bench(&cli).await {
        Ok(()) => rollbook_proof::exit::OK,
        Err(error) => rollbook_proof::report(&error),
    };
    std::process::exit(code);
}
