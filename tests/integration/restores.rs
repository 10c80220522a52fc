//! Restores that never lie: a snapshot proves its completeness (entry count and content digest)
//! before anything is put back from it.

use mongodb::bson::{doc, Document};
use mongodb::Client;
use rollbook::content::fingerprint;

use crate::data;
use crate::harness::{self, Run};

/// How a test damages a stored snapshot.
#[derive(Debug, Clone, Copy)]
enum Damage {
    /// One entry removed from one storage document.
    OneEntryRemoved,
    /// One of the storage documents (a batch of entries) deleted.
    BatchDeleted,
    /// One entry's saved value changed, the count left as it was.
    ValueChanged,
    /// The storage collection dropped.
    StorageDropped,
}

/// The registry entry of the field snapshot a rollback of `step` took on `collection`.
async fn field_snapshot(client: &Client, state: &str, step: &str, collection: &str) -> Document {
    client
        .database(state)
        .collection::<Document>("snapshots")
        .find_one(doc! {"step": step, "collection": collection, "kind": "fields"})
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no field snapshot of step {step} on {collection}"))
}

async fn damage(client: &Client, state: &str, storage: &str, how: Damage) {
    let storage = client.database(state).collection::<Document>(storage);
    match how {
        Damage::OneEntryRemoved => {
            let result = storage
                .update_one(doc! {"_id": 0}, doc! {"$pop": {"e": 1}})
                .await
                .unwrap();
            assert_eq!(result.modified_count, 1);
        }
        Damage::BatchDeleted => {
            let result = storage.delete_one(doc! {"_id": 1}).await.unwrap();
            assert_eq!(result.deleted_count, 1, "the snapshot has a second batch");
        }
        Damage::ValueChanged => {
            let batch = storage.find_one(doc! {"_id": 0}).await.unwrap().unwrap();
            let first = batch.get_array("e").unwrap()[0].as_document().unwrap();
            let path = if first.contains_key("v") {
                "e.0.v.subscription_id"
            } else {
                "e.0.p.0.v"
            };
            let result = storage
                .update_one(doc! {"_id": 0}, doc! {"$set": {path: "sub-forged"}})
                .await
                .unwrap();
            assert_eq!(result.modified_count, 1);
        }
        Damage::StorageDropped => storage.drop().await.unwrap(),
    }
}

/// Rolls step 19 back, damages its snapshot, and checks that forward refuses with exit 11
/// before writing anything, leaving the snapshot unrestored.
async fn damaged_snapshot_is_refused(name: &str, how: Damage) {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, name).await;
    let state = harness::fresh_db(&client, &format!("{name}_state")).await;
    // 25,000 orders, 60% with subscription_id: two storage batches of entries.
    data::seed_earlybird(&client, &db, 25_000).await;
    let run = |args: &[&str]| Run::new(args).db(&db).state(&state).yes().json();
    run(&["rollback", "steps-19-30", "--steps", "19"]).status(0);

    let snapshot = field_snapshot(&client, &state, "19", "orders").await;
    let storage = snapshot.get_str("storage").unwrap().to_owned();
    damage(&client, &state, &storage, how).await;
    let rolled_back = fingerprint::take(&client, &db, &[]).await.unwrap();
    let since = harness::oplog_now(&client).await;

    let refused = run(&["apply", "steps-19-30", "--steps", "19"])
        .status(11)
        .json_doc();
    assert_eq!(
        refused["error"]["code"], "SESSION_STATE_CONFLICT",
        "{how:?}: {refused:#}"
    );
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains(&storage), "{how:?}: {message}");

    assert_eq!(
        harness::oplog_writes(&client, since, &[&db]).await,
        0,
        "{how:?}: the refused forward wrote to the target"
    );
    let now = fingerprint::take(&client, &db, &[]).await.unwrap();
    let difference = rolled_back.compare(&now);
    assert!(difference.is_none(), "{how:?}: {difference:?}");
    let snapshot = field_snapshot(&client, &state, "19", "orders").await;
    assert!(
        snapshot
            .get("restored_by")
            .is_none_or(|r| r.as_null().is_some()),
        "{how:?}: a refused snapshot is marked restored: {snapshot}"
    );
}

