//! The command line, as clap types. Flags become typed values here and nowhere else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// rollbook — run MongoDB runbooks forward, back and verified, safely, at 3 a.m.
#[derive(Debug, Parser)]
#[command(name = "rollbook", version, about, max_term_width = 100)]
pub struct Cli {
    /// Options every command accepts.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// MongoDB connection string. Other users can read it with `ps`: prefer the environment
    /// variable `ROLLBOOK_URI` (then `MONGODB_URI`), or --uri-file.
    #[arg(long, global = true)]
    pub uri: Option<String>,
    /// Read the connection string from this file (its first line, trimmed), for scripts; it
    /// takes precedence over `ROLLBOOK_URI` and `MONGODB_URI`.
    #[arg(long, value_name = "PATH", global = true, conflicts_with = "uri")]
    pub uri_file: Option<PathBuf>,
    /// Target database, overriding the runbook's.
    #[arg(long, global = true)]
    pub db: Option<String>,
    /// Database holding rollbook's own state (runs, locks, approvals, snapshots, audit).
    #[arg(long, default_value = "rollbook", global = true)]
    pub state_db: String,
    /// Directory where runbooks are looked up by id.
    #[arg(
        long = "runbooks",
        value_name = "DIR",
        env = "ROLLBOOK_RUNBOOKS",
        default_value = "runbooks",
        global = true
    )]
    pub runbooks_dir: PathBuf,
    /// Who is running this (defaults to the login name).
    #[arg(long, env = "ROLLBOOK_OPERATOR", global = true)]
    pub operator: Option<String>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human, global = true)]
    pub output: OutputFormat,
    /// Answer yes to confirmation prompts (never bypasses approvals).
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// More log output on stderr (repeat for more).
    #[arg(long, short = 'v', action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Send no notification (the runbook's `notifications` and `notify` actions); a run
    /// records in the audit that it was silenced.
    #[arg(long, global = true)]
    pub no_notify: bool,
    /// The named context to work in (from `rollbook.toml`, else the user's
    /// `~/.config/rollbook/config.toml`): its server, state database and runbooks.
    #[arg(
        long = "context",
        value_name = "NAME",
        env = "ROLLBOOK_CONTEXT",
        global = true
    )]
    pub context_name: Option<String>,
    /// In a protected context, its name: confirms a changing command without a terminal
    /// (`--yes` is not enough there).
    #[arg(long, value_name = "NAME", global = true)]
    pub confirm_context: Option<String>,
    /// The context chosen, once the configuration was read.
    #[arg(skip)]
    pub context: Option<Context>,
    /// Which options the command line gave (a context fills in the others).
    #[arg(skip)]
    pub given: Given,
    /// Log line format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

/// Output format on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Tables for people.
    Human,
    /// Exactly one JSON document per command.
    Json,
}

