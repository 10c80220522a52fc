//! Benchmarks (`rollbook-bench CASE`): each server case builds its own data, runs several
//! times, and prints medians and ratios measured in the same run; `startup` needs no server.

pub mod archive;
pub mod copy;
pub mod plan;
pub mod rollback;
pub mod startup;

use std::time::{Duration, Instant};

use mongodb::bson::{doc, Document};
use mongodb::Client;

use rollbook::error::{Error, Result};

/// The database benchmarks work in (dropped before and after).
pub const BENCH_DB: &str = "rollbook_bench";

/// One measured figure.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Figure {
    /// What was measured.
    pub name: String,
    /// Median seconds over the runs.
    pub median_secs: f64,
    /// Every run's seconds.
    pub runs_secs: Vec<f64>,
    /// Documents per second at the median.
    pub docs_per_sec: f64,
}

/// Times `runs` executions of `body`, returning a figure for `docs` documents.
pub async fn measure<F, Fut>(name: &str, runs: usize, docs: u64, mut body: F) -> Result<Figure>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Duration>>,
{
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        times.push(body().await?.as_secs_f64());
    }
    Ok(figure(name, times, docs))
}

/// A figure from measured seconds.
#[must_use]
pub fn figure(name: &str, times: Vec<f64>, docs: u64) -> Figure {
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or_default();
    Figure {
        name: name.to_owned(),
        median_secs: median,
        runs_secs: times,
        docs_per_sec: if median > 0.0 {
            docs as f64 / median
        } else {
            0.0
        },
    }
}

/// Runs `pipeline` as a database-level aggregation and returns how long it took.
pub async fn timed_aggregate(
    client: &Client,
    db: &str,
    collection: Option<&str>,
    pipeline: Vec<Document>,
) -> Result<Duration> {
    let started = Instant::now();
    let result = match collection {
        Some(name) => {
            client
                .database(db)
                .collection::<Document>(name)
                .aggregate(pipeline)
                .await
        }
        None => client.database(db).aggregate(pipeline).await,
    };
    result.map_err(|e| Error::database("benchmark aggregation failed", e))?;
    Ok(started.elapsed())
}

/// Generates `docs` organization-member documents (≈ 300 bytes) into `db.collection`, with a
/// unique index on `email` and a compound index, on the server.
pub async fn generate_members(
    client: &Client,
    db: &str,
    collection: &str,
    docs: u64,
) -> Result<()> {
    let outer = i64::try_from(docs.div_ceil(1000)).unwrap_or(i64::MAX);
    let limit = i64::try_from(docs).unwrap_or(i64::MAX);
    let pipeline = vec![
        doc! {"$documents": [{"a": {"$range": [0, outer]}}]},
        doc! {"$unwind": "$a"},
        doc! {"$set": {"b": {"$range": [0, 1000]}}},
        doc! {"$unwind": "$b"},
        doc! {"$project": {"_id": {"$add": [{"$multiply": ["$a", 1000]}, "$b"]}}},
        doc! {"$match": {"_id": {"$lt": limit}}},
        doc! {"$set": {
            "email": {"$concat": ["member", {"$toString": "$_id"}, "@corp.example"]},
            "team": {"$arrayElemAt": [["platform", "payments", "support", "growth"], {"$mod": ["$_id", 4]}]},
            "joined_at": {"$add": [mongodb::bson::DateTime::from_millis(1_767_225_600_000), {"$multiply": [{"$mod": ["$_id", 300]}, 86_400_000_i64]}]},
            "score": {"$divide": [{"$mod": ["$_id", 1000]}, 10]},
            "profile": {"name": {"$concat": ["Member ", {"$toString": "$_id"}]}, "bio": "x".repeat(160)},
        }},
        doc! {"$out": {"db": db, "coll": collection}},
    ];
    timed_aggregate(client, db, None, pipeline).await?;
    client
        .database(db)
        .run_command(doc! {"createIndexes": collection, "indexes": [
            {"key": {"email": 1}, "name": "email_unique", "unique": true},
            {"key": {"team": 1, "joined_at": -1}, "name": "team_1_joined_at_-1"},
        ]})
        .await
        .map_err(|e| Error::database("cannot index the benchmark data", e))?;
    Ok(())
}

/// Runs `request` of `loaded` through the engine the way a script does (operator "bench", no
/// prompts, the default transaction limit) and returns the report with the run's seconds.
/// Fails unless the run exits 0.
pub async fn run_unattended(
    client: &Client,
    store: &rollbook::store::Store,
    loaded: &rollbook::runbook::LoadedRunbook,
    command: rollbook::engine::RunCommand,
    request: &rollbook::plan::PlanRequest,
) -> Result<(rollbook::engine::RunReport, f64)> {
    let env = rollbook::actions::RunEnv {
        params: Default::default(),
        opt_ins: Vec::new(),
        confirmer: std::sync::Arc::new(rollbook::actions::operator::NoOperator),
        acknowledged: Vec::new(),
        on_conflict: rollbook::actions::OnConflict::Fail,
        notifier: std::sync::Arc::new(rollbook::notify::Notifier::none()),
    };
    let options = rollbook::engine::RunOptions {
        command,
        operator: "bench".into(),
        continue_on_error: false,
        transaction_limit: rollbook::engine::DEFAULT_TRANSACTION_LIMIT,
        interrupt: std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
        db_user: None,
        plan: None,
        resume: None,
        notifications_silenced: false,
        estimates: Default::default(),
        expected: Default::default(),
    };
    let engine = rollbook::engine::Engine {
        client,
        store,
        env: &env,
        events: &rollbook::engine::events::Silent,
        options: &options,
    };
    let started = Instant::now();
    let report = engine.run(loaded, request).await?;
    let seconds = started.elapsed().as_secs_f64();
    if report.exit_code != 0 {
        return Err(Error::ActionFailed(format!(
            "the benchmark run failed: {:?}",
            report.error
        )));
    }
    Ok((report, seconds))
}
