//! A step in one transaction: all of its writes, their journal entries, snapshot registrations
//! and the step's state commit together or not at all, retried on transient errors.

use std::time::Instant;

use mongodb::bson::doc;
use mongodb::ClientSession;

use super::compensation::Completed;
use super::keys::{elapsed_ms, step_key, target_of};
use super::{transaction, Engine, RunEvent};
use crate::actions::documents::DocumentWrite;
use crate::actions::snapshot::{self, Taken};
use crate::actions::{self, ActionOutcome};
use crate::error::{Error, Result};
use crate::plan::{PlannedStep, RunPlan};
use crate::runbook::model::{Action, TransactionMode};
use crate::store::journal::ActionKey;

impl Engine<'_> {
    /// Whether a step runs in one transaction (the same decision `plan` shows).
    pub(super) async fn use_transaction(
        &self,
        plan: &RunPlan,
        planned: &PlannedStep,
        run_id: &str,
    ) -> Result<bool> {
        let step = &planned.step;
        let mut writes = 0;
        if step.transaction == TransactionMode::Auto
            && planned.actions.iter().all(Action::can_run_in_transaction)
        {
            for (index, action) in planned.actions.iter().enumerate() {
                if let Some(write) = DocumentWrite::of(action, &plan.database)? {
                    let budget = (self.options.transaction_limit + 1).saturating_sub(writes);
                    writes += actions::documents::count_up_to(
                        &self.context(plan, run_id, &step.id, index),
                        &write,
                        budget,
                    )
                    .await?;
                    if writes > self.options.transaction_limit {
                        break;
                    }
                }
            }
        }
        Ok(crate::plan::dry_run::decide_transaction(
            step.transaction,
            &planned.actions,
            writes,
            self.options.transaction_limit,
        ))
    }

    /// All of the step's writes, their journal entries, snapshot registrations and the step's
    /// state in one transaction. Snapshot data is saved before it (`$out` cannot run inside).
    pub(super) async fn step_in_transaction(
        &self,
        plan: &RunPlan,
        planned: &PlannedStep,
        run_id: &str,
        completed: &mut Vec<Completed>,
        warnings: &mut Vec<String>,
    ) -> Result<Option<Vec<ActionOutcome>>> {
        let step = &planned.step;
        let mut taken: Vec<Option<Taken>> = Vec::new();
        for (index, action) in planned.actions.iter().enumerate() {
            taken.push(if action.is_destructive() {
                snapshot::take(&self.context(plan, run_id, &step.id, index), action).await?
            } else {
                None
            });
        }
        let mut session = transaction::session(self.client).await?;
        let mut attempt = 0;
        let started = Instant::now();
        let result = loop {
            attempt += 1;
            transaction::begin(&mut session).await?;
            let body = self
                .transaction_body(plan, planned, run_id, &taken, &mut session)
                .await;
            let committed = match body {
                Ok(outcomes) => transaction::commit(&mut session).await.map(|()| outcomes),
                Err(error) => {
                    transaction::abort(&mut session).await;
                    Err(error)
                }
            };
            let pause = match &committed {
                Err(error) if transaction::is_transient(error) => {
                    transaction::backoff(attempt, started)
                }
                _ => None,
            };
            match (committed, pause) {
                (Err(error), Some(pause)) => {
                    // A write conflict on resume is most often the killed run's transaction,
                    // still open on the server until it expires.
                    tracing::warn!(
                        attempt,
                        "transient transaction error in step {}, retrying in {pause:?} (for up to {:?}): {error}",
                        step.id,
                        transaction::RETRY_FOR
                    );
                    tokio::time::sleep(pause).await;
                }
                (other, _) => break other,
            }
        };
        if result.is_err() {
            for t in taken.iter().flatten().filter(|t| !t.registered) {
                if let Some(storage) = &t.snapshot.storage {
                    if let Err(e) = self
                        .store
                        .database()
                        .collection::<mongodb::bson::Document>(storage)
                        .drop()
                        .await
                    {
                        let e = Error::database(format!("cannot drop {storage}"), e);
                        self.bookkeeping_failed(
                            warnings,
                            "the cleanup of an unregistered snapshot",
                            &e,
                        );
                    }
                }
            }
        }
        let outcomes = result?;
        for (index, outcome) in outcomes.iter().enumerate() {
            self.events.emit(RunEvent::ActionFinished {
                step: step.id.clone(),
                outcome: outcome.clone(),
            });
            completed.push(Completed {
                step: step.id.clone(),
                index,
                action: planned.actions[index].clone(),
                outcome: outcome.clone(),
                snapshot: taken
                    .get(index)
                    .and_then(Option::as_ref)
                    .map(|t| t.snapshot.clone()),
            });
        }
        Ok(Some(outcomes))
    }

    async fn transaction_body(
        &self,
        plan: &RunPlan,
        planned: &PlannedStep,
        run_id: &str,
        taken: &[Option<Taken>],
        session: &mut ClientSession,
    ) -> Result<Vec<ActionOutcome>> {
        let step = &planned.step;
        let direction = plan.direction.as_str();
        let mut outcomes = Vec::new();
        for (index, action) in planned.actions.iter().enumerate() {
            let ctx = self.context(plan, run_id, &step.id, index);
            let key = ActionKey {
                run_id,
                step: &step.id,
                direction,
                index,
            };
            self.store
                .action_started(&key, action.kind(), &target_of(action), Some(&mut *session))
                .await?;
            let snapshot = taken.get(index).and_then(Option::as_ref);
            if let Some(t) = snapshot.filter(|t| !t.registered) {
                self.store
                    .register_snapshot(&t.snapshot, Some(&mut *session))
                    .await?;
            }
            let started = Instant::now();
            let mut outcome = actions::execute(&ctx, action, Some(&mut *session)).await?;
            outcome.duration_ms = elapsed_ms(started);
            outcome.snapshot = snapshot.map(|t| t.snapshot.id.clone()).or(outcome.snapshot);
            self.store
                .action_finished(
                    &key,
                    outcome.status,
                    outcome.to_document(),
                    Some(&mut *session),
                )
                .await?;
            outcomes.push(outcome);
        }
        self.store
            .step_applied(
                step_key(plan, &step.id),
                direction,
                run_id,
                &self.options.operator,
                Some(&mut *session),
            )
            .await?;
        let details = doc! {"direction": direction, "transaction": true, "actions": outcomes.iter().map(ActionOutcome::to_document).collect::<Vec<_>>()};
        self.audit_in(
            plan,
            run_id,
            Some(&step.id),
            "step_ok",
            details,
            Some(&mut *session),
        )
        .await?;
        // The commit is conditional on the lease: a takeover before it makes this fail, one
        // during it conflicts with this write.
        if let Some(lease) = self.store.lease() {
            lease.confirm_in(session).await?;
        }
        Ok(outcomes)
    }
}
