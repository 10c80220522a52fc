//! Saved plans: a resolved plan with its predicted counts, written by `plan --out`, approved
//! by `approve`, executed exactly by `apply|rollback --plan`. Its digest covers everything in
//! it, so an edited file is detected.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::dry_run::PlanPreview;
use crate::error::{Error, Result};
use crate::runbook::model::Direction;

/// Version of the plan file format.
pub(crate) const PLAN_SCHEMA: u32 = 1;

/// A plan file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPlan {
    /// Plan file format version.
    pub schema: u32,
    /// `p-` and the first 16 hex digits of the digest.
    pub plan_id: String,
    /// `sha256:` of the plan's content (everything but `plan_id` and `digest`).
    pub digest: String,
    /// The content.
    #[serde(flatten)]
    pub content: PlanContent,
}

/// What a plan says.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlanContent {
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// Who made it.
    pub created_by: String,
    /// Runbook id.
    pub runbook: String,
    /// Runbook digest the plan was made from.
    pub runbook_digest: String,
    /// Target database.
    pub database: String,
    /// Direction.
    pub direction: Direction,
    /// The `--steps` selection.
    pub steps: String,
    /// Parameter assignments as given.
    pub params: BTreeMap<String, String>,
    /// Go on past failed steps (emergency plans).
    pub continue_on_error: bool,
    /// Transaction limit the predictions were made with.
    pub transaction_limit: u64,
    /// Step ids that need an approval.
    pub approvals_required: Vec<String>,
    /// The dry-run: per step and action, the predicted counts.
    pub preview: PlanPreview,
}

fn digest_of(content: &PlanContent) -> String {
    let canonical = serde_json::to_vec(content).unwrap_or_default();
    format!("sha256:{}", hex::encode(Sha256::digest(&canonical)))
}

impl SavedPlan {
    /// Seals content into a plan with its digest and id.
    #[must_use]
    pub fn new(content: PlanContent) -> Self {
        let digest = digest_of(&content);
        let plan_id = format!("p-{}", &digest["sha256:".len().."sha256:".len() + 16]);
        SavedPlan {
            schema: PLAN_SCHEMA,
            plan_id,
            digest,
            content,
        }
    }

    /// Writes the plan as pretty JSON.
    pub(crate) fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(|e| Error::Usage(e.to_string()))?;
        std::fs::write(path, text + "\n")
            .map_err(|e| Error::io(format!("cannot write the plan to {}", path.display()), e))
    }

    /// Reads a plan and checks that its digest matches its content.
    pub(crate) fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::Usage(format!(
                    "plan file {} does not exist; nothing was changed",
                    path.display()
                ))
            } else {
                Error::io(format!("cannot read the plan {}", path.display()), e)
            }
        })?;
        let plan: SavedPlan = serde_json::from_str(&text)
            .map_err(|e| Error::Usage(format!("{} is not a rollbook plan: {e}", path.display())))?;
        plan.check_integrity()?;
        Ok(plan)
    }

    /// Refuses a plan whose content no longer matches its digest.
    pub(crate) fn check_integrity(&self) -> Result<()> {
        if self.schema != PLAN_SCHEMA {
            return Err(Error::Usage(format!(
                "plan schema {} is not supported (expected {PLAN_SCHEMA})",
                self.schema
            )));
        }
        let actual = digest_of(&self.content);
        if actual != self.digest
            || !self.digest.starts_with("sha256:")
            || SavedPlan::new(self.content.clone()).plan_id != self.plan_id
        {
            return Err(Error::PlanDrift(format!(
                "plan {} was modified after it was made (its content no longer matches its digest); make a new plan; nothing was changed",
                self.plan_id
            )));
        }
        Ok(())
    }
}

/// Differences between a plan's predictions and a fresh dry-run beyond `max_drift_percent`.
#[must_use]
pub(crate) fn drift(
    planned: &PlanPreview,
    now: &PlanPreview,
    max_drift_percent: f64,
) -> Vec<String> {
    let mut differences = Vec::new();
    if planned.steps.len() != now.steps.len() {
        differences.push(format!(
            "the plan has {} steps, the runbook now gives {}",
            planned.steps.len(),
            now.steps.len()
        ));
        return differences;
    }
    for (a, b) in planned.steps.iter().zip(&now.steps) {
        if a.id != b.id || a.actions.len() != b.actions.len() {
            differences.push(format!("step {} changed shape", a.id));
            continue;
        }
        for (index, (x, y)) in a.actions.iter().zip(&b.actions).enumerate() {
            let (Some(then), Some(now)) = (x.affected, y.affected) else {
                continue;
            };
            let allowed = (then as f64 * max_drift_percent / 100.0).floor();
            if (then as f64 - now as f64).abs() > allowed {
                differences.push(format!(
                    "step {} action {} ({} {}): planned {then}, now {now}",
                    a.id,
                    index,
                    x.kind,
                    x.collection.as_deref().unwrap_or("")
                ));
            }
        }
    }
    differences
}
