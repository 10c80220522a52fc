//! The incident report of a run, in Markdown, shaped after the incident report templates of
//! the tenant-rollback procedures: summary, decision and approval, timeline, steps with counts
//! and durations, verification, what was left pending, follow-up.

use std::fmt::Write;

use mongodb::bson::{DateTime, Document};

use crate::engine::RunReport;
use crate::store::runs::RunRecord;

fn time(value: Option<DateTime>) -> String {
    value
        .and_then(|t| t.try_to_rfc3339_string().ok())
        .unwrap_or_else(|| "—".into())
}

fn clock(value: Option<DateTime>) -> String {
    let full = time(value);
    full.get(11..19).map_or(full.clone(), str::to_owned)
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Renders the report. `report` is the stored run report (absent when the process died).
#[must_use]
pub(crate) fn markdown(
    run: &RunRecord,
    report: Option<&RunReport>,
    journal: &[Document],
    audit: &[Document],
) -> String {
    let mut out = String::new();
    let status = report.map_or_else(
        || run.status.as_str().to_owned(),
        |r| r.status.as_str().to_owned(),
    );
    let _ = writeln!(
        out,
        "# Incident report: {} of {} on {}\n",
        run.command, run.runbook, run.database
    );
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(out, "- **Run:** `{}`", run.id);
    let _ = writeln!(out, "- **Runbook:** `{}` (`{}`)", run.runbook, run.digest);
    let _ = writeln!(out, "- **Database:** `{}`", run.database);
    let _ = writeln!(
        out,
        "- **Direction:** {} — steps {}",
        run.direction,
        run.steps.join(", ")
    );
    let operator = match &run.db_user {
        Some(user) => format!("{} (database user `{user}`)", run.operator),
        None => run.operator.clone(),
    };
    let _ = writeln!(out, "- **Operator:** {operator} on host `{}`", run.host);
    let _ = writeln!(out, "- **Started:** {}", time(Some(run.started_at)));
    let _ = writeln!(out, "- **Finished:** {}", time(run.finished_at));
    if let Some(finished) = run.finished_at {
        let seconds =
            (finished.timestamp_millis() - run.started_at.timestamp_millis()) as f64 / 1000.0;
        let _ = writeln!(out, "- **Duration:** {seconds:.1} s");
    }
    let _ = writeln!(
        out,
        "- **Outcome:** {status} (exit code {})",
        run.exit_code.map_or("—".into(), |c| c.to_string())
    );
    if let Some(error) = report.and_then(|r| r.error.as_ref()) {
        let _ = writeln!(out, "- **Error:** `{}` — {}", error.code, error.message);
    }
    if !run.resumed_at.is_empty() {
        let resumed: Vec<String> = run.resumed_at.iter().map(|t| time(Some(*t))).collect();
        let _ = writeln!(
            out,
            "- **Resumed after interruption:** {}",
            resumed.join(", ")
        );
    }

    let _ = writeln!(out, "\n## Decision and approval\n");
    match report.and_then(|r| r.approval.as_ref()) {
        Some(approval) => {
            let _ = writeln!(
                out,
                "- **Approved by:** {}{} at {}, valid until {}",
                approval.approver,
                approval
                    .db_user
                    .as_ref()
                    .map(|u| format!(" (database user `{u}`)"))
                    .unwrap_or_default(),
                time(Some(approval.created_at)),
                time(Some(approval.expires_at))
            );
            let _ = writeln!(out, "- **Reason:** {}", approval.reason);
            if let Some(ticket) = &approval.ticket {
                let _ = writeln!(out, "- **Ticket:** {ticket}");
            }
            let _ = writeln!(
                out,
                "- **Plan:** `{}` (`{}`)",
                approval.plan_id, approval.plan_digest
            );
        }
        None => {
            let plan = report
                .and_then(|r| r.plan_id.clone())
                .map(|p| format!(" (plan `{p}`)"))
                .unwrap_or_default();
            let _ = writeln!(out, "No step of this run needed an approval{plan}.");
        }
    }

    let _ = writeln!(out, "\n## Timeline (UTC)\n");
    let _ = writeln!(
        out,
        "- {} — run started by {}",
        clock(Some(run.started_at)),
        run.operator
    );
    for entry in journal {
        let at = clock(entry.get_datetime("at").ok().copied());
        let step = entry.get_str("step").unwrap_or_default();
        let kind = entry.get_str("kind").unwrap_or_default();
        match entry.get_str("phase").unwrap_or_default() {
            "start" => {
                let _ = writeln!(
                    out,
                    "- {at} — step {step}: {kind} started ({})",
                    entry.get_str("target").unwrap_or_default()
                );
            }
            _ => {
                let result = entry.get_document("result").ok();
                let modified = result
                    .and_then(|r| r.get_i64("modified").ok())
                    .map(|n| format!(", {n} documents changed"))
                    .unwrap_or_default();
                let detail = result
                    .and_then(|r| r.get_str("error").ok())
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default();
                let kind = result
                    .and_then(|r| r.get_str("kind").ok())
                    .unwrap_or("action");
                let _ = writeln!(
                    out,
                    "- {at} — step {step}: {kind} {}{modified}{detail}",
                    entry.get_str("status").unwrap_or_default()
                );
            }
        }
    }
    for event in audit.iter().rev().filter(|e| {
        matches!(
            e.get_str("event"),
            Ok("step_failed" | "lock_released_by_hand")
        )
    }) {
        let _ = writeln!(
            out,
            "- {} — {} {}",
            clock(event.get_datetime("at").ok().copied()),
            event.get_str("event").unwrap_or_default().replace('_', " "),
            event
                .get_str("step")
                .map(|s| format!("(step {s})"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(out, "- {} — run finished: {status}", clock(run.finished_at));

    let Some(report) = report else {
        let _ = writeln!(out, "\nThe run's process ended without recording its outcome (killed, or the database was unreachable). The journal above shows the last action started; rerun the same command to resume it.");
        return out;
    };

    let _ = writeln!(out, "\n## Steps\n");
    let _ = writeln!(
        out,
        "| step | title | status | transaction | action | collection | affected | modified | ms |"
    );
    let _ = writeln!(
        out,
        "| --- | --- | --- | --- | --- | --- | ---: | ---: | ---: |"
    );
    for step in &report.steps {
        for action in &step.actions {
            let number = |n: Option<u64>| n.map_or(String::new(), |n| n.to_string());
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                step.id,
                cell(&step.title),
                step.status,
                if step.transaction { "yes" } else { "no" },
                action.kind,
                action.collection.as_deref().unwrap_or(""),
                number(action.affected),
                number(action.modified),
                action.duration_ms
            );
        }
        if step.actions.is_empty() {
            let _ = writeln!(
                out,
                "| {} | {} | {} | | | | | | {} |",
                step.id,
                cell(&step.title),
                step.status,
                step.duration_ms
            );
        }
    }
    let changed: u64 = report
        .steps
        .iter()
        .flat_map(|s| &s.actions)
        .filter_map(|a| a.modified)
        .sum();
    let snapshots = report
        .steps
        .iter()
        .flat_map(|s| &s.actions)
        .filter(|a| a.snapshot.is_some())
        .count();
    let _ = writeln!(out, "\n{changed} documents changed; {snapshots} destructive actions were snapshotted first, so `rollbook apply` can restore what they changed.");
    let estimated: Vec<String> = report
        .steps
        .iter()
        .filter_map(|s| {
            let estimate = s.estimate_ms?;
            Some(format!(
                "- step {}: took {:.1} s, estimated {:.1} s ({:.1}×)",
                s.id,
                s.duration_ms as f64 / 1000.0,
                estimate as f64 / 1000.0,
                s.duration_ms as f64 / estimate.max(1) as f64
            ))
        })
        .collect();
    if !estimated.is_empty() {
        let _ = writeln!(
            out,
            "\nWhat each step took against the plan's estimate (rates measured on this server once there are any):\n"
        );
        for line in estimated {
            let _ = writeln!(out, "{line}");
        }
    }

    let _ = writeln!(out, "\n## Verification\n");
    let checks: Vec<_> = report
        .steps
        .iter()
        .flat_map(|s| s.verify.iter().map(move |c| (&s.id, c)))
        .collect();
    if checks.is_empty() {
        let _ = writeln!(out, "No verify checks ran.");
    } else {
        let _ = writeln!(
            out,
            "| step | check | collection | expected | actual | result |"
        );
        let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
        for (step, check) in checks {
            let _ = writeln!(
                out,
                "| {step} | {} | {} | {} | {} | {} |",
                check.kind,
                cell(check.collection.as_deref().unwrap_or("")),
                cell(&check.expected.to_string()),
                cell(&check.actual.to_string()),
                if check.ok { "ok" } else { "**FAILED**" }
            );
        }
    }

    let _ = writeln!(out, "\n## Left pending\n");
    if report.pending_manual.is_empty() && report.skipped.is_empty() {
        let _ = writeln!(out, "Nothing: every selected step ran.");
    }
    for pending in &report.pending_manual {
        let _ = writeln!(
            out,
            "- [ ] **Step {} (manual, not confirmed):**",
            pending.step
        );
        for line in pending.instructions.lines() {
            let _ = writeln!(out, "      {line}");
        }
    }
    for skipped in &report.skipped {
        let _ = writeln!(
            out,
            "- Step {} was skipped: {}",
            skipped.id,
            skipped.reason.lines().next().unwrap_or_default()
        );
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "- Warning: {warning}");
    }

    let _ = writeln!(out, "\n## Follow-up\n");
    let _ = writeln!(
        out,
        "- [ ] Root cause: what made this {} necessary",
        run.command
    );
    let _ = writeln!(
        out,
        "- [ ] Impact: users affected, data loss (see above), revenue, SLA"
    );
    let _ = writeln!(
        out,
        "- [ ] Confirm the application's health and business metrics after the change"
    );
    let _ = writeln!(
        out,
        "- [ ] Lessons learned: what went well, what went wrong, what was lucky"
    );
    let _ = writeln!(
        out,
        "- [ ] Action items: fix, tests, monitoring, documentation"
    );
    out
}
