//! `rollbook approve`: record an approval of a saved plan, bound to its digest, expiring.

use std::path::Path;

use mongodb::bson::{doc, DateTime};

use super::args::{GlobalArgs, OutputFormat};
use super::connect;
use crate::engine::gates::{Confirmation, Terminal};
use crate::error::{Error, Result};
use crate::output::documents::plan::ApproveDocument;
use crate::output::json::Document;
use crate::plan::saved::SavedPlan;
use crate::store::approvals::{authenticated_user, Approval};
use crate::store::audit::AuditEvent;
use crate::store::Store;

/// What to approve and why.
pub(crate) struct ApproveArgs<'a> {
    /// A recorded plan's id.
    pub plan_id: Option<&'a str>,
    /// A plan file.
    pub plan_file: Option<&'a Path>,
    /// Why.
    pub reason: &'a str,
    /// Ticket reference.
    pub ticket: Option<&'a str>,
    /// Lifetime in minutes.
    pub expires_in_minutes: i64,
}

/// Records the approval.
pub(crate) async fn run(global: &GlobalArgs, args: &ApproveArgs<'_>) -> Result<()> {
    if args.reason.trim().is_empty() {
        return Err(Error::Usage(
            "--reason must say why the plan is approved; nothing was recorded".into(),
        ));
    }
    if !(1..=24 * 60).contains(&args.expires_in_minutes) {
        return Err(Error::Usage(
            "--expires-in must be between 1 and 1440 minutes; nothing was recorded".into(),
        ));
    }
    let confirmation = super::request::confirmation(global);
    let terminal = super::request::terminal();
    if confirmation == Confirmation::Prompt && terminal == Terminal::Absent {
        return Err(Error::NotConfirmed(
            "approving a plan needs confirmation, and there is no terminal to ask on: read the plan \
             (`rollbook plan …` or the plan file), then pass --yes; nothing was recorded"
                .into(),
        ));
    }
    let connect::Connection { client, server } = connect::connect(global).await?;
    crate::runbook::names::check_database(&global.state_db)
        .map_err(|m| Error::Usage(format!("--state-db: {m}")))?;
    let reader = Store::read_only(client.database(&global.state_db));
    let plan = match (args.plan_file, args.plan_id) {
        (Some(path), _) => SavedPlan::read(path)?,
        (None, Some(id)) => reader.plan_by_id::<SavedPlan>(id).await?.ok_or_else(|| {
            Error::Usage(format!(
                "no recorded plan {id}; approve it with --plan FILE; nothing was recorded"
            ))
        })?,
        (None, None) => return Err(Error::Usage("name a plan id or pass --plan FILE".into())),
    };
    plan.check_integrity()?;
    let approver = connect::operator(global);
    let now = DateTime::now();
    let until = DateTime::from_millis(now.timestamp_millis() + args.expires_in_minutes * 60_000)
        .try_to_rfc3339_string()
        .unwrap_or_default();
    let shown = crate::output::approval_view::human(&plan, &server.to_string(), &until);
    if confirmation == Confirmation::Prompt {
        eprint!("{shown}");
        let question = format!(
            "Approve plan {} for database {} on {server}, as {approver}?",
            plan.plan_id, plan.content.database
        );
        if super::prompt::yes_no(&question) != super::prompt::Answer::Yes {
            return Err(Error::NotConfirmed(
                "declined; no approval was recorded".into(),
            ));
        }
    }
    super::contexts::confirm_protected(
        global,
        &format!(
            "Approving plan {} lets it run on database {}.",
            plan.plan_id, plan.content.database
        ),
    )?;
    let store = connect::store(&client, global).await?;
    let approval = Approval {
        plan_id: plan.plan_id.clone(),
        plan_digest: plan.digest.clone(),
        runbook: plan.content.runbook.clone(),
        database: plan.content.database.clone(),
        approver: approver.clone(),
        db_user: authenticated_user(&client).await,
        reason: args.reason.trim().to_owned(),
        ticket: args.ticket.map(str::to_owned),
        created_at: now,
        expires_at: DateTime::from_millis(
            now.timestamp_millis() + args.expires_in_minutes * 60_000,
        ),
        revoked: None,
    };
    store.record_plan(&plan.plan_id, &plan).await?;
    store.record_approval(&approval).await?;
    store
        .audit(
            &AuditEvent {
                run_id: None,
                runbook: &plan.content.runbook,
                database: &plan.content.database,
                operator: &approver,
                event: "plan_approved",
                step: None,
                details: doc! {"plan_id": &plan.plan_id, "plan_digest": &plan.digest, "reason": &approval.reason,
                                "ticket": &approval.ticket, "db_user": &approval.db_user, "expires_at": approval.expires_at,
                                "steps": &plan.content.approvals_required},
            },
            None,
        )
        .await?;
    notify_approved(
        global,
        &server.to_string(),
        &plan,
        &approval,
        args.plan_file,
    )
    .await;
    let expires = approval
        .expires_at
        .try_to_rfc3339_string()
        .unwrap_or_default();
    match global.output {
        OutputFormat::Json => {
            Document::ok(
                "approve",
                ApproveDocument {
                    approval: &approval,
                    server: server.to_string(),
                    steps: &plan.content.preview.steps,
                },
            )
            .print();
        }
        OutputFormat::Human => {
            if confirmation == Confirmation::AssumeYes {
                print!("{shown}");
            }
            println!(
                "approved plan {} ({} {} on {}, steps {}) by {approver} until {expires}",
                plan.plan_id,
                plan.content.direction.as_str(),
                plan.content.runbook,
                plan.content.database,
                plan.content.steps
            );
            if approver == plan.content.created_by {
                eprintln!(
                    "note: you made this plan; whoever runs it must be someone other than you"
                );
            }
        }
    }
    Ok(())
}

/// Tells the runbook's notification targets that `plan` was approved; a runbook that cannot be
/// loaded any more, or a target not reached, is a warning.
async fn notify_approved(
    global: &GlobalArgs,
    server: &str,
    plan: &SavedPlan,
    approval: &Approval,
    plan_file: Option<&Path>,
) {
    let loaded = match crate::runbook::load(&plan.content.runbook, &global.runbooks_dir) {
        Ok(loaded) => loaded,
        Err(e) => {
            if !global.no_notify {
                eprintln!("warning: nobody was notified of the approval: {e}");
            }
            return;
        }
    };
    let notifier = super::notifications::notifier(
        global,
        &loaded.runbook,
        &plan.content.database,
        server,
        &approval.approver,
    );
    let notification =
        super::notifications::approved(&notifier, &loaded.runbook, plan, approval, plan_file);
    super::notifications::announce(
        &notifier,
        crate::runbook::model::NotificationEvent::Approved,
        &notification,
    )
    .await;
}
