//! The lock: one writer at a time per target database, whatever the state database. It is a
//! lease document in the target database itself (`rollbook_lock`), acquired atomically, renewed
//! by the run's heartbeat, and fenced: every acquisition raises its generation, and an attempt
//! checks that it still holds its generation before it writes.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use mongodb::bson::{doc, DateTime, Document};
use mongodb::options::ReturnDocument;
use mongodb::{Client, ClientSession, Collection};

use super::is_duplicate_key;
use crate::error::{Error, Result};

/// How long a lease lasts without renewal.
pub const LEASE_SECS: i64 = 30;

pub use crate::runbook::names::LOCK_COLLECTION;

/// How long a renewal is trusted without asking the server again before a write. Well under
/// [`LEASE_SECS`]: nobody can take an unexpired lease over, and a paused process finds on
/// waking that its trust has run out, so it asks before its next write.
const TRUSTED_FOR: Duration = Duration::from_secs(10);

/// After `unlock --force`, nobody may take the lock for this long, so that a holder that still
/// trusts its last renewal has asked the server and found itself fenced before anyone writes.
const FORCED_PAUSE_MS: i64 = 15_000;

const LOCK_ID: &str = "lock";

/// Where a process runs, precisely enough to tell whether a holder's process is gone: the
/// machine's boot (not only its hostname) and the pid namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Machine {
    host: String,
    boot_id: String,
    pid_namespace: String,
}

impl Machine {
    fn this() -> Self {
        Machine {
            host: crate::process::hostname(),
            boot_id: std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
                .map(|id| id.trim().to_owned())
                .unwrap_or_default(),
            pid_namespace: std::fs::read_link("/proc/self/ns/pid")
                .map(|link| link.display().to_string())
                .unwrap_or_default(),
        }
    }

    fn of(holder: &Document) -> Self {
        let field = |name: &str| holder.get_str(name).unwrap_or_default().to_owned();
        Machine {
            host: field("host"),
            boot_id: field("boot_id"),
            pid_namespace: field("pid_namespace"),
        }
    }

    /// True when both are known and the same: only then does a pid mean the same process.
    fn is_provably(&self, other: &Machine) -> bool {
        !self.boot_id.is_empty() && !self.pid_namespace.is_empty() && self == other
    }
}

/// True when the holder provably ran in this machine and pid namespace and its process is gone.
fn holder_is_gone(holder: &Document) -> bool {
    let pid = holder
        .get_i64("pid")
        .ok()
        .and_then(|p| u32::try_from(p).ok())
        .unwrap_or_default();
    Machine::this().is_provably(&Machine::of(holder))
        && pid != std::process::id()
        && !crate::process::is_alive(pid)
}

/// Describes a lease document for messages.
#[must_use]
pub fn describe_holder(holder: &Document) -> String {
    let time = |field: &str| {
        holder
            .get_datetime(field)
            .ok()
            .and_then(|t| t.try_to_rfc3339_string().ok())
            .unwrap_or_default()
    };
    format!(
        "run {} (attempt {}) of {} by {} (host {}, pid {}, state database {}) since {}, lease until {}",
        holder.get_str("owner").unwrap_or("?"),
        generation_of(holder),
        holder.get_str("runbook").unwrap_or("?"),
        holder.get_str("operator").unwrap_or("?"),
        holder.get_str("host").unwrap_or("?"),
        holder.get_i64("pid").unwrap_or_default(),
        holder.get_str("state_db").unwrap_or("?"),
        time("acquired_at"),
        time("expires_at"),
    )
}

fn generation_of(holder: &Document) -> i64 {
    holder.get_i64("generation").unwrap_or_default()
}

/// True when a lease document is held now: it has an owner and has not expired.
#[must_use]
pub fn is_live(holder: &Document) -> bool {
    holder.get_str("owner").is_ok()
        && holder
            .get_datetime("expires_at")
            .is_ok_and(|t| *t > DateTime::now())
}

fn locks(client: &Client, database: &str) -> Collection<Document> {
    client.database(database).collection(LOCK_COLLECTION)
}

