//! One module per action kind: each knows how to execute itself against MongoDB, and the
//! destructive ones how to snapshot what they destroy. Everything runs on the server.

pub(crate) mod archive;
pub(crate) mod check_result;
pub(crate) mod checks;
pub(crate) mod collections;
pub(crate) mod delete;
pub mod documents;
pub(crate) mod indexes;
pub(crate) mod notify;
pub mod operator;
pub(crate) mod restore_snapshot;
pub(crate) mod shell;
pub(crate) mod snapshot;
pub(crate) mod tally;
pub(crate) mod undo;

use std::collections::BTreeMap;
use std::sync::Arc;

use mongodb::bson::{Bson, Document};
use mongodb::{Client, ClientSession, Database};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::runbook::model::{Action, Direction, DocumentValue};
pub(crate) use crate::store::journal::ActionStatus;
use crate::store::Store;

pub(crate) use operator::{Confirmer, ManualAnswer};

/// Settings shared by every action of a run.
pub struct RunEnv {
    /// Parameter values.
    pub params: BTreeMap<String, String>,
    /// Names given with `--with` (opt-in shell actions).
    pub opt_ins: Vec<String>,
    /// Asks the operator about manual actions and checklists.
    pub confirmer: Arc<dyn Confirmer>,
    /// Steps whose manual actions and checklists the operator acknowledged with `--ack`.
    pub acknowledged: Vec<String>,
    /// What `restore_snapshot` does with documents changed since the rollback.
    pub on_conflict: OnConflict,
    /// Where `notify` actions send their messages.
    pub notifier: Arc<crate::notify::Notifier>,
}

impl RunEnv {
    /// The settings of something that only reads (a plan, a check): no operator to ask.
    #[must_use]
    pub fn read_only(params: BTreeMap<String, String>) -> Self {
        RunEnv {
            params,
            opt_ins: Vec::new(),
            confirmer: Arc::new(operator::NoOperator),
            acknowledged: Vec::new(),
            on_conflict: OnConflict::Fail,
            notifier: Arc::new(crate::notify::Notifier::none()),
        }
    }
}

/// `--on-conflict`: what `restore_snapshot` does with a document changed or deleted since the
/// rollback that snapshotted it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OnConflict {
    /// Refuse before writing anything (exit 11), naming how many and where.
    #[default]
    Fail,
    /// Restore the others; leave changed documents as they are now.
    Skip,
    /// Restore every snapshotted value, over changes made since.
    Overwrite,
}

/// Where an action runs.
pub(crate) struct ActionContext<'a> {
    /// The client.
    pub client: &'a Client,
    /// State database.
    pub store: &'a Store,
    /// The run's target database (actions may name another).
    pub database: &'a str,
    /// Run id.
    pub run_id: &'a str,
    /// Runbook id.
    pub runbook: &'a str,
    /// Step id.
    pub step: &'a str,
    /// Direction being run.
    pub direction: Direction,
    /// Position of the action in its step.
    pub index: usize,
    /// Shared settings.
    pub env: &'a RunEnv,
    /// Documents in the snapshot this action just took (not one reused from an earlier attempt).
    pub fresh_snapshot_documents: Option<u64>,
    /// True when an earlier attempt of this action in this run was killed in the middle of it
    /// (it may have left partial effects behind).
    pub cut_short: bool,
    /// True when an earlier attempt of this action in this run started it (it may have done
    /// part of its work already).
    pub retried: bool,
    /// The step's actions in the other direction, resolved: what destroyed the data a
    /// `restore_snapshot` puts back.
    pub opposite: &'a [Action],
    /// Where a long action says how far it is.
    pub tally: &'a dyn tally::Tally,
}

impl ActionContext<'_> {
    /// The database named by an action, or the run's target.
    #[must_use]
    pub(crate) fn db(&self, name: Option<&str>) -> Database {
        self.client.database(name.unwrap_or(self.database))
    }

    /// The comment every long command of this attempt carries, naming the target database,
    /// the run and the attempt: an attempt that takes the lock over finds (and stops) the
    /// server work of the attempts before it by it.
    #[must_use]
    pub(crate) fn comment(&self) -> Bson {
        let attempt = self
            .store
            .lease()
            .map_or(0, crate::store::lock::Lease::generation);
        Bson::String(crate::server_work::comment(
            self.database,
            self.run_id,
            attempt,
        ))
    }

    /// Says that this action has done `done` documents in `phase`, of `total` when known.
    pub(crate) fn tally(&self, phase: &'static str, done: u64, total: Option<u64>) {
        self.tally.tally(self.step, self.index, phase, done, total);
    }

    /// Says that this action is now in `phase`, which the server does without a count.
    pub(crate) fn phase(&self, phase: &'static str) {
        self.tally.tally(self.step, self.index, phase, 0, None);
    }

    /// The state-database collection that holds the snapshot `id` this attempt takes: named
    /// per attempt, so an attempt never writes into (or drops) storage another one created.
    #[must_use]
    pub(crate) fn storage_name(&self, id: &str) -> String {
        let storage = crate::store::snapshots::storage_name(id);
        match self.store.lease() {
            Some(lease) => format!("{storage}.a{}", lease.generation()),
            None => storage,
        }
    }

    /// The registry id of the snapshot this action takes.
    #[must_use]
    pub(crate) fn snapshot_id(&self) -> String {
        crate::store::snapshots::snapshot_id(
            self.run_id,
            self.step,
            self.direction.as_str(),
            self.index,
        )
    }
}