/// Log line format on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Plain text.
    Text,
    /// One JSON object per line.
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List runbooks, their steps, and which steps need approval.
    List,
    /// Write a commented runbook skeleton (`<runbooks>/<ID>.yaml`, database from --db) that
    /// validates as it is, to edit into the real procedure.
    New {
        /// Runbook id: letters, digits, '-' or '_'.
        id: String,
    },
    /// Show a runbook or one step: prose, actions, approval, data loss, reversibility.
    Show {
        /// Runbook id (looked up in --runbooks) or path to a YAML file.
        #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::runbook_ids))]
        runbook: String,
        /// Step id.
        #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::step_ids))]
        step: Option<String>,
    },
    /// Check runbooks for errors (no database needed). Checks every runbook when no file is given.
    Validate {
        /// Runbook files or ids.
        files: Vec<String>,
    },
    /// Dry-run: what each action would change, with samples; writes nothing. `--out` saves the plan.
    Plan {
        /// Runbook id or path.
        #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::runbook_ids))]
        runbook: String,
        /// Which direction to plan.
        #[arg(long, value_enum)]
        direction: DirectionArg,
        /// Run options.
        #[command(flatten)]
        run: RunArgs,
        /// Plan the runbook's emergency procedure.
        #[arg(long, conflicts_with_all = ["steps", "continue_on_error"])]
        emergency: bool,
        /// Save the plan (with its digest and id) to this file.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Show the plan as one grid, however narrow the terminal (else a narrow terminal gets
        /// one block per step).
        #[arg(long)]
        wide: bool,
    },
    /// Run forward actions of the selected steps (ascending order).
    Apply {
        /// Runbook id or path (optional with --plan).
        #[arg(required_unless_present = "plan")]
        #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::runbook_ids))]
        runbook: Option<String>,
        /// Run options.
        #[command(flatten)]
        run: RunArgs,
        /// Saved plan options.
        #[command(flatten)]
        saved: SavedPlanArgs,
    },
    /// Run rollback actions of the selected steps (descending order).
    Rollback {
        /// Runbook id or path (optional with --plan).
        #[arg(required_unless_present = "plan")]
        #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::runbook_ids))]
        runbook: Option<String>,
        /// Run options.
        #[command(flatten)]
        run: RunArgs,
        /// Saved plan options.
        #[command(flatten)]
        saved: SavedPlanArgs,
        /// Run the runbook's emergency procedure: its declared steps, going on past failures.
        #[arg(long, conflicts_with_all = ["steps", "continue_on_error"])]
        emergency: bool,
    },
    /// Run verify checks only.
    Verify {
        /// Runbook id or path.
        #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::runbook_ids))]
        runbook: String,
        /// Run options.
        #[command(flatten)]
        run: RunArgs,
        /// Which direction's checks (when omitted: the direction last applied to the steps,
        /// forward for steps never run).
        #[arg(long, value_enum)]
        direction: Option<DirectionArg>,
    },
    /// Approve a saved plan (someone other than the operator who will run it).
    Approve {
        /// The id of a plan already recorded (by an earlier `approve --plan`).
        #[arg(required_unless_present = "plan", conflicts_with = "plan")]
        plan_id: Option<String>,
        /// The plan file to approve.
        #[arg(long, value_name = "FILE")]
        plan: Option<PathBuf>,
        /// Why it is approved.
        #[arg(long)]
        reason: String,
        /// Ticket or incident reference.
        #[arg(long)]
        ticket: Option<String>,
        /// Minutes the approval stays valid.
        #[arg(long, default_value_t = 60)]
        expires_in: i64,
    },
    /// The audit trail's hash chain: `audit verify` names the first entry that breaks it.
    Audit {
        /// What to do with it.
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Approvals recorded in the state database: list them, or revoke a plan's.
    Approvals {
        /// What to do with them.
        #[command(subcommand)]
        command: ApprovalsCommand,
    },
    /// Release the lock of a runbook's database by hand (asks; audited). A lease still being
    /// renewed is refused unless --force.
    Unlock {
        /// Runbook id or path (its database, or --db, is unlocked).
        #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::runbook_ids))]
        runbook: String,
        /// Release even a live lease: its holder is fenced and stops before its next write.
        #[arg(long)]
        force: bool,
        /// Let runs go on although the state database does not know the run that last held the
        /// lock (the state was dropped, replaced, or is another --state-db); check the data
        /// by hand first.
        #[arg(long, conflicts_with = "force")]
        accept_state: bool,
    },
    /// Record that a stopped (interrupted or failed) run will not be finished: no rerun resumes
    /// it; its snapshots are kept. Asks; audited.
    Abandon {
        /// Run id.
        run_id: String,
    },
    /// Resume a stopped run (interrupted, failed, or compensated only in part) by its id: its
    /// own command, steps, parameters and saved plan; finished actions are not done again.
    Resume {
        /// Run id (see `rollbook runs`).
        run_id: String,
        /// Resume options.
        #[command(flatten)]
        resume: ResumeArgs,
    },
    /// Runs recorded in the state database, newest first, with their status.
    Runs {
        /// Only runs of this runbook id.
        #[arg(long)]
        #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::runbook_ids))]
        runbook: Option<String>,
        /// Only runs with this status.
        #[arg(long, value_enum)]
        status: Option<RunStatusArg>,
        /// At most this many runs.
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// An incident-style Markdown report of a run.
    Report {
        /// Run id (see `rollbook runs`).
        #[arg(required_unless_present = "last", conflicts_with = "last")]
        run_id: Option<String>,
        /// The newest run that changed something (apply or rollback), of `--runbook` when given.
        #[arg(long)]
        last: bool,
        /// With `--last`: only runs of this runbook id.
        #[arg(long, requires = "last")]
        #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::runbook_ids))]
        runbook: Option<String>,
    },
    /// Per step: last direction applied, when, by whom, last verification; interrupted runs.
    /// Without a runbook: every runbook of the runbooks directory, one line each.
    Status {
        /// Runbook id or path (all runbooks when omitted).
        #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::runbook_ids))]
        runbook: Option<String>,
        /// Also run the verify checks of each step's last applied direction against the data
        /// now (reads only; nothing is recorded): exit 3 where state and data disagree.
        #[arg(long)]
        check: bool,
    },
    /// The audit trail, newest first.
    History {
        /// Only this runbook.
        #[arg(long)]
        #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::runbook_ids))]
        runbook: Option<String>,
        /// Only this run.
        #[arg(long)]
        run: Option<String>,
        /// At most this many events.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Back up databases or collections in mongodump's directory format (`DIR/DB/COLL.bson`
    /// and `.metadata.json`); `--db` names the databases (a comma list or a glob).
    Dump {
        /// Only this collection (repeatable; every collection when omitted).
        #[arg(long = "collection", value_name = "NAME")]
        collections: Vec<String>,
        /// Output directory; `DIR/DB/…` is written and must not hold files yet.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Gzip every file, as `mongodump --gzip` does.
        #[arg(long)]
        gzip: bool,
        /// How many collections are dumped at once.
        #[arg(long, value_name = "N", default_value_t = 4)]
        parallel: usize,
    },
    /// Restore a mongodump-format backup, checked completely first; each collection is swapped
    /// in only once fully restored. `--db` selects the backup's databases (all when omitted).
    Restore {
        /// The backup directory (holding one directory per database).
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        /// Restore into this database (only with exactly one source database).
        #[arg(long, value_name = "DB")]
        to_db: Option<String>,
        /// Replace collections that already hold documents (asks first; --yes skips that).
        #[arg(long)]
        drop: bool,
        /// How many collections are restored at once.
        #[arg(long, value_name = "N", default_value_t = 4)]
        parallel: usize,
        /// Documents per insert command.
        #[arg(long, value_name = "N", default_value_t = 1000)]
        batch_size: usize,
        /// Allow restoring into the server's own databases (admin, local, config).
        #[arg(long)]
        into_server_databases: bool,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// The snapshots in the state database: list them, or prune old ones.
    Snapshots {
        /// What to do with them.
        #[command(subcommand)]
        command: SnapshotsCommand,
    },
    /// A local throwaway MongoDB replica set with demo data.
    Sandbox {
        /// What to do with the sandbox.
        #[command(subcommand)]
        command: SandboxCommand,
        /// Directory holding the sandbox's data, log and state file.
        #[arg(
            long,
            env = "ROLLBOOK_SANDBOX_DIR",
            default_value = ".rollbook/sandbox",
            global = true
        )]
        dir: PathBuf,
    },
}

/// Options of apply, rollback and verify.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Steps: all, 23, 20-23 or 19,21,23 [default: all; with --plan: the plan's].
    #[arg(long)]
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::step_ids))]
    pub steps: Option<String>,
    /// A parameter value (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = crate::runbook::params::parse_assignment)]
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::param_names))]
    pub params: Vec<(String, String)>,
    /// Go on with the next step after a step fails (failures are still reported).
    #[arg(long)]
    pub continue_on_error: bool,
    /// Largest number of documents a step may write and still run in one transaction.
    #[arg(long, default_value_t = crate::engine::DEFAULT_TRANSACTION_LIMIT)]
    pub transaction_limit: u64,
    /// Include opt-in shell actions with this name (repeatable).
    #[arg(long = "with", value_name = "NAME")]
    pub with: Vec<String>,
    /// Acknowledge the checklists and manual actions of this step without a prompt (scripts;
    /// recorded in the journal). Repeatable.
    #[arg(long = "ack", value_name = "STEP")]
    pub ack: Vec<String>,
    /// What `restore_snapshot` does with documents changed or deleted since the rollback:
    /// `fail` (refuse before writing anything), `skip` them, or `overwrite` them.
    #[arg(long, value_enum, default_value_t = crate::actions::OnConflict::Fail)]
    pub on_conflict: crate::actions::OnConflict,
    /// Refuse the run when a selected step's rollback is unsupported, instead of skipping it.
    #[arg(long)]
    pub fail_on_unsupported: bool,
    /// Show no sample documents in the plan (nor in its JSON or saved plan file); the
    /// runbook's `redact` fields are masked in samples anyway.
    #[arg(long)]
    pub no_samples: bool,
}

