//! What `approve` shows before it records an approval: the plan's steps, their predicted
//! counts and data loss, and the database and server they would run on.

use super::plan_view::{summary, thousands};
use crate::plan::saved::SavedPlan;

fn name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The approval's subject as text: `server` names where the plan's database lives, `until`
/// when the approval would expire.
#[must_use]
pub(crate) fn human(plan: &SavedPlan, server: &str, until: &str) -> String {
    let content = &plan.content;
    let mut out = format!(
        "approving plan {} ({}): {} of runbook {} (steps {})\n",
        plan.plan_id,
        plan.digest,
        name(&content.direction),
        content.runbook,
        content.steps
    );
    out.push_str(&format!(
        "target: database {} on {server}\n",
        content.database
    ));
    out.push_str(&format!(
        "made by {} at {}\n",
        content.created_by, content.created_at
    ));
    if !content.params.is_empty() {
        let params: Vec<String> = content
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        out.push_str(&format!("parameters: {}\n", params.join(", ")));
    }
    for step in &content.preview.steps {
        out.push_str(&format!(
            "  step {} — {}\n    data loss {}, reversibility {}{}\n",
            step.id,
            step.title,
            name(&step.data_loss),
            name(&step.reversibility),
            step.approval
                .as_ref()
                .map(|a| format!(", needs approval ({a})"))
                .unwrap_or_default()
        ));
        for action in &step.actions {
            let target = match (&action.database, &action.collection) {
                (Some(db), Some(coll)) => format!(" {db}.{coll}"),
                (None, Some(coll)) => format!(" {coll}"),
                (Some(db), None) => format!(" {db}"),
                (None, None) => String::new(),
            };
            let count = action
                .affected
                .map(|n| format!(": {} documents", thousands(n)))
                .unwrap_or_default();
            out.push_str(&format!("    {}{target}{count}\n", action.kind));
            for dropped in action.drops_collections.iter().chain(&action.drops_indexes) {
                out.push_str(&format!("      drops {dropped}\n"));
            }
        }
    }
    out.push_str(&summary(plan));
    out.push('\n');
    out.push_str(&format!("the approval would be valid until {until}\n"));
    out
}
