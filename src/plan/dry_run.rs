//! The data-level dry-run: for each step and action of a plan, what would change, counted on
//! the server exactly as the run will select it, with before/after samples — and nothing
//! written anywhere (only reads: counts, finds, index and collection listings).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::future::{try_join, try_join_all};
use futures_util::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use mongodb::{Client, Database};
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use super::{PlannedStep, RunPlan};
use crate::actions::checks::{self, CheckResult};
use crate::actions::documents::{Change, DocumentWrite};
use crate::actions::{collections, indexes, ActionContext, RunEnv};
use crate::error::Result;
use crate::runbook::model::{
    Action, DataLossLevel, Direction, ReversibilityLevel, TransactionMode,
};
use crate::store::measured::Rate;
use crate::store::snapshots::SnapshotKind;
use crate::store::Store;

/// Documents per second the server updates (`update_many`, measured: 1M in 5.7 s).
const UPDATE_RATE: u64 = 175_000;
/// Documents per second a snapshot restore merges (measured: 1M in 12.5 s).
const MERGE_RATE: u64 = 80_000;
/// Documents per second `$out` copies (measured: 1M in 7.4 s).
const COPY_RATE: u64 = 135_000;

/// The dry-run of a whole plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanPreview {
    /// Steps in execution order.
    pub steps: Vec<StepPreview>,
}

/// The dry-run of one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepPreview {
    /// Step id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Direction.
    pub direction: Direction,
    /// Approval category, when the step needs one in this direction.
    pub approval: Option<String>,
    /// Data loss level.
    pub data_loss: DataLossLevel,
    /// Reversibility level.
    pub reversibility: ReversibilityLevel,
    /// Whether its writes will run in one transaction.
    pub transaction: bool,
    /// Estimated milliseconds, from the predicted counts.
    pub estimate_ms: u64,
    /// What the estimate rests on: rates measured on this server, or the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate_basis: Option<String>,
    /// Preconditions evaluated now.
    pub preconditions: Vec<CheckResult>,
    /// Its actions.
    pub actions: Vec<ActionPreview>,
}

/// The dry-run of one action.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActionPreview {
    /// Kind.
    pub kind: String,
    /// Database, when not the plan's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Collection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
    /// The filter the run will use (narrowed to documents that change).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<serde_json::Value>,
    /// Predicted number of documents that would change (or be copied, restored, dropped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affected: Option<u64>,
    /// Up to three documents before and after.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub samples: Vec<Sample>,
    /// Indexes that would be dropped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drops_indexes: Vec<String>,
    /// Indexes that would be created.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub creates_indexes: Vec<String>,
    /// Collections that would be dropped or replaced.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drops_collections: Vec<String>,
    /// Collections that would be created.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub creates_collections: Vec<String>,
    /// What else to know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `restore_snapshot`: documents changed or deleted since the rollback (conflicts), left
    /// out of `affected`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<u64>,
}

/// A document before and after an update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// The document now.
    pub before: serde_json::Value,
    /// The document after the update (computed here, not written).
    pub after: serde_json::Value,
}

/// Whether a step's writes run in one transaction: the same decision for `plan` and the run.
#[must_use]
pub(crate) fn decide_transaction(
    mode: TransactionMode,
    actions: &[Action],
    writes: u64,
    limit: u64,
) -> bool {
    let capable = !actions.is_empty() && actions.iter().all(Action::can_run_in_transaction);
    match mode {
        TransactionMode::Never => false,
        TransactionMode::Required => true,
        TransactionMode::Auto => capable && writes <= limit,
    }
}

/// Server reads shared by the actions of one dry-run, so that two actions selecting the same
/// documents (a backup and the update after it), or naming indexes of the same collection, read
/// them from the server once. Sound because the dry-run writes nothing.
#[derive(Default)]
struct SharedReads {
    counts: Mutex<HashMap<String, Arc<OnceCell<u64>>>>,
    indexes: Mutex<HashMap<String, Arc<OnceCell<Vec<Document>>>>>,
}