/// What `resume` may be told again: the choices a run does not record.
#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// The plan file the run executed, when it is not recorded in the state database (a plan
    /// is recorded when it is approved).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Largest number of documents a step may write and still run in one transaction.
    #[arg(long, default_value_t = crate::engine::DEFAULT_TRANSACTION_LIMIT)]
    pub transaction_limit: u64,
    /// Include opt-in shell actions with this name (repeatable).
    #[arg(long = "with", value_name = "NAME")]
    pub with: Vec<String>,
    /// Acknowledge the checklists and manual actions of this step without a prompt. Repeatable.
    #[arg(long = "ack", value_name = "STEP")]
    pub ack: Vec<String>,
    /// What `restore_snapshot` does with documents changed or deleted since the rollback.
    #[arg(long, value_enum, default_value_t = crate::actions::OnConflict::Fail)]
    pub on_conflict: crate::actions::OnConflict,
}

/// A run status on the command line (`rollbook runs --status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum RunStatusArg {
    /// In progress (or its process died unnoticed).
    Running,
    /// Finished, every step done and verified.
    Ok,
    /// An action failed.
    Failed,
    /// Verification did not hold.
    VerifyFailed,
    /// Manual actions left unconfirmed.
    ManualPending,
    /// Stopped by a signal, or its process died.
    Interrupted,
    /// Failed, and every completed action was undone.
    Compensated,
    /// Failed, and some completed actions could not be undone.
    CompensationIncomplete,
    /// Recorded as never to be finished.
    Abandoned,
}

