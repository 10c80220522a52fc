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

/// From the runs of the runbook on the database (newest first): the newest run of exactly the
/// same work — command, direction, steps, runbook digest and saved plan — is resumed when it
/// stopped before its end (interrupted, or failed), even if other runs came in between, unless
/// one of those changed one of its steps (then its journal no longer describes the data, and a
/// new run starts, saying so). An abandoned or finished run is never resumed.
pub(crate) fn choose<'r>(recent: &'r [RunRecord], attempt: &Attempt<'_>) -> Choice<'r> {
    let Some(index) = recent.iter().position(|run| same_work(run, attempt)) else {
        return Choice::Start(None);
    };
    let candidate = &recent[index];
    if !matches!(candidate.status, RunStatus::Interrupted | RunStatus::Failed) {
        return Choice::Start(None);
    }
    let since = recent[..index].iter().find(|run| {
        run.command != "verify" && run.steps.iter().any(|s| candidate.steps.contains(s))
    });
    match since {
        Some(since) => Choice::Start(Some(format!(
            "run {} ({} of steps {}) stopped before its end, but run {} ({} of steps {}) changed the same steps since, so it is not resumed; a new run starts (`rollbook abandon {}` records that it will not be finished)",
            candidate.id,
            candidate.command,
            candidate.steps.join(","),
            since.id,
            since.command,
            since.steps.join(","),
            candidate.id
        ))),
        None => Choice::Resume(candidate),
    }
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
                false,
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
}
