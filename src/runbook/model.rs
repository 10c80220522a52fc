//! The runbook format: what a YAML runbook may say, as serde types.
//!
//! Every struct denies unknown keys so a typo is an error, not a silently ignored field.
//! Actions are written as single-key maps (`- unset: {collection: orders, ...}`); the JSON
//! Schema shipped in `runbook.schema.json` is generated from these types.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A MongoDB document written in YAML (a filter, an update, index keys, options).
///
/// String values may contain `{{param}}` placeholders; keys never do.
pub type DocumentValue = serde_json::Map<String, serde_json::Value>;

/// A whole runbook file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Runbook {
    /// Identifier; must equal the file name without `.yaml`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Longer description: when to use this runbook, when not to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Default target database (overridable with `--db`). May use `{{param}}`.
    pub database: String,
    /// When true, a failure undoes the completed actions of the run in reverse order.
    #[serde(default, skip_serializing_if = "is_false")]
    pub atomic: bool,
    /// The emergency rollback procedure, run by `rollbook rollback RUNBOOK --emergency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency: Option<Emergency>,
    /// Typed parameters the runbook accepts (`--param name=value`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Param>,
    /// Where the runbook's notifications go: approvals asked for and given, runs started and
    /// ended, and the messages of its `notify` actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<NotificationTarget>,
    /// Fields whose values a plan never shows (emails, phone numbers): in its samples, on the
    /// terminal, in JSON and in saved plan files they read `<redacted>`. A plain name (`email`)
    /// is that field at any depth; a dotted path (`profile.phone`) is exactly that field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redact: Vec<String>,
    /// The steps, in forward order.
    pub steps: Vec<Step>,
}

/// One place notifications go: a webhook (generic JSON or Slack-compatible) or a command.
/// A webhook's URL is read from an environment variable or a file when it is sent, never
/// written in the runbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationTarget {
    /// Name that `notify` actions and the output use.
    pub name: String,
    /// A webhook receiving rollbook's JSON event document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<WebhookUrl>,
    /// A Slack-compatible incoming webhook (`text` and `blocks`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slack: Option<WebhookUrl>,
    /// A command (program and arguments, no shell) receiving the JSON event document on its
    /// standard input, started from a clean environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// The events it receives (every one when omitted). `notify` actions reach it whatever
    /// this says.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<NotificationEvent>,
    /// Seconds one notification may take, retries included.
    #[serde(default = "default_notification_timeout")]
    pub timeout_secs: u64,
}

/// Where a webhook's URL is read from (exactly one of the two).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookUrl {
    /// Name of the environment variable holding the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_env: Option<String>,
    /// Path of a file holding the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_file: Option<String>,
}

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationEvent {
    /// A plan that needs approval was saved.
    ApprovalNeeded,
    /// A plan was approved.
    Approved,
    /// A plan's approvals were revoked.
    ApprovalRevoked,
    /// A run started (or resumed).
    RunStarted,
    /// A run ended well.
    RunFinished,
    /// A run failed.
    RunFailed,
    /// A run failed and its completed actions were undone (wholly or in part).
    RunCompensated,
    /// A run was interrupted.
    RunInterrupted,
    /// A `notify` action's message.
    Message,
}

impl NotificationEvent {
    /// Its name in the runbook and in payloads.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationEvent::ApprovalNeeded => "approval_needed",
            NotificationEvent::Approved => "approved",
            NotificationEvent::ApprovalRevoked => "approval_revoked",
            NotificationEvent::RunStarted => "run_started",
            NotificationEvent::RunFinished => "run_finished",
            NotificationEvent::RunFailed => "run_failed",
            NotificationEvent::RunCompensated => "run_compensated",
            NotificationEvent::RunInterrupted => "run_interrupted",
            NotificationEvent::Message => "message",
        }
    }
}

fn default_notification_timeout() -> u64 {
    5
}

/// The emergency rollback: which steps, rolled back in descending order, going on past failures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Emergency {
    /// Steps to roll back, in `--steps` syntax (e.g. `23-30`).
    pub steps: String,
    /// When to use it.
    pub description: String,
}

