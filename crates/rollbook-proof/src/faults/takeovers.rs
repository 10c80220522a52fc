//! Takeovers of a run's lock from an attempt that is not quite dead: a rollbook process paused
//! (SIGSTOP) past its lease, whose successor takes the lock over and finishes before it wakes
//! up; and a process killed while one of its commands still runs on the server, whose
//! successor must stop that command before it writes. Afterwards the other direction must
//! bring back the original, document for document.

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Bson, Document, Timestamp};
use mongodb::Client;

use super::fingerprint::{Difference, Fingerprint};
use super::invocation::{Finished, Rollbook};
use super::kills::LIMITS;
use super::{approved_range_rollback, clone_db, compare, fingerprint, org_rename_args, steps_run};
use super::{Group, Progress, Suite, Trial, DONE};
use super::{BIG_ORG, BIG_ORG_RENAMED, ORG_UPDATED_AT, PRISTINE_EARLYBIRD, PRISTINE_MASTER};
use rollbook::error::{Error, Result};

/// How long a lease lasts without renewal, in seconds: `LEASE_SECS` of rollbook's
/// `src/store/lock.rs` (not public in the library).
pub const LEASE_SECS: u64 = 30;

/// How long a paused run stays stopped: past its lease, with a margin for the last renewal.
pub const PAUSED_FOR: Duration = Duration::from_secs(LEASE_SECS + 4);

/// How long a woken or rerun process may take to exit before the trial gives up on it.
pub(super) const PATIENCE: Duration = Duration::from_secs(180);

/// The collection rollbook keeps a target database's lock in (`LOCK_COLLECTION`).
const LOCK_COLLECTION: &str = "rollbook_lock";

/// Members of the large organization the orphan trials rename: enough that org-rename's copy
/// (`$out`) runs on the server for seconds, longer than a rerun takes to start and look for
/// the work of the attempt before it.
pub const ORPHAN_MEMBERS: u64 = 100_000;

/// The pristine `master` database of the orphan trials: [`PRISTINE_MASTER`] with the large
/// organization grown to [`ORPHAN_MEMBERS`] members.
pub const PRISTINE_LARGE_MASTER: &str = "pristine_large_master";

/// A difference that is no data: a rule of the protocol that did not hold.
pub(super) fn broken(note: String) -> Difference {
    Difference {
        notes: vec![note],
        ..Difference::default()
    }
}

/// Sends signal `name` (`STOP`, `CONT`) to process `pid`, with `kill` as an operator would.
fn signal(pid: u32, name: &str) -> Result<()> {
    let status = std::process::Command::new("kill")
        .args([format!("-{name}"), pid.to_string()])
        .status()
        .map_err(|e| Error::io(format!("cannot run kill -{name} {pid}"), e))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::ActionFailed(format!("kill -{name} {pid} failed")))
    }
}

/// The lock document of database `db` (held or released), if there is one.
async fn lock_of(client: &Client, db: &str) -> Result<Option<Document>> {
    client
        .database(db)
        .collection::<Document>(LOCK_COLLECTION)
        .find_one(doc! {"_id": "lock"})
        .await
        .map_err(|e| Error::database(format!("cannot read the lock of {db}"), e))
}

/// The generation of the lock of `db` when process `pid` holds it now.
pub(super) async fn held_by(client: &Client, db: &str, pid: u32) -> Result<Option<i64>> {
    Ok(lock_of(client, db).await?.and_then(|lock| {
        (lock.get_str("owner").is_ok() && lock.get_i64("pid").ok() == Some(i64::from(pid)))
            .then(|| lock.get_i64("generation").unwrap_or_default())
    }))
}

/// The timestamp of the newest oplog entry: the point from which [`oplog_writes`] counts.
pub(super) async fn oplog_now(client: &Client) -> Result<Timestamp> {
    let failed = |e| Error::database("cannot read the oplog", e);
    client
        .database("local")
        .collection::<Document>("oplog.rs")
        .find_one(doc! {})
        .sort(doc! {"$natural": -1})
        .await
        .map_err(failed)?
        .and_then(|last| last.get_timestamp("ts").ok())
        .ok_or_else(|| Error::ActionFailed("the oplog is empty".into()))
}

