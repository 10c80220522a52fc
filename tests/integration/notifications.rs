//! Notifications: a local HTTP server on 127.0.0.1 stands in for Slack and a generic webhook and
//! records what arrives. Approvals asked for and given, runs started, finished and failed reach
//! it with the right content; a plan that is only shown sends nothing; no connection string or
//! webhook URL appears anywhere; a webhook that hangs or fails is a bounded warning and changes
//! nothing in the data.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mongodb::bson::{doc, Document};
use serde_json::Value;

use crate::data;
use crate::harness::{self, FailPoint, Run};

/// How the test webhook answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Ok,
    ServerError,
    Hang,
}

/// A webhook on 127.0.0.1 recording each request's path and JSON body.
struct Hook {
    port: u16,
    received: Arc<Mutex<Vec<(String, Value)>>>,
}

impl Hook {
    fn start(answer: Answer) -> Hook {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let log = log.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut request_line = String::new();
                    reader.read_line(&mut request_line).unwrap();
                    let mut length = 0;
                    loop {
                        let mut header = String::new();
                        reader.read_line(&mut header).unwrap();
                        if header.trim().is_empty() {
                            break;
                        }
                        if let Some((name, value)) = header.split_once(':') {
                            if name.eq_ignore_ascii_case("content-length") {
                                length = value.trim().parse().unwrap();
                            }
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    let path = request_line
                        .split_whitespace()
                        .nth(1)
                        .unwrap_or_default()
                        .to_owned();
                    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    log.lock().unwrap().push((path, body));
                    let reply = match answer {
                        Answer::Ok => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                        Answer::ServerError => {
                            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"
                        }
                        Answer::Hang => {
                            std::thread::sleep(Duration::from_secs(120));
                            return;
                        }
                    };
                    let _ = stream.write_all(reply.as_bytes());
                });
            }
        });
        Hook { port, received }
    }

    /// The URL, with a secret token in its path (as Slack's are).
    fn url(&self, name: &str) -> String {
        format!(
            "http://127.0.0.1:{}/hooks/{name}/T0KEN-{name}-s3cret",
            self.port
        )
    }

    /// The bodies received so far.
    fn bodies(&self) -> Vec<Value> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|(_, body)| body.clone())
            .collect()
    }

    /// The bodies received so far whose `event` (generic) or text (Slack) says `event`.
    fn events(&self, event: &str) -> Vec<Value> {
        self.bodies()
            .into_iter()
            .filter(|b| {
                b["event"] == event
                    || b["text"]
                        .as_str()
                        .is_some_and(|t| t.contains(event_words(event)))
            })
            .collect()
    }

    /// Waits until `count` bodies of `event` arrived (at most 10 s).
    fn wait_for(&self, event: &str, count: usize) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let found = self.events(event);
            if found.len() >= count || started.elapsed() > Duration::from_secs(10) {
                return found;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The words of a Slack text that tell its event.
fn event_words(event: &str) -> &'static str {
    match event {
        "approval_needed" => "needs an approval",
        "approved" => "approved plan",
        "approval_revoked" => "revoked the approval",
        "run_started" => "started on database",
        "run_finished" => "finished on database",
        "run_failed" => "failed on database",
        _ => "\u{0}",
    }
}

/// A runbooks directory holding `steps-19-30` with `notifications` added.
fn runbooks_with(dir: &Path, notifications: &str) -> PathBuf {
    let shipped =
        std::fs::read_to_string(harness::repo_root().join("runbooks/steps-19-30.yaml")).unwrap();
    let runbooks = dir.join("runbooks");
    std::fs::create_dir_all(&runbooks).unwrap();
    std::fs::write(
        runbooks.join("steps-19-30.yaml"),
        format!("{shipped}\nnotifications:\n{notifications}"),
    )
    .unwrap();
    runbooks
}

