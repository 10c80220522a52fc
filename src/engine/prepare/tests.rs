//! Table-driven tests of the gates and the resume decision, through the in-memory store.

use std::cell::Cell;
use std::path::Path;

use super::*;
use crate::engine::gates::Terminal;
use crate::engine::request::{Choices, PlanSource, Procedure};
use crate::error::Error;
use crate::plan::approval::tests::approval;
use crate::plan::dry_run::StepPreview;
use crate::plan::saved::PlanContent;
use crate::runbook::model::{DataLossLevel, Direction, ReversibilityLevel};
use crate::store::memory::MemoryStore;
use crate::store::runs::{RunRecord, RunStatus};

fn loaded() -> LoadedRunbook {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks");
    crate::runbook::load("steps-19-30", &dir).expect("the shipped runbook loads")
}

fn choices() -> Choices {
    Choices {
        transaction_limit: 10_000,
        ..Choices::default()
    }
}

fn request(command: RunCommand, steps: &str, source: Option<SavedPlan>) -> RunRequest {
    let direction = if command == RunCommand::Apply {
        Direction::Forward
    } else {
        Direction::Rollback
    };
    RunRequest {
        command,
        direction,
        runbook: Some("steps-19-30".into()),
        source: match source {
            Some(plan) => PlanSource::Saved {
                plan: Box::new(plan),
                max_drift: 0.0,
                steps: None,
            },
            None => PlanSource::Procedure(Procedure::Selected {
                steps: steps.into(),
                continue_on_error: false,
            }),
        },
        choices: choices(),
        operator: "bob".into(),
        confirmation: Confirmation::Prompt,
        terminal: Terminal::Present,
        resume: None,
    }
}

/// A saved plan of `steps` of the shipped runbook, made by alice, predicting one step.
fn saved(loaded: &LoadedRunbook, direction: Direction, steps: &str) -> SavedPlan {
    saved_with(loaded, direction, steps, &[])
}

/// A saved plan as [`saved`] makes it, made with `params`.
fn saved_with(
    loaded: &LoadedRunbook,
    direction: Direction,
    steps: &str,
    params: &[(&str, &str)],
) -> SavedPlan {
    let procedure = Procedure::Selected {
        steps: steps.into(),
        continue_on_error: false,
    };
    let choices = Choices {
        params: params
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        ..choices()
    };
    let (plan_request, _, _) =
        crate::engine::request::procedure_request(loaded, direction, &procedure, &choices)
            .expect("request");
    let plan = crate::plan::resolve(loaded, &plan_request, "x").expect("plan");
    SavedPlan::new(PlanContent {
        created_at: "2026-12-01T00:00:00Z".into(),
        created_by: "alice".into(),
        runbook: loaded.runbook.id.clone(),
        runbook_digest: loaded.digest.clone(),
        database: plan.database.clone(),
        direction,
        steps: steps.into(),
        params: plan.params.clone(),
        continue_on_error: false,
        transaction_limit: 10_000,
        approvals_required: Vec::new(),
        preview: predicted(1),
    })
}

/// A dry-run of `steps` steps predicting nothing.
fn predicted(steps: usize) -> PlanPreview {
    PlanPreview {
        steps: (0..steps)
            .map(|i| StepPreview {
                id: format!("{}", 23 - i),
                title: "t".into(),
                direction: Direction::Rollback,
                approval: None,
                data_loss: DataLossLevel::None,
                reversibility: ReversibilityLevel::Full,
                transaction: false,
                estimate_ms: 0,
                estimate_basis: None,
                preconditions: Vec::new(),
                actions: Vec::new(),
            })
            .collect(),
    }
}

/// What the store holds about an earlier run of the same work.
#[derive(Debug, Clone, Copy)]
enum Prior {
    Nothing,
    Interrupted,
    InterruptedOtherPlan,
    FailedSame,
    FinishedOk,
    DeadButMarkedRunning,
    LiveRunning,
}

fn prior_run(prior: Prior, checked: &Checked, request: &RunRequest) -> Option<RunRecord> {
    let (status, heartbeat, plan_id) = match prior {
        Prior::Nothing => return None,
        Prior::Interrupted => (RunStatus::Interrupted, 0, None),
        Prior::InterruptedOtherPlan => (RunStatus::Interrupted, 0, Some("p-other")),
        Prior::FailedSame => (RunStatus::Failed, 0, None),
        Prior::FinishedOk => (RunStatus::Ok, 0, None),
        Prior::DeadButMarkedRunning => (RunStatus::Running, 0, None),
        Prior::LiveRunning => (RunStatus::Running, DateTime::now().timestamp_millis(), None),
    };
    let plan = &checked.plan;
    Some(RunRecord {
        id: "r-earlier".into(),
        command: request.command.as_str().into(),
        runbook: plan.runbook_id.clone(),
        digest: plan.digest.clone(),
        database: plan.database.clone(),
        direction: plan.direction.as_str().into(),
        steps: plan.steps.iter().map(|s| s.step.id.clone()).collect(),
        params: Default::default(),
        operator: "carol".into(),
        db_user: None,
        plan_id: plan_id
            .map(str::to_owned)
            .or_else(|| request.saved().map(|(s, _)| s.plan_id.clone())),
        host: "another-host".into(),
        pid: 1,
        started_at: DateTime::from_millis(0),
        heartbeat_at: DateTime::from_millis(heartbeat),
        finished_at: None,
        status,
        exit_code: None,
        error: None,
        resumed_at: Vec::new(),
        continue_on_error: false,
        undo: None,
    })
}

