//! Renderers: tables for people (`human`), one JSON document per command (`json`).

pub mod human;
pub mod incident;
pub mod json;
pub mod plan_view;
pub mod run_report;
