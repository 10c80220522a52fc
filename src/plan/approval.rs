//! Whether an approval lets a saved plan run: for exactly its digest, by someone other than the
//! operator, not expired. A pure decision over the approvals the store holds.

use crate::plan::saved::SavedPlan;
use crate::store::approvals::Approval;
use mongodb::bson::DateTime;

/// Picks a valid approval for running `plan` as `operator` at `now`, or says why there is none.
pub(crate) fn valid_approval<'a>(
    approvals: &'a [Approval],
    plan: &SavedPlan,
    operator: &str,
    now: DateTime,
) -> Result<&'a Approval, String> {
    let for_digest: Vec<&Approval> = approvals
        .iter()
        .filter(|a| a.plan_digest == plan.digest)
        .collect();
    if for_digest.is_empty() {
        return Err(if approvals.is_empty() {
            format!("plan {} has no approval", plan.plan_id)
        } else {
            format!(
                "plan {}'s approvals are for different content (digest mismatch)",
                plan.plan_id
            )
        });
    }
    let standing: Vec<&Approval> = for_digest
        .iter()
        .copied()
        .filter(|a| a.revoked.is_none())
        .collect();
    if standing.is_empty() {
        let revoked = for_digest.iter().find_map(|a| a.revoked.as_ref());
        return Err(match revoked {
            Some(r) => format!(
                "plan {}'s approval was revoked by {}: {}",
                plan.plan_id, r.by, r.reason
            ),
            None => format!("plan {} has no approval", plan.plan_id),
        });
    }
    let by_others: Vec<&Approval> = standing
        .into_iter()
        .filter(|a| a.approver != operator)
        .collect();
    if by_others.is_empty() {
        return Err(format!(
            "plan {} is approved only by {operator}, who is running it; someone else must approve",
            plan.plan_id
        ));
    }
    by_others
        .into_iter()
        .filter(|a| a.expires_at > now)
        .max_by_key(|a| a.expires_at)
        .ok_or_else(|| format!("plan {}'s approvals have expired", plan.plan_id))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::plan::dry_run::PlanPreview;
    use crate::plan::saved::PlanContent;
    use crate::runbook::model::Direction;
    use mongodb::bson::DateTime;

    /// A saved plan of step 23, for tests of approvals.
    pub(crate) fn plan() -> SavedPlan {
        SavedPlan::new(PlanContent {
            created_at: "2026-01-01T00:00:00Z".into(),
            created_by: "alice".into(),
            runbook: "steps-19-30".into(),
            runbook_digest: "sha256:x".into(),
            database: "earlybird".into(),
            direction: Direction::Rollback,
            steps: "23".into(),
            params: Default::default(),
            continue_on_error: false,
            transaction_limit: 10_000,
            approvals_required: vec!["23".into()],
            preview: PlanPreview { steps: vec![] },
        })
    }

    /// An approval of `plan` by `approver`, expiring `expires_in_ms` from now.
    pub(crate) fn approval(plan: &SavedPlan, approver: &str, expires_in_ms: i64) -> Approval {
        let now = DateTime::now();
        Approval {
            plan_id: plan.plan_id.clone(),
            plan_digest: plan.digest.clone(),
            runbook: "steps-19-30".into(),
            database: "earlybird".into(),
            approver: approver.into(),
            db_user: None,
            reason: "finance said so".into(),
            ticket: None,
            created_at: now,
            expires_at: DateTime::from_millis(now.timestamp_millis() + expires_in_ms),
            revoked: None,
        }
    }

    #[test]
    fn only_an_unexpired_approval_by_someone_else_for_this_digest_counts() {
        let plan = plan();
        let now = DateTime::now();
        assert!(valid_approval(&[], &plan, "bob", now)
            .unwrap_err()
            .contains("no approval"));
        let own = [approval(&plan, "bob", 60_000)];
        assert!(valid_approval(&own, &plan, "bob", now)
            .unwrap_err()
            .contains("someone else"));
        let expired = [approval(&plan, "carol", -60_000)];
        assert!(valid_approval(&expired, &plan, "bob", now)
            .unwrap_err()
            .contains("expired"));
        let mut other = approval(&plan, "carol", 60_000);
        other.plan_digest = "sha256:other".into();
        assert!(valid_approval(&[other], &plan, "bob", now)
            .unwrap_err()
            .contains("digest"));
        let good = [
            approval(&plan, "bob", 60_000),
            approval(&plan, "carol", 60_000),
        ];
        assert_eq!(
            valid_approval(&good, &plan, "bob", now).unwrap().approver,
            "carol"
        );
    }

    #[test]
    fn a_revoked_approval_lets_nothing_run() {
        let plan = plan();
        let now = DateTime::now();
        let mut revoked = approval(&plan, "carol", 60_000);
        revoked.revoked = Some(crate::store::approvals::Revocation {
            by: "dave".into(),
            at: now,
            reason: "wrong window".into(),
        });
        let why = valid_approval(std::slice::from_ref(&revoked), &plan, "bob", now).unwrap_err();
        assert!(why.contains("revoked by dave: wrong window"), "{why}");
        // Another approval that still stands does.
        let both = [revoked, approval(&plan, "erin", 60_000)];
        assert_eq!(
            valid_approval(&both, &plan, "bob", now).unwrap().approver,
            "erin"
        );
    }
}
