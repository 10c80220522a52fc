//! `status --check`: the verify checks of each step's last applied direction, run against the
//! live data without writing anything (no lock, no run, nothing recorded) — where the state
//! database and the data disagree. Each step is resolved with the parameters of the run that
//! applied it.

use mongodb::Client;

use super::selection::SelectionItem;
use super::{resolve, PlanRequest, StepSelection};
use crate::actions::check_result::CheckResult;
use crate::actions::{checks, ActionContext, RunEnv};
use crate::error::{ErrorReport, Result};
use crate::runbook::model::Direction;
use crate::runbook::LoadedRunbook;
use crate::store::Store;

/// What the checks of one step found now.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepCheck {
    /// Step id.
    pub step: String,
    /// The direction last applied, whose checks ran.
    pub direction: Direction,
    /// True when every check held.
    pub ok: bool,
    /// Each check's result.
    pub results: Vec<CheckResult>,
    /// Why the step could not be checked (its parameters no longer resolve, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Runs, read-only, the verify checks of the direction last applied to each step in `applied`
/// (step id, direction, the run that applied it).
pub async fn check_steps(
    client: &Client,
    store: &Store,
    loaded: &LoadedRunbook,
    database: &str,
    applied: &[(String, Direction, Option<String>)],
) -> Result<Vec<StepCheck>> {
    let mut checked = Vec::new();
    for (step, direction, run_id) in applied {
        let params = match run_id {
            Some(id) => store
                .run(id)
                .await?
                .map(|run| run.params.into_iter().collect())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let request = PlanRequest {
            direction: *direction,
            // The step by its id as it is: not through the `--steps` syntax, where an id such
            // as `all`, `2-4` or one with a comma would mean something else.
            selection: StepSelection::Items(vec![SelectionItem::Id(step.clone())]),
            params,
            database: Some(database.to_owned()),
            fail_on_unsupported: false,
        };
        let mut found = StepCheck {
            step: step.clone(),
            direction: *direction,
            ok: false,
            results: Vec::new(),
            error: None,
        };
        let plan = match resolve(loaded, &request, "status") {
            Ok(plan) => plan,
            Err(error) => {
                found.error = Some(ErrorReport::of(&error).message);
                checked.push(found);
                continue;
            }
        };
        let env = RunEnv::read_only(plan.params.clone());
        for planned in &plan.steps {
            let ctx = ActionContext {
                client,
                store,
                database: &plan.database,
                run_id: "status",
                runbook: &plan.runbook_id,
                step: &planned.step.id,
                direction: plan.direction,
                index: 0,
                env: &env,
                fresh_snapshot_documents: None,
                tally: &crate::actions::tally::Nowhere,
                cut_short: false,
                retried: false,
                opposite: &planned.opposite,
            };
            for check in &planned.verify {
                found.results.push(checks::run(&ctx, check, None).await?);
            }
        }
        found.ok = found.results.iter().all(|r| r.ok);
        checked.push(found);
    }
    Ok(checked)
}
