//! `rollbook approvals list|revoke`: the approvals a state database holds, and taking a plan's
//! back before it runs. A revoked approval lets nothing run; the revocation is audited and
//! told to the runbook's notification targets.

use std::io::IsTerminal;

use mongodb::bson::{doc, DateTime};

use super::args::{ApprovalsCommand, GlobalArgs, OutputFormat};
use super::connect;
use crate::error::{Error, Result};
use crate::output::documents::plan::{ApprovalsDocument, RevokeDocument};
use crate::output::human;
use crate::output::json::Document;
use crate::runbook::model::NotificationEvent;
use crate::store::approvals::{Approval, Revocation};
use crate::store::audit::AuditEvent;

/// Runs an `approvals` command.
pub(crate) async fn run(global: &GlobalArgs, command: &ApprovalsCommand) -> Result<()> {
    match command {
        ApprovalsCommand::List { runbook, limit } => list(global, runbook.as_deref(), *limit).await,
        ApprovalsCommand::Revoke { plan_id, reason } => revoke(global, plan_id, reason).await,
    }
}

fn when(at: DateTime) -> String {
    at.try_to_rfc3339_string().unwrap_or_default()
}

async fn list(global: &GlobalArgs, runbook: Option<&str>, limit: i64) -> Result<()> {
    if limit < 1 {
        return Err(Error::Usage("--limit must be at least 1".into()));
    }
    let connect::Connection { client, .. } = connect::connect(global).await?;
    let store = crate::store::Store::read_only(client.database(&global.state_db));
    let approvals = store.approvals(runbook, limit).await?;
    match global.output {
        OutputFormat::Json => Document::ok(
            "approvals",
            ApprovalsDocument {
                approvals: &approvals,
            },
        )
        .print(),
        OutputFormat::Human => {
            if approvals.is_empty() {
                println!("no approvals in the state database {}", global.state_db);
            }
            let now = DateTime::now();
            for a in &approvals {
                let standing = match &a.revoked {
                    Some(r) => format!("revoked by {} at {}: {}", r.by, when(r.at), r.reason),
                    None if a.expires_at <= now => format!("expired {}", when(a.expires_at)),
                    None => format!("valid until {}", when(a.expires_at)),
                };
                print!(
                    "{}",
                    human::paragraph(&format!(
                        "plan {} — {} on {}, approved by {} at {} ({}{}): {standing}",
                        a.plan_id,
                        a.runbook,
                        a.database,
                        a.approver,
                        when(a.created_at),
                        a.reason,
                        a.ticket
                            .as_deref()
                            .map(|t| format!(", {t}"))
                            .unwrap_or_default()
                    ))
                );
            }
        }
    }
    Ok(())
}

async fn revoke(global: &GlobalArgs, plan_id: &str, reason: &str) -> Result<()> {
    if reason.trim().is_empty() {
        return Err(Error::Usage(
            "--reason must say why the approval is revoked; nothing was changed".into(),
        ));
    }
    let connect::Connection { client, server } = connect::connect(global).await?;
    let reader = crate::store::Store::read_only(client.database(&global.state_db));
    let open: Vec<Approval> = reader
        .approvals_for(plan_id)
        .await?
        .into_iter()
        .filter(|a| a.revoked.is_none())
        .collect();
    let Some(first) = open.first().cloned() else {
        return Err(Error::Usage(format!(
            "plan {plan_id} has no approval that is not revoked already; nothing was changed"
        )));
    };
    if !global.yes {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(Error::NotConfirmed(format!(
                "revoking the approvals of plan {plan_id} needs confirmation: pass --yes; nothing was changed"
            )));
        }
        let go = super::prompt::yes_no(&format!(
            "Revoke {} approval(s) of plan {plan_id} ({} on database {} on {server})? It can no longer run.",
            open.len(),
            first.runbook,
            first.database
        )) == super::prompt::Answer::Yes;
        if !go {
            return Err(Error::NotConfirmed("declined; the approvals stand".into()));
        }
    }
    super::contexts::confirm_protected(
        global,
        &format!("Revoking the approvals of plan {plan_id} stops it from running."),
    )?;
    let store = connect::store(&client, global).await?;
    let operator = connect::operator(global);
    let revocation = Revocation {
        by: operator.clone(),
        at: DateTime::now(),
        reason: reason.trim().to_owned(),
    };
    let revoked = store.revoke_approvals(plan_id, &revocation).await?;
    store
        .audit(
            &AuditEvent {
                run_id: None,
                runbook: &first.runbook,
                database: &first.database,
                operator: &operator,
                event: "approval_revoked",
                step: None,
                details: doc! {"plan_id": plan_id, "reason": &revocation.reason,
                "approvers": revoked.iter().map(|a| a.approver.clone()).collect::<Vec<_>>()},
            },
            None,
        )
        .await?;
    notify_revoked(global, &server.to_string(), &first, &revocation).await;
    match global.output {
        OutputFormat::Json => Document::ok(
            "approvals",
            RevokeDocument {
                plan_id,
                revoked: &revoked,
                revocation: &revocation,
            },
        )
        .print(),
        OutputFormat::Human => println!(
            "revoked {} approval(s) of plan {plan_id}; it can no longer run",
            revoked.len()
        ),
    }
    Ok(())
}

/// Tells the runbook's notification targets; a runbook that cannot be loaded any more is a
/// warning.
async fn notify_revoked(
    global: &GlobalArgs,
    server: &str,
    approval: &Approval,
    revocation: &Revocation,
) {
    let loaded = match crate::runbook::load(&approval.runbook, &global.runbooks_dir) {
        Ok(loaded) => loaded,
        Err(e) => {
            if !global.no_notify {
                eprintln!("warning: nobody was notified of the revocation: {e}");
            }
            return;
        }
    };
    let notifier = super::notifications::notifier(
        global,
        &loaded.runbook,
        &approval.database,
        server,
        &revocation.by,
    );
    let text = format!(
        "{} revoked the approval of plan {} ({} on database {}): {}",
        revocation.by, approval.plan_id, approval.runbook, approval.database, revocation.reason
    );
    let mut notification = notifier.about(NotificationEvent::ApprovalRevoked, &text);
    notification.plan_id = Some(approval.plan_id.clone());
    notification.reason = Some(revocation.reason.clone());
    super::notifications::announce(&notifier, NotificationEvent::ApprovalRevoked, &notification)
        .await;
}
