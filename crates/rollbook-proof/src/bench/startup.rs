//! `rollbook-bench startup`: wall-clock time of the binary itself, started afresh for
//! `--help` and for `validate` of the runbooks directory. Needs no database.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use rollbook::error::{Error, Result};

/// The figures of the start-up benchmark.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StartupBench {
    /// The binary started.
    pub binary: String,
    /// `rollbook --help`.
    pub help: Timing,
    /// `rollbook --runbooks DIR validate`.
    pub validate: Timing,
}

/// Wall-clock milliseconds of repeated starts of one command line.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Timing {
    /// The arguments given.
    pub args: Vec<String>,
    /// Median milliseconds.
    pub median_ms: f64,
    /// 90th percentile milliseconds (nearest rank).
    pub p90_ms: f64,
    /// Fastest run.
    pub min_ms: f64,
    /// Slowest run.
    pub max_ms: f64,
    /// Every run's milliseconds, in order.
    pub runs_ms: Vec<f64>,
}

/// Starts the `rollbook` binary (see [`crate::rollbook_binary`]) `runs` times with `--help`
/// and with `validate`.
pub fn run(runbooks_dir: &Path, runs: usize) -> Result<StartupBench> {
    let binary = crate::rollbook_binary();
    if !binary.is_file() {
        return Err(Error::Usage(format!(
            "no rollbook binary at {} (build it, or set ROLLBOOK_BIN)",
            binary.display()
        )));
    }
    let help = vec!["--help".to_owned()];
    let validate = vec![
        "--runbooks".to_owned(),
        runbooks_dir.display().to_string(),
        "validate".to_owned(),
    ];
    Ok(StartupBench {
        binary: binary.display().to_string(),
        help: time(&binary, help, runs)?,
        validate: time(&binary, validate, runs)?,
    })
}

fn time(binary: &Path, args: Vec<String>, runs: usize) -> Result<Timing> {
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let status = Command::new(binary)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| Error::io(format!("cannot start {}", binary.display()), e))?;
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        if !status.success() {
            return Err(Error::ActionFailed(format!(
                "`rollbook {}` failed ({status}); run it by hand to see why",
                args.join(" ")
            )));
        }
        times.push(elapsed);
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let rank = |p: usize| {
        let index = (sorted.len() * p).div_ceil(100).saturating_sub(1);
        sorted.get(index).copied().unwrap_or_default()
    };
    Ok(Timing {
        args,
        median_ms: sorted.get(sorted.len() / 2).copied().unwrap_or_default(),
        p90_ms: rank(90),
        min_ms: sorted.first().copied().unwrap_or_default(),
        max_ms: sorted.last().copied().unwrap_or_default(),
        runs_ms: times,
    })
}
