//! org-rename (seed 000): an atomic runbook. Success moves documents and indexes; a duplicate
//! is refused before any write; a failure at any phase is compensated (exit 7) leaving the data
//! as before; a failed compensation exits 8 saying what is left; a killed run is finished on rerun.

use std::process::Stdio;
use std::time::{Duration, Instant};

use mongodb::bson::{doc, Document};
use mongodb::Client;

use crate::data;
use crate::harness::{self, FailPoint, Run};

/// Seeds `master`-style data (organizations acme, globex, initech with their collections)
/// into `db` and returns a pristine copy's name.
async fn seeded(client: &Client, name: &str) -> (String, String, String) {
    let db = harness::fresh_db(client, name).await;
    let original = harness::fresh_db(client, &format!("{name}_orig")).await;
    let state = harness::fresh_db(client, &format!("{name}_state")).await;
    let targets = rollbook::sandbox::seed::SeedTargets {
        earlybird: format!("{db}_e"),
        master: db.clone(),
        tenants: vec![],
    };
    rollbook::sandbox::seed::seed(client, &targets, 3_000)
        .await
        .unwrap();
    data::clone_db(client, &db, &original).await;
    (db, original, state)
}

/// `rollbook COMMAND org-rename --param org=ORG --param new_name=NEW_NAME --yes --output json`
/// (`verify` ignores `--yes`).
fn org_rename(command: &str, db: &str, state: &str, org: &str, new_name: &str) -> Run {
    Run::new([command, "org-rename"])
        .args(["--param".into(), format!("org={org}")])
        .args(["--param".into(), format!("new_name={new_name}")])
        .yes()
        .json()
        .db(db)
        .state(state)
}

/// The collections of `db`, rollbook's lock of the database (which stays) left out.
async fn collections(client: &Client, db: &str) -> Vec<String> {
    let mut names = client.database(db).list_collection_names().await.unwrap();
    names.retain(|name| name != "rollbook_lock");
    names.sort();
    names
}

/// The database is exactly as before: same collections, documents (byte for byte, including
/// the organization's `updated_at`) and indexes.
async fn assert_untouched(client: &Client, db: &str, original: &str, context: &str) {
    assert_eq!(
        collections(client, db).await,
        collections(client, original).await,
        "{context}: collections differ"
    );
    data::assert_same(
        client,
        db,
        original,
        &["organizations", "org_acme", "org_globex", "org_initech"],
        context,
    )
    .await;
}

