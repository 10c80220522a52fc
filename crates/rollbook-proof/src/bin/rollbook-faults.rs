//! `rollbook-faults`: parse the command line, run the fault suite, exit with its code.

use clap::Parser;

#[tokio::main]
async fn main() {
    let cli = rollbook_proof::args::FaultsCli::parse();
    let code = match rollbook_proof::run_faults(&cli).await {
        Ok(code) => code,
        Err(error) => rollbook_proof::report(&error),
    };
    std::process::exit(code);
}
