//! Which earlier run a new attempt resumes: the one resume rule, used by the executor (to
//! continue the run) and by the gates (to let a resumed plan past the drift check). Pure.

use crate::store::runs::{RunRecord, RunStatus};

/// What a new attempt is about to run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt<'a> {
    /// `apply`, `rollback` or `verify`.
    pub command: &'a str,
    /// `forward` or `rollback`.
    pub direction: &'a str,
    /// Step ids in execution order.
    pub steps: &'a [String],
    /// The runbook's digest.
    pub digest: &'a str,
    /// The saved plan executed, if any.
    pub plan_id: Option<&'a str>,
}

/// What a new attempt does about the runs before it.
#[derive(Debug, Clone)]
pub(crate) enum Choice<'r> {
    /// Continue this run under its id.
    Resume(&'r RunRecord),
    /// Start a new run; when a stopped run of the same work is left alone, why.
    Start(Option<String>),
}

impl<'r> Choice<'r> {
    /// The run resumed, if any.
    pub(crate) fn resumed(&self) -> Option<&'r RunRecord> {
        match self {
            Choice::Resume(run) => Some(run),
            Choice::Start(_) => None,
        }
    }
}

fn same_work(run: &RunRecord, attempt: &Attempt<'_>) -> bool {
    run.command == attempt.command
        && run.direction == attempt.direction
        && run.steps == attempt.steps
        && run.digest == attempt.digest
        && run.plan_id.as_deref() == attempt.plan_id
}

/// Statuses a run can be resumed from: it stopped before its end, or its compensation did not
/// finish (a rerun finishes it from the persisted undo list).
fn stopped_before_its_end(status: RunStatus) -> bool {
    matches!(
        status,
        RunStatus::Interrupted | RunStatus::Failed | RunStatus::CompensationIncomplete
    )
}

/// From the runs of the runbook on the database (newest first): the newest run of exactly the
/// same work — command, direction, steps, runbook digest and saved plan — is resumed when it
/// stopped before its end (interrupted, failed, or compensated only in part), even if other
/// runs came in between, unless one of those changed one of its steps (then its journal no
/// longer describes the data, and a new run starts, saying so). An abandoned or finished run is
/// never resumed.
pub(crate) fn choose<'r>(recent: &'r [RunRecord], attempt: &Attempt<'_>) -> Choice<'r> {
    let Some(index) = recent.iter().position(|run| same_work(run, attempt)) else {
        return Choice::Start(None);
    };
    if !stopped_before_its_end(recent[index].status) {
        return Choice::Start(None);
    }
    match changed_since(recent, index) {
        Some(why) => Choice::Start(Some(format!(
            "{why}; a new run starts (`rollbook abandon {}` records that it will not be finished)",
            recent[index].id
        ))),
        None => Choice::Resume(&recent[index]),
    }
}

/// `rollbook resume RUN_ID`: run `id` itself, by the same rule as [`choose`], or why not.
pub(crate) fn choose_exactly<'r>(
    recent: &'r [RunRecord],
    attempt: &Attempt<'_>,
    id: &str,
) -> Result<&'r RunRecord, String> {
    let Some(index) = recent.iter().position(|run| run.id == id) else {
        return Err(format!(
            "run {id} is not among the last {} runs of this runbook on this database",
            recent.len()
        ));
    };
    let run = &recent[index];
    if !stopped_before_its_end(run.status) {
        return Err(format!(
            "run {id} ended {}: only a run that stopped before its end (interrupted, failed, or compensated only in part) can be resumed",
            run.status
        ));
    }
    if !same_work(run, attempt) {
        return Err(format!(
            "run {id} was {} of steps {} with runbook {}; this attempt does not match it",
            run.command,
            run.steps.join(","),
            run.digest
        ));
    }
    match changed_since(recent, index) {
        Some(why) => Err(why),
        None => Ok(run),
    }
}