impl From<RunStatusArg> for crate::store::runs::RunStatus {
    fn from(status: RunStatusArg) -> Self {
        use crate::store::runs::RunStatus;
        match status {
            RunStatusArg::Running => RunStatus::Running,
            RunStatusArg::Ok => RunStatus::Ok,
            RunStatusArg::Failed => RunStatus::Failed,
            RunStatusArg::VerifyFailed => RunStatus::VerifyFailed,
            RunStatusArg::ManualPending => RunStatus::ManualPending,
            RunStatusArg::Interrupted => RunStatus::Interrupted,
            RunStatusArg::Compensated => RunStatus::Compensated,
            RunStatusArg::CompensationIncomplete => RunStatus::CompensationIncomplete,
            RunStatusArg::Abandoned => RunStatus::Abandoned,
        }
    }
}

/// Executing a saved plan.
#[derive(Debug, Args)]
pub struct SavedPlanArgs {
    /// Execute exactly this saved plan (approved, if it has sensitive steps).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// How far (in percent) the data may have drifted from the plan's predicted counts.
    #[arg(long, value_name = "PERCENT", default_value_t = 0.0)]
    pub max_drift: f64,
}

/// A direction on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DirectionArg {
    /// Forward.
    Forward,
    /// Rollback.
    Rollback,
}

