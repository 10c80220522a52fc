//! The gates in front of every change: `plan` writes nothing, approvals, saved-plan drift,
//! the lock, confirmation prompts in a real terminal, and the incident report.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mongodb::bson::{doc, DateTime, Document};

use crate::data;
use crate::harness::{self, oplog_now, oplog_writes, Run};

#[tokio::test]
async fn plan_shows_what_would_change_and_writes_nothing() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "plan_nothing").await;
    let state = harness::fresh_db(&client, "plan_nothing_state").await;
    data::seed_earlybird(&client, &db, 2_000).await;
    let since = oplog_now(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.json");

    let run = |args: &[&str]| Run::new(args).db(&db).state(&state).json();
    let plan = run(&[
        "plan",
        "steps-19-30",
        "--direction",
        "rollback",
        "--steps",
        "30-19",
    ])
    .arg("--out")
    .arg(&out)
    .status(0)
    .json_doc();
    run(&["plan", "steps-19-30", "--direction", "forward"]).status(0);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        oplog_writes(&client, since, &[&db, &state]).await,
        0,
        "plan wrote to the target or state database"
    );
    assert!(!client.list_database_names().await.unwrap().contains(&state));

    let steps = plan["steps"].as_array().unwrap();
    let step = |id: &str| steps.iter().find(|s| s["id"] == id).unwrap().clone();
    assert_eq!(step("23")["approval"], "billing");
    assert_eq!(step("21")["approval"], "user_linking");
    assert_eq!(step("24")["approval"], "roles");
    assert_eq!(step("22")["data_loss"], "partial");
    let unset = &step("19")["actions"][0];
    assert!(unset["affected"].as_u64().unwrap() > 0);
    assert_eq!(unset["samples"].as_array().unwrap().len(), 3);
    for sample in unset["samples"].as_array().unwrap() {
        assert!(
            sample["before"].get("subscription_id").is_some()
                && sample["after"].get("subscription_id").is_none()
        );
    }
    assert_eq!(step("30")["actions"][0]["drops_indexes"][0], "user_id_1");
    assert!(
        step("20")["transaction"].as_bool().unwrap(),
        "a small step is planned in a transaction"
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(saved["plan_id"], plan["plan_id"]);
    assert!(saved["digest"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(
        saved["approvals_required"],
        serde_json::json!(["24", "23", "21"])
    );
}

#[tokio::test]
async fn plan_shows_the_collection_a_rename_replaces() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "plan_rename").await;
    let state = harness::fresh_db(&client, "plan_rename_state").await;
    for (name, count) in [("orders_next", 3), ("orders", 5)] {
        let docs: Vec<Document> = (0..count).map(|i| doc! {"_id": i}).collect();
        client
            .database(&db)
            .collection::<Document>(name)
            .insert_many(docs)
            .await
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let runbook = dir.path().join("swap.yaml");
    std::fs::write(
        &runbook,
        "id: swap\ntitle: Swap in the new orders\ndatabase: shop\nsteps:\n  - id: \"1\"\n    title: Rename over\n    data_loss: {level: partial}\n    reversibility: {level: full}\n    forward:\n      - rename_collection: {from: orders_next, to: orders, drop_target: true}\n",
    )
    .unwrap();
    let since = oplog_now(&client).await;
    let plan = Run::new(["plan"])
        .arg(&runbook)
        .args(["--direction", "forward"])
        .db(&db)
        .state(&state)
        .json()
        .status(0)
        .json_doc();
    let action = &plan["steps"][0]["actions"][0];
    let drops: Vec<&str> = action["drops_collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(drops, ["orders_next", "orders"], "{plan:#}");
    assert!(
        action["note"]
            .as_str()
            .is_some_and(|n| n.contains("replaces the existing orders (5 documents")),
        "{plan:#}"
    );
    assert_eq!(oplog_writes(&client, since, &[&db, &state]).await, 0);
}

#[tokio::test]
async fn approvals_none_self_expired_wrong_digest_and_valid() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "approvals").await;
    let state = harness::fresh_db(&client, "approvals_state").await;
    data::seed_earlybird(&client, &db, 1_000).await;
    let billed = || data::count(&client, &db, "orders", doc! {"billed": {"$exists": true}});
    let before = billed().await;
    let runs = || data::count(&client, &state, "runs", doc! {});
    let run = |args: &[&str]| Run::new(args).db(&db).state(&state).json();
    let refused = |args: &[&str], why: &str| {
        let report = run(args).yes().status(4).json_doc();
        assert_eq!(report["error"]["code"], "APPROVAL_REQUIRED");
        let message = report["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(why) && message.contains("rollbook approve"),
            "{message}"
        );
    };

    // None: no plan at all, and --yes does not help.
    refused(
        &["rollback", "steps-19-30", "--steps", "23"],
        "need an approved plan",
    );
    // A plan nobody approved.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.json");
    let plan_path = file.to_str().unwrap();
    let plan = run(&[
        "plan",
        "steps-19-30",
        "--direction",
        "rollback",
        "--steps",
        "23",
        "--out",
        plan_path,
    ])
    .status(0)
    .json_doc();
    let rollback = ["rollback", "--plan", plan_path];
    refused(&rollback, "has no approval");
    // Approved only by the operator who runs it.
    let approve = |who: &str| {
        Run::new([
            "approve",
            "--plan",
            plan_path,
            "--reason",
            "finance agreed",
            "--ticket",
            "INC-7",
        ])
        .state(&state)
        .operator(who)
        .yes()
        .status(0);
    };
    approve("test-operator");
    refused(&rollback, "someone else must approve");
    // Approved by someone else, but expired.
    let now = DateTime::now().timestamp_millis();
    let approval = |approver: &str, digest: &str, expires: i64| {
        doc! {"plan_id": plan["plan_id"].as_str().unwrap(), "plan_digest": digest, "runbook": "steps-19-30", "database": &db,
        "approver": approver, "db_user": null, "reason": "r", "ticket": null,
        "created_at": DateTime::from_millis(now - 7_200_000), "expires_at": DateTime::from_millis(expires)}
    };
    let approvals = client.database(&state).collection::<Document>("approvals");
    approvals
        .insert_one(approval(
            "carol",
            plan["plan_digest"].as_str().unwrap(),
            now - 3_600_000,
        ))
        .await
        .unwrap();
    refused(&rollback, "expired");
    // Approved by someone else for different content (wrong digest): only that approval exists.
    approvals.delete_many(doc! {}).await.unwrap();
    approvals
        .insert_one(approval("carol", "sha256:0000", now + 3_600_000))
        .await
        .unwrap();
    refused(&rollback, "digest mismatch");
    assert_eq!(billed().await, before, "a refused run changed data");
    assert_eq!(runs().await, 0, "a refused run was recorded");

    // A tampered plan file is refused as drift.
    let tampered = dir.path().join("tampered.json");
    std::fs::write(
        &tampered,
        std::fs::read_to_string(&file)
            .unwrap()
            .replace("\"23\"", "\"22\""),
    )
    .unwrap();
    let report = run(&["rollback", "--plan", tampered.to_str().unwrap()])
        .yes()
        .status(10)
        .json_doc();
    assert_eq!(report["error"]["code"], "PLAN_DRIFT", "{report:#}");

    // Valid: approved by carol for this digest, unexpired.
    approve("carol");
    let report = run(&rollback).yes().status(0).json_doc();
    assert_eq!(report["approval"]["approver"], "carol");
    assert_eq!(report["plan_id"], plan["plan_id"]);
    assert_eq!(billed().await, 0);

    // The incident report tells the story.
    let run_id = report["run_id"].as_str().unwrap();
    let markdown = Run::new(["report", run_id]).state(&state).run().stdout;
    for expected in [
        "# Incident report: rollback of steps-19-30",
        "## Timeline",
        "**Approved by:** carol",
        "**Ticket:** INC-7",
        "finance agreed",
        "| 23 |",
        "## Verification",
        "## Left pending",
    ] {
        assert!(
            markdown.contains(expected),
            "report lacks {expected:?}:\n{markdown}"
        );
    }
    let json = run(&["report", run_id]).status(0).json_doc();
    assert!(json["markdown"].as_str().unwrap().contains("## Steps"));
}

#[tokio::test]
async fn saved_plans_refuse_a_changed_runbook_and_drifted_data() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "plan_drift").await;
    let state = harness::fresh_db(&client, "plan_drift_state").await;
    data::seed_earlybird(&client, &db, 1_000).await;
    let dir = tempfile::tempdir().unwrap();
    let runbooks = dir.path().join("runbooks");
    std::fs::create_dir(&runbooks).unwrap();
    let source =
        std::fs::read_to_string(harness::repo_root().join("runbooks/steps-19-30.yaml")).unwrap();
    std::fs::write(runbooks.join("steps-19-30.yaml"), &source).unwrap();
    let file = dir.path().join("plan.json");
    let plan_path = file.to_str().unwrap();
    let books = runbooks.to_str().unwrap();
    let run = |args: &[&str]| {
        Run::new(args)
            .args(["--runbooks", books])
            .db(&db)
            .state(&state)
            .json()
    };
    run(&[
        "plan",
        "steps-19-30",
        "--direction",
        "rollback",
        "--steps",
        "19",
        "--out",
        plan_path,
    ])
    .status(0);
    let rollback = ["rollback", "--plan", plan_path];

    // The runbook changed since the plan.
    std::fs::write(
        runbooks.join("steps-19-30.yaml"),
        source.replacen(
            "Remove subscription_id from orders",
            "Remove subscription_id",
            1,
        ),
    )
    .unwrap();
    let report = run(&rollback).yes().status(10).json_doc();
    assert_eq!(report["error"]["code"], "PLAN_DRIFT", "{report:#}");
    std::fs::write(runbooks.join("steps-19-30.yaml"), &source).unwrap();

    // The data drifted: five orders lost the field since the plan.
    let orders = client.database(&db).collection::<Document>("orders");
    let ids: Vec<mongodb::bson::Bson> = {
        use futures_util::TryStreamExt;
        let found: Vec<Document> = orders
            .find(doc! {"subscription_id": {"$exists": true}})
            .limit(5)
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        found
            .iter()
            .map(|d| d.get("_id").unwrap().clone())
            .collect()
    };
    orders
        .update_many(
            doc! {"_id": {"$in": ids}},
            doc! {"$unset": {"subscription_id": ""}},
        )
        .await
        .unwrap();
    let report = run(&rollback).yes().status(10).json_doc();
    assert_eq!(report["error"]["code"], "PLAN_DRIFT", "{report:#}");
    assert!(
        report["error"]["message"]
            .as_str()
            .unwrap()
            .contains("planned"),
        "{report:#}"
    );
    // ... which the operator may allow.
    run(&rollback).yes().args(["--max-drift", "5"]).status(0);
}

