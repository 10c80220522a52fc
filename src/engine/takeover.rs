//! Taking a target database's lock for one attempt: the lease, and the server work that the
//! attempts before it left running.

use std::time::Duration;

use super::Engine;
use crate::error::{Error, Result};
use crate::plan::RunPlan;
use crate::server_work;
use crate::store::lock::{Claim, Lease};

/// How long a takeover waits for the killed operations of the attempt before it to end.
const ORPHANS_PATIENCE: Duration = Duration::from_secs(60);

impl Engine<'_> {
    /// Takes the lock of the plan's database for this attempt. When it takes over from an
    /// earlier holder, that holder's commands may still run on the server: they are stopped
    /// (`killOp`) and waited for before anything is written.
    pub(super) async fn take_lock(&self, plan: &RunPlan, provisional: &str) -> Result<Lease> {
        let lease = Lease::acquire(
            self.client,
            Claim {
                database: &plan.database,
                runbook: &plan.runbook_id,
                run_id: provisional,
                operator: &self.options.operator,
                state_db: self.store.database().name(),
            },
        )
        .await?;
        if let Some((previous, generation)) = &lease.took_over_from {
            tracing::warn!(
                "took over the lock of run {previous} (attempt {generation}), whose lease had expired or whose process is gone"
            );
            let own = server_work::comment(&plan.database, provisional, lease.generation());
            match server_work::stop_orphans(self.client, &plan.database, &own, ORPHANS_PATIENCE)
                .await
            {
                Ok(stopped) if !stopped.is_empty() => tracing::warn!(
                    "stopped {} operation(s) of the earlier attempt still running on the server",
                    stopped.len()
                ),
                Ok(_) => {}
                Err(e @ Error::Concurrent(_)) => {
                    if let Err(release) = lease.release().await {
                        tracing::warn!("cannot release the lock: {release}");
                    }
                    return Err(e);
                }
                Err(e) => tracing::warn!("cannot look for operations of the earlier attempt: {e}"),
            }
        }
        Ok(lease)
    }
}
