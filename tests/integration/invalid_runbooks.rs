//! Invalid runbooks are rejected with exit 2 and a message naming <file:line:col> and the problem.
//! Each case marks the line the error must point at with `# HERE`.

use crate::harness::Run;

const STEP_HEAD: &str = "
  - id: \"1\"
    title: Step one
    data_loss: {level: none}
    reversibility: {level: full}";

fn runbook(extra_top: &str, step_body: &str) -> String {
    format!("id: bad\ntitle: A runbook\ndatabase: shop\n{extra_top}steps:{STEP_HEAD}\n{step_body}")
}

fn unset(body: &str) -> String {
    runbook("", &format!("    rollback:\n      - unset:\n{body}"))
}

fn cases() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("yaml syntax", runbook("", "    rollback: [unset: {collection: orders\n  broken: ] # HERE\n"), "did not find expected"),
        ("unknown top-level key", runbook("databse: shop # HERE\n", "    forward: []\n"), "unknown field `databse`"),
        ("unknown action key", unset("          colection: orders # HERE\n          all_documents: true\n          fields: [x]\n"), "unknown field `colection`"),
        ("unknown action kind", runbook("", "    rollback:\n      - truncate: {collection: orders} # HERE\n"), "unknown variant `truncate`"),
        ("wrong type for atomic", runbook("atomic: maybe # HERE\n", "    forward: []\n"), "invalid type"),
        ("steps is not a list", "id: bad\ntitle: T\ndatabase: shop\nsteps: three # HERE\n".into(), "invalid type"),
        ("missing required title", "id: bad # HERE\ndatabase: shop\nsteps: []\n".into(), "missing field `title`"),
        (
            "duplicate step ids",
            runbook("", "    forward:\n      - manual: {instructions: do it}\n  - id: \"1\" # HERE\n    title: Again\n    data_loss: {level: none}\n    reversibility: {level: full}\n    forward:\n      - manual: {instructions: again}\n"),
            "duplicate step id \"1\"",
        ),
        ("undeclared parameter", unset("          collection: \"org_{{org}}\" # HERE\n          all_documents: true\n          fields: [x]\n"), "{{org}} is not a declared parameter"),
        ("undeclared parameter in a filter value", unset("          collection: orders\n          filter: {name: \"{{who}}\"} # HERE\n          fields: [x]\n"), "{{who}} is not a declared parameter"),
        (
            "default does not match its pattern",
            runbook("params:\n  - name: org\n    type: name\n    pattern: '[a-z]+'\n    default: Acme9 # HERE\n    description: organization\n", "    forward: []\n"),
            "does not match the pattern",
        ),
        (
            "pattern is not a regular expression",
            runbook("params:\n  - name: org\n    type: string\n    pattern: '[a-z' # HERE\n    description: organization\n", "    forward: []\n"),
            "invalid pattern",
        ),
        (
            "duplicate parameter",
            runbook("params:\n  - name: org\n    type: string\n    description: a\n  - name: org # HERE\n    type: string\n    description: b\n", "    forward: []\n"),
            "duplicate parameter \"org\"",
        ),
        (
            "shell action in a step that requires a transaction",
            runbook("", "    transaction: required\n    forward:\n      - shell: # HERE\n          run: systemctl restart app\n"),
            "requires a transaction, but a shell action cannot run inside one",
        ),
        ("filter matches everything without saying so", unset("          collection: orders\n          filter: {} # HERE\n          fields: [x]\n"), "all_documents: true"),
        ("no filter on a destructive update", runbook("", "    rollback:\n      - update: # HERE\n          collection: orders\n          update: {$set: {a: 1}}\n"), "matches every document"),
        ("system collection", unset("          collection: system.users # HERE\n          all_documents: true\n          fields: [x]\n"), "starts with \"system.\""),
        ("dollar in a collection name", unset("          collection: \"ord$ers\" # HERE\n          all_documents: true\n          fields: [x]\n"), "contains '$'"),
        ("empty collection name", unset("          collection: \"\" # HERE\n          all_documents: true\n          fields: [x]\n"), "collection name is empty"),
        ("unsafe database name", "id: bad\ntitle: T\ndatabase: shop.prod # HERE\nsteps:\n  - id: a\n    title: t\n    data_loss: {level: none}\n    reversibility: {level: full}\n    forward: [{manual: {instructions: x}}]\n".into(), "contains '.'"),
        ("id does not match the file name", "id: other # HERE\ntitle: T\ndatabase: shop\nsteps:\n  - id: a\n    title: t\n    data_loss: {level: none}\n    reversibility: {level: full}\n    forward: [{manual: {instructions: x}}]\n".into(), "does not match its file name"),
        ("parameter in a shell command", runbook("", "    forward:\n      - shell:\n          run: \"echo {{org}}\" # HERE\n"), "never substituted into commands"),
        ("server-side JavaScript in a filter", unset("          collection: orders\n          filter: {$where: \"sleep(1000)\"} # HERE\n          fields: [x]\n"), "$where runs JavaScript"),
        ("rollback and rollback_unsupported together", runbook("", "    rollback_unsupported: too risky # HERE\n    rollback:\n      - manual: {instructions: x}\n"), "cannot have rollback actions and declare"),
        ("update document without operators", runbook("", "    rollback:\n      - update:\n          collection: orders\n          all_documents: true\n          update: {status: PENDING} # HERE\n"), "is not an update operator"),
        ("step without actions", runbook("", "    time: 5 minutes\n").replace("  - id: \"1\"", "  - id: \"1\" # HERE"), "has no preconditions, forward or rollback actions"),
        ("unsetting _id", unset("          collection: orders\n          all_documents: true\n          fields: [_id] # HERE\n"), "_id cannot be changed"),
        ("bad index key direction", runbook("", "    forward:\n      - create_index:\n          collection: orders\n          keys: {user_id: 2} # HERE\n"), "must be 1, -1"),
        ("count with equals and min", runbook("", "    forward: [{manual: {instructions: x}}]\n    verify:\n      forward:\n        - count:\n            collection: orders\n            all_documents: true\n            equals: 1 # HERE\n            min: 0\n"), "either equals or min/max"),
        ("empty steps", "id: bad\ntitle: T\ndatabase: shop\nsteps: [] # HERE\n".into(), "at least one step"),
        ("a runbook aimed at admin", "id: bad\ntitle: T\ndatabase: admin # HERE\nsteps:\n  - id: a\n    title: t\n    data_loss: {level: none}\n    reversibility: {level: full}\n    forward: [{manual: {instructions: x}}]\n".into(), "the server's own"),
        ("an action aimed at local's oplog", runbook("", "    rollback:\n      - drop_collection:\n          database: local # HERE\n          collection: oplog.rs\n"), "the server's own"),
        ("a dump of config", runbook("", "    forward:\n      - dump:\n          databases: \"config\" # HERE\n          out: /tmp/x\n"), "the server's own"),
        ("an empty namespace segment", unset("          collection: orders..old # HERE\n          all_documents: true\n          fields: [x]\n"), "empty segment"),
        ("a trailing dot", unset("          collection: \"orders.\" # HERE\n          all_documents: true\n          fields: [x]\n"), "empty segment"),
        ("a zero-width character", unset("          collection: \"ord\\u200Bers\" # HERE\n          all_documents: true\n          fields: [x]\n"), "U+200B"),
        ("a bidirectional control", unset("          collection: \"\\u202Eorders\" # HERE\n          all_documents: true\n          fields: [x]\n"), "U+202E"),
        ("a control character", unset("          collection: \"ord\\ters\" # HERE\n          all_documents: true\n          fields: [x]\n"), "U+0009"),
        ("a name too long for the server", unset(&format!("          collection: {} # HERE\n          all_documents: true\n          fields: [x]\n", "o".repeat(250))), "255-byte namespace limit"),
        ("a computed value in set", runbook("", "    forward:\n      - set:\n          collection: users\n          all_documents: true\n          values:\n            display_name: {$concat: [\"$first\", \" \", \"$last\"]} # HERE\n"), "$concat is an aggregation expression"),
        ("a computed value in an update's $set", runbook("", "    forward:\n      - update:\n          collection: users\n          all_documents: true\n          update:\n            $set:\n              profile:\n                name: {$toUpper: \"$name\"} # HERE\n"), "$toUpper is an aggregation expression"),
        ("an unknown stage in a pipeline update", runbook("", "    forward:\n      - update:\n          collection: users\n          all_documents: true\n          update:\n            - $lookup: {from: x} # HERE\n"), "not a pipeline update stage"),
        ("a notify to an unknown target", runbook("notifications:\n  - {name: pager, command: [page]}\n", "    forward:\n      - notify:\n          to: [pagr] # HERE\n          message: hi\n"), "\"pagr\" is not one of the runbook's notifications"),
        ("a webhook URL written in the runbook", runbook("notifications:\n  - name: hook\n    webhook: {url_env: \"https://hooks.example.com/T0\"} # HERE\n", "    forward: [{manual: {instructions: x}}]\n"), "url_env names an environment variable"),
        ("a notification target of two kinds", runbook("notifications:\n  - name: hook # HERE\n    webhook: {url_env: HOOK}\n    command: [page]\n", "    forward: [{manual: {instructions: x}}]\n"), "exactly one of webhook, slack or command"),
        ("an unknown fact in a notify message", runbook("notifications:\n  - {name: pager, command: [page]}\n", "    forward:\n      - notify:\n          to: [pager]\n          message: \"{{host}} done\" # HERE\n"), "neither a declared parameter nor one of the run's facts"),
        ("rollbook's lock", unset("          collection: rollbook_lock # HERE\n          all_documents: true\n          fields: [x]\n"), "rollbook's lock"),
    ]
}