#[tokio::test]
async fn two_racing_rollbacks_with_different_state_databases_one_runs_the_other_exits_6() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "lock_race").await;
    let states = [
        harness::fresh_db(&client, "lock_race_state_a").await,
        harness::fresh_db(&client, "lock_race_state_b").await,
    ];
    data::seed_earlybird(&client, &db, 60_000).await;
    // Create the state databases first so both processes race only for the lock.
    for state in &states {
        Run::new(["status", "steps-19-30"])
            .db(&db)
            .state(state)
            .json()
            .status(0);
    }
    let rollback = |state: &str| {
        Run::new(["rollback", "steps-19-30", "--steps", "19,20"])
            .yes()
            .db(&db)
            .state(state)
            .json()
    };
    let spawn = |operator: &str, state: &str| {
        let mut process = rollback(state).process();
        process.env("ROLLBOOK_OPERATOR", operator);
        process.stdout(Stdio::piped()).stderr(Stdio::piped());
        process.spawn().unwrap()
    };
    let (first, second) = (spawn("alice", &states[0]), spawn("bob", &states[1]));
    let outputs = [first, second]
        .map(|child| rollback(&states[0]).outcome(child.wait_with_output().unwrap()));
    let mut codes: Vec<i32> = outputs.iter().map(|o| o.code).collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        [0, 6],
        "{:?}",
        outputs.iter().map(|o| &o.stdout).collect::<Vec<_>>()
    );
    let loser = outputs.iter().find(|o| o.code == 6).unwrap();
    let report = loser.json_doc();
    assert_eq!(report["error"]["code"], "CONCURRENT_UPDATE_DETECTED");
    let message = report["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("is locked by run")
            && (message.contains("by alice") || message.contains("by bob"))
            && message.contains("state database t_lock_race_state_")
            && message.contains("since"),
        "{message}"
    );
    let mut runs = 0;
    for state in &states {
        runs += data::count(&client, state, "runs", doc! {}).await;
    }
    assert_eq!(runs, 1, "the loser recorded a run");
    let lock = client
        .database(&db)
        .collection::<Document>("rollbook_lock")
        .find_one(doc! {})
        .await
        .unwrap()
        .expect("the lock document stays, with its generation");
    assert_eq!(
        lock.get("owner"),
        Some(&mongodb::bson::Bson::Null),
        "the winner released the lock: {lock}"
    );
    assert_eq!(lock.get_i64("generation").unwrap(), 1, "{lock}");

    // The lock remembers the winner's state database: a run recording elsewhere is refused
    // before writing anything, naming where the state is.
    let winner = outputs.iter().find(|o| o.code == 0).unwrap().json_doc();
    let winner_run = winner["run_id"].as_str().unwrap();
    let (winner_state, loser_state) = if runs_in(&client, &states[0], winner_run).await {
        (&states[0], &states[1])
    } else {
        (&states[1], &states[0])
    };
    let since = harness::oplog_now(&client).await;
    let elsewhere = rollback(loser_state).status(11).json_doc();
    assert_eq!(elsewhere["error"]["code"], "SESSION_STATE_CONFLICT");
    let message = elsewhere["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("last changed by run {winner_run}"))
            && message.contains(&format!("pass --state-db {winner_state}")),
        "{message}"
    );
    assert_eq!(harness::oplog_writes(&client, since, &[&db]).await, 0);
    assert_eq!(data::count(&client, loser_state, "runs", doc! {}).await, 0);
}

