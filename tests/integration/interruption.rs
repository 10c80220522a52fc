//! Interrupted runs: SIGKILL in the middle of a large step, Ctrl-C (SIGINT) between actions;
//! the next invocation sees the interrupted run, resumes it, and the data ends up exactly as
//! after an uninterrupted run — and forward still restores the original.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mongodb::bson::{doc, Document};
use mongodb::Client;

use crate::data;
use crate::execution::{approved_plan, run_json};
use crate::harness;

fn spawn_rollback(target: &[&str], db: &str, state: &str) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("rollbook"))
        .current_dir(harness::repo_root())
        .arg("rollback")
        .args(target)
        .args(["--yes", "--output", "json"])
        .args(["--db", db, "--state-db", state, "--uri", harness::uri()])
        .env("ROLLBOOK_OPERATOR", "test-operator")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the state database holds a document matching `filter` in `collection`.
async fn wait_for(client: &Client, state: &str, collection: &str, filter: Document) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while client
        .database(state)
        .collection::<Document>(collection)
        .count_documents(filter.clone())
        .await
        .unwrap()
        == 0
    {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {collection} {filter}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Seeds `original` and returns clones for the interrupted and the uninterrupted run.
async fn prepared(client: &Client, name: &str, scale: u64) -> (String, String, String, String) {
    let original = harness::fresh_db(client, &format!("{name}_original")).await;
    let interrupted = harness::fresh_db(client, &format!("{name}_interrupted")).await;
    let reference = harness::fresh_db(client, &format!("{name}_reference")).await;
    let state = harness::fresh_db(client, &format!("{name}_state")).await;
    data::seed_earlybird(client, &original, scale).await;
    data::clone_db(client, &original, &interrupted).await;
    data::clone_db(client, &original, &reference).await;
    (original, interrupted, reference, state)
}

#[tokio::test]
async fn sigkill_in_a_large_step_then_rerun_gives_the_uninterrupted_result() {
    let client = harness::client().await;
    let (original, db, reference, state) = prepared(&client, "sigkill", 100_000).await;
    let reference_state = harness::fresh_db(&client, "sigkill_reference_state").await;

    let mut child = spawn_rollback(&["steps-19-30", "--steps", "19"], &db, &state);
    // The snapshot is registered just before the update starts: kill the process there.
    wait_for(&client, &state, "snapshots", doc! {"step": "19"}).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let run: Document = client
        .database(&state)
        .collection("runs")
        .find_one(doc! {})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        run.get_str("status").unwrap(),
        "running",
        "the killed run could not record anything"
    );
    let ends = data::count(
        &client,
        &state,
        "journal",
        doc! {"step": "19", "phase": "end", "action_index": 0},
    )
    .await;
    assert_eq!(ends, 0, "the killed action has no end entry");

    let (code, status) = run_json(&["status", "steps-19-30"], &db, &state);
    assert_eq!(code, 0);
    assert_eq!(
        status["interrupted_runs"][0]["run_id"],
        run.get_str("_id").unwrap(),
        "{status:#}"
    );

    let (code, report) = run_json(
        &["rollback", "steps-19-30", "--steps", "19", "--yes"],
        &db,
        &state,
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["resumed"], true, "{report:#}");
    assert_eq!(report["run_id"], run.get_str("_id").unwrap());

    let (code, _) = run_json(
        &["rollback", "steps-19-30", "--steps", "19", "--yes"],
        &reference,
        &reference_state,
    );
    assert_eq!(code, 0);
    data::assert_same(
        &client,
        &db,
        &reference,
        &["orders"],
        "killed and resumed vs uninterrupted",
    )
    .await;

    let (code, report) = run_json(
        &["apply", "steps-19-30", "--steps", "19", "--yes"],
        &db,
        &state,
    );
    assert_eq!(code, 0, "{report:#}");
    data::assert_same(
        &client,
        &db,
        &original,
        &["orders"],
        "forward after a killed rollback",
    )
    .await;
}

#[tokio::test]
async fn ctrl_c_stops_after_the_current_action_exits_130_and_the_rerun_resumes() {
    let client = harness::client().await;
    let (original, db, reference, state) = prepared(&client, "sigint", 30_000).await;
    let reference_state = harness::fresh_db(&client, "sigint_reference_state").await;

    let plan = approved_plan("rollback", &["--steps", "19-26"], &db, &state);
    let child = spawn_rollback(&["--plan", plan.arg()], &db, &state);
    // Interrupt once the first step (26, descending) has started an action.
    wait_for(&client, &state, "journal", doc! {"phase": "start"}).await;
    let signalled = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let output = child.wait_with_output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(130), "{report:#}");
    assert_eq!(report["status"], "interrupted");
    assert_eq!(report["error"]["code"], "INTERRUPTED");
    let done = report["steps"].as_array().unwrap().len();
    assert!(done < 8, "the run should have stopped early: {report:#}");
    let run: Document = client
        .database(&state)
        .collection("runs")
        .find_one(doc! {})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.get_str("status").unwrap(), "interrupted");
    assert_eq!(run.get_i32("exit_code").unwrap(), 130);

    let (code, resumed) = run_json(&["rollback", "--plan", plan.arg(), "--yes"], &db, &state);
    assert_eq!(code, 9, "step 24 is manual and stays pending: {resumed:#}");
    assert_eq!(resumed["resumed"], true);

    let reference_plan = approved_plan(
        "rollback",
        &["--steps", "19-26"],
        &reference,
        &reference_state,
    );
    let (code, _) = run_json(
        &["rollback", "--plan", reference_plan.arg(), "--yes"],
        &reference,
        &reference_state,
    );
    assert_eq!(code, 9);
    let mut collections = data::EARLYBIRD.to_vec();
    collections.extend([
        "user_customer_mapping_backup",
        "delivery_audit_backup",
        "orders_delivered_backup",
    ]);
    data::assert_same(
        &client,
        &db,
        &reference,
        &collections,
        "interrupted and resumed vs uninterrupted",
    )
    .await;

    let forward = approved_plan("forward", &["--steps", "19-26"], &db, &state);
    let (code, _) = run_json(&["apply", "--plan", forward.arg(), "--yes"], &db, &state);
    assert_eq!(code, 9);
    data::assert_same(
        &client,
        &db,
        &original,
        &data::EARLYBIRD,
        "forward after an interrupted rollback",
    )
    .await;
}
