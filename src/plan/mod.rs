//! Plans: which steps run, in which order, with which exact actions.

pub mod dry_run;
pub mod resolve;
pub mod saved;
pub mod selection;

pub use resolve::{resolve, PlanRequest, PlannedStep, RunPlan, SkippedStep};
pub use selection::StepSelection;
