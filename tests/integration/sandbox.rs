//! `rollbook sandbox` and its demo data.

use mongodb::bson::{doc, Document};

use rollbook::runbook::model::Action;
use rollbook::sandbox::seed::{self, SeedTargets};

use crate::harness::{self, Run};

fn to_document(map: Option<&serde_json::Map<String, serde_json::Value>>) -> Document {
    map.map(|m| mongodb::bson::to_document(m).unwrap())
        .unwrap_or_default()
}

/// The documents an action would change, counted the way the seed's manual commands select them.
async fn would_change(db: &mongodb::Database, action: &Action) -> Option<u64> {
    let count = |collection: &str, filter: Document| {
        let collection = db.collection::<Document>(collection);
        async move { collection.count_documents(filter).await.unwrap() }
    };
    match action {
        Action::Unset(a) => {
            let has_any: Vec<Document> = a
                .fields
                .iter()
                .map(|f| doc! {f: {"$exists": true}})
                .collect();
            Some(
                count(
                    &a.collection,
                    doc! {"$and": [to_document(a.filter.as_ref()), {"$or": has_any}]},
                )
                .await,
            )
        }
        Action::Update(a) => Some(count(&a.collection, to_document(a.filter.as_ref())).await),
        Action::BackupToCollection(a) => {
            Some(count(&a.collection, to_document(a.filter.as_ref())).await)
        }
        Action::DropIndex(a) => {
            let names = db
                .collection::<Document>(&a.collection)
                .list_index_names()
                .await
                .unwrap();
            Some(u64::from(names.contains(&a.name)))
        }
        _ => None,
    }
}

#[tokio::test]
async fn seeded_data_gives_every_data_step_of_steps_19_30_something_to_change() {
    let client = harness::client().await;
    let targets = SeedTargets {
        earlybird: harness::fresh_db(&client, "seed_earlybird").await,
        master: harness::fresh_db(&client, "seed_master").await,
        tenants: vec![
            harness::fresh_db(&client, "seed_tenant_a").await,
            harness::fresh_db(&client, "seed_tenant_b").await,
        ],
    };
    let report = seed::seed(&client, &targets, 2_000).await.unwrap();
    assert!(report
        .collections
        .iter()
        .any(|(name, n)| name.ends_with(".orders") && *n == 2_000));

    let loaded =
        rollbook::runbook::load("steps-19-30", &harness::repo_root().join("runbooks")).unwrap();
    let db = client.database(&targets.earlybird);
    let mut data_steps = Vec::new();
    for step in &loaded.runbook.steps {
        let mut counted = false;
        for action in &step.rollback {
            if let Some(n) = would_change(&db, action).await {
                counted = true;
                assert!(
                    n > 0,
                    "step {}: {} on sandbox data would change nothing",
                    step.id,
                    action.kind()
                );
            }
        }
        if counted {
            data_steps.push(step.id.as_str());
        }
    }
    assert_eq!(data_steps, ["19", "20", "21", "22", "23", "25", "26", "30"]);

    // org-rename and tenant-restore have their data too.
    let master = client.database(&targets.master);
    let acme = master
        .collection::<Document>("organizations")
        .find_one(doc! {"organization_name": "acme"})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(acme.get_str("collection_name").unwrap(), "org_acme");
    assert!(
        master
            .collection::<Document>("org_acme")
            .count_documents(doc! {})
            .await
            .unwrap()
            > 0
    );
    assert_eq!(
        master
            .collection::<Document>("org_acme")
            .list_index_names()
            .await
            .unwrap()
            .len(),
        3
    );
    for tenant in &targets.tenants {
        let names = client
            .database(tenant)
            .list_collection_names()
            .await
            .unwrap();
        assert!(
            names.contains(&"menuitems".to_owned()) && names.contains(&"orders".to_owned()),
            "{tenant}: {names:?}"
        );
    }
}

#[test]
fn sandbox_up_status_down_manage_a_real_replica_set() {
    let dir = tempfile::tempdir().unwrap();
    // Without --uri: the sandbox is a server of its own.
    let sandbox = |args: &[&str]| {
        Run::new(["sandbox"])
            .args(args)
            .arg("--dir")
            .arg(dir.path())
            .no_uri()
    };
    let uri = sandbox(&["up"]).status(0).stdout.trim().to_owned();
    assert!(
        uri.starts_with("mongodb://127.0.0.1:") && uri.ends_with("replicaSet=rs0"),
        "{uri}"
    );
    let again = sandbox(&["up"]).status(0);
    assert_eq!(
        again.stdout.trim(),
        uri,
        "a second up reuses the running sandbox"
    );
    sandbox(&["status"]).status(0);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
        let hello = client
            .database("admin")
            .run_command(doc! {"hello": 1})
            .await
            .unwrap();
        assert_eq!(hello.get_str("setName").unwrap(), "rs0");
        let failpoints = client
            .database("admin")
            .run_command(doc! {"configureFailPoint": "failCommand", "mode": "off"})
            .await;
        assert!(
            failpoints.is_ok(),
            "failpoints are not enabled: {failpoints:?}"
        );
    });

    sandbox(&["down"]).status(0);
    // Nothing running is a setup outcome (CONNECTION_FAILED), not a failed action.
    let status = sandbox(&["status"]).status(12);
    assert!(status.stdout.contains("no sandbox"), "{status}");
    assert!(!dir.path().join("data").exists());
}

#[test]
fn seeding_refuses_a_non_loopback_uri_and_changes_nothing() {
    let refused = Run::new(["sandbox", "seed"])
        .uri("mongodb://db.prod.example:27017/")
        .status(2);
    assert!(
        refused.stderr.contains("only accepts a loopback URI"),
        "{refused}"
    );
}
