//! Signs of life: without a terminal, while the server holds an action for 15 s, stderr gets a
//! progress line at least every 10 s (text, or JSON lines under `--log-format json`), with the
//! count of documents done when the action can tell; in a terminal, a bar of documents done of
//! the plan's count.

use std::time::Instant;

use crate::data;
use mongodb::bson::doc;

use crate::harness::{self, FailPoint, Run};

/// Rolls back step 30 (dropping indexes) while the first `dropIndexes` is held for 15 s.
async fn held_rollback(test: &str, extra: &[&str]) -> crate::harness::RunOutput {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, test).await;
    let state = harness::fresh_db(&client, &format!("{test}_state")).await;
    data::seed_earlybird(&client, &db, 50).await;
    let app = format!("rollbook-{test}");
    let _held = FailPoint::block_command_times(&client, &app, &["dropIndexes"], 15_000, 1).await;
    let started = Instant::now();
    let output = tokio::task::spawn_blocking({
        let run = Run::new(["rollback", "steps-19-30", "--steps", "30"])
            .args(extra)
            .db(&db)
            .state(&state)
            .yes()
            .uri(&harness::uri_with_app(&app));
        move || run.status(0)
    })
    .await
    .unwrap();
    assert!(
        started.elapsed().as_secs() >= 14,
        "the failpoint did not hold the action: {output}"
    );
    output
}

#[tokio::test]
async fn a_held_action_prints_progress_lines_without_a_terminal() {
    let output = held_rollback("progress_text", &[]).await;
    let lines: Vec<&str> = output
        .stderr
        .lines()
        .filter(|l| {
            l.starts_with("rollbook: step 30: drop_index") && l.contains("still running after")
        })
        .collect();
    assert!(!lines.is_empty(), "no progress line while held: {output}");
    assert!(lines[0].contains("still running after 1"), "{output}");
}

#[tokio::test]
async fn progress_lines_are_json_under_log_format_json() {
    let output = held_rollback("progress_json", &["--log-format", "json"]).await;
    let progress: Vec<serde_json::Value> = output
        .stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["event"] == "progress")
        .collect();
    assert!(!progress.is_empty(), "no JSON progress line: {output}");
    assert_eq!(progress[0]["step"], "30");
    assert_eq!(progress[0]["state"], "running");
    assert!(progress[0]["elapsed_s"].as_u64().unwrap() >= 10, "{output}");
    assert!(
        progress[0]["action"]
            .as_str()
            .unwrap()
            .starts_with("drop_index"),
        "{output}"
    );
}

/// Rolls back step 19 (`$unset` of `subscription_id` on the orders that have it, snapshotted
/// first) of 2,000 seeded orders while the server holds the snapshot read's first `getMore` for
/// `ms`: the first 101 documents have arrived, the rest wait. `run` runs the command and gives
/// what it printed (stderr, or a terminal's screen). Checks that the field is gone and that its
/// snapshot holds every changed order; returns what was printed and how many orders changed.
async fn held_snapshot_read(
    test: &str,
    ms: i32,
    run: impl FnOnce(Run) -> String + Send + 'static,
) -> (String, u64) {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, test).await;
    let state = harness::fresh_db(&client, &format!("{test}_state")).await;
    data::seed_earlybird(&client, &db, 2_000).await;
    let with_field = doc! {"subscription_id": {"$exists": true}};
    let changing = data::count(&client, &db, "orders", with_field.clone()).await;
    assert!(changing > 1_000, "the seed has {changing} orders to change");
    let app = format!("rollbook-{test}");
    let _held =
        FailPoint::block_command_on(&client, &app, &["getMore"], &format!("{db}.orders"), ms, 1)
            .await;
    let started = Instant::now();
    let command = Run::new(["rollback", "steps-19-30", "--steps", "19"])
        .db(&db)
        .state(&state)
        .uri(&harness::uri_with_app(&app));
    let printed = tokio::task::spawn_blocking(move || run(command))
        .await
        .unwrap();
    assert!(
        started.elapsed().as_millis() >= u128::try_from(ms).unwrap(),
        "the failpoint did not hold the read: {printed}"
    );
    assert_eq!(
        data::count(&client, &db, "orders", with_field).await,
        0,
        "{printed}"
    );
    let snapshot: mongodb::bson::Document = client
        .database(&state)
        .collection("snapshots")
        .find_one(doc! {"step": "19"})
        .await
        .unwrap()
        .expect("step 19's snapshot is registered");
    assert_eq!(
        u64::try_from(snapshot.get_i64("documents").unwrap()).unwrap(),
        changing,
        "{snapshot}"
    );
    (printed, changing)
}

#[tokio::test]
async fn a_held_snapshot_read_says_how_many_documents_it_has_read() {
    let (stderr, _) = held_snapshot_read("progress_count_text", 12_000, |run| {
        run.yes().status(0).stderr
    })
    .await;
    let line = stderr
        .lines()
        .find(|l| l.starts_with("rollbook: step 19: ") && l.contains(" still running after "))
        .unwrap_or_else(|| panic!("no progress line while held: {stderr}"));
    assert!(line.ends_with("; snapshot 100 documents"), "{line}");
}

