//! The notifications of the commands: built from a runbook's targets and this invocation's
//! facts, started when the engine says a run started, and ended with what the run did. What
//! could not be sent becomes a warning in the output, the stored report and the audit.

use std::sync::{Arc, Mutex};

use mongodb::bson::doc;
use tokio::task::JoinHandle;

use super::args::GlobalArgs;
use crate::engine::{EventSink, RunCommand, RunEvent, RunReport};
use crate::exit_code;
use crate::notify::{Facts, Notification, Notifier, Sent};
use crate::runbook::model::{NotificationEvent, Runbook};
use crate::store::audit::AuditEvent;
use crate::store::runs::RunStatus;
use crate::store::Store;

/// The notifier of one invocation against `database` on `server`.
#[must_use]
pub(crate) fn notifier(
    global: &GlobalArgs,
    runbook: &Runbook,
    database: &str,
    server: &str,
    operator: &str,
) -> Notifier {
    Notifier::new(
        &runbook.notifications,
        global.no_notify,
        Facts {
            runbook: runbook.id.clone(),
            database: database.to_owned(),
            server: server.to_owned(),
            operator: operator.to_owned(),
        },
    )
}

/// The command that prints a run's incident report.
#[must_use]
pub(crate) fn report_command(global: &GlobalArgs, run_id: &str) -> String {
    format!("rollbook report {run_id} --state-db {}", global.state_db)
}

/// Forwards every event to `inner`, and sends `run_started` when the run starts (in the
/// background: the run does not wait for it).
pub(crate) struct NotifyingSink<'a> {
    inner: &'a dyn EventSink,
    notifier: Arc<Notifier>,
    started: Notification,
    pending: Mutex<Vec<JoinHandle<Sent>>>,
    /// The run id, once the run started.
    run_id: Mutex<Option<String>>,
}

impl<'a> NotifyingSink<'a> {
    /// A sink for a run of `command` in `direction` over `steps`.
    pub(crate) fn new(
        inner: &'a dyn EventSink,
        notifier: Arc<Notifier>,
        command: RunCommand,
        direction: &str,
        steps: Vec<String>,
    ) -> Self {
        let mut started = notifier.about(NotificationEvent::RunStarted, "");
        started.command = Some(command.as_str().to_owned());
        started.direction = Some(direction.to_owned());
        started.steps = steps;
        NotifyingSink {
            inner,
            notifier,
            started,
            pending: Mutex::new(Vec::new()),
            run_id: Mutex::new(None),
        }
    }

    /// The id of the run, if it started.
    pub(crate) fn run_id(&self) -> Option<String> {
        self.run_id.lock().ok().and_then(|id| id.clone())
    }

    /// The sends still under way (each bounded by its target's timeout).
    pub(crate) fn pending(&self) -> Vec<JoinHandle<Sent>> {
        self.pending
            .lock()
            .map(|mut pending| std::mem::take(&mut *pending))
            .unwrap_or_default()
    }
}

impl EventSink for NotifyingSink<'_> {
    fn emit(&self, event: RunEvent) {
        if let RunEvent::Started { run_id, resumed } = &event {
            if let Ok(mut id) = self.run_id.lock() {
                *id = Some(run_id.clone());
            }
            // `verify` only reads the data: nobody needs to hear of it.
            if self.started.command.as_deref() != Some(RunCommand::Verify.as_str()) {
                let mut started = self.started.clone();
                started.text = format!(
                    "{} of {} {} on database {} ({}), steps {}, by {}",
                    started.command.as_deref().unwrap_or_default(),
                    started.runbook,
                    if *resumed { "resumed" } else { "started" },
                    started.database,
                    started.server,
                    started.steps.join(", "),
                    started.operator
                );
                started.run_id = Some(run_id.clone());
                let notifier = self.notifier.clone();
                let task = tokio::spawn(async move {
                    notifier.send(NotificationEvent::RunStarted, &started).await
                });
                if let Ok(mut pending) = self.pending.lock() {
                    pending.push(task);
                }
            }
        }
        self.inner.emit(event);
    }
}

/// Sends `notification` of a command that records no run (`plan`, `approve`): a target not
/// reached is a warning on stderr.
pub(crate) async fn announce(
    notifier: &Notifier,
    event: NotificationEvent,
    notification: &Notification,
) {
    for warning in notifier.send(event, notification).await.warnings {
        eprintln!("warning: {warning}");
    }
}

/// The event a finished run is, by its status.
#[must_use]
pub(crate) fn end_event(report: &RunReport) -> NotificationEvent {
    match report.status {
        RunStatus::Ok | RunStatus::ManualPending => NotificationEvent::RunFinished,
        RunStatus::Interrupted => NotificationEvent::RunInterrupted,
        RunStatus::Compensated | RunStatus::CompensationIncomplete => {
            NotificationEvent::RunCompensated
        }
        _ => NotificationEvent::RunFailed,
    }
}

