//! `rollbook-bench copy`: org-rename's copy (create with options, `$out`, index builds) and the
//! whole rename run, next to a bare server-side `$out` of the same data.

use std::time::{Duration, Instant};

use mongodb::bson::{doc, Document};
use mongodb::Client;

use super::{figure, generate_members, measure, run_unattended, timed_aggregate, Figure, BENCH_DB};
use rollbook::engine::RunCommand;
use rollbook::error::{Error, Result};
use rollbook::plan::{PlanRequest, StepSelection};
use rollbook::runbook::model::Direction;
use rollbook::store::Store;

/// The figures of the copy benchmark.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CopyBench {
    /// Documents copied.
    pub docs: u64,
    /// Bare `$out` of the documents.
    pub bare_out: Figure,
    /// Bare `$out` plus building the same two indexes.
    pub bare_out_with_indexes: Figure,
    /// org-rename's copy action (documents and indexes).
    pub rename_copy: Figure,
    /// The whole org-rename run (preconditions, copy, verify by hash, metadata, drop).
    pub rename_run: Figure,
}

/// Runs the benchmark on `client` with runbooks from `runbooks_dir`.
pub async fn run(
    client: &Client,
    runbooks_dir: &std::path::Path,
    docs: u64,
    runs: usize,
) -> Result<CopyBench> {
    let db = client.database(BENCH_DB);
    db.drop()
        .await
        .map_err(|e| Error::database("cannot reset the benchmark database", e))?;
    generate_members(client, BENCH_DB, "org_benchco", docs).await?;
    db.collection::<Document>("organizations")
        .insert_one(doc! {"organization_name": "benchco", "collection_name": "org_benchco", "updated_at": mongodb::bson::DateTime::now()})
        .await
        .map_err(|e| Error::database("cannot create the benchmark organization", e))?;
    let drop = |name: &'static str| {
        let db = db.clone();
        async move {
            db.collection::<Document>(name)
                .drop()
                .await
                .map_err(|e| Error::database("cannot drop", e))
        }
    };
    let bare_out = measure("bare $out", runs, docs, || async {
        drop("bare_copy").await?;
        timed_aggregate(
            client,
            BENCH_DB,
            Some("org_benchco"),
            vec![doc! {"$out": "bare_copy"}],
        )
        .await
    })
    .await?;
    let bare_out_with_indexes = measure("bare $out + 2 index builds", runs, docs, || async {
        drop("bare_copy").await?;
        let started = Instant::now();
        timed_aggregate(
            client,
            BENCH_DB,
            Some("org_benchco"),
            vec![doc! {"$out": "bare_copy"}],
        )
        .await?;
        db.run_command(doc! {"createIndexes": "bare_copy", "indexes": [
            {"key": {"email": 1}, "name": "email_unique", "unique": true},
            {"key": {"team": 1, "joined_at": -1}, "name": "team_1_joined_at_-1"},
        ]})
        .await
        .map_err(|e| Error::database("cannot build indexes", e))?;
        Ok(started.elapsed())
    })
    .await?;
    drop("bare_copy").await?;

    let loaded = rollbook::runbook::load("org-rename", runbooks_dir)?;
    let store = Store::open(client.database(&format!("{BENCH_DB}_state"))).await?;
    let names = ["benchco", "benchco_two"];
    let mut run_times = Vec::new();
    let mut copy_times = Vec::new();
    for turn in 0..runs.max(1) {
        let (from, to) = (names[turn % 2], names[(turn + 1) % 2]);
        let request = PlanRequest {
            direction: Direction::Forward,
            selection: StepSelection::All,
            params: vec![("org".into(), from.into()), ("new_name".into(), to.into())],
            database: Some(BENCH_DB.into()),
            fail_on_unsupported: false,
        };
        let (report, seconds) =
            run_unattended(client, &store, &loaded, RunCommand::Apply, &request).await?;
        run_times.push(seconds);
        let copy_ms: u64 = report
            .steps
            .iter()
            .flat_map(|s| &s.actions)
            .filter(|a| a.kind == "copy_collection")
            .map(|a| a.duration_ms)
            .sum();
        copy_times.push(Duration::from_millis(copy_ms).as_secs_f64());
    }
    let rename_run = figure("org-rename run", run_times, docs);
    let rename_copy = figure("org-rename copy action", copy_times, docs);
    db.drop()
        .await
        .map_err(|e| Error::database("cannot drop the benchmark database", e))?;
    client
        .database(&format!("{BENCH_DB}_state"))
        .drop()
        .await
        .map_err(|e| Error::database("cannot drop the benchmark state", e))?;
    Ok(CopyBench {
        docs,
        bare_out,
        bare_out_with_indexes,
        rename_copy,
        rename_run,
    })
}