#[tokio::test]
async fn a_snapshot_with_one_entry_removed_is_refused_and_nothing_restored() {
    damaged_snapshot_is_refused("snapshot_entry_removed", Damage::OneEntryRemoved).await;
}

#[tokio::test]
async fn a_snapshot_missing_a_batch_is_refused_and_nothing_restored() {
    damaged_snapshot_is_refused("snapshot_batch_deleted", Damage::BatchDeleted).await;
}

#[tokio::test]
async fn a_snapshot_with_a_changed_value_is_refused_and_nothing_restored() {
    damaged_snapshot_is_refused("snapshot_value_changed", Damage::ValueChanged).await;
}

#[tokio::test]
async fn a_snapshot_whose_storage_is_gone_is_refused_and_nothing_restored() {
    damaged_snapshot_is_refused("snapshot_storage_dropped", Damage::StorageDropped).await;
}

/// An intact snapshot still restores exactly, and is marked restored once it is.
#[tokio::test]
async fn an_intact_snapshot_records_its_count_and_digest_and_restores_exactly() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "snapshot_intact").await;
    let state = harness::fresh_db(&client, "snapshot_intact_state").await;
    data::seed_earlybird(&client, &db, 25_000).await;
    let original = fingerprint::take(&client, &db, &[]).await.unwrap();
    let holding = data::count(
        &client,
        &db,
        "orders",
        doc! {"subscription_id": {"$exists": true}},
    )
    .await;
    assert!(holding > 10_000, "{holding} orders hold subscription_id");
    let run = |args: &[&str]| Run::new(args).db(&db).state(&state).yes().json();
    run(&["rollback", "steps-19-30", "--steps", "19"]).status(0);
    let snapshot = field_snapshot(&client, &state, "19", "orders").await;
    let with_field = data::count(
        &client,
        &db,
        "orders",
        doc! {"subscription_id": {"$exists": true}},
    )
    .await;
    assert_eq!(with_field, 0);
    assert_eq!(
        snapshot.get_i64("documents").unwrap(),
        i64::try_from(holding).unwrap(),
        "{snapshot}"
    );
    assert!(
        snapshot
            .get_str("digest")
            .is_ok_and(|d| d.starts_with("md5:")),
        "{snapshot}"
    );
    run(&["apply", "steps-19-30", "--steps", "19"]).status(0);
    let difference = original.compare(&fingerprint::take(&client, &db, &[]).await.unwrap());
    assert!(difference.is_none(), "{difference:?}");
    let snapshot = field_snapshot(&client, &state, "19", "orders").await;
    assert!(snapshot.get_str("restored_by").is_ok(), "{snapshot}");
}

/// The backups steps 22 and 25 take before their rollback.
const BACKUPS: [(&str, &str); 2] = [
    ("22", "orders_delivered_backup"),
    ("25", "delivery_audit_backup"),
];

