//! Between the rollback and the forward: after `rollback --steps 30-19`, the application writes
//! (changes some orders, deletes some, inserts one), or a snapshot's storage is damaged. The
//! forward must refuse the conflicts before writing them (exit 11) and, with
//! `--on-conflict skip`, keep every write of the application while it puts everything else
//! back exactly; a damaged snapshot must be refused with nothing written to the target.

use mongodb::bson::{doc, Bson, Document};
use mongodb::Client;
use rand::Rng;

use super::invocation::Rollbook;
use super::kills::LIMITS;
use super::takeovers::{broken, oplog_now, oplog_writes};
use super::PRISTINE_EARLYBIRD;
use super::{clone_db, fingerprint, steps_run, Group, Progress, Suite, Trial, DONE};
use rollbook::error::{Error, Result};

/// What the application wrote: changed orders, deleted orders, one inserted order.
struct Writes {
    changed: Vec<Bson>,
    deleted: Vec<Bson>,
    inserted: Document,
}

/// The note the application leaves on the orders it changes.
const NOTE: &str = "written by the application";

/// Both kinds of trial, `trials` times each.
pub async fn between_rollback_and_forward(
    suite: &mut Suite<'_>,
    progress: &dyn Progress,
) -> Result<Group> {
    let mut group = Group::new(
        "application writes and damaged snapshots between rollback --steps 30-19 and the forward",
    );
    for index in 0..suite.options.trials {
        let limit = LIMITS[index % LIMITS.len()];
        let (changed, deleted) = (suite.rng.gen_range(1..=5), suite.rng.gen_range(1..=3));
        let label = format!(
            "trial {} (the application changes {changed} orders, deletes {deleted}, inserts 1; transaction limit {limit})",
            index + 1
        );
        let (rollbook, dir) = suite.trial(PRISTINE_EARLYBIRD).await?;
        let result =
            application_writes(suite, &rollbook, dir.path(), limit, changed, deleted).await;
        let failure = group.add(&label, result);
        progress.trial(&group, failure.as_deref());
        suite.discard(&rollbook).await;
        let _ = suite.client.database(&expected_db(&rollbook)).drop().await;

        let entry = suite.rng.gen_range(0..1_000);
        let label = format!(
            "trial {} (one entry of a snapshot's storage removed; transaction limit {limit})",
            index + 1
        );
        let (rollbook, dir) = suite.trial(PRISTINE_EARLYBIRD).await?;
        let result = damaged_snapshot(suite, &rollbook, dir.path(), limit, entry).await;
        let failure = group.add(&label, result);
        progress.trial(&group, failure.as_deref());
        suite.discard(&rollbook).await;
    }
    Ok(group)
}

fn expected_db(rollbook: &Rollbook) -> String {
    format!("{}_expected", rollbook.db)
}

/// Picks `count` orders of `db` matching `filter` at random (none of `besides`).
async fn sample_orders(
    client: &Client,
    db: &str,
    filter: Document,
    count: usize,
    besides: &[Bson],
) -> Result<Vec<Bson>> {
    use futures_util::TryStreamExt;
    let failed = |e| Error::database("cannot sample orders", e);
    let picked: Vec<Document> = client
        .database(db)
        .collection::<Document>("orders")
        .aggregate(vec![
            doc! {"$match": {"$and": [filter, {"_id": {"$nin": besides}}]}},
            doc! {"$sample": {"size": i64::try_from(count).unwrap_or(1)}},
            doc! {"$project": {"_id": 1}},
        ])
        .await
        .map_err(failed)?
        .try_collect()
        .await
        .map_err(failed)?;
    Ok(picked
        .into_iter()
        .filter_map(|d| d.get("_id").cloned())
        .collect())
}

/// Applies the application's writes to `db`.
async fn apply(client: &Client, db: &str, writes: &Writes) -> Result<()> {
    let orders = client.database(db).collection::<Document>("orders");
    let failed = |e| Error::database("the application's write failed", e);
    orders
        .update_many(
            doc! {"_id": {"$in": &writes.changed}},
            doc! {"$set": {"status": "CANCELLED", "app_note": NOTE}},
        )
        .await
        .map_err(failed)?;
    orders
        .delete_many(doc! {"_id": {"$in": &writes.deleted}})
        .await
        .map_err(failed)?;
    orders
        .insert_one(writes.inserted.clone())
        .await
        .map_err(failed)?;
    Ok(())
}

