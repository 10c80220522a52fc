//! apply / rollback / verify against real data: each step's rollback equals the seed's manual
//! commands, forward restores the original exactly, whole-range round trips, transactions.

use mongodb::bson::{doc, Document};
use mongodb::Client;

use crate::data::{self, EARLYBIRD};
use crate::harness::{self, Run};

/// A saved plan, approved by someone other than the operator who runs it; the file lives as
/// long as the value.
pub struct ApprovedPlan {
    _dir: tempfile::TempDir,
    /// The plan file.
    pub path: std::path::PathBuf,
    /// The plan as `plan --output json` printed it.
    pub json: serde_json::Value,
}

impl ApprovedPlan {
    /// The file as a `&str` argument.
    pub fn arg(&self) -> &str {
        self.path.to_str().unwrap()
    }
}

/// Plans `direction` of steps-19-30 with `extra` arguments, saves it, and has "approver" approve it.
pub fn approved_plan(direction: &str, extra: &[&str], db: &str, state: &str) -> ApprovedPlan {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    let json = Run::new(["plan", "steps-19-30", "--direction", direction])
        .args(extra)
        .arg("--out")
        .arg(&path)
        .db(db)
        .state(state)
        .json()
        .operator("planner")
        .status(0)
        .json_doc();
    Run::new(["approve", "--reason", "approved for the test", "--plan"])
        .arg(&path)
        .state(state)
        .operator("approver")
        .yes()
        .status(0);
    ApprovedPlan {
        _dir: dir,
        path,
        json,
    }
}

/// Asserts that every document-changing action's predicted count equals what the run changed.
pub fn assert_predictions_held(plan: &serde_json::Value, run: &serde_json::Value) {
    let planned = plan["steps"].as_array().unwrap();
    for step in run["steps"].as_array().unwrap() {
        let predicted = planned
            .iter()
            .find(|s| s["id"] == step["id"])
            .unwrap_or_else(|| panic!("step {} not planned", step["id"]));
        for (index, action) in step["actions"].as_array().unwrap().iter().enumerate() {
            if matches!(
                action["kind"].as_str(),
                Some("unset" | "set" | "update" | "restore_snapshot")
            ) {
                let expected = &predicted["actions"][index]["affected"];
                assert_eq!(
                    expected, &action["modified"],
                    "step {} action {index} ({}): plan predicted {expected}, the run modified {}",
                    step["id"], action["kind"], action["modified"]
                );
            }
        }
    }
}

