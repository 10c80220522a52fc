//! The audit trail's hash chain: `audit verify` passes on what runs wrote, names an edited, a
//! deleted and an inserted entry (exit 3), and passes again once the trail is put back; two runs
//! appending at once to one state database leave one unbroken chain.

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};

use crate::data;
use crate::harness::{self, Run};

async fn entries(client: &mongodb::Client, state: &str) -> Vec<Document> {
    client
        .database(state)
        .collection::<Document>("audit")
        .find(doc! {})
        .sort(doc! {"seq": 1})
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap()
}

fn verify(state: &str, code: i32) -> serde_json::Value {
    Run::new(["audit", "verify"])
        .state(state)
        .json()
        .status(code)
        .json_doc()
}

#[tokio::test]
async fn audit_verify_names_an_edited_a_deleted_and_an_inserted_entry() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "audit_chain").await;
    let state = harness::fresh_db(&client, "audit_chain_state").await;
    data::seed_earlybird(&client, &db, 200).await;
    for command in ["rollback", "apply"] {
        Run::new([command, "steps-19-30", "--steps", "19"])
            .db(&db)
            .state(&state)
            .yes()
            .status(0);
    }
    let trail = entries(&client, &state).await;
    assert!(trail.len() >= 4, "{trail:?}");
    let verified = verify(&state, 0);
    assert_eq!(verified["entries"], trail.len(), "{verified:#}");
    assert_eq!(verified["head"]["seq"], trail.len(), "{verified:#}");
    assert_eq!(
        verified["head"]["hash"],
        trail.last().unwrap().get_str("hash").unwrap()
    );
    let audit = client.database(&state).collection::<Document>("audit");
    let second = trail[1].clone();
    let id = second.get("_id").unwrap().clone();

    // Edited: one field of entry 2 changed in place.
    audit
        .update_one(doc! {"_id": &id}, doc! {"$set": {"operator": "nobody"}})
        .await
        .unwrap();
    let broken = verify(&state, 3);
    assert_eq!(broken["error"]["code"], "VERIFY_FAILED", "{broken:#}");
    assert_eq!(broken["broken"]["seq"], 2, "{broken:#}");
    assert!(
        broken["broken"]["problem"]
            .as_str()
            .unwrap()
            .contains("edited"),
        "{broken:#}"
    );
    let human = Run::new(["audit", "verify"]).state(&state).status(3);
    assert!(human.stdout.contains("broken at entry 2"), "{human}");
    assert!(human.stderr.contains("nothing was changed"), "{human}");
    audit.replace_one(doc! {"_id": &id}, &second).await.unwrap();
    verify(&state, 0);

    // Deleted: entry 2 gone.
    audit.delete_one(doc! {"_id": &id}).await.unwrap();
    let broken = verify(&state, 3);
    assert_eq!(broken["broken"]["seq"], 2, "{broken:#}");
    assert!(
        broken["broken"]["problem"]
            .as_str()
            .unwrap()
            .contains("entry 2 is missing"),
        "{broken:#}"
    );
    audit.insert_one(&second).await.unwrap();
    verify(&state, 0);

    // Inserted: an approval nobody gave, written as a newest entry with a correct hash of its
    // own content but no link to the chain; and one without a number.
    let mut forged = trail.last().unwrap().clone();
    forged.remove("_id");
    forged.insert("seq", i64::try_from(trail.len()).unwrap() + 1);
    forged.insert("prev", "0".repeat(64));
    forged.insert("event", "approved");
    forged.insert("operator", "nobody");
    forged.remove("hash");
    let hash = hash_of(&forged);
    forged.insert("hash", hash);
    let inserted = audit.insert_one(&forged).await.unwrap().inserted_id;
    let broken = verify(&state, 3);
    assert_eq!(broken["broken"]["seq"], trail.len() + 1, "{broken:#}");
    assert!(
        broken["broken"]["problem"]
            .as_str()
            .unwrap()
            .contains("does not follow"),
        "{broken:#}"
    );
    audit.delete_one(doc! {"_id": inserted}).await.unwrap();
    audit
        .insert_one(
            doc! {"at": mongodb::bson::DateTime::now(), "event": "approved", "operator": "nobody"},
        )
        .await
        .unwrap();
    let broken = verify(&state, 3);
    assert!(
        broken["broken"]["problem"]
            .as_str()
            .unwrap()
            .contains("without a number (approved"),
        "{broken:#}"
    );
}

/// The entry's hash as rollbook makes it: SHA-256 of its BSON without `_id` and `hash`.
fn hash_of(entry: &Document) -> String {
    use sha2::Digest;
    let bytes = mongodb::bson::to_vec(entry).unwrap();
    hex::encode(sha2::Sha256::digest(&bytes))
}

#[tokio::test]
async fn two_runs_appending_at_once_leave_one_unbroken_chain() {
    let client = harness::client().await;
    let state = harness::fresh_db(&client, "audit_race_state").await;
    let mut dbs = Vec::new();
    for n in 0..2 {
        let db = harness::fresh_db(&client, &format!("audit_race_{n}")).await;
        data::seed_earlybird(&client, &db, 200).await;
        dbs.push(db);
    }
    let runs: Vec<_> = dbs
        .iter()
        .map(|db| {
            let run = Run::new(["rollback", "steps-19-30", "--steps", "20-19"])
                .db(db)
                .state(&state)
                .yes();
            std::thread::spawn(move || run.run())
        })
        .collect();
    for run in runs {
        let output = run.join().unwrap();
        assert_eq!(output.code, 0, "{output}");
    }
    let trail = entries(&client, &state).await;
    let verified = verify(&state, 0);
    assert_eq!(verified["entries"], trail.len(), "{verified:#}");
    let numbers: Vec<i64> = trail.iter().map(|e| e.get_i64("seq").unwrap()).collect();
    assert_eq!(
        numbers,
        (1..=i64::try_from(trail.len()).unwrap()).collect::<Vec<_>>()
    );
    let runs_in_trail: std::collections::BTreeSet<&str> = trail
        .iter()
        .filter_map(|e| e.get_str("run_id").ok())
        .collect();
    assert_eq!(runs_in_trail.len(), 2, "{trail:?}");
}