fn exit_of(result: &Result<impl std::fmt::Debug>) -> i32 {
    result.as_ref().map_or_else(Error::exit_code, |_| 0)
}

#[test]
fn check_refuses_bad_requests_before_connecting() {
    let loaded = loaded();
    let other_direction = saved(&loaded, Direction::Forward, "19");
    let mut changed = saved(&loaded, Direction::Rollback, "19");
    changed.content.runbook_digest = "sha256:before".into();
    let cases: Vec<(&str, RunRequest, i32)> = vec![
        (
            "rollback of a plain step",
            request(RunCommand::Rollback, "19", None),
            0,
        ),
        (
            "a gated step without a plan",
            request(RunCommand::Rollback, "23", None),
            4,
        ),
        (
            "verify reads only: no approval",
            request(RunCommand::Verify, "23", None),
            0,
        ),
        (
            "an unknown step",
            request(RunCommand::Rollback, "99", None),
            2,
        ),
        (
            "a malformed selection",
            request(RunCommand::Rollback, "2x", None),
            2,
        ),
        (
            "a gated step, no terminal, --yes: still 4",
            RunRequest {
                confirmation: Confirmation::AssumeYes,
                terminal: Terminal::Absent,
                ..request(RunCommand::Rollback, "23", None)
            },
            4,
        ),
        (
            "no terminal and no --yes",
            RunRequest {
                terminal: Terminal::Absent,
                ..request(RunCommand::Rollback, "19", None)
            },
            5,
        ),
        (
            "emergency is a rollback procedure",
            RunRequest {
                source: PlanSource::Procedure(Procedure::Emergency),
                ..request(RunCommand::Apply, "all", None)
            },
            2,
        ),
        (
            "a forward plan run as a rollback",
            request(RunCommand::Rollback, "", Some(other_direction)),
            2,
        ),
        (
            "a plan of an earlier version of the runbook",
            request(RunCommand::Rollback, "", Some(changed)),
            10,
        ),
        (
            "a plan for another database than --db",
            RunRequest {
                choices: Choices {
                    database: Some("staging".into()),
                    ..choices()
                },
                ..request(
                    RunCommand::Rollback,
                    "",
                    Some(saved(&loaded, Direction::Rollback, "19")),
                )
            },
            2,
        ),
        (
            "a run aimed at the state database",
            RunRequest {
                choices: Choices {
                    state_db: "earlybird".into(),
                    ..choices()
                },
                ..request(RunCommand::Rollback, "19", None)
            },
            2,
        ),
        (
            "a saved plan of a gated step passes the offline gate",
            request(
                RunCommand::Rollback,
                "",
                Some(saved(&loaded, Direction::Rollback, "23")),
            ),
            0,
        ),
    ];
    for (name, request, exit) in cases {
        assert_eq!(exit_of(&check(&request, &loaded)), exit, "{name}");
    }
}

/// A rollback of a saved plan of step 23, with `--steps`, `--param` and `--db` as given.
fn beside_plan(steps: Option<&str>, params: &[(&str, &str)], db: Option<&str>) -> RunRequest {
    let loaded = loaded();
    RunRequest {
        source: PlanSource::Saved {
            plan: Box::new(saved(&loaded, Direction::Rollback, "23")),
            max_drift: 0.0,
            steps: steps.map(str::to_owned),
        },
        choices: Choices {
            params: params
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            database: db.map(str::to_owned),
            ..choices()
        },
        ..request(RunCommand::Rollback, "", None)
    }
}