/// One trial of application writes.
async fn application_writes(
    suite: &Suite<'_>,
    rollbook: &Rollbook,
    dir: &std::path::Path,
    limit: &str,
    changed: usize,
    deleted: usize,
) -> Result<Trial> {
    let client = &suite.client;
    let mut trial = Trial::default();
    steps_run(rollbook, dir, "rollback", "30-19", limit).await?;

    let changed = sample_orders(client, &rollbook.db, doc! {}, changed, &[]).await?;
    // Orders the rollback changed (step 19 removed their subscription): deleting them is a
    // conflict the forward must meet.
    let snapshotted = doc! {"subscription_id": {"$exists": true}};
    let deleted = sample_orders(client, PRISTINE_EARLYBIRD, snapshotted, deleted, &changed).await?;
    let writes = Writes {
        changed,
        deleted,
        inserted: doc! {"_id": format!("ord-app-{}", rollbook.db), "status": "PENDING", "app_note": NOTE},
    };
    apply(client, &rollbook.db, &writes).await?;
    // What the forward must end with: the original data with the application's writes.
    let expected = expected_db(rollbook);
    clone_db(client, PRISTINE_EARLYBIRD, &expected).await?;
    apply(client, &expected, &writes).await?;
    trial.faults += 1;

    // The default refuses conflicting documents before writing them; a plan predicts them.
    let plan = rollbook
        .approved_plan(
            dir,
            "steps-19-30",
            "forward",
            &["--steps", "19-30", "--transaction-limit", limit],
        )
        .await?;
    let plan = plan.display().to_string();
    let predicted = std::fs::read_to_string(&plan)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .map(|doc| {
            doc["preview"]["steps"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|s| s["actions"].as_array().into_iter().flatten())
                .filter_map(|a| a["conflicts"].as_u64())
                .sum::<u64>()
        })
        .unwrap_or(0);
    let first = rollbook.run(&["apply", "--plan", &plan, "--yes"]).await?;
    let refused = first.code == 11 && first.stdout.contains("nothing was restored");
    if predicted == 0 || !refused {
        trial.differences.push((
            "the forward with conflicts".into(),
            broken(format!(
                "{predicted} conflicts predicted (at least {} deleted orders), it exited {} instead of refusing (11): {}",
                writes.deleted.len(),
                first.code,
                first.headline()
            )),
        ));
    }
    if !refused && !DONE.contains(&first.code) {
        trial.differences.push((
            "the forward".into(),
            broken(format!("exited {}: {}", first.code, first.headline())),
        ));
    }
    if refused {
        let (finished, _) = rollbook
            .rerun_until(
                &["apply", "--plan", &plan, "--yes", "--on-conflict", "skip"],
                &DONE,
                1,
            )
            .await?;
        if !DONE.contains(&finished.code) {
            trial.differences.push((
                "the forward with --on-conflict skip".into(),
                broken(format!("exited {}: {}", finished.code, finished.headline())),
            ));
        }
    }

    // Every change of the application is still there…
    let orders = client
        .database(&rollbook.db)
        .collection::<Document>("orders");
    let failed = |e| Error::database("cannot read the orders", e);
    let kept = orders
        .count_documents(
            doc! {"_id": {"$in": &writes.changed}, "status": "CANCELLED", "app_note": NOTE},
        )
        .await
        .map_err(failed)?;
    let gone = orders
        .count_documents(doc! {"_id": {"$in": &writes.deleted}})
        .await
        .map_err(failed)?;
    let inserted = orders
        .find_one(doc! {"_id": writes.inserted.get("_id")})
        .await
        .map_err(failed)?;
    let mut lost = fingerprint::Difference::default();
    let changed_count = u64::try_from(writes.changed.len()).unwrap_or_default();
    if kept != changed_count {
        lost.lost += changed_count - kept;
        lost.notes.push(format!(
            "{} of {changed_count} orders the application changed lost its change",
            changed_count - kept
        ));
    }
    if gone > 0 {
        lost.lost += gone;
        lost.notes.push(format!(
            "{gone} orders the application deleted were written back"
        ));
    }
    if inserted.as_ref() != Some(&writes.inserted) {
        lost.lost += 1;
        lost.notes
            .push("the order the application inserted is not as it wrote it".into());
    }
    trial
        .differences
        .push(("the application's writes after the forward".into(), lost));

    // …and everything else is back exactly (the changed orders, checked above, left out).
    for db in [&rollbook.db, &expected] {
        client
            .database(db)
            .collection::<Document>("orders")
            .delete_many(doc! {"_id": {"$in": &writes.changed}})
            .await
            .map_err(failed)?;
    }
    let expected = fingerprint::take(client, &expected, &[]).await?;
    trial.differences.push((
        "after the forward, compared with the original and the application's writes".into(),
        super::compare(client, &rollbook.db, &expected, &[]).await?,
    ));
    Ok(trial)
}

