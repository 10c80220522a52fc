//! Pipeline updates: values computed per document by the server, the touched fields snapshotted
//! first, and put back exactly.

use mongodb::bson::{doc, Document};

use crate::data;
use crate::harness::{self, oplog_entries, oplog_now, Run};

#[tokio::test]
async fn a_pipeline_update_computes_its_values_and_round_trips_exactly() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "pipeline").await;
    let seed = harness::fresh_db(&client, "pipeline_seed").await;
    let state = harness::fresh_db(&client, "pipeline_state").await;
    data::seed_earlybird(&client, &db, 3_000).await;
    data::clone_db(&client, &db, &seed).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("label.yaml");
    std::fs::write(
        &path,
        "id: label\ntitle: Label the orders\ndatabase: shop\nsteps:\n  - id: \"1\"\n    title: Computed labels, items dropped\n    data_loss: {level: partial}\n    reversibility: {level: full}\n    forward:\n      - update:\n          collection: orders\n          filter: {status: CONFIRMED}\n          update:\n            - $set: {label: {$concat: [\"$status\", \"/\", \"$customer_id\"]}}\n            - $unset: items\n    rollback:\n      - restore_snapshot: {collection: orders}\n",
    )
    .unwrap();
    let run = |command: &str| Run::new([command]).arg(&path).db(&db).state(&state).json();
    let confirmed = data::count(&client, &db, "orders", doc! {"status": "CONFIRMED"}).await;
    assert!(confirmed > 0);

    // The plan shows what the server computes for the samples, and writes nothing.
    let since = oplog_now(&client).await;
    let plan = Run::new(["plan"])
        .arg(&path)
        .args(["--direction", "forward"])
        .db(&db)
        .state(&state)
        .json()
        .status(0)
        .json_doc();
    let action = &plan["steps"][0]["actions"][0];
    assert_eq!(action["affected"], confirmed, "{plan:#}");
    let sample = &action["samples"][0];
    let expected = format!(
        "CONFIRMED/{}",
        sample["before"]["customer_id"].as_str().unwrap()
    );
    assert_eq!(sample["after"]["label"], expected.as_str(), "{plan:#}");
    assert!(sample["after"].get("items").is_none(), "{plan:#}");
    assert!(oplog_entries(&client, since, &[&db, &state])
        .await
        .is_empty());

    let applied = run("apply").yes().status(0).json_doc();
    assert_eq!(
        applied["steps"][0]["actions"][0]["modified"], confirmed,
        "{applied:#}"
    );
    let computed = doc! {"$expr": {"$eq": ["$label", {"$concat": ["$status", "/", "$customer_id"]}]}, "items": {"$exists": false}};
    assert_eq!(
        data::count(&client, &db, "orders", computed).await,
        confirmed
    );
    assert_eq!(
        data::count(&client, &db, "orders", doc! {"label": {"$exists": true}}).await,
        confirmed,
        "only the filtered documents were changed"
    );

    // Rollback puts the touched fields back: byte for byte, key order included.
    run("rollback").yes().status(0);
    data::assert_same(&client, &db, &seed, &["orders"], "after rollback").await;
    let orders = client.database(&seed).collection::<Document>("orders");
    assert!(orders
        .find_one(doc! {"label": {"$exists": true}})
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_pipeline_that_replaces_documents_puts_them_back_whole_and_keeps_later_changes() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "replacing").await;
    let seed = harness::fresh_db(&client, "replacing_seed").await;
    let state = harness::fresh_db(&client, "replacing_state").await;
    data::seed_earlybird(&client, &db, 3_000).await;
    data::clone_db(&client, &db, &seed).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.yaml");
    std::fs::write(
        &path,
        "id: archive\ntitle: Archive pending orders\ndatabase: shop\nsteps:\n  - id: \"1\"\n    title: Pending orders replaced by a stub\n    data_loss: {level: partial}\n    reversibility: {level: full}\n    forward:\n      - update:\n          collection: orders\n          filter: {status: PENDING}\n          update:\n            - $replaceWith: {_id: \"$_id\", archived: true, was: {$concat: [\"$status\", \" for \", \"$customer_id\"]}}\n    rollback:\n      - restore_snapshot: {collection: orders}\n",
    )
    .unwrap();
    let run = |command: &str| Run::new([command]).arg(&path).db(&db).state(&state).json();
    let pending = data::count(&client, &db, "orders", doc! {"status": "PENDING"}).await;
    assert!(pending > 1);

    let applied = run("apply").yes().status(0).json_doc();
    assert_eq!(
        applied["steps"][0]["actions"][0]["modified"], pending,
        "{applied:#}"
    );
    assert_eq!(
        data::count(
            &client,
            &db,
            "orders",
            doc! {"archived": true, "status": {"$exists": false}}
        )
        .await,
        pending
    );
    run("rollback").yes().status(0);
    data::assert_same(&client, &db, &seed, &["orders"], "after rollback").await;

    // Replaced again; the application then changes one of the stubs.
    run("apply").yes().status(0);
    let orders = client.database(&db).collection::<Document>("orders");
    let stub = orders
        .find_one(doc! {"archived": true})
        .await
        .unwrap()
        .unwrap();
    let id = stub.get("_id").unwrap().clone();
    orders
        .update_one(
            doc! {"_id": &id},
            doc! {"$set": {"reopened_by": "the application"}},
        )
        .await
        .unwrap();
    let reopened = orders.find_one(doc! {"_id": &id}).await.unwrap().unwrap();

    let since = oplog_now(&client).await;
    let refused = run("rollback").yes().status(11).json_doc();
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("1 changed and 0 deleted since they were replaced")
            && message.contains("nothing was restored"),
        "{message}"
    );
    let written = oplog_entries(&client, since, &[&db]).await;
    assert!(written.is_empty(), "{written:#?}");

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
    assert_eq!(action["modified"], pending - 1, "{skipped:#}");
    assert_eq!(
        orders.find_one(doc! {"_id": &id}).await.unwrap().unwrap(),
        reopened
    );
    for database in [&db, &seed] {
        client
            .database(database)
            .collection::<Document>("orders")
            .delete_one(doc! {"_id": &id})
            .await
            .unwrap();
    }
    data::assert_same(&client, &db, &seed, &["orders"], "after the skip").await;
}
