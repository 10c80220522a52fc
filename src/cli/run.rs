//! `apply`, `rollback` and `verify`: resolve, connect, run through the engine, render.

use std::io::IsTerminal;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::args::{GlobalArgs, OutputFormat};
use super::connect;
use super::interrupt;
use super::progress::{self, Progress, ProgressMode};
use super::prompt;
use super::request::RunInvocation;
use crate::actions::{Confirmer, ManualAnswer, RunEnv};
use crate::engine::prepare::{self, Ask};
use crate::engine::{Engine, RunCommand, RunOptions, RunReport};
use crate::error::{Error, Result};
use crate::output::run_report;
use crate::plan::dry_run;
use crate::plan::saved::SavedPlan;
use crate::runbook::model::Direction;
use crate::runbook::LoadedRunbook;

/// Runs one of the three run commands; returns the run's exit code. The gates, in order:
/// bad input (2), a missing approved plan (4), no terminal and no `--yes` (5) — all before
/// connecting — then with the database: the approval itself (4), drift from the saved plan
/// (10), the lock (6), and the operator's confirmation (5). Nothing is written before all pass.
pub(crate) async fn run(global: &GlobalArgs, invocation: &RunInvocation<'_>) -> Result<i32> {
    let request = super::request::run_request(global, invocation)?;
    let last_applied = request.command == RunCommand::Verify && invocation.direction.is_none();
    execute(global, request, last_applied).await
}