/// The cell of `key` in `cells`, created empty the first time.
fn cell<T>(cells: &Mutex<HashMap<String, Arc<OnceCell<T>>>>, key: String) -> Arc<OnceCell<T>> {
    Arc::clone(
        cells
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_default(),
    )
}

impl SharedReads {
    /// The count of `filter` in `database.collection`, from `count` the first time it is asked.
    async fn count<Fut>(
        &self,
        database: &str,
        collection: &str,
        filter: &Document,
        count: impl FnOnce() -> Fut,
    ) -> Result<u64>
    where
        Fut: Future<Output = Result<u64>>,
    {
        let key = format!("{database}\0{collection}\0{filter:?}");
        cell(&self.counts, key)
            .get_or_try_init(count)
            .await
            .copied()
    }

    /// Whether the index `name` of `db.collection` exists, from one listing per collection.
    async fn has_index(&self, db: &Database, collection: &str, name: &str) -> Result<bool> {
        let key = format!("{}\0{collection}", db.name());
        let specs = cell(&self.indexes, key);
        let specs = specs
            .get_or_try_init(|| indexes::specs(db, collection))
            .await?;
        Ok(specs.iter().any(|s| s.get_str("name").ok() == Some(name)))
    }
}

/// Evaluates a plan without writing. Steps and actions only read, so all of them are evaluated
/// at once; the preview keeps execution order.
pub async fn preview(
    client: &Client,
    store: &Store,
    plan: &RunPlan,
    transaction_limit: u64,
    samples: Samples,
) -> Result<PlanPreview> {
    let env = RunEnv::read_only(plan.params.clone());
    let reads = SharedReads::default();
    // Estimates rest on what this server measured; a state database that cannot say falls
    // back on the defaults (the estimate is a hint, never a gate).
    let rates = store.measured_rates().await.unwrap_or_default();
    let steps = try_join_all(plan.steps.iter().map(|planned| {
        preview_step(
            client,
            store,
            plan,
            planned,
            &env,
            &reads,
            (transaction_limit, &rates),
        )
    }))
    .await?;
    let mut preview = PlanPreview { steps };
    for action in preview.steps.iter_mut().flat_map(|s| s.actions.iter_mut()) {
        match samples {
            Samples::Shown => {
                for sample in &mut action.samples {
                    super::redact::redact(&mut sample.before, &plan.redact);
                    super::redact::redact(&mut sample.after, &plan.redact);
                }
            }
            Samples::None => action.samples.clear(),
        }
    }
    Ok(preview)
}

/// Whether a plan shows sample documents (`--no-samples`: none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Samples {
    /// Up to three per action, the runbook's `redact` fields masked.
    Shown,
    /// None.
    None,
}

impl Samples {
    /// [`Samples::None`] under `--no-samples`, else [`Samples::Shown`].
    #[must_use]
    pub fn unless(no_samples: bool) -> Self {
        if no_samples {
            Samples::None
        } else {
            Samples::Shown
        }
    }
}

