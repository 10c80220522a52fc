//! Secrets stay secret: shell steps start from a clean environment, files that are not runbooks
//! are never quoted, `--uri-file`; and approving knowingly: a saved plan is never combined with
//! choices that contradict it, and `approve` shows what it approves and asks first.

use mongodb::bson::{doc, Document};

use crate::data;
use crate::execution::approved_plan;
use crate::harness::{self, oplog_now, oplog_writes, Run};

/// A password that must never reach a shell step or the output.
const INHERITED_SECRET: &str = "Inherited-S3cret";

#[tokio::test]
async fn shell_steps_do_not_inherit_the_connection_string_or_other_variables() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "shell_env").await;
    let state = harness::fresh_db(&client, "shell_env_state").await;
    let dir = tempfile::tempdir().unwrap();
    let runbook = dir.path().join("shell-env.yaml");
    std::fs::write(
        &runbook,
        "id: shell-env\ntitle: Print the environment\ndatabase: shop\nparams:\n  - name: out\n    type: path\n    description: where the environment is written\nsteps:\n  - id: \"1\"\n    title: Environment\n    data_loss: {level: none}\n    reversibility: {level: full}\n    forward:\n      - shell:\n          run: 'env > \"$ROLLBOOK_PARAM_OUT\"'\n",
    )
    .unwrap();
    let out = dir.path().join("env.txt");
    // The connection string comes from ROLLBOOK_URI, with a password-bearing MONGODB_URI and an
    // unrelated secret beside it.
    let uri = harness::uri();
    Run::new(["apply"])
        .arg(&runbook)
        .arg("--param")
        .arg(format!("out={}", out.display()))
        .db(&db)
        .state(&state)
        .yes()
        .no_uri()
        .env("ROLLBOOK_URI", uri)
        .env(
            "MONGODB_URI",
            format!("mongodb://admin:{INHERITED_SECRET}@127.0.0.1:1/"),
        )
        .env("SOME_API_TOKEN", INHERITED_SECRET)
        .status(0);
    let seen = std::fs::read_to_string(&out).unwrap();
    let names: Vec<&str> = seen
        .lines()
        .filter_map(|l| l.split_once('=').map(|(name, _)| name))
        .collect();
    for absent in [
        "ROLLBOOK_URI",
        "MONGODB_URI",
        "SOME_API_TOKEN",
        "ROLLBOOK_OPERATOR",
    ] {
        assert!(
            !names.contains(&absent),
            "{absent} reached the shell step:\n{seen}"
        );
    }
    assert!(!seen.contains(INHERITED_SECRET), "{seen}");
    assert!(!seen.contains(uri), "{seen}");
    for present in [
        "PATH",
        "HOME",
        "ROLLBOOK_PARAM_OUT",
        "ROLLBOOK_RUN_ID",
        "ROLLBOOK_STEP",
        "ROLLBOOK_DATABASE",
    ] {
        assert!(names.contains(&present), "{present} is missing:\n{seen}");
    }
    let allowed = [
        "PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "PWD", "SHLVL", "_", "OLDPWD",
    ];
    for name in names {
        assert!(
            name.starts_with("ROLLBOOK_") || allowed.contains(&name),
            "{name} reached the shell step:\n{seen}"
        );
    }
}

