//! The tenant-restore runbook (seeds 001 + 004): back up the current state, check the backup,
//! restore several tenants concurrently with drop semantics, verify counts and indexes; its
//! rollback brings back the state from before the restore; a failed tenant is resumed alone.

use std::path::Path;

use mongodb::bson::{doc, Document};
use mongodb::Client;

use crate::data;
use crate::harness::{self, FailPoint, Run};

const TENANT_COLLECTIONS: [&str; 3] = ["menuitems", "orders", "customers"];
const ACKS: [&str; 18] = [
    "--ack", "1", "--ack", "2", "--ack", "3", "--ack", "4", "--ack", "5", "--ack", "6", "--ack",
    "7", "--ack", "8", "--ack", "9",
];

struct Tenants {
    live: Vec<String>,
    glob: String,
    at_backup: Vec<String>,
    damaged: Vec<String>,
    backup: tempfile::TempDir,
    current: tempfile::TempDir,
    state: String,
}

/// Three tenants seeded, backed up (the "legacy" backup to restore), copied as they were, then
/// damaged (documents deleted and changed, an index dropped) and copied again.
async fn prepared(client: &Client, prefix: &str) -> Tenants {
    let names = ["one", "two", "three"];
    let mut live = Vec::new();
    for name in names {
        live.push(harness::fresh_db(client, &format!("{prefix}_{name}")).await);
    }
    let targets = rollbook::sandbox::seed::SeedTargets {
        earlybird: harness::fresh_db(client, &format!("{prefix}e")).await,
        master: harness::fresh_db(client, &format!("{prefix}m")).await,
        tenants: live.clone(),
    };
    rollbook::sandbox::seed::seed(client, &targets, 3_000)
        .await
        .unwrap();
    let backup = tempfile::tempdir().unwrap();
    let spec = rollbook::archive::DumpSpec {
        databases: live.clone(),
        collections: vec![],
        out: backup.path().to_path_buf(),
        gzip: true,
        parallel: 2,
    };
    rollbook::archive::dump(client, &spec).await.unwrap();
    let mut at_backup = Vec::new();
    let mut damaged = Vec::new();
    for (tenant, name) in live.iter().zip(names) {
        let copy = harness::fresh_db(client, &format!("{prefix}b_{name}")).await;
        data::clone_db(client, tenant, &copy).await;
        at_backup.push(copy);
        let db = client.database(tenant);
        db.collection::<Document>("orders")
            .delete_many(doc! {"status": "cancelled"})
            .await
            .unwrap();
        db.collection::<Document>("menuitems")
            .update_many(doc! {"category": "coffee"}, doc! {"$set": {"price": 1}})
            .await
            .unwrap();
        db.run_command(doc! {"dropIndexes": "menuitems", "index": "category_1"})
            .await
            .unwrap();
        let copy = harness::fresh_db(client, &format!("{prefix}d_{name}")).await;
        data::clone_db(client, tenant, &copy).await;
        damaged.push(copy);
    }
    Tenants {
        glob: format!("t_{prefix}_*"),
        live,
        at_backup,
        damaged,
        backup,
        current: tempfile::tempdir().unwrap(),
        // Not matched by the tenants' glob.
        state: harness::fresh_db(client, &format!("{prefix}state")).await,
    }
}

/// `rollbook COMMAND tenant-restore` of the tenants' backup, with its current state saved to
/// `current_dir`, unattended (`--yes --output json`), without acknowledging its checklist.
fn unacknowledged(tenants: &Tenants, command: &str, current_dir: &Path) -> Run {
    Run::new([command, "tenant-restore"])
        .args([
            "--param".into(),
            format!("backup={}", tenants.backup.path().display()),
        ])
        .args(["--param".into(), format!("tenants={}", tenants.glob)])
        .args([
            "--param".into(),
            format!("current_backup_dir={}", current_dir.display()),
        ])
        .yes()
        .json()
        .state(&tenants.state)
        // The run's own database, whose lock it takes: one per test, as tests run at once.
        .db(&format!("{}_home", tenants.state))
}

