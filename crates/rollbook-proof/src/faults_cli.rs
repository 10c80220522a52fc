//! `rollbook-faults`: runs the fault-injection suite and prints what it survived.

use std::io::Write;

use serde_json::json;

use rollbook::cli::args::OutputFormat;
use rollbook::error::Result;
use rollbook::output::{human, json};

use crate::args::FaultsCli;
use crate::exit;
use crate::faults::{self, Group, Options};

/// One line per finished trial on stderr, for a terminal.
struct Lines {
    quiet: bool,
}

impl faults::Progress for Lines {
    fn trial(&self, group: &Group, failure: Option<&str>) {
        if self.quiet {
            return;
        }
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(
            stderr,
            "{}: {}/{} survived, {} faults injected, {} documents lost",
            group.name, group.survived, group.trials, group.faults, group.documents_lost
        );
        if let Some(failure) = failure {
            let _ = writeln!(stderr, "  FAILED {failure}");
        }
    }
}

/// Runs the suite; exit 0 when every trial survived with nothing lost, else
/// [`exit::DATA_LOST`].
pub async fn run(cli: &FaultsCli) -> Result<i32> {
    let FaultsCli {
        shared,
        quiet,
        trials,
        scale,
        seed,
        work_dir,
        only,
        case,
    } = cli;
    let (trials, scale) = (*trials, *scale);
    let options = Options {
        trials,
        scale,
        seed: seed.unwrap_or_else(rand::random),
        runbooks: std::path::absolute(&shared.runbooks_dir)
            .unwrap_or_else(|_| shared.runbooks_dir.clone()),
        work_dir: std::path::absolute(work_dir).unwrap_or_else(|_| work_dir.to_path_buf()),
        only: only.clone(),
        case: case.clone(),
    };
    if shared.output == OutputFormat::Human {
        eprintln!(
            "fault-injection suite: {trials} trials per group, scale {scale}, seed {} (repeat with --seed)",
            options.seed
        );
    }
    let progress = Lines {
        quiet: shared.output == OutputFormat::Json || *quiet,
    };
    let outcome = faults::run(&options, &progress).await?;
    match shared.output {
        OutputFormat::Json => {
            let mut document = json::success("faults");
            document.insert("passed".into(), json!(outcome.passed()));
            document.insert(
                "totals".into(),
                json!({
                    "trials": outcome.trials(),
                    "faults_injected": outcome.faults(),
                    "survived": outcome.survived(),
                    "documents_lost": outcome.documents_lost(),
                }),
            );
            document.insert("result".into(), json!(outcome));
            json::print(&document);
        }
        OutputFormat::Human => {
            let mut table = human::table(&[
                "group",
                "trials",
                "faults injected",
                "survived",
                "documents lost",
            ]);
            for group in &outcome.groups {
                table.add_row(vec![
                    group.name.clone(),
                    group.trials.to_string(),
                    group.faults.to_string(),
                    group.survived.to_string(),
                    group.documents_lost.to_string(),
                ]);
            }
            println!("{table}");
            println!(
                "trials run: {}, faults injected: {}, trials survived: {}, documents lost: {} ({:.0} s, seed {}, scale {})",
                outcome.trials(),
                outcome.faults(),
                outcome.survived(),
                outcome.documents_lost(),
                outcome.seconds,
                outcome.seed,
                outcome.scale
            );
            for failure in outcome.groups.iter().flat_map(|g| &g.failures) {
                println!("FAILED {failure}");
            }
        }
    }
    Ok(if outcome.passed() {
        exit::OK
    } else {
        exit::DATA_LOST
    })
}
