//! A progress line on stderr under `--log-format json`: what runs and for how long.

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
}
