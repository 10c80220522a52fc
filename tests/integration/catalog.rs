//! `list`, `show` and `validate` on the shipped runbooks.

use predicates::prelude::*;

use crate::harness::{rollbook, stdout_json};

#[test]
fn validate_accepts_the_three_shipped_runbooks() {
    let output = rollbook()
        .args(["validate", "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json = stdout_json(&output);
    let ids: Vec<&str> = json["runbooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["org-rename", "steps-19-30", "tenant-restore"]);
    for runbook in json["runbooks"].as_array().unwrap() {
        assert_eq!(runbook["valid"], true);
        assert!(runbook["digest"].as_str().unwrap().starts_with("sha256:"));
    }
}

#[test]
fn list_shows_steps_and_which_need_approval() {
    let output = rollbook()
        .args(["list", "--output", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let json = stdout_json(&output);
    let steps = json["runbooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "steps-19-30")
        .unwrap()["steps"]
        .as_array()
        .unwrap()
        .clone();
    let ids: Vec<&str> = steps.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30"]
    );
    let approval: Vec<(&str, &str)> = steps
        .iter()
        .filter(|s| !s["approval"].is_null())
        .map(|s| {
            (
                s["id"].as_str().unwrap(),
                s["approval"]["category"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        approval,
        [("21", "user_linking"), ("23", "billing"), ("24", "roles")]
    );
    let unsupported: Vec<&str> = steps
        .iter()
        .filter(|s| s["rollback_supported"] == false)
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(unsupported, ["29"]);

    rollbook()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("steps-19-30").and(predicate::str::contains("billing")));
}

#[test]
fn show_gives_a_steps_prose_actions_and_gates() {
    let output = rollbook()
        .args(["show", "steps-19-30", "23", "--output", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let json = stdout_json(&output);
    let step = &json["steps"][0];
    assert_eq!(step["id"], "23");
    assert_eq!(step["approval"]["category"], "billing");
    assert!(step["rollback"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["unset"]["collection"] == "billing_records"));
    assert!(step["warnings"].to_string().contains("finance"));

    let output = rollbook()
        .args(["show", "steps-19-30", "29", "--output", "json"])
        .output()
        .unwrap();
    let step = &stdout_json(&output)["steps"][0];
    assert!(step["rollback_unsupported"]
        .as_str()
        .unwrap()
        .contains("UUID"));

    rollbook()
        .args(["show", "steps-19-30", "30"])
        .assert()
        .success()
        .stdout(predicate::str::contains("customer_id_1_delivery_date_-1"));
}

#[test]
fn unknown_runbook_or_step_is_a_usage_error_with_json() {
    let output = rollbook()
        .args(["show", "nope", "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let json = stdout_json(&output);
    assert_eq!(json["error"]["code"], "USAGE");
    assert_eq!(json["exit_code"], 2);
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("available: org-rename, steps-19-30, tenant-restore"));

    rollbook()
        .args(["show", "steps-19-30", "31"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no step \"31\""));
}

#[test]
fn digest_ignores_formatting_and_changes_with_content() {
    let original =
        std::fs::read_to_string(crate::harness::repo_root().join("runbooks/steps-19-30.yaml"))
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let digest_of = |text: &str| {
        let path = dir.path().join("steps-19-30.yaml");
        std::fs::write(&path, text).unwrap();
        let output = rollbook()
            .args(["validate", "--output", "json"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout_json(&output)["runbooks"][0]["digest"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let base = digest_of(&original);
    assert_eq!(
        base,
        digest_of(&format!("# a comment\n\n{original}\n# trailing\n"))
    );
    let changed = original.replacen("subscription_id", "subscription_ref", 1);
    assert_ne!(base, digest_of(&changed));
}