/// A declared parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Name used in `{{name}}` placeholders and `--param name=value`.
    pub name: String,
    /// Value type; names are additionally checked to be safe collection/database names.
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// Regular expression the whole (trimmed) value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Value used when the parameter is not given; without one the parameter is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Shortest allowed value, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<usize>,
    /// Longest allowed value, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// What the parameter means.
    pub description: String,
}

/// The type of a parameter value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    /// Free text (surrounding white space is trimmed).
    String,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// A filesystem path; `..` components are refused.
    Path,
    /// A name used inside collection or database names.
    Name,
    /// A comma-separated list of database names, or one glob pattern such as `tenant_*`.
    DatabaseList,
}

/// One step of a runbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Identifier, unique in the runbook (`19`, `backup`, ...). Numeric ids allow ranges.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// What the forward direction of this step added or changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    /// What rolling this step back does to users and the business.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub impact: Vec<String>,
    /// Warnings the operator must see before running it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Advice on whether to run it at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<String>,
    /// Data lost by the rollback direction when done by hand (rollbook snapshots it).
    pub data_loss: DataLoss,
    /// Whether the step can be re-applied after a rollback.
    pub reversibility: Reversibility,
    /// Time estimate, as the source procedure gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Present on sensitive steps: they run only under an approved saved plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
    /// Transaction mode for the step's database writes.
    #[serde(default, skip_serializing_if = "is_default")]
    pub transaction: TransactionMode,
    /// When true, a failure in this step undoes its completed actions in reverse order.
    #[serde(default, skip_serializing_if = "is_false")]
    pub atomic: bool,
    /// Checks that must hold before the forward actions run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preconditions: Vec<Check>,
    /// Actions that apply (or re-apply) the step, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forward: Vec<Action>,
    /// Actions that undo the step, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rollback: Vec<Action>,
    /// Set instead of `rollback` when the step must not be rolled back; the reason is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_unsupported: Option<String>,
    /// Checks run after each direction.
    #[serde(default, skip_serializing_if = "Verify::is_empty")]
    pub verify: Verify,
}

/// How much data a step's rollback destroys when done by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataLoss {
    /// `none` needs no typed confirmation; `partial` and `total` do.
    pub level: DataLossLevel,
    /// What exactly is lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Severity of data loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataLossLevel {
    /// Nothing of value is removed.
    None,
    /// Some data is removed (fields, links, audit data).
    Partial,
    /// Whole collections or databases are replaced or removed.
    Total,
}

/// Whether a step can be re-applied after a rollback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reversibility {
    /// `full`, `partial` or `none`.
    pub level: ReversibilityLevel,
    /// How to re-apply, or why it cannot be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Degree of reversibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReversibilityLevel {
    /// Forward restores everything.
    Full,
    /// Forward restores some of it.
    Partial,
    /// Cannot be re-applied.
    None,
}

/// The approval a sensitive step needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// What makes the step sensitive.
    pub category: ApprovalCategory,
    /// Who must approve and why.
    pub reason: String,
    /// Directions that need the approval (both when omitted).
    #[serde(
        default = "both_directions",
        skip_serializing_if = "is_both_directions"
    )]
    pub directions: Vec<Direction>,
}

/// Why a step is sensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalCategory {
    /// Revenue and invoicing.
    Billing,
    /// Access control and roles.
    Roles,
    /// Links between user and customer records (login).
    UserLinking,
    /// Anything else that needs a second person.
    Other,
}

/// A direction a runbook runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Apply the steps (ascending order).
    Forward,
    /// Undo the steps (descending order).
    Rollback,
}

impl Direction {
    /// The lower-case name used in output.
    #[must_use]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Direction::Forward => "forward",
            Direction::Rollback => "rollback",
        }
    }
}

/// Whether a step's writes run inside one MongoDB transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransactionMode {
    /// In a transaction when every action can be and the step is small enough.
    #[default]
    Auto,
    /// Always in a transaction; validation refuses actions that cannot be.
    Required,
    /// Never in a transaction (idempotent form, protected by snapshots).
    Never,
}

/// Checks run after each direction.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    /// Checks after the forward direction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forward: Vec<Check>,
    /// Checks after the rollback direction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rollback: Vec<Check>,
}

