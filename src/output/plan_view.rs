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

/// How a plan is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlanLayout {
    /// The grid where it fits the terminal, else one block per step.
    Auto,
    /// Always the grid (`--wide`).
    Wide,
}

/// The plan as text for stdout, laid out for the terminal's width; `target` names the
/// database and server it was made on.
#[must_use]
pub(crate) fn human(
    plan: &SavedPlan,
    skipped: &[SkippedStep],
    target: Option<&str>,
    layout: PlanLayout,
) -> String {
    render(plan, skipped, target, layout, human::width())
}

/// The plan as text for `width` columns (`None`: no terminal, the grid unwrapped).
#[must_use]
pub(crate) fn render(
    plan: &SavedPlan,
    skipped: &[SkippedStep],
    target: Option<&str>,
    layout: PlanLayout,
    width: Option<usize>,
) -> String {
    let grid = grid_view(plan, skipped, target, width);
    match (layout, width) {
        (PlanLayout::Auto, Some(columns)) if !grid.1 => blocks_view(plan, skipped, target, columns),
        _ => grid.0,
    }
}

/// The summary line: how many documents change in how many collections, what is dropped, and
/// which steps need approval.
#[must_use]
pub(crate) fn summary(plan: &SavedPlan) -> String {
    let steps = &plan.content.preview.steps;
    let mut documents = 0;
    let mut collections = std::collections::BTreeSet::new();
    let mut indexes = 0;
    let mut dropped = 0;
    for action in steps.iter().flat_map(|s| &s.actions) {
        if let Some(affected) = action
            .affected
            .filter(|a| *a > 0 && changes_documents(&action.kind))
        {
            documents += affected;
            collections.insert((action.database.clone(), action.collection.clone()));
        }
        indexes += action.drops_indexes.len();
        dropped += action.drops_collections.len();
    }
    let mut parts = vec![format!(
        "Plan: {} {} change in {} {}",
        thousands(documents),
        if documents == 1 {
            "document"
        } else {
            "documents"
        },
        collections.len(),
        if collections.len() == 1 {
            "collection"
        } else {
            "collections"
        }
    )];
    if indexes > 0 {
        parts.push(format!(
            "{indexes} {} dropped",
            if indexes == 1 { "index" } else { "indexes" }
        ));
    }
    if dropped > 0 {
        parts.push(format!(
            "{dropped} {} dropped",
            if dropped == 1 {
                "collection"
            } else {
                "collections"
            }
        ));
    }
    let approval: Vec<&str> = steps
        .iter()
        .filter(|s| s.approval.is_some())
        .map(|s| s.id.as_str())
        .collect();
    match approval.as_slice() {
        [] => {}
        [one] => parts.push(format!("step {one} needs approval")),
        many => parts.push(format!("steps {} need approval", many.join(", "))),
    }
    parts.join("; ")
}

/// True for the actions whose `affected` counts documents they change in place.
fn changes_documents(kind: &str) -> bool {
    matches!(kind, "unset" | "set" | "update" | "restore_snapshot")
}

/// True for the actions whose `affected` counts documents they copy.
fn copies_documents(kind: &str) -> bool {
    matches!(kind, "backup_to_collection" | "copy_collection")
}

