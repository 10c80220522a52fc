//! `rollbook-bench plan`: the dry-run of every step of steps-19-30 on N orders, next to the
//! bare server reads its figures need — the same narrowed `count_documents`, index and
//! collection listings and snapshot-registry lookups, each issued once, all at once, with the
//! driver.

use std::collections::BTreeMap;
use std::time::Instant;

use futures_util::future::try_join_all;
use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};
use mongodb::Client;

use super::{figure, Figure, BENCH_DB};
use rollbook::actions::documents::DocumentWrite;
use rollbook::actions::to_bson;
use rollbook::error::{Error, Result};
use rollbook::plan::dry_run;
use rollbook::plan::saved::{PlanContent, SavedPlan};
use rollbook::plan::{PlanRequest, RunPlan, StepSelection};
use rollbook::runbook::model::{Action, Check, Direction};
use rollbook::runbook::LoadedRunbook;
use rollbook::store::snapshots::SnapshotKind;
use rollbook::store::Store;

/// The steps planned.
const STEPS: &str = "19-30";

/// The figures of the plan benchmark.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanBench {
    /// Orders in the collection.
    pub orders: u64,
    /// Documents the rollback plan predicts would change.
    pub rollback_affected: u64,
    /// The server reads the rollback plan's figures need.
    pub rollback_reads: ReadCounts,
    /// Those reads, issued directly with the driver.
    pub bare_rollback: Figure,
    /// `rollbook plan steps-19-30 --steps 19-30 --direction rollback`.
    pub plan_rollback: Figure,
    /// The server reads the forward plan's figures need.
    pub forward_reads: ReadCounts,
    /// Those reads, issued directly with the driver.
    pub bare_forward: Figure,
    /// `rollbook plan steps-19-30 --steps 19-30 --direction forward`.
    pub plan_forward: Figure,
}

/// How many distinct server reads of each kind a plan's figures need.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ReadCounts {
    /// `count_documents` with the run's (narrowed) filters.
    pub counts: usize,
    /// `listIndexes` of a collection.
    pub index_listings: usize,
    /// `listCollections` of one collection.
    pub collection_lookups: usize,
    /// Finds in the snapshot registry.
    pub snapshot_lookups: usize,
}

/// One server read a plan's figures depend on.
#[derive(Debug, Clone)]
enum Read {
    /// Documents matching a filter.
    Count {
        database: String,
        collection: String,
        filter: Document,
    },
    /// The indexes of a collection.
    Indexes {
        database: String,
        collection: String,
    },
    /// Whether a collection exists.
    Collection {
        database: String,
        collection: String,
    },
    /// Snapshots of a step's collection not yet put back.
    Snapshots {
        runbook: String,
        database: String,
        step: String,
        collection: String,
        kind: SnapshotKind,
    },
}

/// Runs the benchmark.
pub async fn run(
    client: &Client,
    runbooks_dir: &std::path::Path,
    orders: u64,
    runs: usize,
) -> Result<PlanBench> {
    let targets = rollbook::sandbox::seed::SeedTargets {
        earlybird: BENCH_DB.into(),
        master: format!("{BENCH_DB}_master"),
        tenants: vec![],
    };
    rollbook::sandbox::seed::seed(client, &targets, orders).await?;
    let loaded = rollbook::runbook::load("steps-19-30", runbooks_dir)?;
    // Never created: `plan` only reads the state database.
    let store = Store::read_only(client.database(&format!("{BENCH_DB}_state")));

    let rollback_plan = rollbook::plan::resolve(&loaded, &request(Direction::Rollback)?, "plan")?;
    let forward_plan = rollbook::plan::resolve(&loaded, &request(Direction::Forward)?, "plan")?;
    let rollback_reads = reads_of(&rollback_plan)?;
    let forward_reads = reads_of(&forward_plan)?;
    // Once each, unmeasured, so that every measured run finds the same server caches.
    let warm = plan_once(client, &store, runbooks_dir, Direction::Rollback).await?;
    let rollback_affected = warm
        .content
        .preview
        .steps
        .iter()
        .flat_map(|s| &s.actions)
        .filter(|a| matches!(a.kind.as_str(), "unset" | "set" | "update"))
        .filter_map(|a| a.affected)
        .sum();
    bare_reads(client, &store, &rollback_reads).await?;

    let (mut bare_rb, mut plan_rb, mut bare_fw, mut plan_fw) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs.max(1) {
        // Alternate which goes first, so neither always finds the other's warm caches.
        let (bare, planned) = if run % 2 == 0 {
            let bare = timed_bare(client, &store, &rollback_reads).await?;
            (
                bare,
                timed_plan(client, &store, runbooks_dir, Direction::Rollback).await?,
            )
        } else {
            let planned = timed_plan(client, &store, runbooks_dir, Direction::Rollback).await?;
            (timed_bare(client, &store, &rollback_reads).await?, planned)
        };
        bare_rb.push(bare);
        plan_rb.push(planned);
        bare_fw.push(timed_bare(client, &store, &forward_reads).await?);
        plan_fw.push(timed_plan(client, &store, runbooks_dir, Direction::Forward).await?);
    }
    for name in [BENCH_DB.to_owned(), format!("{BENCH_DB}_master")] {
        client
            .database(&name)
            .drop()
            .await
            .map_err(|e| Error::database("cannot drop the benchmark data", e))?;
    }
    Ok(PlanBench {
        orders,
        rollback_affected,
        rollback_reads: tally(&rollback_reads),
        bare_rollback: figure("bare reads for the rollback plan", bare_rb, orders),
        plan_rollback: figure(
            "rollbook plan --steps 19-30 --direction rollback",
            plan_rb,
            orders,
        ),
        forward_reads: tally(&forward_reads),
        bare_forward: figure("bare reads for the forward plan", bare_fw, orders),
        plan_forward: figure(
            "rollbook plan --steps 19-30 --direction forward",
            plan_fw,
            orders,
        ),
    })
}