impl Verify {
    /// True when there are no checks at all.
    #[must_use]
    pub(crate) fn is_empty(&self) -> bool {
        self.forward.is_empty() && self.rollback.is_empty()
    }
}

/// Where an action or check works: a collection, optionally in another database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Collection name. May use `{{param}}`.
    pub collection: String,
    /// Database, when not the runbook's. May use `{{param}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
}

/// One action of a step. Each kind describes, dry-runs, executes, snapshots and compensates itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// `update_many` with `$unset` of fields (only documents that have one of them change).
    Unset(UnsetAction),
    /// `update_many` with `$set` of fields.
    Set(SetAction),
    /// `update_many` with a general update document (`$set`, `$unset`, `$inc`, ...).
    Update(UpdateAction),
    /// Delete the matching documents (each is snapshotted whole first).
    Delete(DeleteAction),
    /// Create an index.
    CreateIndex(CreateIndexAction),
    /// Drop an index by name (its full spec is snapshotted first).
    DropIndex(DropIndexAction),
    /// Create a collection.
    CreateCollection(CreateCollectionAction),
    /// Drop a collection (its documents and indexes are snapshotted first).
    DropCollection(Target),
    /// Rename a collection within its database.
    RenameCollection(RenameCollectionAction),
    /// Copy a collection's documents and indexes server-side.
    CopyCollection(CopyCollectionAction),
    /// Copy matching documents (optionally projected) into a backup collection server-side.
    BackupToCollection(BackupToCollectionAction),
    /// Put back what the opposite direction of this step snapshotted.
    RestoreSnapshot(RestoreSnapshotAction),
    /// Write databases or collections to a directory in mongodump's format.
    Dump(DumpAction),
    /// Restore databases or collections from a directory in mongodump's format.
    Restore(RestoreAction),
    /// Run a command; parameters reach it as `ROLLBOOK_PARAM_<NAME>` environment variables.
    Shell(ShellAction),
    /// Instructions the operator carries out and confirms as done.
    Manual(ManualAction),
    /// Items the operator ticks off, each confirmed.
    Checklist(ChecklistAction),
    /// A check used as an action (fails the step when it does not hold).
    Check(Check),
    /// Send a message to named notification targets; a failure to send is a warning.
    Notify(NotifyAction),
}

/// Fields of a `notify` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyAction {
    /// Names of the runbook's notification targets to send it to.
    pub to: Vec<String>,
    /// The message: `{{param}}` placeholders, and `{{run_id}}`, `{{runbook}}`, `{{step}}`,
    /// `{{database}}`, `{{server}}`, `{{operator}}` and `{{direction}}` for the run's facts.
    pub message: String,
}

/// Fields of an `unset` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnsetAction {
    /// Collection name. May use `{{param}}`.
    pub collection: String,
    /// Database, when not the runbook's. May use `{{param}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// MongoDB query filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<DocumentValue>,
    /// Explicitly target every document of the collection.
    #[serde(default, skip_serializing_if = "is_false")]
    pub all_documents: bool,
    /// Field paths to remove.
    pub fields: Vec<String>,
}

/// Fields of a `set` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAction {
    /// Collection name. May use `{{param}}`.
    pub collection: String,
    /// Database, when not the runbook's. May use `{{param}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// MongoDB query filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<DocumentValue>,
    /// Explicitly target every document of the collection.
    #[serde(default, skip_serializing_if = "is_false")]
    pub all_documents: bool,
    /// Field paths and their new values.
    pub values: DocumentValue,
}

/// Fields of an `update` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAction {
    /// Collection name. May use `{{param}}`.
    pub collection: String,
    /// Database, when not the runbook's. May use `{{param}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// MongoDB query filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<DocumentValue>,
    /// Explicitly target every document of the collection.
    #[serde(default, skip_serializing_if = "is_false")]
    pub all_documents: bool,
    /// Update operators (`{$set: …, $inc: …}`), or a pipeline of `$set`, `$addFields`,
    /// `$unset`, `$project`, `$replaceWith` and `$replaceRoot` stages whose values may be
    /// computed (`[{$set: {name: {$concat: […]}}}]`).
    pub update: UpdateSpec,
}

