//! Restoring a mongodump-format backup: check the whole backup, check the targets on the
//! server, load every collection into a temporary collection (in parallel), and only when all
//! of them loaded and counted right swap them in by `renameCollection`. A failure before the
//! swap leaves every live collection untouched and drops the temporary copies.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use futures_util::{StreamExt, TryStreamExt};
use mongodb::bson::{doc, Document};
use mongodb::{Client, Database};
use serde::Serialize;

use super::inspect::{inspect, BackupCollection, BackupContents};
use super::load::{self, temp_name, LoadJob};
use super::{millis_since, prefix_error, NoProgress, Progress, Skipped};
use crate::error::{Error, Result};
use crate::reachable;
use crate::runbook::names;
use crate::server_work;

/// Collections restored at once when not told otherwise.
pub(crate) const DEFAULT_PARALLEL: usize = 4;
/// Documents per `insert` command when not told otherwise.
pub(crate) const DEFAULT_BATCH_SIZE: usize = 1000;

/// What to restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreSpec {
    /// The backup directory (holding one directory per database).
    pub from: PathBuf,
    /// Databases of the backup: a comma list of names and globs; empty for all of them
    /// (but `local` and `config`).
    pub databases: String,
    /// Restore into this database instead of the source's name (only with exactly one
    /// source database).
    pub to_db: Option<String>,
    /// Replace existing collections. Without it, a live collection that holds documents is an
    /// error before anything is written.
    pub drop: bool,
    /// How many collections load at once (at least 1).
    pub parallel: usize,
    /// Documents per `insert` command (at least 1).
    pub batch_size: usize,
}

impl RestoreSpec {
    /// Every database of `from`, into databases of the same names, no drop, default sizes.
    #[must_use]
    pub fn new(from: impl Into<PathBuf>) -> Self {
        RestoreSpec {
            from: from.into(),
            databases: String::new(),
            to_db: None,
            drop: false,
            parallel: DEFAULT_PARALLEL,
            batch_size: DEFAULT_BATCH_SIZE,
        }
    }
}

/// A live collection or view a restore target already has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Existing {
    /// `collection` or `view`.
    pub kind: String,
    /// Documents it holds (the server's estimate; 0 means checked empty).
    pub documents: u64,
}

/// One collection or view a restore writes.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreTarget {
    /// Its database in the backup.
    pub source_database: String,
    /// The database it is restored into.
    pub database: String,
    /// The collection (or view) name.
    pub collection: String,
    /// `collection` or `view`.
    pub kind: String,
    /// Documents in the backup.
    pub documents: u64,
    /// BSON bytes in the backup.
    pub bytes: u64,
    /// What the target database already has under that name, when anything.
    pub existing: Option<Existing>,
    /// What the backup holds for it.
    #[serde(skip)]
    pub source: BackupCollection,
}

impl RestoreTarget {
    /// `database.collection`.
    #[must_use]
    pub(crate) fn namespace(&self) -> String {
        format!("{}.{}", self.database, self.collection)
    }

    /// True when restoring replaces data: a live collection with documents, or a view.
    #[must_use]
    pub(crate) fn replaces_data(&self) -> bool {
        self.existing
            .as_ref()
            .is_some_and(|e| e.documents > 0 || e.kind != "collection" || self.kind == "view")
    }
}

/// A checked restore, ready to run: the backup was read completely and the targets looked up.
#[derive(Debug, Clone, Serialize)]
pub struct RestorePlan {
    /// The backup directory.
    pub from: PathBuf,
    /// Whether existing collections are replaced.
    pub drop: bool,
    /// Every collection and view to restore, by target database and name.
    pub targets: Vec<RestoreTarget>,
    /// What the backup holds that is left out, and why.
    pub skipped: Vec<Skipped>,
    #[serde(skip)]
    spec: RestoreSpec,
}

impl RestorePlan {
    /// The targets whose live data a restore replaces.
    pub(crate) fn replaced(&self) -> impl Iterator<Item = &RestoreTarget> {
        self.targets.iter().filter(|t| t.replaces_data())
    }
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    /// The backup directory.
    pub from: PathBuf,
    /// Whether existing collections were replaced.
    pub drop: bool,
    /// Source database → target database.
    pub databases: BTreeMap<String, String>,
    /// Per collection and view, by target database and name.
    pub collections: Vec<RestoredCollection>,
    /// What the backup holds that was left out, and why.
    pub skipped: Vec<Skipped>,
    /// Documents restored in all.
    pub documents: u64,
    /// BSON bytes restored in all.
    pub bytes: u64,
    /// Wall time of the whole restore, the backup check included.
    pub duration_ms: u64,
}