/// A Slack-compatible message: a fallback `text` and `blocks` of typed objects, the first a
/// `mrkdwn` section.
fn assert_slack_shape(message: &Value) {
    assert!(message["text"].is_string(), "{message:#}");
    let blocks = message["blocks"].as_array().expect("blocks");
    assert!(blocks.iter().all(|b| b["type"].is_string()), "{message:#}");
    assert_eq!(blocks[0]["type"], "section", "{message:#}");
    assert_eq!(blocks[0]["text"]["type"], "mrkdwn", "{message:#}");
}

#[tokio::test]
async fn approvals_and_runs_reach_slack_and_the_webhook_and_plans_send_nothing() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "notify").await;
    let state = harness::fresh_db(&client, "notify_state").await;
    data::seed_earlybird(&client, &db, 1_000).await;
    let (slack, hook) = (Hook::start(Answer::Ok), Hook::start(Answer::Ok));
    let dir = tempfile::tempdir().unwrap();
    let runbooks = runbooks_with(
        dir.path(),
        "  - name: incidents\n    slack: {url_env: TEST_SLACK_URL}\n  - name: audit-hook\n    webhook: {url_env: TEST_HOOK_URL}\n",
    );
    let run = |args: &[&str]| {
        Run::new(args)
            .arg("--runbooks")
            .arg(&runbooks)
            .db(&db)
            .state(&state)
            .env("TEST_SLACK_URL", slack.url("slack"))
            .env("TEST_HOOK_URL", hook.url("hook"))
    };
    let file = dir.path().join("p21.json");
    let plan_file = file.to_str().unwrap();
    let mut printed = String::new();

    // A plan that is only shown tells nobody.
    let shown = run(&[
        "plan",
        "steps-19-30",
        "--direction",
        "rollback",
        "--steps",
        "21",
    ])
    .status(0);
    printed.push_str(&shown.stdout);
    std::thread::sleep(Duration::from_millis(500));
    assert!(slack.bodies().is_empty() && hook.bodies().is_empty());

    // A saved plan that needs an approval tells the approvers, with the command to approve.
    let saved = run(&[
        "plan",
        "steps-19-30",
        "--direction",
        "rollback",
        "--steps",
        "21",
        "--out",
        plan_file,
    ])
    .json()
    .status(0);
    printed.push_str(&saved.stdout);
    let plan_id = saved.json_doc()["plan_id"].as_str().unwrap().to_owned();
    let asked = hook.wait_for("approval_needed", 1);
    assert_eq!(asked.len(), 1, "{:#?}", hook.bodies());
    let asked = &asked[0];
    assert_eq!(asked["schema"], 1);
    assert_eq!(asked["plan_id"], plan_id.as_str());
    assert_eq!(asked["database"], db.as_str());
    assert_eq!(asked["runbook"], "steps-19-30");
    assert_eq!(asked["approvals"][0]["step"], "21");
    assert_eq!(asked["approvals"][0]["category"], "user_linking");
    assert!(asked["next"]
        .as_str()
        .unwrap()
        .contains("rollbook approve --plan"));
    let slack_asked = slack.wait_for("approval_needed", 1);
    assert_eq!(slack_asked.len(), 1, "{:#?}", slack.bodies());
    assert_slack_shape(&slack_asked[0]);
    assert!(slack_asked[0]["blocks"][0]["text"]["text"]
        .as_str()
        .unwrap()
        .contains("rollbook approve --plan"));

    // The approval is announced, naming the approver and what runs it.
    let approved = Run::new([
        "approve",
        "--plan",
        plan_file,
        "--reason",
        "the DBA team agreed",
        "--ticket",
        "INC-42",
    ])
    .arg("--runbooks")
    .arg(&runbooks)
    .state(&state)
    .operator("bob")
    .env("TEST_SLACK_URL", slack.url("slack"))
    .env("TEST_HOOK_URL", hook.url("hook"))
    .yes()
    .status(0);
    printed.push_str(&approved.stdout);
    let given = hook.wait_for("approved", 1);
    assert_eq!(given.len(), 1, "{:#?}", hook.bodies());
    assert_eq!(given[0]["operator"], "bob");
    assert_eq!(given[0]["ticket"], "INC-42");
    assert_eq!(given[0]["plan_id"], plan_id.as_str());
    assert!(given[0]["next"]
        .as_str()
        .unwrap()
        .contains("rollbook rollback --plan"));
    assert_slack_shape(&slack.wait_for("approved", 1)[0]);

    // A revocation is announced too; a second approval then lets the plan run.
    Run::new(["approvals", "revoke", &plan_id, "--reason", "wrong window"])
        .arg("--runbooks")
        .arg(&runbooks)
        .state(&state)
        .operator("dave")
        .env("TEST_SLACK_URL", slack.url("slack"))
        .env("TEST_HOOK_URL", hook.url("hook"))
        .yes()
        .status(0);
    let revoked = hook.wait_for("approval_revoked", 1);
    assert_eq!(revoked.len(), 1, "{:#?}", hook.bodies());
    assert_eq!(revoked[0]["reason"], "wrong window");
    assert_eq!(revoked[0]["operator"], "dave");
    Run::new(["approve", "--plan", plan_file, "--reason", "right window"])
        .state(&state)
        .operator("erin")
        .yes()
        .status(0);

    // The run: started, then finished with its counts and the way to its report.
    let report = run(&["rollback", "--plan", plan_file])
        .operator("alice")
        .yes()
        .json()
        .status(0);
    printed.push_str(&report.stdout);
    printed.push_str(&report.stderr);
    let report = report.json_doc();
    let run_id = report["run_id"].as_str().unwrap();
    let started = hook.wait_for("run_started", 1);
    assert_eq!(started.len(), 1, "{:#?}", hook.bodies());
    assert_eq!(started[0]["run_id"], run_id);
    assert_eq!(started[0]["steps"], serde_json::json!(["21"]));
    assert_eq!(started[0]["operator"], "alice");
    let finished = hook.wait_for("run_finished", 1);
    assert_eq!(finished.len(), 1, "{:#?}", hook.bodies());
    let finished = &finished[0];
    assert_eq!(finished["run_id"], run_id);
    assert_eq!(finished["status"], "ok");
    assert_eq!(finished["exit_code"], 0);
    assert_eq!(finished["command"], "rollback");
    let modified: u64 = report["steps"][0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["modified"].as_u64())
        .sum();
    assert!(modified > 0);
    assert_eq!(finished["modified"], modified);
    assert!(finished["report"]
        .as_str()
        .unwrap()
        .contains(&format!("rollbook report {run_id}")));
    for event in ["run_started", "run_finished"] {
        assert_slack_shape(&slack.wait_for(event, 1)[0]);
    }

    // A failing run says so, with its exit code and error.
    let app = "notify_failing_app";
    let failing =
        FailPoint::fail_command_on(&client, app, &["update"], &format!("{db}.orders"), 2).await;
    let failed = run(&["rollback", "steps-19-30", "--steps", "19"])
        .uri(&harness::uri_with_app(app))
        .yes()
        .json()
        .status(1);
    drop(failing);
    printed.push_str(&failed.stdout);
    printed.push_str(&failed.stderr);
    let failed = hook.wait_for("run_failed", 1);
    assert_eq!(failed.len(), 1, "{:#?}", hook.bodies());
    assert_eq!(failed[0]["exit_code"], 1);
    assert_eq!(failed[0]["status"], "failed");
    assert!(failed[0]["error"]
        .as_str()
        .unwrap()
        .contains("ACTION_FAILED"));
    assert_slack_shape(&slack.wait_for("run_failed", 1)[0]);

    // --no-notify silences a run (this one resumes the failed one), and the audit says so.
    let before = hook.bodies().len() + slack.bodies().len();
    let silent = run(&["rollback", "steps-19-30", "--steps", "19", "--no-notify"])
        .yes()
        .json()
        .status(0)
        .json_doc();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(hook.bodies().len() + slack.bodies().len(), before);
    let audited = client
        .database(&state)
        .collection::<Document>("audit")
        .find_one(doc! {"run_id": silent["run_id"].as_str().unwrap(), "event": {"$in": ["run_started", "run_resumed"]}})
        .sort(doc! {"at": -1})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        audited
            .get_document("details")
            .unwrap()
            .get_str("notifications")
            .ok(),
        Some("silenced by --no-notify"),
        "{audited:#?}"
    );

    // Nothing anywhere carries the connection string or a webhook's URL.
    let everything = format!(
        "{}{}{printed}",
        serde_json::to_string(&hook.bodies()).unwrap(),
        serde_json::to_string(&slack.bodies()).unwrap()
    );
    for secret in ["mongodb://", "T0KEN-", "s3cret"] {
        assert!(!everything.contains(secret), "{secret} leaked");
    }
}