/// Runs `request` through the gates and the engine, and renders the report; returns the run's
/// exit code. With `last_applied`, `verify` checks the direction last applied to the steps.
pub(crate) async fn execute(
    global: &GlobalArgs,
    mut request: crate::engine::request::RunRequest,
    last_applied: bool,
) -> Result<i32> {
    let loaded = crate::runbook::load(request.runbook_reference()?, &global.runbooks_dir)?;
    let mut checked = prepare::check(&request, &loaded)?;
    // A protected context's name is typed before anything is asked of the server.
    if request.command != RunCommand::Verify {
        super::contexts::confirm_protected(
            global,
            &format!(
                "{} of {} steps {} changes database {}.",
                request.command.as_str(),
                loaded.runbook.id,
                checked
                    .plan
                    .steps
                    .iter()
                    .map(|s| s.step.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                checked.plan.database
            ),
        )?;
    }
    let connect::Connection { client, server } = connect::connect(global).await?;
    let target = format!("database {} on {server}", checked.plan.database);
    let store = connect::store(&client, global).await?;
    if last_applied {
        // Without --direction, verify checks what was last done to the selected steps.
        let states = store
            .step_states(&loaded.runbook.id, &checked.plan.database)
            .await?;
        let last: Vec<(&str, Option<&str>)> = checked
            .plan
            .steps
            .iter()
            .map(|planned| {
                let id = planned.step.id.as_str();
                let state = states.iter().find(|s| s.step == id);
                (id, state.and_then(|s| s.last_direction.as_deref()))
            })
            .collect();
        let direction = last_applied_direction(&last)?;
        if direction != request.direction {
            request.direction = direction;
            checked = prepare::check(&request, &loaded)?;
        }
    }
    let db_user = crate::store::approvals::authenticated_user(&client).await;
    let limit = request.transaction_limit();
    let samples = dry_run::Samples::unless(request.choices.no_samples);
    let prepared = prepare::prepare(
        &store,
        &request,
        &checked,
        mongodb::bson::DateTime::now(),
        async || dry_run::preview(&client, &store, &checked.plan, limit, samples).await,
    )
    .await?;
    let interrupt = Arc::new(AtomicBool::new(false));
    let activity = Arc::new(interrupt::Activity::default());
    let watcher = interrupt::watch(interrupt.clone(), activity.clone())?;
    // The plan the operator saw (a saved plan's, or the one shown to confirm): its estimates
    // go with the run, to be set against what each step took.
    let mut shown = prepared.preview.clone();
    if let Some(ask) = &prepared.ask {
        if let Some(run) = &prepared.resuming {
            eprintln!(
                "this resumes interrupted run {run}: its finished actions are not done again"
            );
        }
        let preview = match prepared.preview.clone() {
            Some(preview) => preview,
            None => dry_run::preview(&client, &store, &checked.plan, limit, samples).await?,
        };
        shown = Some(preview.clone());
        activity.set_prompting(true);
        let confirmed = confirm(&loaded, &checked.plan, preview, limit, ask, &target);
        activity.set_prompting(false);
        confirmed?;
    }
    let notifier = Arc::new(super::notifications::notifier(
        global,
        &loaded.runbook,
        &checked.plan.database,
        &server.to_string(),
        &request.operator,
    ));
    let env = RunEnv {
        params: checked.plan.params.clone(),
        opt_ins: request.choices.opt_ins.clone(),
        confirmer: Arc::new(TerminalConfirmer { target }),
        acknowledged: request.choices.acknowledged.clone(),
        on_conflict: request.choices.on_conflict,
        notifier: notifier.clone(),
    };
    let estimates: std::collections::HashMap<String, u64> = shown
        .as_ref()
        .map(|p| {
            p.steps
                .iter()
                .map(|s| (s.id.clone(), s.estimate_ms))
                .collect()
        })
        .unwrap_or_default();
    let expected = shown
        .as_ref()
        .map(|p| {
            p.steps
                .iter()
                .map(|s| (s.id.clone(), s.actions.iter().map(|a| a.affected).collect()))
                .collect()
        })
        .unwrap_or_default();
    let options = RunOptions {
        command: request.command,
        operator: request.operator.clone(),
        continue_on_error: checked.continue_on_error,
        transaction_limit: limit,
        interrupt,
        db_user,
        plan: prepared.plan,
        resume: request.resume.clone(),
        notifications_silenced: global.no_notify && notifier.has_targets(),
        estimates: estimates.clone(),
        expected,
    };
    let mode = if global.quiet {
        ProgressMode::Off
    } else if std::io::stderr().is_terminal() {
        ProgressMode::Terminal
    } else if global.log_format == super::args::LogFormat::Json {
        ProgressMode::JsonLines
    } else {
        ProgressMode::Lines
    };
    let progress = Progress::new(mode, activity.clone(), estimates);
    let ticker = progress::ticker(mode, activity);
    let events = super::notifications::NotifyingSink::new(
        &progress,
        notifier.clone(),
        request.command,
        checked.plan.direction.as_str(),
        checked
            .plan
            .steps
            .iter()
            .map(|s| s.step.id.clone())
            .collect(),
    );
    let engine = Engine {
        client: &client,
        store: &store,
        env: &env,
        events: &events,
        options: &options,
    };
    let report = engine.run(&loaded, &checked.request).await;
    watcher.abort();
    ticker.abort();
    let pending = events.pending();
    let started = events.run_id();
    drop(events);
    drop(progress);
    let mut report = match (report, started) {
        (Ok(report), _) => report,
        (Err(error), Some(run_id)) => {
            super::notifications::failed_without_report(
                global,
                &notifier,
                pending,
                &run_id,
                request.command,
                &error,
            )
            .await;
            return Err(error);
        }
        (Err(error), None) => return Err(error),
    };
    super::notifications::finish(global, &store, &notifier, pending, &mut report).await;
    render(global, &report);
    Ok(report.exit_code)
}

/// The direction whose checks `verify` runs when none is given: the one last applied to the
/// selected steps (forward for steps never run, as deployed). Steps last run in different
/// directions cannot be verified in one run: a usage error names them.
fn last_applied_direction(steps: &[(&str, Option<&str>)]) -> Result<Direction> {
    let of = |wanted: &str| -> Vec<&str> {
        steps
            .iter()
            .filter(|(_, last)| *last == Some(wanted))
            .map(|(id, _)| *id)
            .collect()
    };
    let (rolled_back, applied) = (of("rollback"), of("forward"));
    match (rolled_back.is_empty(), applied.is_empty()) {
        (true, _) => Ok(Direction::Forward),
        (false, true) => Ok(Direction::Rollback),
        (false, false) => Err(Error::Usage(format!(
            "steps {} were last rolled back and steps {} last applied forward; verify them \
             separately (--steps) or pass --direction",
            rolled_back.join(", "),
            applied.join(", ")
        ))),
    }
}

/// Shows what will change and asks, naming the server and database: the runbook id typed out
/// when a step loses data, else yes or no — each a whole line ended by Enter.
fn confirm(
    loaded: &LoadedRunbook,
    plan: &crate::plan::RunPlan,
    preview: dry_run::PlanPreview,
    limit: u64,
    ask: &Ask,
    target: &str,
) -> Result<()> {
    let summary = SavedPlan::new(crate::plan::saved::PlanContent {
        created_at: String::new(),
        created_by: String::new(),
        runbook: loaded.runbook.id.clone(),
        runbook_digest: loaded.digest.clone(),
        database: plan.database.clone(),
        direction: plan.direction,
        steps: plan
            .steps
            .iter()
            .map(|s| s.step.id.clone())
            .collect::<Vec<_>>()
            .join(","),
        params: plan.params.clone(),
        continue_on_error: false,
        transaction_limit: limit,
        approvals_required: Vec::new(),
        preview,
    });
    eprint!(
        "{}",
        crate::output::plan_view::human(
            &summary,
            &plan.skipped,
            Some(target),
            crate::output::plan_view::PlanLayout::Auto
        )
    );
    let declined = || Error::NotConfirmed("declined by the operator; nothing was changed".into());
    let Ask::RunbookId { losing } = ask else {
        let question = format!(
            "Run {} of {} on {target}?",
            plan.direction.as_str(),
            loaded.runbook.id,
        );
        return match prompt::yes_no(&question) {
            prompt::Answer::Yes => Ok(()),
            prompt::Answer::No | prompt::Answer::Closed => Err(declined()),
        };
    };
    let question = format!(
        "Run {} of {} on {target}? Step(s) {} remove or overwrite data (rollbook snapshots it \
         first, so the other direction can restore it).",
        plan.direction.as_str(),
        loaded.runbook.id,
        losing.join(", "),
    );
    match prompt::typed(&question, &loaded.runbook.id) {
        prompt::Typed::Matched => Ok(()),
        prompt::Typed::Mismatch(typed) => Err(Error::NotConfirmed(format!(
            "you typed {typed:?}, expected the runbook id {:?}; nothing was changed",
            loaded.runbook.id
        ))),
        prompt::Typed::Closed => Err(declined()),
    }
}

fn render(global: &GlobalArgs, report: &RunReport) {
    match global.output {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(report).unwrap_or_default()
        ),
        OutputFormat::Human => print!("{}", run_report::human(report)),
    }
    // The headline goes to stderr in both formats, so a script that keeps stdout for the JSON
    // report still shows the operator what went wrong.
    if let Some(error) = &report.error {
        eprintln!(
            "error[{}]: {}",
            error.code,
            crate::secrets::redact(&error.message)
        );
    }
}

