//! What the operator asked a run to do, typed: built once from the command line, and turned
//! here into the plan request for the loaded runbook (a pure function).

use super::gates::{Confirmation, Terminal};
use super::RunCommand;
use crate::error::{Error, Result};
use crate::plan::saved::SavedPlan;
use crate::plan::PlanRequest;
use crate::runbook::model::Direction;
use crate::runbook::selection::StepSelection;
use crate::runbook::LoadedRunbook;

/// Which steps run: the ones chosen on the command line, or the runbook's emergency procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Procedure {
    /// `--steps` (and `--continue-on-error`).
    Selected {
        /// `all`, `23`, `20-23` or `19,21,23`.
        steps: String,
        /// Go on past a failed step.
        continue_on_error: bool,
    },
    /// `rollback --emergency`: the runbook's declared steps, going on past failures.
    Emergency,
}

/// Where the run's plan comes from.
#[derive(Debug, Clone)]
pub(crate) enum PlanSource {
    /// Resolved now from the runbook.
    Procedure(Procedure),
    /// A saved (and perhaps approved) plan file, executed exactly.
    Saved {
        /// The plan as read.
        plan: Box<SavedPlan>,
        /// How far, in percent, the data may have drifted from its predicted counts.
        max_drift: f64,
        /// `--steps` given beside the plan: it must select exactly the plan's steps.
        steps: Option<String>,
    },
}

/// The run-time choices that are not about which steps run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Choices {
    /// `--param NAME=VALUE`, in the order given.
    pub params: Vec<(String, String)>,
    /// `--state-db`: rollbook's own database, which no runbook may act on.
    pub state_db: String,
    /// `--db`.
    pub database: Option<String>,
    /// `--fail-on-unsupported`.
    pub fail_on_unsupported: bool,
    /// `--no-samples`.
    pub no_samples: bool,
    /// `--transaction-limit`.
    pub transaction_limit: u64,
    /// `--with NAME`: opt-in shell actions.
    pub opt_ins: Vec<String>,
    /// `--ack STEP`: checklists and manual actions acknowledged without a prompt.
    pub acknowledged: Vec<String>,
    /// `--on-conflict`.
    pub on_conflict: crate::actions::OnConflict,
}

/// `apply`, `rollback` or `verify`, as asked.
#[derive(Debug, Clone)]
pub(crate) struct RunRequest {
    /// The command.
    pub command: RunCommand,
    /// The direction it runs.
    pub direction: Direction,
    /// The runbook id or path given, if any (optional with a saved plan).
    pub runbook: Option<String>,
    /// The plan's source.
    pub source: PlanSource,
    /// Everything else chosen.
    pub choices: Choices,
    /// Who runs it.
    pub operator: String,
    /// `--yes`, or ask.
    pub confirmation: Confirmation,
    /// Whether there is a terminal to ask on.
    pub terminal: Terminal,
    /// `rollbook resume RUN_ID`: resume exactly this run, or refuse.
    pub resume: Option<String>,
}

impl RunRequest {
    /// The saved plan executed, if any.
    pub(crate) fn saved(&self) -> Option<(&SavedPlan, f64)> {
        match &self.source {
            PlanSource::Saved {
                plan, max_drift, ..
            } => Some((plan, *max_drift)),
            PlanSource::Procedure(_) => None,
        }
    }

    /// The runbook to load: the one named, else the saved plan's.
    pub(crate) fn runbook_reference(&self) -> Result<&str> {
        match (&self.runbook, &self.source) {
            (Some(reference), _) => Ok(reference),
            (None, PlanSource::Saved { plan, .. }) => Ok(&plan.content.runbook),
            (None, PlanSource::Procedure(_)) => {
                Err(Error::Usage("name a runbook, or pass --plan FILE".into()))
            }
        }
    }

    /// The largest number of documents a step may write and still run in one transaction:
    /// the saved plan's, else the one chosen.
    pub(crate) fn transaction_limit(&self) -> u64 {
        self.saved()
            .map_or(self.choices.transaction_limit, |(plan, _)| {
                plan.content.transaction_limit
            })
    }

    /// The plan request for `loaded`, and whether to go on past failed steps. A saved plan
    /// must still fit the runbook: same id and digest, same direction, same database.
    pub(crate) fn plan_request(&self, loaded: &LoadedRunbook) -> Result<(PlanRequest, bool)> {
        match &self.source {
            PlanSource::Procedure(procedure) => {
                let (request, _, continue_on_error) =
                    procedure_request(loaded, self.direction, procedure, &self.choices)?;
                Ok((request, continue_on_error))
            }
            PlanSource::Saved { plan, steps, .. } => {
                saved_plan_fits(
                    plan,
                    loaded,
                    self.direction,
                    self.choices.database.as_deref(),
                )?;
                choices_fit_plan(plan, loaded, steps.as_deref(), &self.choices.params)?;
                let content = &plan.content;
                let request = PlanRequest {
                    direction: self.direction,
                    selection: StepSelection::parse(&content.steps).map_err(Error::Usage)?,
                    params: content.params.clone().into_iter().collect(),
                    database: Some(content.database.clone()),
                    fail_on_unsupported: false,
                };
                Ok((request, content.continue_on_error))
            }
        }
    }
}