/// What an action did, as reported in output and the journal.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ActionOutcome {
    /// Action kind.
    pub kind: String,
    /// Database acted on, when not the run's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Collection acted on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
    /// How it ended.
    pub status: ActionStatus,
    /// Documents that would change (counted just before the change).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affected: Option<u64>,
    /// Documents that changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<u64>,
    /// Milliseconds it took.
    pub duration_ms: u64,
    /// Snapshot taken before it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// Anything else worth saying (skipped because, output of a command, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The collection a `backup_to_collection` wrote (or reused): its `to`, or a run-suffixed
    /// name when `to` already held an earlier backup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<String>,
    /// `restore_snapshot`: documents changed or deleted since the rollback (left as they are
    /// unless `--on-conflict overwrite`; a deleted one cannot be written back).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<u64>,
    /// What the operator should know although the action did its work (a notification that
    /// could not be sent): also a warning of the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl ActionOutcome {
    /// An outcome with a kind and target, status `ok`.
    #[must_use]
    pub(crate) fn new(kind: &str, collection: Option<&str>) -> Self {
        ActionOutcome {
            kind: kind.to_owned(),
            collection: collection.map(str::to_owned),
            status: ActionStatus::Ok,
            ..ActionOutcome::default()
        }
    }

    /// The outcome as a BSON document for the journal.
    #[must_use]
    pub(crate) fn to_document(&self) -> Document {
        mongodb::bson::to_document(self).unwrap_or_default()
    }
}

/// Converts a runbook document (YAML/JSON, Extended JSON allowed) to BSON.
pub fn to_bson(value: &DocumentValue) -> Result<Document> {
    match Bson::try_from(serde_json::Value::Object(value.clone())) {
        Ok(Bson::Document(document)) => Ok(document),
        Ok(other) => Err(Error::Usage(format!("expected a document, got {other}"))),
        Err(e) => Err(Error::Usage(format!(
            "invalid Extended JSON in runbook document: {e}"
        ))),
    }
}

/// Runs `command` on `db`, inside `session`'s transaction when there is one.
pub(crate) async fn run_command(
    db: &Database,
    command: Document,
    session: Option<&mut ClientSession>,
) -> mongodb::error::Result<Document> {
    match session {
        Some(session) => db.run_command(command).session(session).await,
        None => db.run_command(command).await,
    }
}

/// Executes one resolved action (its snapshot, if any, is already taken).
pub(crate) async fn execute(
    ctx: &ActionContext<'_>,
    action: &Action,
    session: Option<&mut ClientSession>,
) -> Result<ActionOutcome> {
    ctx.store.ensure_lease().await?;
    match action {
        Action::Unset(_) | Action::Set(_) | Action::Update(_) => {
            let write = documents::DocumentWrite::of(action, ctx.database)?
                .ok_or_else(|| Error::Usage("not a document write".into()))?;
            documents::execute(ctx, &write, session).await
        }
        Action::Delete(a) => {
            let snapshot = ctx
                .store
                .snapshot(&ctx.snapshot_id())
                .await?
                .ok_or_else(|| {
                    Error::ActionFailed(format!(
                        "the snapshot of {} is not registered, so nothing was deleted",
                        a.collection
                    ))
                })?;
            delete::execute(ctx, a, &snapshot).await
        }
        Action::CreateIndex(a) => indexes::create(ctx, a, session).await,
        Action::DropIndex(a) => indexes::drop(ctx, a).await,
        Action::CreateCollection(a) => collections::create(ctx, a).await,
        Action::DropCollection(t) => collections::drop(ctx, t).await,
        Action::RenameCollection(a) => collections::rename(ctx, a).await,
        Action::CopyCollection(a) => collections::copy(ctx, a).await,
        Action::BackupToCollection(a) => collections::backup(ctx, a).await,
        Action::RestoreSnapshot(a) => restore_snapshot::run(ctx, a).await,
        Action::Shell(a) => shell::run(ctx, a).await,
        Action::Notify(a) => notify::run(ctx, a).await,
        Action::Manual(_) | Action::Checklist(_) => operator::run(ctx, action),
        Action::Check(check) => {
            let result = checks::run(ctx, check, session).await?;
            let mut outcome = ActionOutcome::new("check", result.collection.as_deref());
            outcome.detail = Some(result.describe());
            if !result.ok {
                return Err(checks::failure(&result));
            }
            Ok(outcome)
        }
        Action::Dump(a) => archive::dump(ctx, a).await,
        Action::Restore(a) => archive::restore(ctx, a).await,
    }
}
