//! The local throwaway MongoDB for demos and tests: a single-node replica set on loopback
//! with failpoints enabled, and demo data for the three runbooks.

pub mod mongod;
pub mod seed;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What `sandbox up` records in `<dir>/sandbox.json` so later commands find the server.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SandboxState {
    /// Process id of mongod.
    pub pid: u32,
    /// Port on 127.0.0.1.
    pub port: u16,
    /// Connection string.
    pub uri: String,
    /// The mongod binary used.
    pub mongod: PathBuf,
}

/// Whether the recorded sandbox is running.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SandboxStatus {
    /// The recorded state, if any.
    pub state: Option<SandboxState>,
    /// True when its process is alive.
    pub running: bool,
}

fn state_file(dir: &Path) -> PathBuf {
    dir.join("sandbox.json")
}

/// Reads the recorded sandbox state and checks whether it still runs.
pub(crate) fn status(dir: &Path) -> SandboxStatus {
    let state: Option<SandboxState> = std::fs::read_to_string(state_file(dir))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    let running = state
        .as_ref()
        .is_some_and(|s| crate::process::is_alive(s.pid));
    SandboxStatus { state, running }
}

/// Starts the sandbox (or reports the running one) and returns its state.
pub(crate) async fn up(dir: &Path, port: Option<u16>) -> Result<(SandboxState, bool)> {
    let current = status(dir);
    if let (Some(state), true) = (current.state, current.running) {
        return Ok((state, false));
    }
    let port = match port {
        Some(port) => port,
        None => mongod::free_port()?,
    };
    let binary = mongod::find_mongod()?;
    let started = mongod::start(dir, port, 1.0, mongod::Lifetime::Detached).await?;
    let state = SandboxState {
        pid: started.child.id(),
        port,
        uri: started.uri,
        mongod: binary,
    };
    let text = serde_json::to_string_pretty(&state).unwrap_or_default();
    std::fs::write(state_file(dir), text)
        .map_err(|e| Error::io(format!("cannot write {}", state_file(dir).display()), e))?;
    Ok((state, true))
}

/// Stops the sandbox and deletes its directory. Returns false when none was running.
pub(crate) async fn down(dir: &Path) -> Result<bool> {
    let current = status(dir);
    let was_running = current.running;
    if let (Some(state), true) = (&current.state, current.running) {
        mongod::stop(state.port, state.pid).await?;
    }
    if dir.join("data").exists() || state_file(dir).exists() {
        std::fs::remove_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot remove {}", dir.display()), e))?;
    }
    Ok(was_running)
}

/// The URI of the running sandbox, or an error that says how to start it.
pub(crate) fn running_uri(dir: &Path) -> Result<String> {
    match status(dir) {
        SandboxStatus {
            state: Some(state),
            running: true,
        } => Ok(state.uri),
        _ => Err(Error::Sandbox(format!(
            "no sandbox is running in {}; start one with `rollbook sandbox up`",
            dir.display()
        ))),
    }
}