/// One trial of a damaged snapshot: after the rollback, entry `entry` (modulo its size) of the
/// largest field snapshot's first batch is removed; the forward must refuse it (exit 11) and
/// write nothing to the target.
async fn damaged_snapshot(
    suite: &Suite<'_>,
    rollbook: &Rollbook,
    dir: &std::path::Path,
    limit: &str,
    entry: usize,
) -> Result<Trial> {
    use futures_util::TryStreamExt;
    let client = &suite.client;
    let mut trial = Trial::default();
    steps_run(rollbook, dir, "rollback", "30-19", limit).await?;
    let state = client.database(&rollbook.state);
    let failed = |e| Error::database("cannot read the snapshot registry", e);
    let largest = state
        .collection::<Document>("snapshots")
        .find(doc! {"kind": "fields", "documents": {"$gt": 0}})
        .sort(doc! {"documents": -1})
        .limit(1)
        .await
        .map_err(failed)?
        .try_next()
        .await
        .map_err(failed)?
        .ok_or_else(|| Error::ActionFailed("the rollback took no field snapshot".into()))?;
    let storage = largest
        .get_str("storage")
        .map_err(|_| Error::ActionFailed("the snapshot has no storage recorded".into()))?;
    let step = largest.get_str("step").unwrap_or_default().to_owned();
    let batches = state.collection::<Document>(storage);
    let batch = batches
        .find_one(doc! {})
        .sort(doc! {"_id": 1})
        .await
        .map_err(failed)?
        .ok_or_else(|| Error::ActionFailed("the snapshot's storage is empty".into()))?;
    let entries = batch.get_array("e").map(Vec::len).unwrap_or_default();
    let index = i64::try_from(entry % entries.max(1)).unwrap_or_default();
    // The entry's position is replaced by nothing: one entry fewer, everything else as it was.
    batches
        .update_one(
            doc! {"_id": batch.get("_id")},
            vec![doc! {"$set": {"e": {"$concatArrays": [
                {"$slice": ["$e", index]},
                {"$slice": ["$e", index + 1, i32::MAX]},
            ]}}}],
        )
        .await
        .map_err(|e| Error::database("cannot damage the snapshot", e))?;
    trial.faults += 1;

    // Planned and approved like any forward (the step may need an approval).
    let plan = rollbook
        .approved_plan(dir, "steps-19-30", "forward", &["--steps", &step])
        .await?;
    let plan = plan.display().to_string();
    let before = fingerprint::take(client, &rollbook.db, &[]).await?;
    let since = oplog_now(client).await?;
    let forward = rollbook.run(&["apply", "--plan", &plan, "--yes"]).await?;
    if forward.code != 11 || !forward.stdout.contains("cannot be trusted") {
        trial.differences.push((
            "the forward from the damaged snapshot".into(),
            broken(format!(
                "exited {} instead of refusing it (11): {}",
                forward.code,
                forward.headline()
            )),
        ));
    }
    let writes = oplog_writes(client, since, &rollbook.db).await?;
    if writes > 0 {
        trial.differences.push((
            "the forward from the damaged snapshot".into(),
            broken(format!("{writes} oplog entries in {}", rollbook.db)),
        ));
    }
    let after = fingerprint::take(client, &rollbook.db, &[]).await?;
    trial.differences.push((
        "after the refused forward, compared with before it".into(),
        before.compare(&after),
    ));
    Ok(trial)
}