/// What a finished run's notification says.
#[must_use]
pub(crate) fn run_ended(
    notifier: &Notifier,
    global: &GlobalArgs,
    report: &RunReport,
) -> Notification {
    let event = end_event(report);
    let steps: Vec<String> = report.steps.iter().map(|s| s.id.clone()).collect();
    let modified: u64 = report
        .steps
        .iter()
        .flat_map(|s| &s.actions)
        .filter_map(|a| a.modified)
        .sum();
    let how = match event {
        NotificationEvent::RunFinished => "finished".to_owned(),
        NotificationEvent::RunInterrupted => "was interrupted".to_owned(),
        NotificationEvent::RunCompensated => {
            format!("failed and was compensated ({})", report.status.as_str())
        }
        _ => "failed".to_owned(),
    };
    let text = format!(
        "{} of {} {how} on database {} (exit {}, {modified} documents changed)",
        report.command.as_str(),
        report.runbook.id,
        report.database,
        report.exit_code
    );
    let mut notification = notifier.about(event, &text);
    notification.run_id = Some(report.run_id.clone());
    notification.command = Some(report.command.as_str().to_owned());
    notification.direction = Some(report.direction.as_str().to_owned());
    notification.status = Some(report.status.as_str().to_owned());
    notification.exit_code = Some(report.exit_code);
    notification.modified = Some(modified);
    notification.error = report
        .error
        .as_ref()
        .map(|e| crate::secrets::redact(&format!("{}: {}", e.code.as_str(), e.message)));
    notification.report = Some(report_command(global, &report.run_id));
    notification.details = report
        .steps
        .iter()
        .map(|s| {
            let changed: u64 = s.actions.iter().filter_map(|a| a.modified).sum();
            format!(
                "step {} {}: {} ({changed} changed)",
                s.id,
                s.title,
                s.status.as_str()
            )
        })
        .collect();
    notification.steps = steps;
    notification
}