#[tokio::test]
async fn a_webhook_that_hangs_or_fails_is_a_bounded_warning_and_changes_nothing() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "notify_down").await;
    let twin = harness::fresh_db(&client, "notify_down_twin").await;
    let state = harness::fresh_db(&client, "notify_down_state").await;
    let twin_state = harness::fresh_db(&client, "notify_down_twin_state").await;
    data::seed_earlybird(&client, &db, 1_000).await;
    data::clone_db(&client, &db, &twin).await;
    let (hanging, failing) = (Hook::start(Answer::Hang), Hook::start(Answer::ServerError));
    let dir = tempfile::tempdir().unwrap();
    let runbooks = runbooks_with(
        dir.path(),
        "  - name: hangs\n    webhook: {url_env: TEST_HANGING_URL}\n    timeout_secs: 2\n  - name: fails\n    webhook: {url_env: TEST_FAILING_URL}\n    timeout_secs: 5\n    events: [run_finished]\n",
    );
    let started = Instant::now();
    let output = Run::new(["rollback", "steps-19-30", "--steps", "19"])
        .arg("--runbooks")
        .arg(&runbooks)
        .db(&db)
        .state(&state)
        .env("TEST_HANGING_URL", hanging.url("hangs"))
        .env("TEST_FAILING_URL", failing.url("fails"))
        .yes()
        .json()
        .status(0);
    let took = started.elapsed();
    let report = output.json_doc();
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let says = |what: &str| warnings.iter().filter(|w| w.contains(what)).count();
    // The hanging webhook costs at most its 2 s per notification (started and finished
    // overlap), the failing one three tries in its 5 s; the run itself takes about a second.
    assert!(took < Duration::from_secs(30), "the run took {took:?}");
    assert_eq!(
        says("to hangs not sent: no answer within 2 s"),
        2,
        "{warnings:#?}"
    );
    assert_eq!(says("to fails not sent: HTTP 500"), 1, "{warnings:#?}");
    assert!(
        warnings.iter().all(|w| !w.contains("s3cret")),
        "{warnings:#?}"
    );
    assert!(!output.stderr.contains("s3cret") && !output.stdout.contains("s3cret"));
    assert_eq!(failing.wait_for("run_finished", 3).len(), 3, "three tries");
    // In the stored report and the audit too.
    let run_id = report["run_id"].as_str().unwrap();
    let stored = client
        .database(&state)
        .collection::<Document>("runs")
        .find_one(doc! {"_id": run_id})
        .await
        .unwrap()
        .unwrap();
    let stored_warnings = stored
        .get_document("report")
        .unwrap()
        .get_array("warnings")
        .unwrap();
    assert!(stored_warnings.len() >= 3, "{stored:#?}");
    let audited = data::count(
        &client,
        &state,
        "audit",
        doc! {"run_id": run_id, "event": "notification_failed"},
    )
    .await;
    assert_eq!(audited, 1);

    // The data is what the same rollback without notifications makes of it.
    Run::new(["rollback", "steps-19-30", "--steps", "19"])
        .db(&twin)
        .state(&twin_state)
        .yes()
        .status(0);
    data::assert_same(&client, &db, &twin, &data::EARLYBIRD, "after the rollback").await;
}