/// True when `state` records run `id`.
async fn runs_in(client: &mongodb::Client, state: &str, id: &str) -> bool {
    data::count(client, state, "runs", doc! {"_id": id}).await == 1
}

/// This machine's boot id and pid namespace, as the lock records them.
fn machine() -> (String, String, String) {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_owned();
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .unwrap()
        .trim()
        .to_owned();
    let namespace = std::fs::read_link("/proc/self/ns/pid")
        .unwrap()
        .display()
        .to_string();
    (host, boot, namespace)
}

#[tokio::test]
async fn a_dead_holders_lock_is_taken_over_and_a_live_one_only_forced_by_hand() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "lock_takeover").await;
    let state = harness::fresh_db(&client, "lock_takeover_state").await;
    data::seed_earlybird(&client, &db, 500).await;
    let locks = client.database(&db).collection::<Document>("rollbook_lock");
    let runs = client.database(&state).collection::<Document>("runs");
    let (host, boot, namespace) = machine();
    let mut exited = Command::new("true").spawn().unwrap();
    let dead_pid = i64::from(exited.id());
    exited.wait().unwrap();
    let now = DateTime::now();
    let later = DateTime::from_millis(now.timestamp_millis() + 600_000);
    let lease = |owner: &str,
                 (host, boot, namespace): (&str, &str, &str),
                 pid: i64,
                 expires: DateTime,
                 generation: i64| {
        doc! {"_id": "lock", "owner": owner, "runbook": "steps-19-30", "operator": "ghost", "host": host,
        "boot_id": boot, "pid_namespace": namespace, "pid": pid, "state_db": &state, "generation": generation,
        "acquired_at": now, "heartbeat_at": now, "expires_at": expires}
    };
    let hold = |document: Document| {
        let locks = locks.clone();
        async move {
            locks
                .replace_one(doc! {"_id": "lock"}, document)
                .upsert(true)
                .await
                .unwrap();
        }
    };
    let run_record = |id: &str, host: &str, pid: i64| {
        doc! {"_id": id, "command": "rollback", "runbook": "steps-19-30", "digest": "sha256:x", "database": &db, "direction": "rollback",
        "steps": ["20"], "params": {}, "operator": "ghost", "host": host, "pid": pid, "started_at": now, "heartbeat_at": now, "status": "running", "resumed_at": []}
    };
    let generation = || {
        let locks = locks.clone();
        async move {
            locks
                .find_one(doc! {})
                .await
                .unwrap()
                .unwrap()
                .get_i64("generation")
                .unwrap()
        }
    };

    // A holder with this hostname whose process is gone, but on another boot or in another pid
    // namespace (another container): its pid says nothing, so its live lease holds.
    let run = |args: &[&str]| Run::new(args).db(&db).state(&state).json();
    for elsewhere in [
        (host.as_str(), "another-boot", namespace.as_str()),
        (host.as_str(), boot.as_str(), "pid:[1]"),
    ] {
        hold(lease("twin-run", elsewhere, dead_pid, later, 3)).await;
        run(&["rollback", "steps-19-30", "--steps", "19"])
            .yes()
            .status(6);
        assert_eq!(generation().await, 3, "nothing taken over");
    }

    // Holder on this machine whose process is gone: taken over at once, its run marked
    // interrupted, the generation raised.
    hold(lease(
        "dead-run",
        (&host, &boot, &namespace),
        dead_pid,
        later,
        3,
    ))
    .await;
    runs.insert_one(run_record("dead-run", &host, dead_pid))
        .await
        .unwrap();
    let report = run(&["rollback", "steps-19-30", "--steps", "19"])
        .yes()
        .status(0)
        .json_doc();
    assert_eq!(report["interrupted_runs"][0], "dead-run");
    assert_eq!(generation().await, 4);
    assert_eq!(
        runs.find_one(doc! {"_id": "dead-run"})
            .await
            .unwrap()
            .unwrap()
            .get_str("status")
            .unwrap(),
        "interrupted"
    );

    // Holder on another host with a live lease: exit 6, nothing written. `unlock --yes`
    // refuses a live lease; `--force` frees it, fences the holder (generation raised) and keeps
    // the lock free of new holders for a short pause.
    hold(lease("other-run", ("another-host", "b", "n"), 1, later, 7)).await;
    runs.insert_one(run_record("other-run", "another-host", 1))
        .await
        .unwrap();
    let before = data::documents(&client, &db, "delivery_statuses").await;
    let report = run(&["rollback", "steps-19-30", "--steps", "20"])
        .yes()
        .status(6)
        .json_doc();
    assert!(
        report["error"]["message"]
            .as_str()
            .unwrap()
            .contains("other-run (attempt 7) of steps-19-30 by ghost (host another-host"),
        "{report:#}"
    );
    assert_eq!(
        data::documents(&client, &db, "delivery_statuses").await,
        before
    );
    let unlock = || Run::new(["unlock", "steps-19-30"]).db(&db).state(&state);
    unlock().status(6);
    let refused = unlock().yes().status(6);
    assert!(refused.stderr.contains("--force"), "{refused}");
    assert_eq!(generation().await, 7, "a refused unlock changes nothing");
    unlock().arg("--force").status(5);
    let unlocked = unlock().yes().arg("--force").status(0);
    assert!(unlocked.stdout.contains("released the lock"), "{unlocked}");
    assert_eq!(generation().await, 8, "the old holder is fenced");
    assert_eq!(
        data::count(
            &client,
            &state,
            "audit",
            doc! {"event": "lock_forced_by_hand", "run_id": "other-run"}
        )
        .await,
        1
    );
    let paused = run(&["rollback", "steps-19-30", "--steps", "20"])
        .yes()
        .status(6);
    assert!(paused.stderr.contains("just released by hand"), "{paused}");
    tokio::time::sleep(Duration::from_secs(15)).await;
    run(&["rollback", "steps-19-30", "--steps", "20"])
        .yes()
        .status(0);
    assert_eq!(generation().await, 9);

    // An expired lease from another host is taken over.
    hold(lease(
        "stale-run",
        ("another-host", "b", "n"),
        1,
        DateTime::from_millis(now.timestamp_millis() - 1_000),
        20,
    ))
    .await;
    run(&["apply", "steps-19-30", "--steps", "20"])
        .yes()
        .status(0);
    assert_eq!(generation().await, 21);
}

