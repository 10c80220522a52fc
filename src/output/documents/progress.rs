//! A progress line on stderr under `--log-format json`: what runs, for how long, and how far it
//! is when it says.

use serde::Serialize;

/// One progress line.
#[derive(Debug, Serialize)]
pub(crate) struct ProgressLine<'a> {
    /// Always `INFO`, as the log lines say it.
    pub(crate) level: &'static str,
    /// Always `progress`.
    pub(crate) event: &'static str,
    /// The step.
    pub(crate) step: &'a str,
    /// The action (`unset orders`) or `the step's transaction`.
    pub(crate) action: &'a str,
    /// `started` or `running`.
    pub(crate) state: &'a str,
    /// Seconds since it started.
    pub(crate) elapsed_s: u64,
    /// What it does now, when it says how far it is (`snapshot`, `copy`, `delete`, `dump`,
    /// `restore`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) phase: Option<&'a str>,
    /// Documents done in that phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) done: Option<u64>,
    /// Documents in all, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) total: Option<u64>,
    /// Documents per second in that phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) per_sec: Option<u64>,
    /// Seconds left at that rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) eta_s: Option<u64>,
}