/// A run that started but ended in an error before its report was made: `run_failed` with the
/// error, after the sends still under way (each bounded); what could not be sent is a
/// warning on stderr (there is no report to add it to).
pub(crate) async fn failed_without_report(
    global: &GlobalArgs,
    notifier: &Notifier,
    pending: Vec<JoinHandle<Sent>>,
    run_id: &str,
    command: RunCommand,
    error: &crate::error::Error,
) {
    let mut warnings = Vec::new();
    if error.exit_code() != exit_code::CONCURRENT_UPDATE && command != RunCommand::Verify {
        let code = crate::error::ErrorReport::of(error);
        let mut notification = notifier.about(NotificationEvent::RunFailed, "");
        notification.text = crate::secrets::redact(&format!(
            "{} of {} failed on database {} (exit {})",
            command.as_str(),
            notification.runbook,
            notification.database,
            error.exit_code()
        ));
        notification.run_id = Some(run_id.to_owned());
        notification.command = Some(command.as_str().to_owned());
        notification.status = Some("failed".into());
        notification.exit_code = Some(error.exit_code());
        notification.error = Some(crate::secrets::redact(&format!(
            "{}: {}",
            code.code.as_str(),
            code.message
        )));
        notification.report = Some(report_command(global, run_id));
        warnings.extend(
            notifier
                .send(NotificationEvent::RunFailed, &notification)
                .await
                .warnings,
        );
    }
    for sent in futures_util::future::join_all(pending)
        .await
        .into_iter()
        .flatten()
    {
        warnings.extend(sent.warnings);
    }
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

/// Sends the end of the run, waits for the sends still under way (each bounded), and records
/// every notification that could not be sent as a warning: in `report`, in its stored copy and
/// in the audit. An attempt that lost its lock writes nothing more, and tells nobody (the
/// attempt that took over will).
pub(crate) async fn finish(
    global: &GlobalArgs,
    store: &Store,
    notifier: &Notifier,
    pending: Vec<JoinHandle<Sent>>,
    report: &mut RunReport,
) {
    let superseded = report.exit_code == exit_code::CONCURRENT_UPDATE;
    let ended = (!superseded && report.command != RunCommand::Verify)
        .then(|| run_ended(notifier, global, report));
    let end = async {
        match &ended {
            Some(notification) => notifier.send(end_event(report), notification).await,
            None => Sent::default(),
        }
    };
    let (end, started) = tokio::join!(end, futures_util::future::join_all(pending));
    let mut warnings: Vec<String> = started
        .into_iter()
        .filter_map(Result::ok)
        .flat_map(|sent| sent.warnings)
        .collect();
    warnings.extend(end.warnings);
    if warnings.is_empty() || superseded {
        return;
    }
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    report.warnings.extend(warnings.iter().cloned());
    if let Err(e) = store.add_report_warnings(&report.run_id, &warnings).await {
        tracing::warn!("{e}");
    }
    let audited = store
        .audit(
            &AuditEvent {
                run_id: Some(&report.run_id),
                runbook: &report.runbook.id,
                database: &report.database,
                operator: &report.operator,
                event: "notification_failed",
                step: None,
                details: doc! {"warnings": &warnings},
            },
            None,
        )
        .await;
    if let Err(e) = audited {
        tracing::warn!("{e}");
    }
}

/// Serde's name of a value (a category, a level), as in the runbook.
fn named<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The steps of `plan` that need an approval, with the runbook's words on who must approve.
fn approvals_asked(
    runbook: &Runbook,
    plan: &crate::plan::saved::SavedPlan,
) -> Vec<crate::notify::payload::ApprovalAsked> {
    plan.content
        .approvals_required
        .iter()
        .filter_map(|id| {
            let step = runbook.steps.iter().find(|s| &s.id == id)?;
            let approval = step.approval.as_ref()?;
            Some(crate::notify::payload::ApprovalAsked {
                step: id.clone(),
                category: named(&approval.category),
                reason: approval.reason.clone(),
            })
        })
        .collect()
}

/// What each step of `plan` changes, in a line each.
fn plan_lines(plan: &crate::plan::saved::SavedPlan) -> Vec<String> {
    plan.content
        .preview
        .steps
        .iter()
        .map(|s| {
            let affected: u64 = s.actions.iter().filter_map(|a| a.affected).sum();
            format!(
                "step {} {}: {affected} documents, data loss {}{}",
                s.id,
                s.title,
                named(&s.data_loss),
                if s.approval.is_some() {
                    ", needs approval"
                } else {
                    ""
                }
            )
        })
        .collect()
}

/// `approval_needed`: a plan saved to `path` whose steps need an approval.
#[must_use]
pub(crate) fn approval_needed(
    notifier: &Notifier,
    runbook: &Runbook,
    plan: &crate::plan::saved::SavedPlan,
    path: &std::path::Path,
) -> Notification {
    let approvals = approvals_asked(runbook, plan);
    let text = format!(
        "plan {} ({} of {} on database {}, steps {}) needs an approval for steps {}",
        plan.plan_id,
        plan.content.direction.as_str(),
        plan.content.runbook,
        plan.content.database,
        plan.content.steps,
        plan.content.approvals_required.join(", ")
    );
    let mut notification = notifier.about(NotificationEvent::ApprovalNeeded, &text);
    notification.plan_id = Some(plan.plan_id.clone());
    notification.direction = Some(plan.content.direction.as_str().to_owned());
    notification.steps = plan.content.approvals_required.clone();
    notification.details = plan_lines(plan);
    notification.details.extend(
        approvals
            .iter()
            .map(|a| format!("step {} ({}): {}", a.step, a.category, a.reason)),
    );
    notification.approvals = approvals;
    notification.next = Some(format!(
        "rollbook approve --plan {} --reason \"…\"",
        path.display()
    ));
    notification
}

/// `approved`: `approval` of `plan` was recorded.
#[must_use]
pub(crate) fn approved(
    notifier: &Notifier,
    runbook: &Runbook,
    plan: &crate::plan::saved::SavedPlan,
    approval: &crate::store::approvals::Approval,
    plan_file: Option<&std::path::Path>,
) -> Notification {
    let expires = approval
        .expires_at
        .try_to_rfc3339_string()
        .unwrap_or_default();
    let text = format!(
        "{} approved plan {} ({} of {} on database {}, steps {}) until {expires}",
        approval.approver,
        plan.plan_id,
        plan.content.direction.as_str(),
        plan.content.runbook,
        plan.content.database,
        plan.content.steps
    );
    let mut notification = notifier.about(NotificationEvent::Approved, &text);
    notification.plan_id = Some(plan.plan_id.clone());
    notification.direction = Some(plan.content.direction.as_str().to_owned());
    notification.steps = plan.content.approvals_required.clone();
    notification.approvals = approvals_asked(runbook, plan);
    notification.expires_at = Some(expires);
    notification.reason = Some(approval.reason.clone());
    notification.ticket = approval.ticket.clone();
    notification.details = plan_lines(plan);
    let verb = match plan.content.direction {
        crate::runbook::model::Direction::Forward => "apply",
        crate::runbook::model::Direction::Rollback => "rollback",
    };
    notification.next = Some(match plan_file {
        Some(path) => format!("rollbook {verb} --plan {}", path.display()),
        None => format!("rollbook {verb} --plan <the plan file of {}>", plan.plan_id),
    });
    notification
}
