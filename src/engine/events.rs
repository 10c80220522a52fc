//! Events the engine emits while it runs; renderers draw them. The engine never prints.

use super::report::StepReport;
use crate::actions::ActionOutcome;

/// Something that happened during a run.
#[derive(Debug, Clone)]
pub enum RunEvent {
    /// The run started (or resumed).
    Started {
        /// Run id.
        run_id: String,
        /// True when resuming an interrupted run.
        resumed: bool,
    },
    /// A step started.
    StepStarted {
        /// Step id.
        id: String,
        /// Title.
        title: String,
        /// Whether it runs in a transaction.
        transaction: bool,
    },
    /// An action started outside a transaction (a step's transaction is one `StepStarted`).
    ActionStarted {
        /// Step id.
        step: String,
        /// Action kind.
        kind: String,
        /// What it works on (collection, index, database names).
        target: String,
    },
    /// An action finished.
    ActionFinished {
        /// Step id.
        step: String,
        /// What it did.
        outcome: ActionOutcome,
    },
    /// A step finished.
    StepFinished(StepReport),
    /// Something the operator should know.
    Warning(String),
}

/// Receives events.
pub trait EventSink: Send + Sync {
    /// Handles one event.
    fn emit(&self, event: RunEvent);
}

/// Drops every event.
pub struct Silent;

impl EventSink for Silent {
    fn emit(&self, _event: RunEvent) {}
}