#[tokio::test]
async fn rename_moves_documents_and_indexes_and_verify_proves_it() {
    let client = harness::client().await;
    let (db, original, state) = seeded(&client, "org_success").await;
    org_rename("apply", &db, &state, " acme ", "acme_corp").status(0);
    let names = collections(&client, &db).await;
    assert!(
        names.contains(&"org_acme_corp".to_owned()) && !names.contains(&"org_acme".to_owned()),
        "{names:?}"
    );
    assert_eq!(
        data::documents(&client, &db, "org_acme_corp").await,
        data::documents(&client, &original, "org_acme").await
    );
    let strip = |specs: Vec<Document>| {
        specs
            .into_iter()
            .map(|mut s| {
                s.remove("ns");
                s
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        strip(data::indexes(&client, &db, "org_acme_corp").await),
        strip(data::indexes(&client, &original, "org_acme").await)
    );
    let org = client
        .database(&db)
        .collection::<Document>("organizations")
        .find_one(doc! {"organization_name": "acme_corp"})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(org.get_str("collection_name").unwrap(), "org_acme_corp");
    let before = client
        .database(&original)
        .collection::<Document>("organizations")
        .find_one(doc! {"organization_name": "acme"})
        .await
        .unwrap()
        .unwrap();
    assert!(org.get_datetime("updated_at").unwrap() > before.get_datetime("updated_at").unwrap());

    org_rename("verify", &db, &state, "acme", "acme_corp").status(0);

    // Its rollback direction renames back: the original content returns.
    org_rename("rollback", &db, &state, "acme", "acme_corp").status(0);
    assert_eq!(
        data::documents(&client, &db, "org_acme").await,
        data::documents(&client, &original, "org_acme").await
    );
    assert!(!collections(&client, &db)
        .await
        .contains(&"org_acme_corp".to_owned()));
}

#[tokio::test]
async fn a_duplicate_name_is_refused_before_any_write() {
    let client = harness::client().await;
    let (db, original, state) = seeded(&client, "org_duplicate").await;
    for (new_name, why) in [
        ("globex", "already has the new name"),
        ("ACME", "does not match"),
        ("a", "shorter"),
    ] {
        let report = org_rename("apply", &db, &state, "acme", new_name)
            .status(2)
            .json_doc();
        let error = &report["error"];
        assert!(
            error["message"].as_str().unwrap().contains(why) || error["code"] == "INVALID_PARAM",
            "{new_name}: {report:#}"
        );
    }
    let report = org_rename("apply", &db, &state, "acme", "globex")
        .run()
        .json_doc();
    assert_eq!(report["error"]["code"], "DUPLICATE_ACTIVE_RECORD");
    assert_untouched(&client, &db, &original, "after refused renames").await;
}

/// Injects a failure at one phase and checks the run was compensated to the prior state.
async fn failure_is_compensated(
    name: &str,
    inject: impl AsyncFnOnce(&Client, &str) -> FailPoint,
    cause: &str,
) {
    let client = harness::client().await;
    let (db, original, state) = seeded(&client, name).await;
    let app = format!("{name}_app");
    let failpoint = inject(&client, &app).await;
    let report = org_rename("apply", &db, &state, "acme", "acme_corp")
        .uri(&harness::uri_with_app(&app))
        .status(7)
        .json_doc();
    drop(failpoint);
    assert_eq!(report["error"]["code"], "COMPENSATED");
    assert_eq!(report["error"]["cause"], cause, "{report:#}");
    assert!(
        report["compensation"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["ok"] == true),
        "{report:#}"
    );
    assert_untouched(
        &client,
        &db,
        &original,
        &format!("after a failure ({name})"),
    )
    .await;
}

#[tokio::test]
async fn failure_creating_the_collection_is_compensated() {
    failure_is_compensated(
        "org_fail_create",
        async |c, app| FailPoint::fail_command(c, app, &["create"], 2, 1).await,
        "ACTION_FAILED",
    )
    .await;
}

#[tokio::test]
async fn failure_copying_is_compensated() {
    // The copy's index builds on the new collection fail (not the state database's).
    failure_is_compensated(
        "org_fail_copy",
        async |c, app| {
            let namespace = "t_org_fail_copy.org_acme_corp";
            FailPoint::fail_command_on(c, app, &["createIndexes"], namespace, 2).await
        },
        "ACTION_FAILED",
    )
    .await;
}

#[tokio::test]
async fn failure_verifying_the_copy_is_compensated() {
    failure_is_compensated(
        "org_fail_verify",
        async |c, app| FailPoint::fail_command(c, app, &["dbHash"], 2, 1).await,
        "ACTION_FAILED",
    )
    .await;
}

#[tokio::test]
async fn failure_switching_metadata_is_compensated() {
    // Steps 1-3 record their state with three updates; the fourth update is the metadata switch.
    failure_is_compensated(
        "org_fail_metadata",
        async |c, app| FailPoint::fail_command_skip(c, app, &["update"], 2, 3).await,
        "ACTION_FAILED",
    )
    .await;
}

#[tokio::test]
async fn failure_dropping_the_old_collection_is_compensated() {
    failure_is_compensated(
        "org_fail_drop",
        async |c, app| FailPoint::fail_command(c, app, &["drop"], 2, 1).await,
        "ACTION_FAILED",
    )
    .await;
}

#[tokio::test]
async fn a_failed_compensation_exits_8_and_says_exactly_what_is_left() {
    let client = harness::client().await;
    let (db, original, state) = seeded(&client, "org_fail_compensation").await;
    let app = "org_fail_compensation_app";
    // The drop phase fails, and so do both undos that would drop the new collection.
    let failpoint = FailPoint::fail_command(&client, app, &["drop"], 2, 3).await;
    let report = org_rename("apply", &db, &state, "acme", "acme_corp")
        .uri(&harness::uri_with_app(app))
        .status(8)
        .json_doc();
    drop(failpoint);
    assert_eq!(report["error"]["code"], "COMPENSATION_INCOMPLETE");
    let remaining = report["error"]["remaining"].as_array().unwrap();
    assert_eq!(remaining.len(), 2, "{report:#}");
    assert!(
        remaining
            .iter()
            .all(|r| r.as_str().unwrap().contains("org_acme_corp")),
        "{report:#}"
    );
    // What the report says is left is exactly what is left: the new collection; the rest is restored.
    assert!(collections(&client, &db)
        .await
        .contains(&"org_acme_corp".to_owned()));
    data::assert_same(
        &client,
        &db,
        &original,
        &["organizations", "org_acme"],
        "after an incomplete compensation",
    )
    .await;

    // The undo list is persisted with the run, and `runs` shows what is left.
    let run_id = report["run_id"].as_str().unwrap().to_owned();
    let record = |client: &Client| {
        let (client, state, run_id) = (client.clone(), state.clone(), run_id.clone());
        async move {
            client
                .database(&state)
                .collection::<Document>("runs")
                .find_one(doc! {"_id": &run_id})
                .await
                .unwrap()
                .unwrap()
        }
    };
    let left = |run: &Document| {
        run.get_document("undo")
            .unwrap()
            .get_array("remaining")
            .unwrap()
            .len()
    };
    assert_eq!(left(&record(&client).await), 2);
    let listed = Run::new(["runs"]).state(&state).json().status(0).json_doc();
    let entry = listed["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["run_id"] == run_id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(entry["status"], "compensation_incomplete", "{listed:#}");
    assert_eq!(entry["left_to_undo"], 2, "{listed:#}");
    assert!(entry["next"]
        .as_str()
        .unwrap()
        .contains(&format!("rollbook resume {run_id}")));

    // Rerunning the command finishes the compensation from that list, running no step: the
    // database is exactly as before the run.
    let since = harness::oplog_now(&client).await;
    let finished = org_rename("apply", &db, &state, "acme", "acme_corp")
        .status(7)
        .json_doc();
    assert_eq!(finished["run_id"], run_id.as_str(), "{finished:#}");
    assert_eq!(finished["resumed"], true, "{finished:#}");
    assert_eq!(finished["error"]["code"], "COMPENSATED");
    assert_eq!(finished["error"]["cause"], report["error"]["cause"]);
    assert_eq!(
        finished["steps"].as_array().unwrap().len(),
        0,
        "{finished:#}"
    );
    let undone = finished["compensation"].as_array().unwrap();
    assert!(
        undone.len() == 2 && undone.iter().all(|u| u["ok"] == true),
        "{finished:#}"
    );
    assert_untouched(
        &client,
        &db,
        &original,
        "after the rerun finished the compensation",
    )
    .await;
    let run = record(&client).await;
    assert_eq!(run.get_str("status").unwrap(), "compensated");
    assert_eq!(left(&run), 0);
    // Only the new collection's drop was written to the target (the second undo found it gone).
    assert_eq!(harness::oplog_writes(&client, since, &[&db]).await, 1);
    // Nothing is left to finish: a rerun is a new run.
    let again = org_rename("apply", &db, &state, "acme", "acme_corp").run();
    assert_ne!(again.json_doc()["run_id"], run_id.as_str(), "{again}");
}

#[tokio::test]
async fn a_racing_duplicate_during_the_metadata_switch_is_compensated() {
    let client = harness::client().await;
    let (db, original, state) = seeded(&client, "org_race").await;
    let app = "org_race_app";
    // Slow the run down at `create` so a competing rename can take the name meanwhile.
    let failpoint = FailPoint::block_command(&client, app, &["create"], 2_000).await;
    let rename =
        org_rename("apply", &db, &state, "acme", "acme_corp").uri(&harness::uri_with_app(app));
    let child = rename
        .process()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while data::count(
        &client,
        &state,
        "journal",
        doc! {"kind": "create_collection", "phase": "start"},
    )
    .await
        == 0
    {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let racer = doc! {"organization_name": "acme_corp", "collection_name": "org_acme_corp_other"};
    client
        .database(&db)
        .collection::<Document>("organizations")
        .insert_one(racer.clone())
        .await
        .unwrap();
    let output = rename.outcome(child.wait_with_output().unwrap());
    drop(failpoint);
    let report = output.json_doc();
    assert_eq!(output.code, 7, "{report:#}");
    assert_eq!(
        report["error"]["cause"], "DUPLICATE_ACTIVE_RECORD",
        "{report:#}"
    );
    client
        .database(&db)
        .collection::<Document>("organizations")
        .delete_one(racer)
        .await
        .unwrap();
    assert_untouched(&client, &db, &original, "after the racing duplicate").await;
}

/// `$out` aggregations of a rollbook run on `db` running on the server now.
async fn copies_running(client: &Client, db: &str) -> usize {
    use futures_util::TryStreamExt;
    let pipeline = vec![
        doc! {"$currentOp": {"allUsers": true}},
        doc! {"$match": {"command.comment": {"$regex": format!("^rollbook {db} ")}, "command.pipeline.$out": {"$exists": true}}},
    ];
    let ops: Vec<Document> = client
        .database("admin")
        .aggregate(pipeline)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    ops.len()
}

#[tokio::test]
async fn sigkill_during_the_copy_of_a_large_organization_then_rerun_finishes_it() {
    let client = harness::client().await;
    let (db, _, state) = seeded(&client, "org_sigkill").await;
    // A large organization: 300k members, generated on the server.
    let pipeline = vec![
        doc! {"$documents": [{"a": {"$range": [0, 300]}}]},
        doc! {"$unwind": "$a"},
        doc! {"$set": {"b": {"$range": [0, 1000]}}},
        doc! {"$unwind": "$b"},
        doc! {"$project": {"_id": {"$add": [{"$multiply": ["$a", 1000]}, "$b"]}, "email": {"$concat": ["m", {"$toString": "$a"}, "-", {"$toString": "$b"}, "@big.example"]}, "team": "ops", "payload": "x".repeat(200)}},
        doc! {"$out": {"db": &db, "coll": "org_bigco"}},
    ];
    client.database(&db).aggregate(pipeline).await.unwrap();
    client.database(&db).run_command(doc! {"createIndexes": "org_bigco", "indexes": [{"key": {"email": 1}, "name": "email_unique", "unique": true}]}).await.unwrap();
    let organizations = client.database(&db).collection::<Document>("organizations");
    organizations.insert_one(doc! {"organization_name": "bigco", "collection_name": "org_bigco", "updated_at": mongodb::bson::DateTime::now()}).await.unwrap();
    let original = data::documents(&client, &db, "org_bigco").await;

    let rename = org_rename("apply", &db, &state, "bigco", "bigco_two");
    let mut child = rename
        .process()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed while its `$out` runs on the server, which goes on without it.
    let deadline = Instant::now() + Duration::from_secs(60);
    while copies_running(&client, &db).await == 0 {
        assert!(Instant::now() < deadline, "the copy never started");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let since = harness::oplog_now(&client).await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        copies_running(&client, &db).await > 0,
        "the killed run's copy still runs on the server"
    );

    // The rerun takes the lock over, stops that copy (`killOp`), waits for it, and finishes.
    let report = rename.status(0).json_doc();
    assert_eq!(report["resumed"], true, "{report:#}");
    // Only the rerun's copy landed: the killed run's `$out` never renamed its result in.
    let landed = client
        .database("local")
        .collection::<Document>("oplog.rs")
        .count_documents(doc! {"ts": {"$gt": since}, "op": "c", "o.renameCollection": {"$exists": true}, "o.to": format!("{db}.org_bigco_two")})
        .await
        .unwrap();
    assert_eq!(landed, 1, "copies renamed into org_bigco_two");
    let names = collections(&client, &db).await;
    let orgs: Vec<&String> = names.iter().filter(|n| n.starts_with("org_big")).collect();
    assert_eq!(orgs, ["org_bigco_two"], "orphans left: {names:?}");
    assert_eq!(
        data::documents(&client, &db, "org_bigco_two").await,
        original
    );
    let org = organizations
        .find_one(doc! {"organization_name": "bigco_two"})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(org.get_str("collection_name").unwrap(), "org_bigco_two");
}