/// Two rollbacks of steps 22 and 25 in a row: the second keeps the first's backups byte for
/// byte and writes its own beside them, run-suffixed, as its plan says, reporting what it wrote.
#[tokio::test]
async fn two_rollbacks_in_a_row_keep_the_first_ones_backups_byte_for_byte() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "backups_survive").await;
    let state = harness::fresh_db(&client, "backups_survive_state").await;
    data::seed_earlybird(&client, &db, 3_000).await;
    let run = |args: &[&str]| Run::new(args).db(&db).state(&state).yes().json();
    let steps = ["--steps", "22,25"];

    run(&["rollback", "steps-19-30", steps[0], steps[1]]).status(0);
    let mut first = Vec::new();
    for (_, backup) in BACKUPS {
        let documents = data::documents(&client, &db, backup).await;
        assert!(
            !documents.is_empty(),
            "{backup} is empty after the first rollback"
        );
        first.push(documents);
    }
    let delivered = data::count(&client, &db, "orders", doc! {"status": "DELIVERED"}).await;

    let plan = run(&[
        "plan",
        "steps-19-30",
        "--direction",
        "rollback",
        steps[0],
        steps[1],
    ])
    .status(0)
    .json_doc();
    let report = run(&["rollback", "steps-19-30", steps[0], steps[1]])
        .status(0)
        .json_doc();
    let run_id = report["run_id"].as_str().unwrap();
    for ((step, backup), earlier) in BACKUPS.iter().zip(&first) {
        assert_eq!(
            &data::documents(&client, &db, backup).await,
            earlier,
            "the second rollback changed {backup}"
        );
        let planned = plan["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == *step)
            .unwrap();
        let planned = planned.to_string();
        assert!(
            planned.contains(&format!("{backup}_<run id>")) && planned.contains("is kept"),
            "the plan of step {step} does not say where the backup goes: {planned}"
        );
        let done = report["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == *step)
            .unwrap();
        let action = &done["actions"][0];
        assert_eq!(action["kind"], "backup_to_collection", "{done:#}");
        let written = format!("{backup}_{run_id}");
        assert_eq!(action["backup"], written.as_str(), "{action:#}");
        let holds = data::count(&client, &db, &written, doc! {}).await;
        assert_eq!(action["modified"], holds, "{action:#}");
        if *step == "22" {
            assert_eq!(holds, delivered, "{written} holds every delivered order");
        }
    }
}

/// Application writes between a rollback of step 22 and its forward: orders cancelled and
/// deleted since are conflicts. The default refuses before writing anything (exit 11, how many
/// and which); `--on-conflict skip` restores every other order exactly and keeps the
/// application's changes, reporting them.
#[tokio::test]
async fn application_writes_between_rollback_and_forward_are_kept_and_reported() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "conflicts_kept").await;
    let state = harness::fresh_db(&client, "conflicts_kept_state").await;
    data::seed_earlybird(&client, &db, 3_000).await;
    let orders = client.database(&db).collection::<Document>("orders");
    let delivered: Vec<Document> = {
        use futures_util::TryStreamExt;
        orders
            .find(doc! {"status": "DELIVERED"})
            .sort(doc! {"_id": 1})
            .limit(5)
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap()
    };
    let ids: Vec<_> = delivered
        .iter()
        .map(|d| d.get("_id").unwrap().clone())
        .collect();
    let (cancelled, deleted) = ids.split_at(3);
    let original = data::documents(&client, &db, "orders").await;
    let run = |args: &[&str]| Run::new(args).db(&db).state(&state).yes().json();
    let rolled = run(&["rollback", "steps-19-30", "--steps", "22"])
        .status(0)
        .json_doc();
    let snapshotted = rolled["steps"][0]["actions"][1]["modified"]
        .as_u64()
        .unwrap();

    // The application, after the rollback.
    orders
        .update_many(
            doc! {"_id": {"$in": cancelled}},
            doc! {"$set": {"status": "CANCELLED"}},
        )
        .await
        .unwrap();
    orders
        .delete_many(doc! {"_id": {"$in": deleted}})
        .await
        .unwrap();
    let after_application = data::documents(&client, &db, "orders").await;

    let plan = run(&[
        "plan",
        "steps-19-30",
        "--direction",
        "forward",
        "--steps",
        "22",
    ])
    .status(0)
    .json_doc();
    let predicted = &plan["steps"][0]["actions"][0];
    assert_eq!(predicted["conflicts"], 5, "{predicted:#}");
    assert_eq!(predicted["affected"], snapshotted - 5, "{predicted:#}");

    let since = harness::oplog_now(&client).await;
    let refused = run(&["apply", "steps-19-30", "--steps", "22"])
        .status(11)
        .json_doc();
    assert_eq!(
        refused["error"]["code"], "SESSION_STATE_CONFLICT",
        "{refused:#}"
    );
    let message = refused["error"]["message"].as_str().unwrap();
    for needle in [
        "5 of",
        "3 changed since the rollback",
        "2 deleted since the rollback",
        "orders",
        "ord-",
    ] {
        assert!(message.contains(needle), "{needle:?} not in: {message}");
    }
    assert_eq!(harness::oplog_writes(&client, since, &[&db]).await, 0);
    assert_eq!(
        data::documents(&client, &db, "orders").await,
        after_application
    );

    let applied = run(&[
        "apply",
        "steps-19-30",
        "--steps",
        "22",
        "--on-conflict",
        "skip",
    ])
    .status(0)
    .json_doc();
    let action = &applied["steps"][0]["actions"][0];
    assert_eq!(action["conflicts"], 5, "{action:#}");
    assert_eq!(action["modified"], snapshotted - 5, "{action:#}");
    assert_eq!(action["modified"], predicted["affected"], "the plan held");

    // Every order restored exactly but the five: three keep the application's CANCELLED, two
    // stay deleted.
    let now = data::documents(&client, &db, "orders").await;
    assert_eq!(now.len(), original.len() - 2);
    let touched: Vec<Vec<u8>> = delivered
        .iter()
        .map(|d| mongodb::bson::to_vec(d).unwrap())
        .collect();
    let expected: Vec<&Vec<u8>> = original.iter().filter(|d| !touched.contains(d)).collect();
    let restored: Vec<&Vec<u8>> = now
        .iter()
        .filter(|d| {
            let d: Document = mongodb::bson::from_slice(d).unwrap();
            !ids.contains(d.get("_id").unwrap())
        })
        .collect();
    assert!(
        expected == restored,
        "orders other than the five differ from the original"
    );
    for id in cancelled {
        let order = orders.find_one(doc! {"_id": id}).await.unwrap().unwrap();
        assert_eq!(order.get_str("status").unwrap(), "CANCELLED", "{order}");
        assert!(!order.contains_key("delivered_at"), "{order}");
    }
}

