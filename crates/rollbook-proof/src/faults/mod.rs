//! `rollbook-faults`: the fault-injection suite. On throwaway replica sets of its own it runs the
//! shipped runbooks as an operator does — a separate rollbook process — and breaks them: SIGKILL
//! at random points, a run paused past its lease and one killed while its command still runs on
//! the server (both taken over by a rerun), server failpoints on every action kind, mongod
//! crashed and restarted, the primary of a three-member set stepped down, the application
//! writing between rollback and forward, a damaged snapshot. After each fault it
//! reruns (or recovers), brings the data back the other way, and compares every document with
//! the original, byte for byte.

pub mod cluster;
pub mod conflicts;
pub mod failpoints;

pub mod invocation;
pub mod kills;
pub mod servers;
pub mod state_loss;
pub mod takeovers;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mongodb::bson::{doc, Document};
use mongodb::Client;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use cluster::Cluster;
use fingerprint::{Difference, Fingerprint, Ignored};
use invocation::Rollbook;
pub use rollbook::content::fingerprint;
use rollbook::error::{Error, Result};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Trials per group (failpoint cases: per action kind).
    pub trials: usize,
    /// `sandbox seed --scale` of the data.
    pub scale: u64,
    /// Seed of the random fault points (printed, so a run can be repeated).
    pub seed: u64,
    /// The runbooks directory.
    pub runbooks: PathBuf,
    /// Where the replica sets keep their data (removed afterwards).
    pub work_dir: PathBuf,
    /// Only these groups (all when empty), to repeat one kind of trial.
    pub only: Vec<GroupKind>,
    /// Only the failpoint case of this action kind, its first word (all when `None`).
    pub case: Option<String>,
}

/// The groups of trials, in the order the suite runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupKind {
    /// SIGKILL during `rollback --steps 30-19`.
    Kills,
    /// SIGKILL during org-rename.
    OrgRenameKills,
    /// SIGSTOP during `rollback --steps 30-19` past the lease: taken over, then woken up.
    Leases,
    /// SIGKILL while org-rename's copy runs on the server: taken over, the copy stopped.
    Orphans,
    /// The state database dropped during `rollback --steps 30-19`: stopped, the next run refused.
    StateLoss,
    /// Server failpoints on every action kind.
    Failpoints,
    /// `mongod` killed (SIGKILL) and restarted mid-run.
    Crash,
    /// The primary of a three-member set stepped down mid-run.
    Stepdown,
    /// The application writes, or a snapshot is damaged, between rollback and forward.
    Conflicts,
}

impl Options {
    fn runs(&self, group: GroupKind) -> bool {
        self.only.is_empty() || self.only.contains(&group)
    }
}

/// The outcome of one group of trials.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Group {
    /// What was done.
    pub name: String,
    /// Trials run.
    pub trials: usize,
    /// Faults actually injected (a kill while running, a failpoint that fired, …).
    pub faults: usize,
    /// Trials that ended with the data exactly as expected.
    pub survived: usize,
    /// Documents missing or changed after recovery, over all trials.
    pub documents_lost: u64,
    /// What went wrong, per failed trial.
    pub failures: Vec<String>,
}

/// The whole suite's outcome.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Outcome {
    /// Random seed used.
    pub seed: u64,
    /// Data scale.
    pub scale: u64,
    /// Groups in order.
    pub groups: Vec<Group>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl Outcome {
    /// Trials over all groups.
    #[must_use]
    pub fn trials(&self) -> usize {
        self.groups.iter().map(|g| g.trials).sum()
    }
    /// Faults injected over all groups.
    #[must_use]
    pub fn faults(&self) -> usize {
        self.groups.iter().map(|g| g.faults).sum()
    }
    /// Trials survived over all groups.
    #[must_use]
    pub fn survived(&self) -> usize {
        self.groups.iter().map(|g| g.survived).sum()
    }
    /// Documents lost over all groups.
    #[must_use]
    pub fn documents_lost(&self) -> u64 {
        self.groups.iter().map(|g| g.documents_lost).sum()
    }
    /// True when every trial survived and nothing was lost.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.survived() == self.trials() && self.documents_lost() == 0
    }
}

/// One trial's verdict, folded into its group.
#[derive(Debug, Default)]
pub struct Trial {
    /// Faults injected in this trial.
    pub faults: usize,
    /// Comparisons with the expected states.
    pub differences: Vec<(String, Difference)>,
}

