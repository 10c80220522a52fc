//! The bad-input corpus: mutated runbooks, hostile parameters, corrupt backups, bad connection
//! strings and bad command lines, each run through the real binary against the test server.
//! Every case must exit with its documented code (with `--output json` carrying the error
//! code), say on stderr what was wrong, and write nothing: no oplog entry in the case's
//! databases, identical documents, and no file or directory created.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mongodb::bson::{doc, Document};
use mongodb::Client;

use crate::data;
use crate::harness::{self, oplog_now, oplog_writes, Run};

/// A password put into connection strings; it must never be printed.
const SECRET: &str = "S3cretPw0rd";

/// Acknowledgements for every manual step of tenant-restore.
const ACKS: [&str; 18] = [
    "--ack", "1", "--ack", "2", "--ack", "3", "--ack", "4", "--ack", "5", "--ack", "6", "--ack",
    "7", "--ack", "8", "--ack", "9",
];

/// One bad input and how it must be refused.
struct Case {
    name: String,
    args: Vec<String>,
    exit: i32,
    /// `error.code` of the `--output json` document.
    code: &'static str,
    /// Substrings stderr must contain: what was wrong, and where.
    says: Vec<String>,
    /// Stderr must also say that nothing was changed.
    unchanged: bool,
    /// Paths that must not exist afterwards.
    absent: Vec<PathBuf>,
    /// The case passes its own `--uri`.
    own_uri: bool,
    /// The run starts (and is recorded in the state database) before the input is found bad;
    /// only the target databases must stay untouched.
    records_run: bool,
}

fn case(name: &str, args: &[&str], exit: i32, code: &'static str, says: &[&str]) -> Case {
    Case {
        name: name.to_owned(),
        args: args.iter().map(|&a| a.to_owned()).collect(),
        exit,
        code,
        says: says.iter().map(|&s| s.to_owned()).collect(),
        unchanged: false,
        absent: Vec::new(),
        own_uri: false,
        records_run: false,
    }
}

impl Case {
    fn unchanged(mut self) -> Self {
        self.unchanged = true;
        self
    }

    fn absent(mut self, path: &Path) -> Self {
        self.absent.push(path.to_path_buf());
        self
    }

    fn own_uri(mut self) -> Self {
        self.own_uri = true;
        self
    }

    fn records_run(mut self) -> Self {
        self.records_run = true;
        self
    }

    fn with(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|&a| a.to_owned()));
        self
    }
}