/// The `_id`s of the first `limit` orders of `db` (by `_id`) that `filter` matches.
async fn order_ids(
    client: &Client,
    db: &str,
    filter: Document,
    limit: i64,
) -> Vec<mongodb::bson::Bson> {
    use futures_util::TryStreamExt;
    client
        .database(db)
        .collection::<Document>("orders")
        .find(filter)
        .sort(doc! {"_id": 1})
        .limit(limit)
        .await
        .unwrap()
        .try_collect::<Vec<Document>>()
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.get("_id").unwrap().clone())
        .collect()
}

/// Two rollbacks of step 19 with the application writing between them: five orders get a
/// subscription again, and the second rollback removes it.
struct Stacked {
    client: Client,
    db: String,
    seed: String,
    state: String,
    /// Orders the first rollback changed.
    had: u64,
    /// The five orders the application wrote.
    five: Vec<mongodb::bson::Bson>,
    /// How many of the five the first rollback changed too.
    overlapping: u64,
}

impl Stacked {
    async fn rolled_back_twice(name: &str) -> Stacked {
        let client = harness::client().await;
        let db = harness::fresh_db(&client, name).await;
        let seed = harness::fresh_db(&client, &format!("{name}_seed")).await;
        let state = harness::fresh_db(&client, &format!("{name}_state")).await;
        data::seed_earlybird(&client, &db, 3_000).await;
        data::clone_db(&client, &db, &seed).await;
        let had = data::count(
            &client,
            &db,
            "orders",
            doc! {"subscription_id": {"$exists": true}},
        )
        .await;
        let stacked = Stacked {
            client,
            db,
            seed,
            state,
            had,
            five: Vec::new(),
            overlapping: 0,
        };
        stacked
            .run(&["rollback", "steps-19-30", "--steps", "19"])
            .status(0);
        let orders = stacked
            .client
            .database(&stacked.db)
            .collection::<Document>("orders");
        let five = order_ids(&stacked.client, &stacked.db, doc! {}, 5).await;
        orders
            .update_many(
                doc! {"_id": {"$in": &five}},
                doc! {"$set": {"subscription_id": "sub-app"}},
            )
            .await
            .unwrap();
        stacked
            .run(&["rollback", "steps-19-30", "--steps", "19"])
            .status(0);
        let overlapping = stacked
            .client
            .database(&stacked.seed)
            .collection::<Document>("orders")
            .count_documents(doc! {"_id": {"$in": &five}, "subscription_id": {"$exists": true}})
            .await
            .unwrap();
        assert!(
            overlapping > 0 && overlapping < 5,
            "{overlapping} of the five had a subscription: the test proves nothing"
        );
        Stacked {
            five,
            overlapping,
            ..stacked
        }
    }

