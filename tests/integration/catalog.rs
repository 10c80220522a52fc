//! `list`, `show` and `validate` on the shipped runbooks (no server needed).

use crate::harness::Run;

/// `rollbook ARGS`, without `--uri`: these commands never connect.
fn offline(args: &[&str]) -> Run {
    Run::new(args).no_uri()
}

#[test]
fn validate_accepts_the_three_shipped_runbooks() {
    let json = offline(&["validate"]).json().status(0).json_doc();
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
    let json = offline(&["list"]).json().status(0).json_doc();
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

    let human = offline(&["list"]).status(0);
    assert!(
        human.stdout.contains("steps-19-30") && human.stdout.contains("billing"),
        "{human}"
    );
}

#[test]
fn show_gives_a_steps_prose_actions_and_gates() {
    let json = offline(&["show", "steps-19-30", "23"])
        .json()
        .status(0)
        .json_doc();
    let step = &json["steps"][0];
    assert_eq!(step["id"], "23");
    assert_eq!(step["approval"]["category"], "billing");
    assert!(step["rollback"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["unset"]["collection"] == "billing_records"));
    assert!(step["warnings"].to_string().contains("finance"));

    let json = offline(&["show", "steps-19-30", "29"])
        .json()
        .run()
        .json_doc();
    let step = &json["steps"][0];
    assert!(step["rollback_unsupported"]
        .as_str()
        .unwrap()
        .contains("UUID"));

    let human = offline(&["show", "steps-19-30", "30"]).status(0);
    assert!(
        human.stdout.contains("customer_id_1_delivery_date_-1"),
        "{human}"
    );
}

#[test]
fn unknown_runbook_or_step_is_a_usage_error_with_json() {
    let output = offline(&["show", "nope"]).json().status(2);
    let json = output.json_doc();
    assert_eq!(json["error"]["code"], "USAGE");
    assert_eq!(json["exit_code"], 2);
    assert!(
        output
            .stderr
            .contains("available: org-rename, steps-19-30, tenant-restore"),
        "{output}"
    );

    let output = offline(&["show", "steps-19-30", "31"]).status(2);
    assert!(output.stderr.contains("has no step \"31\""), "{output}");
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
        offline(&["validate"])
            .json()
            .arg(&path)
            .status(0)
            .json_doc()["runbooks"][0]["digest"]
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

#[test]
fn help_shows_a_commands_own_options_before_the_global_ones() {
    for (command, own) in [
        ("rollback", "--steps"),
        ("approve", "--reason"),
        ("snapshots prune", "--older-than"),
    ] {
        let mut args: Vec<&str> = command.split(' ').collect();
        args.push("--help");
        let help = offline(&args).status(0).stdout;
        let at = |text: &str| {
            help.find(text)
                .unwrap_or_else(|| panic!("{text} in {help}"))
        };
        assert!(
            at(own) < at("Global options:") && at("Global options:") < at("--state-db"),
            "{command}: {help}"
        );
    }
}

#[test]
fn new_writes_a_skeleton_that_validates_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let runbooks = dir.path().join("runbooks");
    let with_dir = |args: &[&str]| offline(args).arg("--runbooks").arg(&runbooks);
    let made = with_dir(&["new", "orders-archive", "--db", "shop"])
        .json()
        .status(0)
        .json_doc();
    let path = runbooks.join("orders-archive.yaml");
    assert_eq!(made["path"], path.display().to_string(), "{made:#}");
    with_dir(&["validate", "orders-archive"]).status(0);
    let shown = with_dir(&["show", "orders-archive"])
        .json()
        .status(0)
        .json_doc();
    assert_eq!(shown["runbook"]["database"], "shop", "{shown:#}");

    std::fs::write(&path, "# edited by hand\n").unwrap();
    with_dir(&["new", "orders-archive"]).status(2);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# edited by hand\n"
    );
    with_dir(&["new", "orders archive"]).status(2);
    assert!(!runbooks.join("orders archive.yaml").exists());
}

/// What a shell completing `words` (the last one being completed) is offered, by the bash
/// protocol of `source <(ROLLBOOK_COMPLETE=bash rollbook)`.
fn completions(words: &[&str]) -> Vec<String> {
    let output = Run::new(["--", "rollbook"])
        .args(words)
        .no_uri()
        .env("ROLLBOOK_COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", words.len().to_string())
        .env("_CLAP_IFS", "\n")
        .status(0);
    output.stdout.lines().map(str::to_owned).collect()
}

#[test]
fn shells_complete_runbook_ids_step_ids_and_parameter_names() {
    let offered = completions(&["plan", "st"]);
    assert_eq!(offered, ["steps-19-30"], "{offered:?}");
    let offered = completions(&["show", "o"]);
    assert_eq!(offered, ["org-rename"], "{offered:?}");
    let offered = completions(&["rollback", "steps-19-30", "--steps", "2"]);
    for step in ["20", "21", "25", "29"] {
        assert!(offered.iter().any(|o| o == step), "{offered:?}");
    }
    assert!(!offered.iter().any(|o| o == "19"), "{offered:?}");
    let offered = completions(&["rollback", "steps-19-30", "--steps", "30-2"]);
    assert!(offered.iter().any(|o| o == "30-23"), "{offered:?}");
    let offered = completions(&["apply", "org-rename", "--param", ""]);
    assert!(!offered.is_empty(), "{offered:?}");
    assert!(offered.iter().all(|o| o.ends_with('=')), "{offered:?}");
    // The registration script names the variable.
    let script = Run::new(Vec::<&str>::new())
        .no_uri()
        .env("ROLLBOOK_COMPLETE", "bash")
        .status(0);
    assert!(script.stdout.contains("ROLLBOOK_COMPLETE"), "{script}");
}
