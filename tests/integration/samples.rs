//! Samples without personal data: a runbook's `redact` fields read `<redacted>` in every sample
//! a plan shows (terminal, JSON, saved plan file), and `--no-samples` shows none at all.

use mongodb::bson::{doc, Document};

use crate::harness::{self, oplog_entries, oplog_now, Run};

fn runbook(dir: &std::path::Path, redact: &str) -> std::path::PathBuf {
    let path = dir.join("nicknames.yaml");
    std::fs::write(
        &path,
        format!(
            "id: nicknames\ntitle: Drop nicknames\ndatabase: shop\nredact: {redact}\nsteps:\n  - id: \"1\"\n    title: Remove the nickname of every user\n    data_loss: {{level: none}}\n    reversibility: {{level: full}}\n    forward:\n      - unset: {{collection: users, all_documents: true, fields: [nickname]}}\n    rollback:\n      - restore_snapshot: {{collection: users, fields: [nickname]}}\n"
        ),
    )
    .unwrap();
    path
}

fn user(n: u32) -> Document {
    doc! {
        "_id": format!("u-{n}"),
        "email": format!("person{n}@example.com"),
        "nickname": format!("nick{n}"),
        "contacts": [{"email": format!("friend{n}@example.com"), "phone": format!("+47 555 0{n}")}],
        "profile": {"phone": format!("+47 666 0{n}"), "city": "Oslo"},
    }
}

#[tokio::test]
async fn redacted_fields_never_leave_the_server_in_a_plan_and_no_samples_shows_none() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "samples").await;
    let state = harness::fresh_db(&client, "samples_state").await;
    client
        .database(&db)
        .collection::<Document>("users")
        .insert_many((1..=4).map(user))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = runbook(dir.path(), "[email, profile.phone]");
    let plan = || {
        Run::new(["plan"])
            .arg(&path)
            .args(["--direction", "forward"])
            .db(&db)
            .state(&state)
    };
    let since = oplog_now(&client).await;
    let secret = |text: &str| {
        ["@example.com", "+47 666"]
            .iter()
            .find(|s| text.contains(**s))
            .map(|s| (*s).to_owned())
    };

    // JSON: the samples are there, their redacted fields masked, the others intact.
    let json = plan().json().status(0).json_doc();
    let sample = &json["steps"][0]["actions"][0]["samples"][0];
    assert_eq!(sample["before"]["_id"], "u-1", "{json:#}");
    assert_eq!(sample["before"]["email"], "<redacted>", "{json:#}");
    assert_eq!(sample["before"]["contacts"][0]["email"], "<redacted>");
    assert_eq!(sample["before"]["contacts"][0]["phone"], "+47 555 01");
    assert_eq!(sample["before"]["profile"]["phone"], "<redacted>");
    assert_eq!(sample["before"]["profile"]["city"], "Oslo");
    assert_eq!(sample["before"]["nickname"], "nick1");
    assert_eq!(sample["after"]["email"], "<redacted>", "{json:#}");
    assert!(sample["after"].get("nickname").is_none(), "{json:#}");
    let text = json.to_string();
    assert_eq!(secret(&text), None, "{text}");

    // The terminal view and a saved plan file hold none of it either.
    let human = plan().status(0);
    assert!(human.stdout.contains("_id \"u-1\": nickname"), "{human}");
    assert_eq!(secret(&human.stdout), None, "{human}");
    let saved = dir.path().join("p.json");
    plan().arg("--out").arg(&saved).status(0);
    let file = std::fs::read_to_string(&saved).unwrap();
    assert!(file.contains("<redacted>"), "{file}");
    assert_eq!(secret(&file), None, "{file}");

    // --no-samples: none at all, the counts still there.
    let json = plan().arg("--no-samples").json().status(0).json_doc();
    let action = &json["steps"][0]["actions"][0];
    assert_eq!(action["affected"], 4, "{json:#}");
    assert!(action.get("samples").is_none(), "{json:#}");
    let human = plan().arg("--no-samples").status(0);
    assert!(!human.stdout.contains("samples of"), "{human}");
    assert!(!human.stdout.contains("nick1"), "{human}");
    let saved = dir.path().join("none.json");
    plan()
        .arg("--no-samples")
        .arg("--out")
        .arg(&saved)
        .status(0);
    let file = std::fs::read_to_string(&saved).unwrap();
    assert!(!file.contains("nick1") && !file.contains("u-1"), "{file}");

    // Planning wrote nothing anywhere.
    assert!(oplog_entries(&client, since, &[&db, &state])
        .await
        .is_empty());
}

#[test]
fn a_redact_entry_that_is_not_a_field_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = runbook(dir.path(), "[email, \"$where\", \"profile..phone\"]");
    let output = Run::new(["validate"]).no_uri().arg(&path).status(2);
    for expected in [
        "redact[1]",
        "\"$where\" is not a field name or dotted path: it starts with `$`",
        "redact[2]",
        "it has an empty part between dots",
    ] {
        assert!(
            output.stderr.contains(expected) || output.stdout.contains(expected),
            "{expected}: {output}"
        );
    }
}
