//! `rollbook unlock RUNBOOK`: release the lock of a target database by hand, after asking;
//! a live lease only with `--force`, which fences its holder. Audited.

use std::io::IsTerminal;

use mongodb::bson::doc;

use super::args::{GlobalArgs, OutputFormat};
use super::connect;
use crate::error::{Error, Result};
use crate::output::documents::unlock::{UnlockDocument, Unlocked};
use crate::output::json::Document;
use crate::store::audit::AuditEvent;
use crate::store::lock::{self, describe_holder};
use crate::store::Store;

/// Releases the lock of a runbook's (or `--db`'s) database.
pub(crate) async fn run(global: &GlobalArgs, reference: &str, force: bool) -> Result<()> {
    let loaded = crate::runbook::load(reference, &global.runbooks_dir)?;
    let database = global
        .db
        .clone()
        .unwrap_or_else(|| loaded.runbook.database.clone());
    let connect::Connection { client, server } = connect::connect(global).await?;
    let store = connect::store(&client, global).await?;
    let Some(holder) = lock::holder(&client, &database).await? else {
        emit(
            global,
            Unlocked { released: None },
            &format!("{database} is not locked"),
        );
        return Ok(());
    };
    let description = describe_holder(&holder);
    let live = lock::is_live(&holder);
    if live && !force {
        return Err(Error::Concurrent(format!(
            "{database} is locked by {description}, and its lease is live: that run may still be writing. \
             Its lease expires {} s after its last renewal if its process is gone. Only when you are sure it is stopped: \
             `rollbook unlock {} --force` (the holder is then fenced and stops before its next write); nothing was changed",
            lock::LEASE_SECS,
            loaded.runbook.id
        )));
    }
    if !global.yes {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(Error::NotConfirmed(format!(
                "unlocking {database} ({description}) needs confirmation: pass --yes; nothing was changed"
            )));
        }
        eprintln!("{database} is locked by {description}");
        let go = super::prompt::yes_no(&format!(
            "Release the lock of database {database} on {server}? Only do this when that run is really stopped."
        )) == super::prompt::Answer::Yes;
        if !go {
            return Err(Error::NotConfirmed(
                "declined; the lock was left in place".into(),
            ));
        }
    }
    let released = lock::force_unlock(&client, &database).await?;
    let owner = holder.get_str("owner").unwrap_or_default().to_owned();
    // The holder's run is recorded in its own state database.
    let holder_state = holder.get_str("state_db").map_or_else(
        |_| store.clone(),
        |db| Store::read_only(client.database(db)),
    );
    holder_state.mark_interrupted(&owner).await?;
    let operator = connect::operator(global);
    store
        .audit(
            &AuditEvent {
                run_id: Some(&owner),
                runbook: &loaded.runbook.id,
                database: &database,
                operator: &operator,
                event: if live {
                    "lock_forced_by_hand"
                } else {
                    "lock_released_by_hand"
                },
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
            "released the lock of {database} ({description}){}",
            if live {
                "; its holder is fenced, and the lock can be taken again in 15 s"
            } else {
                ""
            }
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