async fn preview_step(
    client: &Client,
    store: &Store,
    plan: &RunPlan,
    planned: &PlannedStep,
    env: &RunEnv,
    reads: &SharedReads,
    (limit, rates): (u64, &HashMap<String, Rate>),
) -> Result<StepPreview> {
    let step = &planned.step;
    let context = |index| ActionContext {
        client,
        store,
        database: &plan.database,
        run_id: "plan",
        runbook: &plan.runbook_id,
        step: &step.id,
        direction: plan.direction,
        index,
        env,
        cut_short: false,
        retried: false,
        fresh_snapshot_documents: None,
        tally: &crate::actions::tally::Nowhere,
        opposite: &planned.opposite,
    };
    let contexts: Vec<ActionContext<'_>> = (0..planned.actions.len()).map(context).collect();
    let first = context(0);
    // Independent actions and preconditions are evaluated concurrently.
    let (actions, preconditions): (Vec<ActionPreview>, Vec<CheckResult>) = try_join(
        try_join_all(
            planned
                .actions
                .iter()
                .zip(&contexts)
                .map(|(action, ctx)| preview_action(ctx, reads, action)),
        ),
        try_join_all(
            planned
                .preconditions
                .iter()
                .map(|check| checks::run(&first, check, None)),
        ),
    )
    .await?;
    let writes: u64 = planned
        .actions
        .iter()
        .zip(&actions)
        .filter(|(a, _)| matches!(a, Action::Unset(_) | Action::Set(_) | Action::Update(_)))
        .map(|(_, p)| p.affected.unwrap_or(0))
        .sum();
    let estimates: Vec<Estimate> = planned
        .actions
        .iter()
        .zip(&actions)
        .filter_map(|(a, p)| estimate(a, p.affected.unwrap_or(0), rates))
        .collect();
    let estimate_ms = estimates.iter().map(|e| e.ms).sum();
    let estimate_basis = basis(&estimates);
    Ok(StepPreview {
        id: step.id.clone(),
        title: step.title.clone(),
        direction: plan.direction,
        approval: step
            .approval
            .as_ref()
            .filter(|a| a.directions.contains(&plan.direction))
            .map(|a| {
                serde_json::to_value(a.category)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            }),
        data_loss: step.data_loss.level,
        reversibility: step.reversibility.level,
        transaction: decide_transaction(step.transaction, &planned.actions, writes, limit),
        estimate_ms,
        estimate_basis,
        preconditions,
        actions,
    })
}

/// One action's share of a step's estimate.
struct Estimate {
    kind: &'static str,
    ms: u64,
    /// The measured rate it used, if any (else the default).
    measured: Option<Rate>,
}