/// Oplog entries written since `since` to database `db` (trial databases are named with
/// letters and digits), periodic no-ops and its lock (`rollbook_lock`) excepted. Transactions
/// are logged as one `applyOps` entry in `admin.$cmd`; those count when one of their
/// operations touches `db`. Zero proves nothing was written there.
pub(super) async fn oplog_writes(client: &Client, since: Timestamp, db: &str) -> Result<u64> {
    let pattern = format!("^{db}\\.");
    let lock = format!("^{db}\\.{LOCK_COLLECTION}$");
    client
        .database("local")
        .collection::<Document>("oplog.rs")
        .count_documents(doc! {
            "ts": {"$gt": since},
            "op": {"$ne": "n"},
            "ns": {"$not": {"$regex": &lock}},
            "$or": [{"ns": {"$regex": &pattern}}, {"o.applyOps.ns": {"$regex": &pattern}}],
        })
        .await
        .map_err(|e| Error::database("cannot read the oplog", e))
}

/// Operations of rollbook runs on `db` running on the server now: those whose command (or, for
/// a `getMore`, the command that opened its cursor) carries the comment
/// `rollbook <db> <run id> attempt <n>`.
async fn operations_of(client: &Client, db: &str) -> Result<Vec<Document>> {
    let prefix = format!("^rollbook {db} ");
    let pipeline = vec![
        doc! {"$currentOp": {"allUsers": true, "idleConnections": false}},
        doc! {"$match": {"$or": [
            {"command.comment": {"$regex": &prefix}},
            {"cursor.originatingCommand.comment": {"$regex": &prefix}},
        ]}},
        doc! {"$project": {"opid": 1, "ns": 1, "op": 1,
        "comment": {"$ifNull": ["$command.comment", "$cursor.originatingCommand.comment"]}}},
    ];
    let failed = |e| Error::database("cannot list the operations running on the server", e);
    client
        .database("admin")
        .aggregate(pipeline)
        .await
        .map_err(failed)?
        .try_collect()
        .await
        .map_err(failed)
}

/// Describes an operation of [`operations_of`] for labels and notes.
fn describe(op: &Document) -> String {
    format!(
        "{} on {} ({})",
        op.get_str("op").unwrap_or("?"),
        op.get_str("ns").unwrap_or("?"),
        op.get_str("comment").unwrap_or("?")
    )
}

/// Pauses `rollback --steps 30-19` (SIGSTOP) at a random point while it holds the lock, past
/// its lease; the same command run again must take the lock over and finish; the paused
/// process, resumed (SIGCONT), must stop with exit 6 and write nothing more to the target.
pub async fn paused_past_the_lease(
    suite: &mut Suite<'_>,
    progress: &dyn Progress,
) -> Result<Group> {
    let mut group = Group::new(
        "SIGSTOP during rollback --steps 30-19 past the lease, takeover, SIGCONT, then apply 19-30",
    );
    let (full, rolled_back) = suite.uninterrupted_range_rollback().await?;
    for index in 0..suite.options.trials {
        let limit = LIMITS[index % LIMITS.len()];
        let delay = suite.random_delay(full);
        let label = format!(
            "trial {} (SIGSTOP {delay:?} after it took the lock, for {PAUSED_FOR:?}, transaction limit {limit})",
            index + 1
        );
        let (rollbook, dir) = suite.trial(PRISTINE_EARLYBIRD).await?;
        let result = async {
            let mut trial = Trial::default();
            let plan = approved_range_rollback(&rollbook, dir.path(), limit).await?;
            let command = ["rollback", "--plan", &plan, "--yes"];
            paused(suite, &rollbook, &command, delay, &mut trial).await?;
            trial.differences.push((
                "after the takeover, compared with an uninterrupted rollback".into(),
                compare(&suite.client, &rollbook.db, &rolled_back, &[]).await?,
            ));
            steps_run(&rollbook, dir.path(), "forward", "19-30", limit).await?;
            trial.differences.push((
                "after apply 19-30, compared with the original".into(),
                compare(&suite.client, &rollbook.db, &suite.earlybird, &[]).await?,
            ));
            Ok(trial)
        }
        .await;
        let failure = group.add(&label, result);
        progress.trial(&group, failure.as_deref());
        suite.discard(&rollbook).await;
    }
    Ok(group)
}