/// The seed's manual rollback commands for a step, run directly with the driver.
async fn seed_manual_rollback(client: &Client, db: &str, step: &str) {
    let database = client.database(db);
    let c = |name: &str| database.collection::<Document>(name);
    match step {
        "19" => drop(c("orders").update_many(doc! {}, doc! {"$unset": {"subscription_id": ""}}).await.unwrap()),
        "20" => drop(c("delivery_statuses").update_many(doc! {}, doc! {"$unset": {"order_id": ""}}).await.unwrap()),
        "21" => {
            c("users")
                .aggregate(vec![
                    doc! {"$match": {"customer_v2_id": {"$exists": true}}},
                    doc! {"$project": {"email": 1, "customer_v2_id": 1}},
                    doc! {"$out": "user_customer_mapping_backup"},
                ])
                .await
                .unwrap();
            c("users").update_many(doc! {}, doc! {"$unset": {"customer_v2_id": ""}}).await.unwrap();
            c("customers_v2").update_many(doc! {}, doc! {"$unset": {"user_id": ""}}).await.unwrap();
        }
        "22" => drop(
            c("orders")
                .update_many(
                    doc! {"status": "DELIVERED"},
                    doc! {"$unset": {"delivered_at": "", "delivery_confirmed": ""}, "$set": {"status": "PENDING"}},
                )
                .await
                .unwrap(),
        ),
        "23" => {
            c("orders").update_many(doc! {}, doc! {"$unset": {"billed": ""}}).await.unwrap();
            c("billing_records").update_many(doc! {"order_id": {"$exists": true}}, doc! {"$unset": {"order_id": ""}}).await.unwrap();
        }
        "25" => {
            c("delivery_statuses")
                .aggregate(vec![doc! {"$match": {"confirmed_by_user_id": {"$exists": true}}}, doc! {"$out": "delivery_audit_backup"}])
                .await
                .unwrap();
            c("delivery_statuses")
                .update_many(
                    doc! {},
                    doc! {"$unset": {"confirmed_by_user_id": "", "confirmed_by_name": "", "confirmed_at": "", "confirmation_method": "", "ip_address": "", "device_info": ""}},
                )
                .await
                .unwrap();
        }
        "26" => drop(c("delivery_statuses").update_many(doc! {}, doc! {"$unset": {"items": ""}}).await.unwrap()),
        "30" => {
            for (collection, index) in [
                ("orders", "user_id_1"),
                ("orders", "customer_id_1"),
                ("orders", "delivery_date_-1"),
                ("subscriptions_v2", "customer_id_1"),
                ("subscriptions_v2", "status_1"),
                ("delivery_statuses", "customer_id_1_delivery_date_-1"),
                ("billing_records", "customer_id_1"),
                ("billing_records", "period_date_-1"),
            ] {
                database.run_command(doc! {"dropIndexes": collection, "index": index}).await.unwrap();
            }
        }
        other => panic!("step {other} has no manual data commands"),
    }
}

/// Backup collections the seed's commands create for a step.
fn seed_backups(step: &str) -> Vec<&'static str> {
    match step {
        "21" => vec!["user_customer_mapping_backup"],
        "25" => vec!["delivery_audit_backup"],
        _ => vec![],
    }
}

async fn rollback_equals_seed_and_forward_restores(step: &str) {
    let client = harness::client().await;
    let original = harness::fresh_db(&client, &format!("step{step}_original")).await;
    let tool = harness::fresh_db(&client, &format!("step{step}_tool")).await;
    let manual = harness::fresh_db(&client, &format!("step{step}_manual")).await;
    let state = harness::fresh_db(&client, &format!("step{step}_state")).await;
    data::seed_earlybird(&client, &original, 3_000).await;
    data::clone_db(&client, &original, &tool).await;
    data::clone_db(&client, &original, &manual).await;

    let run = |args: &[&str]| Run::new(args).yes().db(&tool).state(&state).json();
    let plan = approved_plan("rollback", &["--steps", step], &tool, &state);
    let report = run(&["rollback", "--plan", plan.arg()])
        .status(0)
        .json_doc();
    assert_predictions_held(&plan.json, &report);
    let step_report = &report["steps"][0];
    assert_eq!(step_report["id"], step);
    assert!(
        step_report["verify"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["ok"] == true),
        "{report:#}"
    );
    for action in step_report["actions"].as_array().unwrap() {
        if action["kind"] == "unset" || action["kind"] == "update" {
            assert!(
                action["modified"].as_u64().unwrap() > 0,
                "step {step}: {action}"
            );
            assert_eq!(
                action["affected"], action["modified"],
                "step {step}: predicted != modified: {action}"
            );
        }
    }

    seed_manual_rollback(&client, &manual, step).await;
    let mut compared: Vec<&str> = EARLYBIRD.to_vec();
    compared.extend(seed_backups(step));
    data::assert_same(
        &client,
        &tool,
        &manual,
        &compared,
        &format!("rollback of step {step} vs the seed's commands"),
    )
    .await;

    let plan = approved_plan("forward", &["--steps", step], &tool, &state);
    let report = run(&["apply", "--plan", plan.arg()]).status(0).json_doc();
    assert_predictions_held(&plan.json, &report);
    data::assert_same(
        &client,
        &tool,
        &original,
        &EARLYBIRD,
        &format!("apply after rollback of step {step}"),
    )
    .await;
}

