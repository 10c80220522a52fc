//! Before a run writes anything: from the request, the loaded runbook, the saved plan and what
//! the state store holds, decide whether it may run (approval, terminal, drift), whether it
//! resumes an interrupted run, and what the operator must be asked. It only reads.

use mongodb::bson::DateTime;

use super::gates::{self, Confirmation};
use super::request::RunRequest;
use super::resume::{self, Attempt};
use super::{PlanRef, RunCommand};
use crate::error::{Error, Result};
use crate::plan::dry_run::PlanPreview;
use crate::plan::saved::SavedPlan;
use crate::plan::{PlanRequest, RunPlan};
use crate::runbook::LoadedRunbook;
use crate::store::approvals::Approval;
use crate::store::runs::RunStatus;
use crate::store::state::StateStore;

/// A request checked against its runbook, before connecting.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    /// The plan request for the runbook.
    pub request: PlanRequest,
    /// Go on past failed steps.
    pub continue_on_error: bool,
    /// The plan, resolved with a provisional run id.
    pub plan: RunPlan,
    /// The steps that need an approval.
    pub needs_approval: Vec<String>,
}

/// What the operator is asked before the run starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ask {
    /// Yes or no.
    YesNo,
    /// Type the runbook id: these steps lose data when done by hand.
    RunbookId {
        /// The steps that lose data.
        losing: Vec<String>,
    },
}

/// The decisions made before the run starts.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// The saved plan executed, with the approval that lets it run.
    pub plan: Option<PlanRef>,
    /// The interrupted run this one resumes, as the store holds it now.
    pub resuming: Option<String>,
    /// What to ask the operator, if anything.
    pub ask: Option<Ask>,
    /// The dry-run made for the drift check (shown again when asking).
    pub preview: Option<PlanPreview>,
}

/// Checks the request against the runbook without a server: the plan resolves, the saved plan
/// still fits, approval-gated steps have a plan (4), a changing run without a terminal has
/// `--yes` (5).
pub(crate) fn check(request: &RunRequest, loaded: &LoadedRunbook) -> Result<Checked> {
    let (plan_request, continue_on_error) = request.plan_request(loaded)?;
    let plan = crate::plan::resolve(loaded, &plan_request, "check")?;
    crate::plan::resolve::refuse_state_database(&plan, &request.choices.state_db)?;
    let needs_approval: Vec<String> = gates::needing_approval(&plan, request.command)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let needs: Vec<&str> = needs_approval.iter().map(String::as_str).collect();
    gates::offline(&gates::Offline {
        command: request.command,
        direction: request.direction,
        runbook: &loaded.runbook.id,
        needs_approval: &needs,
        with_plan: request.saved().is_some(),
        confirmation: request.confirmation,
        terminal: request.terminal,
    })?;
    Ok(Checked {
        request: plan_request,
        continue_on_error,
        plan,
        needs_approval,
    })
}

/// Decides, with what `store` holds at `now`: the approval of a saved plan (4), whether an
/// interrupted run is resumed (the engine asks again under the lock, by the same rule), drift from the saved plan's counts (10, not when resuming: the
/// finished actions changed the counts on purpose), and what to ask. `preview` makes the
/// dry-run; it is called only for a saved plan, after its approval holds.
pub(crate) async fn prepare<S: StateStore>(
    store: &S,
    request: &RunRequest,
    checked: &Checked,
    now: DateTime,
    preview: impl AsyncFnOnce() -> Result<PlanPreview>,
) -> Result<Prepared> {
    let ask = ask(request, &checked.plan);
    let saved = request.saved();
    let approval = match saved {
        Some((saved, _)) => approval_of(store, request, checked, saved, now).await?,
        None => None,
    };
    let plan = &checked.plan;
    // A run whose process is gone counts as interrupted; the engine marks it so under the lock.
    let recent: Vec<_> = store
        .recent_runs(&plan.runbook_id, &plan.database)
        .await?
        .into_iter()
        .map(|mut run| {
            if run.is_dead(now) {
                run.status = RunStatus::Interrupted;
            }
            run
        })
        .collect();
    let steps: Vec<String> = plan.steps.iter().map(|s| s.step.id.clone()).collect();
    let attempt = Attempt {
        command: request.command.as_str(),
        direction: plan.direction.as_str(),
        steps: &steps,
        digest: &plan.digest,
        plan_id: saved.map(|(saved, _)| saved.plan_id.as_str()),
    };
    let resuming = match &request.resume {
        Some(id) => Some(
            resume::choose_exactly(&recent, &attempt, id)
                .map_err(|why| {
                    Error::StateConflict(format!(
                        "cannot resume run {id}: {why}; nothing was changed"
                    ))
                })?
                .id
                .clone(),
        ),
        None => resume::choose(&recent, &attempt)
            .resumed()
            .map(|run| run.id.clone()),
    };
    let Some((saved, max_drift)) = saved else {
        return Ok(Prepared {
            plan: None,
            resuming,
            ask,
            preview: None,
        });
    };
    let now_preview = preview().await?;
    let differences = crate::plan::saved::drift(&saved.content.preview, &now_preview, max_drift);
    gates::drift(&saved.plan_id, &differences, max_drift, resuming.is_some())?;
    Ok(Prepared {
        plan: Some(PlanRef {
            plan_id: saved.plan_id.clone(),
            approval,
        }),
        resuming,
        ask,
        preview: Some(now_preview),
    })
}

/// The approval that lets a saved plan's gated steps run (none needed: `None`).
async fn approval_of<S: StateStore>(
    store: &S,
    request: &RunRequest,
    checked: &Checked,
    saved: &SavedPlan,
    now: DateTime,
) -> Result<Option<Approval>> {
    if checked.needs_approval.is_empty() {
        return Ok(None);
    }
    let needs: Vec<&str> = checked.needs_approval.iter().map(String::as_str).collect();
    let approvals = store.approvals_for(&saved.plan_id).await?;
    Ok(gates::approval(&needs, &approvals, saved, &request.operator, now)?.cloned())
}

/// What to ask: nothing for `verify` or with `--yes`; the runbook id when a step loses data;
/// else yes or no.
fn ask(request: &RunRequest, plan: &RunPlan) -> Option<Ask> {
    if request.command == RunCommand::Verify || request.confirmation == Confirmation::AssumeYes {
        return None;
    }
    let losing = gates::losing_data(plan);
    Some(if losing.is_empty() {
        Ask::YesNo
    } else {
        Ask::RunbookId {
            losing: losing.into_iter().map(str::to_owned).collect(),
        }
    })
}

#[cfg(test)]
mod tests;