/// Who a lease is for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Claim<'a> {
    /// The target database.
    pub database: &'a str,
    /// The runbook.
    pub runbook: &'a str,
    /// The run id the lease is taken for.
    pub run_id: &'a str,
    /// Who runs it.
    pub operator: &'a str,
    /// The state database the run records into.
    pub state_db: &'a str,
}

#[derive(Debug)]
struct Trust {
    owner: String,
    renewed: Instant,
    fenced: Option<String>,
    /// The owner run is recorded in the state database.
    recorded: bool,
}

/// A held lease: the generation this attempt holds, and how far its last renewal is trusted.
#[derive(Debug)]
pub(crate) struct Lease {
    locks: Collection<Document>,
    database: String,
    generation: i64,
    trust: Mutex<Trust>,
    /// The holder this lease took over from, if any (its run id and generation).
    pub took_over_from: Option<(String, i64)>,
    /// The run that held the lock last, released or taken over, and the state database it
    /// recorded into: a new run checks that state still knows it.
    pub last_holder: Option<LastHolder>,
}

/// The run that held a lock last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LastHolder {
    /// Its run id.
    pub run_id: String,
    /// The state database it recorded into.
    pub state_db: String,
}

impl LastHolder {
    /// From the lock document before it was taken: its holder, or the run that released it.
    fn of(lock: &Document) -> Option<Self> {
        // A holder that died before its run was recorded left nothing to look for.
        let holder = lock
            .get_str("owner")
            .ok()
            .filter(|_| lock.get_bool("recorded").unwrap_or(false));
        let run_id = holder.or_else(|| lock.get_str("last_run").ok())?;
        Some(LastHolder {
            run_id: run_id.to_owned(),
            state_db: lock.get_str("state_db").ok()?.to_owned(),
        })
    }
}

impl Lease {
    /// Takes the lock of `claim.database`, or fails with `CONCURRENT_UPDATE_DETECTED` naming
    /// the holder. A free lock (released, or expired) is taken at once; a live one only when its
    /// holder provably ran here and its process is gone.
    pub(crate) async fn acquire(client: &Client, claim: Claim<'_>) -> Result<Lease> {
        let locks = locks(client, claim.database);
        let machine = Machine::this();
        let now = DateTime::now();
        let fields = doc! {"owner": claim.run_id, "runbook": claim.runbook,
        "operator": claim.operator, "state_db": claim.state_db, "host": &machine.host,
        "boot_id": &machine.boot_id, "pid_namespace": &machine.pid_namespace,
        "pid": i64::from(std::process::id()), "recorded": false, "acquired_at": now, "heartbeat_at": now,
        "expires_at": DateTime::from_millis(now.timestamp_millis() + LEASE_SECS * 1000)};
        let update = doc! {"$set": fields, "$inc": {"generation": 1_i64}};
        // Released locks expire at once; a lock freed by hand only after a pause.
        let free = doc! {"_id": LOCK_ID, "expires_at": {"$lt": now}};
        let taken = match locks
            .find_one_and_update(free, update.clone())
            .upsert(true)
            .return_document(ReturnDocument::Before)
            .await
        {
            Ok(before) => before,
            Err(e) if is_duplicate_key(&e) => {
                let holder = locks
                    .find_one(doc! {"_id": LOCK_ID})
                    .await
                    .map_err(|e| Error::database("cannot read the lock", e))?
                    .unwrap_or_default();
                let gone = holder_is_gone(&holder)
                    .then(|| doc! {"_id": LOCK_ID, "generation": generation_of(&holder)});
                let taken = match gone {
                    Some(exactly_that_holder) => locks
                        .find_one_and_update(exactly_that_holder, update)
                        .return_document(ReturnDocument::Before)
                        .await
                        .map_err(|e| Error::database("cannot take over the lock", e))?,
                    None => None,
                };
                let Some(before) = taken else {
                    if holder.get_str("owner").is_err() {
                        return Err(Error::Concurrent(format!(
                            "the lock of {} was just released by hand; it can be taken again from {}; nothing was changed",
                            claim.database,
                            holder
                                .get_datetime("expires_at")
                                .ok()
                                .and_then(|t| t.try_to_rfc3339_string().ok())
                                .unwrap_or_default()
                        )));
                    }
                    return Err(Error::Concurrent(format!(
                        "{} is locked by {}; nothing was changed (a dead holder's lease expires {LEASE_SECS} s after its last renewal; `rollbook unlock` releases a lock whose run is really gone)",
                        claim.database,
                        describe_holder(&holder)
                    )));
                };
                Some(before)
            }
            Err(e) => return Err(Error::database("cannot take the lock", e)),
        };
        let previous = taken.as_ref().map_or(0, generation_of);
        let took_over_from = taken.as_ref().and_then(|before| {
            before
                .get_str("owner")
                .ok()
                .map(|owner| (owner.to_owned(), generation_of(before)))
        });
        Ok(Lease {
            locks,
            database: claim.database.to_owned(),
            generation: previous + 1,
            trust: Mutex::new(Trust {
                owner: claim.run_id.to_owned(),
                renewed: Instant::now(),
                fenced: None,
                recorded: false,
            }),
            took_over_from,
            last_holder: taken.as_ref().and_then(LastHolder::of),
        })
    }

