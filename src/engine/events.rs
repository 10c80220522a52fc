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
    /// How far a running action is.
    ActionProgress {
        /// Step id.
        step: String,
        /// What it does now (`snapshot`, `conflict check`, `copy`, `delete`, `dump`, `restore`).
        phase: String,
        /// Documents done so far.
        done: u64,
        /// Documents in all, when known (from the action or the plan the operator saw).
        total: Option<u64>,
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

/// A running action's count becomes an [`RunEvent::ActionProgress`]; its total, when the action
/// does not know it, is the plan's count for that action.
impl crate::actions::tally::Tally for super::Engine<'_> {
    fn tally(&self, step: &str, index: usize, phase: &'static str, done: u64, total: Option<u64>) {
        let expected = || {
            self.options
                .expected
                .get(step)
                .and_then(|counts| counts.get(index).copied().flatten())
        };
        // No documents and no total is a phase the server does without a count: it stays one.
        let total = if done == 0 && total.is_none() {
            None
        } else {
            total.or_else(expected)
        };
        self.events.emit(RunEvent::ActionProgress {
            step: step.to_owned(),
            phase: phase.to_owned(),
            done,
            total,
        });
    }
}
