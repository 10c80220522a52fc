//! `notify`: a message to named notification targets (the runbook's `notifications`), with the
//! run's facts filled in. Sending is bounded by each target's timeout, and a message that
//! cannot be sent is a warning of the run: it never fails the step. Never inside a
//! transaction (a step with a `notify` runs action by action).

use super::{ActionContext, ActionOutcome};
use crate::error::Result;
use crate::runbook::model::{NotificationEvent, NotifyAction};
use crate::runbook::template;

/// The message with the parameters and the run's facts filled in (`{{run_id}}`,
/// `{{runbook}}`, `{{step}}`, `{{database}}`, `{{server}}`, `{{operator}}`, `{{direction}}`);
/// validation made sure it names nothing else.
#[must_use]
pub(crate) fn message(
    ctx: &ActionContext<'_>,
    action: &NotifyAction,
    server: &str,
    operator: &str,
) -> String {
    let mut values = ctx.env.params.clone();
    for (name, value) in [
        (template::RUN_ID, ctx.run_id),
        ("runbook", ctx.runbook),
        ("step", ctx.step),
        ("database", ctx.database),
        ("server", server),
        ("operator", operator),
        ("direction", ctx.direction.as_str()),
    ] {
        values.insert(name.to_owned(), value.to_owned());
    }
    template::substitute(&action.message, &values).unwrap_or_else(|_| action.message.clone())
}

/// What `plan` says of it: to whom, and the message with the facts a plan knows (the run id,
/// server and operator are filled in when it runs). Sends nothing.
#[must_use]
pub(crate) fn preview(ctx: &ActionContext<'_>, action: &NotifyAction) -> String {
    let shown = ActionContext {
        run_id: "<run id>",
        ..*ctx
    };
    format!(
        "sends to {}: {}",
        action.to.join(", "),
        message(&shown, action, "<server>", "<operator>")
    )
}

/// Sends the message; `ok` whatever happens, with a warning for each target not reached.
pub(crate) async fn run(ctx: &ActionContext<'_>, action: &NotifyAction) -> Result<ActionOutcome> {
    let notifier = &ctx.env.notifier;
    let mut outcome = ActionOutcome::new("notify", None);
    let base = notifier.about(NotificationEvent::Message, "");
    let text = message(ctx, action, &base.server, &base.operator);
    if notifier.silenced() {
        outcome.detail = Some(format!(
            "not sent (--no-notify): to {}: {text}",
            action.to.join(", ")
        ));
        return Ok(outcome);
    }
    let mut notification = notifier.about(NotificationEvent::Message, &text);
    notification.run_id = Some(ctx.run_id.to_owned());
    notification.direction = Some(ctx.direction.as_str().to_owned());
    notification.steps = vec![ctx.step.to_owned()];
    let sent = notifier.send_to(&action.to, &notification).await;
    outcome.detail = Some(if sent.to.is_empty() {
        format!("sent to nobody: {}", notification.text)
    } else {
        format!("sent to {}: {}", sent.to.join(", "), notification.text)
    });
    outcome.warnings = sent.warnings;
    Ok(outcome)
}
