//! `rollbook snapshots list|prune`: the snapshots a state database holds, and removing old ones.
//! A snapshot not put back is the only way back to the data it saved: prune keeps it unless
//! `--force`, and never touches a database whose lock a run holds now.

use std::io::IsTerminal;

use mongodb::bson::{doc, DateTime};

use super::args::{GlobalArgs, OutputFormat, SnapshotsCommand};
use super::connect;
use crate::error::{Error, Result};
use crate::output::documents::snapshots::{
    PruneDocument, SnapshotEntry, SnapshotsDocument, StorageEntry,
};
use crate::output::human;
use crate::output::json::Document;
use crate::store::audit::AuditEvent;
use crate::store::lock;
use crate::store::runs::RunStatus;
use crate::store::snapshot_registry::{run_started_ms, storage_run_id};
use crate::store::snapshots::{Snapshot, SnapshotKind};
use crate::store::Store;

/// Runs a `snapshots` command.
pub(crate) async fn run(global: &GlobalArgs, command: &SnapshotsCommand) -> Result<()> {
    let connect::Connection { client, server } = connect::connect(global).await?;
    let store = connect::store(&client, global).await?;
    match command {
        SnapshotsCommand::List { runbook } => list(global, &store, runbook.as_deref()).await,
        SnapshotsCommand::Prune {
            older_than,
            force,
            runbook,
        } => {
            let prune = Prune {
                older_than_ms: *older_than,
                force: *force,
                runbook: runbook.as_deref(),
            };
            prune
                .run(global, &client, &store, &server.to_string())
                .await
        }
    }
}

fn kind_name(kind: SnapshotKind) -> &'static str {
    match kind {
        SnapshotKind::Fields => "fields",
        SnapshotKind::Index => "index",
        SnapshotKind::Collection => "collection",
        SnapshotKind::Documents => "documents",
        SnapshotKind::Replaced => "replaced",
    }
}

fn entry(snapshot: &Snapshot) -> SnapshotEntry<'_> {
    SnapshotEntry {
        id: &snapshot.id,
        run_id: &snapshot.run_id,
        runbook: &snapshot.runbook,
        step: &snapshot.step,
        direction: &snapshot.direction,
        kind: kind_name(snapshot.kind),
        namespace: format!("{}.{}", snapshot.database, snapshot.collection),
        documents: snapshot.documents,
        created_at: snapshot
            .created_at
            .try_to_rfc3339_string()
            .unwrap_or_default(),
        restored_by: snapshot.restored_by.as_deref(),
        storage: snapshot.storage.as_deref(),
    }
}

async fn list(global: &GlobalArgs, store: &Store, runbook: Option<&str>) -> Result<()> {
    let snapshots = store.registered_snapshots(runbook).await?;
    let unregistered: Vec<StorageEntry> = store
        .unregistered_storage()
        .await?
        .into_iter()
        .map(|(storage, entries)| StorageEntry {
            run_id: storage_run_id(&storage).map(str::to_owned),
            storage,
            entries,
        })
        .collect();
    let entries: Vec<SnapshotEntry<'_>> = snapshots.iter().map(entry).collect();
    match global.output {
        OutputFormat::Json => Document::ok(
            "snapshots",
            SnapshotsDocument {
                snapshots: entries,
                unregistered,
            },
        )
        .print(),
        OutputFormat::Human => {
            if entries.is_empty() {
                println!("no snapshots in the state database {}", global.state_db);
            } else {
                let mut grid = human::grid(&["snapshot", "of", "taken", "put back"]);
                for e in &entries {
                    grid.add_row([
                        format!("{} step {} {}", e.runbook, e.step, e.direction),
                        format!("{} ({}, {} documents)", e.namespace, e.kind, e.documents),
                        human::time(&e.created_at),
                        e.restored_by
                            .map_or_else(|| "no".to_owned(), |run| format!("by {run}")),
                    ]);
                }
                println!("{grid}");
            }
            for storage in &unregistered {
                println!(
                    "{}",
                    human::paragraph(&format!(
                        "unregistered storage {} ({} entries): left by an attempt of run {} that stopped before registering it",
                        storage.storage,
                        storage.entries,
                        storage.run_id.as_deref().unwrap_or("?")
                    ))
                );
            }
        }
    }
    Ok(())
}

/// What `snapshots prune` removes.
struct Prune<'a> {
    older_than_ms: i64,
    force: bool,
    runbook: Option<&'a str>,
}