impl Group {
    fn new(name: &str) -> Group {
        Group {
            name: name.to_owned(),
            ..Group::default()
        }
    }

    /// Adds a trial's result (an error counts as a failed trial); returns the failure, if any.
    pub fn add(&mut self, label: &str, result: Result<Trial>) -> Option<String> {
        let failures = self.failures.len();
        self.trials += 1;
        match result {
            Ok(trial) => {
                self.faults += trial.faults;
                let mut clean = true;
                for (what, difference) in trial.differences {
                    self.documents_lost += difference.lost;
                    if !difference.is_none() {
                        clean = false;
                        self.failures
                            .push(format!("{label}: {what}: {}", difference.notes.join("; ")));
                    }
                }
                if clean {
                    self.survived += 1;
                }
            }
            Err(e) => self.failures.push(format!("{label}: {e}")),
        }
        self.failures
            .get(failures..)
            .map(|new| new.join("; "))
            .filter(|f| !f.is_empty())
    }
}

/// A report of progress for a terminal.
pub trait Progress {
    /// A trial of `group` ended, with `failure` when it failed.
    fn trial(&self, group: &Group, failure: Option<&str>);
}

/// The suite's shared state: the main replica set, its pristine data and their fingerprints.
pub struct Suite<'a> {
    options: &'a Options,
    cluster: Cluster,
    client: Client,
    rng: StdRng,
    next: u32,
    earlybird: Fingerprint,
    master: Fingerprint,
}

/// Pristine databases on every replica set of the suite.
pub const PRISTINE_EARLYBIRD: &str = "pristine_earlybird";
/// Pristine `master` database (organizations) for org-rename.
pub const PRISTINE_MASTER: &str = "pristine_master";
/// The large organization org-rename trials rename.
pub const BIG_ORG: &str = "bigco";
/// Its new name.
pub const BIG_ORG_RENAMED: &str = "bigco_two";
/// org-rename sets `updated_at` to the time of the run: left out of comparisons.
pub const ORG_UPDATED_AT: Ignored<'static> = Ignored {
    collection: "organizations",
    field: "updated_at",
};

