//! Approvals of saved plans, and recorded plans, in the state database. (Whether an approval
//! is valid for a run is decided where plans live: `plan::approval`.)

use mongodb::bson::{self, doc, DateTime, Document};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::error::{Error, Result};

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
    /// Set once it was revoked: it lets nothing run any more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<Revocation>,
}

/// Who revoked an approval, when and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revocation {
    /// Who (their operator name).
    pub by: String,
    /// When.
    pub at: DateTime,
    /// Why.
    pub reason: String,
}

impl Store {
    /// Records a plan (any serializable form) under `plan_id`, so it can be approved again by id.
    pub(crate) async fn record_plan<P: Serialize>(&self, plan_id: &str, plan: &P) -> Result<()> {
        let document = bson::to_document(plan).map_err(|e| Error::Usage(e.to_string()))?;
        self.collection("plans")
            .replace_one(doc! {"_id": plan_id}, document)
            .upsert(true)
            .await
            .map_err(|e| Error::database("cannot record the plan", e))?;
        Ok(())
    }

    /// A recorded plan by id.
    pub(crate) async fn plan_by_id<P: serde::de::DeserializeOwned>(
        &self,
        plan_id: &str,
    ) -> Result<Option<P>> {
        let found = self
            .collection("plans")
            .find_one(doc! {"_id": plan_id})
            .await
            .map_err(|e| Error::database("cannot read the plan", e))?;
        let Some(mut document) = found else {
            return Ok(None);
        };
        document.remove("_id");
        let plan: P = bson::from_document(document)
            .map_err(|e| Error::Usage(format!("recorded plan {plan_id} is unreadable: {e}")))?;
        Ok(Some(plan))
    }

    /// Records an approval.
    pub(crate) async fn record_approval(&self, approval: &Approval) -> Result<()> {
        let document = bson::to_document(approval).map_err(|e| Error::Usage(e.to_string()))?;
        self.collection("approvals")
            .insert_one(document)
            .await
            .map_err(|e| Error::database("cannot record the approval", e))?;
        Ok(())
    }

    /// Every approval of a plan.
    pub(crate) async fn approvals_for(&self, plan_id: &str) -> Result<Vec<Approval>> {
        self.find_approvals(doc! {"plan_id": plan_id}, None).await
    }

    /// Approvals, newest first (of one runbook, when given), at most `limit`.
    pub(crate) async fn approvals(
        &self,
        runbook: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Approval>> {
        let filter = runbook.map_or_else(Document::new, |id| doc! {"runbook": id});
        self.find_approvals(filter, Some(limit)).await
    }

    /// The approvals `filter` matches; with a `limit`, only that many of the newest.
    async fn find_approvals(&self, filter: Document, limit: Option<i64>) -> Result<Vec<Approval>> {
        use futures_util::TryStreamExt;
        let failed = |e| Error::database("cannot read approvals", e);
        let approvals = self.collection("approvals");
        let mut find = approvals.find(filter);
        if let Some(limit) = limit {
            find = find.sort(doc! {"created_at": -1}).limit(limit);
        }
        let documents: Vec<Document> = find
            .await
            .map_err(failed)?
            .try_collect()
            .await
            .map_err(failed)?;
        Ok(documents
            .into_iter()
            .filter_map(|d| bson::from_document(d).ok())
            .collect())
    }

    /// Revokes every approval of `plan_id` not revoked yet; returns those it revoked.
    pub(crate) async fn revoke_approvals(
        &self,
        plan_id: &str,
        revocation: &Revocation,
    ) -> Result<Vec<Approval>> {
        let open = self
            .find_approvals(
                doc! {"plan_id": plan_id, "revoked": {"$exists": false}},
                None,
            )
            .await?;
        let revocation_doc =
            bson::to_document(revocation).map_err(|e| Error::Usage(e.to_string()))?;
        self.collection("approvals")
            .update_many(
                doc! {"plan_id": plan_id, "revoked": {"$exists": false}},
                doc! {"$set": {"revoked": revocation_doc}},
            )
            .await
            .map_err(|e| Error::database("cannot revoke the approvals", e))?;
        Ok(open)
    }
}

/// The user the client is authenticated as, when the server uses authentication.
pub(crate) async fn authenticated_user(client: &mongodb::Client) -> Option<String> {
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
