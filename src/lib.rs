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
pub(crate) mod error_code;
pub(crate) mod exit_code;
pub mod notify;
pub mod output;
pub mod plan;
pub(crate) mod process;
pub(crate) mod reachable;
pub mod runbook;
pub mod sandbox;
pub(crate) mod secrets;
pub(crate) mod server_work;
pub mod store;
pub(crate) mod values;

pub use cli::Cli;
pub use error::{Error, Result};

/// Runs one parsed command line and returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    cli::run(cli).await
}