#[tokio::test]
async fn files_that_are_not_runbooks_are_never_quoted() {
    let client = harness::client().await;
    let state = harness::fresh_db(&client, "not_runbooks_state").await;
    let secret_line = "root:$6$FakeSecretHash:19000:0:99999:7:::";
    let dir = tempfile::tempdir().unwrap();
    let secrets = dir.path().join("shadow");
    std::fs::write(&secrets, format!("{secret_line}\nother:x:1\n")).unwrap();
    let runbooks = dir.path().join("runbooks");
    std::fs::create_dir(&runbooks).unwrap();
    let link = runbooks.join("x.yaml");
    std::os::unix::fs::symlink(&secrets, &link).unwrap();
    // A real .yaml file that is not a runbook, and a file that is not YAML at all.
    let not_runbook = runbooks.join("creds.yaml");
    std::fs::write(&not_runbook, format!("{secret_line}\n")).unwrap();
    let not_yaml = dir.path().join("notes.txt");
    std::fs::write(&not_yaml, format!("password = {INHERITED_SECRET}\n")).unwrap();
    let path = |p: &std::path::Path| p.to_str().unwrap().to_owned();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["show".into(), path(&link)], "is not a runbook"),
        (vec!["validate".into(), path(&link)], "is not a runbook"),
        (vec!["validate".into(), path(&not_runbook)], "not a runbook"),
        (vec!["show".into(), path(&not_yaml)], "is not a runbook"),
        (
            vec!["--runbooks".into(), path(&runbooks), "validate".into()],
            "not a runbook",
        ),
        (
            vec!["apply".into(), path(&link), "--yes".into()],
            "is not a runbook",
        ),
        (
            vec!["apply".into(), path(&not_runbook), "--yes".into()],
            "not a runbook",
        ),
    ];
    let since = oplog_now(&client).await;
    for (args, says) in cases {
        for json in [false, true] {
            let mut run = Run::new(&args).state(&state);
            if json {
                run = run.json();
            }
            let output = run.status(2);
            for text in [&output.stdout, &output.stderr] {
                assert!(
                    !text.contains("FakeSecretHash") && !text.contains(INHERITED_SECRET),
                    "a secret was quoted: {output}"
                );
            }
            assert!(output.stderr.contains(says), "{output}");
            assert!(output.stderr.contains("nothing was changed"), "{output}");
        }
    }
    assert_eq!(oplog_writes(&client, since, &[&state, "shop"]).await, 0);
}

#[tokio::test]
async fn the_connection_string_can_come_from_a_file() {
    let client = harness::client().await;
    let state = harness::fresh_db(&client, "uri_file_state").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("uri");
    std::fs::write(&file, format!("  {}  \n", harness::uri())).unwrap();
    let status = || {
        Run::new(["status", "steps-19-30"])
            .state(&state)
            .no_uri()
            .arg("--uri-file")
            .arg(&file)
    };
    status().status(0);
    // The file wins over ROLLBOOK_URI, which is not a conflict.
    status()
        .env(
            "ROLLBOOK_URI",
            "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200",
        )
        .status(0);
    // Both on the command line: refused.
    let both = status().arg("--uri").arg(harness::uri()).status(2);
    assert!(both.stderr.contains("cannot be used with"), "{both}");
    // Unreadable and empty files say so.
    let missing = dir.path().join("missing");
    let output = Run::new(["status", "steps-19-30"])
        .no_uri()
        .arg("--uri-file")
        .arg(&missing)
        .json()
        .status(2);
    assert!(
        output.stderr.contains("--uri-file") && output.stderr.contains("cannot read it"),
        "{output}"
    );
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").unwrap();
    let output = Run::new(["status", "steps-19-30"])
        .no_uri()
        .arg("--uri-file")
        .arg(&empty)
        .status(2);
    assert!(output.stderr.contains("the file is empty"), "{output}");
}

#[tokio::test]
async fn choices_that_contradict_a_saved_plan_are_refused() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "plan_contradicted").await;
    let state = harness::fresh_db(&client, "plan_contradicted_state").await;
    let other = harness::fresh_db(&client, "plan_contradicted_other").await;
    data::seed_earlybird(&client, &db, 200).await;
    data::seed_earlybird(&client, &other, 200).await;
    let plan = approved_plan("rollback", &["--steps", "23"], &db, &state);
    let before = |db: String| {
        let client = client.clone();
        async move {
            let mut names = client.database(&db).list_collection_names().await.unwrap();
            names.sort();
            let mut all = Vec::new();
            for collection in &names {
                all.push(data::documents(&client, &db, collection).await);
            }
            (names, all)
        }
    };
    let (data_before, other_before) = (before(db.clone()).await, before(other.clone()).await);
    let since = oplog_now(&client).await;
    for (name, extra, says) in [
        (
            "other steps",
            vec!["--steps", "21"],
            "--steps 21 contradicts plan",
        ),
        (
            "more steps",
            vec!["--steps", "21,23"],
            "--steps 21,23 contradicts plan",
        ),
        ("all steps", vec!["--steps", "all"], "contradicts plan"),
        (
            "an undeclared parameter",
            vec!["--param", "org=acme"],
            "org",
        ),
    ] {
        let output = Run::new(["rollback", "--plan", plan.arg()])
            .args(&extra)
            .db(&db)
            .state(&state)
            .yes()
            .json()
            .status(2);
        assert!(output.stderr.contains(says), "{name}: {output}");
    }
    let output = Run::new(["rollback", "--plan", plan.arg()])
        .db(&other)
        .state(&state)
        .yes()
        .json()
        .status(2);
    assert!(
        output.stderr.contains("not the one given with --db"),
        "{output}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(
        oplog_writes(&client, since, &[&db, &other, &state]).await,
        0
    );
    assert_eq!(before(db.clone()).await, data_before);
    assert_eq!(before(other.clone()).await, other_before);
    // The plan's own steps and database are fine, and only step 23 runs.
    let report = Run::new(["rollback", "--plan", plan.arg(), "--steps", "23"])
        .db(&db)
        .state(&state)
        .yes()
        .json()
        .status(0)
        .json_doc();
    let ran: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ran, ["23"], "{report:#}");
}

