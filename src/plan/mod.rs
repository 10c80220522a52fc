//! Plans: which steps run, in which order, with which exact actions.

pub mod approval;
pub mod dry_run;
pub mod resolve;
pub mod saved;

pub use crate::runbook::selection::{self, StepSelection};
pub use resolve::{resolve, PlanRequest, PlannedStep, RunPlan, SkippedStep};