/// Why the stopped run at `index` can no longer be resumed: a later run (other than a verify)
/// changed one of its steps, so its journal no longer describes the data.
fn changed_since(recent: &[RunRecord], index: usize) -> Option<String> {
    let candidate = &recent[index];
    let since = recent[..index].iter().find(|run| {
        run.command != "verify" && run.steps.iter().any(|s| candidate.steps.contains(s))
    })?;
    Some(format!(
        "run {} ({} of steps {}) stopped before its end, but run {} ({} of steps {}) changed the same steps since, so it is not resumed",
        candidate.id,
        candidate.command,
        candidate.steps.join(","),
        since.id,
        since.command,
        since.steps.join(","),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::DateTime;

    fn run(status: RunStatus) -> RunRecord {
        RunRecord {
            id: "r1".into(),
            command: "rollback".into(),
            runbook: "steps-19-30".into(),
            digest: "sha256:a".into(),
            database: "earlybird".into(),
            direction: "rollback".into(),
            steps: vec!["23".into(), "22".into()],
            params: std::collections::BTreeMap::new(),
            operator: "bob".into(),
            db_user: None,
            plan_id: Some("p1".into()),
            host: "h".into(),
            pid: 1,
            started_at: DateTime::from_millis(0),
            heartbeat_at: DateTime::from_millis(0),
            finished_at: None,
            status,
            exit_code: None,
            error: None,
            resumed_at: Vec::new(),
            continue_on_error: false,
            undo: None,
        }
    }

    #[test]
    fn only_the_same_work_stopped_before_its_end_is_resumed() {
        let steps = vec!["23".to_owned(), "22".to_owned()];
        let other_steps = vec!["22".to_owned(), "23".to_owned()];
        let same = Attempt {
            command: "rollback",
            direction: "rollback",
            steps: &steps,
            digest: "sha256:a",
            plan_id: Some("p1"),
        };
        let cases: Vec<(&str, RunStatus, Attempt<'_>, bool)> = vec![
            ("interrupted, same work", RunStatus::Interrupted, same, true),
            ("failed, same work", RunStatus::Failed, same, true),
            ("finished ok", RunStatus::Ok, same, false),
            ("still running", RunStatus::Running, same, false),
            ("compensated", RunStatus::Compensated, same, false),
            ("verify failed", RunStatus::VerifyFailed, same, false),
            ("manual pending", RunStatus::ManualPending, same, false),
            (
                "compensation incomplete",
                RunStatus::CompensationIncomplete,
                same,
                true,
            ),
            (
                "other command",
                RunStatus::Interrupted,
                Attempt {
                    command: "apply",
                    ..same
                },
                false,
            ),
            (
                "other direction",
                RunStatus::Interrupted,
                Attempt {
                    direction: "forward",
                    ..same
                },
                false,
            ),
            (
                "other step order",
                RunStatus::Interrupted,
                Attempt {
                    steps: &other_steps,
                    ..same
                },
                false,
            ),
            (
                "runbook changed",
                RunStatus::Interrupted,
                Attempt {
                    digest: "sha256:b",
                    ..same
                },
                false,
            ),
            (
                "another plan",
                RunStatus::Interrupted,
                Attempt {
                    plan_id: Some("p2"),
                    ..same
                },
                false,
            ),
            (
                "without the plan",
                RunStatus::Interrupted,
                Attempt {
                    plan_id: None,
                    ..same
                },
                false,
            ),
        ];
        for (name, status, attempt, expected) in cases {
            let latest = [run(status)];
            assert_eq!(
                choose(&latest, &attempt).resumed().is_some(),
                expected,
                "{name}"
            );
        }
        assert!(
            matches!(choose(&[], &same), Choice::Start(None)),
            "no earlier run"
        );
    }

    #[test]
    fn a_run_without_a_plan_resumes_a_run_without_one() {
        let mut latest = run(RunStatus::Interrupted);
        latest.plan_id = None;
        let steps = latest.steps.clone();
        let attempt = Attempt {
            command: "rollback",
            direction: "rollback",
            steps: &steps,
            digest: "sha256:a",
            plan_id: None,
        };
        assert_eq!(
            choose(&[latest], &attempt).resumed().map(|r| r.id.as_str()),
            Some("r1")
        );
    }

    #[test]
    fn runs_in_between_do_not_hide_a_stopped_run_unless_they_changed_its_steps() {
        let interrupted = run(RunStatus::Interrupted);
        let steps = interrupted.steps.clone();
        let attempt = Attempt {
            command: "rollback",
            direction: "rollback",
            steps: &steps,
            digest: "sha256:a",
            plan_id: Some("p1"),
        };
        let later = |id: &str, command: &str, steps: &[&str], status: RunStatus| RunRecord {
            id: id.into(),
            command: command.into(),
            steps: steps.iter().map(|s| (*s).to_owned()).collect(),
            plan_id: None,
            status,
            ..run(status)
        };
        let cases: Vec<(&str, Vec<RunRecord>, Option<&str>, bool)> = vec![
            (
                "another step ran since",
                vec![later("r2", "rollback", &["19"], RunStatus::Ok)],
                Some("r1"),
                false,
            ),
            (
                "a verify of the same steps ran since",
                vec![later("r2", "verify", &["23"], RunStatus::Ok)],
                Some("r1"),
                false,
            ),
            (
                "a forward of one of its steps ran since",
                vec![later("r2", "apply", &["22"], RunStatus::Ok)],
                None,
                true,
            ),
            ("an abandoned run is never resumed", vec![], None, false),
            (
                "a finished run of the same work since",
                vec![RunRecord {
                    id: "r3".into(),
                    status: RunStatus::Ok,
                    ..run(RunStatus::Ok)
                }],
                None,
                false,
            ),
        ];
        for (name, mut recent, resumed, explained) in cases {
            let mut stopped = interrupted.clone();
            if name.contains("abandoned") {
                stopped.status = RunStatus::Abandoned;
            }
            recent.push(stopped);
            let choice = choose(&recent, &attempt);
            assert_eq!(choice.resumed().map(|r| r.id.as_str()), resumed, "{name}");
            let why = matches!(&choice, Choice::Start(Some(why)) if why.contains("r1") && why.contains("abandon r1"));
            assert_eq!(why, explained, "{name}: {choice:?}");
        }
    }

    #[test]
    fn resume_by_id_takes_exactly_that_run_or_says_why_not() {
        let stopped = run(RunStatus::Interrupted);
        let steps = stopped.steps.clone();
        let attempt = Attempt {
            command: "rollback",
            direction: "rollback",
            steps: &steps,
            digest: "sha256:a",
            plan_id: Some("p1"),
        };
        let newer = RunRecord {
            id: "r2".into(),
            ..run(RunStatus::Interrupted)
        };
        // Two stopped runs of the same work: a rerun takes the newer; resume takes the one named,
        // unless the newer changed its steps since.
        let recent = [newer.clone(), stopped.clone()];
        assert_eq!(
            choose(&recent, &attempt).resumed().map(|r| r.id.as_str()),
            Some("r2")
        );
        let older = choose_exactly(&recent, &attempt, "r1");
        assert!(
            older
                .as_ref()
                .is_err_and(|why| why.contains("run r2") && why.contains("changed the same steps")),
            "{older:?}"
        );
        assert_eq!(
            choose_exactly(&recent, &attempt, "r2").map(|r| r.id.as_str()),
            Ok("r2")
        );
        let missing = choose_exactly(&recent, &attempt, "r9");
        assert!(missing.is_err_and(|why| why.contains("not among the last 2 runs")));
        let finished = [run(RunStatus::Ok)];
        let ended = choose_exactly(&finished, &attempt, "r1");
        assert!(ended.is_err_and(|why| why.contains("ended ok")));
        let other = Attempt {
            digest: "sha256:b",
            ..attempt
        };
        let alone = [stopped.clone()];
        let changed = choose_exactly(&alone, &other, "r1");
        assert!(changed.is_err_and(|why| why.contains("does not match")));
        let incomplete = [run(RunStatus::CompensationIncomplete)];
        assert!(choose_exactly(&incomplete, &attempt, "r1").is_ok());
    }
}