#[tokio::test]
async fn approve_shows_what_it_approves_and_asks() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "approve_asks").await;
    let state = harness::fresh_db(&client, "approve_asks_state").await;
    data::seed_earlybird(&client, &db, 300).await;
    let dir = tempfile::tempdir().unwrap();
    let plan_path = dir.path().join("p23.json");
    let plan_file = plan_path.to_str().unwrap();
    let planned = Run::new([
        "plan",
        "steps-19-30",
        "--direction",
        "rollback",
        "--steps",
        "23",
    ])
    .args(["--out", plan_file])
    .db(&db)
    .state(&state)
    .json()
    .status(0)
    .json_doc();
    let predicted = planned["steps"][0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|a| a["affected"].as_u64().filter(|n| *n > 0))
        .expect("step 23 changes documents");
    let approve = || {
        Run::new(["approve", "--plan", plan_file, "--reason", "finance agreed"])
            .state(&state)
            .operator("approver")
    };
    let approvals = || async {
        client
            .database(&state)
            .collection::<Document>("approvals")
            .count_documents(doc! {})
            .await
            .unwrap()
    };
    let since = oplog_now(&client).await;
    // No terminal, no --yes: refused, nothing recorded.
    let output = approve().json().status(5);
    assert!(output.stderr.contains("--yes"), "{output}");
    assert_eq!(output.json_doc()["error"]["code"], "NOT_CONFIRMED");
    // Longer than a day: refused.
    let output = approve().args(["--expires-in", "1441"]).yes().status(2);
    assert!(output.stderr.contains("1440 minutes"), "{output}");
    // Declined in a terminal, after seeing the plan.
    let (code, screen) = crate::gates::pty(&["Approve plan", "n\\r"], &approve());
    assert_eq!(code, 5, "{screen}");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(oplog_writes(&client, since, &[&state, &db]).await, 0);
    assert_eq!(approvals().await, 0);
    let port = harness::uri()
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?']).next())
        .unwrap()
        .to_owned();
    let target = format!("database {db} on replica set rs0 at 127.0.0.1:{port}");
    for shown in [
        target.as_str(),
        "step 23",
        "data loss",
        &format!("{predicted} documents"),
        "valid until",
    ] {
        assert!(screen.contains(shown), "{shown:?} is not shown:\n{screen}");
    }
    // Accepted in a terminal.
    let (code, screen) = crate::gates::pty(&["Approve plan", "y\\r"], &approve());
    assert_eq!(code, 0, "{screen}");
    assert_eq!(approvals().await, 1);
    // With --yes the summary goes to stdout, and JSON carries the steps and the server.
    let output = approve().yes().status(0);
    assert!(
        output.stdout.contains(&target) && output.stdout.contains("step 23"),
        "{output}"
    );
    let document = approve().yes().json().status(0).json_doc();
    assert_eq!(document["steps"][0]["id"], "23", "{document:#}");
    assert!(
        document["server"].as_str().unwrap().contains(&port),
        "{document:#}"
    );
}