/// One restored collection or view.
#[derive(Debug, Clone, Serialize)]
pub struct RestoredCollection {
    /// Its database in the backup.
    pub source_database: String,
    /// The database it was restored into.
    pub database: String,
    /// Its name.
    pub collection: String,
    /// `collection` or `view`.
    pub kind: String,
    /// Documents restored.
    pub documents: u64,
    /// BSON bytes restored.
    pub bytes: u64,
    /// Indexes built (not counting `_id_`).
    pub indexes: usize,
    /// Documents of the live collection it replaced, when there was one.
    pub replaced_documents: Option<u64>,
    /// Time to load, index and count it.
    pub duration_ms: u64,
}

/// Restores a backup: [`plan_restore`], then [`execute_restore`].
pub async fn restore(client: &Client, spec: &RestoreSpec) -> Result<RestoreReport> {
    restore_with_progress(client, spec, &NoProgress).await
}

/// [`restore`], reporting progress per collection.
pub async fn restore_with_progress(
    client: &Client,
    spec: &RestoreSpec,
    progress: &dyn Progress,
) -> Result<RestoreReport> {
    let started = Instant::now();
    let plan = plan_restore(client, spec).await?;
    let mut report = execute_restore(client, &plan, progress).await?;
    report.duration_ms = millis_since(started);
    Ok(report)
}

/// Checks everything a restore needs without writing anything: the spec, the whole backup
/// ([`inspect`], before the server is contacted at all), then the target collections on the
/// server. Without `drop`, a target that holds documents (or is a view) is an error.
pub async fn plan_restore(client: &Client, spec: &RestoreSpec) -> Result<RestorePlan> {
    if spec.parallel == 0 {
        return Err(Error::Usage("--parallel must be at least 1".into()));
    }
    if spec.batch_size == 0 {
        return Err(Error::Usage("the batch size must be at least 1".into()));
    }
    if let Some(to_db) = &spec.to_db {
        names::check_database(to_db)
            .map_err(|m| Error::Usage(format!("--to-db: {m}; nothing was changed")))?;
    }
    let contents = inspect(&spec.from, &spec.databases).await?;
    let mut plan = build_plan(spec, &contents)?;
    look_up_targets(client, &mut plan.targets).await?;
    check_conflicts(&plan)?;
    Ok(plan)
}

fn build_plan(spec: &RestoreSpec, contents: &BackupContents) -> Result<RestorePlan> {
    if spec.to_db.is_some() && contents.databases.len() != 1 {
        let names: Vec<&str> = contents.databases.iter().map(|d| d.name.as_str()).collect();
        return Err(Error::Usage(format!(
            "--to-db needs exactly one source database, but the selection has {} ({}); pick one with --db; nothing was changed",
            names.len(),
            names.join(", ")
        )));
    }
    let mut targets = Vec::new();
    let mut skipped = Vec::new();
    for db in &contents.databases {
        let target_db = spec.to_db.clone().unwrap_or_else(|| db.name.clone());
        names::check_database(&target_db).map_err(|m| {
            Error::Usage(format!(
                "cannot restore backup database {}: {m}; nothing was changed",
                db.name
            ))
        })?;
        skipped.extend(db.skipped.iter().cloned());
        for collection in &db.collections {
            names::check_collection(&collection.name).map_err(|m| {
                Error::Usage(format!(
                    "cannot restore {}.{}: {m}; nothing was changed",
                    db.name, collection.name
                ))
            })?;
            if collection.name == crate::store::lock::LOCK_COLLECTION {
                skipped.push(Skipped {
                    database: db.name.clone(),
                    collection: collection.name.clone(),
                    reason: "rollbook's lock of the database it was dumped from".into(),
                });
                continue;
            }
            if collection.name.starts_with(load::TEMP_PREFIX) {
                skipped.push(Skipped {
                    database: db.name.clone(),
                    collection: collection.name.clone(),
                    reason: "a temporary collection of an interrupted rollbook restore".into(),
                });
                continue;
            }
            targets.push(RestoreTarget {
                source_database: db.name.clone(),
                database: target_db.clone(),
                collection: collection.name.clone(),
                kind: collection.kind.clone(),
                documents: collection.documents,
                bytes: collection.bytes,
                existing: None,
                source: collection.clone(),
            });
        }
    }
    Ok(RestorePlan {
        from: contents.dir.clone(),
        drop: spec.drop,
        targets,
        skipped,
        spec: spec.clone(),
    })
}

