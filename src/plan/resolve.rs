//! Turning a runbook, a step selection, parameters and a direction into a [`RunPlan`]:
//! the exact actions and checks to run, with placeholders substituted and names checked.
//! Pure: no database.

use std::collections::BTreeMap;

use serde_json::Value;

use super::selection::StepSelection;
use crate::error::{Error, Result};
use crate::runbook::kinds::NameRole;
use crate::runbook::model::{Action, Check, Direction, Step};
use crate::runbook::{names, params, template, LoadedRunbook};

/// What the operator asked for.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    /// Which direction.
    pub direction: Direction,
    /// Which steps.
    pub selection: StepSelection,
    /// `--param` assignments in the order given.
    pub params: Vec<(String, String)>,
    /// `--db`, overriding the runbook's database.
    pub database: Option<String>,
    /// Fail instead of skipping steps whose rollback is unsupported.
    pub fail_on_unsupported: bool,
}

/// A step ready to run in one direction.
#[derive(Debug, Clone)]
pub struct PlannedStep {
    /// The step as written (prose, approval, transaction mode).
    pub step: Step,
    /// Checks that must hold first (forward only), resolved.
    pub preconditions: Vec<Check>,
    /// The direction's actions, resolved.
    pub actions: Vec<Action>,
    /// The direction's verify checks, resolved.
    pub verify: Vec<Check>,
    /// The other direction's actions, resolved: what a `restore_snapshot` puts back after.
    pub opposite: Vec<Action>,
}

/// A selected step that will not run, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SkippedStep {
    /// Step id.
    pub id: String,
    /// Why it is skipped.
    pub reason: String,
}

/// Everything a run needs to know, resolved.
#[derive(Debug, Clone)]
pub struct RunPlan {
    /// Runbook id.
    pub runbook_id: String,
    /// Runbook digest.
    pub digest: String,
    /// Target database.
    pub database: String,
    /// Direction.
    pub direction: Direction,
    /// Whether a failure undoes completed actions (runbook-level).
    pub atomic: bool,
    /// Parameter values after checking.
    pub params: BTreeMap<String, String>,
    /// Steps in execution order (ascending forward, descending rollback).
    pub steps: Vec<PlannedStep>,
    /// Selected steps that will not run.
    pub skipped: Vec<SkippedStep>,
    /// Fields the plan's samples never show (the runbook's `redact`).
    pub redact: Vec<String>,
}

/// Resolves a request against a loaded runbook for the run `run_id`.
pub fn resolve(loaded: &LoadedRunbook, request: &PlanRequest, run_id: &str) -> Result<RunPlan> {
    let runbook = &loaded.runbook;
    let params = params::resolve(&runbook.params, &request.params)?;
    let mut values = params.clone();
    values.insert(template::RUN_ID.to_owned(), run_id.to_owned());
    let database = match &request.database {
        Some(db) => db.clone(),
        None => template::substitute(&runbook.database, &values).map_err(Error::Usage)?,
    };
    names::check_target_database(&database)
        .map_err(|m| Error::Usage(format!("target database: {m}")))?;

    let mut selected = request.selection.select(&runbook.steps)?;
    if request.direction == Direction::Rollback {
        selected.reverse();
    }
    let single = selected.len() == 1;
    let mut steps = Vec::new();
    let mut skipped = Vec::new();
    for step in selected {
        if request.direction == Direction::Rollback {
            if let Some(reason) = &step.rollback_unsupported {
                if request.fail_on_unsupported || single {
                    return Err(Error::Usage(format!(
                        "step {}'s rollback is not supported: {}; nothing was changed",
                        step.id,
                        reason.trim()
                    )));
                }
                skipped.push(SkippedStep {
                    id: step.id.clone(),
                    reason: format!("rollback not supported: {}", reason.trim()),
                });
                continue;
            }
        }
        let (actions, verify, opposite) = match request.direction {
            Direction::Forward => (&step.forward, &step.verify.forward, &step.rollback),
            Direction::Rollback => (&step.rollback, &step.verify.rollback, &step.forward),
        };
        let preconditions = if request.direction == Direction::Forward {
            resolve_all(&step.preconditions, &values, &step.id)?
        } else {
            Vec::new()
        };
        steps.push(PlannedStep {
            step: step.clone(),
            preconditions,
            actions: resolve_all(actions, &values, &step.id)?,
            verify: resolve_all(verify, &values, &step.id)?,
            opposite: resolve_all(opposite, &values, &step.id)?,
        });
    }
    Ok(RunPlan {
        runbook_id: runbook.id.clone(),
        digest: loaded.digest.clone(),
        database,
        direction: request.direction,
        atomic: runbook.atomic,
        params,
        steps,
        skipped,
        redact: runbook.redact.clone(),
    })
}