#[tokio::test]
async fn a_held_snapshot_read_counts_in_json_lines() {
    let (stderr, _) = held_snapshot_read("progress_count_json", 12_000, |run| {
        run.yes().args(["--log-format", "json"]).status(0).stderr
    })
    .await;
    let counted: Vec<serde_json::Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["event"] == "progress" && v["state"] == "running")
        .collect();
    assert!(!counted.is_empty(), "no JSON progress line: {stderr}");
    assert_eq!(counted[0]["step"], "19", "{stderr}");
    assert_eq!(counted[0]["phase"], "snapshot", "{stderr}");
    assert_eq!(counted[0]["done"], 100, "{stderr}");
    assert!(
        counted[0].get("total").is_none(),
        "no plan was shown, so no total: {stderr}"
    );
}

/// In a terminal, after the plan was shown and confirmed, the held snapshot read is a bar of
/// documents read of the plan's count.
#[tokio::test]
async fn a_snapshot_read_in_a_terminal_is_a_bar_of_the_plans_count() {
    let (screen, changing) = held_snapshot_read("progress_bar", 4_000, |run| {
        let (code, screen) = crate::gates::pty(&["Run rollback", "y\\r"], &run);
        assert_eq!(code, 0, "{screen}");
        screen
    })
    .await;
    let total = thousands(changing);
    assert!(
        screen.contains(&format!("] 100/{total} ")),
        "no bar of 100 read out of the plan's {total}: {screen}"
    );
    assert!(screen.contains("  snapshot ["), "{screen}");
}

fn thousands(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// In a terminal, Ctrl-C during a held action is acknowledged at once, naming the action; a
/// second Ctrl-C says it is still being finished; the run then stops with 130.
#[tokio::test]
async fn ctrl_c_twice_during_an_action_says_what_is_being_finished() {
    let client = harness::client().await;
    let test = "progress_ctrl_c";
    let db = harness::fresh_db(&client, test).await;
    let state = harness::fresh_db(&client, &format!("{test}_state")).await;
    data::seed_earlybird(&client, &db, 50).await;
    let app = format!("rollbook-{test}");
    let _held = FailPoint::block_command_times(&client, &app, &["dropIndexes"], 8_000, 1).await;
    let run = Run::new(["rollback", "steps-19-30", "--steps", "30"])
        .db(&db)
        .state(&state)
        .yes()
        .uri(&harness::uri_with_app(&app));
    let (code, screen) = tokio::task::spawn_blocking(move || {
        crate::gates::pty(
            &[
                "step 30: drop_index",
                "\\x03",
                "interrupt: finishing the current action",
                "\\x03",
            ],
            &run,
        )
    })
    .await
    .unwrap();
    assert_eq!(code, 130, "{screen}");
    assert!(
        screen.contains("interrupt: finishing the current action (step 30: drop_index"),
        "{screen}"
    );
    assert!(
        screen.contains("interrupt again: still finishing the current action (step 30: drop_index"),
        "{screen}"
    );
}

/// A copy (`$out` on the server) held for 12 s in the middle, by a failpoint that stops its
/// reads of this test's source collection only: the progress line counts what it has written
/// so far, of the source's count.
#[tokio::test]
async fn a_held_copy_counts_the_documents_it_has_written() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "progress_copy").await;
    let state = harness::fresh_db(&client, "progress_copy_state").await;
    let source = client
        .database(&db)
        .collection::<mongodb::bson::Document>("source");
    // Documents of 1 kB: the server writes what `$out` read in batches of 16 MB (≈ 16,000).
    let filler = "x".repeat(1_000);
    for chunk in 0..6 {
        source
            .insert_many((0..10_000).map(|i| doc! {"_id": chunk * 10_000 + i, "v": &filler}))
            .await
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.yaml");
    std::fs::write(
        &path,
        "id: copy\ntitle: Copy a collection\ndatabase: shop\nsteps:\n  - id: \"1\"\n    title: Copy source\n    data_loss: {level: none}\n    reversibility: {level: full}\n    forward:\n      - copy_collection: {from: source, to: copied}\n    rollback:\n      - drop_collection: {collection: copied}\n",
    )
    .unwrap();
    let hold = |mode: mongodb::bson::Bson| {
        let (client, namespace) = (client.clone(), format!("{db}.source"));
        async move {
            client
                .database("admin")
                .run_command(doc! {
                    "configureFailPoint": "setYieldAllLocksHang",
                    "mode": mode,
                    "data": {"namespace": namespace},
                })
                .await
                .unwrap();
        }
    };
    // The read yields every 1,000 documents (or 10 ms): it stops after some 30,000, once
    // the first batch is written.
    hold(doc! {"skip": 30}.into()).await;
    let release = tokio::spawn({
        let off = hold("off".into());
        async move {
            tokio::time::sleep(std::time::Duration::from_secs(12)).await;
            off.await;
        }
    });
    let run = Run::new(["apply"])
        .arg(&path)
        .db(&db)
        .state(&state)
        .yes()
        .args(["--log-format", "json"]);
    let output = tokio::task::spawn_blocking(move || run.status(0))
        .await
        .unwrap();
    release.await.unwrap();
    assert_eq!(
        crate::data::count(&client, &db, "copied", doc! {}).await,
        60_000,
        "{output}"
    );
    let counted: Vec<serde_json::Value> = output
        .stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["event"] == "progress" && v["state"] == "running")
        .collect();
    assert!(!counted.is_empty(), "no progress line while held: {output}");
    assert_eq!(counted[0]["phase"], "copy", "{output}");
    assert_eq!(counted[0]["total"], 60_000, "{output}");
    let done = counted[0]["done"].as_u64().unwrap();
    assert!(done > 0 && done < 60_000, "{output}");
}
