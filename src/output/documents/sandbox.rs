//! The document of `sandbox up|seed|status|down`: the action taken and what it found.

use serde::Serialize;

use crate::sandbox::SandboxStatus;

/// `sandbox`: `action` names the sub-command, `sandbox` holds its outcome.
#[derive(Debug, Serialize)]
#[serde(tag = "action", content = "sandbox", rename_all = "snake_case")]
pub(crate) enum SandboxDocument<'a> {
    /// `sandbox up`.
    Up(SandboxUp<'a>),
    /// `sandbox seed`.
    Seed(SandboxSeed<'a>),
    /// `sandbox status`: the recorded state and whether it runs.
    Status(&'a SandboxStatus),
    /// `sandbox down`.
    Down(SandboxDown),
}

/// The sandbox running after `up`.
#[derive(Debug, Serialize)]
pub(crate) struct SandboxUp<'a> {
    /// Connection string.
    pub(crate) uri: &'a str,
    /// Process id of mongod.
    pub(crate) pid: u32,
    /// Port on 127.0.0.1.
    pub(crate) port: u16,
    /// True when this command started it, false when it was already running.
    pub(crate) started: bool,
}

/// What `seed` created.
#[derive(Debug, Serialize)]
pub(crate) struct SandboxSeed<'a> {
    /// `[database.collection, documents]` in creation order.
    pub(crate) collections: &'a [(String, u64)],
    /// How long seeding took.
    pub(crate) seconds: f64,
}

/// What `down` stopped.
#[derive(Debug, Serialize)]
pub(crate) struct SandboxDown {
    /// True when a sandbox was running.
    pub(crate) stopped: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::json::Document;

    #[test]
    fn the_action_and_its_outcome_follow_the_envelope() {
        let document = Document::ok(
            "sandbox",
            SandboxDocument::Down(SandboxDown { stopped: true }),
        );
        assert_eq!(
            serde_json::to_string(&document).unwrap_or_default(),
            r#"{"schema":1,"command":"sandbox","status":"ok","exit_code":0,"error":null,"action":"down","sandbox":{"stopped":true}}"#
        );
    }
}
