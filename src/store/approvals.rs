//! Approvals of saved plans, and the rule that decides whether one is valid for a run.

use mongodb::bson::{self, doc, DateTime, Document};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::error::{Error, Result};
use crate::plan::saved::SavedPlan;

/// Default lifetime of an approval.
pub const DEFAULT_LIFETIME_SECS: i64 = 3600;

/// One approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    /// The approved plan's id.
    pub plan_id: String,
    /// The approved plan's digest: the approval holds for exactly that content.
    pub plan_digest: String,
    /// Runbook id.
    pub runbook: String,
    /// Target database.
    pub database: String,
    /// Who approved (their operator name).
    pub approver: String,
    /// The database user they were authenticated as, when the server uses authentication.
    #[serde(default)]
    pub db_user: Option<String>,
    /// Why.
    pub reason: String,
    /// Ticket or incident reference.
    #[serde(default)]
    pub ticket: Option<String>,
    /// When.
    pub created_at: DateTime,
    /// Until when it holds.
    pub expires_at: DateTime,
}

/// Picks a valid approval for running `plan` as `operator` at `now`, or says why there is none.
pub fn valid_approval<'a>(
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
    let by_others: Vec<&Approval> = for_digest
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

impl Store {
    /// Records a plan so it can be approved again by id.
    pub async fn record_plan(&self, plan: &SavedPlan) -> Result<()> {
        let document = bson::to_document(plan).map_err(|e| Error::Usage(e.to_string()))?;
        self.collection("plans")
            .replace_one(doc! {"_id": &plan.plan_id}, document)
            .upsert(true)
            .await
            .map_err(|e| Error::database("cannot record the plan", e))?;
        Ok(())
    }

    /// A recorded plan by id.
    pub async fn plan_by_id(&self, plan_id: &str) -> Result<Option<SavedPlan>> {
        let found = self
            .collection("plans")
            .find_one(doc! {"_id": plan_id})
            .await
            .map_err(|e| Error::database("cannot read the plan", e))?;
        let Some(mut document) = found else {
            return Ok(None);
        };
        document.remove("_id");
        let plan: SavedPlan = bson::from_document(document)
            .map_err(|e| Error::Usage(format!("recorded plan {plan_id} is unreadable: {e}")))?;
        Ok(Some(plan))
    }

    /// Records an approval.
    pub async fn record_approval(&self, approval: &Approval) -> Result<()> {
        let document = bson::to_document(approval).map_err(|e| Error::Usage(e.to_string()))?;
        self.collection("approvals")
            .insert_one(document)
            .await
            .map_err(|e| Error::database("cannot record the approval", e))?;
        Ok(())
    }

    /// Every approval of a plan.
    pub async fn approvals_for(&self, plan_id: &str) -> Result<Vec<Approval>> {
        use futures_util::TryStreamExt;
        let documents: Vec<Document> = self
            .collection("approvals")
            .find(doc! {"plan_id": plan_id})
            .await
            .map_err(|e| Error::database("cannot read approvals", e))?
            .try_collect()
            .await
            .map_err(|e| Error::database("cannot read approvals", e))?;
        Ok(documents
            .into_iter()
            .filter_map(|d| bson::from_document(d).ok())
            .collect())
    }
}

/// The user the client is authenticated as, when the server uses authentication.
pub async fn authenticated_user(client: &mongodb::Client) -> Option<String> {
    let status = client
        .database("admin")
        .run_command(doc! {"connectionStatus": 1})
        .await
        .ok()?;
    let users = status
        .get_document("authInfo")
        .ok()?
        .get_array("authenticatedUsers")
        .ok()?;
    let first = users.first()?.as_document()?;
    Some(format!(
        "{}@{}",
        first.get_str("user").ok()?,
        first.get_str("db").unwrap_or("admin")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::dry_run::PlanPreview;
    use crate::plan::saved::PlanContent;
    use crate::runbook::model::Direction;

    fn plan() -> SavedPlan {
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

    fn approval(plan: &SavedPlan, approver: &str, expires_in_ms: i64) -> Approval {
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
        let expired = [approval(&plan, "carol", -1)];
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
}