/// Runs the whole suite.
pub async fn run(options: &Options, progress: &dyn Progress) -> Result<Outcome> {
    let started = Instant::now();
    if std::fs::read_dir(&options.work_dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(Error::Usage(format!(
            "{} is not empty (left by an earlier suite that was stopped?); remove it or pass another --work-dir",
            options.work_dir.display()
        )));
    }
    std::fs::create_dir_all(&options.work_dir)
        .map_err(|e| Error::io(format!("cannot create {}", options.work_dir.display()), e))?;
    let cluster = Cluster::start(&options.work_dir.join("single"), "faults1", 1).await?;
    let client = cluster.client().await?;
    let (earlybird, master) = seed_pristine(&client, options.scale).await?;
    let mut suite = Suite {
        options,
        cluster,
        client,
        rng: StdRng::seed_from_u64(options.seed),
        next: 0,
        earlybird,
        master,
    };
    let mut groups = Vec::new();
    if options.runs(GroupKind::Kills) {
        groups.push(kills::rollback_range(&mut suite, progress).await?);
    }
    if options.runs(GroupKind::OrgRenameKills) {
        groups.push(kills::org_rename(&mut suite, progress).await?);
    }
    if options.runs(GroupKind::Leases) {
        groups.push(takeovers::paused_past_the_lease(&mut suite, progress).await?);
    }
    if options.runs(GroupKind::Orphans) {
        groups.push(takeovers::orphaned_server_work(&mut suite, progress).await?);
    }
    if options.runs(GroupKind::StateLoss) {
        groups.push(state_loss::dropped_mid_run(&mut suite, progress).await?);
    }
    if options.runs(GroupKind::Failpoints) {
        groups.push(failpoints::every_action_kind(&mut suite, progress).await?);
    }
    if options.runs(GroupKind::Crash) {
        groups.push(servers::crash_and_restart(&mut suite, progress).await?);
    }
    if options.runs(GroupKind::Conflicts) {
        groups.push(conflicts::between_rollback_and_forward(&mut suite, progress).await?);
    }
    suite.cluster.stop().await;
    if options.runs(GroupKind::Stepdown) {
        groups.push(servers::stepdown(options, progress).await?);
    }
    let _ = std::fs::remove_dir_all(&options.work_dir);
    Ok(Outcome {
        seed: options.seed,
        scale: options.scale,
        groups,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Seeds the pristine databases (plus a large organization) and takes their fingerprints.
pub async fn seed_pristine(client: &Client, scale: u64) -> Result<(Fingerprint, Fingerprint)> {
    let targets = rollbook::sandbox::seed::SeedTargets {
        earlybird: PRISTINE_EARLYBIRD.into(),
        master: PRISTINE_MASTER.into(),
        tenants: vec![],
    };
    rollbook::sandbox::seed::seed(client, &targets, scale).await?;
    let members = format!("org_{BIG_ORG}");
    crate::bench::generate_members(client, PRISTINE_MASTER, &members, scale * 4).await?;
    client
        .database(PRISTINE_MASTER)
        .collection::<Document>("organizations")
        .insert_one(doc! {
            "organization_name": BIG_ORG,
            "collection_name": &members,
            "created_at": mongodb::bson::DateTime::from_millis(1_735_689_600_000),
            "updated_at": mongodb::bson::DateTime::from_millis(1_767_225_600_000),
        })
        .await
        .map_err(|e| Error::database("cannot add the large organization", e))?;
    Ok((
        fingerprint::take(client, PRISTINE_EARLYBIRD, &[]).await?,
        fingerprint::take(client, PRISTINE_MASTER, &[ORG_UPDATED_AT]).await?,
    ))
}

pub use rollbook::content::clone::clone_db;

impl Suite<'_> {
    /// A fresh trial: its database (a clone of `pristine`), state database and a rollbook
    /// runner tagged with its own `appName`.
    async fn trial(&mut self, pristine: &str) -> Result<(Rollbook, tempdir::Dir)> {
        self.next += 1;
        let name = format!("t{}", self.next);
        clone_db(&self.client, pristine, &name).await?;
        let dir = tempdir::Dir::new(&self.options.work_dir.join(&name))?;
        Ok((self.runner(&name), dir))
    }

    /// An uninterrupted `rollback --steps 30-19`: its duration bounds the fault points, its
    /// result is the reference for interrupted ones.
    async fn uninterrupted_range_rollback(&mut self) -> Result<(Duration, Fingerprint)> {
        let (rollbook, dir) = self.trial(PRISTINE_EARLYBIRD).await?;
        let full = steps_run(&rollbook, dir.path(), "rollback", "30-19", kills::LIMITS[0]).await?;
        let rolled_back = fingerprint::take(&self.client, &rollbook.db, &[]).await?;
        self.discard(&rollbook).await;
        Ok((full, rolled_back))
    }

    fn runner(&self, db: &str) -> Rollbook {
        runner(self.options, &self.cluster, db)
    }

    /// Drops a trial's databases.
    async fn discard(&self, rollbook: &Rollbook) {
        discard(&self.client, rollbook).await;
    }

    /// A random fault point within the first three quarters of a run that took `up_to` (later
    /// runs of the same command are often faster than the first, cold one).
    fn random_delay(&mut self, up_to: Duration) -> Duration {
        let millis = (up_to.as_millis() * 3 / 4).max(1) as u64;
        Duration::from_millis(self.rng.gen_range(0..millis))
    }
}

/// A runner for database `db` (state in `db`_state) on `cluster`.
#[must_use]
pub fn runner(options: &Options, cluster: &Cluster, db: &str) -> Rollbook {
    Rollbook {
        exe: crate::rollbook_binary(),
        runbooks: options.runbooks.clone(),
        uri: cluster.uri(db),
        db: db.to_owned(),
        state: format!("{db}_state"),
    }
}

/// Drops a trial's databases.
pub async fn discard(client: &Client, rollbook: &Rollbook) {
    for name in [&rollbook.db, &rollbook.state] {
        let _ = client.database(name).drop().await;
    }
}

/// Compares database `db` with `expected`. Backup collections a rollback leaves on purpose
/// (`*_backup`, from `backup_to_collection`, and the run-suffixed `*_backup_<run id>` a later
/// run writes beside an earlier one) are compared only when `expected` has them.
pub async fn compare(
    client: &Client,
    db: &str,
    expected: &Fingerprint,
    ignored: &[Ignored<'_>],
) -> Result<Difference> {
    let actual = fingerprint::take(client, db, ignored).await?;
    Ok(expected.compare(&actual.only(|name| {
        expected.contains(name) || !(name.ends_with("_backup") || name.contains("_backup_"))
    })))
}

/// Exit codes of a finished rollback/apply of steps-19-30: 9 when manual steps are pending.
pub const DONE: [i32; 2] = [0, 9];

/// Plans and approves `direction` of `steps` of steps-19-30, then runs it to completion.
pub async fn steps_run(
    rollbook: &Rollbook,
    dir: &Path,
    direction: &str,
    steps: &str,
    limit: &str,
) -> Result<Duration> {
    let plan = rollbook
        .approved_plan(
            dir,
            "steps-19-30",
            direction,
            &["--steps", steps, "--transaction-limit", limit],
        )
        .await?;
    let command = if direction == "forward" {
        "apply"
    } else {
        "rollback"
    };
    let plan = plan.display().to_string();
    let (finished, _) = rollbook
        .rerun_until(&[command, "--plan", &plan, "--yes"], &DONE, 1)
        .await?;
    Ok(finished.elapsed)
}

/// Plans and approves `rollback --steps 30-19` of steps-19-30; returns the plan file's path.
pub async fn approved_range_rollback(
    rollbook: &Rollbook,
    dir: &Path,
    limit: &str,
) -> Result<String> {
    let plan = rollbook
        .approved_plan(
            dir,
            "steps-19-30",
            "rollback",
            &["--steps", "30-19", "--transaction-limit", limit],
        )
        .await?;
    Ok(plan.display().to_string())
}

/// The command line of org-rename `command` (apply or rollback) renaming the large organization.
#[must_use]
pub fn org_rename_args(command: &str) -> Vec<String> {
    [
        command,
        "org-rename",
        "--yes",
        "--param",
        &format!("org={BIG_ORG}"),
        "--param",
        &format!("new_name={BIG_ORG_RENAMED}"),
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .collect()
}

/// A scratch directory for plan files, removed when dropped.
pub mod tempdir {
    use std::path::{Path, PathBuf};

    use rollbook::error::{Error, Result};

    /// The directory.
    #[derive(Debug)]
    pub struct Dir(PathBuf);

    impl Dir {
        /// Creates `path` (and its parents).
        pub fn new(path: &Path) -> Result<Dir> {
            std::fs::create_dir_all(path)
                .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
            Ok(Dir(path.to_path_buf()))
        }

        /// Its path.
        #[must_use]
        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trial_survives_only_when_every_comparison_is_clean() {
        let mut group = Group::new("g");
        let clean = Trial {
            faults: 1,
            differences: vec![("after".into(), Difference::default())],
        };
        assert_eq!(group.add("t1", Ok(clean)), None);
        let lost = Difference {
            lost: 3,
            notes: vec!["orders: 3 documents missing".into()],
            ..Difference::default()
        };
        let dirty = Trial {
            faults: 1,
            differences: vec![
                ("first".into(), Difference::default()),
                ("second".into(), lost),
            ],
        };
        let failure = group.add("t2", Ok(dirty));
        assert_eq!(
            failure.as_deref(),
            Some("t2: second: orders: 3 documents missing")
        );
        let error = group.add("t3", Err(Error::ActionFailed("no primary".into())));
        assert!(error.is_some_and(|e| e.contains("no primary")));
        assert_eq!(
            (
                group.trials,
                group.survived,
                group.faults,
                group.documents_lost
            ),
            (3, 1, 2, 3)
        );
        let outcome = Outcome {
            groups: vec![group],
            ..Outcome::default()
        };
        assert!(!outcome.passed());
    }

    #[test]
    fn the_rollbook_binary_is_found_beside_the_tool_or_where_rollbook_bin_says() {
        let beside = rollbook_binary_at(None);
        assert_eq!(
            beside.file_name().and_then(|n| n.to_str()),
            Some("rollbook")
        );
        assert_eq!(
            rollbook_binary_at(Some("/opt/rb".into())),
            PathBuf::from("/opt/rb")
        );
    }

    fn rollbook_binary_at(env: Option<std::ffi::OsString>) -> PathBuf {
        crate::rollbook_binary_from(env)
    }
}
