//! Which earlier run a new attempt resumes: the one resume predicate, used by the executor (to
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

/// The run `attempt` resumes: the latest run of the runbook on the database, when it stopped
/// before the end (interrupted, or failed) and ran exactly the same thing — command, direction,
/// steps, runbook digest and saved plan. Anything else starts a new run.
pub(crate) fn resumable<'r>(
    latest: Option<&'r RunRecord>,
    attempt: &Attempt<'_>,
) -> Option<&'r RunRecord> {
    latest.filter(|run| {
        matches!(run.status, RunStatus::Interrupted | RunStatus::Failed)
            && run.command == attempt.command
            && run.direction == attempt.direction
            && run.steps == attempt.steps
            && run.digest == attempt.digest
            && run.plan_id.as_deref() == attempt.plan_id
    })
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
            let latest = run(status);
            assert_eq!(
                resumable(Some(&latest), &attempt).is_some(),
                expected,
                "{name}"
            );
        }
        assert!(resumable(None, &same).is_none(), "no earlier run");
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
            resumable(Some(&latest), &attempt).map(|r| r.id.as_str()),
            Some("r1")
        );
    }
}
