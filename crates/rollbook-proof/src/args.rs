//! Command lines of the proof tools. Each has only the options it reads; those it shares with
//! rollbook (`--runbooks`, `--output`, `--uri`, `--quiet`) keep rollbook's names, environment
//! variables and defaults.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use rollbook::cli::args::OutputFormat;

/// Options both tools read.
#[derive(Debug, Args)]
pub struct SharedArgs {
    /// Directory of the runbooks to run (the shipped ones by default).
    #[arg(
        long = "runbooks",
        value_name = "DIR",
        env = "ROLLBOOK_RUNBOOKS",
        default_value = "runbooks",
        global = true
    )]
    pub runbooks_dir: PathBuf,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human, global = true)]
    pub output: OutputFormat,
}

/// `rollbook-faults`: the fault-injection suite, on throwaway local replica sets it starts
/// itself (it takes no connection string): SIGKILL at random points, a run paused past its lease
/// and one killed while its command runs on the server (both taken over), failpoints on every
/// action kind, mongod crashed and restarted, a primary stepped down. Prints trials, faults
/// survived and documents lost; exit 20 when any trial lost or changed data.
#[derive(Debug, Parser)]
#[command(name = "rollbook-faults", version)]
pub struct FaultsCli {
    /// Options shared with `rollbook-bench`.
    #[command(flatten)]
    pub shared: SharedArgs,
    /// No line per finished trial on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
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
    /// Options shared with `rollbook-faults`.
    #[command(flatten)]
    pub shared: SharedArgs,
    /// MongoDB connection string of the server to benchmark on (falls back to `MONGODB_URI`).
    #[arg(long, env = "ROLLBOOK_URI", global = true, hide_env_values = true)]
    pub uri: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// rollbook's options that neither tool reads.
    const NOT_OURS: [&str; 7] = [
        "--db",
        "--state-db",
        "--yes",
        "--operator",
        "--verbose",
        "--log-format",
        "--quiet",
    ];

    fn help_of<P: Parser + std::fmt::Debug>(argv: &[&str]) -> String {
        let error = P::try_parse_from(argv).expect_err("--help stops parsing");
        assert_eq!(error.kind(), clap::error::ErrorKind::DisplayHelp);
        error.to_string()
    }

    #[test]
    fn faults_help_lists_only_its_own_options() {
        let help = help_of::<FaultsCli>(&["rollbook-faults", "--help"]);
        for option in [
            "--runbooks",
            "--output",
            "--quiet",
            "--trials",
            "--scale",
            "--seed",
            "--work-dir",
            "--only",
            "--case",
        ] {
            assert!(help.contains(option), "{option} missing:\n{help}");
        }
        for option in NOT_OURS
            .iter()
            .filter(|o| **o != "--quiet")
            .chain(&["--uri"])
        {
            assert!(!help.contains(option), "{option} listed:\n{help}");
        }
    }

    #[test]
    fn bench_help_lists_only_its_own_options_on_every_case() {
        for argv in [
            &["rollbook-bench", "--help"][..],
            &["rollbook-bench", "copy", "--help"],
            &["rollbook-bench", "startup", "--help"],
        ] {
            let help = help_of::<BenchCli>(argv);
            for option in ["--runbooks", "--output", "--uri"] {
                assert!(help.contains(option), "{argv:?}: {option} missing:\n{help}");
            }
            for option in NOT_OURS {
                assert!(!help.contains(option), "{argv:?}: {option} listed:\n{help}");
            }
        }
    }

    #[test]
    fn the_documented_command_lines_parse() {
        // .ci/run and the README.
        let cli = FaultsCli::try_parse_from([
            "rollbook-faults",
            "--trials",
            "1",
            "--scale",
            "1000",
            "--seed",
            "7",
            "--work-dir",
            "/tmp/faults",
        ])
        .unwrap();
        assert_eq!((cli.trials, cli.scale, cli.seed), (1, 1000, Some(7)));
        assert_eq!(cli.work_dir, PathBuf::from("/tmp/faults"));
        let cli = FaultsCli::try_parse_from([
            "rollbook-faults",
            "--only",
            "failpoints",
            "--case",
            "restore",
            "-q",
            "--output",
            "json",
        ])
        .unwrap();
        assert_eq!(cli.case.as_deref(), Some("restore"));
        assert!(cli.quiet && cli.shared.output == OutputFormat::Json);

        let cli =
            BenchCli::try_parse_from(["rollbook-bench", "copy", "--docs", "10", "--runs", "3"])
                .unwrap();
        assert!(matches!(cli.case, BenchCase::Copy { docs: 10, runs: 3 }));
        // Shared options go before or after the case, as with rollbook's.
        for argv in [
            [
                "rollbook-bench",
                "--uri",
                "mongodb://h/",
                "startup",
                "--runbooks",
                "rb",
            ],
            [
                "rollbook-bench",
                "startup",
                "--uri",
                "mongodb://h/",
                "--runbooks",
                "rb",
            ],
        ] {
            let cli = BenchCli::try_parse_from(argv).unwrap();
            assert_eq!(cli.uri.as_deref(), Some("mongodb://h/"));
            assert_eq!(cli.shared.runbooks_dir, PathBuf::from("rb"));
            assert!(matches!(cli.case, BenchCase::Startup { runs: 20 }));
        }
    }

    #[test]
    fn options_the_tools_do_not_read_are_refused() {
        for option in ["--db", "--state-db", "--yes", "--uri"] {
            let mut argv = vec!["rollbook-faults", option];
            if option != "--yes" {
                argv.push("x");
            }
            assert!(FaultsCli::try_parse_from(&argv).is_err(), "{argv:?}");
        }
        for option in ["--db", "--state-db", "--yes", "--quiet"] {
            let mut argv = vec!["rollbook-bench", "startup", option];
            if option != "--yes" && option != "--quiet" {
                argv.push("x");
            }
            assert!(BenchCli::try_parse_from(&argv).is_err(), "{argv:?}");
        }
    }
}
