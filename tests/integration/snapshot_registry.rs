//! `snapshots list` and `snapshots prune`: what the state database holds, and removing what is
//! old and put back — never a snapshot still needed, unless forced.

use mongodb::bson::{doc, Document};

use crate::data;
use crate::harness::{self, Run};

#[tokio::test]
async fn prune_removes_only_what_was_put_back_and_the_needed_snapshot_still_restores() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "prune").await;
    let seed = harness::fresh_db(&client, "prune_seed").await;
    let state = harness::fresh_db(&client, "prune_state").await;
    data::seed_earlybird(&client, &db, 2_000).await;
    data::clone_db(&client, &db, &seed).await;
    let run = |args: &[&str]| Run::new(args).db(&db).state(&state).json();
    let step = |command: &str| {
        run(&[command, "steps-19-30", "--steps", "19"])
            .yes()
            .status(0)
    };
    step("rollback");
    step("apply");
    step("rollback");
    // Storage an attempt killed long ago left behind, never registered.
    let stray = "snapshot.20200101T000000Z-dead.19.rollback.0.a1";
    client
        .database(&state)
        .collection::<Document>(stray)
        .insert_one(doc! {"_id": 0})
        .await
        .unwrap();

    let listed = run(&["snapshots", "list"]).status(0).json_doc();
    let snapshots = listed["snapshots"].as_array().unwrap();
    assert_eq!(snapshots.len(), 2, "{listed:#}");
    let (newest, oldest) = (&snapshots[0], &snapshots[1]);
    assert!(newest["restored_by"].is_null(), "{listed:#}");
    assert!(oldest["restored_by"].is_string(), "{listed:#}");
    assert_eq!(newest["namespace"], format!("{db}.orders"));
    assert_eq!(listed["unregistered"][0]["storage"], stray, "{listed:#}");
    assert_eq!(listed["unregistered"][0]["run_id"], "20200101T000000Z-dead");

    let storages = || async {
        let mut names: Vec<String> = client
            .database(&state)
            .list_collection_names()
            .await
            .unwrap()
            .into_iter()
            .filter(|n| n.starts_with("snapshot."))
            .collect();
        names.sort();
        names
    };
    let before = storages().await;
    run(&["snapshots", "prune", "--older-than", "0m"]).status(5);
    run(&["snapshots", "prune", "--older-than", "soon"])
        .yes()
        .status(2);
    assert_eq!(storages().await, before, "a refused prune removed storage");

    let pruned = run(&["snapshots", "prune", "--older-than", "0m"])
        .yes()
        .status(0)
        .json_doc();
    assert_eq!(
        pruned["removed"],
        serde_json::json!([oldest["id"]]),
        "{pruned:#}"
    );
    assert_eq!(pruned["kept_unrestored"], serde_json::json!([newest["id"]]));
    assert_eq!(pruned["storage_dropped"], serde_json::json!([stray]));
    let left = storages().await;
    assert_eq!(left, [newest["storage"].as_str().unwrap()], "{left:?}");
    assert_eq!(
        data::count(&client, &state, "audit", doc! {"event": "snapshots_pruned"}).await,
        1
    );

    // The snapshot still needed puts the data back, byte for byte.
    step("apply");
    data::assert_same(&client, &db, &seed, &data::EARLYBIRD, "after forward").await;

    // Too young for the age given: nothing; then with --force, whatever is old enough goes.
    let young = run(&["snapshots", "prune", "--older-than", "30d", "--force"])
        .yes()
        .status(0)
        .json_doc();
    assert_eq!(young["removed"], serde_json::json!([]));
    step("rollback");
    let forced = run(&["snapshots", "prune", "--older-than", "0m", "--force"])
        .yes()
        .status(0)
        .json_doc();
    assert_eq!(forced["removed"].as_array().unwrap().len(), 2, "{forced:#}");
    assert!(storages().await.is_empty());

    // The rollback's values are gone with its snapshot: forward fails, writing nothing, rather
    // than end `ok` with the values lost.
    let since = harness::oplog_now(&client).await;
    let refused = run(&["apply", "steps-19-30", "--steps", "19"])
        .yes()
        .status(11)
        .json_doc();
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("no snapshot of what it changed is left")
            && message.contains("--on-conflict skip"),
        "{message}"
    );
    let written = harness::oplog_entries(&client, since, &[&db]).await;
    assert!(written.is_empty(), "{written:#?}");
    // The operator puts the data back from a backup, then accepts going on without it.
    data::clone_db(&client, &seed, &db).await;
    let accepted = run(&[
        "apply",
        "steps-19-30",
        "--steps",
        "19",
        "--on-conflict",
        "skip",
    ])
    .yes()
    .status(0)
    .json_doc();
    let detail = accepted["steps"][0]["actions"][0]["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        detail.contains("accepted with --on-conflict"),
        "{accepted:#}"
    );
    // A second forward has nothing to put back and says so.
    let again = run(&["apply", "steps-19-30", "--steps", "19"])
        .yes()
        .status(0)
        .json_doc();
    assert_eq!(again["steps"][0]["status"], "ok", "{again:#}");
}
