//! Renderers: tables for people (`human`), one JSON document per command (`json`, the
//! envelope; `documents`, each command's typed body).

pub(crate) mod approval_view;
pub(crate) mod documents;
pub mod human;
pub(crate) mod incident;
pub mod json;
pub(crate) mod plan_view;
pub(crate) mod run_report;
