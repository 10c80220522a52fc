//! Connecting: the URI from `--uri`, `ROLLBOOK_URI` or `MONGODB_URI`; the state store; who the
//! operator is.

use mongodb::options::ClientOptions;
use mongodb::Client;

use super::args::GlobalArgs;
use crate::error::{Error, Result};
use crate::store::Store;

/// The connection string, or a usage error saying how to give one.
pub(crate) fn uri(global: &GlobalArgs) -> Result<String> {
    given_uri(global)?
        .or_else(|| std::env::var("MONGODB_URI").ok())
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| {
            Error::Usage(
                "no MongoDB connection string: set ROLLBOOK_URI or MONGODB_URI, or pass \
                 --uri-file PATH or --uri (`rollbook sandbox up` prints one for a local sandbox)"
                    .into(),
            )
        })
}

/// The connection string named for rollbook itself: `--uri`, `--uri-file` (clap refuses
/// both), else `ROLLBOOK_URI` (not `MONGODB_URI`). `ROLLBOOK_URI` is read here rather than
/// by clap, so that a script's `--uri-file` is not refused for conflicting with it.
pub(crate) fn given_uri(global: &GlobalArgs) -> Result<Option<String>> {
    if let Some(uri) = &global.uri {
        return Ok(Some(uri.clone()));
    }
    // A context (chosen by name, or the default one when no flag names a server) wins over
    // the environment variables: `--context production` never reaches another server.
    if let (Some(context), None) = (&global.context, &global.uri_file) {
        return uri_of(context).map(Some);
    }
    match &global.uri_file {
        Some(path) => read_uri_file(path).map(Some),
        None => Ok(std::env::var("ROLLBOOK_URI").ok().filter(|u| !u.is_empty())),
    }
}

/// The connection string of `context`.
fn uri_of(context: &super::args::Context) -> Result<String> {
    let uri = match &context.uri {
        super::args::UriSource::Env(name) => std::env::var(name).ok().filter(|u| !u.trim().is_empty()).ok_or_else(|| {
            Error::Usage(format!(
                "context {}: the environment variable {name} that holds its connection string is not set; nothing was changed",
                context.name
            ))
        })?,
        super::args::UriSource::File(path) => std::fs::read_to_string(path)
            .map_err(|e| {
                Error::Usage(format!(
                    "context {}: cannot read its connection string from {} ({e}); nothing was changed",
                    context.name,
                    path.display()
                ))
            })?
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned(),
    };
    if uri.is_empty() {
        return Err(Error::Usage(format!(
            "context {}: its connection string is empty; nothing was changed",
            context.name
        )));
    }
    Ok(uri)
}

/// The first line of `path`, trimmed; an unreadable or empty file is a usage error.
fn read_uri_file(path: &std::path::Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Usage(format!(
            "--uri-file {}: cannot read it ({e}); nothing was changed",
            path.display()
        ))
    })?;
    let uri = text.lines().next().unwrap_or_default().trim();
    if uri.is_empty() {
        return Err(Error::Usage(format!(
            "--uri-file {}: the file is empty; put the connection string on its first line; nothing was changed",
            path.display()
        )));
    }
    Ok(uri.to_owned())
}

/// How long the first contact with the server may take when the URI does not say
/// (`serverSelectionTimeoutMS`): an unreachable server is reported within this time.
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The server a command works on, as the operator should see it named: the replica set and
/// the address that answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Server {
    /// The replica set's name, when the server is a member of one.
    pub(crate) replica_set: Option<String>,
    /// `host:port` of the primary (else of the member that answered).
    pub(crate) address: String,
    /// The named context the command works in, if any.
    pub(crate) context: Option<String>,
}

impl std::fmt::Display for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.replica_set {
            Some(set) => write!(f, "replica set {set} at {}", self.address)?,
            None => write!(f, "{}", self.address)?,
        }
        match &self.context {
            Some(context) => write!(f, " (context {context})"),
            None => Ok(()),
        }
    }
}

/// A connected client and the server it reached.
pub(crate) struct Connection {
    /// The client for the command's work.
    pub(crate) client: Client,
    /// Who answered the probe.
    pub(crate) server: Server,
}

/// A client for the configured URI (named `rollbook` unless the URI names it), after a probe
/// has shown that the server answers and accepts the credentials (else
/// [`Error::ConnectionFailed`], exit 12, within a few seconds).
pub async fn client(global: &GlobalArgs) -> Result<Client> {
    let connection = connect(global).await?;
    tracing::debug!("connected to {}", connection.server);
    Ok(connection.client)
}

/// Connects as [`client`] does, and says which server answered.
pub(crate) async fn connect(global: &GlobalArgs) -> Result<Connection> {
    let uri = uri(global)?;
    let mut options = ClientOptions::parse(&uri).await.map_err(|e| {
        Error::Usage(format!(
            "invalid MongoDB connection string {}: {}",
            crate::secrets::redact_uri(&uri),
            crate::secrets::redact_with(&crate::error::describe_driver_error(&e), &uri)
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
    let mut server = probe(&options).await?;
    server.context = global.context.as_ref().map(|c| c.name.clone());
    if options.server_selection_timeout.is_none() {
        options.server_selection_timeout = Some(std::time::Duration::from_secs(10));
    }
    let client = Client::with_options(options)
        .map_err(|e| Error::database("cannot create a MongoDB client", e))?;
    Ok(Connection { client, server })
}

/// Asks the server `hello` through a short-lived client with a short server-selection timeout,
/// so an unreachable server or refused credentials are reported at once as what they are,
/// before any work (and before the longer timeout of the command's own client).
async fn probe(options: &ClientOptions) -> Result<Server> {
    let hosts = options
        .hosts
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let set = options
        .repl_set_name
        .as_ref()
        .map(|s| format!(" (replica set {s})"))
        .unwrap_or_default();
    let mut short = options.clone();
    short.server_selection_timeout =
        Some(options.server_selection_timeout.unwrap_or(PROBE_TIMEOUT));
    short.max_pool_size = Some(1);
    let failed = |error: mongodb::error::Error| {
        let why = crate::error::describe_driver_error(&error);
        let (what, hint) = match error.kind.as_ref() {
            mongodb::error::ErrorKind::Authentication { .. } => {
                let user = options
                    .credential
                    .as_ref()
                    .and_then(|c| c.username.clone())
                    .map(|u| format!(" as {u}"))
                    .unwrap_or_default();
                (
                    format!("MongoDB at {hosts}{set} refused the credentials{user}"),
                    "check the user, password and authSource in --uri / ROLLBOOK_URI",
                )
            }
            _ => (
                format!("cannot reach MongoDB at {hosts}{set}"),
                "check --uri / ROLLBOOK_URI and that the server runs",
            ),
        };
        Error::ConnectionFailed(format!("{what}: {why}; nothing was changed ({hint})"))
    };
    let probe = Client::with_options(short).map_err(failed)?;
    let hello = probe
        .database("admin")
        .run_command(mongodb::bson::doc! {"hello": 1})
        .await
        .map_err(failed)?;
    let replica_set = hello.get_str("setName").ok().map(str::to_owned);
    let address = hello
        .get_str("primary")
        .or_else(|_| hello.get_str("me"))
        .map(str::to_owned)
        .unwrap_or_else(|_| {
            options
                .hosts
                .first()
                .map(ToString::to_string)
                .unwrap_or_default()
        });
    Ok(Server {
        replica_set,
        address,
        context: None,
    })
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
