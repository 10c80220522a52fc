//! Proof tools for rollbook, kept out of the operator's binary: the fault-injection suite
//! (`rollbook-faults`) and the benchmarks (`rollbook-bench`). Both drive the real `rollbook`
//! binary and the library, against MongoDB servers they start or are given.

pub mod args;
pub mod bench;
mod bench_cli;
pub mod faults;
mod faults_cli;

use std::path::PathBuf;

pub use bench_cli::run as run_bench;
pub use faults_cli::run as run_faults;

/// Exit codes of the proof tools (the operator's codes are rollbook's own, DESIGN.md §6).
pub mod exit {
    /// Every trial survived with nothing lost; a benchmark finished.
    pub const OK: i32 = 0;
    /// A trial of the fault suite ended with data missing, changed or unexpected (or could
    /// not be judged): its `FAILED` line says what differed.
    pub const DATA_LOST: i32 = 20;
}

/// The `rollbook` binary the tools run: `ROLLBOOK_BIN` when set, else the `rollbook` beside
/// the running tool (cargo builds both into the same directory).
#[must_use]
pub fn rollbook_binary() -> PathBuf {
    rollbook_binary_from(std::env::var_os("ROLLBOOK_BIN"))
}

/// [`rollbook_binary`] with the value of `ROLLBOOK_BIN` given.
fn rollbook_binary_from(env: Option<std::ffi::OsString>) -> PathBuf {
    if let Some(path) = env {
        return PathBuf::from(path);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("rollbook")))
        .unwrap_or_else(|| PathBuf::from("rollbook"))
}

/// Prints an error the way rollbook does (headline and cause chain on stderr) and returns its
/// exit code.
#[must_use]
pub fn report(error: &rollbook::Error) -> i32 {
    for line in error.report_lines() {
        eprintln!("{line}");
    }
    error.exit_code()
}
