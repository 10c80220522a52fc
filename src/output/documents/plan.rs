//! The documents of `plan` and `approve`: a saved plan's dry-run, and an approval of it.

use std::path::Path;

use serde::Serialize;

use super::RunbookRef;
use crate::plan::dry_run::StepPreview;
use crate::plan::SkippedStep;
use crate::runbook::model::Direction;
use crate::store::approvals::Approval;

/// `plan`: what each selected step would change, under the plan's id and digest.
#[derive(Debug, Serialize)]
pub(crate) struct PlanDocument<'a> {
    /// The plan's id (derived from its digest).
    pub(crate) plan_id: &'a str,
    /// `sha256:…` of the plan's content.
    pub(crate) plan_digest: &'a str,
    /// The runbook planned.
    pub(crate) runbook: RunbookRef<'a>,
    /// The target database.
    pub(crate) database: &'a str,
    /// The direction planned.
    pub(crate) direction: Direction,
    /// The dry-run of each step that would run.
    pub(crate) steps: &'a [StepPreview],
    /// Selected steps that would not run, and why.
    pub(crate) skipped: &'a [SkippedStep],
    /// The steps that need an approval before the plan may run.
    pub(crate) approvals_required: &'a [String],
    /// Where the plan was saved; null when it was not.
    pub(crate) saved_to: Option<&'a Path>,
}

/// `approve`: the approval recorded.
#[derive(Debug, Serialize)]
pub(crate) struct ApproveDocument<'a> {
    /// The approval, as stored.
    pub(crate) approval: &'a Approval,
    /// The server the plan's database was found on when it was approved.
    pub(crate) server: String,
    /// What was approved: the plan's steps with their predicted counts and data loss.
    pub(crate) steps: &'a [StepPreview],
}

/// `approvals list`.
#[derive(Debug, Serialize)]
pub(crate) struct ApprovalsDocument<'a> {
    /// Newest first.
    pub(crate) approvals: &'a [Approval],
}

/// `approvals revoke`.
#[derive(Debug, Serialize)]
pub(crate) struct RevokeDocument<'a> {
    /// The plan.
    pub(crate) plan_id: &'a str,
    /// The approvals revoked, as they were.
    pub(crate) revoked: &'a [Approval],
    /// Who, when and why.
    pub(crate) revocation: &'a crate::store::approvals::Revocation,
}
