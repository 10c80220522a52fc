//! `rollbook report RUN_ID`: an incident-style Markdown report of a run.

use mongodb::bson::{self, Document};

use super::args::{GlobalArgs, OutputFormat};
use super::connect;
use crate::engine::RunReport;
use crate::error::{Error, Result};
use crate::output::documents::report::ReportDocument;
use crate::output::incident;
use crate::output::json;

/// Prints the report of run `run_id`, or (`None`: `--last`) of the newest apply or rollback,
/// of `runbook` when given.
pub(crate) async fn run(
    global: &GlobalArgs,
    run_id: Option<&str>,
    runbook: Option<&str>,
) -> Result<()> {
    let client = connect::client(global).await?;
    let store = connect::store(&client, global).await?;
    let last;
    let run_id = match run_id {
        Some(id) => id,
        None => {
            last = store
                .list_runs(runbook, global.db.as_deref(), &[], 50)
                .await?
                .into_iter()
                .find(|run| run.command != "verify")
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "no apply or rollback{} is recorded in the state database {}",
                        runbook.map_or_else(String::new, |r| format!(" of {r}")),
                        global.state_db
                    ))
                })?
                .id;
            last.as_str()
        }
    };
    let raw: Document = store
        .database()
        .collection::<Document>("runs")
        .find_one(mongodb::bson::doc! {"_id": run_id})
        .await
        .map_err(|e| Error::database("cannot read the run", e))?
        .ok_or_else(|| {
            Error::Usage(format!(
                "no run {run_id} in state database {}",
                global.state_db
            ))
        })?;
    let record = store
        .run(run_id)
        .await?
        .ok_or_else(|| Error::Usage(format!("run {run_id} is unreadable")))?;
    let report: Option<RunReport> = raw
        .get_document("report")
        .ok()
        .and_then(|d| bson::from_document(d.clone()).ok());
    let journal = store.journal(run_id).await?;
    let audit = store.history(None, Some(run_id), 1000).await?;
    let chain = store.verify_audit().await?;
    let markdown = format!(
        "{}\n## Audit trail\n\n{}\n",
        incident::markdown(&record, report.as_ref(), &journal, &audit),
        super::audit::summary(&chain, &global.state_db).replace('\n', "  \n")
    );
    match global.output {
        OutputFormat::Json => {
            json::Document::ok(
                "report",
                ReportDocument {
                    run_id,
                    run: report.as_ref(),
                    markdown: &markdown,
                },
            )
            .print();
        }
        OutputFormat::Human => print!("{markdown}"),
    }
    Ok(())
}