impl Prune<'_> {
    async fn run(
        &self,
        global: &GlobalArgs,
        client: &mongodb::Client,
        store: &Store,
        server: &str,
    ) -> Result<()> {
        let cutoff = DateTime::now().timestamp_millis() - self.older_than_ms;
        let mut outcome = PruneDocument {
            removed: Vec::new(),
            storage_dropped: Vec::new(),
            kept_unrestored: Vec::new(),
            kept_locked: Vec::new(),
        };
        let mut chosen: Vec<Snapshot> = Vec::new();
        for snapshot in store.registered_snapshots(self.runbook).await? {
            if snapshot.created_at.timestamp_millis() >= cutoff {
                continue;
            }
            let locked = lock::holder(client, &snapshot.database)
                .await?
                .is_some_and(|holder| lock::is_live(&holder));
            if locked {
                outcome.kept_locked.push(snapshot.id.clone());
            } else if snapshot.restored_by.is_none() && !self.force {
                outcome.kept_unrestored.push(snapshot.id.clone());
            } else {
                chosen.push(snapshot);
            }
        }
        // Unregistered storage of runs that ended (or whose process is gone), old enough.
        let mut storage: Vec<String> = Vec::new();
        if self.runbook.is_none() {
            for (name, _) in store.unregistered_storage().await? {
                let Some(run_id) = storage_run_id(&name) else {
                    continue;
                };
                if run_started_ms(run_id).is_none_or(|started| started >= cutoff) {
                    continue;
                }
                let running = store.run(run_id).await?.is_some_and(|run| {
                    run.status == RunStatus::Running && !run.is_dead(DateTime::now())
                });
                if !running {
                    storage.push(name);
                }
            }
        }
        if chosen.is_empty() && storage.is_empty() {
            return self.report(global, &outcome, "nothing to prune");
        }
        let unrestored = chosen.iter().filter(|s| s.restored_by.is_none()).count();
        if !global.yes {
            if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
                return Err(Error::NotConfirmed(format!(
                    "pruning {} snapshot(s) and {} unregistered storage collection(s) needs confirmation: pass --yes; nothing was removed",
                    chosen.len(),
                    storage.len()
                )));
            }
            let warning = if unrestored > 0 {
                format!(" {unrestored} of them were never put back: what they saved is then gone for good.")
            } else {
                String::new()
            };
            let question = format!(
                "Remove {} snapshot(s) and {} unregistered storage collection(s) from the state database {} on {server}?{warning}",
                chosen.len(),
                storage.len(),
                global.state_db
            );
            if super::prompt::yes_no(&question) != super::prompt::Answer::Yes {
                return Err(Error::NotConfirmed("declined; nothing was removed".into()));
            }
        }
        super::contexts::confirm_protected(
            global,
            &format!(
                "Pruning removes {} snapshot(s) from the state database {}.",
                chosen.len(),
                global.state_db
            ),
        )?;
        for snapshot in &chosen {
            store.remove_snapshot(snapshot).await?;
            outcome.removed.push(snapshot.id.clone());
        }
        for name in &storage {
            store.drop_storage(name).await?;
            outcome.storage_dropped.push(name.clone());
        }
        let operator = connect::operator(global);
        store
            .audit(
                &AuditEvent {
                    run_id: None,
                    runbook: self.runbook.unwrap_or(""),
                    database: "",
                    operator: &operator,
                    event: "snapshots_pruned",
                    step: None,
                    details: doc! {
                        "removed": &outcome.removed,
                        "storage_dropped": &outcome.storage_dropped,
                        "unrestored_removed": i64::try_from(unrestored).unwrap_or(i64::MAX),
                        "older_than_ms": self.older_than_ms,
                    },
                },
                None,
            )
            .await?;
        let text = format!(
            "removed {} snapshot(s) ({unrestored} never put back) and {} unregistered storage collection(s)",
            outcome.removed.len(),
            outcome.storage_dropped.len()
        );
        self.report(global, &outcome, &text)
    }

    fn report(&self, global: &GlobalArgs, outcome: &PruneDocument, text: &str) -> Result<()> {
        match global.output {
            OutputFormat::Json => Document::ok("snapshots prune", outcome).print(),
            OutputFormat::Human => {
                println!("{text}");
                if !outcome.kept_unrestored.is_empty() {
                    println!(
                        "{}",
                        human::paragraph(&format!(
                            "kept {} snapshot(s) never put back (--force removes them): {}",
                            outcome.kept_unrestored.len(),
                            outcome.kept_unrestored.join(", ")
                        ))
                    );
                }
                if !outcome.kept_locked.is_empty() {
                    println!(
                        "{}",
                        human::paragraph(&format!(
                            "kept {} snapshot(s) of databases a run holds the lock of now",
                            outcome.kept_locked.len()
                        ))
                    );
                }
            }
        }
        Ok(())
    }
}