fn request(direction: Direction) -> Result<PlanRequest> {
    Ok(PlanRequest {
        direction,
        selection: StepSelection::parse(STEPS).map_err(Error::Usage)?,
        params: vec![],
        database: Some(BENCH_DB.into()),
        fail_on_unsupported: false,
    })
}

/// What `rollbook plan` does between connecting and printing: load, resolve, dry-run, digest.
async fn plan_once(
    client: &Client,
    store: &Store,
    runbooks_dir: &std::path::Path,
    direction: Direction,
) -> Result<SavedPlan> {
    let loaded: LoadedRunbook = rollbook::runbook::load("steps-19-30", runbooks_dir)?;
    let plan = rollbook::plan::resolve(&loaded, &request(direction)?, "plan")?;
    let preview = dry_run::preview(
        client,
        store,
        &plan,
        rollbook::engine::DEFAULT_TRANSACTION_LIMIT,
        dry_run::Samples::Shown,
    )
    .await?;
    let approvals_required = preview
        .steps
        .iter()
        .filter(|s| s.approval.is_some())
        .map(|s| s.id.clone())
        .collect();
    Ok(SavedPlan::new(PlanContent {
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        created_by: "bench".into(),
        runbook: loaded.runbook.id.clone(),
        runbook_digest: loaded.digest.clone(),
        database: plan.database.clone(),
        direction,
        steps: STEPS.into(),
        params: BTreeMap::new(),
        continue_on_error: false,
        transaction_limit: rollbook::engine::DEFAULT_TRANSACTION_LIMIT,
        approvals_required,
        preview,
    }))
}

async fn timed_plan(
    client: &Client,
    store: &Store,
    runbooks_dir: &std::path::Path,
    direction: Direction,
) -> Result<f64> {
    let started = Instant::now();
    let saved = plan_once(client, store, runbooks_dir, direction).await?;
    let elapsed = started.elapsed().as_secs_f64();
    std::hint::black_box(saved);
    Ok(elapsed)
}

async fn timed_bare(client: &Client, store: &Store, reads: &[Read]) -> Result<f64> {
    let started = Instant::now();
    bare_reads(client, store, reads).await?;
    Ok(started.elapsed().as_secs_f64())
}

