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
pub(crate) async fn run(
    global: &GlobalArgs,
    reference: &str,
    force: bool,
    accept_state: bool,
) -> Result<()> {
    let loaded = crate::runbook::load(reference, &global.runbooks_dir)?;
    let database = global
        .db
        .clone()
        .unwrap_or_else(|| loaded.runbook.database.clone());
    let connect::Connection { client, server } = connect::connect(global).await?;
    let store = connect::store(&client, global).await?;
    let holder = lock::holder(&client, &database).await?;
    if accept_state {
        if let Some(holder) = holder {
            return Err(Error::Concurrent(format!(
                "{database} is locked by {}: release the lock first (`rollbook unlock {}`), then accept the state; nothing was changed",
                describe_holder(&holder),
                loaded.runbook.id
            )));
        }
        return accept(
            global,
            &client,
            &store,
            &loaded.runbook.id,
            &database,
            &server.to_string(),
        )
        .await;
    }
    let Some(holder) = holder else {
        emit(
            global,
            Unlocked {
                released: None,
                forgot: None,
            },
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
    super::contexts::confirm_protected(
        global,
        &format!("Releasing the lock of database {database} lets another run in."),
    )?;
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
            forgot: None,
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

/// `unlock --accept-state`: the lock of `database` forgets the run that held it last, so a run
/// recording into a state database that does not know that run may go on. Asks; audited.
async fn accept(
    global: &GlobalArgs,
    client: &mongodb::Client,
    store: &Store,
    runbook: &str,
    database: &str,
    server: &str,
) -> Result<()> {
    if !global.yes {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(Error::NotConfirmed(format!(
                "accepting the state of {database} needs confirmation: pass --yes; nothing was changed"
            )));
        }
        let go = super::prompt::yes_no(&format!(
            "Let runs on database {database} on {server} go on with the state database {} as it is? Do this only after checking the data by hand: what earlier runs did (their snapshots, their steps) may be unknown to it.",
            global.state_db
        )) == super::prompt::Answer::Yes;
        if !go {
            return Err(Error::NotConfirmed(
                "declined; the lock was left as it was".into(),
            ));
        }
    }
    super::contexts::confirm_protected(
        global,
        &format!("Accepting the state of database {database} forgets its last run."),
    )?;
    let forgot = lock::forget_last_holder(client, database).await?;
    let operator = connect::operator(global);
    store
        .audit(
            &AuditEvent {
                run_id: forgot.as_ref().map(|last| last.run_id.as_str()),
                runbook,
                database,
                operator: &operator,
                event: "state_accepted_by_hand",
                step: None,
                details: doc! {
                    "last_run": forgot.as_ref().map(|last| last.run_id.as_str()),
                    "last_state_db": forgot.as_ref().map(|last| last.state_db.as_str()),
                },
            },
            None,
        )
        .await?;
    let text = match &forgot {
        Some(last) => format!(
            "the lock of {database} no longer asks for run {} (state database {}); runs recording into {} may go on",
            last.run_id, last.state_db, global.state_db
        ),
        None => format!("the lock of {database} named no earlier run; nothing to accept"),
    };
    emit(
        global,
        Unlocked {
            released: None,
            forgot: forgot.as_ref().map(|last| last.run_id.as_str()),
        },
        &text,
    );
    Ok(())
}

fn emit(global: &GlobalArgs, unlock: Unlocked<'_>, text: &str) {
    match global.output {
        OutputFormat::Json => Document::ok("unlock", UnlockDocument { unlock }).print(),
        OutputFormat::Human => println!("{text}"),
    }
}
