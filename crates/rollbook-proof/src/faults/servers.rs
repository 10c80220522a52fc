//! Faults of the server itself: mongod crashed (SIGKILL) and restarted in the middle of
//! `rollback --steps 30-19`, and the primary of a three-member replica set stepped down in the
//! middle of it. The run completes or stops cleanly; a rerun finishes it with nothing lost.

use std::time::Duration;

use super::cluster::Cluster;
use super::invocation::Rollbook;
use super::kills::LIMITS;
use super::PRISTINE_EARLYBIRD;
use super::{
    compare, discard, fingerprint, runner, steps_run, Group, Options, Progress, Suite, Trial, DONE,
};
use rollbook::content::fingerprint::Fingerprint;
use rollbook::error::Result;

/// What happens to the server while the rollback runs.
enum ServerFault<'a> {
    /// SIGKILL the (only) member, wait, start it again.
    CrashAndRestart(&'a mut Cluster),
    /// Step the primary down.
    StepDown(&'a Cluster),
}

/// One trial: rollback 30-19 with `fault` after `delay`, rerun, compare, apply, compare.
async fn trial(
    client: &mongodb::Client,
    rollbook: &Rollbook,
    dir: &std::path::Path,
    limit: &str,
    delay: Duration,
    fault: ServerFault<'_>,
    references: (&Fingerprint, &Fingerprint),
) -> Result<Trial> {
    let mut trial = Trial::default();
    let plan = super::approved_range_rollback(rollbook, dir, limit).await?;
    let command = ["rollback", "--plan", &plan, "--yes"];
    let mut child = rollbook.spawn(&command)?;
    tokio::time::sleep(delay).await;
    let running = child.try_wait().ok().flatten().is_none();
    match fault {
        ServerFault::CrashAndRestart(cluster) => {
            cluster.kill(0);
            tokio::time::sleep(Duration::from_millis(500)).await;
            cluster.restart(0).await?;
        }
        ServerFault::StepDown(cluster) => {
            cluster.step_down().await?;
        }
    }
    trial.faults += usize::from(running);
    let code = child
        .wait()
        .await
        .ok()
        .and_then(|status| status.code())
        .unwrap_or(-1);
    let first = super::invocation::Finished {
        code,
        stderr: String::new(),
        stdout: String::new(),
        elapsed: Duration::ZERO,
    };
    rollbook.recover(&command, &first, &DONE, 4).await?;
    trial.differences.push((
        "after the rerun, compared with an uninterrupted rollback".into(),
        compare(client, &rollbook.db, references.0, &[]).await?,
    ));
    steps_run(rollbook, dir, "forward", "19-30", limit).await?;
    trial.differences.push((
        "after apply 19-30, compared with the original".into(),
        compare(client, &rollbook.db, references.1, &[]).await?,
    ));
    Ok(trial)
}

/// mongod killed with SIGKILL and restarted at a random point of the rollback.
pub async fn crash_and_restart(suite: &mut Suite<'_>, progress: &dyn Progress) -> Result<Group> {
    let mut group =
        Group::new("mongod killed (SIGKILL) and restarted during rollback --steps 30-19");
    let (full, rolled_back) = suite.uninterrupted_range_rollback().await?;
    for index in 0..suite.options.trials {
        let limit = LIMITS[index % LIMITS.len()];
        let delay = suite.random_delay(full);
        let label = format!(
            "trial {} (crash after {delay:?}, transaction limit {limit})",
            index + 1
        );
        let (rollbook, dir) = suite.trial(PRISTINE_EARLYBIRD).await?;
        let client = suite.client.clone();
        let references = (&rolled_back, &suite.earlybird);
        let result = trial(
            &client,
            &rollbook,
            dir.path(),
            limit,
            delay,
            ServerFault::CrashAndRestart(&mut suite.cluster),
            references,
        )
        .await;
        let failure = group.add(&label, result);
        progress.trial(&group, failure.as_deref());
        suite.discard(&rollbook).await;
    }
    Ok(group)
}

/// A three-member replica set whose primary is stepped down at a random point of the rollback.
pub async fn stepdown(options: &Options, progress: &dyn Progress) -> Result<Group> {
    use rand::{Rng, SeedableRng};
    let mut group = Group::new(
        "primary of a three-member replica set stepped down during rollback --steps 30-19",
    );
    let mut rng = rand::rngs::StdRng::seed_from_u64(options.seed.wrapping_add(3));
    let mut cluster = Cluster::start(&options.work_dir.join("three"), "faults3", 3).await?;
    let client = cluster.client().await?;
    let scale = (options.scale / 2).max(500);
    let (earlybird, _) = super::seed_pristine(&client, scale).await?;
    let calibration = runner(options, &cluster, "calibration");
    super::clone_db(&client, PRISTINE_EARLYBIRD, &calibration.db).await?;
    let scratch = super::tempdir::Dir::new(&options.work_dir.join("three-plans"))?;
    let full = steps_run(&calibration, scratch.path(), "rollback", "30-19", LIMITS[0]).await?;
    let rolled_back = fingerprint::take(&client, &calibration.db, &[]).await?;
    discard(&client, &calibration).await;
    for index in 0..options.trials {
        let limit = LIMITS[index % LIMITS.len()];
        let delay = Duration::from_millis(rng.gen_range(0..full.as_millis().max(1) as u64));
        let label = format!(
            "trial {} (step-down after {delay:?}, transaction limit {limit})",
            index + 1
        );
        let rollbook = runner(options, &cluster, &format!("s{}", index + 1));
        super::clone_db(&client, PRISTINE_EARLYBIRD, &rollbook.db).await?;
        let result = trial(
            &client,
            &rollbook,
            scratch.path(),
            limit,
            delay,
            ServerFault::StepDown(&cluster),
            (&rolled_back, &earlybird),
        )
        .await;
        let failure = group.add(&label, result);
        progress.trial(&group, failure.as_deref());
        discard(&client, &rollbook).await;
        cluster.wait_for_primary().await?;
    }
    drop(client);
    cluster.stop().await;
    Ok(group)
}
