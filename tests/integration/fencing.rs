//! One writer at a time, provably: an attempt that lost its lease writes nothing more, whatever
//! it was doing when it stopped.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};

use crate::data;
use crate::harness::{self, oplog_now, oplog_writes, FailPoint, Run};

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name} {pid}");
}

/// The snapshot storage collections of the state database, with their document counts.
async fn storages(client: &mongodb::Client, state: &str) -> Vec<(String, u64)> {
    let db = client.database(state);
    let mut found = Vec::new();
    for name in db.list_collection_names().await.unwrap() {
        if name.starts_with("snapshot.") {
            let count = db
                .collection::<Document>(&name)
                .count_documents(doc! {})
                .await
                .unwrap();
            found.push((name, count));
        }
    }
    found.sort();
    found
}

#[tokio::test]
async fn a_holder_paused_past_its_lease_writes_nothing_after_a_takeover_and_the_data_comes_back() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "fence_pause").await;
    let seed = harness::fresh_db(&client, "fence_pause_seed").await;
    let state = harness::fresh_db(&client, "fence_pause_state").await;
    data::seed_earlybird(&client, &db, 60_000).await;
    data::clone_db(&client, &db, &seed).await;
    let app = "rollbook_fence_pause";
    // Each insert of the first holder (its snapshot batches among them) waits on the server, so
    // its snapshot is written slowly enough to be stopped half-way.
    let slow = FailPoint::block_command(&client, app, &["insert"], 1_500).await;
    let rollback = || {
        Run::new(["rollback", "steps-19-30", "--steps", "19"])
            .yes()
            .db(&db)
            .state(&state)
            .json()
    };
    let first = rollback().uri(&harness::uri_with_app(app));
    let mut process = first.process();
    process.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = process.spawn().unwrap();

    let waiting = Instant::now();
    while !storages(&client, &state).await.iter().any(|(_, n)| *n > 0) {
        assert!(
            waiting.elapsed() < Duration::from_secs(90),
            "no snapshot batch written"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    signal(child.id(), "STOP");
    let half = storages(&client, &state).await;
    drop(slow);

    // Its lease runs out; a second run then takes the lock over and finishes the rollback.
    let waiting = Instant::now();
    let second = loop {
        let output = rollback().run();
        if output.code != 6 {
            break output;
        }
        assert!(waiting.elapsed() < Duration::from_secs(90), "{output}");
        tokio::time::sleep(Duration::from_secs(2)).await;
    };
    assert_eq!(second.code, 0, "{second}");
    assert_eq!(second.json_doc()["resumed"], true, "{second}");

    // The paused holder wakes up: it finds itself superseded before its next write.
    let since = oplog_now(&client).await;
    signal(child.id(), "CONT");
    let woken = first.outcome(child.wait_with_output().unwrap());
    assert_eq!(woken.code, 6, "{woken}");
    let report = woken.json_doc();
    assert_eq!(report["error"]["code"], "CONCURRENT_UPDATE_DETECTED");
    assert!(
        report["error"]["message"]
            .as_str()
            .unwrap()
            .contains("lost its lock"),
        "{report:#}"
    );
    assert_eq!(
        oplog_writes(&client, since, &[&db, &state]).await,
        0,
        "the superseded attempt wrote after waking up"
    );

    // Its half-written storage is left as it was; the registered snapshot is the second
    // attempt's, in storage of its own.
    let snapshots: Vec<Document> = client
        .database(&state)
        .collection::<Document>("snapshots")
        .find(doc! {})
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(snapshots.len(), 1, "{snapshots:?}");
    let registered = snapshots[0].get_str("storage").unwrap().to_owned();
    assert!(registered.ends_with(".a2"), "{registered}");
    let after = storages(&client, &state).await;
    for (name, count) in &half {
        assert!(name.ends_with(".a1"), "{name}");
        let now = after.iter().find(|(n, _)| n == name).map(|(_, c)| *c);
        assert!(
            now >= Some(*count),
            "{name}: {count} batches before, {now:?} after"
        );
    }

    // Forward puts every value back from the second attempt's snapshot: byte for byte.
    Run::new(["apply", "steps-19-30", "--steps", "19"])
        .yes()
        .db(&db)
        .state(&state)
        .json()
        .status(0);
    data::assert_same(&client, &db, &seed, &data::EARLYBIRD, "after forward").await;
}
