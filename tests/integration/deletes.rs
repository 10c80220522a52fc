//! `delete`: whole documents saved before they go, put back exactly by the other direction's
//! `restore_snapshot` or by compensation, and never put back over what the application wrote
//! since.

use mongodb::bson::{doc, Document};

use crate::data;
use crate::harness::{self, oplog_entries, oplog_now, FailPoint, Run};

/// Orders that are not delivered: about 45% of the seeded orders.
const FILTER: &str = "{status: {$ne: DELIVERED}}";

fn runbook(dir: &std::path::Path, atomic: bool) -> std::path::PathBuf {
    let path = dir.join("purge.yaml");
    std::fs::write(
        &path,
        format!(
            "id: purge\ntitle: Purge undelivered orders\ndatabase: shop\natomic: {atomic}\nsteps:\n  - id: \"1\"\n    title: Delete the undelivered orders\n    data_loss: {{level: partial}}\n    reversibility: {{level: full}}\n    forward:\n      - delete: {{collection: orders, filter: {FILTER}}}\n    rollback:\n      - restore_snapshot: {{collection: orders}}\n"
        ),
    )
    .unwrap();
    path
}

fn undelivered() -> Document {
    doc! {"status": {"$ne": "DELIVERED"}}
}

#[tokio::test]
async fn a_delete_is_undone_exactly_and_documents_written_again_since_are_kept() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "delete").await;
    let seed = harness::fresh_db(&client, "delete_seed").await;
    let state = harness::fresh_db(&client, "delete_state").await;
    // More than one batch of ids (10,000) to delete.
    data::seed_earlybird(&client, &db, 25_000).await;
    data::clone_db(&client, &db, &seed).await;
    let doomed = data::count(&client, &db, "orders", undelivered()).await;
    assert!(doomed > 10_000, "{doomed}");
    let dir = tempfile::tempdir().unwrap();
    let path = runbook(dir.path(), false);
    let run = |command: &str| Run::new([command]).arg(&path).db(&db).state(&state).json();

    // The plan predicts the count and writes nothing.
    let since = oplog_now(&client).await;
    let plan = Run::new(["plan"])
        .arg(&path)
        .args(["--direction", "forward"])
        .db(&db)
        .state(&state)
        .json()
        .status(0)
        .json_doc();
    let predicted = &plan["steps"][0]["actions"][0];
    assert_eq!(predicted["affected"], doomed, "{plan:#}");
    assert!(predicted["samples"][0]["after"].is_null(), "{plan:#}");
    assert!(oplog_entries(&client, since, &[&db, &state])
        .await
        .is_empty());

    let applied = run("apply").yes().status(0).json_doc();
    let action = &applied["steps"][0]["actions"][0];
    assert_eq!(action["kind"], "delete", "{applied:#}");
    assert_eq!(action["affected"], doomed, "{applied:#}");
    assert_eq!(action["modified"], doomed, "{applied:#}");
    assert_eq!(data::count(&client, &db, "orders", undelivered()).await, 0);

    // Rollback puts every document back, byte for byte.
    let rolled = run("rollback").yes().status(0).json_doc();
    assert_eq!(
        rolled["steps"][0]["actions"][0]["modified"], doomed,
        "{rolled:#}"
    );
    data::assert_same(&client, &db, &seed, &["orders"], "after rollback").await;

    // Deleted again; then the application writes one of them again, under the same _id.
    run("apply").yes().status(0);
    let orders = client.database(&db).collection::<Document>("orders");
    let original = client
        .database(&seed)
        .collection::<Document>("orders")
        .find_one(undelivered())
        .await
        .unwrap()
        .unwrap();
    let id = original.get("_id").unwrap().clone();
    let written_again = doc! {"_id": id.clone(), "status": "REORDERED", "by": "the application"};
    orders.insert_one(written_again.clone()).await.unwrap();

    // The rollback refuses before writing anything, naming it.
    let since = oplog_now(&client).await;
    let refused = run("rollback").yes().status(11).json_doc();
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("exist again since they were deleted")
            && message.contains("nothing was restored"),
        "{message}"
    );
    let written = oplog_entries(&client, since, &[&db]).await;
    assert!(written.is_empty(), "{written:#?}");

    // With --on-conflict skip the others come back and the application's document stays.
    let skipped = Run::new(["rollback"])
        .arg(&path)
        .args(["--on-conflict", "skip"])
        .db(&db)
        .state(&state)
        .json()
        .yes()
        .status(0)
        .json_doc();
    let action = &skipped["steps"][0]["actions"][0];
    assert_eq!(action["conflicts"], 1, "{skipped:#}");
    assert_eq!(action["modified"], doomed - 1, "{skipped:#}");
    let kept = orders
        .find_one(doc! {"_id": id.clone()})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept, written_again);
    orders.delete_one(doc! {"_id": id}).await.unwrap();
    orders.insert_one(original).await.unwrap();
    data::assert_same(&client, &db, &seed, &["orders"], "after the skip").await;
}