#[test]
fn invalid_runbooks_are_rejected_with_file_line_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    let cases = cases();
    assert!(cases.len() >= 15);
    let mut failures = Vec::new();
    for (name, text, message) in &cases {
        std::fs::write(&path, text).unwrap();
        let line = text
            .lines()
            .position(|l| l.contains("# HERE"))
            .map(|i| i + 1)
            .expect("case marks a line");
        let output = Run::new(["validate"]).arg(&path).no_uri().run();
        let stderr = &output.stderr;
        let location = format!("{}:{line}:", path.display());
        let located = stderr.lines().any(|l| {
            l.find(&location).is_some_and(|at| {
                l[at + location.len()..].starts_with(|c: char| c.is_ascii_digit())
            })
        });
        if output.code != 2
            || !located
            || !stderr.contains(message)
            || !stderr.contains("nothing was changed")
        {
            failures.push(format!(
                "case {name:?}: exit {}, expected {location}<col> and {message:?}; stderr:\n{stderr}",
                output.code
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn invalid_runbook_in_json_lists_each_problem_with_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(
        &path,
        unset("          collection: system.x\n          filter: {}\n          fields: [x]\n"),
    )
    .unwrap();
    let json = Run::new(["validate"])
        .arg(&path)
        .json()
        .no_uri()
        .status(2)
        .json_doc();
    assert_eq!(json["error"]["code"], "INVALID_RUNBOOK");
    let problems = json["runbooks"][0]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems
        .iter()
        .all(|p| p["line"].as_u64().unwrap() > 5 && p["column"].as_u64().is_some()));
}
