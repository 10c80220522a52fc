//! Plans: which steps run, in which order, with which exact actions.

pub(crate) mod approval;
pub mod dry_run;
pub mod live_check;
pub(crate) mod redact;
pub(crate) mod resolve;
pub mod saved;

pub use crate::runbook::selection::{self, StepSelection};
pub use resolve::{resolve, PlanRequest, PlannedStep, RunPlan, SkippedStep};