    fn run(&self, args: &[&str]) -> Run {
        Run::new(args).db(&self.db).state(&self.state).yes().json()
    }

    /// How many of the five hold what the application wrote.
    async fn five_holding_the_application_write(&self) -> u64 {
        data::count(
            &self.client,
            &self.db,
            "orders",
            doc! {"_id": {"$in": &self.five}, "subscription_id": "sub-app"},
        )
        .await
    }

    /// Every order but `except` is as it was before the first rollback.
    async fn assert_the_rest_as_seeded(&self, except: &[mongodb::bson::Bson], context: &str) {
        for database in [&self.db, &self.seed] {
            self.client
                .database(database)
                .collection::<Document>("orders")
                .delete_many(doc! {"_id": {"$in": except}})
                .await
                .unwrap();
        }
        data::assert_same(&self.client, &self.db, &self.seed, &["orders"], context).await;
    }
}

/// The forward after stacked rollbacks counts each document once and keeps what the
/// application wrote between the rollbacks, saying so.
#[tokio::test]
async fn stacked_rollbacks_count_each_document_once_and_keep_the_writes_between_them() {
    let stacked = Stacked::rolled_back_twice("stacked").await;
    let applied = stacked
        .run(&["apply", "steps-19-30", "--steps", "19"])
        .status(0)
        .json_doc();
    let action = &applied["steps"][0]["actions"][0];
    // Each document once: those the first rollback changed (the five among them or not).
    let (had, overlapping) = (stacked.had, stacked.overlapping);
    assert_eq!(action["modified"], had - overlapping + 5, "{action:#}");
    assert_eq!(action["conflicts"], overlapping, "{action:#}");
    let detail = action["detail"].as_str().unwrap();
    assert!(detail.contains("between the stacked rollbacks"), "{detail}");
    // The five hold what the application wrote; every other order is as it was.
    assert_eq!(stacked.five_holding_the_application_write().await, 5);
    stacked
        .assert_the_rest_as_seeded(&stacked.five, "after the forward")
        .await;
}

/// With `--on-conflict overwrite` the older snapshot is put back over the newer one: a document
/// both rollbacks changed ends as it was before the first, and is counted once in `modified`.
#[tokio::test]
async fn stacked_rollbacks_overwritten_count_each_document_once() {
    let stacked = Stacked::rolled_back_twice("stacked_overwrite").await;
    let applied = stacked
        .run(&[
            "apply",
            "steps-19-30",
            "--steps",
            "19",
            "--on-conflict",
            "overwrite",
        ])
        .status(0)
        .json_doc();
    let action = &applied["steps"][0]["actions"][0];
    let (had, overlapping) = (stacked.had, stacked.overlapping);
    assert_eq!(action["modified"], had - overlapping + 5, "{action:#}");
    // The five the first rollback did not change keep what the application wrote; the others
    // are as they were before the first rollback, the overlapping ones included.
    assert_eq!(
        stacked.five_holding_the_application_write().await,
        5 - overlapping
    );
    let kept = order_ids(
        &stacked.client,
        &stacked.db,
        doc! {"_id": {"$in": &stacked.five}, "subscription_id": "sub-app"},
        5,
    )
    .await;
    stacked
        .assert_the_rest_as_seeded(&kept, "after the overwriting forward")
        .await;
}