/// Runs `rollbook` in a pseudo-terminal, typing `answers` (pairs of prompt and reply).
pub(crate) fn pty(answers: &[&str], rollbook: &Run) -> (i32, String) {
    let output = Command::new("python3")
        .arg(harness::repo_root().join("tests/pty_drive.py"))
        .args(answers)
        .arg("--")
        .arg(harness::rollbook_binary())
        .args(rollbook.argv())
        .current_dir(harness::repo_root())
        .env("ROLLBOOK_OPERATOR", "test-operator")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[tokio::test]
async fn prompts_in_a_real_terminal_are_answered_and_declined() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "prompts").await;
    let state = harness::fresh_db(&client, "prompts_state").await;
    data::seed_earlybird(&client, &db, 500).await;
    let has = |field: &'static str, collection: &'static str| {
        data::count(&client, &db, collection, doc! {field: {"$exists": true}})
    };
    let rollback = |steps: &str| {
        Run::new(["rollback", "steps-19-30", "--steps", steps])
            .db(&db)
            .state(&state)
    };

    let port = harness::uri()
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?']).next())
        .unwrap()
        .to_owned();
    let server = format!("database {db} on replica set rs0 at 127.0.0.1:{port}");

    // Step 19 loses nothing: a yes/no question, answered by a whole line. It names the server
    // and the database, as does the plan shown above it.
    let (code, screen) = pty(&["Run rollback", "n\\r"], &rollback("19"));
    assert_eq!(code, 5, "{screen}");
    assert!(
        screen.contains("would change") && screen.contains("declined"),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("Run rollback of steps-19-30 on {server}?")),
        "the prompt names the server: {screen}"
    );
    assert!(screen.contains(&format!("target: {server}")), "{screen}");
    assert!(has("subscription_id", "orders").await > 0);
    // A key alone answers nothing: "y" waits for Enter (here a second "y" and Enter make "yy",
    // which is asked again, then "y" and Enter answer).
    let (code, screen) = pty(
        &[
            "Run rollback",
            "y",
            "Run rollback",
            "y\\r",
            "neither y nor n",
            "y\\r",
        ],
        &rollback("19"),
    );
    assert_eq!(code, 0, "{screen}");
    assert_eq!(has("subscription_id", "orders").await, 0);

    // Step 20 loses data: the runbook id must be typed; a mismatch says what was expected.
    let (code, screen) = pty(
        &["Type steps-19-30 and press Enter", "yes\\r"],
        &rollback("20"),
    );
    assert_eq!(code, 5, "{screen}");
    assert!(
        screen.contains("you typed \"yes\", expected the runbook id \"steps-19-30\""),
        "{screen}"
    );
    assert!(has("order_id", "delivery_statuses").await > 0);
    let (code, screen) = pty(
        &["Type steps-19-30 and press Enter", "steps-19-30\\r"],
        &rollback("20"),
    );
    assert_eq!(code, 0, "{screen}");
    assert_eq!(has("order_id", "delivery_statuses").await, 0);

    // Without a terminal and without --yes: exit 5 at once, before even connecting.
    let started = Instant::now();
    let refused = Run::new(["rollback", "steps-19-30", "--steps", "19"])
        .uri("mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=30000")
        .status(5);
    assert!(refused.stderr.contains("no terminal"), "{refused}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// "y⏎" answers exactly one prompt: the Enter after the run's yes never reaches the manual
/// action's question that follows, which waits for its own answer.
#[tokio::test]
async fn y_enter_answers_exactly_one_prompt() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "one_prompt").await;
    let state = harness::fresh_db(&client, "one_prompt_state").await;
    data::seed_earlybird(&client, &db, 50).await;
    let rollback = Run::new(["rollback", "steps-19-30", "--steps", "27"])
        .db(&db)
        .state(&state);
    let (code, screen) = pty(
        &["Run rollback", "y\\r", "Is step 27 done", "y\\r"],
        &rollback,
    );
    assert_eq!(code, 0, "{screen}");
    assert_eq!(screen.matches("Is step 27 done").count(), 1, "{screen}");
    let (code, screen) = pty(
        &["Run rollback", "y\\r", "Is step 27 done", "n\\r"],
        &rollback,
    );
    assert_ne!(code, 0, "a manual action answered no is not done: {screen}");
}

