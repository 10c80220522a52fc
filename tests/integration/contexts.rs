//! Named contexts: a configuration file names each target's server (by an environment variable
//! or a file, never the connection string itself), state database and runbooks; the output
//! names the context; a protected one needs its name typed out before anything changes, and
//! `--yes` is not enough.

use std::path::Path;
use std::process::Command;

use mongodb::bson::doc;

use crate::data;
use crate::harness::{self, oplog_entries, oplog_now, Run};

/// A project directory whose `rollbook.toml` has a `staging` context (the default, its URI in
/// a file beside it) and a protected `production` one (its URI in `TEST_PRODUCTION_URI`).
fn project(dir: &Path, staging_state: &str, production_state: &str) {
    let runbooks = harness::repo_root().join("runbooks");
    std::fs::write(dir.join("staging.uri"), format!("{}\n", harness::uri())).unwrap();
    std::fs::write(
        dir.join("rollbook.toml"),
        format!(
            "default_context = \"staging\"\n\n[contexts.staging]\nuri_file = \"staging.uri\"\nstate_db = \"{staging_state}\"\nrunbooks = \"{runbooks}\"\n\n[contexts.production]\nuri_env = \"TEST_PRODUCTION_URI\"\nstate_db = \"{production_state}\"\nrunbooks = \"{runbooks}\"\nprotected = true\n",
            runbooks = runbooks.display()
        ),
    )
    .unwrap();
}

/// `rollbook ARGS` in `dir`, with no `--uri` and no `--state-db`: the context gives them.
fn in_project(dir: &Path, args: &[&str]) -> Run {
    Run::new(args)
        .no_uri()
        .current_dir(dir)
        .env("TEST_PRODUCTION_URI", harness::uri())
}

#[tokio::test]
async fn a_context_names_server_state_and_runbooks_and_a_protected_one_needs_its_name() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "contexts").await;
    let staging = harness::fresh_db(&client, "contexts_staging").await;
    let production = harness::fresh_db(&client, "contexts_production").await;
    // One target database per state database: a database changed by runs recorded in one
    // state database refuses runs recorded in another.
    let db_production = harness::fresh_db(&client, "contexts_db_production").await;
    let db_elsewhere = harness::fresh_db(&client, "contexts_db_elsewhere").await;
    for database in [&db, &db_production, &db_elsewhere] {
        data::seed_earlybird(&client, database, 500).await;
    }
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), &staging, &production);
    let rollback_on = |database: &str, steps: &str| {
        in_project(dir.path(), &["rollback", "steps-19-30", "--steps", steps])
            .args(["--db", database])
    };
    let rollback = |steps: &str| rollback_on(&db, steps);
    let rollback_production = |steps: &str| rollback_on(&db_production, steps);

    // The default context: its server, state database and runbooks, named in the output.
    let plan = in_project(
        dir.path(),
        &[
            "plan",
            "steps-19-30",
            "--direction",
            "rollback",
            "--steps",
            "19",
        ],
    )
    .args(["--db", &db])
    .status(0);
    assert!(plan.stdout.contains("(context staging)"), "{plan}");
    rollback("19").yes().json().status(0);
    assert_eq!(data::count(&client, &staging, "runs", doc! {}).await, 1);

    // Protected: --yes is not enough; without a terminal the name must be passed, and a wrong
    // one is refused. Nothing is written.
    let since = oplog_now(&client).await;
    for (extra, expected) in [
        (vec![], "pass --confirm-context production"),
        (vec!["--confirm-context", "staging"], "expected production"),
    ] {
        let refused = rollback_production("20")
            .args(["--context", "production"])
            .args(extra)
            .yes()
            .json()
            .status(5)
            .json_doc();
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{message}");
        assert!(message.contains("nothing was changed"), "{message}");
    }
    let written = oplog_entries(&client, since, &[&db_production, &production, &staging]).await;
    assert!(written.is_empty(), "{written:#?}");
    let done = rollback_production("20")
        .args(["--context", "production", "--confirm-context", "production"])
        .yes()
        .json()
        .status(0)
        .json_doc();
    assert_eq!(done["status"], "ok");
    assert_eq!(data::count(&client, &production, "runs", doc! {}).await, 1);
    // An explicit --state-db wins over the context's.
    let elsewhere = harness::fresh_db(&client, "contexts_elsewhere").await;
    rollback_on(&db_elsewhere, "19")
        .args(["--state-db", &elsewhere])
        .yes()
        .json()
        .status(0);
    assert_eq!(data::count(&client, &elsewhere, "runs", doc! {}).await, 1);

    // Bad input is refused before connecting: a context and --uri both; an unknown context; a
    // connection string written in the file.
    let both = rollback("19")
        .args(["--context", "production", "--uri", harness::uri()])
        .yes()
        .status(2);
    assert!(both.stderr.contains("give one of them"), "{both}");
    let unknown = rollback("19").args(["--context", "prod"]).yes().status(2);
    assert!(
        unknown.stderr.contains("no context \"prod\"")
            && unknown.stderr.contains("production, staging"),
        "{unknown}"
    );
    let inline = tempfile::tempdir().unwrap();
    std::fs::write(
        inline.path().join("rollbook.toml"),
        "[contexts.prod]\nuri = \"mongodb://admin:hunter2@db1/\"\n",
    )
    .unwrap();
    let refused = in_project(inline.path(), &["list", "--context", "prod"]).status(2);
    assert!(
        refused.stderr.contains("uri_env") && !refused.stderr.contains("hunter2"),
        "{refused}"
    );
}

/// On a terminal, the protected context's name is typed; anything else cancels, saying what
/// was expected.
#[tokio::test]
async fn a_protected_context_asks_for_its_name_on_a_terminal() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "contexts_pty").await;
    let staging = harness::fresh_db(&client, "contexts_pty_staging").await;
    let production = harness::fresh_db(&client, "contexts_pty_production").await;
    data::seed_earlybird(&client, &db, 500).await;
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), &staging, &production);
    let pty = |answers: &[&str]| {
        let output = Command::new("python3")
            .arg(harness::repo_root().join("tests/pty_drive.py"))
            .args(answers)
            .arg("--")
            .arg(harness::rollbook_binary())
            .args([
                "rollback",
                "steps-19-30",
                "--steps",
                "19",
                "--db",
                &db,
                "--context",
                "production",
                "--yes",
            ])
            .current_dir(dir.path())
            .env("TEST_PRODUCTION_URI", harness::uri())
            .env("XDG_CONFIG_HOME", dir.path().join("none"))
            .env("ROLLBOOK_OPERATOR", "test-operator")
            .output()
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let (code, screen) = pty(&["Type production and press Enter", "prod\\r"]);
    assert_eq!(code, 5, "{screen}");
    assert!(
        screen.contains("typed \"prod\", expected the context's name production"),
        "{screen}"
    );
    assert_eq!(data::count(&client, &production, "runs", doc! {}).await, 0);
    let (code, screen) = pty(&["Type production and press Enter", "production\\r"]);
    assert_eq!(code, 0, "{screen}");
    assert_eq!(data::count(&client, &production, "runs", doc! {}).await, 1);
}