/// `rollbook COMMAND tenant-restore` with every manual step acknowledged.
fn restore(tenants: &Tenants, command: &str) -> Run {
    unacknowledged(
        tenants,
        command,
        &tenants.current.path().join("pre-restore"),
    )
    .args(ACKS)
}

async fn assert_tenants(client: &Client, tenants: &Tenants, expected: &[String], context: &str) {
    for (live, expected) in tenants.live.iter().zip(expected) {
        data::assert_same(client, live, expected, &TENANT_COLLECTIONS, context).await;
    }
}

#[tokio::test]
async fn restores_three_tenants_verifies_them_and_rollback_brings_back_the_state_before() {
    let client = harness::client().await;
    let tenants = prepared(&client, "trx").await;

    let report = restore(&tenants, "apply").status(0).json_doc();
    let step = |id: &str| {
        report["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        step("4")["actions"][0]["kind"],
        "dump",
        "the current state is backed up first"
    );
    assert_eq!(step("5")["actions"][0]["kind"], "restore");
    assert!(step("6")["actions"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("matches_backup"));
    assert!(tenants
        .current
        .path()
        .join("pre-restore")
        .join(&tenants.live[0])
        .is_dir());
    assert_tenants(&client, &tenants, &tenants.at_backup, "after the restore").await;

    restore(&tenants, "rollback").status(0);
    assert_tenants(
        &client,
        &tenants,
        &tenants.damaged,
        "after the restore's rollback",
    )
    .await;
}

#[tokio::test]
async fn without_acknowledgement_the_pre_restore_checklist_stops_the_run_before_any_change() {
    let client = harness::client().await;
    let tenants = prepared(&client, "trg").await;
    let report = unacknowledged(&tenants, "apply", &tenants.current.path().join("x"))
        .status(9)
        .json_doc();
    assert_eq!(
        report["steps"].as_array().unwrap().len(),
        1,
        "nothing after the checklist ran: {report:#}"
    );
    assert_tenants(
        &client,
        &tenants,
        &tenants.damaged,
        "after the unconfirmed checklist",
    )
    .await;
}

#[tokio::test]
async fn a_tenant_that_fails_to_restore_is_resumed_alone_and_the_others_are_kept() {
    let client = harness::client().await;
    let tenants = prepared(&client, "trf").await;
    let app = "tenant_fail_app";
    // The second tenant cannot create one of its temporary collections, so it fails and the
    // others restore (tenants restore concurrently, so a failpoint counting its times could
    // fail two of them at once).
    let two = "t_trf_two";
    let failpoint = FailPoint::fail_command_on(
        &client,
        app,
        &["create"],
        &format!("{two}.rollbook_tmp_menuitems"),
        2,
    )
    .await;
    let report = restore(&tenants, "apply")
        .uri(&harness::uri_with_app(app))
        .status(1)
        .json_doc();
    drop(failpoint);
    let message = report["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("not restored") && message.contains("rerun"),
        "{message}"
    );
    let restored_first =
        data::count(&client, &tenants.state, "journal", doc! {"phase": "tenant"}).await;
    assert_eq!(restored_first, 2, "{report:#}");

    let report = restore(&tenants, "apply").status(0).json_doc();
    assert_eq!(report["resumed"], true);
    let restore = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "5")
        .unwrap()["actions"][0]
        .clone();
    assert!(
        restore["detail"]
            .as_str()
            .unwrap()
            .contains("2 already restored"),
        "{restore}"
    );
    assert_eq!(
        data::count(&client, &tenants.state, "journal", doc! {"phase": "tenant"}).await,
        3
    );
    assert_tenants(
        &client,
        &tenants,
        &tenants.at_backup,
        "after resuming the failed tenant",
    )
    .await;
}