/// Ctrl-C at the prompt ends the command at once, saying that nothing was changed.
#[tokio::test]
async fn ctrl_c_at_the_prompt_is_acknowledged() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "ctrl_c_prompt").await;
    let state = harness::fresh_db(&client, "ctrl_c_prompt_state").await;
    data::seed_earlybird(&client, &db, 50).await;
    let before = data::count(
        &client,
        &db,
        "orders",
        doc! {"subscription_id": {"$exists": true}},
    )
    .await;
    let rollback = Run::new(["rollback", "steps-19-30", "--steps", "19"])
        .db(&db)
        .state(&state);
    let (code, screen) = pty(&["Run rollback", "\\x03"], &rollback);
    assert_eq!(code, 130, "{screen}");
    assert!(
        screen.contains("interrupted at the prompt; nothing was changed"),
        "{screen}"
    );
    let after = data::count(
        &client,
        &db,
        "orders",
        doc! {"subscription_id": {"$exists": true}},
    )
    .await;
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_run_aimed_at_the_state_database_is_refused_before_anything_is_written() {
    let client = harness::client().await;
    let state = harness::fresh_db(&client, "aimed_at_state").await;
    data::seed_earlybird(&client, &state, 200).await;
    let since = oplog_now(&client).await;
    for args in [
        &[
            "plan",
            "steps-19-30",
            "--direction",
            "rollback",
            "--steps",
            "19",
        ][..],
        &["rollback", "steps-19-30", "--steps", "19"][..],
    ] {
        let refused = Run::new(args)
            .db(&state)
            .state(&state)
            .yes()
            .json()
            .status(2);
        let report = refused.json_doc();
        assert!(
            report["error"]["message"]
                .as_str()
                .unwrap()
                .contains("is rollbook's state database"),
            "{report:#}"
        );
    }
    assert_eq!(oplog_writes(&client, since, &[&state]).await, 0);
}