    fn trust(&self) -> std::sync::MutexGuard<'_, Trust> {
        self.trust
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// True once this attempt found itself superseded: it must write nothing more.
    pub(crate) fn is_fenced(&self) -> bool {
        self.trust().fenced.is_some()
    }

    /// The generation this attempt holds.
    pub(crate) fn generation(&self) -> i64 {
        self.generation
    }

    fn mine(&self) -> Document {
        let owner = self.trust().owner.clone();
        doc! {"_id": LOCK_ID, "generation": self.generation, "owner": owner}
    }

    /// The error of an attempt that lost its lease.
    pub(crate) fn superseded(&self) -> Error {
        let reason = self.trust().fenced.clone();
        if let Some(reason) = reason.filter(|r| r != "superseded") {
            return Error::Concurrent(reason);
        }
        Error::Concurrent(format!(
            "this run lost its lock on {} (attempt {} was superseded: another run took the lock over, or it was released by hand); it stopped before its next write",
            self.database, self.generation
        ))
    }

    /// Before a write: fails with `CONCURRENT_UPDATE_DETECTED` once this attempt no longer
    /// holds its generation. A recent renewal is trusted; an older one is checked (and renewed)
    /// with the server first.
    pub(crate) async fn ensure(&self) -> Result<()> {
        let (fenced, trusted) = {
            let trust = self.trust();
            (
                trust.fenced.is_some(),
                trust.renewed.elapsed() < TRUSTED_FOR,
            )
        };
        if fenced {
            return Err(self.superseded());
        }
        if trusted {
            return Ok(());
        }
        // A renewal proves the lease only from when it was sent: one that came back late (the
        // process was paused while it was under way) is asked again, so the write that follows
        // never rests on a lease that may have run out meanwhile.
        loop {
            self.renew().await?;
            if self.trust().renewed.elapsed() < TRUSTED_FOR {
                return Ok(());
            }
        }
    }

    /// Extends the lease, only while this attempt holds its generation; otherwise fences this
    /// attempt for good and fails.
    pub(crate) async fn renew(&self) -> Result<()> {
        if self.trust().fenced.is_some() {
            return Err(self.superseded());
        }
        let sent = Instant::now();
        let now = DateTime::now();
        let recorded = self.trust().recorded;
        let renewed = self
            .locks
            .find_one_and_update(
                self.mine(),
                doc! {"$set": {"heartbeat_at": now, "recorded": recorded, "expires_at": DateTime::from_millis(now.timestamp_millis() + LEASE_SECS * 1000)}},
            )
            .await
            .map_err(|e| Error::database("cannot renew the lock", e))?;
        let mut trust = self.trust();
        if renewed.is_some() {
            trust.renewed = sent;
            Ok(())
        } else {
            trust.fenced = Some("superseded".into());
            drop(trust);
            Err(self.superseded())
        }
    }

