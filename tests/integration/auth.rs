//! With authentication on: the authenticated users of operator and approver are recorded,
//! and passwords from connection strings never appear in output, logs, the state database
//! or reports.

use std::path::PathBuf;
use std::sync::OnceLock;

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use mongodb::Client;

use crate::data;
use crate::harness::Run;

const ROOT_PASSWORD: &str = "root-Pw-7731";
const OPERATOR_PASSWORD: &str = "op-Secret-4410";
const APPROVER_PASSWORD: &str = "appr-Secret-9921";
const WRONG_PASSWORD: &str = "not-The-Pw-5582";

struct AuthServer {
    port: u16,
    _guard: std::process::Child,
    _dir: PathBuf,
}

impl AuthServer {
    fn uri(&self, user: &str, password: &str) -> String {
        format!(
            "mongodb://{user}:{password}@127.0.0.1:{}/?replicaSet=rs0&authSource=admin",
            self.port
        )
    }
}

static SERVER: OnceLock<AuthServer> = OnceLock::new();

/// A second replica set, with `--auth` and a key file, users created through the localhost
/// exception: root, "opuser" and "approver".
fn server() -> &'static AuthServer {
    SERVER.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix("rollbook-test-auth-").tempdir().unwrap().keep();
        let key = dir.join("keyfile");
        std::fs::write(&key, "rollbookTestKeyFileContents0123456789").unwrap();
        std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        let start_dir = dir.clone();
        let (port, guard) = std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                let port = rollbook::sandbox::mongod::free_port().unwrap();
                let extra = ["--auth".to_owned(), "--keyFile".to_owned(), key.display().to_string()];
                let started = rollbook::sandbox::mongod::start_with(&start_dir, port, 0.25, rollbook::sandbox::mongod::Lifetime::TiedToCaller, &extra)
                    .await
                    .unwrap();
                let local = Client::with_uri_str(format!("mongodb://127.0.0.1:{port}/?directConnection=true")).await.unwrap();
                local
                    .database("admin")
                    .run_command(doc! {"createUser": "root", "pwd": ROOT_PASSWORD, "roles": ["root"]})
                    .await
                    .unwrap();
                let root = Client::with_uri_str(format!("mongodb://root:{ROOT_PASSWORD}@127.0.0.1:{port}/?directConnection=true&authSource=admin"))
                    .await
                    .unwrap();
                for (user, password) in [("opuser", OPERATOR_PASSWORD), ("approver", APPROVER_PASSWORD)] {
                    root.database("admin")
                        .run_command(doc! {"createUser": user, "pwd": password, "roles": ["readWriteAnyDatabase", "clusterMonitor"]})
                        .await
                        .unwrap();
                }
                (port, started.child)
            })
        })
        .join()
        .unwrap();
        AuthServer { port, _guard: guard, _dir: dir }
    })
}

