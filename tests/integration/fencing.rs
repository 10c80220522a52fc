//! One writer at a time, provably: an attempt that lost its lease writes nothing more, whatever
//! it was doing when it stopped.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};

use crate::data;
use crate::harness::{self, oplog_entries, oplog_now, oplog_writes, FailPoint, Run};

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

/// True while an insert sent by the client named `app` runs (or waits) on the server.
async fn inserting(client: &mongodb::Client, app: &str) -> bool {
    let running: Vec<Document> = client
        .database("admin")
        .aggregate(vec![
            doc! {"$currentOp": {"allUsers": true}},
            doc! {"$match": {"appName": app, "command.insert": {"$exists": true}}},
        ])
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    !running.is_empty()
}

/// A rollback of step 19 on 60k seeded orders whose snapshot is written slowly (each of its
/// inserts waits `block_ms` on the server), started and caught once a snapshot batch is stored.
struct SlowRollback {
    client: mongodb::Client,
    db: String,
    seed: String,
    state: String,
    first: Run,
    child: std::process::Child,
    slow: FailPoint,
}

impl SlowRollback {
    async fn start(name: &str, block_ms: i32) -> SlowRollback {
        let client = harness::client().await;
        let db = harness::fresh_db(&client, name).await;
        let seed = harness::fresh_db(&client, &format!("{name}_seed")).await;
        let state = harness::fresh_db(&client, &format!("{name}_state")).await;
        data::seed_earlybird(&client, &db, 60_000).await;
        data::clone_db(&client, &db, &seed).await;
        let app = format!("rollbook_{name}");
        let slow = FailPoint::block_command(&client, &app, &["insert"], block_ms).await;
        let first = rollback(&db, &state).uri(&harness::uri_with_app(&app));
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
        // Caught while its next insert waits on the server: the process is then between
        // writes, not between its check of the lease and the write that follows it (a pause
        // there sends that one write on waking; see the README's "Fencing").
        while !inserting(&client, &app).await {
            assert!(
                waiting.elapsed() < Duration::from_secs(90),
                "no insert of the first holder seen on the server"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        SlowRollback {
            client,
            db,
            seed,
            state,
            first,
            child,
            slow,
        }
    }
}

/// `rollback steps-19-30 --steps 19 --yes --output json` on `db`.
fn rollback(db: &str, state: &str) -> Run {
    Run::new(["rollback", "steps-19-30", "--steps", "19"])
        .yes()
        .db(db)
        .state(state)
        .json()
}

#[tokio::test]
async fn a_holder_paused_past_its_lease_writes_nothing_after_a_takeover_and_the_data_comes_back() {
    // Each insert of the first holder (its snapshot batches among them) waits on the server, so
    // its snapshot is written slowly enough to be stopped half-way.
    let SlowRollback {
        client,
        db,
        seed,
        state,
        first,
        child,
        slow,
    } = SlowRollback::start("fence_pause", 1_500).await;
    let rollback = || rollback(&db, &state);
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
    let written = oplog_entries(&client, since, &[&db, &state]).await;
    assert!(
        written.is_empty(),
        "the superseded attempt wrote after waking up: {written:#?}"
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

#[tokio::test]
async fn a_state_database_dropped_mid_run_stops_the_run_and_the_next_one_is_refused_until_accepted()
{
    // The snapshot is written slowly, so the state can be dropped while the run is under way.
    let SlowRollback {
        client,
        db,
        seed,
        state,
        first,
        child,
        slow,
    } = SlowRollback::start("fence_vanish", 1_000).await;
    let rollback = || rollback(&db, &state);
    let run_id = client
        .database(&state)
        .collection::<Document>("runs")
        .find_one(doc! {})
        .await
        .unwrap()
        .expect("the run's record")
        .get_str("_id")
        .unwrap()
        .to_owned();
    client.database(&state).drop().await.unwrap();
    let dropped = oplog_now(&client).await;

    // The run notices within a heartbeat and stops before its next write: the target is
    // untouched, and the run's record is not written again.
    let stopped = first.outcome(child.wait_with_output().unwrap());
    drop(slow);
    assert_eq!(stopped.code, 6, "{stopped}");
    let message = stopped.json_doc()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("vanished from the state database"),
        "{message}"
    );
    assert_eq!(oplog_writes(&client, dropped, &[&db]).await, 0);
    assert_eq!(data::count(&client, &state, "runs", doc! {}).await, 0);
    data::assert_same(&client, &db, &seed, &data::EARLYBIRD, "after the stop").await;

    // The next run meets the lock, which names the vanished run: refused, nothing written.
    let since = oplog_now(&client).await;
    let refused = rollback().status(11).json_doc();
    assert_eq!(refused["error"]["code"], "SESSION_STATE_CONFLICT");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("has no record of run {run_id}"))
            && message.contains("--accept-state"),
        "{message}"
    );
    assert_eq!(oplog_writes(&client, since, &[&db]).await, 0);

    // Accepting the state by hand (asked, then audited) lets runs go on.
    let accept = || {
        Run::new(["unlock", "steps-19-30", "--accept-state"])
            .db(&db)
            .state(&state)
            .json()
    };
    accept().status(5);
    let accepted = accept().yes().status(0).json_doc();
    assert_eq!(
        accepted["unlock"]["forgot"],
        run_id.as_str(),
        "{accepted:#}"
    );
    assert_eq!(
        data::count(
            &client,
            &state,
            "audit",
            doc! {"event": "state_accepted_by_hand", "run_id": &run_id}
        )
        .await,
        1
    );
    rollback().status(0);
    Run::new(["apply", "steps-19-30", "--steps", "19"])
        .yes()
        .db(&db)
        .state(&state)
        .json()
        .status(0);
    data::assert_same(&client, &db, &seed, &data::EARLYBIRD, "after forward").await;
}
