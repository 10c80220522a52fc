//! Command lines of the proof tools: the options they share with rollbook (`--uri`,
//! `--runbooks`, `--output`, …) and their own.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use rollbook::cli::args::GlobalArgs;

/// `rollbook-faults`: the fault-injection suite, on throwaway local replica sets of its own
/// (never `--uri`): SIGKILL at random points, failpoints on every action kind, mongod crashed
/// and restarted, a primary stepped down. Prints trials, faults survived and documents lost;
/// exit 20 when any trial lost or changed data.
#[derive(Debug, Parser)]
#[command(name = "rollbook-faults", version)]
pub struct FaultsCli {
    /// Options shared with rollbook.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// Trials per group (per action kind for the failpoints).
    #[arg(long, default_value_t = 5)]
    pub trials: usize,
    /// Data scale (`sandbox seed --scale`).
    #[arg(long, default_value_t = 2_000)]
    pub scale: u64,
    /// Seed of the random fault points (a random one when omitted; printed either way).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Directory for the replica sets' data (removed afterwards).
    #[arg(long, value_name = "DIR", default_value = ".rollbook/faults")]
    pub work_dir: PathBuf,
    /// Only these groups of trials (repeatable; all when omitted).
    #[arg(long, value_enum, value_name = "GROUP")]
    pub only: Vec<crate::faults::GroupKind>,
    /// Only the failpoint case of this action kind (e.g. `restore`, `copy_collection`).
    #[arg(long, value_name = "KIND")]
    pub case: Option<String>,
}

/// `rollbook-bench`: benchmarks that print medians and ratios measured in one run (all but
/// `startup` need `--uri`).
#[derive(Debug, Parser)]
#[command(name = "rollbook-bench", version)]
pub struct BenchCli {
    /// Options shared with rollbook.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// Which benchmark.
    #[command(subcommand)]
    pub case: BenchCase,
}

/// Benchmark cases.
#[derive(Debug, Subcommand)]
pub enum BenchCase {
    /// org-rename's copy (documents and indexes) and whole run, next to a bare server-side `$out`.
    Copy {
        /// Documents in the organization's collection.
        #[arg(long, default_value_t = 1_000_000)]
        docs: u64,
        /// Runs of each case (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Dump and restore of N orders in mongodump's format: throughput and peak memory.
    Archive {
        /// Orders to dump and restore.
        #[arg(long, default_value_t = 1_000_000)]
        docs: u64,
        /// Runs of each case (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Rollback of steps-19-30 step 19 (snapshot included) and its forward, next to the bare
    /// `update_many` the seed runs by hand.
    Rollback {
        /// Orders in the collection.
        #[arg(long, default_value_t = 1_000_000)]
        orders: u64,
        /// Runs of each case (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// `plan` of steps-19-30 steps 19–30 (rollback and forward), next to the bare server reads
    /// its figures need, issued directly with the driver.
    Plan {
        /// Orders in the collection.
        #[arg(long, default_value_t = 1_000_000)]
        orders: u64,
        /// Runs of each case (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Start-up time of the `rollbook` binary for `--help` and for `validate` of the runbooks directory
    /// (no database needed).
    Startup {
        /// Starts of each command line.
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
}