impl From<DirectionArg> for crate::runbook::model::Direction {
    fn from(value: DirectionArg) -> Self {
        match value {
            DirectionArg::Forward => crate::runbook::model::Direction::Forward,
            DirectionArg::Rollback => crate::runbook::model::Direction::Rollback,
        }
    }
}

/// What `rollbook audit` does.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain of the audit trail: exit 3, naming the first entry that breaks it,
    /// when an entry was edited, deleted or inserted.
    Verify,
}

/// What `rollbook approvals` does.
#[derive(Debug, Subcommand)]
pub enum ApprovalsCommand {
    /// Approvals, newest first: plan, runbook, database, approver, until when, and whether
    /// revoked.
    List {
        /// Only approvals of this runbook id.
        #[arg(long)]
        #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::runbook_ids))]
        runbook: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Revoke every approval of a plan: it can no longer run (asks; audited; notified).
    Revoke {
        /// The plan's id.
        plan_id: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

/// What `rollbook snapshots` does.
#[derive(Debug, Subcommand)]
pub enum SnapshotsCommand {
    /// Every snapshot, newest first: what it holds, when it was taken, whether it was put back;
    /// then storage that no snapshot names (left by an attempt killed before registering it).
    List {
        /// Only snapshots of this runbook id.
        #[arg(long)]
        #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::runbook_ids))]
        runbook: Option<String>,
    },
    /// Remove snapshots older than AGE that were put back (one not put back only with
    /// --force: it is the only way back), and unregistered storage of runs that ended. Asks;
    /// audited.
    Prune {
        /// How old: `30d`, `12h` or `90m`.
        #[arg(long, value_name = "AGE", value_parser = parse_age)]
        older_than: i64,
        /// Remove snapshots not put back too: what they saved cannot be restored afterwards.
        #[arg(long)]
        force: bool,
        /// Only snapshots of this runbook id.
        #[arg(long)]
        #[arg(add = clap_complete::ArgValueCompleter::new(super::completers::runbook_ids))]
        runbook: Option<String>,
    },
}

/// An age on the command line (`30d`, `12h`, `90m`), in milliseconds.
fn parse_age(text: &str) -> Result<i64, String> {
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let count: i64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not an age like 30d, 12h or 90m"))?;
    let unit_ms = match unit {
        "d" => 86_400_000,
        "h" => 3_600_000,
        "m" => 60_000,
        _ => return Err(format!("{text:?} is not an age like 30d, 12h or 90m")),
    };
    if count < 0 {
        return Err(format!("{text:?}: an age cannot be negative"));
    }
    count
        .checked_mul(unit_ms)
        .ok_or_else(|| format!("{text:?} is too long an age"))
}

/// Sandbox sub-commands.
#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Start a single-node replica set on 127.0.0.1 and print its URI.
    Up {
        /// Port (a free one when omitted).
        #[arg(long)]
        port: Option<u16>,
    },
    /// (Re)create demo data for all three runbooks.
    Seed {
        /// Number of earlybird orders; other collections are sized in proportion.
        #[arg(long, default_value_t = 10_000)]
        scale: u64,
    },
    /// Say whether the sandbox runs and where.
    Status,
    /// Stop the sandbox and delete its data.
    Down,
}

/// Where a context's connection string comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UriSource {
    /// An environment variable.
    Env(String),
    /// The first line of a file.
    File(PathBuf),
}

/// The context a command works in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// Its name.
    pub name: String,
    /// Where its connection string comes from.
    pub uri: UriSource,
    /// Every changing command asks for the name typed out.
    pub protected: bool,
    /// The file that defines it.
    pub file: PathBuf,
}

/// Which global options the command line (or their environment variables) gave, so that a
/// context fills in only the others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Given {
    /// `--state-db`.
    pub state_db: bool,
    /// `--runbooks` (`ROLLBOOK_RUNBOOKS` gives way to a context).
    pub runbooks: bool,
}