    /// Inside a transaction: touches the lease only while this attempt holds its generation, so
    /// the transaction commits only if no takeover came before it (a takeover during it
    /// conflicts with this write).
    pub(crate) async fn confirm_in(&self, session: &mut ClientSession) -> Result<()> {
        let touched = self
            .locks
            .update_one(
                self.mine(),
                doc! {"$set": {"confirmed_at": DateTime::now()}},
            )
            .session(session)
            .await
            .map_err(|e| Error::database("cannot confirm the lock inside the transaction", e))?;
        if touched.matched_count == 1 {
            Ok(())
        } else {
            self.trust().fenced = Some("superseded".into());
            Err(self.superseded())
        }
    }

    /// Hands the lease to the run being resumed (same attempt, same generation).
    pub(crate) async fn transfer(&self, to: &str) -> Result<()> {
        let moved = self
            .locks
            .update_one(self.mine(), doc! {"$set": {"owner": to}})
            .await
            .map_err(|e| Error::database("cannot update the lock", e))?;
        if moved.matched_count != 1 {
            return Err(self.superseded());
        }
        self.trust().owner = to.to_owned();
        Ok(())
    }

    /// Stops this attempt for good, for `reason` (the state it records into vanished): it
    /// writes nothing more, and reports `reason`.
    pub(crate) fn fence(&self, reason: String) {
        self.trust().fenced.get_or_insert(reason);
    }

    /// Records that the run holding this lease is in the state database (created or resumed):
    /// from now on it is the lock's last holder (the lock document says so from its next renewal).
    pub(crate) fn recorded(&self) {
        self.trust().recorded = true;
    }

    /// Frees the lock if this attempt still holds it. The document stays, with its generation,
    /// so generations only ever grow, and names the last holder: this run once it was recorded,
    /// else (it wrote nothing) the run that held it before.
    pub(crate) async fn release(&self) -> Result<()> {
        let (owner, recorded) = {
            let trust = self.trust();
            (trust.owner.clone(), trust.recorded)
        };
        let mut set = doc! {"owner": null, "expires_at": DateTime::from_millis(0), "released_at": DateTime::now()};
        if recorded {
            set.insert("last_run", owner);
        } else if let Some(last) = &self.last_holder {
            set.insert("last_run", &last.run_id);
            set.insert("state_db", &last.state_db);
        }
        self.locks
            .update_one(self.mine(), doc! {"$set": set})
            .await
            .map_err(|e| Error::database("cannot release the lock", e))?;
        Ok(())
    }
}

/// The lock document of `database`, held or not.
pub(crate) async fn holder(client: &Client, database: &str) -> Result<Option<Document>> {
    locks(client, database)
        .find_one(doc! {"_id": LOCK_ID, "owner": {"$ne": null}})
        .await
        .map_err(|e| Error::database("cannot read the lock", e))
}

/// `unlock`: frees the lock of `database` whoever holds it, raising its generation so the old
/// holder is fenced, and keeps it free of new holders for a short pause. Returns what was there.
pub(crate) async fn force_unlock(client: &Client, database: &str) -> Result<Option<Document>> {
    let now = DateTime::now().timestamp_millis();
    locks(client, database)
        .find_one_and_update(
            doc! {"_id": LOCK_ID, "owner": {"$ne": null}},
            vec![doc! {"$set": {"last_run": {"$cond": [{"$eq": ["$recorded", true]}, "$owner", "$last_run"]}, "owner": null,
                "expires_at": DateTime::from_millis(now + FORCED_PAUSE_MS), "released_at": "$$NOW",
                "generation": {"$add": [{"$ifNull": ["$generation", 0_i64]}, 1_i64]}}}],
        )
        .await
        .map_err(|e| Error::database("cannot release the lock", e))
}

/// `unlock --accept-state`: the lock of `database` forgets the run that held it last, so runs
/// recording into any state database may take it (after the operator checked the data by
/// hand). Returns what it remembered.
pub(crate) async fn forget_last_holder(
    client: &Client,
    database: &str,
) -> Result<Option<LastHolder>> {
    let before = locks(client, database)
        .find_one_and_update(
            doc! {"_id": LOCK_ID, "owner": null},
            doc! {"$unset": {"last_run": "", "state_db": ""}, "$set": {"state_accepted_at": DateTime::now()}},
        )
        .await
        .map_err(|e| Error::database("cannot update the lock", e))?;
    Ok(before.as_ref().and_then(LastHolder::of))
}