/// Asks about manual actions on the terminal; with no terminal, leaves them pending.
struct TerminalConfirmer {
    /// The database and server the run works on, named in every prompt.
    target: String,
}

impl Confirmer for TerminalConfirmer {
    fn confirm_manual(&self, step: &str, title: &str, lines: &[String]) -> ManualAnswer {
        if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
            return ManualAnswer::Unavailable;
        }
        eprintln!("\nstep {step} — {title}:");
        for line in lines {
            eprintln!("  {line}");
        }
        match prompt::yes_no(&format!("Is step {step} done ({})?", self.target)) {
            prompt::Answer::Yes => ManualAnswer::Done,
            prompt::Answer::No => ManualAnswer::NotDone,
            prompt::Answer::Closed => ManualAnswer::Unavailable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_checks_the_direction_last_applied() {
        let never = [("19", None), ("20", None)];
        assert_eq!(
            last_applied_direction(&never).ok(),
            Some(Direction::Forward)
        );
        let rolled = [("19", Some("rollback")), ("20", None)];
        assert_eq!(
            last_applied_direction(&rolled).ok(),
            Some(Direction::Rollback)
        );
        let applied = [("19", Some("forward")), ("20", Some("forward"))];
        assert_eq!(
            last_applied_direction(&applied).ok(),
            Some(Direction::Forward)
        );
        let mixed = [("19", Some("rollback")), ("20", Some("forward"))];
        let error = last_applied_direction(&mixed).err().map(|e| e.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("steps 19 were last rolled back")),
            "{error:?}"
        );
    }
}