/// A revoked approval lets nothing run: the run is refused (exit 4) naming who revoked it and
/// why, nothing is written, and `approvals list` shows it revoked.
#[tokio::test]
async fn a_revoked_approval_lets_nothing_run() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "revoked").await;
    let state = harness::fresh_db(&client, "revoked_state").await;
    data::seed_earlybird(&client, &db, 500).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p23.json");
    let plan_file = file.to_str().unwrap();
    let plan = Run::new([
        "plan",
        "steps-19-30",
        "--direction",
        "rollback",
        "--steps",
        "23",
        "--out",
        plan_file,
    ])
    .db(&db)
    .state(&state)
    .json()
    .status(0)
    .json_doc();
    let plan_id = plan["plan_id"].as_str().unwrap().to_owned();
    Run::new(["approve", "--plan", plan_file, "--reason", "finance agreed"])
        .state(&state)
        .operator("carol")
        .yes()
        .status(0);
    // Nothing to revoke for an unknown plan; no reason is refused.
    Run::new(["approvals", "revoke", "p-nope", "--reason", "x"])
        .state(&state)
        .yes()
        .status(2);
    Run::new(["approvals", "revoke", &plan_id, "--reason", " "])
        .state(&state)
        .yes()
        .status(2);
    let revoked = Run::new(["approvals", "revoke", &plan_id, "--reason", "wrong window"])
        .state(&state)
        .operator("dave")
        .yes()
        .json()
        .status(0)
        .json_doc();
    assert_eq!(revoked["revoked"][0]["approver"], "carol", "{revoked:#}");

    let since = oplog_now(&client).await;
    let refused = Run::new(["rollback", "--plan", plan_file])
        .state(&state)
        .operator("bob")
        .yes()
        .json()
        .status(4)
        .json_doc();
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("revoked by dave: wrong window"),
        "{message}"
    );
    assert_eq!(oplog_writes(&client, since, &[&db]).await, 0);
    let listed = Run::new(["approvals", "list"])
        .state(&state)
        .json()
        .status(0)
        .json_doc();
    assert_eq!(
        listed["approvals"][0]["revoked"]["by"], "dave",
        "{listed:#}"
    );
    assert_eq!(
        data::count(&client, &state, "audit", doc! {"event": "approval_revoked"}).await,
        1
    );
}