/// An update whose values differ per document (`$inc`, a dotted `$set`): what it left is worked
/// out again by the server, so documents the application changed since are conflicts like any
/// other — refused by default with nothing restored, kept with `--on-conflict skip`.
#[tokio::test]
async fn a_computed_update_finds_the_documents_changed_since_and_keeps_them() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "computed").await;
    let seed = harness::fresh_db(&client, "computed_seed").await;
    let state = harness::fresh_db(&client, "computed_state").await;
    data::seed_earlybird(&client, &db, 3_000).await;
    data::clone_db(&client, &db, &seed).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("surcharge.yaml");
    std::fs::write(
        &path,
        "id: surcharge\ntitle: Surcharge confirmed orders\ndatabase: shop\nsteps:\n  - id: \"1\"\n    title: Add a surcharge\n    data_loss: {level: partial}\n    reversibility: {level: full}\n    forward:\n      - update:\n          collection: orders\n          filter: {status: CONFIRMED}\n          update: {$inc: {amount: 5}, $set: {note.by: ops}}\n    rollback:\n      - restore_snapshot: {collection: orders}\n",
    )
    .unwrap();
    let run = |command: &str| {
        Run::new([command])
            .arg(&path)
            .db(&db)
            .state(&state)
            .json()
            .yes()
    };
    let confirmed = data::count(&client, &db, "orders", doc! {"status": "CONFIRMED"}).await;
    run("apply").status(0);

    // The application changes one surcharged order's amount, deletes another and touches an
    // untouched field of a third (no conflict: only touched fields count).
    let orders = client.database(&db).collection::<Document>("orders");
    let ids = order_ids(&client, &db, doc! {"status": "CONFIRMED"}, 3).await;
    orders
        .update_one(doc! {"_id": &ids[0]}, doc! {"$set": {"amount": 1}})
        .await
        .unwrap();
    orders.delete_one(doc! {"_id": &ids[1]}).await.unwrap();
    orders
        .update_one(
            doc! {"_id": &ids[2]},
            doc! {"$set": {"customer_id": "cus-app"}},
        )
        .await
        .unwrap();

    // Refused before anything is restored; no scratch storage is left behind.
    let since = harness::oplog_now(&client).await;
    let refused = run("rollback").status(11).json_doc();
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("2 of")
            && message.contains("1 changed since")
            && message.contains("1 deleted since"),
        "{message}"
    );
    assert_eq!(harness::oplog_writes(&client, since, &[&db]).await, 0);
    let left: Vec<String> = client
        .database(&state)
        .list_collection_names()
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.ends_with(".check"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // With skip the others come back exactly and the application's change stays.
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
    assert_eq!(action["conflicts"], 2, "{skipped:#}");
    assert_eq!(action["modified"], confirmed - 2, "{skipped:#}");
    let kept = orders
        .find_one(doc! {"_id": &ids[0]})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.get_i32("amount").ok(), Some(1), "{kept:#}");
    assert!(kept.get_document("note").is_ok(), "{kept:#}");
    for database in [&db, &seed] {
        let orders = client.database(database).collection::<Document>("orders");
        orders
            .delete_many(doc! {"_id": {"$in": &ids[..2]}})
            .await
            .unwrap();
        orders
            .update_one(
                doc! {"_id": &ids[2]},
                doc! {"$set": {"customer_id": "cus-app"}},
            )
            .await
            .unwrap();
    }
    data::assert_same(&client, &db, &seed, &["orders"], "after the skip").await;
}