/// Runs `command`, pauses it `delay` after it took the lock, takes the lock over with a rerun
/// once its lease is past, and wakes it up; notes in `trial` what did not hold. A run that
/// finished or let the lock go before the pause is merely recovered (no fault injected).
async fn paused(
    suite: &Suite<'_>,
    rollbook: &Rollbook,
    command: &[&str],
    delay: Duration,
    trial: &mut Trial,
) -> Result<()> {
    let client = &suite.client;
    let started = Instant::now();
    let mut child = rollbook.start(command)?;
    let pid = child
        .id()
        .ok_or_else(|| Error::ActionFailed("rollbook exited at once".into()))?;
    let mut holding = None;
    while holding.is_none() && child.try_wait().ok().flatten().is_none() {
        if started.elapsed() > PATIENCE {
            return Err(Error::ActionFailed(format!(
                "`rollbook {}` did not take the lock within {} s",
                command.join(" "),
                PATIENCE.as_secs()
            )));
        }
        holding = held_by(client, &rollbook.db, pid).await?;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(delay).await;
    let mut stopped = None;
    if holding.is_some() && child.try_wait().ok().flatten().is_none() {
        signal(pid, "STOP")?;
        // Read after the pause: the lock it holds now cannot change until it wakes up.
        stopped = held_by(client, &rollbook.db, pid).await?;
        if stopped.is_none() {
            signal(pid, "CONT")?;
        }
    }
    let Some(generation) = stopped else {
        let first = Rollbook::finish(child, started, PATIENCE).await?;
        return rollbook.recover(command, &first, &DONE, 4).await;
    };
    trial.faults += 1;
    tokio::time::sleep(PAUSED_FOR).await;
    let takeover = rollbook.run(command).await?;
    if !DONE.contains(&takeover.code) {
        return Err(Error::ActionFailed(format!(
            "the run taking the lock over from the paused one exited {}: {}",
            takeover.code,
            takeover.headline()
        )));
    }
    let after = lock_of(client, &rollbook.db)
        .await?
        .and_then(|lock| lock.get_i64("generation").ok())
        .unwrap_or_default();
    if after <= generation {
        trial.differences.push((
            "after the takeover".into(),
            broken(format!(
                "the lock is at generation {after}, the paused attempt held {generation}: it was not taken over"
            )),
        ));
    }
    let resumed_at = oplog_now(client).await?;
    signal(pid, "CONT")?;
    let woken = Rollbook::finish(child, started, PATIENCE).await?;
    if woken.code != 6 || !woken.stdout.contains("CONCURRENT_UPDATE_DETECTED") {
        trial.differences.push((
            "the paused attempt, woken up".into(),
            broken(format!(
                "exited {} instead of 6 (CONCURRENT_UPDATE_DETECTED): {}",
                woken.code,
                woken.headline()
            )),
        ));
    }
    let writes = oplog_writes(client, resumed_at, &rollbook.db).await?;
    if writes > 0 {
        trial.differences.push((
            "the paused attempt, woken up".into(),
            broken(format!(
                "{writes} oplog entries in {} after it was resumed",
                rollbook.db
            )),
        ));
    }
    Ok(())
}

/// Kills org-rename (SIGKILL) as soon as one of its commands is seen running on the server
/// (`$currentOp`), on an organization large enough that its copy runs for seconds; the rerun,
/// right away, must stop what the killed attempt left running (`killOp`) and finish, and the
/// rollback must bring the original back.
pub async fn orphaned_server_work(suite: &mut Suite<'_>, progress: &dyn Progress) -> Result<Group> {
    let mut group = Group::new(
        "SIGKILL while org-rename's copy runs on the server, takeover stopping it, then rollback",
    );
    let client = suite.client.clone();
    let from = format!("org_{BIG_ORG}");
    clone_db(&client, PRISTINE_MASTER, PRISTINE_LARGE_MASTER).await?;
    crate::bench::generate_members(&client, PRISTINE_LARGE_MASTER, &from, ORPHAN_MEMBERS).await?;
    let original = fingerprint::take(&client, PRISTINE_LARGE_MASTER, &[ORG_UPDATED_AT]).await?;
    for index in 0..suite.options.trials {
        let label = format!(
            "trial {} (SIGKILL once a command of the run is seen running)",
            index + 1
        );
        let (rollbook, _dir) = suite.trial(PRISTINE_LARGE_MASTER).await?;
        let result = orphaned(&client, &rollbook, &original).await;
        let failure = group.add(&label, result);
        progress.trial(&group, failure.as_deref());
        suite.discard(&rollbook).await;
    }
    let _ = client.database(PRISTINE_LARGE_MASTER).drop().await;
    Ok(group)
}

/// One orphan trial on `rollbook`'s database, a clone of `original`.
async fn orphaned(client: &Client, rollbook: &Rollbook, original: &Fingerprint) -> Result<Trial> {
    let (apply, rollback) = (org_rename_args("apply"), org_rename_args("rollback"));
    let apply: Vec<&str> = apply.iter().map(String::as_str).collect();
    let rollback: Vec<&str> = rollback.iter().map(String::as_str).collect();
    let to = format!("org_{BIG_ORG_RENAMED}");
    let mut trial = Trial::default();
    let started = Instant::now();
    let mut child = rollbook.spawn(&apply)?;
    let mut seen = None;
    while seen.is_none() && child.try_wait().ok().flatten().is_none() {
        if started.elapsed() > PATIENCE {
            return Err(Error::ActionFailed(format!(
                "no command of `rollbook {}` seen running within {} s",
                apply.join(" "),
                PATIENCE.as_secs()
            )));
        }
        seen = operations_of(client, &rollbook.db)
            .await?
            .into_iter()
            .next();
        if seen.is_none() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let Some(op) = seen else {
        let code = child
            .wait()
            .await
            .ok()
            .and_then(|status| status.code())
            .unwrap_or(-1);
        let first = Finished {
            code,
            stderr: String::new(),
            stdout: String::new(),
            elapsed: started.elapsed(),
        };
        rollbook.recover(&apply, &first, &[0], 4).await?;
        return after_the_rename(client, rollbook, original, &rollback, &to, trial).await;
    };
    let generation = lock_of(client, &rollbook.db)
        .await?
        .and_then(|lock| lock.get_i64("generation").ok())
        .unwrap_or_default();
    child
        .start_kill()
        .map_err(|e| Error::io("cannot kill rollbook", e))?;
    child
        .wait()
        .await
        .map_err(|e| Error::io("cannot wait for rollbook", e))?;
    trial.faults += 1;
    let comment = op.get("comment").cloned().unwrap_or(Bson::Null);
    let (rerun, watched) = rerun_watched(client, rollbook, &apply, &comment, generation).await?;
    if rerun.code != 0 {
        return Err(Error::ActionFailed(format!(
            "the rerun after killing the run during {} exited {}: {}",
            describe(&op),
            rerun.code,
            rerun.headline()
        )));
    }
    let mut notes = Vec::new();
    if rerun
        .stderr
        .contains("indexes of target collection changed")
    {
        notes.push(format!(
            "the rerun met the killed attempt's {}: {}",
            describe(&op),
            rerun.headline()
        ));
    }
    if !rerun.stderr.contains("took over the lock") {
        notes.push("the rerun did not report taking the lock over".to_owned());
    }
    if watched.orphan_after_takeover
        && !rerun
            .stderr
            .contains("of the earlier attempt still running")
    {
        notes.push(format!(
            "the killed attempt's {} still ran after the rerun took the lock over, and the rerun did not report stopping it",
            describe(&op)
        ));
    }
    if let Some(together) = watched.together {
        notes.push(format!("commands of both attempts ran at once: {together}"));
    }
    let left: Vec<String> = operations_of(client, &rollbook.db)
        .await?
        .iter()
        .map(describe)
        .collect();
    if !left.is_empty() {
        notes.push(format!(
            "still running after the rerun: {}",
            left.join("; ")
        ));
    }
    if !notes.is_empty() {
        trial.differences.push((
            "the rerun taking over".into(),
            Difference {
                notes,
                ..Difference::default()
            },
        ));
    }
    after_the_rename(client, rollbook, original, &rollback, &to, trial).await
}

/// What the server showed while a rerun ran after a kill.
#[derive(Debug, Default)]
struct Watched {
    /// The killed attempt's command was seen running after the rerun took the lock over.
    orphan_after_takeover: bool,
    /// Commands of the killed attempt and of another one seen running at the same time.
    together: Option<String>,
}

/// Runs `args` to the end while watching the server: the lock of the trial database (held at
/// `generation` by the killed attempt) and the commands of the killed attempt (those carrying
/// `comment`) and of any other.
async fn rerun_watched(
    client: &Client,
    rollbook: &Rollbook,
    args: &[&str],
    comment: &Bson,
    generation: i64,
) -> Result<(Finished, Watched)> {
    let started = Instant::now();
    let child = rollbook.start(args)?;
    // Read its output while it runs, so that a long report cannot fill the pipe.
    let finished = tokio::spawn(Rollbook::finish(child, started, PATIENCE));
    let mut watched = Watched::default();
    while !finished.is_finished() {
        let taken = lock_of(client, &rollbook.db)
            .await?
            .and_then(|lock| lock.get_i64("generation").ok())
            .is_some_and(|now| now > generation);
        let (orphans, others): (Vec<Document>, Vec<Document>) = operations_of(client, &rollbook.db)
            .await?
            .into_iter()
            .partition(|op| op.get("comment") == Some(comment));
        if !orphans.is_empty() {
            watched.orphan_after_takeover |= taken;
            if !others.is_empty() && watched.together.is_none() {
                let all: Vec<String> = orphans.iter().chain(&others).map(describe).collect();
                watched.together = Some(all.join("; "));
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let finished = finished
        .await
        .map_err(|e| Error::ActionFailed(format!("the rerun's waiter failed: {e}")))??;
    Ok((finished, watched))
}

/// Once org-rename finished: the renamed collection and no orphan, then the rollback and the
/// original, compared into `trial`.
async fn after_the_rename(
    client: &Client,
    rollbook: &Rollbook,
    original: &Fingerprint,
    rollback: &[&str],
    to: &str,
    mut trial: Trial,
) -> Result<Trial> {
    let pointing = client
        .database(&rollbook.db)
        .collection::<Document>("organizations")
        .count_documents(doc! {"organization_name": BIG_ORG_RENAMED, "collection_name": to})
        .await
        .map_err(|e| Error::database("cannot read organizations", e))?;
    if pointing != 1 {
        trial.differences.push((
            "after the rerun".into(),
            broken(format!(
                "organizations does not point {BIG_ORG_RENAMED} at {to}"
            )),
        ));
    }
    let from = format!("org_{BIG_ORG}");
    let renamed = original
        .renamed(&from, to)
        .only(|name| name != "organizations");
    let after = fingerprint::take(client, &rollbook.db, &[ORG_UPDATED_AT]).await?;
    trial.differences.push((
        "after the rerun, the renamed collection and no orphan".into(),
        renamed.compare(&after.only(|name| name != "organizations")),
    ));
    rollbook.rerun_until(rollback, &[0], 2).await?;
    trial.differences.push((
        "after the rollback, compared with the original".into(),
        compare(client, &rollbook.db, original, &[ORG_UPDATED_AT]).await?,
    ));
    Ok(trial)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lease_and_the_lock_collection_are_rollbooks_own() {
        let lock = include_str!("../../../../src/store/lock.rs");
        assert!(
            lock.contains(&format!("pub const LEASE_SECS: i64 = {LEASE_SECS};")),
            "LEASE_SECS differs from src/store/lock.rs"
        );
        assert!(
            include_str!("../../../../src/runbook/names.rs")
                .contains(&format!("LOCK_COLLECTION: &str = \"{LOCK_COLLECTION}\";")),
            "LOCK_COLLECTION differs from src/runbook/names.rs"
        );
    }
}