/// The change an `update` action makes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum UpdateSpec {
    /// An update document of update operators (values are stored as written).
    Operators(DocumentValue),
    /// An aggregation pipeline of `$set`, `$addFields`, `$unset`, `$project`, `$replaceWith`
    /// and `$replaceRoot` stages (values are computed per document).
    Pipeline(Vec<DocumentValue>),
}

impl UpdateSpec {
    /// Its documents: the update document, or each stage.
    #[must_use]
    pub fn documents(&self) -> Vec<&DocumentValue> {
        match self {
            UpdateSpec::Operators(operators) => vec![operators],
            UpdateSpec::Pipeline(stages) => stages.iter().collect(),
        }
    }
}

/// Fields of a `delete` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAction {
    /// Collection name. May use `{{param}}`.
    pub collection: String,
    /// Database, when not the runbook's. May use `{{param}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// MongoDB query filter: the documents to delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<DocumentValue>,
    /// Explicitly delete every document of the collection.
    #[serde(default, skip_serializing_if = "is_false")]
    pub all_documents: bool,
}

/// Fields of a `create_index` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIndexAction {
    /// Collection name. May use `{{param}}`.
    pub collection: String,
    /// Database, when not the runbook's. May use `{{param}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Index keys in order, e.g. `{customer_id: 1, delivery_date: -1}`.
    pub keys: DocumentValue,
    /// Index name (the server's default name when omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Other index options (`unique`, `partialFilterExpression`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<DocumentValue>,
}

/// Fields of a `drop_index` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DropIndexAction {
    /// Collection name. May use `{{param}}`.
    pub collection: String,
    /// Database, when not the runbook's. May use `{{param}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Index name.
    pub name: String,
}

/// Fields of a `create_collection` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCollectionAction {
    /// Collection name. May use `{{param}}`.
    pub collection: String,
    /// Database, when not the runbook's. May use `{{param}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Collection options (validator, capped, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<DocumentValue>,
    /// Copy options and validator from this collection of the same database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub like: Option<String>,
}

/// Fields of a `rename_collection` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameCollectionAction {
    /// Database (the runbook's when omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Current name.
    pub from: String,
    /// New name.
    pub to: String,
    /// Replace an existing collection named `to` (it is snapshotted first).
    #[serde(default, skip_serializing_if = "is_false")]
    pub drop_target: bool,
}

/// Fields of a `copy_collection` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyCollectionAction {
    /// Database (the runbook's when omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Source collection.
    pub from: String,
    /// Destination collection; must not hold documents yet.
    pub to: String,
    /// Copy the source's indexes too.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub indexes: bool,
}

/// Fields of a `backup_to_collection` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupToCollectionAction {
    /// Collection name. May use `{{param}}`.
    pub collection: String,
    /// Database, when not the runbook's. May use `{{param}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// MongoDB query filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<DocumentValue>,
    /// Explicitly target every document of the collection.
    #[serde(default, skip_serializing_if = "is_false")]
    pub all_documents: bool,
    /// Fields to keep (`_id` always kept); all fields when omitted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Backup collection name in the same database. An existing one (an earlier run's backup)
    /// is never replaced: the run then writes `<to>_<run id>` beside it.
    pub to: String,
}

/// Fields of a `restore_snapshot` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreSnapshotAction {
    /// Collection name. May use `{{param}}`.
    pub collection: String,
    /// Database, when not the runbook's. May use `{{param}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Field paths to put back; everything the snapshot holds when omitted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

/// Fields of a `dump` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DumpAction {
    /// Databases to dump: one name, a comma list or a glob (`tenant_*`). May use `{{param}}`.
    pub databases: String,
    /// Only these collections (all when omitted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collections: Vec<String>,
    /// Output directory; `<dir>/<db>/<collection>.bson` is written. May use `{{param}}` and `{{run_id}}`.
    pub out: String,
    /// Gzip every file, as `mongodump --gzip` does.
    #[serde(default, skip_serializing_if = "is_false")]
    pub gzip: bool,
}

