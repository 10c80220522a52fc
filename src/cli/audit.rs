//! `rollbook audit verify`: walks the audit trail's hash chain and names the first entry that
//! breaks it (edited, deleted or inserted); exit 3 when one does.

use super::args::{GlobalArgs, OutputFormat};
use super::connect;
use crate::error::{Error, Result};
use crate::exit_code;
use crate::output::json::Document;
use crate::store::audit_chain::ChainReport;

/// Checks the chain of the state database's audit trail.
pub(crate) async fn verify(global: &GlobalArgs) -> Result<i32> {
    let client = connect::client(global).await?;
    let store = connect::store(&client, global).await?;
    let report = store.verify_audit().await?;
    let failure = report
        .broken
        .as_ref()
        .map(|b| Error::VerifyFailed(format!("the audit trail is broken: {}", b.problem)));
    match global.output {
        OutputFormat::Json => match &failure {
            Some(error) => Document::failed("audit verify", error, &report).print(),
            None => Document::ok("audit verify", &report).print(),
        },
        OutputFormat::Human => {
            let width = crate::output::human::width().unwrap_or(usize::MAX);
            for line in crate::output::human::wrap(&summary(&report, &global.state_db), width, "  ")
            {
                println!("{line}");
            }
            if let Some(error) = &failure {
                eprintln!("error[VERIFY_FAILED]: {error}; nothing was changed");
            }
        }
    }
    Ok(failure.map_or(exit_code::OK, |e| e.exit_code()))
}

/// The chain in a few lines: entries, head, and where it breaks.
#[must_use]
pub(crate) fn summary(report: &ChainReport, state_db: &str) -> String {
    let mut out = format!(
        "audit trail of {state_db}: {} entries in the hash chain",
        report.entries
    );
    if report.unchained > 0 {
        out.push_str(&format!(
            ", {} older ones from before the chain began",
            report.unchained
        ));
    }
    match (&report.broken, &report.head) {
        (Some(broken), _) => {
            out.push_str(&format!("\nbroken at entry {}", broken.seq));
            if let Some(id) = &broken.id {
                out.push_str(&format!(" (_id {id})"));
            }
            out.push_str(&format!(": {}", broken.problem));
        }
        (None, Some(head)) => out.push_str(&format!(
            "\nthe chain verifies; newest entry {}\nits hash: {}",
            head.seq, head.hash
        )),
        (None, None) => out.push_str("\nthe chain is empty"),
    }
    out
}
