//! `rollbook resume RUN_ID`: the run's own command, steps, parameters and saved plan, rebuilt
//! from its record and run through the same gates as the command that started it; the engine
//! resumes exactly that run, or refuses and says why.

use super::args::{GlobalArgs, ResumeArgs};
use super::connect;
use crate::engine::request::{Choices, PlanSource, Procedure, RunRequest};
use crate::engine::RunCommand;
use crate::error::{Error, Result};
use crate::plan::saved::SavedPlan;
use crate::runbook::model::Direction;
use crate::store::runs::RunRecord;

/// Resumes run `run_id`; returns the run's exit code.
pub(crate) async fn run(global: &GlobalArgs, run_id: &str, args: &ResumeArgs) -> Result<i32> {
    let client = connect::connect(global).await?.client;
    let store = connect::store(&client, global).await?;
    let Some(run) = store.run(run_id).await? else {
        return Err(Error::Usage(format!(
            "there is no run {run_id} in the state database {} (`rollbook runs` lists them); nothing was changed",
            global.state_db
        )));
    };
    let (command, direction) = match (run.command.as_str(), run.direction.as_str()) {
        ("apply", "forward") => (RunCommand::Apply, Direction::Forward),
        ("rollback", "rollback") => (RunCommand::Rollback, Direction::Rollback),
        ("verify", _) => {
            return Err(Error::Usage(format!(
                "run {run_id} is a verify run, which only reads: run `rollbook verify {}` again; nothing was changed",
                run.runbook
            )))
        }
        (command, direction) => {
            return Err(Error::StateConflict(format!(
                "run {run_id} is recorded as {command} {direction}, which rollbook does not run; nothing was changed"
            )))
        }
    };
    if let Some(db) = global.db.as_deref().filter(|db| *db != run.database) {
        return Err(Error::Usage(format!(
            "run {run_id} ran on database {}, not {db}; resume runs on the run's own database (leave out --db); nothing was changed",
            run.database
        )));
    }
    let loaded = crate::runbook::load(&run.runbook, &global.runbooks_dir)?;
    if loaded.digest != run.digest {
        return Err(Error::StateConflict(format!(
            "runbook {} changed since run {run_id} started ({} then, {} now): its journal describes the old version; put the runbook back as it was, or `rollbook abandon {run_id}`; nothing was changed",
            run.runbook, run.digest, loaded.digest
        )));
    }
    let source = match &run.plan_id {
        Some(plan_id) => PlanSource::Saved {
            plan: Box::new(saved_plan(&store, &run, plan_id, args).await?),
            max_drift: 0.0,
            steps: None,
        },
        None => PlanSource::Procedure(Procedure::Selected {
            steps: run.steps.join(","),
            continue_on_error: run.continue_on_error,
        }),
    };
    let request = RunRequest {
        command,
        direction,
        runbook: Some(loaded.path.display().to_string()),
        source,
        choices: Choices {
            params: run.params.clone().into_iter().collect(),
            state_db: global.state_db.clone(),
            database: Some(run.database.clone()),
            fail_on_unsupported: false,
            no_samples: false,
            transaction_limit: args.transaction_limit,
            opt_ins: args.with.clone(),
            acknowledged: args.ack.clone(),
            on_conflict: args.on_conflict,
        },
        operator: connect::operator(global),
        confirmation: super::request::confirmation(global),
        terminal: super::request::terminal(),
        resume: Some(run_id.to_owned()),
    };
    super::run::execute(global, request, false).await
}

/// The saved plan run `run` executed: `--plan FILE` when given (it must be that plan), else the
/// one recorded in the state database when it was approved; either must still match its digest.
async fn saved_plan(
    store: &crate::store::Store,
    run: &RunRecord,
    plan_id: &str,
    args: &ResumeArgs,
) -> Result<SavedPlan> {
    let plan = match &args.plan {
        Some(file) => SavedPlan::read(file)?,
        None => store
            .plan_by_id::<SavedPlan>(plan_id)
            .await?
            .ok_or_else(|| {
                Error::Usage(format!(
                    "run {} executed plan {plan_id}, which is not recorded in the state database (a plan is recorded when it is approved): pass --plan FILE; nothing was changed",
                    run.id
                ))
            })?,
    };
    plan.check_integrity()?;
    if plan.plan_id != plan_id {
        return Err(Error::Usage(format!(
            "run {} executed plan {plan_id}, not {}; nothing was changed",
            run.id, plan.plan_id
        )));
    }
    Ok(plan)
}
