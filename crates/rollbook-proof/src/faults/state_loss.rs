//! The state database dropped under a run: `rollback --steps 30-19` loses its state database at
//! a random point while it holds the lock. The run must stop (exit 6) before its next write once
//! its heartbeat finds its record gone, or have finished before; the next run must be refused
//! by the state gate (exit 11) and write nothing at all to the target; `unlock --accept-state`
//! must then name the lost run. The data cannot be brought back (its snapshots went with the
//! state database), so what is counted is what changed in the target after the refusal began:
//! it must be nothing.

use std::time::{Duration, Instant};

use super::invocation::Rollbook;
use super::kills::LIMITS;
use super::takeovers::{broken, held_by, oplog_now, oplog_writes, PATIENCE};
use super::PRISTINE_EARLYBIRD;
use super::{approved_range_rollback, fingerprint, Group, Progress, Suite, Trial, DONE};
use rollbook::error::{Error, Result};

/// Drops the state database during `rollback --steps 30-19`, at random points.
pub async fn dropped_mid_run(suite: &mut Suite<'_>, progress: &dyn Progress) -> Result<Group> {
    let mut group =
        Group::new("state database dropped during rollback --steps 30-19, then the next run");
    let (full, _) = suite.uninterrupted_range_rollback().await?;
    for index in 0..suite.options.trials {
        let limit = LIMITS[index % LIMITS.len()];
        let delay = suite.random_delay(full);
        let label = format!(
            "trial {} (state dropped {delay:?} after the run took the lock, transaction limit {limit})",
            index + 1
        );
        let (rollbook, dir) = suite.trial(PRISTINE_EARLYBIRD).await?;
        let result = async {
            let plan = approved_range_rollback(&rollbook, dir.path(), limit).await?;
            dropped(
                suite,
                &rollbook,
                &["rollback", "--plan", &plan, "--yes"],
                delay,
            )
            .await
        }
        .await;
        let failure = group.add(&label, result);
        progress.trial(&group, failure.as_deref());
        suite.discard(&rollbook).await;
    }
    Ok(group)
}

/// One trial: `command` loses its state database `delay` after it took the lock.
async fn dropped(
    suite: &Suite<'_>,
    rollbook: &Rollbook,
    command: &[&str],
    delay: Duration,
) -> Result<Trial> {
    let client = &suite.client;
    let mut trial = Trial::default();
    let started = Instant::now();
    let mut child = rollbook.start(command)?;
    let pid = child
        .id()
        .ok_or_else(|| Error::ActionFailed("rollbook exited at once".into()))?;
    while held_by(client, &rollbook.db, pid).await?.is_none() {
        if child.try_wait().ok().flatten().is_some() || started.elapsed() > PATIENCE {
            return Err(Error::ActionFailed(format!(
                "`rollbook {}` never held the lock",
                command.join(" ")
            )));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(delay).await;
    let running = child.try_wait().ok().flatten().is_none();
    client
        .database(&rollbook.state)
        .drop()
        .await
        .map_err(|e| Error::database("cannot drop the state database", e))?;
    let first = Rollbook::finish(child, started, PATIENCE).await?;
    if running {
        trial.faults += 1;
        // It stops at its next heartbeat (6), or earlier when a write meets the drop itself
        // (1: "database is in the process of being dropped"), or it had finished.
        let stopped = (first.code == 6
            && first.stdout.contains("vanished from the state database"))
            || first.code == 1;
        if !stopped && !DONE.contains(&first.code) {
            trial.differences.push((
                "the run whose state was dropped".into(),
                broken(format!(
                    "exited {} instead of stopping (6: state vanished, or 1) or finishing: {}",
                    first.code,
                    first.headline()
                )),
            ));
        }
    }

    // A drop that came before the run recorded itself left a state that knows it: nothing is
    // lost, and the next run has no reason to be refused.
    let recorded = client
        .database(&rollbook.state)
        .collection::<mongodb::bson::Document>("runs")
        .count_documents(mongodb::bson::doc! {})
        .await
        .map_err(|e| Error::database("cannot read the state's runs", e))?;
    if recorded > 0 {
        trial.faults = 0;
        return Ok(trial);
    }

    // The next run meets the state gate: refused, and nothing written to the target.
    let before = fingerprint::take(client, &rollbook.db, &[]).await?;
    let since = oplog_now(client).await?;
    let next = rollbook
        .run(&["rollback", "steps-19-30", "--steps", "19", "--yes"])
        .await?;
    if next.code != 11 || !next.stdout.contains("has no record of run") {
        trial.differences.push((
            "the next run".into(),
            broken(format!(
                "exited {} instead of 11 (the state has no record of the run): {}",
                next.code,
                next.headline()
            )),
        ));
    }
    let writes = oplog_writes(client, since, &rollbook.db).await?;
    if writes > 0 {
        trial.differences.push((
            "the next run".into(),
            broken(format!("{writes} oplog entries in {}", rollbook.db)),
        ));
    }
    let after = fingerprint::take(client, &rollbook.db, &[]).await?;
    trial.differences.push((
        "after the refused run, compared with before it".into(),
        before.compare(&after),
    ));

    // Accepting the state by hand names the run that was lost.
    let accepted = rollbook
        .run(&["unlock", "steps-19-30", "--accept-state", "--yes"])
        .await?;
    let forgot = serde_json::from_str::<serde_json::Value>(&accepted.stdout)
        .ok()
        .and_then(|doc| doc["unlock"]["forgot"].as_str().map(str::to_owned));
    if accepted.code != 0 || forgot.is_none() {
        trial.differences.push((
            "unlock --accept-state".into(),
            broken(format!(
                "exited {} without naming the lost run: {}",
                accepted.code,
                accepted.headline()
            )),
        ));
    }
    Ok(trial)
}
