//! `rollbook-bench rollback`: rollback of steps-19-30 step 19 on N orders — snapshot included —
//! next to the bare `update_many` the seed runs by hand, and forward (restore from the
//! snapshot) next to it too.

use std::time::Instant;

use mongodb::bson::{doc, Document};
use mongodb::Client;

use super::{figure, run_unattended, timed_aggregate, Figure, BENCH_DB};
use rollbook::engine::RunCommand;
use rollbook::error::{Error, Result};
use rollbook::plan::{PlanRequest, StepSelection};
use rollbook::runbook::model::Direction;
use rollbook::store::Store;

/// The figures of the rollback benchmark.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RollbackBench {
    /// Orders in the collection.
    pub orders: u64,
    /// Orders that have `subscription_id` (what the rollback changes).
    pub changed: u64,
    /// The seed's manual command: `update_many({}, {$unset: {subscription_id: ""}})`.
    pub bare_update: Figure,
    /// `rollbook rollback --steps 19` (snapshot, update, journal, verify).
    pub rollback: Figure,
    /// `rollbook apply --steps 19` (restore from the snapshot, verify).
    pub forward: Figure,
}

/// Runs the benchmark.
pub async fn run(
    client: &Client,
    runbooks_dir: &std::path::Path,
    orders: u64,
    runs: usize,
) -> Result<RollbackBench> {
    let targets = rollbook::sandbox::seed::SeedTargets {
        earlybird: BENCH_DB.into(),
        master: format!("{BENCH_DB}_master"),
        tenants: vec![],
    };
    rollbook::sandbox::seed::seed(client, &targets, orders).await?;
    let db = client.database(BENCH_DB);
    let changed = db
        .collection::<Document>("orders")
        .count_documents(doc! {"subscription_id": {"$exists": true}})
        .await
        .map_err(|e| Error::database("cannot count", e))?;
    let loaded = rollbook::runbook::load("steps-19-30", runbooks_dir)?;
    let state_name = format!("{BENCH_DB}_state");
    let store = Store::open(client.database(&state_name)).await?;
    let engine_run = |direction: Direction| {
        let loaded = &loaded;
        let store = &store;
        async move {
            let command = if direction == Direction::Forward {
                RunCommand::Apply
            } else {
                RunCommand::Rollback
            };
            let request = PlanRequest {
                direction,
                selection: StepSelection::parse("19").map_err(Error::Usage)?,
                params: vec![],
                database: Some(BENCH_DB.into()),
                fail_on_unsupported: false,
            };
            run_unattended(client, store, loaded, command, &request)
                .await
                .map(|(_, seconds)| seconds)
        }
    };
    let (mut bare, mut rollback, mut forward) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs.max(1) {
        // The seed's manual rollback, on a copy with the same documents.
        db.collection::<Document>("orders_bare")
            .drop()
            .await
            .map_err(|e| Error::database("cannot drop", e))?;
        timed_aggregate(
            client,
            BENCH_DB,
            Some("orders"),
            vec![doc! {"$out": "orders_bare"}],
        )
        .await?;
        let started = Instant::now();
        db.collection::<Document>("orders_bare")
            .update_many(doc! {}, doc! {"$unset": {"subscription_id": ""}})
            .await
            .map_err(|e| Error::database("bare update_many failed", e))?;
        bare.push(started.elapsed().as_secs_f64());
        rollback.push(engine_run(Direction::Rollback).await?);
        forward.push(engine_run(Direction::Forward).await?);
    }
    for name in [
        BENCH_DB.to_owned(),
        format!("{BENCH_DB}_master"),
        state_name,
    ] {
        client
            .database(&name)
            .drop()
            .await
            .map_err(|e| Error::database("cannot drop the benchmark data", e))?;
    }
    Ok(RollbackBench {
        orders,
        changed,
        bare_update: figure("bare update_many (the seed's command)", bare, changed),
        rollback: figure(
            "rollbook rollback --steps 19 (with snapshot)",
            rollback,
            changed,
        ),
        forward: figure(
            "rollbook apply --steps 19 (restore from snapshot)",
            forward,
            changed,
        ),
    })
}
