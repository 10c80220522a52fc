//! The test harness: one real MongoDB replica set per test binary (or `ROLLBOOK_TEST_URI`),
//! a database name per test, the `rollbook` binary, and server failpoints behind a guard.

use std::ffi::{OsStr, OsString};
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

/// A `rollbook` command line as the tests run it: the subcommand's arguments, then the options
/// a test sets (`--yes`, `--output json`, `--db`, `--state-db`) and `--uri` of the test server
/// unless another (or none) is given. The process runs from the repository root, with no
/// `ROLLBOOK_URI`, `MONGODB_URI` or `ROLLBOOK_RUNBOOKS` of the caller's, as operator
/// "test-operator", and is killed after two minutes.
///
/// ```ignore
/// let report = Run::new(["rollback", "steps-19-30", "--steps", "22"])
///     .db(&db).state(&state).yes().json()
///     .status(0)
///     .json_doc();
/// ```
#[must_use = "a Run does nothing until `.status(..)` or `.run()`"]
pub struct Run {
    args: Vec<OsString>,
    yes: bool,
    json: bool,
    db: Option<String>,
    state: Option<String>,
    uri: UriArg,
    env: Vec<(OsString, OsString)>,
    cwd: Option<PathBuf>,
}

/// Which `--uri` a [`Run`] passes.
enum UriArg {
    /// The test server's, started on first use.
    TestServer,
    /// One the test gives.
    Given(String),
    /// None: the command needs no server, or gets its URI another way.
    Omitted,
}

impl Run {
    /// `rollbook ARGS`: the subcommand and its own arguments.
    pub fn new<I, S>(args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Run {
            args: args.into_iter().map(|a| a.as_ref().to_owned()).collect(),
            yes: false,
            json: false,
            db: None,
            state: None,
            uri: UriArg::TestServer,
            env: Vec::new(),
            cwd: None,
        }
    }

    /// One more argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Run {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// More arguments.
    pub fn args<I, S>(mut self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// `--db DB`.
    pub fn db(mut self, db: &str) -> Run {
        self.db = Some(db.to_owned());
        self
    }

    /// `--state-db STATE`.
    pub fn state(mut self, state: &str) -> Run {
        self.state = Some(state.to_owned());
        self
    }

    /// `--yes`.
    pub fn yes(mut self) -> Run {
        self.yes = true;
        self
    }

    /// `--output json`; [`Run::status`] then also checks that stdout is one JSON document.
    pub fn json(mut self) -> Run {
        self.json = true;
        self
    }

    /// `--uri URI` instead of the test server's.
    pub fn uri(mut self, uri: &str) -> Run {
        self.uri = UriArg::Given(uri.to_owned());
        self
    }

    /// No `--uri` at all.
    pub fn no_uri(mut self) -> Run {
        self.uri = UriArg::Omitted;
        self
    }

    /// An environment variable for the process.
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Run {
        self.env.push((key.into(), value.as_ref().to_owned()));
        self
    }

    /// Runs in `dir` instead of the repository's root.
    pub fn current_dir(mut self, dir: &Path) -> Run {
        self.cwd = Some(dir.to_owned());
        self
    }

    /// Runs as `operator` (`ROLLBOOK_OPERATOR`) instead of "test-operator".
    pub fn operator(self, operator: &str) -> Run {
        self.env("ROLLBOOK_OPERATOR", operator)
    }

    /// The arguments after the program name.
    pub fn argv(&self) -> Vec<OsString> {
        let mut argv = self.args.clone();
        let mut push = |args: &[&str]| argv.extend(args.iter().map(OsString::from));
        if self.yes {
            push(&["--yes"]);
        }
        if self.json {
            push(&["--output", "json"]);
        }
        if let Some(db) = &self.db {
            push(&["--db", db]);
        }
        if let Some(state) = &self.state {
            push(&["--state-db", state]);
        }
        match &self.uri {
            UriArg::TestServer => push(&["--uri", uri()]),
            UriArg::Given(given) => push(&["--uri", given]),
            UriArg::Omitted => {}
        }
        argv
    }

    /// The process, for a test that spawns, signals or kills it itself (no timeout).
    pub fn process(&self) -> std::process::Command {
        let mut command = std::process::Command::new(rollbook_binary());
        command
            .current_dir(self.cwd.as_deref().unwrap_or(repo_root()))
            .env_remove("ROLLBOOK_URI")
            .env_remove("MONGODB_URI")
            .env_remove("ROLLBOOK_RUNBOOKS")
            .env_remove("ROLLBOOK_CONTEXT")
            // No user-level configuration (contexts) of whoever runs the tests.
            .env(
                "XDG_CONFIG_HOME",
                repo_root().join("target/no-user-configuration"),
            )
            .env("ROLLBOOK_OPERATOR", "test-operator")
            .args(self.argv());
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }

    /// Runs it to the end and returns what it printed, whatever its exit code.
    pub fn run(&self) -> RunOutput {
        let output = assert_cmd::Command::from_std(self.process())
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .expect("run rollbook");
        self.outcome(output)
    }

    /// Runs it and panics, showing the exit code, stdout and stderr, unless it exits with
    /// `code` (and, with [`Run::json`], prints one JSON document).
    #[track_caller]
    pub fn status(&self, code: i32) -> RunOutput {
        let output = self.run();
        assert!(output.code == code, "expected exit code {code}; {output}");
        if self.json {
            output.json_doc();
        }
        output
    }

    /// What a process of this command line, spawned by the test, printed.
    pub fn outcome(&self, output: std::process::Output) -> RunOutput {
        let argv: Vec<String> = self
            .argv()
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let text = |bytes: Vec<u8>| {
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        };
        RunOutput {
            code: output.status.code().unwrap_or(-1),
            stdout: text(output.stdout),
            stderr: text(output.stderr),
            command: format!("rollbook {}", argv.join(" ")),
        }
    }
}

/// The path of the `rollbook` binary under test.
pub fn rollbook_binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("rollbook")
}