/// The plan request of `procedure` on `loaded`, the steps it names as written, and whether to
/// go on past failed steps (`plan` uses it too).
pub(crate) fn procedure_request(
    loaded: &LoadedRunbook,
    direction: Direction,
    procedure: &Procedure,
    choices: &Choices,
) -> Result<(PlanRequest, String, bool)> {
    let (steps, continue_on_error) = match procedure {
        Procedure::Emergency => {
            let declared = loaded.runbook.emergency.as_ref().ok_or_else(|| {
                Error::Usage(format!(
                    "runbook {} declares no emergency procedure; nothing was changed",
                    loaded.runbook.id
                ))
            })?;
            if direction != Direction::Rollback {
                return Err(Error::Usage("--emergency is a rollback procedure".into()));
            }
            (declared.steps.clone(), true)
        }
        Procedure::Selected {
            steps,
            continue_on_error,
        } => (steps.clone(), *continue_on_error),
    };
    let request = PlanRequest {
        direction,
        selection: StepSelection::parse(&steps).map_err(Error::Usage)?,
        params: choices.params.clone(),
        database: choices.database.clone(),
        fail_on_unsupported: choices.fail_on_unsupported,
    };
    Ok((request, steps, continue_on_error))
}

/// Refuses `--steps` and `--param` given beside a saved plan that say something else than the
/// plan (exit 2): the plan is executed exactly, so a contradicting choice would be silently
/// ignored. The same steps (in any spelling) and the plan's own parameter values are fine.
fn choices_fit_plan(
    saved: &SavedPlan,
    loaded: &LoadedRunbook,
    steps: Option<&str>,
    params: &[(String, String)],
) -> Result<()> {
    let content = &saved.content;
    if let Some(steps) = steps {
        let ids = |selection: &str| -> Result<Vec<String>> {
            Ok(StepSelection::parse(selection)
                .map_err(Error::Usage)?
                .select(&loaded.runbook.steps)?
                .into_iter()
                .map(|s| s.id.clone())
                .collect())
        };
        let planned = ids(&content.steps)?;
        if ids(steps)? != planned {
            return Err(Error::Usage(format!(
                "--steps {steps} contradicts plan {}, which runs steps {}: leave out --steps to run the plan exactly, or make a new plan for other steps; nothing was changed",
                saved.plan_id,
                planned.join(", ")
            )));
        }
    }
    if params.is_empty() {
        return Ok(());
    }
    let planned: Vec<(String, String)> = content.params.clone().into_iter().collect();
    let planned = crate::runbook::params::resolve(&loaded.runbook.params, &planned)?;
    for (name, value) in params {
        let given = loaded
            .runbook
            .params
            .iter()
            .find(|p| &p.name == name)
            .map(|p| crate::runbook::params::check_value(p, value));
        match (given, planned.get(name)) {
            (Some(Ok(given)), Some(planned)) if &given == planned => {}
            (_, planned) => {
                return Err(Error::Usage(format!(
                    "--param {name}={value} contradicts plan {}, which {}: leave out --param to run the plan exactly, or make a new plan; nothing was changed",
                    saved.plan_id,
                    planned.map_or_else(
                        || format!("has no parameter {name}"),
                        |p| format!("was made with {name}={p}")
                    )
                )));
            }
        }
    }
    Ok(())
}

/// Refuses a saved plan that no longer fits: another runbook (2), a changed runbook (10),
/// another direction (2), another `--db` (2).
fn saved_plan_fits(
    saved: &SavedPlan,
    loaded: &LoadedRunbook,
    direction: Direction,
    database: Option<&str>,
) -> Result<()> {
    let content = &saved.content;
    if loaded.runbook.id != content.runbook {
        return Err(Error::Usage(format!(
            "plan {} is for runbook {}, not {}",
            saved.plan_id, content.runbook, loaded.runbook.id
        )));
    }
    if loaded.digest != content.runbook_digest {
        return Err(Error::PlanDrift(format!(
            "runbook {} changed since plan {} was made ({} then, {} now); make a new plan; nothing was changed",
            content.runbook, saved.plan_id, content.runbook_digest, loaded.digest
        )));
    }
    if content.direction != direction {
        return Err(Error::Usage(format!(
            "plan {} is a {} plan; run it with `rollbook {} --plan …`",
            saved.plan_id,
            content.direction.as_str(),
            if content.direction == Direction::Forward {
                "apply"
            } else {
                "rollback"
            }
        )));
    }
    if database.is_some_and(|db| db != content.database) {
        return Err(Error::Usage(format!(
            "plan {} targets database {}, not the one given with --db; leave out --db to run the plan exactly; nothing was changed",
            saved.plan_id, content.database
        )));
    }
    Ok(())
}