/// Where a category's cases may not write, and which collections must keep their documents.
struct Guarded {
    targets: Vec<String>,
    state: String,
    compared: Vec<(String, Vec<&'static str>)>,
}

/// What became of one case.
struct Outcome {
    line: String,
    failure: Option<String>,
    wrote: bool,
}

async fn contents(client: &Client, guarded: &Guarded) -> Vec<Vec<Vec<u8>>> {
    let mut all = Vec::new();
    for (db, collections) in &guarded.compared {
        for collection in collections {
            all.push(data::documents(client, db, collection).await);
        }
    }
    all
}

/// Runs every case of a category and checks exit code, JSON error code, stderr, secrets,
/// absent paths, the oplog and the documents.
async fn run_cases(category: &str, cases: Vec<Case>, guarded: &Guarded) -> Vec<Outcome> {
    let client = harness::client().await;
    let mut outcomes = Vec::new();
    for case in cases {
        let before = contents(&client, guarded).await;
        let since = oplog_now(&client).await;
        let mut rollbook = Run::new(&case.args).json();
        if case.own_uri {
            rollbook = rollbook.no_uri();
        }
        let output = tokio::task::spawn_blocking(move || rollbook.run())
            .await
            .unwrap();
        let (code, stdout, stderr) = (output.code, output.stdout, output.stderr);
        let mut problems = Vec::new();
        if code != case.exit {
            problems.push(format!("exit {code}, expected {}", case.exit));
        }
        match serde_json::from_str::<serde_json::Value>(&stdout) {
            Ok(json) if json["error"]["code"] == case.code => {}
            Ok(json) => problems.push(format!(
                "error code {}, expected {}",
                json["error"]["code"], case.code
            )),
            Err(e) => problems.push(format!("stdout is not one JSON document: {e}")),
        }
        for expected in &case.says {
            if !stderr.contains(expected.as_str()) {
                problems.push(format!("stderr does not say {expected:?}"));
            }
        }
        if case.unchanged && !stderr.contains("nothing was changed") {
            problems.push("stderr does not say that nothing was changed".into());
        }
        for raw in ["Topology", "RawDocumentBuf", "labels: {"] {
            if stdout.contains(raw) || stderr.contains(raw) {
                problems.push(format!("the output holds the driver's raw {raw:?}"));
            }
        }
        if stdout.contains(SECRET) || stderr.contains(SECRET) {
            problems.push("the password of the connection string was printed".into());
        }
        for path in &case.absent {
            if path.exists() {
                problems.push(format!("{} was created", path.display()));
            }
        }
        // Let the oplog's visible point pass any write the process made before it exited.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut watched: Vec<&str> = guarded.targets.iter().map(String::as_str).collect();
        if !case.records_run {
            watched.push(&guarded.state);
        }
        let writes = oplog_writes(&client, since, &watched).await;
        let changed = contents(&client, guarded).await != before;
        if writes > 0 {
            problems.push(format!("{writes} oplog entries in {}", watched.join(", ")));
        }
        if changed {
            problems.push("documents changed".into());
        }
        let verdict = if problems.is_empty() { "ok" } else { "FAILED" };
        outcomes.push(Outcome {
            line: format!("{category:<9} {:<58} exit {code:<3} {verdict}", case.name),
            failure: (!problems.is_empty()).then(|| {
                format!(
                    "{category} / {}: {}\n  args: {:?}\n  stderr: {}",
                    case.name,
                    problems.join("; "),
                    case.args,
                    stderr.trim_end().replace('\n', "\n          ")
                )
            }),
            wrote: writes > 0 || changed || case.absent.iter().any(|p| p.exists()),
        });
    }
    outcomes
}

/// The shipped runbook `id` with the `nth` occurrence of `from` replaced by `to`. Panics
/// when there is no such occurrence: a mutation must change something.
fn mutated(id: &str, from: &str, to: &str, nth: usize) -> String {
    let source =
        std::fs::read_to_string(harness::repo_root().join(format!("runbooks/{id}.yaml"))).unwrap();
    let (at, _) = source
        .match_indices(from)
        .nth(nth)
        .unwrap_or_else(|| panic!("{id}.yaml has no occurrence {nth} of {from:?}"));
    format!("{}{to}{}", &source[..at], &source[at + from.len()..])
}

/// Writes `text` as `DIR/<n>/<file>` and returns the path as a string.
fn write_file(dir: &Path, n: usize, file: &str, text: &[u8]) -> String {
    let folder = dir.join(n.to_string());
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join(file);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn fixtures() -> PathBuf {
    harness::repo_root().join("tests/fixtures/mongodump")
}

/// Mutations of the shipped runbooks, run through plan, apply, rollback and verify.
async fn mutated_runbooks(client: &Client, dir: &Path) -> (Vec<Case>, Guarded) {
    let db = harness::fresh_db(client, "bad_input_runbooks").await;
    let state = harness::fresh_db(client, "bad_input_runbooks_state").await;
    data::seed_earlybird(client, &db, 300).await;
    let master = format!("{db}_m");
    let pre = dir.join("pre-restore");

    // (name, runbook id, from, to, nth, command, expected message)
    let mutations: Vec<(&str, &str, &str, &str, usize, &str, &str)> = vec![
        ("yaml syntax error: unclosed flow sequence", "steps-19-30", "fields: [subscription_id]", "fields: [subscription_id", 1, "rollback", "steps-19-30.yaml:"),
        ("yaml syntax error: bad indentation", "steps-19-30", "    title: Remove order_id", "      title: Remove order_id", 0, "plan-rollback", "steps-19-30.yaml:"),
        ("unknown step key", "steps-19-30", "    time: \"<5 seconds\"", "    tiem: \"<5 seconds\"", 0, "plan-rollback", "unknown field `tiem`"),
        ("unknown action kind", "steps-19-30", "      - unset:", "      - truncate:", 0, "rollback", "unknown variant `truncate`"),
        ("wrong type: all_documents is a string", "steps-19-30", "          all_documents: true", "          all_documents: \"yes please\"", 0, "rollback", "invalid type"),
        ("wrong type: fields is a number", "steps-19-30", "fields: [order_id]", "fields: 42", 1, "rollback", "invalid type"),
        ("duplicate step id", "steps-19-30", "  - id: \"20\"", "  - id: \"19\"", 0, "rollback", "duplicate step id \"19\""),
        ("missing step title", "steps-19-30", "    title: Remove subscription_id from orders\n", "", 0, "apply", "missing field `title`"),
        ("missing data_loss", "steps-19-30", "    data_loss:\n      level: none\n      detail: None - removing unused field\n", "", 0, "plan-forward", "missing field `data_loss`"),
        ("step without actions", "steps-19-30", "    forward:\n      - restore_snapshot:\n          collection: orders\n          fields: [subscription_id]\n    rollback:\n      - unset:\n          collection: orders\n          all_documents: true\n          fields: [subscription_id]\n", "", 0, "rollback", "has no preconditions, forward or rollback actions"),
        ("unset without a filter or all_documents", "steps-19-30", "          all_documents: true\n", "", 0, "rollback", "matches every document"),
        ("empty filter without all_documents: true", "steps-19-30", "          all_documents: true\n", "          filter: {}\n", 0, "rollback", "all_documents: true"),
        ("$where in an update filter", "steps-19-30", "          filter: {status: DELIVERED}\n          update:", "          filter: {$where: \"this.status == 'DELIVERED'\"}\n          update:", 0, "rollback", "$where runs JavaScript"),
        ("$where nested in $or of a backup filter", "steps-19-30", "          filter: {status: DELIVERED}\n          to:", "          filter: {$or: [{status: DELIVERED}, {$where: \"true\"}]}\n          to:", 0, "plan-rollback", "$where runs JavaScript"),
        ("$function in $expr", "steps-19-30", "          filter: {status: DELIVERED}\n          update:", "          filter: {$expr: {$function: {body: \"function() { return true; }\", args: [], lang: js}}}\n          update:", 0, "rollback", "$function"),
        ("$accumulator in $expr", "steps-19-30", "          filter: {status: DELIVERED}\n          update:", "          filter: {$expr: {$accumulator: {init: \"function() { return 0; }\", accumulate: \"function(s) { return s; }\", accumulateArgs: [], merge: \"function(a) { return a; }\", lang: js}}}\n          update:", 0, "rollback", "$accumulator"),
        ("system collection", "steps-19-30", "          collection: orders\n          all_documents: true", "          collection: system.profile\n          all_documents: true", 0, "rollback", "starts with \"system.\""),
        ("collection name with $", "steps-19-30", "          collection: orders\n          all_documents: true", "          collection: \"ord$ers\"\n          all_documents: true", 0, "rollback", "contains '$'"),
        ("empty collection name", "steps-19-30", "          collection: orders\n          all_documents: true", "          collection: \"\"\n          all_documents: true", 0, "apply", "collection name is empty"),
        ("collection name with NUL", "steps-19-30", "          collection: orders\n          all_documents: true", "          collection: \"ord\\0ers\"\n          all_documents: true", 0, "rollback", "NUL"),
        ("unsafe runbook database name", "steps-19-30", "database: earlybird", "database: earlybird.prod", 0, "verify", "contains '.'"),
        ("runbook id does not match its file name", "steps-19-30", "id: steps-19-30", "id: steps-19-31", 0, "rollback", "does not match its file name"),
        ("update document without operators", "steps-19-30", "            \"$unset\": {delivered_at: \"\", delivery_confirmed: \"\"}\n            \"$set\": {status: PENDING}", "            status: PENDING", 0, "rollback", "is not an update operator"),
        ("unsetting _id", "steps-19-30", "fields: [billed]", "fields: [_id]", 1, "rollback", "_id cannot be changed"),
        ("undeclared parameter", "org-rename", "\"org_{{new_name}}\"", "\"org_{{newname}}\"", 0, "apply", "{{newname}} is not a declared parameter"),
        ("parameter pattern is not a regular expression", "org-rename", "pattern: '[a-z0-9][a-z0-9_-]*'", "pattern: '[a-z0-9'", 0, "plan-forward", "invalid pattern"),
        ("parameter default with NUL", "org-rename", "    max_length: 50\n", "    max_length: 50\n    default: \"ac\\0me\"\n", 0, "apply", "NUL"),
        ("atomic is not a boolean", "org-rename", "atomic: true", "atomic: maybe", 0, "apply", "invalid type"),
        ("unknown parameter type", "org-rename", "    type: name\n", "    type: nmae\n", 0, "rollback", "unknown variant `nmae`"),
        ("duplicate parameter", "org-rename", "  - name: new_name", "  - name: org", 0, "apply", "duplicate parameter \"org\""),
        ("parameter interpolated into a shell command", "tenant-restore", "run: 'pm2 stop all && pm2 list'", "run: 'pm2 stop {{tenants}}'", 0, "apply", "never substituted into commands"),
        ("shell action in a step that requires a transaction", "tenant-restore", "    time: 5 minutes\n    forward:", "    time: 5 minutes\n    transaction: required\n    forward:", 0, "apply", "cannot run inside one"),
        ("restore drop is not a boolean", "tenant-restore", "          drop: true", "          drop: sometimes", 0, "rollback", "invalid type"),
    ];
    let mut cases = Vec::new();
    for (n, (name, id, from, to, nth, command, message)) in mutations.into_iter().enumerate() {
        let path = write_file(
            dir,
            n,
            &format!("{id}.yaml"),
            mutated(id, from, to, nth).as_bytes(),
        );
        let mut args: Vec<&str> = match command {
            "plan-forward" => vec!["plan", &path, "--direction", "forward"],
            "plan-rollback" => vec!["plan", &path, "--direction", "rollback"],
            "verify" => vec!["verify", &path],
            "apply" => vec!["apply", &path, "--yes"],
            _ => vec!["rollback", &path, "--yes"],
        };
        let (backup, tenants, current) = (
            format!("backup={}", fixtures().join("plain").display()),
            format!("tenants={db}"),
            format!("current_backup_dir={}", pre.display()),
        );
        match id {
            "org-rename" => {
                args.extend(["--db", &master]);
                args.extend(["--param", "org=acme", "--param", "new_name=acme2"]);
            }
            "tenant-restore" => {
                args.extend(["--param", &backup, "--param", &tenants]);
                args.extend(["--param", &current]);
                args.extend(ACKS);
            }
            _ => args.extend(["--db", &db]),
        }
        args.extend(["--state-db", &state]);
        let says = [message, path.as_str()];
        cases.push(
            case(name, &args, 2, "INVALID_RUNBOOK", &says)
                .unchanged()
                .absent(&pre),
        );
    }
    let state_args = ["--db", db.as_str(), "--state-db", state.as_str()];
    let empty = write_file(dir, 100, "steps-19-30.yaml", b"");
    let list = write_file(dir, 101, "steps-19-30.yaml", b"- id: a\n- id: b\n");
    let garbage = write_file(
        dir,
        102,
        "steps-19-30.yaml",
        &[0xff, 0xfe, 0x00, 0x9c, 0x42, 0x00],
    );
    let missing = dir.join("103/steps-19-30.yaml");
    cases.extend([
        case(
            "empty runbook file",
            &["rollback", &empty, "--yes"],
            2,
            "INVALID_RUNBOOK",
            &[&empty],
        )
        .with(&state_args)
        .unchanged(),
        case(
            "runbook is a list, not a mapping",
            &["plan", &list, "--direction", "rollback"],
            2,
            "INVALID_RUNBOOK",
            &[&list, "not a runbook: a runbook is a YAML mapping"],
        )
        .with(&state_args)
        .unchanged(),
        case(
            "runbook file is binary garbage",
            &["apply", &garbage, "--yes"],
            2,
            "INVALID_RUNBOOK",
            &[&garbage],
        )
        .with(&state_args)
        .unchanged(),
        case(
            "runbook file does not exist",
            &["rollback", path_str(&missing), "--yes"],
            2,
            "USAGE",
            &[path_str(&missing)],
        )
        .with(&state_args),
    ]);
    let guarded = Guarded {
        targets: vec![db.clone(), master.clone()],
        state,
        compared: vec![
            (
                db,
                vec!["orders", "delivery_statuses", "users", "billing_records"],
            ),
            (master, vec!["organizations", "org_acme"]),
        ],
    };
    (cases, guarded)
}

/// Hostile values for the shipped runbooks' parameters.
async fn hostile_parameters(client: &Client, dir: &Path) -> (Vec<Case>, Guarded) {
    let master = harness::fresh_db(client, "bad_input_params").await;
    let tenant = harness::fresh_db(client, "bad_input_params_tenant").await;
    let earlybird = harness::fresh_db(client, "bad_input_params_e").await;
    let state = harness::fresh_db(client, "bad_input_params_state").await;
    let targets = rollbook::sandbox::seed::SeedTargets {
        earlybird: earlybird.clone(),
        master: master.clone(),
        tenants: vec![tenant.clone()],
    };
    rollbook::sandbox::seed::seed(client, &targets, 300)
        .await
        .unwrap();
    let pre = dir.join("pre-restore");
    let long = "x".repeat(10_000);
    let long_param = format!("new_name={long}");
    let too_long_name = format!("new_name={}", "a".repeat(51));
    let org = |command: &str| -> Vec<String> {
        let mut args: Vec<String> = match command {
            "plan" => vec!["plan", "org-rename", "--direction", "forward"],
            "rollback" => vec!["rollback", "org-rename", "--yes"],
            _ => vec!["apply", "org-rename", "--yes"],
        }
        .into_iter()
        .map(str::to_owned)
        .collect();
        args.extend(["--db", &master, "--state-db", &state].map(str::to_owned));
        args
    };
    // (name, command, parameters, parameter named in the message, expected message)
    let renames: Vec<(&str, &str, Vec<&str>, &str, &str)> = vec![
        (
            "org-rename: empty org",
            "apply",
            vec!["org=", "new_name=acme2"],
            "org",
            "shorter than 3 characters",
        ),
        (
            "org-rename: empty new_name",
            "plan",
            vec!["org=acme", "new_name="],
            "new_name",
            "shorter than 3 characters",
        ),
        (
            "org-rename: new_name of 10,000 characters",
            "apply",
            vec!["org=acme", &long_param],
            "new_name",
            "10000 characters long",
        ),
        (
            "org-rename: new_name of 51 characters",
            "apply",
            vec!["org=acme", &too_long_name],
            "new_name",
            "at most 50",
        ),
        (
            "org-rename: new_name with $",
            "apply",
            vec!["org=acme", "new_name=ac$me"],
            "new_name",
            "contains '$'",
        ),
        (
            "org-rename: new_name starting with system.",
            "apply",
            vec!["org=acme", "new_name=system.users"],
            "new_name",
            "which no name may contain",
        ),
        (
            "org-rename: new_name starting with system",
            "rollback",
            vec!["org=acme", "new_name=systemwide"],
            "new_name",
            "starts with \"system\"",
        ),
        (
            "org-rename: new_name with a dot",
            "apply",
            vec!["org=acme", "new_name=acme.old"],
            "new_name",
            "contains '.'",
        ),
        (
            "org-rename: new_name with a newline",
            "apply",
            vec!["org=acme", "new_name=ac\nme"],
            "new_name",
            "does not match the pattern",
        ),
        (
            "org-rename: org with path traversal",
            "apply",
            vec!["org=../../etc", "new_name=acme2"],
            "org",
            "which no name may contain",
        ),
        (
            "org-rename: new_name '; rm -rf /'",
            "apply",
            vec!["org=acme", "new_name=x; rm -rf /"],
            "new_name",
            "which no name may contain",
        ),
        (
            "org-rename: new_name '$(id)'",
            "plan",
            vec!["org=acme", "new_name=$(id)"],
            "new_name",
            "contains '$'",
        ),
        (
            "org-rename: new_name with backticks",
            "apply",
            vec!["org=acme", "new_name=`id`"],
            "new_name",
            "does not match the pattern",
        ),
        (
            "org-rename: new_name with a pipe",
            "apply",
            vec!["org=acme", "new_name=acme|sh"],
            "new_name",
            "contains '|'",
        ),
        (
            "org-rename: org in upper case",
            "rollback",
            vec!["org=ACME", "new_name=acme2"],
            "org",
            "does not match the pattern",
        ),
        (
            "org-rename: undeclared parameter",
            "apply",
            vec!["org=acme", "new_name=acme2", "tenant=acme"],
            "tenant",
            "not declared by this runbook",
        ),
        (
            "org-rename: parameter with an empty name",
            "apply",
            vec!["org=acme", "new_name=acme2", "=acme"],
            "",
            "parameter name is empty",
        ),
        (
            "org-rename: duplicate parameter",
            "apply",
            vec!["org=acme", "new_name=acme2", "new_name=globex2"],
            "new_name",
            "given twice",
        ),
        (
            "org-rename: required parameter missing",
            "apply",
            vec!["org=acme"],
            "new_name",
            "required; pass --param new_name=VALUE",
        ),
    ];
    let mut cases = Vec::new();
    for (name, command, params, param, message) in renames {
        let mut args = org(command);
        for param in params {
            args.extend(["--param".to_owned(), param.to_owned()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        if param.is_empty() {
            // Refused by the command-line parser.
            cases.push(case(name, &args, 2, "USAGE", &[message]));
        } else {
            let named = format!("invalid parameter {param}");
            cases.push(case(name, &args, 2, "INVALID_PARAM", &[&named, message]).unchanged());
        }
    }
    cases.push(case(
        "org-rename: --param without '='",
        &org("apply")
            .iter()
            .map(String::as_str)
            .chain(["--param", "org=acme", "--param", "new_name"])
            .collect::<Vec<_>>(),
        2,
        "USAGE",
        &["expected NAME=VALUE", "\"new_name\""],
    ));

    let backup = fixtures().join("plain");
    let good = [
        ("backup", backup.to_str().unwrap().to_owned()),
        ("tenants", tenant.clone()),
        ("current_backup_dir", pre.to_str().unwrap().to_owned()),
    ];
    let long_tenants = "t".repeat(10_000);
    // (name, parameter, hostile value, expected message)
    let restores: Vec<(&str, &str, &str, &str)> = vec![
        (
            "tenant-restore: backup with path traversal",
            "backup",
            "../../etc",
            "contains '..'",
        ),
        (
            "tenant-restore: backup with a newline",
            "backup",
            "/backups/a\nb",
            "control character",
        ),
        (
            "tenant-restore: empty backup",
            "backup",
            "",
            "path is empty",
        ),
        (
            "tenant-restore: current_backup_dir with path traversal",
            "current_backup_dir",
            "backups/../../tmp/x",
            "contains '..'",
        ),
        (
            "tenant-restore: tenants with $",
            "tenants",
            "superkafe_$x",
            "contains '$'",
        ),
        (
            "tenant-restore: tenants '; rm -rf /'",
            "tenants",
            "x; rm -rf /",
            "contains ' '",
        ),
        (
            "tenant-restore: tenants with an empty entry",
            "tenants",
            "a,,b",
            "has an empty entry",
        ),
        (
            "tenant-restore: tenants system.js",
            "tenants",
            "system.js",
            "contains '.'",
        ),
        (
            "tenant-restore: tenants of 10,000 characters",
            "tenants",
            &long_tenants,
            "10000 characters long",
        ),
        (
            "tenant-restore: health_url not http",
            "health_url",
            "javascript:alert(1)",
            "does not match the pattern",
        ),
        (
            "tenant-restore: health_url with a backtick command",
            "health_url",
            "http://h/ `id`",
            "does not match the pattern",
        ),
    ];
    for (name, param, value, message) in restores {
        let mut args = vec!["apply", "tenant-restore", "--yes", "--state-db", &state];
        args.extend(ACKS);
        let mut assignments: Vec<String> = good
            .iter()
            .filter(|(p, _)| *p != param)
            .map(|(p, v)| format!("{p}={v}"))
            .collect();
        assignments.push(format!("{param}={value}"));
        for assignment in &assignments {
            args.extend(["--param", assignment]);
        }
        let named = format!("invalid parameter {param}");
        cases.push(
            case(name, &args, 2, "INVALID_PARAM", &[&named, message])
                .unchanged()
                .absent(&pre),
        );
    }
    let mut twice = vec!["apply", "tenant-restore", "--yes", "--state-db", &state];
    twice.extend(ACKS);
    let assignments: Vec<String> = good.iter().map(|(p, v)| format!("{p}={v}")).collect();
    for assignment in &assignments {
        twice.extend(["--param", assignment]);
    }
    twice.extend(["--param", "backup=/backups/other"]);
    cases.push(
        case(
            "tenant-restore: backup given twice",
            &twice,
            2,
            "INVALID_PARAM",
            &["invalid parameter backup", "given twice"],
        )
        .unchanged()
        .absent(&pre),
    );
    cases.push(
        case(
            "steps-19-30: a parameter where none is declared",
            &[
                "rollback",
                "steps-19-30",
                "--yes",
                "--steps",
                "19",
                "--db",
                &earlybird,
                "--state-db",
                &state,
                "--param",
                "x=1",
            ],
            2,
            "INVALID_PARAM",
            &["invalid parameter x", "declares no parameters"],
        )
        .unchanged(),
    );
    let guarded = Guarded {
        targets: vec![master.clone(), tenant.clone(), earlybird.clone()],
        state,
        compared: vec![
            (master, vec!["organizations", "org_acme", "org_globex"]),
            (tenant, vec!["menuitems", "orders", "customers"]),
            (earlybird, vec!["orders"]),
        ],
    };
    (cases, guarded)
}

/// Corrupt, truncated and missing backups for `restore` and for tenant-restore.
async fn corrupt_backups(client: &Client, dir: &Path) -> (Vec<Case>, Guarded) {
    let live = harness::fresh_db(client, "bad_input_backups").await;
    let state = harness::fresh_db(client, "bad_input_backups_state").await;
    Run::new(["restore", "--from", path_str(&fixtures().join("plain"))])
        .args(["--db", "superkafe_negoes", "--to-db", &live])
        .status(0);
    // Live data that differs from the backup, so a restore would visibly change it.
    client
        .database(&live)
        .collection::<Document>("orders")
        .insert_one(doc! {"_id": "live-only", "note": "written after the backup"})
        .await
        .unwrap();

    // A copy of one fixture variant whose database directory is named like the live database.
    let mut n = 0;
    let mut backup = |variant: &str| -> (PathBuf, PathBuf) {
        n += 1;
        let root = dir.join(format!("backup-{n}"));
        let db_dir = root.join(&live);
        copy_dir(&fixtures().join(variant).join("superkafe_negoes"), &db_dir);
        (root, db_dir)
    };
    let corrupt = |file: &Path, change: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = std::fs::read(file).unwrap();
        change(&mut bytes);
        std::fs::write(file, bytes).unwrap();
    };
    let restore = |name: &str, from: &Path, says: &[&str]| {
        case(
            name,
            &[
                "restore",
                "--from",
                path_str(from),
                "--db",
                &live,
                "--drop",
                "--yes",
            ],
            2,
            "USAGE",
            says,
        )
        .unchanged()
    };
    let mut cases = Vec::new();

    let (root, db_dir) = backup("plain");
    corrupt(&db_dir.join("orders.bson"), &|b| b.truncate(b.len() - 37));
    cases.push(restore(
        "restore: truncated .bson",
        &root,
        &["orders.bson", "truncated"],
    ));
    let (root, db_dir) = backup("plain");
    corrupt(&db_dir.join("orders.bson"), &|b| {
        let first = u32::from_le_bytes(b[..4].try_into().unwrap()) as usize;
        b[first..first + 4].copy_from_slice(&0x7fff_0000_i32.to_le_bytes());
    });
    cases.push(restore(
        "restore: absurd document length in .bson",
        &root,
        &["orders.bson", "byte offset"],
    ));
    let (root, db_dir) = backup("plain");
    corrupt(&db_dir.join("menuitems.bson"), &|b| b.truncate(3));
    cases.push(restore(
        "restore: .bson cut inside the first length prefix",
        &root,
        &["menuitems.bson", "length prefix"],
    ));
    let (root, db_dir) = backup("plain");
    corrupt(&db_dir.join("orders.bson"), &|b| {
        b.clear();
        b.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    });
    cases.push(restore(
        "restore: .bson of random bytes",
        &root,
        &["orders.bson", "corrupt"],
    ));
    let (root, db_dir) = backup("plain");
    std::fs::write(db_dir.join("orders.metadata.json"), "{not json").unwrap();
    cases.push(restore(
        "restore: metadata.json is not JSON",
        &root,
        &["orders.metadata.json", "not JSON"],
    ));
    let (root, db_dir) = backup("plain");
    std::fs::write(db_dir.join("orders.metadata.json"), "[1, 2, 3]").unwrap();
    cases.push(restore(
        "restore: metadata.json is an array",
        &root,
        &["orders.metadata.json", "not a JSON object"],
    ));
    let (root, db_dir) = backup("plain");
    std::fs::write(
        db_dir.join("orders.metadata.json"),
        r#"{"indexes": 5, "options": {}}"#,
    )
    .unwrap();
    cases.push(restore(
        "restore: metadata.json indexes is not a list",
        &root,
        &["orders.metadata.json", "`indexes` is not an array"],
    ));
    let (root, db_dir) = backup("gzip");
    corrupt(&db_dir.join("orders.bson.gz"), &|b| {
        b.truncate(b.len() - 20);
    });
    cases.push(restore(
        "restore: truncated .bson.gz",
        &root,
        &["orders.bson.gz", "cannot be decompressed"],
    ));
    let (root, db_dir) = backup("gzip");
    std::fs::write(db_dir.join("orders.bson.gz"), b"this is not gzip").unwrap();
    cases.push(restore(
        "restore: .bson.gz that is not gzip",
        &root,
        &["orders.bson.gz", "invalid gzip header"],
    ));
    let (root, db_dir) = backup("gzip");
    corrupt(&db_dir.join("orders.bson.gz"), &|b| {
        let middle = b.len() / 2;
        b[middle] ^= 0xff;
    });
    cases.push(restore(
        "restore: .bson.gz with a flipped byte",
        &root,
        &["orders.bson.gz", "corrupt"],
    ));
    let (root, db_dir) = backup("gzip");
    std::fs::write(db_dir.join("orders.metadata.json.gz"), b"xx").unwrap();
    cases.push(restore(
        "restore: corrupt metadata.json.gz",
        &root,
        &["orders.metadata.json.gz", "not a valid gzip file"],
    ));
    let missing = dir.join("no-such-backup");
    cases.push(restore(
        "restore: backup directory does not exist",
        &missing,
        &["no-such-backup", "does not exist"],
    ));
    let (_, db_dir) = backup("plain");
    let file = db_dir.join("orders.bson");
    cases.push(restore(
        "restore: a file instead of a directory",
        &file,
        &["orders.bson", "is not a directory"],
    ));
    let empty = dir.join("empty-backup");
    std::fs::create_dir_all(&empty).unwrap();
    cases.push(restore(
        "restore: empty directory",
        &empty,
        &["empty-backup", "holds no database directories"],
    ));
    let (root, _) = backup("plain");
    cases.push(
        case(
            "restore: database not in the backup",
            &[
                "restore",
                "--from",
                path_str(&root),
                "--db",
                "bad_input_not_there",
                "--drop",
                "--yes",
            ],
            2,
            "USAGE",
            &["\"bad_input_not_there\" is not a database in backup"],
        )
        .unchanged(),
    );
    let (root, _) = backup("plain");
    cases.push(case(
        "restore: over live data without --drop",
        &["restore", "--from", path_str(&root), "--db", &live],
        2,
        "USAGE",
        &["--drop"],
    ));

    // tenant-restore checks the backup (step 2) before anything is stopped, dumped or
    // restored: the run is recorded, the tenant database and current_backup_dir untouched.
    let pre = dir.join("pre-restore");
    let tenant_restore = |name: &str, from: &Path, exit: i32, code: &'static str, says: &[&str]| {
        let backup = format!("backup={}", from.display());
        let tenants = format!("tenants={live}");
        let current = format!("current_backup_dir={}", pre.display());
        let mut args = vec!["apply", "tenant-restore", "--yes", "--state-db", &state];
        args.extend(["--param", &backup, "--param", &tenants, "--param", &current]);
        args.extend(ACKS);
        case(name, &args, exit, code, says)
            .absent(&pre)
            .records_run()
    };
    let (root, db_dir) = backup("gzip");
    corrupt(&db_dir.join("orders.bson.gz"), &|b| b.truncate(b.len() / 2));
    cases.push(
        tenant_restore(
            "tenant-restore: truncated .bson.gz",
            &root,
            11,
            "SESSION_STATE_CONFLICT",
            &["orders.bson.gz", "backup_valid"],
        )
        .unchanged(),
    );
    let (root, db_dir) = backup("plain");
    std::fs::write(db_dir.join("menuitems.metadata.json"), "garbage").unwrap();
    cases.push(
        tenant_restore(
            "tenant-restore: garbage metadata.json",
            &root,
            11,
            "SESSION_STATE_CONFLICT",
            &["menuitems.metadata.json", "backup_valid"],
        )
        .unchanged(),
    );
    let (root, db_dir) = backup("plain");
    std::fs::remove_dir_all(&db_dir).unwrap();
    std::fs::create_dir_all(root.join("other_db")).unwrap();
    cases.push(tenant_restore(
        "tenant-restore: backup without the tenant's database",
        &root,
        11,
        "SESSION_STATE_CONFLICT",
        &["backup_valid", &live],
    ));

    let guarded = Guarded {
        targets: vec![live.clone()],
        state,
        compared: vec![(live, vec!["orders", "menuitems", "audit_empty"])],
    };
    (cases, guarded)
}

/// Connection strings that cannot be parsed or reached; the password must never be printed.
async fn bad_uris(client: &Client, dir: &Path) -> (Vec<Case>, Guarded) {
    let db = harness::fresh_db(client, "bad_input_uris").await;
    let state = harness::fresh_db(client, "bad_input_uris_state").await;
    data::seed_earlybird(client, &db, 100).await;
    let port = rollbook::sandbox::mongod::free_port().unwrap();
    let closed = format!("mongodb://admin:{SECRET}@127.0.0.1:{port}/?serverSelectionTimeoutMS=500");
    let out = dir.join("dump-out");
    let plan = [
        "plan",
        "steps-19-30",
        "--direction",
        "rollback",
        "--db",
        &db,
        "--state-db",
        &state,
    ];
    let parse_error = |name: &str, uri: String, says: &[&str]| {
        case(name, &plan, 2, "USAGE", says)
            .with(&["--uri", &uri])
            .own_uri()
    };
    let redacted = "admin:****@";
    let mut cases = vec![
        parse_error(
            "URI without a scheme",
            format!("admin:{SECRET}@127.0.0.1:27017/"),
            &["contains no scheme", redacted],
        ),
        parse_error(
            "URI with the http scheme",
            format!("http://admin:{SECRET}@127.0.0.1:27017/"),
            &["unsupported connection string scheme: http", redacted],
        ),
        parse_error(
            "URI that is not one",
            "not a connection string".into(),
            &["invalid MongoDB connection string"],
        ),
        parse_error(
            "URI with an unknown option",
            format!("mongodb://admin:{SECRET}@127.0.0.1:{port}/?bogusOption=1"),
            &["bogusoption is an invalid option", redacted],
        ),
        parse_error(
            "URI with a non-numeric timeout",
            format!("mongodb://admin:{SECRET}@127.0.0.1:{port}/?serverSelectionTimeoutMS=soon"),
            &["must be a non-negative integer", redacted],
        ),
        parse_error(
            "URI with a non-numeric port",
            format!("mongodb://admin:{SECRET}@127.0.0.1:port/"),
            &["the port must be an integer", redacted],
        ),
        parse_error(
            "URI without a host",
            format!("mongodb://admin:{SECRET}@/"),
            &["the hostname cannot be empty", redacted],
        ),
        parse_error(
            "mongodb+srv URI with a port",
            format!("mongodb+srv://admin:{SECRET}@db.example.test:{port}/"),
            &["a port cannot be specified with 'mongodb+srv'", redacted],
        ),
        parse_error(
            "URI with an unknown auth mechanism",
            format!("mongodb://admin:{SECRET}@127.0.0.1:{port}/?authMechanism=BOGUS"),
            &["invalid mechanism string", redacted],
        ),
        parse_error(
            "URI with a non-boolean tls",
            format!("mongodb://admin:{SECRET}@127.0.0.1:{port}/?tls=maybe"),
            &["`tls` option must be a boolean", redacted],
        ),
        parse_error(
            "empty URI",
            String::new(),
            &["no MongoDB connection string"],
        ),
        parse_error(
            "unencoded / in the password",
            format!("mongodb://admin:{SECRET}/x@127.0.0.1:{port}/"),
            &["password must be URL encoded", redacted],
        ),
        parse_error(
            "unencoded ? in the password",
            format!("mongodb://admin:{SECRET}?x@127.0.0.1:{port}/"),
            &["invalid server address", redacted],
        ),
        parse_error(
            "unencoded @ in the password",
            format!("mongodb://admin:x@{SECRET}@127.0.0.1:{port}/?bogusOption=1"),
            &["password must be URL encoded", redacted],
        ),
        parse_error(
            "tlsCertificateKeyFilePassword in the URI",
            format!("mongodb://127.0.0.1:{port}/?tls=true&tlsCertificateKeyFilePassword={SECRET}"),
            &["tlsCertificateKeyFilePassword=****"],
        ),
        parse_error(
            "authMechanismProperties in the URI",
            format!("mongodb://127.0.0.1:{port}/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:{SECRET}"),
            &["authMechanismProperties=****"],
        ),
        parse_error(
            "proxyPassword in the URI",
            format!("mongodb://127.0.0.1:{port}/?proxyHost=h&proxyUsername=u&proxyPassword={SECRET}"),
            &["proxyPassword=****"],
        ),
    ];
    let unreachable = format!("127.0.0.1:{port}");
    cases.extend([
        case(
            "closed port: plan",
            &plan,
            12,
            "CONNECTION_FAILED",
            &["cannot reach MongoDB at", &unreachable],
        )
        .with(&["--uri", &closed])
        .own_uri(),
        case(
            "closed port: rollback",
            &[
                "rollback",
                "steps-19-30",
                "--yes",
                "--steps",
                "19",
                "--db",
                &db,
                "--state-db",
                &state,
                "--uri",
                &closed,
            ],
            12,
            "CONNECTION_FAILED",
            &["cannot reach MongoDB at", &unreachable],
        )
        .own_uri(),
        case(
            "closed port: status",
            &[
                "status",
                "steps-19-30",
                "--db",
                &db,
                "--state-db",
                &state,
                "--uri",
                &closed,
            ],
            12,
            "CONNECTION_FAILED",
            &["cannot reach MongoDB at", &unreachable],
        )
        .own_uri(),
        case(
            "closed port: restore",
            &[
                "restore",
                "--from",
                path_str(&fixtures().join("plain")),
                "--db",
                "superkafe_negoes",
                "--to-db",
                &db,
                "--uri",
                &closed,
            ],
            12,
            "CONNECTION_FAILED",
            &["cannot reach MongoDB at", &unreachable],
        )
        .own_uri(),
        case(
            "closed port: dump",
            &[
                "dump",
                "--db",
                &db,
                "--out",
                path_str(&out),
                "--uri",
                &closed,
            ],
            12,
            "CONNECTION_FAILED",
            &["cannot reach MongoDB at", &unreachable],
        )
        .own_uri()
        .absent(&out),
        case(
            "unresolvable host",
            &plan,
            12,
            "CONNECTION_FAILED",
            &["cannot reach MongoDB at host.invalid:27017"],
        )
        .with(&[
            "--uri",
            &format!("mongodb://admin:{SECRET}@host.invalid:27017/?serverSelectionTimeoutMS=500"),
        ])
        .own_uri(),
    ]);
    let guarded = Guarded {
        targets: vec![db.clone()],
        state,
        compared: vec![(db, vec!["orders", "users"])],
    };
    (cases, guarded)
}

/// Command lines the tool must refuse: bad step selections, unknown runbooks and directions.
async fn bad_usage(client: &Client, dir: &Path) -> (Vec<Case>, Guarded) {
    let db = harness::fresh_db(client, "bad_input_usage").await;
    let state = harness::fresh_db(client, "bad_input_usage_state").await;
    data::seed_earlybird(client, &db, 200).await;
    let target = ["--db", db.as_str(), "--state-db", state.as_str()];
    let rollback = |steps: &str| -> Vec<String> {
        ["rollback", "steps-19-30", "--yes", "--steps", steps]
            .iter()
            .chain(&target)
            .map(|&a| a.to_owned())
            .collect()
    };
    let steps = |name: &str, selection: &str, says: &[&str]| {
        let args = rollback(selection);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        case(name, &args, 2, "USAGE", says)
    };
    let garbage_plan = write_file(dir, 1, "plan.json", b"{\"plan_id\": 42");
    let missing_plan = dir.join("no-such-plan.json");
    let cases = vec![
        steps(
            "--steps 30- (open range)",
            "30-",
            &["no step \"30-\"", "steps: 19, 20"],
        ),
        steps("--steps a-b (not numbers)", "a-b", &["no step \"a-b\""]),
        steps("--steps 0", "0", &["no step \"0\""]),
        steps("--steps 99 (no such step)", "99", &["no step \"99\""]),
        steps(
            "--steps 31-40 (range with no step)",
            "31-40",
            &["no step in 31-40"],
        ),
        steps(
            "--steps 19,,20 (empty entry)",
            "19,,20",
            &["has an empty entry"],
        ),
        steps("--steps '' (empty)", "", &["--steps is empty"]),
        steps(
            "--steps 19,99 (one unknown among known)",
            "19,99",
            &["no step \"99\""],
        ),
        case(
            "unknown runbook id",
            &["rollback", "no-such-runbook", "--yes"],
            2,
            "USAGE",
            &["no runbook \"no-such-runbook\"", "available: org-rename"],
        )
        .with(&target),
        case(
            "runbooks directory does not exist",
            &[
                "rollback",
                "steps-19-30",
                "--yes",
                "--runbooks",
                "/nonexistent/runbooks",
            ],
            2,
            "USAGE",
            &["/nonexistent/runbooks"],
        )
        .with(&target),
        case(
            "unknown direction",
            &["plan", "steps-19-30", "--direction", "sideways"],
            2,
            "USAGE",
            &["invalid value 'sideways' for '--direction"],
        )
        .with(&target),
        case(
            "unknown verify direction",
            &["verify", "steps-19-30", "--direction", "up"],
            2,
            "USAGE",
            &["invalid value 'up' for '--direction"],
        )
        .with(&target),
        case(
            "plan without --direction",
            &["plan", "steps-19-30"],
            2,
            "USAGE",
            &["--direction"],
        )
        .with(&target),
        case(
            "--emergency with --steps",
            &[
                "rollback",
                "steps-19-30",
                "--emergency",
                "--steps",
                "23",
                "--yes",
            ],
            2,
            "USAGE",
            &["cannot be used with"],
        )
        .with(&target),
        case(
            "apply without a runbook or a plan",
            &["apply", "--yes"],
            2,
            "USAGE",
            &["<RUNBOOK>"],
        )
        .with(&target),
        case(
            "unknown command",
            &["rollforward", "steps-19-30"],
            2,
            "USAGE",
            &["unrecognized subcommand 'rollforward'"],
        )
        .with(&target),
        case(
            "non-numeric --transaction-limit",
            &[
                "rollback",
                "steps-19-30",
                "--yes",
                "--transaction-limit",
                "many",
            ],
            2,
            "USAGE",
            &["--transaction-limit"],
        )
        .with(&target),
        case(
            "show an unknown step",
            &["show", "steps-19-30", "99"],
            2,
            "USAGE",
            &["99"],
        ),
        case(
            "--state-db with a dot",
            &[
                "rollback",
                "steps-19-30",
                "--yes",
                "--steps",
                "19",
                "--db",
                &db,
                "--state-db",
                "rollbook.state",
            ],
            2,
            "USAGE",
            &["--state-db", "contains '.'"],
        ),
        case(
            "--db with $",
            &[
                "rollback",
                "steps-19-30",
                "--yes",
                "--steps",
                "19",
                "--db",
                "early$bird",
                "--state-db",
                &state,
            ],
            2,
            "USAGE",
            &["early$bird", "contains '$'"],
        ),
        case(
            "--plan file does not exist",
            &["rollback", "--plan", path_str(&missing_plan), "--yes"],
            2,
            "USAGE",
            &["no-such-plan.json"],
        )
        .with(&target),
        case(
            "--plan file is not a plan",
            &["rollback", "--plan", &garbage_plan, "--yes"],
            2,
            "USAGE",
            &["plan.json"],
        )
        .with(&target),
    ];
    let guarded = Guarded {
        targets: vec![db.clone()],
        state,
        compared: vec![(
            db,
            vec!["orders", "delivery_statuses", "users", "billing_records"],
        )],
    };
    (cases, guarded)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_input_corpus_is_refused_with_the_documented_code_and_writes_nothing() {
    let client = harness::client().await;
    let dirs: Vec<tempfile::TempDir> = (0..5).map(|_| tempfile::tempdir().unwrap()).collect();
    let (runbooks, params, backups, uris, usage) = tokio::join!(
        mutated_runbooks(&client, dirs[0].path()),
        hostile_parameters(&client, dirs[1].path()),
        corrupt_backups(&client, dirs[2].path()),
        bad_uris(&client, dirs[3].path()),
        bad_usage(&client, dirs[4].path()),
    );
    let per_category = [
        runbooks.0.len(),
        params.0.len(),
        backups.0.len(),
        uris.0.len(),
        usage.0.len(),
    ];
    let results = tokio::join!(
        run_cases("runbook", runbooks.0, &runbooks.1),
        run_cases("param", params.0, &params.1),
        run_cases("backup", backups.0, &backups.1),
        run_cases("uri", uris.0, &uris.1),
        run_cases("usage", usage.0, &usage.1),
    );
    let outcomes: Vec<Outcome> = [results.0, results.1, results.2, results.3, results.4]
        .into_iter()
        .flatten()
        .collect();
    for outcome in &outcomes {
        println!("{}", outcome.line);
    }
    let total = outcomes.len();
    let rejected = outcomes.iter().filter(|o| o.failure.is_none()).count();
    let wrote = outcomes.iter().filter(|o| o.wrote).count();
    println!(
        "bad-input corpus: {total} cases (runbooks {}, parameters {}, backups {}, URIs {}, usage {}), \
         {rejected} rejected with the documented code and message, {wrote} wrote anything",
        per_category[0], per_category[1], per_category[2], per_category[3], per_category[4]
    );
    let failures: Vec<&str> = outcomes
        .iter()
        .filter_map(|o| o.failure.as_deref())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {total} bad-input cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(total >= 60, "the corpus has only {total} cases");
}
