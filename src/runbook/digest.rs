//! The content digest of a runbook: stable under formatting and comments, changed by any
//! change of meaning (including key order inside MongoDB documents, which is significant).

use sha2::{Digest, Sha256};

use super::model::Runbook;

/// `sha256:<hex>` of the runbook's canonical JSON form.
#[must_use]
pub(crate) fn of(runbook: &Runbook) -> String {
    let canonical = serde_json::to_vec(runbook).unwrap_or_default();
    format!("sha256:{}", hex::encode(Sha256::digest(&canonical)))
}