#[test]
fn choices_that_contradict_a_saved_plan_are_refused() {
    let loaded = loaded();
    let database = saved(&loaded, Direction::Rollback, "23").content.database;
    let cases: Vec<(&str, RunRequest, i32)> = vec![
        ("the plan alone", beside_plan(None, &[], None), 0),
        (
            "the plan's own steps",
            beside_plan(Some("23"), &[], None),
            0,
        ),
        (
            "the plan's steps spelt as a range",
            beside_plan(Some("23-23"), &[], None),
            0,
        ),
        (
            "the plan's database",
            beside_plan(None, &[], Some(&database)),
            0,
        ),
        ("other steps", beside_plan(Some("21"), &[], None), 2),
        ("more steps", beside_plan(Some("21,23"), &[], None), 2),
        ("all steps", beside_plan(Some("all"), &[], None), 2),
        (
            "steps that do not exist",
            beside_plan(Some("99"), &[], None),
            2,
        ),
        (
            "another database",
            beside_plan(None, &[], Some("staging")),
            2,
        ),
        (
            "a parameter the runbook does not declare",
            beside_plan(None, &[("org", "x")], None),
            2,
        ),
    ];
    for (name, request, exit) in cases {
        let result = check(&request, &loaded);
        assert_eq!(exit_of(&result), exit, "{name}");
        if exit == 2 {
            let message = result.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(
                message.contains("nothing was changed") || message.contains("no step \"99\""),
                "{name}: {message}"
            );
        }
    }
}

#[test]
fn prepare_decides_approval_resume_drift_and_what_to_ask() {
    use Prior::*;
    let loaded = loaded();
    struct Case {
        name: &'static str,
        steps: &'static str,
        saved: bool,
        approvers: &'static [(&'static str, i64)],
        prior: Prior,
        drifted: bool,
        exit: i32,
        resumes: bool,
    }
    const HOUR: i64 = 3_600_000;
    #[rustfmt::skip]
    let cases = [
        Case { name: "plain run, nothing earlier", steps: "19", saved: false, approvers: &[], prior: Nothing, drifted: false, exit: 0, resumes: false },
        Case { name: "plain run resumes its interrupted run", steps: "19", saved: false, approvers: &[], prior: Interrupted, drifted: false, exit: 0, resumes: true },
        Case { name: "plain run resumes its failed run", steps: "19", saved: false, approvers: &[], prior: FailedSame, drifted: false, exit: 0, resumes: true },
        Case { name: "a finished run is not resumed", steps: "19", saved: false, approvers: &[], prior: FinishedOk, drifted: false, exit: 0, resumes: false },
        Case { name: "a dead run marked running counts as interrupted", steps: "19", saved: false, approvers: &[], prior: DeadButMarkedRunning, drifted: false, exit: 0, resumes: true },
        Case { name: "a live run is not resumed", steps: "19", saved: false, approvers: &[], prior: LiveRunning, drifted: false, exit: 0, resumes: false },
        Case { name: "approved by someone else", steps: "23", saved: true, approvers: &[("alice", HOUR)], prior: Nothing, drifted: false, exit: 0, resumes: false },
        Case { name: "approved only by the operator", steps: "23", saved: true, approvers: &[("bob", HOUR)], prior: Nothing, drifted: false, exit: 4, resumes: false },
        Case { name: "the approval expired", steps: "23", saved: true, approvers: &[("alice", -60_000)], prior: Nothing, drifted: false, exit: 4, resumes: false },
        Case { name: "no approval at all", steps: "23", saved: true, approvers: &[], prior: Nothing, drifted: false, exit: 4, resumes: false },
        Case { name: "one good approval among bad ones", steps: "23", saved: true, approvers: &[("bob", HOUR), ("alice", -60_000), ("carol", HOUR)], prior: Nothing, drifted: false, exit: 0, resumes: false },
        Case { name: "approval is checked before drift", steps: "23", saved: true, approvers: &[], prior: Nothing, drifted: true, exit: 4, resumes: false },
        Case { name: "a plan without gated steps needs no approval", steps: "19", saved: true, approvers: &[], prior: Nothing, drifted: false, exit: 0, resumes: false },
        Case { name: "drift refuses a fresh run", steps: "19", saved: true, approvers: &[], prior: Nothing, drifted: true, exit: 10, resumes: false },
        Case { name: "drift is expected when resuming the plan's run", steps: "23", saved: true, approvers: &[("alice", HOUR)], prior: Interrupted, drifted: true, exit: 0, resumes: true },
        Case { name: "another plan's interrupted run does not excuse drift", steps: "19", saved: true, approvers: &[], prior: InterruptedOtherPlan, drifted: true, exit: 10, resumes: false },
        Case { name: "a finished run of the plan does not excuse drift", steps: "19", saved: true, approvers: &[], prior: FinishedOk, drifted: true, exit: 10, resumes: false },
        Case { name: "a dead run of the plan counts as interrupted: past drift", steps: "19", saved: true, approvers: &[], prior: DeadButMarkedRunning, drifted: true, exit: 0, resumes: true },
        Case { name: "a live run of the plan does not excuse drift", steps: "19", saved: true, approvers: &[], prior: LiveRunning, drifted: true, exit: 10, resumes: false },
    ];
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    for case in cases {
        let plan = case
            .saved
            .then(|| saved(&loaded, Direction::Rollback, case.steps));
        let request = request(RunCommand::Rollback, case.steps, plan.clone());
        let checked = check(&request, &loaded).expect(case.name);
        let approvals = plan.as_ref().map_or_else(Vec::new, |plan| {
            case.approvers
                .iter()
                .map(|(who, expires)| approval(plan, who, *expires))
                .collect()
        });
        let runs = prior_run(case.prior, &checked, &request)
            .into_iter()
            .collect();
        let store = MemoryStore::new(approvals, runs);
        let previews = Cell::new(0);
        let result = runtime.block_on(prepare(
            &store,
            &request,
            &checked,
            DateTime::now(),
            async || {
                previews.set(previews.get() + 1);
                Ok(predicted(if case.drifted { 2 } else { 1 }))
            },
        ));
        assert_eq!(exit_of(&result), case.exit, "{}", case.name);
        let dry_runs = usize::from(case.saved && case.exit != 4);
        assert_eq!(previews.get(), dry_runs, "{}: dry-runs made", case.name);
        let statuses: Vec<RunStatus> = store.runs().iter().map(|r| r.status).collect();
        let before: Vec<RunStatus> = prior_run(case.prior, &checked, &request)
            .iter()
            .map(|r| r.status)
            .collect();
        assert_eq!(statuses, before, "{}: preparing writes nothing", case.name);
        let Ok(prepared) = result else { continue };
        assert_eq!(prepared.resuming.is_some(), case.resumes, "{}", case.name);
        assert_eq!(prepared.plan.is_some(), case.saved, "{}", case.name);
        let approved_by = prepared
            .plan
            .as_ref()
            .and_then(|p| p.approval.as_ref())
            .map(|a| a.approver.clone());
        let gated = case.steps == "23";
        assert_eq!(
            approved_by.is_some(),
            gated,
            "{}: approval carried",
            case.name
        );
        assert_ne!(approved_by.as_deref(), Some("bob"), "{}", case.name);
    }
}