/// Fields of a `restore` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreAction {
    /// Backup directory holding `<db>/<collection>.bson` files. May use `{{param}}`.
    pub from: String,
    /// Databases of the backup to restore: a name, comma list or glob. May use `{{param}}`.
    pub databases: String,
    /// Replace existing collections (each is swapped in only when fully restored).
    #[serde(default, skip_serializing_if = "is_false")]
    pub drop: bool,
    /// How many databases restore at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel: Option<u32>,
    /// Stop starting new databases after this many have failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_failures: Option<u32>,
}

/// Fields of a `shell` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShellAction {
    /// Command line run by `sh -c`; never has parameters substituted into it.
    pub run: String,
    /// Seconds before the command is killed.
    #[serde(default = "default_shell_timeout")]
    pub timeout_secs: u64,
    /// Run only when the operator opts in with `--with NAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_in: Option<String>,
    /// What the command does, for `show` and `plan`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Fields of a `manual` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManualAction {
    /// What the operator must do, step by step.
    pub instructions: String,
}

/// Fields of a `checklist` action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistAction {
    /// Heading shown above the items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The items; each is confirmed by the operator.
    pub items: Vec<String>,
}

/// A verification check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// Count documents matching a filter and compare with an expected value or bounds.
    Count(CountCheck),
    /// An index exists (or, with `present: false`, does not).
    IndexExists(IndexExistsCheck),
    /// A collection exists (or, with `present: false`, does not).
    CollectionExists(CollectionExistsCheck),
    /// Two collections hold the same number of (matching) documents.
    CountsEqual(CountsEqualCheck),
    /// Two collections hold identical documents (server-side hash) and index keys.
    ContentEqual(ContentEqualCheck),
    /// A mongodump-format backup is complete and readable; lists what it holds.
    BackupValid(BackupCheck),
    /// Live databases hold the backup's collections with its document counts and indexes.
    MatchesBackup(BackupCheck),
}

/// Fields of a `count` check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountCheck {
    /// Collection name. May use `{{param}}`.
    pub collection: String,
    /// Database, when not the runbook's. May use `{{param}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// MongoDB query filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<DocumentValue>,
    /// Explicitly target every document of the collection.
    #[serde(default, skip_serializing_if = "is_false")]
    pub all_documents: bool,
    /// Exact expected count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<u64>,
    /// Smallest acceptable count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u64>,
    /// Largest acceptable count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
    /// Error code reported when the check fails as a precondition (e.g. `DUPLICATE_ACTIVE_RECORD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// What the check means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Fields of an `index_exists` check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndexExistsCheck {
    /// Collection name. May use `{{param}}`.
    pub collection: String,
    /// Database, when not the runbook's. May use `{{param}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Index name.
    pub name: String,
    /// Expect the index to exist (`true`) or to be absent (`false`).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub present: bool,
}

/// Fields of a `collection_exists` check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionExistsCheck {
    /// Collection name. May use `{{param}}`.
    pub collection: String,
    /// Database, when not the runbook's. May use `{{param}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Expect the collection to exist (`true`) or to be absent (`false`).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub present: bool,
    /// Error code reported when the check fails as a precondition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

/// Fields of a `counts_equal` check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountsEqualCheck {
    /// First collection.
    pub left: CountSide,
    /// Second collection.
    pub right: CountSide,
}

/// One side of a `counts_equal` check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountSide {
    /// Collection name. May use `{{param}}`.
    pub collection: String,
    /// Database, when not the runbook's. May use `{{param}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Which documents (all when omitted; counting is not destructive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<DocumentValue>,
}

/// Fields of a `content_equal` check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentEqualCheck {
    /// Database (the runbook's when omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// First collection.
    pub left: String,
    /// Second collection.
    pub right: String,
}

/// Fields of the backup checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupCheck {
    /// Backup directory. May use `{{param}}` and `{{run_id}}`.
    pub path: String,
    /// Databases of the backup to check: a name, comma list or glob. May use `{{param}}`.
    pub databases: String,
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_true(value: &bool) -> bool {
    *value
}

fn yes() -> bool {
    true
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

fn default_shell_timeout() -> u64 {
    60
}

fn both_directions() -> Vec<Direction> {
    vec![Direction::Forward, Direction::Rollback]
}

fn is_both_directions(directions: &Vec<Direction>) -> bool {
    *directions == both_directions()
}