#[tokio::test]
async fn a_notify_step_sends_its_message_with_the_run_facts_and_plan_only_shows_it() {
    let client = harness::client().await;
    let db = harness::fresh_db(&client, "notify_step").await;
    let state = harness::fresh_db(&client, "notify_step_state").await;
    let dir = tempfile::tempdir().unwrap();
    // One file per event: run_started is sent while the step's message goes out.
    let received = |event: &str| dir.path().join(format!("{event}.json"));
    let environment = dir.path().join("message.env");
    let path = dir.path().join("announce.yaml");
    std::fs::write(
        &path,
        format!(
            "id: announce\ntitle: Announce a maintenance\ndatabase: shop\nparams:\n  - {{name: window, type: string, description: The window}}\nnotifications:\n  - name: pager\n    command: [sh, -c, \"env > {dir}/$ROLLBOOK_EVENT.env; cat > {dir}/$ROLLBOOK_EVENT.json\"]\nsteps:\n  - id: \"1\"\n    title: Tell the on-call team\n    data_loss: {{level: none}}\n    reversibility: {{level: full}}\n    forward:\n      - notify: {{to: [pager], message: \"{{{{operator}}}} starts {{{{runbook}}}} step {{{{step}}}} on {{{{database}}}} ({{{{window}}}}), run {{{{run_id}}}}\"}}\n    rollback:\n      - notify: {{to: [pager], message: \"{{{{runbook}}}} rolled back\"}}\n",
            dir = dir.path().display()
        ),
    )
    .unwrap();
    let run = |command: &str| {
        Run::new([command])
            .arg(&path)
            .args(["--param", "window=22:00-23:00"])
            .db(&db)
            .state(&state)
            .json()
    };

    let plan = run("plan")
        .args(["--direction", "forward"])
        .status(0)
        .json_doc();
    let note = plan["steps"][0]["actions"][0]["note"].as_str().unwrap();
    assert!(
        note.contains("sends to pager") && note.contains(&format!("on {db} (22:00-23:00)")),
        "{note}"
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .path()
            .to_string_lossy()
            .ends_with(".json")),
        "plan sent something"
    );

    // The connection string in the environment too: the command must not inherit it.
    let applied = run("apply")
        .operator("carol")
        .env("MONGODB_URI", harness::uri())
        .yes()
        .status(0)
        .json_doc();
    let run_id = applied["run_id"].as_str().unwrap();
    let action = &applied["steps"][0]["actions"][0];
    assert_eq!(action["kind"], "notify");
    assert!(action["detail"]
        .as_str()
        .unwrap()
        .starts_with("sent to pager"));
    // The command target hears of the run too (it takes every event).
    let read = |event: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(received(event)).unwrap()).unwrap()
    };
    for event in ["run_started", "run_finished"] {
        assert_eq!(read(event)["event"], event);
        assert_eq!(read(event)["run_id"], run_id);
    }
    let message = read("message");
    assert_eq!(message["event"], "message");
    assert_eq!(
        message["text"],
        format!("carol starts announce step 1 on {db} (22:00-23:00), run {run_id}").as_str()
    );
    // The command starts from a clean environment: no connection string, no URI variable.
    let env = std::fs::read_to_string(&environment).unwrap();
    assert!(env.contains("ROLLBOOK_EVENT=message"), "{env}");
    assert!(
        !env.contains("mongodb://") && !env.contains("ROLLBOOK_OPERATOR"),
        "{env}"
    );
}
