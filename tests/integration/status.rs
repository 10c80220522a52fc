//! `status --check` and `status` across runbooks: what the state database says, and whether the
//! data still holds it — read only.

use mongodb::bson::{doc, Document};

use crate::data;
use crate::harness::{self, oplog_entries, oplog_now, Run};

#[tokio::test]
async fn status_check_finds_where_state_and_data_disagree_and_writes_nothing() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "status_check").await;
    let state = harness::fresh_db(&client, "status_check_state").await;
    data::seed_earlybird(&client, &db, 2_000).await;
    let run = |args: &[&str]| Run::new(args).db(&db).state(&state).json();
    run(&["rollback", "steps-19-30", "--steps", "19"])
        .yes()
        .status(0);

    let since = oplog_now(&client).await;
    let holds = run(&["status", "steps-19-30", "--check"])
        .status(0)
        .json_doc();
    let step = |report: &serde_json::Value| {
        report["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "19")
            .unwrap()
            .clone()
    };
    let nineteen = step(&holds);
    assert_eq!(nineteen["check"]["direction"], "rollback", "{holds:#}");
    assert_eq!(nineteen["check"]["ok"], true, "{holds:#}");
    assert!(!nineteen["check"]["results"].as_array().unwrap().is_empty());
    let never = holds["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "20")
        .unwrap()
        .clone();
    assert!(never["check"].is_null(), "{holds:#}");
    let written = oplog_entries(&client, since, &[&db, &state]).await;
    assert!(written.is_empty(), "{written:#?}");

    // The application gives one order its subscription back behind the state's back.
    client
        .database(&db)
        .collection::<Document>("orders")
        .update_one(doc! {}, doc! {"$set": {"subscription_id": "sub-1"}})
        .await
        .unwrap();
    let since_write = oplog_now(&client).await;
    let disagrees = run(&["status", "steps-19-30", "--check"])
        .status(3)
        .json_doc();
    assert_eq!(disagrees["error"]["code"], "VERIFY_FAILED", "{disagrees:#}");
    assert_eq!(step(&disagrees)["check"]["ok"], false, "{disagrees:#}");

    // Across runbooks: the one rolled back, and where its data disagrees.
    let all = run(&["status"]).status(0).json_doc();
    let entry = all["runbooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "steps-19-30")
        .unwrap()
        .clone();
    assert_eq!(entry["rollback"], 1, "{all:#}");
    assert_eq!(entry["last_run"]["command"], "rollback", "{all:#}");
    assert!(entry.get("disagree").is_none(), "{all:#}");
    let checked = run(&["status", "--check"]).status(3).json_doc();
    let entry = checked["runbooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "steps-19-30")
        .unwrap()
        .clone();
    assert_eq!(entry["disagree"], serde_json::json!(["19"]), "{checked:#}");

    // None of it wrote anything.
    let written = oplog_entries(&client, since_write, &[&db, &state]).await;
    assert!(written.is_empty(), "{written:#?}");
}