/// What a step's estimate rests on, in words (`None` for a step with nothing to estimate).
fn basis(estimates: &[Estimate]) -> Option<String> {
    if estimates.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    for e in estimates {
        let part = match e.measured {
            Some(rate) => format!(
                "{} {:.0} documents/s measured over {} action(s)",
                e.kind, rate.per_second, rate.actions
            ),
            None => format!(
                "{} at the default rate (nothing measured on this server yet)",
                e.kind
            ),
        };
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    Some(parts.join("; "))
}

/// The time `action` should take for `affected` documents: at the rate measured on this server
/// for its kind, else at a default rate. `None` for actions whose time does not grow with
/// documents.
fn estimate(action: &Action, affected: u64, rates: &HashMap<String, Rate>) -> Option<Estimate> {
    let default = default_rate(action)?;
    let kind = action.kind();
    let measured = rates.get(kind).copied().filter(|r| r.per_second >= 1.0);
    let per_second = measured.map_or(default as f64, |r| r.per_second);
    Some(Estimate {
        kind,
        ms: (affected as f64 * 1000.0 / per_second).round() as u64,
        measured,
    })
}

/// Documents per second of an action kind before anything was measured here.
fn default_rate(action: &Action) -> Option<u64> {
    let rate = match action {
        // The snapshot costs about 40% of the update it protects.
        Action::Unset(_) | Action::Set(_) | Action::Update(_) => UPDATE_RATE * 10 / 14,
        Action::RestoreSnapshot(_) => MERGE_RATE,
        // The documents are copied out whole, then deleted by id.
        Action::Delete(_) => COPY_RATE / 2,
        Action::CopyCollection(_) | Action::BackupToCollection(_) | Action::DropCollection(_) => {
            COPY_RATE
        }
        _ => return None,
    };
    Some(rate)
}

fn json(document: &Document) -> serde_json::Value {
    Bson::Document(document.clone()).into_relaxed_extjson()
}

/// The samples as a pipeline update leaves them, computed by the server (the same stages run
/// as an aggregation, which writes nothing), in the samples' order.
async fn pipeline_applied(
    ctx: &ActionContext<'_>,
    write: &DocumentWrite,
    stages: &[Document],
    samples: &[Document],
) -> Result<Vec<Document>> {
    let ids: Vec<Bson> = samples
        .iter()
        .filter_map(|d| d.get("_id").cloned())
        .collect();
    let mut pipeline = vec![doc! {"$match": {"_id": {"$in": ids}}}];
    pipeline.extend(stages.iter().cloned());
    let failed = |e| crate::error::Error::database("cannot compute the sample updates", e);
    let computed: Vec<Document> = ctx
        .client
        .database(&write.database)
        .collection::<Document>(&write.collection)
        .aggregate(pipeline)
        .await
        .map_err(failed)?
        .try_collect()
        .await
        .map_err(failed)?;
    Ok(samples
        .iter()
        .map(|before| {
            computed
                .iter()
                .find(|after| after.get("_id") == before.get("_id"))
                .cloned()
                .unwrap_or_default()
        })
        .collect())
}

/// How many documents of `database.collection` match `filter`, and up to three of them, read
/// at once (the count shared with other actions asking the same).
async fn count_and_sample(
    ctx: &ActionContext<'_>,
    reads: &SharedReads,
    database: &str,
    collection: &str,
    filter: &Document,
) -> Result<(u64, Vec<Document>)> {
    let collection_handle = ctx
        .client
        .database(database)
        .collection::<Document>(collection);
    let failed = |what| move |e| crate::error::Error::database(what, e);
    let counted = reads.count(database, collection, filter, || async {
        collection_handle
            .count_documents(filter.clone())
            .await
            .map_err(failed("cannot count documents"))
    });
    let sampled = async {
        collection_handle
            .find(filter.clone())
            .limit(3)
            .await
            .map_err(failed("cannot read sample documents"))?
            .try_collect::<Vec<Document>>()
            .await
            .map_err(failed("cannot read sample documents"))
    };
    try_join(counted, sampled).await
}

async fn preview_action(
    ctx: &ActionContext<'_>,
    reads: &SharedReads,
    action: &Action,
) -> Result<ActionPreview> {
    let mut preview = ActionPreview {
        kind: action.kind().to_owned(),
        ..ActionPreview::default()
    };
    if let Some(write) = DocumentWrite::of(action, ctx.database)? {
        preview.collection = Some(write.collection.clone());
        if write.database != ctx.database {
            preview.database = Some(write.database.clone());
        }
        preview.filter = Some(json(&write.filter));
        let (affected, found) = count_and_sample(
            ctx,
            reads,
            &write.database,
            &write.collection,
            &write.filter,
        )
        .await?;
        preview.affected = Some(affected);
        let after = match &write.update {
            Change::Operators(update) => found.iter().map(|d| apply_update(d, update)).collect(),
            Change::Pipeline(stages) => pipeline_applied(ctx, &write, stages, &found).await?,
        };
        preview.samples = found
            .iter()
            .zip(&after)
            .map(|(before, after)| Sample {
                before: json(before),
                after: json(after),
            })
            .collect();
        return Ok(preview);
    }
    let db_of = |name: Option<&str>| ctx.db(name);
    match action {
        Action::Delete(a) => {
            let (database, filter) = crate::actions::delete::target(ctx, a)?;
            preview.collection = Some(a.collection.clone());
            if database != ctx.database {
                preview.database = Some(database.to_owned());
            }
            preview.filter = Some(json(&filter));
            let (affected, found) =
                count_and_sample(ctx, reads, database, &a.collection, &filter).await?;
            preview.affected = Some(affected);
            preview.samples = found
                .iter()
                .map(|before| Sample {
                    before: json(before),
                    after: serde_json::Value::Null,
                })
                .collect();
            preview.note = Some(format!(
                "deletes {affected} document(s), each saved whole first; the other direction's restore_snapshot puts them back"
            ));
        }
        Action::DropIndex(a) => {
            preview.collection = Some(a.collection.clone());
            if reads
                .has_index(&db_of(a.database.as_deref()), &a.collection, &a.name)
                .await?
            {
                preview.drops_indexes.push(a.name.clone());
                preview.affected = Some(1);
            } else {
                preview.affected = Some(0);
                preview.note = Some(format!("index {} does not exist; nothing to drop", a.name));
            }
        }
        Action::CreateIndex(a) => {
            preview.collection = Some(a.collection.clone());
            let name = a.name.clone().unwrap_or_else(|| "(default name)".into());
            if reads
                .has_index(&db_of(a.database.as_deref()), &a.collection, &name)
                .await?
            {
                preview.note = Some(format!("index {name} already exists"));
                preview.affected = Some(0);
            } else {
                let database = a
                    .database
                    .clone()
                    .unwrap_or_else(|| ctx.database.to_owned());
                let from_snapshot = ctx
                    .store
                    .unrestored_snapshots(
                        ctx.runbook,
                        &database,
                        ctx.step,
                        &a.collection,
                        SnapshotKind::Index,
                    )
                    .await?
                    .iter()
                    .any(|s| s.index_name.as_deref() == Some(name.as_str()));
                if from_snapshot {
                    preview.note =
                        Some("recreated exactly from the spec saved when it was dropped".into());
                }
                preview.creates_indexes.push(name);
                preview.affected = Some(1);
            }
        }
        Action::RestoreSnapshot(a) => {
            preview.collection = Some(a.collection.clone());
            let database = a
                .database
                .clone()
                .unwrap_or_else(|| ctx.database.to_owned());
            let snapshots: Vec<_> = crate::actions::snapshot::to_restore(
                ctx,
                &database,
                &a.collection,
                SnapshotKind::Fields,
            )
            .await?;
            // The conflicts the run will meet, found as the run finds them: the newest
            // snapshot against what its rollback left, older ones for deletions.
            let mut found = crate::actions::snapshot::conflicts::Conflicts::default();
            for (n, snapshot) in snapshots.iter().enumerate() {
                let mut checked = snapshot.clone();
                if n > 0 {
                    checked.left = None;
                }
                found.add(crate::actions::snapshot::conflicts::find(ctx, &checked, None).await?);
            }
            // Documents a delete removed go back first; those that exist again are conflicts.
            let deleted: Vec<_> = crate::actions::snapshot::to_restore(
                ctx,
                &database,
                &a.collection,
                SnapshotKind::Documents,
            )
            .await?;
            let mut existing = crate::actions::snapshot::documents::Existing::default();
            for snapshot in &deleted {
                existing
                    .add(crate::actions::snapshot::documents::existing(ctx, snapshot, None).await?);
            }
            // Documents a pipeline replaced go back too; those changed since are conflicts.
            let replaced: Vec<_> = crate::actions::snapshot::to_restore(
                ctx,
                &database,
                &a.collection,
                SnapshotKind::Replaced,
            )
            .await?;
            let mut changed = Vec::new();
            for snapshot in &replaced {
                changed.push(crate::actions::snapshot::replaced::find(ctx, snapshot, None).await?);
            }
            let (replaced_entries, replaced_conflicts) =
                changed.iter().fold((0, 0), |(e, c), found| {
                    (e + found.entries, c + found.total())
                });
            preview.affected = Some(
                found.entries - found.total() + existing.entries - existing.count
                    + replaced_entries
                    - replaced_conflicts,
            );
            let mut conflicts = Vec::new();
            if found.total() > 0 {
                conflicts.push(found.describe());
            }
            if existing.count > 0 {
                conflicts.push(existing.describe());
            }
            conflicts.extend(
                changed
                    .iter()
                    .filter(|c| c.total() > 0)
                    .map(crate::actions::snapshot::replaced::Changed::describe),
            );
            if snapshots.is_empty() && deleted.is_empty() && replaced.is_empty() {
                preview.note = Some("no snapshot to restore".into());
            } else if !conflicts.is_empty() {
                let total = found.total() + existing.count + replaced_conflicts;
                preview.conflicts = Some(total);
                preview.note = Some(format!(
                    "{total} conflicts: {}; apply refuses unless --on-conflict skip (affected counts \
                     the others) or overwrite",
                    conflicts.join("; ")
                ));
            }
        }
        Action::DropCollection(t) => {
            preview.collection = Some(t.collection.clone());
            let db = db_of(t.database.as_deref());
            if collections::options(&db, &t.collection).await?.is_some() {
                preview.drops_collections.push(t.collection.clone());
                let everything = Document::new();
                preview.affected = Some(
                    reads
                        .count(db.name(), &t.collection, &everything, || {
                            collections::count(&db, &t.collection)
                        })
                        .await?,
                );
            }
        }
        Action::CreateCollection(a) => {
            preview.collection = Some(a.collection.clone());
            if collections::options(&db_of(a.database.as_deref()), &a.collection)
                .await?
                .is_none()
            {
                preview.creates_collections.push(a.collection.clone());
            }
        }
        Action::CopyCollection(a) => {
            let db = db_of(a.database.as_deref());
            preview.collection = Some(a.from.clone());
            preview.creates_collections.push(a.to.clone());
            let everything = Document::new();
            preview.affected = Some(
                reads
                    .count(db.name(), &a.from, &everything, || {
                        collections::count(&db, &a.from)
                    })
                    .await?,
            );
        }
        Action::RenameCollection(a) => {
            preview.collection = Some(a.from.clone());
            preview.creates_collections.push(a.to.clone());
            preview.drops_collections.push(a.from.clone());
            let db = db_of(a.database.as_deref());
            // `drop_target` replaces a collection already named `to`: that is a drop too.
            if a.drop_target && collections::options(&db, &a.to).await?.is_some() {
                let everything = Document::new();
                let replaced = reads
                    .count(db.name(), &a.to, &everything, || {
                        collections::count(&db, &a.to)
                    })
                    .await?;
                preview.drops_collections.push(a.to.clone());
                preview.note = Some(format!(
                    "replaces the existing {} ({replaced} documents, snapshotted first)",
                    a.to
                ));
            }
        }
        Action::BackupToCollection(a) => {
            let db = db_of(a.database.as_deref());
            preview.collection = Some(a.collection.clone());
            let filter = a
                .filter
                .as_ref()
                .map_or_else(|| Ok(Document::new()), crate::actions::to_bson)?;
            // The count and the look-up of the backup collection are read at once.
            let counted = reads.count(db.name(), &a.collection, &filter, || async {
                db.collection::<Document>(&a.collection)
                    .count_documents(filter.clone())
                    .await
                    .map_err(|e| crate::error::Error::database("cannot count", e))
            });
            let (affected, existing) = try_join(counted, collections::options(&db, &a.to)).await?;
            preview.affected = Some(affected);
            if existing.is_some() {
                // An earlier backup is never replaced: the run writes beside it.
                let beside = crate::actions::collections::run_backup_name(&a.to, "<run id>");
                preview.creates_collections.push(beside.clone());
                preview.note = Some(format!(
                    "{} holds an earlier backup and is kept; this backup goes to {beside}",
                    a.to
                ));
            } else {
                preview.creates_collections.push(a.to.clone());
            }
        }
        Action::Check(check) => {
            let result = checks::run(ctx, check, None).await?;
            preview.collection = result.collection.clone();
            preview.note = Some(result.describe());
        }
        Action::Shell(a) => {
            preview.note = Some(match &a.opt_in {
                Some(name) => format!("runs `{}` only with --with {name}", a.run),
                None => format!("runs `{}` (timeout {} s)", a.run, a.timeout_secs),
            });
        }
        Action::Manual(m) => {
            // Whole: the operator reads the instructions in the plan before the window.
            preview.note = Some(format!("manual: {}", m.instructions.trim_end()));
        }
        Action::Checklist(c) => {
            preview.note = Some(format!("checklist of {} item(s) to confirm", c.items.len()));
        }
        Action::Notify(a) => {
            preview.note = Some(crate::actions::notify::preview(ctx, a));
        }
        _ => preview.note = Some("not previewed".into()),
    }
    Ok(preview)
}

/// Applies `$set`, `$unset`, `$rename`, `$inc` and `$currentDate` of top-level or dotted fields
/// to a copy of `document`, for before/after samples. Other operators are noted, not applied.
#[must_use]
pub(crate) fn apply_update(document: &Document, update: &Document) -> Document {
    let mut after = document.clone();
    for (operator, fields) in update {
        let Bson::Document(fields) = fields else {
            continue;
        };
        for (path, value) in fields {
            match operator.as_str() {
                "$set" => set_path(&mut after, path, value.clone()),
                "$unset" => {
                    remove_path(&mut after, path);
                }
                "$rename" => {
                    if let (Some(old), Bson::String(to)) = (remove_path(&mut after, path), value) {
                        set_path(&mut after, to, old);
                    }
                }
                "$inc" => {
                    let current = get_path(&after, path).cloned().unwrap_or(Bson::Int32(0));
                    let sum = match (current, value) {
                        (Bson::Int32(a), Bson::Int32(b)) => Bson::Int32(a + b),
                        (a, b) => Bson::Double(as_f64(&a) + as_f64(b)),
                    };
                    set_path(&mut after, path, sum);
                }
                "$currentDate" => set_path(
                    &mut after,
                    path,
                    Bson::DateTime(mongodb::bson::DateTime::now()),
                ),
                other => {
                    after.insert(format!("(not previewed: {other})"), true);
                }
            }
        }
    }
    after
}

fn as_f64(value: &Bson) -> f64 {
    match value {
        Bson::Int32(n) => f64::from(*n),
        Bson::Int64(n) => *n as f64,
        Bson::Double(n) => *n,
        _ => 0.0,
    }
}

fn get_path<'a>(document: &'a Document, path: &str) -> Option<&'a Bson> {
    let mut parts = path.split('.');
    let mut current = document.get(parts.next()?)?;
    for part in parts {
        current = current.as_document()?.get(part)?;
    }
    Some(current)
}