/// `48400` as `48,400`.
#[must_use]
pub(crate) fn thousands(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn header(plan: &SavedPlan, target: Option<&str>) -> String {
    let content = &plan.content;
    let mut out = format!(
        "plan {} — {} {} on {} (steps {}), nothing written\n",
        plan.plan_id,
        name(&content.direction),
        content.runbook,
        content.database,
        content.steps
    );
    if let Some(target) = target {
        out.push_str(&format!("target: {target}\n"));
    }
    out
}

/// One block per step, as `terraform plan` prints: the step's gates on one line, then each
/// action with its filter, what it would change and drop, and its samples.
fn blocks_view(
    plan: &SavedPlan,
    skipped: &[SkippedStep],
    target: Option<&str>,
    width: usize,
) -> String {
    let mut out = String::new();
    let push = |out: &mut String, text: &str, first: &str, rest: &str| {
        for (index, line) in human::wrap(text, width.saturating_sub(first.len()), rest)
            .into_iter()
            .enumerate()
        {
            out.push_str(if index == 0 { first } else { "" });
            if index > 0 {
                out.push_str(first);
            }
            out.push_str(&line);
            out.push('\n');
        }
    };
    for line in human::wrap(header(plan, target).trim_end(), width, "  ") {
        out.push_str(&line);
        out.push('\n');
    }
    for step in &plan.content.preview.steps {
        out.push('\n');
        push(
            &mut out,
            &format!("step {} · {}", step.id, step.title),
            "",
            "  ",
        );
        let mut gates = vec![
            format!("data loss {}", name(&step.data_loss)),
            format!("reversible {}", name(&step.reversibility)),
            if step.transaction {
                "in a transaction".to_owned()
            } else {
                "no transaction".to_owned()
            },
            // Kept on one line: "≈ 2.1 s" never wraps apart.
            format!(
                "≈\u{a0}{:.1}\u{a0}s{}",
                step.estimate_ms as f64 / 1000.0,
                match &step.estimate_basis {
                    Some(basis) if basis.contains("measured over") => " (measured\u{a0}rates)",
                    Some(_) => " (default\u{a0}rates)",
                    None => "",
                }
            ),
        ];
        if let Some(approval) = &step.approval {
            gates.insert(0, format!("APPROVAL {approval}"));
        }
        push(&mut out, &gates.join(" · "), "  ", "  ");
        for check in &step.preconditions {
            push(
                &mut out,
                &format!(
                    "precondition on {}: {}",
                    check.collection.as_deref().unwrap_or("-"),
                    check.describe()
                ),
                "  ",
                "    ",
            );
        }
        for action in &step.actions {
            let mut line = format!("- {}", action.kind);
            if let Some(collection) = &action.collection {
                line.push_str(&format!(" {collection}"));
            }
            if let Some(affected) = action.affected {
                if changes_documents(&action.kind) {
                    line.push_str(&format!(": {} documents would change", thousands(affected)));
                } else if copies_documents(&action.kind) {
                    line.push_str(&format!(": copies {} documents", thousands(affected)));
                }
            }
            push(&mut out, &line, "  ", "    ");
            if let Some(filter) = action.filter.as_ref().filter(|f| !f.is_null()) {
                push(
                    &mut out,
                    &format!("where {}", human::json_inline(filter)),
                    "      ",
                    "  ",
                );
            }
            for (label, items) in [
                ("drops index", &action.drops_indexes),
                ("creates index", &action.creates_indexes),
                ("drops collection", &action.drops_collections),
                ("creates collection", &action.creates_collections),
            ] {
                if !items.is_empty() {
                    push(
                        &mut out,
                        &format!("{label} {}", items.join(", ")),
                        "      ",
                        "  ",
                    );
                }
            }
            if let Some(note) = &action.note {
                for line in note.lines() {
                    push(&mut out, line, "      ", "  ");
                }
            }
            for sample in &action.samples {
                push(
                    &mut out,
                    &format!("e.g. {}", describe_sample(sample)),
                    "      ",
                    "  ",
                );
            }
        }
    }
    if !skipped.is_empty() {
        out.push('\n');
    }
    for skip in skipped {
        push(&mut out, &format!("skipped step {}:", skip.id), "", "  ");
        for line in skip.reason.lines() {
            push(&mut out, line, "  ", "  ");
        }
    }
    out.push('\n');
    push(&mut out, &summary(plan), "", "  ");
    out
}

/// The grid, and whether it fits `width` without breaking a word.
fn grid_view(
    plan: &SavedPlan,
    skipped: &[SkippedStep],
    target: Option<&str>,
    width: Option<usize>,
) -> (String, bool) {
    let content = &plan.content;
    let mut out = header(plan, target);
    let mut table = human::grid(&[
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
                note,
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
    let table = table.with_width(width);
    let fits = width.is_none_or(|w| table.fits(w));
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
        out.push_str(&format!("skipped step {}:\n", skip.id));
        for line in skip.reason.lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.push_str(&summary(plan));
    out.push('\n');
    (out, fits)
}

/// `_id …: field: before → after, field removed` for one sample.
fn describe_sample(sample: &Sample) -> String {
    let (Some(before), Some(after)) = (sample.before.as_object(), sample.after.as_object()) else {
        return String::new();
    };
    let mut changes = Vec::new();
    for (key, old) in before {
        match after.get(key) {
            None => changes.push(format!("{key}: {} → (removed)", human::json_inline(old))),
            Some(new) if new != old => changes.push(format!(
                "{key}: {} → {}",
                human::json_inline(old),
                human::json_inline(new)
            )),
            _ => {}
        }
    }
    for (key, new) in after {
        if !before.contains_key(key) {
            changes.push(format!("{key}: (absent) → {}", human::json_inline(new)));
        }
    }
    format!(
        "_id {}: {}",
        before
            .get("_id")
            .map(human::json_inline)
            .unwrap_or_default(),
        changes.join("; ")
    )
}