#[test]
fn the_operator_is_asked_unless_verifying_or_assuming_yes() {
    let loaded = loaded();
    let store = MemoryStore::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let losing = || {
        Some(Ask::RunbookId {
            losing: vec!["20".into()],
        })
    };
    let cases = [
        (
            "no data lost: yes or no",
            request(RunCommand::Rollback, "19", None),
            Some(Ask::YesNo),
        ),
        (
            "data lost: type the runbook id",
            request(RunCommand::Rollback, "20", None),
            losing(),
        ),
        (
            "forward asks too",
            request(RunCommand::Apply, "19", None),
            Some(Ask::YesNo),
        ),
        (
            "verify asks nothing",
            request(RunCommand::Verify, "20", None),
            None,
        ),
        (
            "--yes asks nothing",
            RunRequest {
                confirmation: Confirmation::AssumeYes,
                ..request(RunCommand::Rollback, "20", None)
            },
            None,
        ),
    ];
    for (name, request, expected) in cases {
        let checked = check(&request, &loaded).expect(name);
        let prepared = runtime
            .block_on(prepare(
                &store,
                &request,
                &checked,
                DateTime::now(),
                async || Ok(predicted(0)),
            ))
            .expect(name);
        assert_eq!(prepared.ask, expected, "{name}");
    }
}

#[test]
fn parameters_that_contradict_a_saved_plan_are_refused() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks");
    let loaded = crate::runbook::load("org-rename", &dir).expect("the shipped runbook loads");
    let plan = saved_with(
        &loaded,
        Direction::Forward,
        "1",
        &[("org", "acme"), ("new_name", "acme-new")],
    );
    let with = |params: &[(&str, &str)]| RunRequest {
        runbook: Some("org-rename".into()),
        source: PlanSource::Saved {
            plan: Box::new(plan.clone()),
            max_drift: 0.0,
            steps: None,
        },
        choices: Choices {
            params: params
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            ..choices()
        },
        ..request(RunCommand::Apply, "", None)
    };
    for (name, params, exit) in [
        ("no --param", &[][..], 0),
        ("the plan's value", &[("org", "acme")][..], 0),
        (
            "the plan's value, untrimmed",
            &[("new_name", " acme-new ")][..],
            0,
        ),
        ("another value", &[("org", "other")][..], 2),
        (
            "one right, one wrong",
            &[("org", "acme"), ("new_name", "zzz")][..],
            2,
        ),
        ("an undeclared parameter", &[("tenant", "x")][..], 2),
    ] {
        let (plan_request, _) = match with(params).plan_request(&loaded) {
            Ok(done) => done,
            Err(error) => {
                assert_eq!(error.exit_code(), exit, "{name}: {error}");
                continue;
            }
        };
        assert_eq!(exit, 0, "{name}: accepted");
        assert_eq!(
            plan_request.params.len(),
            2,
            "{name}: the plan's parameters run"
        );
    }
}