macro_rules! step_tests {
    ($($name:ident => $step:literal),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                rollback_equals_seed_and_forward_restores($step).await;
            }
        )*
    };
}

step_tests! {
    step_19_rollback_equals_seed_and_forward_restores => "19",
    step_20_rollback_equals_seed_and_forward_restores => "20",
    step_21_rollback_equals_seed_and_forward_restores => "21",
    step_22_rollback_equals_seed_and_forward_restores => "22",
    step_23_rollback_equals_seed_and_forward_restores => "23",
    step_25_rollback_equals_seed_and_forward_restores => "25",
    step_26_rollback_equals_seed_and_forward_restores => "26",
    step_30_rollback_equals_seed_and_forward_restores => "30",
}

/// Orders whose keys come in many orders (the field first, last, after keys the others lack,
/// keys an object literal cannot name, several value types) and enough of them to fill several
/// snapshot batches: rollback then forward of step 19 gives every document back byte for byte.
async fn odd_key_orders_round_trip(name: &str, first: Document) {
    let client = harness::client().await;
    let original = harness::fresh_db(&client, &format!("{name}_original")).await;
    let db = harness::fresh_db(&client, name).await;
    let manual = harness::fresh_db(&client, &format!("{name}_manual")).await;
    let state = harness::fresh_db(&client, &format!("{name}_state")).await;
    let odd = |id: i64, pairs: &[(&str, mongodb::bson::Bson)]| {
        let mut document = doc! {"_id": id};
        for (key, value) in pairs {
            document.insert(*key, value.clone());
        }
        document
    };
    let f = "subscription_id";
    let mut documents = vec![first];
    documents.extend([
        odd(
            2,
            &[
                (f, "b".into()),
                ("user_id", "u".into()),
                ("status", "S".into()),
            ],
        ),
        odd(
            3,
            &[
                ("user_id", "u".into()),
                ("extra", 1.into()),
                ("customer_id", "c".into()),
                (f, 5_i64.into()),
            ],
        ),
        odd(
            4,
            &[
                ("status", "S".into()),
                (f, 1.5.into()),
                ("tail", true.into()),
            ],
        ),
        odd(
            5,
            &[
                ("user_id", "u".into()),
                ("customer_id", "c".into()),
                ("status", "S".into()),
                ("z", 1.into()),
                (f, doc! {"nested": [1, 2]}.into()),
            ],
        ),
        odd(6, &[("user_id", "u".into()), ("status", "S".into())]),
        odd(
            7,
            &[
                ("user_id", "u".into()),
                ("customer_id", "c".into()),
                ("status", "S".into()),
                (f, mongodb::bson::Bson::Null),
                ("we.ird", 1.into()),
            ],
        ),
        odd(
            8,
            &[
                ("status", "S".into()),
                ("user_id", "u".into()),
                (f, "late".into()),
            ],
        ),
        odd(9, &[(f, mongodb::bson::Bson::Int32(0))]),
    ]);
    for i in 10..25_010_i64 {
        let mut document = if i % 7 == 0 {
            odd(
                i,
                &[
                    ("user_id", "u".into()),
                    ("status", "S".into()),
                    ("customer_id", "c".into()),
                    (f, i.into()),
                ],
            )
        } else {
            odd(
                i,
                &[
                    ("user_id", "u".into()),
                    ("customer_id", "c".into()),
                    ("status", "S".into()),
                    (f, format!("sub-{i}").into()),
                ],
            )
        };
        if i % 3 == 0 {
            document.remove(f);
        }
        document.insert("amount", i);
        documents.push(document);
    }
    client
        .database(&original)
        .collection::<Document>("orders")
        .insert_many(documents)
        .await
        .unwrap();
    data::clone_db(&client, &original, &db).await;
    data::clone_db(&client, &original, &manual).await;

    let run = |args: &[&str]| Run::new(args).yes().db(&db).state(&state).json();
    let plan = approved_plan("rollback", &["--steps", "19"], &db, &state);
    let report = run(&["rollback", "--plan", plan.arg()])
        .status(0)
        .json_doc();
    assert_predictions_held(&plan.json, &report);
    seed_manual_rollback(&client, &manual, "19").await;
    data::assert_same(
        &client,
        &db,
        &manual,
        &["orders"],
        "rollback of odd key orders",
    )
    .await;

    let plan = approved_plan("forward", &["--steps", "19"], &db, &state);
    let report = run(&["apply", "--plan", plan.arg()]).status(0).json_doc();
    assert_predictions_held(&plan.json, &report);
    data::assert_same(
        &client,
        &db,
        &original,
        &["orders"],
        "apply after rollback of odd key orders",
    )
    .await;
}