/// What a [`Run`] printed and how it exited; shown whole by `{}`.
pub struct RunOutput {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Everything on stdout.
    pub stdout: String,
    /// Everything on stderr.
    pub stderr: String,
    command: String,
}

impl RunOutput {
    /// Stdout as one JSON document; panics, showing the whole output, when it is not one.
    #[track_caller]
    pub fn json_doc(&self) -> serde_json::Value {
        match serde_json::from_str(&self.stdout) {
            Ok(document) => document,
            Err(e) => panic!("stdout is not one JSON document ({e}); {self}"),
        }
    }
}

impl std::fmt::Display for RunOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` exited with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command, self.code, self.stdout, self.stderr
        )
    }
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
    /// Makes every one of `commands` from clients named `app` on `namespace` fail with
    /// `error_code` (a count of times is not kept exactly by concurrent commands).
    pub async fn fail_command_on(
        client: &Client,
        app: &str,
        commands: &[&str],
        namespace: &str,
        error_code: i32,
    ) -> FailPoint {
        let data = doc! {"failCommands": commands, "errorCode": error_code, "appName": app, "namespace": namespace};
        configure(client, "alwaysOn".into(), data).await
    }

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

    /// Makes the next `times` of `commands` on `namespace` (`db.collection`) from `app` wait
    /// `ms` milliseconds (they then succeed).
    pub async fn block_command_on(
        client: &Client,
        app: &str,
        commands: &[&str],
        namespace: &str,
        ms: i32,
        times: i32,
    ) -> FailPoint {
        let data = doc! {"failCommands": commands, "blockConnection": true, "blockTimeMS": ms, "appName": app, "namespace": namespace};
        configure(client, doc! {"times": times}.into(), data).await
    }

    /// Makes the next `times` of `commands` from `app` wait `ms` milliseconds (they then
    /// succeed).
    pub async fn block_command_times(
        client: &Client,
        app: &str,
        commands: &[&str],
        ms: i32,
        times: i32,
    ) -> FailPoint {
        let data = doc! {"failCommands": commands, "blockConnection": true, "blockTimeMS": ms, "appName": app};
        configure(client, doc! {"times": times}.into(), data).await
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
/// `_`), periodic no-ops and rollbook's lock of a database (`rollbook_lock`, which every run
/// takes and releases) excepted: a count of zero proves nothing was written there.
/// Transactions are logged as one `applyOps` entry in `admin.$cmd`; those count when one of
/// their operations touches the databases.
pub async fn oplog_writes(
    client: &Client,
    since: mongodb::bson::Timestamp,
    databases: &[&str],
) -> u64 {
    client
        .database("local")
        .collection::<Document>("oplog.rs")
        .count_documents(oplog_filter(since, databases))
        .await
        .unwrap()
}

/// The entries [`oplog_writes`] counts, each shortened to its namespace, operation and the
/// first fields of its object: what a failing assertion shows.
pub async fn oplog_entries(
    client: &Client,
    since: mongodb::bson::Timestamp,
    databases: &[&str],
) -> Vec<String> {
    use futures_util::TryStreamExt;
    let entries: Vec<Document> = client
        .database("local")
        .collection::<Document>("oplog.rs")
        .find(oplog_filter(since, databases))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    entries
        .iter()
        .map(|e| {
            let mut shown = format!("{e:?}");
            shown.truncate(600);
            shown
        })
        .collect()
}

fn oplog_filter(since: mongodb::bson::Timestamp, databases: &[&str]) -> Document {
    let pattern = format!("^({})\\.", databases.join("|"));
    doc! {
        "ts": {"$gt": since},
        "op": {"$ne": "n"},
        "ns": {"$not": {"$regex": "\\.rollbook_lock$"}},
        "$or": [{"ns": {"$regex": &pattern}}, {"o.applyOps.ns": {"$regex": &pattern}}],
    }
}
