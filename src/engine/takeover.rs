//! Taking a target database's lock for one attempt: the lease, and the server work that the
//! attempts before it left running.

use std::time::Duration;

use super::Engine;
use crate::error::{Error, Result};
use crate::plan::RunPlan;
use crate::server_work;
use crate::store::lock::{Claim, Lease};
use crate::store::Store;

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
        if let Err(e) = self.check_last_holder(plan, &lease).await {
            if let Err(release) = lease.release().await {
                tracing::warn!("cannot release the lock: {release}");
            }
            return Err(e);
        }
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

    /// Refuses (exit 11) to go on when the state database this run records into does not know
    /// the run that last held the target's lock: the state was dropped or replaced, or that run
    /// recorded into another state database. Either way this state cannot tell what was done to
    /// the target (its snapshots, its steps), and going on could lose data.
    async fn check_last_holder(&self, plan: &RunPlan, lease: &Lease) -> Result<()> {
        let Some(last) = &lease.last_holder else {
            return Ok(());
        };
        let ours = self.store.database().name();
        let accept = format!(
            "once the data is checked by hand, `rollbook unlock {} --db {} --accept-state` lets runs go on with the state as it is; nothing was changed",
            plan.runbook_id, plan.database
        );
        if last.state_db == ours {
            if self.store.run(&last.run_id).await?.is_some() {
                return Ok(());
            }
            return Err(Error::StateConflict(format!(
                "the state database {ours} has no record of run {}, which last held the lock of database {}: the state was dropped or replaced, so rollbook cannot tell what was done to {} (its snapshots and step states are gone); restore the state database from a backup, or {accept}",
                last.run_id, plan.database, plan.database
            )));
        }
        let theirs = Store::read_only(self.client.database(&last.state_db));
        let known = theirs.run(&last.run_id).await?.is_some();
        Err(Error::StateConflict(if known {
            format!(
                "database {} was last changed by run {}, recorded in the state database {}; this run records into {ours}, which does not know what that run did (its snapshots and step states): pass --state-db {}, or {accept}",
                plan.database, last.run_id, last.state_db, last.state_db
            )
        } else {
            format!(
                "run {}, which last held the lock of database {}, recorded into the state database {}, which no longer has it (dropped or replaced?), and this run records into {ours}: neither can tell what was done to {}; restore {} from a backup, or {accept}",
                last.run_id, plan.database, last.state_db, plan.database, last.state_db
            )
        }))
    }
}