#[tokio::test]
async fn odd_key_orders_round_trip_exactly() {
    let first = doc! {"_id": 1, "user_id": "u", "customer_id": "c", "status": "S", "subscription_id": "a", "x": 1};
    odd_key_orders_round_trip("oddkeys", first).await;
}

#[tokio::test]
async fn odd_key_orders_round_trip_exactly_without_a_shared_prefix() {
    let mut first = doc! {"_id": 1};
    first.insert("a.b", 1);
    first.insert("subscription_id", "a");
    odd_key_orders_round_trip("oddkeys_noprefix", first).await;
}

#[tokio::test]
async fn rollback_30_to_19_then_apply_19_to_30_round_trips_the_database() {
    let client = harness::client().await;
    let original = harness::fresh_db(&client, "roundtrip_original").await;
    let db = harness::fresh_db(&client, "roundtrip").await;
    let state = harness::fresh_db(&client, "roundtrip_state").await;
    data::seed_earlybird(&client, &original, 3_000).await;
    data::clone_db(&client, &original, &db).await;

    let run = |args: &[&str]| Run::new(args).yes().db(&db).state(&state).json();
    let plan = approved_plan("rollback", &["--steps", "30-19"], &db, &state);
    // Exit 9: manual steps are pending without a terminal.
    let report = run(&["rollback", "--plan", plan.arg()])
        .status(9)
        .json_doc();
    assert_predictions_held(&plan.json, &report);
    let order: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["30", "28", "27", "26", "25", "24", "23", "22", "21", "20", "19"]
    );
    assert_eq!(report["skipped"][0]["id"], "29");
    let pending: Vec<&str> = report["pending_manual"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["step"].as_str().unwrap())
        .collect();
    assert_eq!(pending, ["28", "27", "24"]);
    assert_eq!(report["error"]["code"], "MANUAL_PENDING");
    for field in [
        "subscription_id",
        "billed",
        "delivered_at",
        "delivery_confirmed",
    ] {
        assert_eq!(
            data::count(&client, &db, "orders", doc! {field: {"$exists": true}}).await,
            0,
            "{field} left"
        );
    }

    let plan = approved_plan("forward", &["--steps", "19-30"], &db, &state);
    let report = run(&["apply", "--plan", plan.arg()]).status(9).json_doc();
    assert_predictions_held(&plan.json, &report);
    data::assert_same(
        &client,
        &db,
        &original,
        &EARLYBIRD,
        "rollback 30-19 then apply 19-30",
    )
    .await;
}

