//! What a notification says, and how each kind of target receives it: rollbook's own JSON
//! document (webhooks and commands), or a Slack-compatible incoming-webhook message (`text`,
//! and `blocks` of `mrkdwn` sections).

use serde::Serialize;
use serde_json::{json, Value};

/// The version of the JSON document.
pub const SCHEMA_VERSION: u32 = 1;

/// A step that needs an approval, as the notification names it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ApprovalAsked {
    /// Step id.
    pub step: String,
    /// Approval category (`billing`, `roles`, `user_linking`, `other`).
    pub category: String,
    /// Who must approve, and why (the runbook's words).
    pub reason: String,
}

/// One notification. Every text in it was redacted (connection strings and their passwords
/// never appear); it carries no sample documents.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Notification {
    /// Version of this document.
    pub schema: u32,
    /// `approval_needed`, `approved`, `run_started`, `run_finished`, `run_failed`,
    /// `run_compensated`, `run_interrupted` or `message`.
    pub event: &'static str,
    /// One line for people.
    pub text: String,
    /// Runbook id.
    pub runbook: String,
    /// Target database.
    pub database: String,
    /// Target server (hosts only).
    pub server: String,
    /// Who ran or approved it (`--operator`).
    pub operator: String,
    /// Run id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// `apply`, `rollback` or `verify`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// `forward` or `rollback`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// Step ids concerned.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<String>,
    /// Run status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Exit code of the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Documents changed by the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<u64>,
    /// The run's error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The command that prints the incident report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
    /// Plan id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    /// The steps needing approval, with who must approve.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<ApprovalAsked>,
    /// The command that approves the plan, or runs the approved plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// When the approval expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Why it was approved, or the run's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Ticket reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// More lines for people: what each step changes, counts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

impl Notification {
    /// rollbook's JSON document.
    #[must_use]
    pub fn document(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// A Slack-compatible incoming-webhook message: `text` (the fallback) and `blocks`.
    #[must_use]
    pub fn slack(&self) -> Value {
        let mut body = format!("*{}*", escape(&self.text));
        for line in &self.details {
            body.push_str("\n• ");
            body.push_str(&escape(line));
        }
        if let Some(next) = &self.next {
            body.push_str(&format!("\n`{}`", escape(next)));
        }
        let mut context = format!(
            "runbook `{}` · database `{}` on {} · {}",
            escape(&self.runbook),
            escape(&self.database),
            escape(&self.server),
            escape(&self.operator)
        );
        if let Some(run) = &self.run_id {
            context.push_str(&format!(" · run `{}`", escape(run)));
        }
        if let Some(report) = &self.report {
            context.push_str(&format!(" · `{}`", escape(report)));
        }
        json!({
            "text": escape(&self.text),
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": body}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
            ],
        })
    }
}

/// Slack's three control characters in `mrkdwn`.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_messages_have_a_fallback_text_and_escaped_blocks() {
        let notification = Notification {
            schema: SCHEMA_VERSION,
            event: "run_failed",
            text: "rollback of steps-19-30 failed <exit 7>".into(),
            runbook: "steps-19-30".into(),
            database: "superkafe".into(),
            server: "db1:27017".into(),
            operator: "alice".into(),
            run_id: Some("r1".into()),
            details: vec!["step 21 & 23".into()],
            ..Notification::default()
        };
        let slack = notification.slack();
        assert_eq!(
            slack["text"],
            "rollback of steps-19-30 failed &lt;exit 7&gt;"
        );
        let section = slack["blocks"][0]["text"]["text"].as_str().unwrap();
        assert!(section.contains("&lt;exit 7&gt;"), "{section}");
        assert!(section.contains("step 21 &amp; 23"), "{section}");
        assert_eq!(slack["blocks"][1]["type"], "context");
        let document = notification.document();
        assert_eq!(document["event"], "run_failed");
        assert!(document.get("plan_id").is_none());
    }
}
