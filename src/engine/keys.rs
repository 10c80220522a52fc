//! Small shared pieces of the step runners: the key a step's state is stored under, the short
//! description of an action's target for the journal, and elapsed milliseconds.

use std::time::Instant;

use crate::plan::RunPlan;
use crate::runbook::model::Action;
use crate::store::step_state::StepKey;

pub(super) fn step_key<'a>(plan: &'a RunPlan, step: &'a str) -> StepKey<'a> {
    StepKey {
        runbook: &plan.runbook_id,
        database: &plan.database,
        step,
    }
}

pub(super) fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// A short description of what an action acts on, for the journal.
pub(super) fn target_of(action: &Action) -> String {
    action
        .names()
        .iter()
        .map(|n| n.text)
        .collect::<Vec<_>>()
        .join(" ")
}