#[tokio::test]
async fn failure_in_a_transactional_step_writes_nothing_and_records_no_success() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "tx_failure").await;
    let original = harness::fresh_db(&client, "tx_failure_original").await;
    let state = harness::fresh_db(&client, "tx_failure_state").await;
    data::seed_earlybird(&client, &original, 2_000).await;
    data::clone_db(&client, &original, &db).await;
    let app = "tx_failure_app";
    // The run's bookkeeping appends (inserts) and its heartbeat is a findAndModify, so the
    // `update` commands of step 23 are its two data writes: let the first through, fail the second.
    let plan = approved_plan("rollback", &["--steps", "23"], &db, &state);
    let _failpoint = harness::FailPoint::fail_command_skip(&client, app, &["update"], 2, 1).await;
    let report = Run::new(["rollback", "--plan", plan.arg()])
        .yes()
        .db(&db)
        .state(&state)
        .json()
        .uri(&harness::uri_with_app(app))
        .status(1)
        .json_doc();
    assert_eq!(report["steps"][0]["transaction"], true, "{report:#}");
    assert_eq!(report["error"]["code"], "TRANSACTION_FAILED", "{report:#}");
    assert!(
        report["error"]["message"]
            .as_str()
            .unwrap()
            .contains("billing_records"),
        "the failpoint hit another write: {report:#}"
    );

    data::assert_same(
        &client,
        &db,
        &original,
        &EARLYBIRD,
        "after a failed transactional step",
    )
    .await;
    let statedb = client.database(&state);
    assert_eq!(
        statedb
            .collection::<Document>("step_state")
            .count_documents(doc! {})
            .await
            .unwrap(),
        0,
        "a success was recorded"
    );
    assert_eq!(
        statedb
            .collection::<Document>("journal")
            .count_documents(doc! {})
            .await
            .unwrap(),
        0,
        "journal entries of an aborted transaction"
    );
    let audit: Vec<String> = {
        use futures_util::TryStreamExt;
        let events: Vec<Document> = statedb
            .collection::<Document>("audit")
            .find(doc! {"run_id": {"$ne": null}})
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        events
            .iter()
            .map(|e| e.get_str("event").unwrap().to_owned())
            .collect()
    };
    assert!(
        audit.contains(&"step_failed".to_owned()) && !audit.contains(&"step_ok".to_owned()),
        "{audit:?}"
    );
    assert_eq!(
        statedb
            .collection::<Document>("snapshots")
            .count_documents(doc! {})
            .await
            .unwrap(),
        0
    );
    let leftovers: Vec<String> = statedb
        .list_collection_names()
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.starts_with("snapshot."))
        .collect();
    assert!(leftovers.is_empty(), "orphan snapshot data: {leftovers:?}");
    // Every later `update` fails too (the failpoint stays on), so the run's end could not be
    // recorded: the report says so, and the run is never recorded as successful.
    assert!(
        report["warnings"]
            .to_string()
            .contains("cannot record the end of the run"),
        "{report:#}"
    );
    let run = statedb
        .collection::<Document>("runs")
        .find_one(doc! {})
        .await
        .unwrap()
        .unwrap();
    assert_ne!(run.get_str("status").unwrap(), "ok");
}

#[tokio::test]
async fn transient_transaction_errors_are_retried_by_label() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "tx_transient").await;
    let state = harness::fresh_db(&client, "tx_transient_state").await;
    data::seed_earlybird(&client, &db, 2_000).await;
    let app = "tx_transient_app";
    let plan = approved_plan("rollback", &["--steps", "23"], &db, &state);
    let _failpoint = harness::FailPoint::fail_command_with_labels(
        &client,
        app,
        &["update"],
        112,
        &["TransientTransactionError"],
        2,
    )
    .await;
    let report = Run::new(["rollback", "--plan", plan.arg()])
        .yes()
        .db(&db)
        .state(&state)
        .json()
        .uri(&harness::uri_with_app(app))
        .status(0)
        .json_doc();
    assert_eq!(report["steps"][0]["transaction"], true);
    assert_eq!(
        data::count(&client, &db, "orders", doc! {"billed": {"$exists": true}}).await,
        0
    );
}