/// The distinct server reads behind a plan's figures: predicted counts, check counts, index
/// and collection existence, snapshots to restore. Before/after samples are not figures and
/// are left out.
fn reads_of(plan: &RunPlan) -> Result<Vec<Read>> {
    let mut reads = BTreeMap::new();
    let db_of = |name: &Option<String>| name.clone().unwrap_or_else(|| plan.database.clone());
    let mut add = |read: Read| {
        let key = format!("{read:?}");
        reads.entry(key).or_insert(read);
    };
    for planned in &plan.steps {
        let step = &planned.step.id;
        let checks = planned
            .preconditions
            .iter()
            .chain(planned.actions.iter().filter_map(|a| match a {
                Action::Check(check) => Some(check),
                _ => None,
            }));
        for check in checks {
            for read in check_reads(check, &plan.database)? {
                add(read);
            }
        }
        for action in &planned.actions {
            if let Some(write) = DocumentWrite::of(action, &plan.database)? {
                add(Read::Count {
                    database: write.database,
                    collection: write.collection,
                    filter: write.filter,
                });
                continue;
            }
            match action {
                Action::DropIndex(a) => add(Read::Indexes {
                    database: db_of(&a.database),
                    collection: a.collection.clone(),
                }),
                Action::CreateIndex(a) => add(Read::Indexes {
                    database: db_of(&a.database),
                    collection: a.collection.clone(),
                }),
                Action::RestoreSnapshot(a) => add(Read::Snapshots {
                    runbook: plan.runbook_id.clone(),
                    database: db_of(&a.database),
                    step: step.clone(),
                    collection: a.collection.clone(),
                    kind: SnapshotKind::Fields,
                }),
                Action::DropCollection(t) => {
                    add(Read::Collection {
                        database: db_of(&t.database),
                        collection: t.collection.clone(),
                    });
                    add(Read::Count {
                        database: db_of(&t.database),
                        collection: t.collection.clone(),
                        filter: Document::new(),
                    });
                }
                Action::CreateCollection(a) => add(Read::Collection {
                    database: db_of(&a.database),
                    collection: a.collection.clone(),
                }),
                Action::CopyCollection(a) => add(Read::Count {
                    database: db_of(&a.database),
                    collection: a.from.clone(),
                    filter: Document::new(),
                }),
                Action::BackupToCollection(a) => {
                    add(Read::Count {
                        database: db_of(&a.database),
                        collection: a.collection.clone(),
                        filter: a
                            .filter
                            .as_ref()
                            .map_or_else(|| Ok(Document::new()), to_bson)?,
                    });
                    add(Read::Collection {
                        database: db_of(&a.database),
                        collection: a.to.clone(),
                    });
                }
                _ => {}
            }
        }
    }
    Ok(reads.into_values().collect())
}

fn check_reads(check: &Check, default_db: &str) -> Result<Vec<Read>> {
    let db_of = |name: &Option<String>| name.clone().unwrap_or_else(|| default_db.to_owned());
    let filter_of = |filter: &Option<rollbook::runbook::model::DocumentValue>| {
        filter.as_ref().map_or_else(|| Ok(Document::new()), to_bson)
    };
    Ok(match check {
        Check::Count(c) => vec![Read::Count {
            database: db_of(&c.database),
            collection: c.collection.clone(),
            filter: filter_of(&c.filter)?,
        }],
        Check::IndexExists(c) => vec![Read::Indexes {
            database: db_of(&c.database),
            collection: c.collection.clone(),
        }],
        Check::CollectionExists(c) => vec![Read::Collection {
            database: db_of(&c.database),
            collection: c.collection.clone(),
        }],
        Check::CountsEqual(c) => vec![
            Read::Count {
                database: db_of(&c.left.database),
                collection: c.left.collection.clone(),
                filter: filter_of(&c.left.filter)?,
            },
            Read::Count {
                database: db_of(&c.right.database),
                collection: c.right.collection.clone(),
                filter: filter_of(&c.right.filter)?,
            },
        ],
        _ => Vec::new(),
    })
}

fn tally(reads: &[Read]) -> ReadCounts {
    let mut counts = ReadCounts::default();
    for read in reads {
        match read {
            Read::Count { .. } => counts.counts += 1,
            Read::Indexes { .. } => counts.index_listings += 1,
            Read::Collection { .. } => counts.collection_lookups += 1,
            Read::Snapshots { .. } => counts.snapshot_lookups += 1,
        }
    }
    counts
}

/// Issues every read at once with the driver.
async fn bare_reads(client: &Client, store: &Store, reads: &[Read]) -> Result<()> {
    try_join_all(reads.iter().map(|read| bare_read(client, store, read))).await?;
    Ok(())
}

async fn bare_read(client: &Client, store: &Store, read: &Read) -> Result<()> {
    let failed = |e| Error::database("benchmark read failed", e);
    match read {
        Read::Count {
            database,
            collection,
            filter,
        } => {
            client
                .database(database)
                .collection::<Document>(collection)
                .count_documents(filter.clone())
                .await
                .map_err(failed)?;
        }
        Read::Indexes {
            database,
            collection,
        } => {
            // A missing collection answers with an error, which is an answer too.
            let _ = client
                .database(database)
                .run_command(doc! {"listIndexes": collection})
                .await;
        }
        Read::Collection {
            database,
            collection,
        } => {
            client
                .database(database)
                .run_command(doc! {"listCollections": 1, "filter": {"name": collection}})
                .await
                .map_err(failed)?;
        }
        Read::Snapshots {
            runbook,
            database,
            step,
            collection,
            kind,
        } => {
            let kind = mongodb::bson::to_bson(kind).unwrap_or_default();
            let _: Vec<Document> = store
                .database()
                .collection::<Document>("snapshots")
                .find(
                    doc! {"runbook": runbook, "database": database, "step": step,
                    "collection": collection, "kind": kind, "restored_by": null},
                )
                .sort(doc! {"created_at": -1})
                .await
                .map_err(failed)?
                .try_collect()
                .await
                .map_err(failed)?;
        }
    }
    Ok(())
}