/// Fills in what each target database already has under each target's name.
async fn look_up_targets(client: &Client, targets: &mut [RestoreTarget]) -> Result<()> {
    let mut live: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for target in targets.iter() {
        if !live.contains_key(&target.database) {
            let db = client.database(&target.database);
            live.insert(target.database.clone(), collection_kinds(&db).await?);
        }
    }
    for target in targets.iter_mut() {
        let kind = live
            .get(&target.database)
            .and_then(|kinds| kinds.get(&target.collection));
        target.existing = match kind {
            None => None,
            Some(kind) if kind == "collection" => Some(Existing {
                kind: kind.clone(),
                documents: documents_in(&client.database(&target.database), &target.collection)
                    .await?,
            }),
            Some(kind) => Some(Existing {
                kind: kind.clone(),
                documents: 0,
            }),
        };
    }
    Ok(())
}

/// Name → type of every collection and view in a database.
async fn collection_kinds(db: &Database) -> Result<BTreeMap<String, String>> {
    let context = || format!("cannot list the collections of {}", db.name());
    let infos: Vec<Document> = db
        .run_cursor_command(doc! {"listCollections": 1, "nameOnly": true})
        .await
        .map_err(|e| Error::database(context(), e))?
        .try_collect()
        .await
        .map_err(|e| Error::database(context(), e))?;
    Ok(infos
        .iter()
        .filter_map(|info| {
            let name = info.get_str("name").ok()?;
            let kind = info.get_str("type").unwrap_or("collection");
            Some((name.to_owned(), kind.to_owned()))
        })
        .collect())
}

/// Documents in a collection: the server's estimate, checked when it says 0.
async fn documents_in(db: &Database, collection: &str) -> Result<u64> {
    let handle = db.collection::<Document>(collection);
    let context = || format!("cannot count {}.{collection}", db.name());
    let estimate = handle
        .estimated_document_count()
        .await
        .map_err(|e| Error::database(context(), e))?;
    if estimate > 0 {
        return Ok(estimate);
    }
    handle
        .count_documents(doc! {})
        .limit(1)
        .await
        .map_err(|e| Error::database(context(), e))
}

fn check_conflicts(plan: &RestorePlan) -> Result<()> {
    if plan.drop {
        return Ok(());
    }
    let conflicts: Vec<String> = plan
        .replaced()
        .map(|t| match &t.existing {
            Some(e) if e.kind == "collection" => {
                format!("{} ({} documents)", t.namespace(), e.documents)
            }
            Some(e) => format!("{} (a {})", t.namespace(), e.kind),
            None => t.namespace(),
        })
        .collect();
    if conflicts.is_empty() {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "the restore would overwrite existing data in {}; pass --drop to replace it (each collection is swapped in only once fully restored); nothing was changed",
        conflicts.join(", ")
    )))
}

