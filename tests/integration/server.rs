//! The harness itself: a real replica set (transactions work) and failpoints that switch off.

use mongodb::bson::{doc, Document};

use crate::harness::{self, FailPoint};

#[tokio::test]
async fn test_server_is_a_replica_set_with_transactions() {
    let client = harness::client().await;
    let hello = client
        .database("admin")
        .run_command(doc! {"hello": 1})
        .await
        .unwrap();
    assert_eq!(
        hello.get_str("setName").ok(),
        Some("rs0"),
        "not a replica set: {hello}"
    );
    let db = harness::fresh_db(&client, "replica_set_transactions").await;
    let collection = client.database(&db).collection::<Document>("t");
    collection.insert_one(doc! {"_id": 0}).await.unwrap();
    let mut session = client.start_session().await.unwrap();
    session.start_transaction().await.unwrap();
    collection
        .insert_one(doc! {"_id": 1})
        .session(&mut session)
        .await
        .unwrap();
    session.abort_transaction().await.unwrap();
    assert_eq!(
        collection.count_documents(doc! {}).await.unwrap(),
        1,
        "aborted insert is visible"
    );
}

#[tokio::test]
async fn failpoint_fails_only_its_app_and_switches_off_on_drop() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "failpoint_guard").await;
    let app = "failpoint_guard_app";
    let targeted = mongodb::Client::with_uri_str(harness::uri_with_app(app))
        .await
        .unwrap();
    let targeted_collection = targeted.database(&db).collection::<Document>("t");
    {
        let _failpoint = FailPoint::fail_command(&client, app, &["insert"], 2, 100).await;
        let error = targeted_collection
            .insert_one(doc! {"x": 1})
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("BadValue"),
            "unexpected error: {error}"
        );
        // Other clients are unaffected.
        client
            .database(&db)
            .collection::<Document>("t")
            .insert_one(doc! {"x": 2})
            .await
            .unwrap();
    }
    targeted_collection.insert_one(doc! {"x": 3}).await.unwrap();
    assert_eq!(
        client
            .database(&db)
            .collection::<Document>("t")
            .count_documents(doc! {})
            .await
            .unwrap(),
        2
    );
}
