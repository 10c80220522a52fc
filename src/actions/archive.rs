//! `dump` and `restore` as runbook actions, and the backup checks. Tenants restore
//! concurrently (bounded), stop being started after too many failures, and a rerun of the run
//! resumes with the tenants not yet restored.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::stream::{self, StreamExt};
use mongodb::bson::{doc, Document};
use serde_json::json;

use super::check_result::CheckResult;
use super::tally::ArchiveTally;
use super::{indexes, ActionContext, ActionOutcome};
use crate::archive::{self, select, DumpSpec, RestoreSpec};
use crate::error::{Error, Result};
use crate::runbook::model::{BackupCheck, DumpAction, RestoreAction};
use crate::store::journal::ActionKey;

/// Databases a dump or restore never touches: the server's own, and rollbook's state.
fn protected(ctx: &ActionContext<'_>, name: &str) -> bool {
    matches!(name, "admin" | "config" | "local") || name == ctx.store.database().name()
}

/// Refuses a selector that names a protected database; a glob simply skips them.
fn check_selection(ctx: &ActionContext<'_>, selector: &str, selected: &[String]) -> Result<()> {
    for item in selector.split(',').map(str::trim) {
        if !select::is_glob(item) && protected(ctx, item) {
            return Err(Error::Usage(format!(
                "{item} is the server's own database or rollbook's state database and is never dumped or restored by a runbook; nothing was changed"
            )));
        }
    }
    if selected.is_empty() {
        return Err(Error::Usage(format!(
            "{selector:?} selects no database; nothing was changed"
        )));
    }
    Ok(())
}

fn key<'a>(ctx: &'a ActionContext<'a>) -> ActionKey<'a> {
    ActionKey {
        run_id: ctx.run_id,
        step: ctx.step,
        direction: ctx.direction.as_str(),
        index: ctx.index,
    }
}

/// `dump`: the selected live databases (names, comma list or glob) to a mongodump directory.
pub(crate) async fn dump(ctx: &ActionContext<'_>, action: &DumpAction) -> Result<ActionOutcome> {
    let live = ctx
        .client
        .list_database_names()
        .await
        .map_err(|e| Error::database("cannot list databases", e))?;
    let databases: Vec<String> = select::resolve(&action.databases, &live, "the server")?
        .into_iter()
        .filter(|name| !protected(ctx, name))
        .collect();
    check_selection(ctx, &action.databases, &databases)?;
    let spec = DumpSpec {
        databases: databases.clone(),
        collections: action.collections.clone(),
        out: PathBuf::from(&action.out),
        gzip: action.gzip,
        parallel: 4,
    };
    let tally = ArchiveTally::new(ctx, "dump", None);
    let report = archive::dump_with_progress(ctx.client, &spec, &tally).await?;
    let mut outcome = ActionOutcome::new("dump", None);
    outcome.affected = Some(report.documents);
    outcome.detail = Some(format!(
        "{} ({} collection(s), {} documents) → {}",
        databases.join(", "),
        report.collections.len(),
        report.documents,
        action.out
    ));
    Ok(outcome)
}

