//! Notifications: tell the people who need to know that a plan waits for approval, that it was
//! approved, that a run started and how it ended, and what a runbook's `notify` actions say.
//!
//! Never in the way: each target gets at most its `timeout_secs` (retries included, with
//! backoff), nothing is sent inside a transaction, and a notification that cannot be sent is a
//! warning, never a failure. `plan` without `--out` sends nothing; `--no-notify` silences
//! everything.

pub(crate) mod http;
pub mod payload;

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use crate::runbook::model::{NotificationEvent, NotificationTarget, WebhookUrl};
pub use payload::Notification;

/// Tries per notification (the first and two retries), all within the target's timeout.
const TRIES: u32 = 3;
/// Pause before the first retry; doubled before each next one.
const BACKOFF: Duration = Duration::from_millis(250);

/// Sends notifications to a runbook's targets.
#[derive(Debug, Clone, Default)]
pub struct Notifier {
    targets: Vec<NotificationTarget>,
    silenced: bool,
    /// What every notification of this invocation says: runbook, database, server, operator.
    base: Notification,
}

/// What every notification of one invocation says.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Runbook id.
    pub runbook: String,
    /// Target database.
    pub database: String,
    /// Target server (its hosts; any password is masked again anyway).
    pub server: String,
    /// `--operator`.
    pub operator: String,
}

/// What sending one notification did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent {
    /// Targets that received it.
    pub to: Vec<String>,
    /// One line per target that did not, saying why.
    pub warnings: Vec<String>,
}

impl Notifier {
    /// A notifier for `targets`; `silenced` (`--no-notify`) sends nothing.
    #[must_use]
    pub fn new(targets: &[NotificationTarget], silenced: bool, facts: Facts) -> Self {
        Notifier {
            targets: targets.to_vec(),
            silenced,
            base: Notification {
                schema: payload::SCHEMA_VERSION,
                runbook: facts.runbook,
                database: facts.database,
                server: crate::secrets::redact(&facts.server),
                operator: facts.operator,
                ..Notification::default()
            },
        }
    }

    /// A notifier that sends nothing (plans, checks).
    #[must_use]
    pub fn none() -> Self {
        Notifier::new(&[], true, Facts::default())
    }

    /// A notification of `event` saying `text`, with this invocation's facts.
    #[must_use]
    pub fn about(&self, event: NotificationEvent, text: &str) -> Notification {
        Notification {
            event: event.as_str(),
            text: crate::secrets::redact(text),
            ..self.base.clone()
        }
    }

    /// Whether any target is configured (silenced or not).
    #[must_use]
    pub fn has_targets(&self) -> bool {
        !self.targets.is_empty()
    }

    /// True when `--no-notify` silenced it.
    #[must_use]
    pub fn silenced(&self) -> bool {
        self.silenced
    }

    /// The targets that receive `event`.
    #[must_use]
    pub fn receivers(&self, event: NotificationEvent) -> Vec<&str> {
        self.targets
            .iter()
            .filter(|t| t.events.is_empty() || t.events.contains(&event))
            .map(|t| t.name.as_str())
            .collect()
    }

    /// Sends `notification` (of `event`) to every target that receives that event.
    pub async fn send(&self, event: NotificationEvent, notification: &Notification) -> Sent {
        let names: Vec<String> = self
            .receivers(event)
            .into_iter()
            .map(str::to_owned)
            .collect();
        self.send_to(&names, notification).await
    }

    /// Sends `notification` to the targets named `names`, all at once.
    pub async fn send_to(&self, names: &[String], notification: &Notification) -> Sent {
        let mut sent = Sent::default();
        if self.silenced {
            return sent;
        }
        let targets: Vec<&NotificationTarget> = self
            .targets
            .iter()
            .filter(|t| names.contains(&t.name))
            .collect();
        let results = futures_util::future::join_all(
            targets.iter().map(|target| deliver(target, notification)),
        )
        .await;
        for (target, result) in targets.iter().zip(results) {
            match result {
                Ok(()) => sent.to.push(target.name.clone()),
                Err(why) => sent.warnings.push(crate::secrets::redact(&format!(
                    "notification {} to {} not sent: {why}",
                    notification.event, target.name
                ))),
            }
        }
        sent
    }
}

/// Delivers to one target within its timeout.
async fn deliver(target: &NotificationTarget, notification: &Notification) -> Result<(), String> {
    let limit = Duration::from_secs(target.timeout_secs.max(1));
    let attempt = async {
        if let Some(argv) = &target.command {
            return run_command(argv, notification).await;
        }
        let (url, body) = match (&target.webhook, &target.slack) {
            (Some(url), _) => (url, notification.document()),
            (None, Some(url)) => (url, notification.slack()),
            (None, None) => return Err("the target names no webhook, slack or command".into()),
        };
        let url = http::Url::parse(&read_url(url).await?)?;
        let body = serde_json::to_vec(&body).map_err(|e| e.to_string())?;
        let mut pause = BACKOFF;
        let mut tries = 0;
        loop {
            tries += 1;
            match http::post_json(&url, &body).await {
                Ok(()) => return Ok(()),
                Err(http::Failure::Retryable(why)) if tries < TRIES => {
                    tracing::debug!("notification to {}: {why}; trying again", target.name);
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
                Err(failure) => {
                    return Err(if tries > 1 {
                        format!("{failure} (after {tries} tries)")
                    } else {
                        failure.to_string()
                    })
                }
            }
        }
    };
    tokio::time::timeout(limit, attempt)
        .await
        .map_err(|_| format!("no answer within {} s", limit.as_secs()))?
}

/// The URL of a webhook, from its environment variable or file (read off the runtime's
/// threads, so a file that never answers — a FIFO, a hung mount — is cut off by the timeout).
async fn read_url(url: &WebhookUrl) -> Result<String, String> {
    match (&url.url_env, &url.url_file) {
        (Some(name), _) => std::env::var(name)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| format!("environment variable {name} (its URL) is not set")),
        (None, Some(path)) => tokio::fs::read_to_string(path)
            .await
            .map(|text| text.trim().to_owned())
            .map_err(|e| format!("cannot read its URL from {path}: {e}")),
        (None, None) => Err("the webhook names neither url_env nor url_file".into()),
    }
}

/// Runs a command target: the JSON document on its standard input, a clean environment.
async fn run_command(argv: &[String], notification: &Notification) -> Result<(), String> {
    let Some((program, args)) = argv.split_first() else {
        return Err("the command is empty".into());
    };
    let mut command = tokio::process::Command::new(program);
    command.env_clear();
    for name in crate::process::INHERITED {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    command
        .args(args)
        .env("ROLLBOOK_EVENT", notification.event)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(run) = &notification.run_id {
        command.env("ROLLBOOK_RUN_ID", run);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    let body = serde_json::to_vec(&notification.document()).map_err(|e| e.to_string())?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input may close it early: not a failure.
        let _ = stdin.write_all(&body).await;
    }
    let output = child
        .wait_with_output()
        .await
        .map_err(|e| format!("{program} failed: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(format!(
            "{program} exited with {}: {}",
            output.status.code().unwrap_or(-1),
            stderr.trim().chars().take(300).collect::<String>()
        ))
    }
}
