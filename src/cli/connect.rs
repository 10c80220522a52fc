//! Connecting: the URI from `--uri`, `ROLLBOOK_URI` or `MONGODB_URI`; the state store; who the
//! operator is.

use mongodb::options::ClientOptions;
use mongodb::Client;

use super::args::GlobalArgs;
use crate::error::{Error, Result};
use crate::store::Store;

/// The connection string, or a usage error saying how to give one.
pub(crate) fn uri(global: &GlobalArgs) -> Result<String> {
    global
        .uri
        .clone()
        .or_else(|| std::env::var("MONGODB_URI").ok())
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| {
            Error::Usage(
                "no MongoDB connection string: pass --uri, or set ROLLBOOK_URI or MONGODB_URI \
                 (`rollbook sandbox up` prints one for a local sandbox)"
                    .into(),
            )
        })
}

/// A client for the configured URI (named `rollbook` unless the URI names it).
pub async fn client(global: &GlobalArgs) -> Result<Client> {
    let uri = uri(global)?;
    let mut options = ClientOptions::parse(&uri).await.map_err(|e| {
        Error::Usage(format!(
            "invalid MongoDB connection string {}: {}",
            crate::secrets::redact_uri(&uri),
            crate::error::describe_driver_error(&e)
        ))
    })?;
    if options.app_name.is_none() {
        options.app_name = Some("rollbook".into());
    }
    if options.server_monitoring_mode.is_none() {
        // Polling, not streaming: after a "not primary" or "shutting down" error the driver
        // marks the server unknown and asks its monitor to look again at once, which a
        // streaming monitor only does when its awaited `hello` returns (up to 10 s later) —
        // long enough for the cleanup after a failed action to time out selecting a server.
        options.server_monitoring_mode = Some(mongodb::options::ServerMonitoringMode::Poll);
    }
    if options.server_selection_timeout.is_none() {
        options.server_selection_timeout = Some(std::time::Duration::from_secs(10));
    }
    Client::with_options(options).map_err(|e| Error::database("cannot create a MongoDB client", e))
}

/// The state store in `--state-db`.
pub(crate) async fn store(client: &Client, global: &GlobalArgs) -> Result<Store> {
    crate::runbook::names::check_database(&global.state_db)
        .map_err(|m| Error::Usage(format!("--state-db: {m}")))?;
    Store::open(client.database(&global.state_db)).await
}

/// Who is running: `--operator`, `ROLLBOOK_OPERATOR`, then the login name.
#[must_use]
pub(crate) fn operator(global: &GlobalArgs) -> String {
    global
        .operator
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .or_else(login_name)
        .filter(|o| !o.trim().is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// The login name of the process's user, from `id -un`.
fn login_name() -> Option<String> {
    let output = std::process::Command::new("id").arg("-un").output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
