//! The document of `report`: an incident-style report of one run.

use serde::Serialize;

use crate::engine::RunReport;

/// `report`: the run's recorded report and the Markdown made of it.
#[derive(Debug, Serialize)]
pub(crate) struct ReportDocument<'a> {
    /// Run id.
    pub(crate) run_id: &'a str,
    /// The run's report as recorded; null when the run recorded none (or it is unreadable).
    pub(crate) run: Option<&'a RunReport>,
    /// The incident report in Markdown.
    pub(crate) markdown: &'a str,
}