#[tokio::test]
async fn authenticated_users_are_recorded_and_passwords_never_shown() {
    let server = server();
    let root = Client::with_uri_str(server.uri("root", ROOT_PASSWORD))
        .await
        .unwrap();
    let db = "t_auth_earlybird";
    let state = "t_auth_state";
    root.database(state).drop().await.unwrap();
    data::seed_earlybird(&root, db, 500).await;
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    let plan_path = plan.to_str().unwrap();
    let mut transcript = String::new();
    // The connection string (with its password) comes from ROLLBOOK_URI, never the command line.
    let mut run = |operator: &str, uri: &str, args: &[&str]| {
        let output = Run::new(args)
            .db(db)
            .state(state)
            .no_uri()
            .env("ROLLBOOK_URI", uri)
            .operator(operator)
            .run();
        transcript.push_str(&output.stdout);
        transcript.push_str(&output.stderr);
        output
    };
    let operator_uri = server.uri("opuser", OPERATOR_PASSWORD);
    let approver_uri = server.uri("approver", APPROVER_PASSWORD);

    let plan = [
        "plan",
        "steps-19-30",
        "--direction",
        "rollback",
        "--steps",
        "23",
        "--out",
        plan_path,
    ];
    assert_eq!(run("alice", &operator_uri, &plan).code, 0);
    let approve = [
        "approve",
        "--plan",
        plan_path,
        "--reason",
        "CFO agreed",
        "--yes",
        "-vv",
    ];
    assert_eq!(run("carol", &approver_uri, &approve).code, 0);
    let output = run(
        "alice",
        &operator_uri,
        &[
            "rollback", "--plan", plan_path, "--yes", "--output", "json", "-vv",
        ],
    );
    let report = output.json_doc();
    assert_eq!(output.code, 0, "{report:#}");
    assert_eq!(report["approval"]["db_user"], "approver@admin");
    let run_id = report["run_id"].as_str().unwrap().to_owned();
    let record = root
        .database(state)
        .collection::<Document>("runs")
        .find_one(doc! {"_id": &run_id})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.get_str("db_user").unwrap(), "opuser@admin");
    let markdown = run("alice", &operator_uri, &["report", &run_id]).stdout;
    assert!(
        markdown.contains("database user `opuser@admin`")
            && markdown.contains("database user `approver@admin`"),
        "{markdown}"
    );
    run(
        "alice",
        &operator_uri,
        &["history", "--runbook", "steps-19-30"],
    );
    run(
        "alice",
        &operator_uri,
        &["status", "steps-19-30", "--output", "json"],
    );

    // A wrong password fails clearly, without showing it.
    let wrong = server.uri("opuser", WRONG_PASSWORD);
    let started = std::time::Instant::now();
    let failed = run("alice", &wrong, &["status", "steps-19-30", "-vv"]);
    assert_eq!(failed.code, 12, "{failed}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(9),
        "{failed}"
    );
    let headline = failed.stderr.lines().next().unwrap_or_default();
    assert!(
        headline.starts_with(&format!(
            "error[CONNECTION_FAILED]: MongoDB at 127.0.0.1:{} (replica set rs0) refused the credentials as opuser: authentication failed",
            server.port
        )),
        "{failed}"
    );
    let failed = run(
        "alice",
        &wrong,
        &[
            "rollback",
            "steps-19-30",
            "--steps",
            "19",
            "--yes",
            "--output",
            "json",
        ],
    );
    assert_eq!(failed.code, 12, "{failed}");
    assert_eq!(failed.json_doc()["error"]["code"], "CONNECTION_FAILED");
    // A malformed connection string is echoed only with its password hidden.
    let malformed = format!(
        "mongodb://opuser:{WRONG_PASSWORD}@127.0.0.1:{}/?replicaSet=rs0&bogusOption=",
        server.port
    );
    let bad = run("alice", &malformed, &["status", "steps-19-30"]);
    assert_eq!(bad.code, 2);

    assert!(
        transcript.contains("****")
            || transcript.contains("Authentication failed")
            || transcript.contains("auth"),
        "{transcript}"
    );
    for secret in [
        OPERATOR_PASSWORD,
        APPROVER_PASSWORD,
        WRONG_PASSWORD,
        ROOT_PASSWORD,
    ] {
        assert!(
            !transcript.contains(secret),
            "a password appeared in output:\n{transcript}"
        );
    }
    // Nor anywhere in the state database.
    let mut everything = String::new();
    for name in root.database(state).list_collection_names().await.unwrap() {
        let documents: Vec<Document> = root
            .database(state)
            .collection::<Document>(&name)
            .find(doc! {})
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        for document in documents {
            everything.push_str(&Bson::Document(document).into_relaxed_extjson().to_string());
        }
    }
    assert!(everything.contains("opuser@admin"));
    for secret in [OPERATOR_PASSWORD, APPROVER_PASSWORD, WRONG_PASSWORD] {
        assert!(
            !everything.contains(secret),
            "a password was stored in the state database"
        );
    }
}