#[tokio::test]
async fn status_and_history_show_what_happened() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "status_history").await;
    let state = harness::fresh_db(&client, "status_history_state").await;
    data::seed_earlybird(&client, &db, 1_000).await;
    let run = |args: &[&str]| Run::new(args).db(&db).state(&state).json();
    let report = run(&["rollback", "steps-19-30", "--steps", "19,20"])
        .yes()
        .status(0)
        .json_doc();
    let run_id = report["run_id"].as_str().unwrap().to_owned();

    let status = run(&["status", "steps-19-30"]).status(0).json_doc();
    let steps = status["steps"].as_array().unwrap();
    let step = |id: &str| steps.iter().find(|s| s["id"] == id).unwrap().clone();
    assert_eq!(step("19")["last_direction"], "rollback");
    assert_eq!(step("19")["applied_by"], "test-operator");
    assert_eq!(step("19")["run_id"], run_id.as_str());
    assert_eq!(step("19")["last_verify"]["ok"], true);
    assert!(step("21")["last_direction"].is_null());

    let history = run(&["history", "--run", &run_id]).status(0).json_doc();
    let events: Vec<(&str, Option<&str>)> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["event"].as_str().unwrap(), e["step"].as_str()))
        .collect();
    assert_eq!(
        events,
        [
            ("run_finished", None),
            ("step_ok", Some("19")),
            ("step_ok", Some("20")),
            ("run_started", None)
        ]
    );

    let human = Run::new(["history", "--runbook", "steps-19-30"])
        .state(&state)
        .run();
    assert!(human.stdout.contains("run_finished"), "{human}");

    // `report --last` is the newest run that changed something: a verify since does not count.
    run(&["verify", "steps-19-30", "--steps", "19"]).status(0);
    let last = run(&["report", "--last", "--runbook", "steps-19-30"])
        .status(0)
        .json_doc();
    assert_eq!(last["run_id"], run_id.as_str(), "{last:#}");
    assert!(last["markdown"].as_str().unwrap().contains(&run_id));
    run(&["report", "--last", "--runbook", "org-rename"]).status(2);
    run(&["report"]).status(2);
}

#[tokio::test]
async fn refusals_write_nothing() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "refusals").await;
    let state = harness::fresh_db(&client, "refusals_state").await;
    data::seed_earlybird(&client, &db, 500).await;
    let before = data::documents(&client, &db, "orders").await;

    let run = |args: &[&str]| Run::new(args).db(&db).state(&state).json();
    // No --yes: exit 5 before connecting.
    let report = run(&["rollback", "steps-19-30", "--steps", "19"])
        .status(5)
        .json_doc();
    assert_eq!(report["error"]["code"], "NOT_CONFIRMED");
    // Step 29 alone: its rollback is unsupported, with the seed's reason.
    let report = run(&["rollback", "steps-19-30", "--steps", "29"])
        .yes()
        .status(2)
        .json_doc();
    assert!(
        report["error"]["message"]
            .as_str()
            .unwrap()
            .contains("UUIDs are backward compatible"),
        "{report:#}"
    );
    // A range with 29 and --fail-on-unsupported: refused.
    run(&["rollback", "steps-19-30", "--steps", "28-30"])
        .yes()
        .arg("--fail-on-unsupported")
        .status(2);
    // Unknown step, bad parameter: exit 2.
    run(&["apply", "steps-19-30", "--steps", "99"])
        .yes()
        .status(2);
    let report = run(&["apply", "steps-19-30", "--steps", "19", "--param", "x=1"])
        .yes()
        .status(2)
        .json_doc();
    assert_eq!(report["error"]["code"], "INVALID_PARAM");

    assert_eq!(data::documents(&client, &db, "orders").await, before);
    assert!(
        !client.list_database_names().await.unwrap().contains(&state),
        "the state database was created"
    );
}

