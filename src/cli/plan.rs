//! `rollbook plan`: the data-level dry-run, optionally saved for approval and exact execution.

use std::path::Path;

use super::args::{GlobalArgs, OutputFormat, RunArgs};
use super::connect;
use crate::error::Result;
use crate::output::documents::plan::PlanDocument;
use crate::output::documents::RunbookRef;
use crate::output::json::Document;
use crate::output::plan_view;
use crate::plan::dry_run;
use crate::plan::saved::{PlanContent, SavedPlan};
use crate::runbook::model::Direction;
use crate::store::Store;

/// What `plan` was asked for besides the run options.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlanOptions<'a> {
    /// `--direction`.
    pub(crate) direction: Direction,
    /// `--emergency`.
    pub(crate) emergency: bool,
    /// `--out FILE`.
    pub(crate) out: Option<&'a Path>,
    /// `--wide`: the grid however narrow the terminal.
    pub(crate) wide: bool,
}

/// `rollbook plan RUNBOOK --direction D [--steps] [--param] [--out FILE] [--wide]`. Writes
/// nothing to any database.
pub(crate) async fn run(
    global: &GlobalArgs,
    reference: &str,
    args: &RunArgs,
    options: &PlanOptions<'_>,
) -> Result<()> {
    let PlanOptions {
        direction,
        emergency,
        out,
        wide,
    } = *options;
    let loaded = crate::runbook::load(reference, &global.runbooks_dir)?;
    let (request, steps, continue_on_error) = crate::engine::request::procedure_request(
        &loaded,
        direction,
        &super::request::procedure(args, emergency),
        &super::request::choices(global, args),
    )?;
    let plan = crate::plan::resolve(&loaded, &request, "plan")?;
    crate::plan::resolve::refuse_state_database(&plan, &global.state_db)?;
    let connect::Connection { client, server } = connect::connect(global).await?;
    let target = format!("database {} on {server}", plan.database);
    let store = Store::read_only(client.database(&global.state_db));
    let samples = dry_run::Samples::unless(args.no_samples);
    let preview = dry_run::preview(&client, &store, &plan, args.transaction_limit, samples).await?;
    let approvals_required: Vec<String> = preview
        .steps
        .iter()
        .filter(|s| s.approval.is_some())
        .map(|s| s.id.clone())
        .collect();
    let saved = SavedPlan::new(PlanContent {
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        created_by: connect::operator(global),
        runbook: loaded.runbook.id.clone(),
        runbook_digest: loaded.digest.clone(),
        database: plan.database.clone(),
        direction,
        steps,
        params: args.params.iter().cloned().collect(),
        continue_on_error,
        transaction_limit: args.transaction_limit,
        approvals_required: approvals_required.clone(),
        preview,
    });
    if let Some(path) = out {
        saved.write(path)?;
        // A saved plan that needs an approval tells the approvers (a plan that is only shown
        // tells nobody).
        if !approvals_required.is_empty() {
            let notifier = super::notifications::notifier(
                global,
                &loaded.runbook,
                &plan.database,
                &server.to_string(),
                &saved.content.created_by,
            );
            let notification =
                super::notifications::approval_needed(&notifier, &loaded.runbook, &saved, path);
            super::notifications::announce(
                &notifier,
                crate::runbook::model::NotificationEvent::ApprovalNeeded,
                &notification,
            )
            .await;
        }
    }
    match global.output {
        OutputFormat::Json => {
            Document::ok(
                "plan",
                PlanDocument {
                    plan_id: &saved.plan_id,
                    plan_digest: &saved.digest,
                    runbook: RunbookRef::of(&loaded),
                    database: &plan.database,
                    direction,
                    steps: &saved.content.preview.steps,
                    skipped: &plan.skipped,
                    approvals_required: &approvals_required,
                    saved_to: out,
                },
            )
            .print();
        }
        OutputFormat::Human => {
            print!(
                "{}",
                plan_view::human(
                    &saved,
                    &plan.skipped,
                    Some(&target),
                    if wide {
                        plan_view::PlanLayout::Wide
                    } else {
                        plan_view::PlanLayout::Auto
                    },
                )
            );
            if let Some(path) = out {
                println!(
                    "plan {} saved to {} ({})",
                    saved.plan_id,
                    path.display(),
                    saved.digest
                );
                let verb = if direction == Direction::Forward {
                    "apply"
                } else {
                    "rollback"
                };
                if !approvals_required.is_empty() {
                    println!(
                        "steps {} need an approval by someone else: rollbook approve --plan {} --reason \"…\"",
                        approvals_required.join(", "),
                        path.display()
                    );
                }
                println!(
                    "then run exactly this plan: rollbook {verb} --plan {}",
                    path.display()
                );
            }
        }
    }
    Ok(())
}
