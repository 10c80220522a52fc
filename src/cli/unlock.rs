//! `rollbook unlock RUNBOOK`: release a stale lock by hand, after asking; audited.

use std::io::IsTerminal;

use mongodb::bson::doc;

use super::args::{GlobalArgs, OutputFormat};
use super::connect;
use crate::error::{Error, Result};
use crate::output::documents::unlock::{UnlockDocument, Unlocked};
use crate::output::json::Document;
use crate::store::audit::AuditEvent;
use crate::store::lock::describe_holder;

/// Releases the lock of a runbook on its (or `--db`'s) database.
pub(crate) async fn run(global: &GlobalArgs, reference: &str) -> Result<()> {
    let loaded = crate::runbook::load(reference, &global.runbooks_dir)?;
    let database = global
        .db
        .clone()
        .unwrap_or_else(|| loaded.runbook.database.clone());
    let connect::Connection { client, server } = connect::connect(global).await?;
    let store = connect::store(&client, global).await?;
    let Some(holder) = store.lock_holder(&loaded.runbook.id, &database).await? else {
        emit(
            global,
            Unlocked { released: None },
            &format!("{} on {database} is not locked", loaded.runbook.id),
        );
        return Ok(());
    };
    let description = describe_holder(&holder);
    if !global.yes {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(Error::NotConfirmed(format!(
                "unlocking {} on {database} ({description}) needs confirmation: pass --yes; nothing was changed",
                loaded.runbook.id
            )));
        }
        eprintln!(
            "{} on {database} is locked by {description}",
            loaded.runbook.id
        );
        let go = super::prompt::yes_no(&format!(
            "Release the lock of {} on database {database} on {server}? Only do this when that run is really dead.",
            loaded.runbook.id
        )) == super::prompt::Answer::Yes;
        if !go {
            return Err(Error::NotConfirmed(
                "declined; the lock was left in place".into(),
            ));
        }
    }
    let released = store.force_unlock(&loaded.runbook.id, &database).await?;
    let owner = holder.get_str("owner").unwrap_or_default().to_owned();
    store.mark_interrupted(&owner).await?;
    let operator = connect::operator(global);
    store
        .audit(
            &AuditEvent {
                run_id: Some(&owner),
                runbook: &loaded.runbook.id,
                database: &database,
                operator: &operator,
                event: "lock_released_by_hand",
                step: None,
                details: doc! {"holder": released.unwrap_or_default()},
            },
            None,
        )
        .await?;
    emit(
        global,
        Unlocked {
            released: Some(&owner),
        },
        &format!(
            "released the lock of {} on {database} ({description})",
            loaded.runbook.id
        ),
    );
    Ok(())
}

fn emit(global: &GlobalArgs, unlock: Unlocked<'_>, text: &str) {
    match global.output {
        OutputFormat::Json => Document::ok("unlock", UnlockDocument { unlock }).print(),
        OutputFormat::Human => println!("{text}"),
    }
}