#[tokio::test]
async fn emergency_rolls_back_30_to_23_going_on_past_failures() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "emergency").await;
    let state = harness::fresh_db(&client, "emergency_state").await;
    data::seed_earlybird(&client, &db, 1_000).await;
    // delivery_statuses becomes a view: it can be counted and read, but not updated, so steps
    // 26 and 25 fail for real; the emergency procedure must go on with the steps after them.
    let database = client.database(&db);
    database
        .collection::<Document>("delivery_statuses")
        .drop()
        .await
        .unwrap();
    database
        .run_command(doc! {"create": "delivery_statuses", "viewOn": "orders", "pipeline": []})
        .await
        .unwrap();
    let plan = approved_plan("rollback", &["--emergency"], &db, &state);
    assert_eq!(
        plan.json["steps"].as_array().unwrap().len(),
        7,
        "{:#}",
        plan.json
    );
    let output = Run::new(["rollback", "--plan", plan.arg()])
        .yes()
        .db(&db)
        .state(&state)
        .json()
        .run();
    let report = output.json_doc();
    let order: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["30", "28", "27", "26", "25", "24", "23"],
        "{report:#}"
    );
    let failed: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "failed")
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["26", "25"], "{report:#}");
    assert_eq!(output.code, 1, "{report:#}");
    // Later steps still ran.
    assert_eq!(
        data::count(&client, &db, "orders", doc! {"billed": {"$exists": true}}).await,
        0
    );
}

#[tokio::test]
async fn verify_checks_the_chosen_direction_and_reports_expected_and_actual() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "verify_command").await;
    let state = harness::fresh_db(&client, "verify_command_state").await;
    data::seed_earlybird(&client, &db, 1_000).await;

    let run = |args: &[&str]| Run::new(args).db(&db).state(&state).json();
    // Nothing rolled back yet: the rollback checks of step 19 do not hold.
    let report = run(&[
        "verify",
        "steps-19-30",
        "--steps",
        "19",
        "--direction",
        "rollback",
    ])
    .status(3)
    .json_doc();
    assert_eq!(report["error"]["code"], "VERIFY_FAILED");
    let check = &report["steps"][0]["verify"][0];
    assert_eq!(
        (check["expected"].as_u64(), check["ok"].as_bool()),
        (Some(0), Some(false))
    );
    assert!(check["actual"].as_u64().unwrap() > 0);
    // The forward checks hold, and verify writes nothing to the target database.
    let before = data::documents(&client, &db, "orders").await;
    let report = run(&["verify", "steps-19-30", "--steps", "19-23,25,26,30"])
        .status(0)
        .json_doc();
    assert!(report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["status"] == "verified"));
    assert_eq!(data::documents(&client, &db, "orders").await, before);
    let status = run(&["status", "steps-19-30"]).run().json_doc();
    let step19 = status["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "19")
        .unwrap()
        .clone();
    assert_eq!(step19["last_verify"]["ok"], true);
    assert!(
        step19["last_direction"].is_null(),
        "verify does not count as applying"
    );
}

/// `verify` without `--direction` checks the direction last applied: right after a correct
/// rollback it passes (it used to check forward and exit 3); steps last run in different
/// directions are refused with both named.
#[tokio::test]
async fn verify_without_direction_checks_the_last_applied_direction() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "verify_last_direction").await;
    let state = harness::fresh_db(&client, "verify_last_direction_state").await;
    data::seed_earlybird(&client, &db, 200).await;
    let run = |args: &[&str]| Run::new(args).db(&db).state(&state).json();
    run(&["verify", "steps-19-30", "--steps", "19,20"]).status(0);
    run(&["rollback", "steps-19-30", "--steps", "19,20"])
        .yes()
        .status(0);
    let verified = run(&["verify", "steps-19-30", "--steps", "19,20"])
        .status(0)
        .json_doc();
    assert_eq!(verified["steps"][0]["direction"], "rollback", "{verified}");
    run(&["apply", "steps-19-30", "--steps", "19"])
        .yes()
        .status(0);
    let mixed = run(&["verify", "steps-19-30", "--steps", "19,20"]).status(2);
    assert!(
        mixed
            .stderr
            .contains("steps 20 were last rolled back and steps 19 last applied forward"),
        "{mixed}"
    );
    run(&["verify", "steps-19-30", "--steps", "19"]).status(0);
}
