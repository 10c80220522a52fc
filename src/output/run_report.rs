//! The human form of a run report: one table of actions, one of verify checks, a verdict.

use super::human;
use crate::engine::RunReport;

/// The report as text for stdout.
#[must_use]
pub(crate) fn human(report: &RunReport) -> String {
    let mut out = format!(
        "{} {} on {} — run {}{} by {}\n",
        report.command,
        report.runbook.id,
        report.database,
        report.run_id,
        if report.resumed { " (resumed)" } else { "" },
        report.operator
    );
    for id in &report.interrupted_runs {
        out.push_str(&format!(
            "found interrupted run {id} (its process is gone)\n"
        ));
    }
    let mut actions = human::table(&[
        "step",
        "status",
        "transaction",
        "action",
        "collection",
        "affected",
        "modified",
        "ms",
        "detail",
    ]);
    for step in &report.steps {
        if step.actions.is_empty() {
            actions.add_row(vec![
                step.id.clone(),
                step.status.as_str().to_owned(),
                human::flag(step.transaction).to_owned(),
            ]);
        }
        for action in &step.actions {
            let number = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
            actions.add_row(vec![
                step.id.clone(),
                step.status.as_str().to_owned(),
                human::flag(step.transaction).to_owned(),
                format!("{} [{}]", action.kind, action.status),
                action.collection.clone().unwrap_or_default(),
                number(action.affected),
                number(action.modified),
                action.duration_ms.to_string(),
                action
                    .detail
                    .as_deref()
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_owned(),
            ]);
        }
        if let Some(error) = &step.error {
            actions.add_row(vec![
                step.id.clone(),
                "failed".into(),
                String::new(),
                format!("{}: {}", error.code, error.message),
            ]);
        }
    }
    if !report.steps.is_empty() {
        out.push_str(&format!("{actions}\n"));
    }
    let checks: Vec<_> = report
        .steps
        .iter()
        .flat_map(|s| s.verify.iter().map(move |c| (&s.id, c)))
        .collect();
    if !checks.is_empty() {
        let mut table = human::table(&["step", "check", "collection", "expected", "actual", "ok"]);
        for (step, check) in checks {
            table.add_row(vec![
                step.clone(),
                check.kind.clone(),
                check.collection.clone().unwrap_or_default(),
                check.expected.to_string(),
                check.actual.to_string(),
                if check.ok {
                    "ok".into()
                } else {
                    "FAILED".into()
                },
            ]);
        }
        out.push_str(&format!("{table}\n"));
    }
    for skipped in &report.skipped {
        out.push_str(&format!(
            "skipped step {}: {}\n",
            skipped.id, skipped.reason
        ));
    }
    for pending in &report.pending_manual {
        out.push_str(&format!(
            "PENDING step {} (manual):\n{}\n",
            pending.step,
            indent(&pending.instructions)
        ));
    }
    for warning in &report.warnings {
        out.push_str(&format!("warning: {warning}\n"));
    }
    out.push_str(&format!(
        "result: {} (exit {}) in {} ms\n",
        report.status, report.exit_code, report.duration_ms
    ));
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
