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
    let mut actions = human::grid(&[
        "step",
        "status",
        "action",
        "collection",
        "modified",
        "ms",
        "detail",
    ]);
    for step in &report.steps {
        let status = if step.transaction {
            format!("{} (in a transaction)", step.status.as_str())
        } else {
            step.status.as_str().to_owned()
        };
        if step.actions.is_empty() {
            actions.add_row(vec![step.id.clone(), status.clone()]);
        }
        for action in &step.actions {
            let modified = match (action.affected, action.modified) {
                (Some(a), Some(m)) if a != m => format!("{m} of {a}"),
                (_, Some(m)) => m.to_string(),
                (Some(a), None) => format!("({a})"),
                (None, None) => String::new(),
            };
            actions.add_row(vec![
                step.id.clone(),
                status.clone(),
                format!("{} [{}]", action.kind, action.status),
                action.collection.clone().unwrap_or_default(),
                modified,
                action.duration_ms.to_string(),
                action.detail.clone().unwrap_or_default(),
            ]);
        }
        if let Some(error) = &step.error {
            actions.add_row(vec![
                step.id.clone(),
                "failed".into(),
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
        let mut table = human::grid(&["step", "check", "expected", "actual", "ok"]);
        for (step, check) in checks {
            table.add_row(vec![
                step.clone(),
                check.what(),
                human::expected(&check.expected),
                human::value(&check.actual),
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
        out.push_str(&format!("skipped step {}:\n", skipped.id));
        out.push_str(&format!("{}\n", indent(&skipped.reason)));
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
