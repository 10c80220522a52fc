//! Interrupted runs: SIGKILL in the middle of a large step, Ctrl-C (SIGINT) between actions;
//! the next invocation sees the interrupted run, resumes it, and the data ends up exactly as
//! after an uninterrupted run — and forward still restores the original.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mongodb::bson::{doc, Document};
use mongodb::Client;

use crate::data;
use crate::execution::approved_plan;
use crate::harness::{self, Run};

/// `rollbook rollback TARGET --yes --output json` on `db`, to be spawned and interrupted.
fn rollback(target: &[&str], db: &str, state: &str) -> Run {
    Run::new(["rollback"])
        .args(target)
        .yes()
        .json()
        .db(db)
        .state(state)
}

/// Starts it with stdout and stderr piped, to be killed or interrupted.
fn spawn(rollbook: &Run) -> Child {
    rollbook
        .process()
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

    let rollback_19 =
        |db: &str, state: &str| rollback(&["steps-19-30", "--steps", "19"], db, state);
    let mut child = spawn(&rollback_19(&db, &state));
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

    let status = Run::new(["status", "steps-19-30"])
        .db(&db)
        .state(&state)
        .json()
        .status(0)
        .json_doc();
    assert_eq!(
        status["interrupted_runs"][0]["run_id"],
        run.get_str("_id").unwrap(),
        "{status:#}"
    );

    let report = rollback_19(&db, &state).status(0).json_doc();
    assert_eq!(report["resumed"], true, "{report:#}");
    assert_eq!(report["run_id"], run.get_str("_id").unwrap());

    rollback_19(&reference, &reference_state).status(0);
    data::assert_same(
        &client,
        &db,
        &reference,
        &["orders"],
        "killed and resumed vs uninterrupted",
    )
    .await;

    Run::new(["apply", "steps-19-30", "--steps", "19"])
        .yes()
        .json()
        .db(&db)
        .state(&state)
        .status(0);
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
    let interrupted = rollback(&["--plan", plan.arg()], &db, &state);
    let child = spawn(&interrupted);
    // Interrupt once the first step (26, descending) has started an action.
    wait_for(&client, &state, "journal", doc! {"phase": "start"}).await;
    let signalled = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let output = interrupted.outcome(child.wait_with_output().unwrap());
    let report = output.json_doc();
    assert_eq!(output.code, 130, "{report:#}");
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

    // Exit 9: step 24 is manual and stays pending.
    let resumed = interrupted.status(9).json_doc();
    assert_eq!(resumed["resumed"], true);

    let reference_plan = approved_plan(
        "rollback",
        &["--steps", "19-26"],
        &reference,
        &reference_state,
    );
    rollback(
        &["--plan", reference_plan.arg()],
        &reference,
        &reference_state,
    )
    .status(9);
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
    Run::new(["apply", "--plan", forward.arg()])
        .yes()
        .json()
        .db(&db)
        .state(&state)
        .status(9);
    data::assert_same(
        &client,
        &db,
        &original,
        &data::EARLYBIRD,
        "forward after an interrupted rollback",
    )
    .await;
}

/// Starts `rollbook` and kills it once its first snapshot is registered; returns the run's id.
async fn killed_at_its_snapshot(
    client: &Client,
    rollbook: &Run,
    state: &str,
    step: &str,
) -> String {
    let before = data::count(client, state, "snapshots", doc! {"step": step}).await;
    let mut child = spawn(rollbook);
    let deadline = Instant::now() + Duration::from_secs(60);
    while data::count(client, state, "snapshots", doc! {"step": step}).await == before {
        assert!(
            Instant::now() < deadline,
            "no snapshot of step {step} registered"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let run: Document = client
        .database(state)
        .collection("runs")
        .find_one(doc! {"status": "running"})
        .await
        .unwrap()
        .expect("the killed run");
    run.get_str("_id").unwrap().to_owned()
}

#[tokio::test]
async fn a_stopped_run_is_resumed_after_other_runs_and_an_abandoned_one_never() {
    let client = harness::client().await;
    let (original, db, _, state) = prepared(&client, "abandon", 100_000).await;
    let rollback_19 = rollback(&["steps-19-30", "--steps", "19"], &db, &state);
    let killed = killed_at_its_snapshot(&client, &rollback_19, &state, "19").await;

    // Another run in between, on another step: the stopped run is listed as interrupted and
    // resumed by its id.
    rollback(&["steps-19-30", "--steps", "20"], &db, &state).status(0);
    let listed = Run::new(["runs", "--status", "interrupted"])
        .state(&state)
        .json()
        .status(0)
        .json_doc();
    let ids: Vec<&str> = listed["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [killed.as_str()], "{listed:#}");
    let resume = |id: &str| Run::new(["resume", id]).state(&state).json();
    resume(&killed).status(5);
    Run::new(["resume", &killed, "--db", &original])
        .state(&state)
        .yes()
        .json()
        .status(2);
    let report = resume(&killed).yes().status(0).json_doc();
    assert_eq!(report["resumed"], true, "{report:#}");
    assert_eq!(report["run_id"], killed.as_str());
    // A finished run is not resumed again, and says why.
    let refused = resume(&killed).yes().status(11).json_doc();
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ended ok"),
        "{refused:#}"
    );
    resume("no-such-run").yes().status(2);

    // A forward of step 19 killed half-way, then abandoned: no rerun resumes it.
    let apply_19 = Run::new(["apply", "steps-19-30", "--steps", "19"])
        .yes()
        .json()
        .db(&db)
        .state(&state);
    let mut child = spawn(&apply_19);
    wait_for(
        &client,
        &state,
        "journal",
        doc! {"step": "19", "direction": "forward", "phase": "start"},
    )
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    let stopped: Document = client
        .database(&state)
        .collection("runs")
        .find_one(doc! {"status": "running"})
        .await
        .unwrap()
        .expect("the killed forward");
    let stopped = stopped.get_str("_id").unwrap().to_owned();
    let abandon = || Run::new(["abandon", &stopped]).state(&state).json();
    abandon().status(5);
    let abandoned = abandon().yes().status(0).json_doc();
    assert_eq!(abandoned["abandon"]["was"], "running", "{abandoned:#}");
    abandon().yes().status(2);
    Run::new(["abandon", "no-such-run"])
        .state(&state)
        .yes()
        .json()
        .status(2);
    assert_eq!(
        data::count(
            &client,
            &state,
            "audit",
            doc! {"event": "run_abandoned", "run_id": &stopped}
        )
        .await,
        1
    );
    let report = apply_19.status(0).json_doc();
    assert_eq!(report["resumed"], false, "{report:#}");
    assert_ne!(report["run_id"], stopped.as_str());
    let status: Document = client
        .database(&state)
        .collection("runs")
        .find_one(doc! {"_id": &stopped})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.get_str("status").unwrap(), "abandoned");

    // The data is the seed's again (step 20 rolled back aside).
    data::assert_same(&client, &db, &original, &["orders"], "after the forward").await;
}