/// `restore`: every selected database of the backup, each swapped in only when complete.
pub(crate) async fn restore(
    ctx: &ActionContext<'_>,
    action: &RestoreAction,
) -> Result<ActionOutcome> {
    // The whole backup is read and checked before anything is touched.
    let contents = archive::inspect(Path::new(&action.from), &action.databases).await?;
    let tenants: Vec<String> = contents
        .databases
        .iter()
        .map(|d| d.name.clone())
        .filter(|name| !protected(ctx, name))
        .collect();
    check_selection(ctx, &action.databases, &tenants)?;
    let done = ctx.store.tenants_done(&key(ctx)).await?;
    let parallel = usize::try_from(action.parallel.unwrap_or(1))
        .unwrap_or(1)
        .max(1);
    let max_failures = usize::try_from(action.max_failures.unwrap_or(u32::MAX))
        .unwrap_or(usize::MAX)
        .max(1);
    let failures = AtomicUsize::new(0);
    let total: u64 = contents
        .databases
        .iter()
        .filter(|d| tenants.contains(&d.name) && !done.contains(&d.name))
        .flat_map(|d| d.collections.iter().map(|c| c.documents))
        .sum();
    let tally = ArchiveTally::new(ctx, "restore", Some(total));
    let results: Vec<(String, std::result::Result<u64, String>)> =
        stream::iter(tenants.iter().filter(|t| !done.contains(t)))
            .map(|tenant| {
                let (failures, tally) = (&failures, &tally);
                async move {
                    if failures.load(Ordering::SeqCst) >= max_failures {
                        return (
                            tenant.clone(),
                            Err("not started: the failure limit was reached".to_owned()),
                        );
                    }
                    let spec = RestoreSpec {
                        databases: tenant.clone(),
                        drop: action.drop,
                        parallel: 2,
                        ..RestoreSpec::new(&action.from)
                    };
                    match archive::restore_with_progress(ctx.client, &spec, tally).await {
                        Ok(report) => {
                            if let Err(e) = ctx
                                .store
                                .tenant_done(&key(ctx), tenant, report.documents)
                                .await
                            {
                                tracing::warn!("cannot journal the restore of {tenant}: {e}");
                            }
                            (tenant.clone(), Ok(report.documents))
                        }
                        Err(error) => {
                            failures.fetch_add(1, Ordering::SeqCst);
                            (
                                tenant.clone(),
                                Err(crate::error::ErrorReport::of(&error).message),
                            )
                        }
                    }
                }
            })
            .buffer_unordered(parallel)
            .collect()
            .await;
    let restored: Vec<&str> = results
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(t, _)| t.as_str())
        .collect();
    let failed: Vec<String> = results
        .iter()
        .filter_map(|(t, r)| r.as_ref().err().map(|e| format!("{t}: {e}")))
        .collect();
    if !failed.is_empty() {
        return Err(Error::ActionFailed(format!(
            "restored {}; not restored: {}; the other databases are unchanged — rerun the same command to resume with the rest",
            if restored.is_empty() && done.is_empty() { "none".to_owned() } else { [done.clone(), restored.iter().map(|s| (*s).to_owned()).collect()].concat().join(", ") },
            failed.join("; ")
        )));
    }
    let documents: u64 = results.iter().filter_map(|(_, r)| r.as_ref().ok()).sum();
    let mut outcome = ActionOutcome::new("restore", None);
    outcome.affected = Some(documents);
    outcome.modified = Some(documents);
    outcome.detail = Some(format!(
        "restored {} database(s) from {}{}",
        tenants.len(),
        action.from,
        if done.is_empty() {
            String::new()
        } else {
            format!(" ({} already restored before an interruption)", done.len())
        }
    ));
    Ok(outcome)
}

/// `backup_valid`: the backup is complete and readable; says what it holds.
pub(crate) async fn backup_valid(check: &BackupCheck) -> CheckResult {
    let (ok, actual) = match archive::inspect(Path::new(&check.path), &check.databases).await {
        Ok(contents) => {
            let held: Vec<String> = contents
                .collections()
                .map(|(db, c)| format!("{}.{} ({} documents)", db.name, c.name, c.documents))
                .collect();
            (
                true,
                json!({"databases": contents.databases.len(), "collections": held}),
            )
        }
        Err(error) => (false, json!(crate::error::ErrorReport::of(&error).message)),
    };
    result(
        "backup_valid",
        &check.path,
        json!("complete and readable"),
        actual,
        ok,
    )
}

/// `matches_backup`: each live collection of the selected databases has the backup's document
/// count and index keys.
pub(crate) async fn matches_backup(
    ctx: &ActionContext<'_>,
    check: &BackupCheck,
) -> Result<CheckResult> {
    let contents = match archive::inspect(Path::new(&check.path), &check.databases).await {
        Ok(contents) => contents,
        Err(error) => {
            let message = crate::error::ErrorReport::of(&error).message;
            return Ok(result(
                "matches_backup",
                &check.path,
                json!("a readable backup"),
                json!(message),
                false,
            ));
        }
    };
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for (db, collection) in contents
        .collections()
        .filter(|(db, c)| c.kind == "collection" && !protected(ctx, &db.name))
    {
        compared += 1;
        let live = ctx.client.database(&db.name);
        let count = live
            .collection::<Document>(&collection.name)
            .count_documents(doc! {})
            .await
            .map_err(|e| {
                Error::database(format!("cannot count {}.{}", db.name, collection.name), e)
            })?;
        if count != collection.documents {
            mismatches.push(format!(
                "{}.{}: {count} documents, the backup has {}",
                db.name, collection.name, collection.documents
            ));
        }
        let live_indexes = indexes::names_and_keys(&indexes::specs(&live, &collection.name).await?);
        if live_indexes != indexes::names_and_keys(&collection.indexes) {
            mismatches.push(format!(
                "{}.{}: indexes differ from the backup",
                db.name, collection.name
            ));
        }
    }
    let ok = mismatches.is_empty();
    Ok(result(
        "matches_backup",
        &check.databases,
        json!({"collections": compared, "counts and indexes": "as in the backup"}),
        if ok {
            json!({"collections": compared, "counts and indexes": "as in the backup"})
        } else {
            json!(mismatches)
        },
        ok,
    ))
}

fn result(
    kind: &str,
    target: &str,
    expected: serde_json::Value,
    actual: serde_json::Value,
    ok: bool,
) -> CheckResult {
    CheckResult {
        kind: kind.to_owned(),
        collection: Some(target.to_owned()),
        expected,
        actual,
        ok,
        error_code: None,
        description: None,
        filter: None,
    }
}
