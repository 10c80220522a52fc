//! rollbook: runs YAML runbooks against MongoDB — forward, rollback and verify — with
//! dry-runs, confirmations, approvals, a lock, snapshots and an audit trail.
//!
//! The binary is a thin shell around [`run`]; everything is callable from tests.

pub mod actions;
pub mod archive;
pub mod cli;
pub mod content;
pub mod engine;
pub mod error;
pub mod error_code;
pub mod exit_code;
pub mod output;
pub mod plan;
pub mod process;
pub mod reachable;
pub mod runbook;
pub mod sandbox;
pub mod secrets;
pub mod server_work;
pub mod store;

pub use cli::Cli;
pub use error::{Error, Result};

/// Runs one parsed command line and returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    cli::run(cli).await
}
