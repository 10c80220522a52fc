//! Renderers: tables for people (`human`), one JSON document per command (`json`, the
//! envelope; `documents`, each command's typed body).

pub(crate) mod documents;
pub mod human;
pub mod incident;
pub mod json;
pub mod plan_view;
pub mod run_report;
