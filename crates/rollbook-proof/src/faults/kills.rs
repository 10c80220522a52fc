//! SIGKILL at random points: during `rollback --steps 30-19` of steps-19-30 and during
//! org-rename. After each kill the same command is rerun until it finishes; then the other
//! direction must bring back the original, document for document.

use std::time::Duration;

use rand::Rng;

use super::{approved_range_rollback, compare, fingerprint, org_rename_args, steps_run};
use super::{Group, Progress, Suite, Trial, DONE};
use super::{BIG_ORG, BIG_ORG_RENAMED, ORG_UPDATED_AT, PRISTINE_EARLYBIRD, PRISTINE_MASTER};
use rollbook::error::Result;

/// Transaction limits the trials alternate between: the default (small steps run in one
/// transaction) and 0 (every step runs outside a transaction, journaled action by action).
pub const LIMITS: [&str; 2] = ["10000", "0"];

/// Kills `rollback --steps 30-19` at random points, one or two times per trial.
pub async fn rollback_range(suite: &mut Suite<'_>, progress: &dyn Progress) -> Result<Group> {
    let mut group = Group::new("SIGKILL during rollback --steps 30-19, rerun, then apply 19-30");
    let (full, rolled_back) = suite.uninterrupted_range_rollback().await?;
    for index in 0..suite.options.trials {
        let limit = LIMITS[index % LIMITS.len()];
        let kills = if suite.rng.gen_bool(0.3) { 2 } else { 1 };
        let delays: Vec<Duration> = (0..kills).map(|_| suite.random_delay(full)).collect();
        let label = format!(
            "trial {} (kills after {delays:?}, transaction limit {limit})",
            index + 1
        );
        let (rollbook, dir) = suite.trial(PRISTINE_EARLYBIRD).await?;
        let result = async {
            let mut trial = Trial::default();
            let plan = approved_range_rollback(&rollbook, dir.path(), limit).await?;
            let command = ["rollback", "--plan", &plan, "--yes"];
            trial.faults += rollbook.kill_and_recover(&command, &delays, &DONE).await?;
            trial.differences.push((
                "after the rerun, compared with an uninterrupted rollback".into(),
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

/// Kills org-rename at random points; the rerun must finish the rename with no orphan, and the
/// rollback must bring the original back.
pub async fn org_rename(suite: &mut Suite<'_>, progress: &dyn Progress) -> Result<Group> {
    let mut group = Group::new("SIGKILL during org-rename, rerun, then rollback");
    let (apply, rollback) = (org_rename_args("apply"), org_rename_args("rollback"));
    let apply: Vec<&str> = apply.iter().map(String::as_str).collect();
    let rollback: Vec<&str> = rollback.iter().map(String::as_str).collect();
    let from = format!("org_{BIG_ORG}");
    let to = format!("org_{BIG_ORG_RENAMED}");
    let renamed = suite
        .master
        .renamed(&from, &to)
        .only(|name| name != "organizations");
    let (rollbook, _dir) = suite.trial(PRISTINE_MASTER).await?;
    let (full, _) = rollbook.rerun_until(&apply, &[0], 1).await?;
    suite.discard(&rollbook).await;
    for index in 0..suite.options.trials {
        let delays: Vec<Duration> = (0..if suite.rng.gen_bool(0.3) { 2 } else { 1 })
            .map(|_| suite.random_delay(full.elapsed))
            .collect();
        let label = format!("trial {} (kills after {delays:?})", index + 1);
        let (rollbook, _dir) = suite.trial(PRISTINE_MASTER).await?;
        let result = async {
            let mut trial = Trial::default();
            trial.faults += rollbook.kill_and_recover(&apply, &delays, &[0]).await?;
            let pointing = suite
                .client
                .database(&rollbook.db)
                .collection::<mongodb::bson::Document>("organizations")
                .count_documents(mongodb::bson::doc! {"organization_name": BIG_ORG_RENAMED, "collection_name": &to})
                .await
                .map_err(|e| rollbook::error::Error::database("cannot read organizations", e))?;
            if pointing != 1 {
                trial.differences.push((
                    "after the rerun".into(),
                    super::fingerprint::Difference {
                        notes: vec![format!("organizations does not point {BIG_ORG_RENAMED} at {to}")],
                        ..Default::default()
                    },
                ));
            }
            let after = fingerprint::take(&suite.client, &rollbook.db, &[ORG_UPDATED_AT]).await?;
            trial.differences.push((
                "after the rerun, the renamed collection and no orphan".into(),
                renamed.compare(&after.only(|name| name != "organizations")),
            ));
            rollbook.rerun_until(&rollback, &[0], 2).await?;
            trial.differences.push((
                "after the rollback, compared with the original".into(),
                compare(
                    &suite.client,
                    &rollbook.db,
                    &suite.master,
                    &[ORG_UPDATED_AT],
                )
                .await?,
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