fn set_path(document: &mut Document, path: &str, value: Bson) {
    match path.split_once('.') {
        None => {
            document.insert(path, value);
        }
        Some((head, rest)) => {
            if !matches!(document.get(head), Some(Bson::Document(_))) {
                document.insert(head, Document::new());
            }
            if let Some(Bson::Document(inner)) = document.get_mut(head) {
                set_path(inner, rest, value);
            }
        }
    }
}

fn remove_path(document: &mut Document, path: &str) -> Option<Bson> {
    match path.split_once('.') {
        None => document.remove(path),
        Some((head, rest)) => match document.get_mut(head) {
            Some(Bson::Document(inner)) => remove_path(inner, rest),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_update_operators_to_samples() {
        let before =
            doc! {"_id": 1, "status": "DELIVERED", "delivered_at": 5, "a": {"b": 1}, "n": 2};
        let update = doc! {"$unset": {"delivered_at": "", "a.b": ""}, "$set": {"status": "PENDING", "x.y": 1}, "$inc": {"n": 3}};
        let after = apply_update(&before, &update);
        assert_eq!(
            after,
            doc! {"_id": 1, "status": "PENDING", "a": {}, "n": 5, "x": {"y": 1}}
        );
    }

    #[test]
    fn transaction_decision_follows_mode_capability_and_size() {
        let unset: Action =
            serde_yaml::from_str("!unset {collection: c, all_documents: true, fields: [f]}")
                .unwrap();
        let shell: Action = serde_yaml::from_str("!shell {run: 'true'}").unwrap();
        assert!(decide_transaction(
            TransactionMode::Auto,
            std::slice::from_ref(&unset),
            10,
            100
        ));
        assert!(!decide_transaction(
            TransactionMode::Auto,
            std::slice::from_ref(&unset),
            101,
            100
        ));
        assert!(!decide_transaction(
            TransactionMode::Auto,
            &[unset.clone(), shell],
            1,
            100
        ));
        assert!(!decide_transaction(
            TransactionMode::Never,
            std::slice::from_ref(&unset),
            1,
            100
        ));
        assert!(decide_transaction(
            TransactionMode::Required,
            &[unset],
            1_000,
            100
        ));
        assert!(!decide_transaction(TransactionMode::Auto, &[], 0, 100));
    }
}
