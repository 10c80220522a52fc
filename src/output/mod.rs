//! Renderers: tables for people (`human`), one JSON document per command (`json`).

pub mod human;
pub mod json;
pub mod run_report;
