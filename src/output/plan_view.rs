//! The human form of a plan: per step its gates and mode, per action what would change, with
//! before/after samples.

use super::human;
use crate::plan::dry_run::Sample;
use crate::plan::saved::SavedPlan;
use crate::plan::SkippedStep;

fn name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The plan as text for stdout.
#[must_use]
pub(crate) fn human(plan: &SavedPlan, skipped: &[SkippedStep]) -> String {
    let content = &plan.content;
    let mut out = format!(
        "plan {} — {} {} on {} (steps {}), nothing written\n",
        plan.plan_id,
        name(&content.direction),
        content.runbook,
        content.database,
        content.steps
    );
    let mut table = human::table(&[
        "step",
        "approval",
        "data loss",
        "reversible",
        "transaction",
        "action",
        "collection",
        "would change",
        "≈ time",
        "note",
    ]);
    for step in &content.preview.steps {
        let gates = |first: bool| {
            if first {
                vec![
                    step.id.clone(),
                    step.approval.clone().unwrap_or_default(),
                    name(&step.data_loss),
                    name(&step.reversibility),
                    human::flag(step.transaction).to_owned(),
                ]
            } else {
                vec![String::new(); 5]
            }
        };
        if step.actions.is_empty() {
            table.add_row(gates(true));
        }
        for (index, action) in step.actions.iter().enumerate() {
            let mut row = gates(index == 0);
            let mut note = action.note.clone().unwrap_or_default();
            for (label, items) in [
                ("drops index", &action.drops_indexes),
                ("creates index", &action.creates_indexes),
                ("drops", &action.drops_collections),
                ("creates", &action.creates_collections),
            ] {
                if !items.is_empty() {
                    note = format!("{note} {label} {}", items.join(", "))
                        .trim()
                        .to_owned();
                }
            }
            row.extend([
                action.kind.clone(),
                action.collection.clone().unwrap_or_default(),
                action.affected.map(|n| n.to_string()).unwrap_or_default(),
                if index == 0 {
                    format!("{:.1} s", step.estimate_ms as f64 / 1000.0)
                } else {
                    String::new()
                },
                note.lines().next().unwrap_or_default().to_owned(),
            ]);
            table.add_row(row);
        }
        for check in &step.preconditions {
            table.add_row(vec![
                step.id.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                "precondition".into(),
                check.collection.clone().unwrap_or_default(),
                String::new(),
                String::new(),
                check.describe(),
            ]);
        }
    }
    out.push_str(&format!("{table}\n"));
    for step in &content.preview.steps {
        for action in &step.actions {
            if action.samples.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "samples of step {} {} on {}:\n",
                step.id,
                action.kind,
                action.collection.as_deref().unwrap_or("")
            ));
            for sample in &action.samples {
                out.push_str(&format!("  {}\n", describe_sample(sample)));
            }
        }
    }
    for skip in skipped {
        out.push_str(&format!(
            "skipped step {}: {}\n",
            skip.id,
            skip.reason.lines().next().unwrap_or_default()
        ));
    }
    out
}

/// `_id …: field: before → after, field removed` for one sample.
fn describe_sample(sample: &Sample) -> String {
    let (Some(before), Some(after)) = (sample.before.as_object(), sample.after.as_object()) else {
        return String::new();
    };
    let mut changes = Vec::new();
    for (key, old) in before {
        match after.get(key) {
            None => changes.push(format!("{key}: {old} → (removed)")),
            Some(new) if new != old => changes.push(format!("{key}: {old} → {new}")),
            _ => {}
        }
    }
    for (key, new) in after {
        if !before.contains_key(key) {
            changes.push(format!("{key}: (absent) → {new}"));
        }
    }
    format!(
        "_id {}: {}",
        before
            .get("_id")
            .map(ToString::to_string)
            .unwrap_or_default(),
        changes.join("; ")
    )
}