/// Runs a checked restore. The targets are looked up again first (data may have arrived
/// since the plan); then every collection is loaded into `rollbook_tmp_<name>` in its target
/// database, `parallel` at a time. Only when all loaded and counted right are they renamed
/// onto their live names, then views are created. Any failure before that drops the
/// temporary collections and leaves every live collection as it was.
pub async fn execute_restore(
    client: &Client,
    plan: &RestorePlan,
    progress: &dyn Progress,
) -> Result<RestoreReport> {
    let started = Instant::now();
    let spec = &plan.spec;
    let mut targets = plan.targets.clone();
    look_up_targets(client, &mut targets).await?;
    check_conflicts(&RestorePlan {
        targets: targets.clone(),
        ..plan.clone()
    })?;
    let collections: Vec<&RestoreTarget> =
        targets.iter().filter(|t| t.kind == "collection").collect();
    for target in &collections {
        drop_temp(client, target).await?;
    }

    let cancelled = AtomicBool::new(false);
    let loaded: Vec<Result<(usize, load::Loaded, u64)>> =
        futures_util::stream::iter(collections.iter().enumerate().map(|(index, target)| {
            let cancelled = &cancelled;
            async move {
                if cancelled.load(Ordering::Relaxed) {
                    return Err(super::cancelled());
                }
                let started = Instant::now();
                let namespace = target.namespace();
                progress.start(&namespace, Some(target.documents));
                let job = LoadJob {
                    client,
                    database: &target.database,
                    source: &target.source,
                    batch_size: spec.batch_size,
                    progress,
                    cancelled,
                };
                let result = load::load(&job).await;
                progress.finish(&namespace);
                match result {
                    Ok(loaded) => Ok((index, loaded, millis_since(started))),
                    Err(error) => {
                        cancelled.store(true, Ordering::Relaxed);
                        Err(error)
                    }
                }
            }
        }))
        .buffer_unordered(spec.parallel)
        .collect()
        .await;

    let mut done = Vec::new();
    let mut first_error = None;
    for result in loaded {
        match result {
            Ok(entry) => done.push(entry),
            Err(error) if super::is_cancelled(&error) => {}
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    if let Some(error) = first_error {
        let not_dropped = drop_temps(client, &collections).await;
        let mut prefix = "restore failed before anything was swapped in, so nothing was changed (the live collections were not touched".to_owned();
        if not_dropped.is_empty() {
            prefix.push_str("; the temporary copies were dropped)");
        } else {
            prefix.push_str(&format!(
                "; drop the leftover temporary copies {} by hand)",
                not_dropped.join(", ")
            ));
        }
        return Err(prefix_error(error, &prefix));
    }
    done.sort_by_key(|(index, _, _)| *index);

    let mut report = RestoreReport {
        from: plan.from.clone(),
        drop: plan.drop,
        databases: targets
            .iter()
            .map(|t| (t.source_database.clone(), t.database.clone()))
            .collect(),
        collections: Vec::new(),
        skipped: plan.skipped.clone(),
        documents: 0,
        bytes: 0,
        duration_ms: 0,
    };
    let mut swapped: Vec<String> = Vec::new();
    for (position, (index, loaded, duration_ms)) in done.iter().enumerate() {
        let target = collections[*index];
        if let Err(error) = swap_in(client, target, plan.drop).await {
            let rest: Vec<&RestoreTarget> = done[position..]
                .iter()
                .map(|(i, _, _)| collections[*i])
                .collect();
            let not_dropped = drop_temps(client, &rest).await;
            let untouched: Vec<String> = rest.iter().map(|t| t.namespace()).collect();
            let replaced = if swapped.is_empty() {
                "nothing was replaced".to_owned()
            } else {
                format!("already replaced: {}", swapped.join(", "))
            };
            let temps = if not_dropped.is_empty() {
                "their temporary copies were dropped".to_owned()
            } else {
                format!(
                    "drop the leftover temporary copies {} by hand",
                    not_dropped.join(", ")
                )
            };
            return Err(prefix_error(
                error,
                &format!(
                    "restore failed while swapping in the restored collections ({replaced}; not changed: {}; {temps})",
                    untouched.join(", ")
                ),
            ));
        }
        swapped.push(target.namespace());
        report.collections.push(RestoredCollection {
            source_database: target.source_database.clone(),
            database: target.database.clone(),
            collection: target.collection.clone(),
            kind: target.kind.clone(),
            documents: loaded.documents,
            bytes: loaded.bytes,
            indexes: loaded.indexes,
            replaced_documents: target.existing.as_ref().map(|e| e.documents),
            duration_ms: *duration_ms,
        });
    }
    for target in targets.iter().filter(|t| t.kind == "view") {
        let started = Instant::now();
        create_view(client, target).await.map_err(|error| {
            prefix_error(
                error,
                &format!(
                    "restore failed creating views after the collections were swapped in (replaced: {})",
                    swapped.join(", ")
                ),
            )
        })?;
        report.collections.push(RestoredCollection {
            source_database: target.source_database.clone(),
            database: target.database.clone(),
            collection: target.collection.clone(),
            kind: target.kind.clone(),
            documents: 0,
            bytes: 0,
            indexes: 0,
            replaced_documents: target.existing.as_ref().map(|e| e.documents),
            duration_ms: millis_since(started),
        });
    }
    report.documents = report.collections.iter().map(|c| c.documents).sum();
    report.bytes = report.collections.iter().map(|c| c.bytes).sum();
    report.duration_ms = millis_since(started);
    Ok(report)
}

/// Drops a target's temporary collection (missing is fine). A server briefly out of reach —
/// as it is right after the "shutting down" or "not primary" error that failed a load — is
/// waited for: a temporary copy left behind would change the live database.
async fn drop_temp(client: &Client, target: &RestoreTarget) -> Result<()> {
    let temp = temp_name(&target.collection);
    let handle = client
        .database(&target.database)
        .collection::<Document>(&temp);
    reachable::retry_while_out_of_reach(reachable::CLEANUP_FOR, || async {
        handle
            .drop()
            .await
            .map_err(|e| Error::database(format!("cannot drop {}.{temp}", target.database), e))
    })
    .await
}

/// Drops the temporary collections of `targets`; returns those that could not be dropped,
/// each with the reason. Work the server still runs on them (an insert the client gave up on)
/// is waited for first: once it is gone, nothing can bring a dropped copy back.
async fn drop_temps(client: &Client, targets: &[&RestoreTarget]) -> Vec<String> {
    let mut not_dropped = Vec::new();
    let namespaces: Vec<String> = targets
        .iter()
        .map(|t| format!("{}.{}", t.database, temp_name(&t.collection)))
        .collect();
    let idle = reachable::retry_while_out_of_reach(reachable::CLEANUP_FOR, || {
        server_work::wait_until_idle(client, &namespaces, reachable::CLEANUP_FOR)
    })
    .await;
    match idle {
        Ok(running) if running.is_empty() => {}
        Ok(running) => not_dropped.push(format!(
            "{} operations still running on the server after {} s: {}",
            running.len(),
            reachable::CLEANUP_FOR.as_secs(),
            running
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Err(e) => tracing::warn!("cannot check for server work on the temporary copies: {e}"),
    }
    for (target, namespace) in targets.iter().zip(&namespaces) {
        if let Err(e) = drop_temp(client, target).await {
            not_dropped.push(format!("{namespace} ({e})"));
        }
    }
    not_dropped
}

/// Renames a loaded temporary collection onto the live name. An existing view is dropped
/// first; an existing collection is replaced by the rename — without `drop` only when it is
/// (still) empty.
async fn swap_in(client: &Client, target: &RestoreTarget, replace: bool) -> Result<()> {
    let db = client.database(&target.database);
    let namespace = target.namespace();
    let drop_target = match &target.existing {
        None => false,
        Some(existing) if existing.kind != "collection" => {
            db.collection::<Document>(&target.collection)
                .drop()
                .await
                .map_err(|e| Error::database(format!("cannot drop the view {namespace}"), e))?;
            false
        }
        Some(_) if replace => true,
        Some(_) => {
            let documents = documents_in(&db, &target.collection).await?;
            if documents > 0 {
                return Err(Error::Usage(format!(
                    "{namespace} was empty when the restore started but now holds {documents} documents; pass --drop to replace it"
                )));
            }
            true
        }
    };
    let temp = format!("{}.{}", target.database, temp_name(&target.collection));
    client
        .database("admin")
        .run_command(doc! {"renameCollection": &temp, "to": &namespace, "dropTarget": drop_target})
        .await
        .map_err(|e| Error::database(format!("cannot rename {temp} to {namespace}"), e))?;
    Ok(())
}

/// Creates a view from its backed-up options, replacing what has its name.
async fn create_view(client: &Client, target: &RestoreTarget) -> Result<()> {
    let db = client.database(&target.database);
    let namespace = target.namespace();
    if target.existing.is_some() {
        db.collection::<Document>(&target.collection)
            .drop()
            .await
            .map_err(|e| Error::database(format!("cannot drop {namespace}"), e))?;
    }
    let mut create = doc! {"create": &target.collection};
    create.extend(target.source.options.clone());
    db.run_command(create)
        .await
        .map_err(|e| Error::database(format!("cannot create the view {namespace}"), e))?;
    Ok(())
}