/// Something whose names can be checked after substitution.
/// Refuses a plan that would act on rollbook's own state database (`state_db`): as its target,
/// or as the database an action or check names. Nothing is changed.
pub(crate) fn refuse_state_database(plan: &RunPlan, state_db: &str) -> Result<()> {
    let refuse = |what: String| {
        Err(Error::Usage(format!(
            "{what} is rollbook's state database ({state_db}): a runbook never acts on it; nothing was changed"
        )))
    };
    if plan.database == state_db {
        return refuse(format!("the target database {}", plan.database));
    }
    for planned in &plan.steps {
        let names = planned
            .actions
            .iter()
            .flat_map(Named::name_refs)
            .chain(planned.verify.iter().flat_map(Named::name_refs))
            .chain(planned.preconditions.iter().flat_map(Named::name_refs));
        for name in names {
            let hits = match name.role {
                NameRole::Database => name.text == state_db,
                NameRole::DatabaseList => name
                    .text
                    .split(',')
                    .map(str::trim)
                    .any(|item| item == state_db || glob_matches(item, state_db)),
                NameRole::Collection | NameRole::Path => false,
            };
            if hits {
                return refuse(format!(
                    "step {}: {} {:?}",
                    planned.step.id, name.field, name.text
                ));
            }
        }
    }
    Ok(())
}

/// Whether `pattern` (with `*` wildcards) matches `name` whole.
fn glob_matches(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

trait Named: serde::Serialize + serde::de::DeserializeOwned {
    fn name_refs(&self) -> Vec<crate::runbook::kinds::NameRef<'_>>;
}

impl Named for Action {
    fn name_refs(&self) -> Vec<crate::runbook::kinds::NameRef<'_>> {
        self.names()
    }
}

impl Named for Check {
    fn name_refs(&self) -> Vec<crate::runbook::kinds::NameRef<'_>> {
        self.names()
    }
}

fn resolve_all<T: Named>(
    items: &[T],
    values: &BTreeMap<String, String>,
    step: &str,
) -> Result<Vec<T>> {
    items
        .iter()
        .map(|item| resolve_one(item, values, step))
        .collect()
}

fn resolve_one<T: Named>(item: &T, values: &BTreeMap<String, String>, step: &str) -> Result<T> {
    let invalid = |message: String| Error::InvalidParam {
        name: format!("(step {step})"),
        message,
    };
    let mut value: Value = serde_json::to_value(item).map_err(|e| invalid(e.to_string()))?;
    let message = template::without_notify_message(&mut value);
    template::substitute_value(&mut value, values).map_err(invalid)?;
    if let (Some(message), Some(fields)) = (
        message,
        value
            .get_mut("notify")
            .and_then(serde_json::Value::as_object_mut),
    ) {
        fields.insert("message".into(), message);
    }
    let resolved: T = serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
    for name in resolved.name_refs() {
        let verdict = match name.role {
            NameRole::Collection => names::check_collection(name.text),
            NameRole::Database => names::check_target_database(name.text),
            NameRole::DatabaseList => names::check_database_list(name.text),
            NameRole::Path => names::check_path(name.text),
        };
        verdict.map_err(|m| invalid(format!("{}: {m}", name.field)))?;
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn globs_match_whole_names() {
        for (pattern, name, expected) in [
            ("rollbook", "rollbook", true),
            ("roll*", "rollbook", true),
            ("*book", "rollbook", true),
            ("r*l*k", "rollbook", true),
            ("tenant_*", "rollbook", false),
            ("rollbook_*", "rollbook", false),
            ("*", "rollbook", true),
        ] {
            assert_eq!(glob_matches(pattern, name), expected, "{pattern} ~ {name}");
        }
    }
}
