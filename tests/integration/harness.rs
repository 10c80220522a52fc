//! The test harness: one real MongoDB replica set per test binary (or `ROLLBOOK_TEST_URI`),
//! a database name per test, the `rollbook` binary, and server failpoints behind a guard.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use mongodb::bson::{doc, Document};
use mongodb::Client;

/// The repository root (where `runbooks/` lives).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Server {
    uri: String,
    // Holding the guard's stdin open keeps mongod alive; it stops when this process exits.
    _guard: Option<std::process::Child>,
    _dir: Option<PathBuf>,
}

static SERVER: OnceLock<Server> = OnceLock::new();

/// The URI of the test server, started on first use. Panics (fails the test) when no replica
/// set can be had: tests never skip silently.
pub fn uri() -> &'static str {
    &SERVER
        .get_or_init(|| {
            if let Ok(uri) = std::env::var("ROLLBOOK_TEST_URI") {
                return Server {
                    uri,
                    _guard: None,
                    _dir: None,
                };
            }
            let dir = tempfile::Builder::new()
                .prefix("rollbook-test-mongod-")
                .tempdir()
                .expect("temporary directory")
                .keep();
            let start_dir = dir.clone();
            // Started on a runtime of its own so no test's runtime owns the startup.
            let started = std::thread::spawn(move || {
                let runtime = tokio::runtime::Runtime::new().expect("runtime");
                runtime.block_on(async {
                    let port = rollbook::sandbox::mongod::free_port()?;
                    rollbook::sandbox::mongod::start(
                        &start_dir,
                        port,
                        0.5,
                        rollbook::sandbox::mongod::Lifetime::TiedToCaller,
                    )
                    .await
                })
            })
            .join()
            .expect("server start thread")
            .unwrap_or_else(|e| {
                panic!("cannot start the test MongoDB (run scripts/install-mongod.sh): {e}")
            });
            Server {
                uri: started.uri,
                _guard: Some(started.child),
                _dir: Some(dir),
            }
        })
        .uri
}

/// The test server's URI with an `appName`, so a failpoint can target one test's commands.
pub fn uri_with_app(app: &str) -> String {
    let base = uri();
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}appName={app}")
}

/// A fresh client for the calling test's runtime.
pub async fn client() -> Client {
    Client::with_uri_str(uri())
        .await
        .expect("client for the test server")
}

/// A database name for a test, dropped now and left in place afterwards for debugging.
pub async fn fresh_db(client: &Client, test: &str) -> String {
    let mut name: String = format!("t_{test}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    name.truncate(60);
    client
        .database(&name)
        .drop()
        .await
        .expect("drop test database");
    name
}

/// The `rollbook` binary, run from the repository root, pointed at the test server.
pub fn rollbook() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("rollbook").expect("rollbook binary");
    command
        .current_dir(repo_root())
        .env_remove("ROLLBOOK_URI")
        .env_remove("MONGODB_URI")
        .env_remove("ROLLBOOK_RUNBOOKS")
        .env("ROLLBOOK_OPERATOR", "test-operator")
        .timeout(std::time::Duration::from_secs(120));
    command
}

/// A server failpoint (`failCommand`) that is switched off when the guard is dropped.
/// `failCommand` is one setting for the whole server, so guards are held one at a time.
#[must_use = "the failpoint is switched off when this guard is dropped"]
pub struct FailPoint {
    uri: String,
    _exclusive: tokio::sync::MutexGuard<'static, ()>,
}

static FAILPOINT_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn configure(client: &Client, mode: mongodb::bson::Bson, data: Document) -> FailPoint {
    let exclusive = FAILPOINT_LOCK.lock().await;
    client
        .database("admin")
        .run_command(doc! {"configureFailPoint": "failCommand", "mode": mode, "data": data})
        .await
        .expect("configureFailPoint");
    FailPoint {
        uri: uri().to_owned(),
        _exclusive: exclusive,
    }
}

impl FailPoint {
    /// Makes the next `times` of `commands` from clients named `app` fail with `error_code`.
    pub async fn fail_command(
        client: &Client,
        app: &str,
        commands: &[&str],
        error_code: i32,
        times: i32,
    ) -> FailPoint {
        let data = doc! {"failCommands": commands, "errorCode": error_code, "appName": app};
        configure(client, doc! {"times": times}.into(), data).await
    }
}

impl FailPoint {
    /// Makes `commands` from `app` wait `ms` milliseconds before running (they then succeed).
    pub async fn block_command(
        client: &Client,
        app: &str,
        commands: &[&str],
        ms: i32,
    ) -> FailPoint {
        let data = doc! {"failCommands": commands, "blockConnection": true, "blockTimeMS": ms, "appName": app};
        configure(client, "alwaysOn".into(), data).await
    }

    /// Lets the first `skip` of `commands` from `app` through, then fails every later one.
    pub async fn fail_command_skip(
        client: &Client,
        app: &str,
        commands: &[&str],
        error_code: i32,
        skip: i32,
    ) -> FailPoint {
        let data = doc! {"failCommands": commands, "errorCode": error_code, "appName": app};
        configure(client, doc! {"skip": skip}.into(), data).await
    }

    /// Fails the next `times` of `commands` from `app` with `error_code` and error labels.
    pub async fn fail_command_with_labels(
        client: &Client,
        app: &str,
        commands: &[&str],
        error_code: i32,
        labels: &[&str],
        times: i32,
    ) -> FailPoint {
        let data = doc! {"failCommands": commands, "errorCode": error_code, "errorLabels": labels, "appName": app};
        configure(client, doc! {"times": times}.into(), data).await
    }
}

impl Drop for FailPoint {
    fn drop(&mut self) {
        let uri = self.uri.clone();
        // A thread with its own runtime: Drop may run inside (or outside) any runtime.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            runtime.block_on(async {
                let client = Client::with_uri_str(&uri).await.expect("client");
                client
                    .database("admin")
                    .run_command(doc! {"configureFailPoint": "failCommand", "mode": "off"})
                    .await
                    .expect("switch failpoint off");
            });
        })
        .join();
    }
}

/// Parses a command's stdout as one JSON document.
pub fn stdout_json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The timestamp of the newest oplog entry: the point from which [`oplog_writes`] counts.
pub async fn oplog_now(client: &Client) -> mongodb::bson::Timestamp {
    let last = client
        .database("local")
        .collection::<Document>("oplog.rs")
        .find_one(doc! {})
        .sort(doc! {"$natural": -1})
        .await
        .unwrap()
        .expect("the test server has an oplog (a replica set)");
    last.get_timestamp("ts").unwrap()
}

/// Oplog entries written since `since` to any of `databases` (names of letters, digits and
/// `_`), periodic no-ops excepted: a count of zero proves nothing was written there.
/// Transactions are logged as one `applyOps` entry in `admin.$cmd`; those count when one of
/// their operations touches the databases.
pub async fn oplog_writes(
    client: &Client,
    since: mongodb::bson::Timestamp,
    databases: &[&str],
) -> u64 {
    let pattern = format!("^({})\\.", databases.join("|"));
    client
        .database("local")
        .collection::<Document>("oplog.rs")
        .count_documents(doc! {
            "ts": {"$gt": since},
            "op": {"$ne": "n"},
            "$or": [{"ns": {"$regex": &pattern}}, {"o.applyOps.ns": {"$regex": &pattern}}],
        })
        .await
        .unwrap()
}
