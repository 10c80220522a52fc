//! Signs of life without a terminal: while the server holds an action for 15 s, stderr gets a
//! progress line at least every 10 s (text, or JSON lines under `--log-format json`).

use std::time::Instant;

use crate::data;
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