#[tokio::test]
async fn a_delete_cut_short_in_an_atomic_runbook_is_compensated_exactly() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "delete_atomic").await;
    let seed = harness::fresh_db(&client, "delete_atomic_seed").await;
    let state = harness::fresh_db(&client, "delete_atomic_state").await;
    data::seed_earlybird(&client, &db, 25_000).await;
    data::clone_db(&client, &db, &seed).await;
    let dir = tempfile::tempdir().unwrap();
    let path = runbook(dir.path(), true);
    // The first batch of 10,000 ids is deleted; the second delete fails.
    let app = "rollbook_delete_atomic";
    let failing = FailPoint::fail_command_skip(&client, app, &["delete"], 2, 1).await;
    let report = Run::new(["apply"])
        .arg(&path)
        .db(&db)
        .state(&state)
        .uri(&harness::uri_with_app(app))
        .json()
        .yes()
        .status(7)
        .json_doc();
    drop(failing);
    assert!(
        data::count(&client, &db, "orders", undelivered()).await > 0,
        "{report:#}"
    );
    data::assert_same(&client, &db, &seed, &["orders"], "after compensation").await;
}

/// Two deletes without a rollback between them, the application writing one deleted document
/// again in between: the rollback puts each document back once. By default the document the
/// application wrote between the deletes is kept (and said so); with `--on-conflict overwrite`
/// the version the first delete removed comes back. Either way `modified` counts it once.
#[tokio::test]
async fn stacked_deletes_put_each_document_back_once() {
    for on_conflict in ["fail", "overwrite"] {
        let client = harness::client().await;
        let name = format!("delete_stacked_{on_conflict}");
        let db = harness::fresh_db(&client, &name).await;
        let seed = harness::fresh_db(&client, &format!("{name}_seed")).await;
        let state = harness::fresh_db(&client, &format!("{name}_state")).await;
        data::seed_earlybird(&client, &db, 3_000).await;
        data::clone_db(&client, &db, &seed).await;
        let doomed = data::count(&client, &db, "orders", undelivered()).await;
        let dir = tempfile::tempdir().unwrap();
        let path = runbook(dir.path(), false);
        let run = |command: &str| {
            Run::new([command])
                .arg(&path)
                .db(&db)
                .state(&state)
                .args(["--on-conflict", on_conflict])
                .json()
                .yes()
        };
        run("apply").status(0);
        let orders = client.database(&db).collection::<Document>("orders");
        let original = client
            .database(&seed)
            .collection::<Document>("orders")
            .find_one(undelivered())
            .await
            .unwrap()
            .unwrap();
        let id = original.get("_id").unwrap().clone();
        let between = doc! {"_id": id.clone(), "status": "REORDERED", "by": "the application"};
        orders.insert_one(between.clone()).await.unwrap();
        let second = run("apply").status(0).json_doc();
        assert_eq!(
            second["steps"][0]["actions"][0]["modified"], 1,
            "{second:#}"
        );

        let rolled = run("rollback").status(0).json_doc();
        let action = &rolled["steps"][0]["actions"][0];
        assert_eq!(action["modified"], doomed, "{on_conflict}: {rolled:#}");
        let now = orders
            .find_one(doc! {"_id": id.clone()})
            .await
            .unwrap()
            .unwrap();
        if on_conflict == "overwrite" {
            assert_eq!(now, original);
        } else {
            assert_eq!(now, between);
            assert_eq!(action["conflicts"], 1, "{rolled:#}");
            let detail = action["detail"].as_str().unwrap();
            assert!(detail.contains("between the stacked"), "{detail}");
            orders.delete_one(doc! {"_id": id}).await.unwrap();
            orders.insert_one(original).await.unwrap();
        }
        data::assert_same(&client, &db, &seed, &["orders"], on_conflict).await;
    }
}
