//! Server failpoints (`failCommand`, aimed at the trial's `appName`) on the commands each action
//! kind issues. The failed run must stop cleanly (compensated, for org-rename); once the server
//! is healthy again a rerun finishes it, and the other direction brings back the original.

use mongodb::bson::{doc, Bson, Document};
use mongodb::Client;
use rand::Rng;

use super::invocation::{Finished, Rollbook};
use super::{compare, fingerprint, steps_run, Group, Progress, Suite, Trial, DONE};
use super::{org_rename_args, ORG_UPDATED_AT, PRISTINE_EARLYBIRD, PRISTINE_MASTER};
use rollbook::error::{Error, Result};

/// Which runbook a case exercises and how.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// One step of steps-19-30 in one direction (the other direction undoes it).
    Step { step: &'static str, forward: bool },
    /// org-rename forward.
    OrgRename,
    /// `rollbook dump` of the trial database.
    Dump,
    /// `rollbook restore --drop` of a backup over damaged data.
    Restore,
}

/// A case: the action kind, where it runs, and the server commands that fail.
struct Case {
    kind: &'static str,
    target: Target,
    commands: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        kind: "unset (and its snapshot)",
        target: Target::Step {
            step: "19",
            forward: false,
        },
        commands: &["update", "aggregate"],
    },
    Case {
        kind: "backup_to_collection",
        target: Target::Step {
            step: "21",
            forward: false,
        },
        commands: &["aggregate"],
    },
    Case {
        kind: "update",
        target: Target::Step {
            step: "22",
            forward: false,
        },
        commands: &["update"],
    },
    Case {
        kind: "check",
        target: Target::Step {
            step: "23",
            forward: false,
        },
        commands: &["aggregate", "count"],
    },
    Case {
        kind: "drop_index",
        target: Target::Step {
            step: "30",
            forward: false,
        },
        commands: &["dropIndexes"],
    },
    Case {
        kind: "restore_snapshot",
        target: Target::Step {
            step: "19",
            forward: true,
        },
        commands: &["aggregate"],
    },
    Case {
        kind: "create_index",
        target: Target::Step {
            step: "30",
            forward: true,
        },
        commands: &["createIndexes"],
    },
    Case {
        kind: "journal, step state and lock",
        target: Target::Step {
            step: "20",
            forward: false,
        },
        commands: &["insert", "findAndModify"],
    },
    Case {
        kind: "create_collection",
        target: Target::OrgRename,
        commands: &["create"],
    },
    Case {
        kind: "copy_collection",
        target: Target::OrgRename,
        commands: &["aggregate", "createIndexes"],
    },
    Case {
        kind: "content_equal",
        target: Target::OrgRename,
        commands: &["dbHash"],
    },
    Case {
        kind: "update (metadata switch)",
        target: Target::OrgRename,
        commands: &["update"],
    },
    Case {
        kind: "drop_collection",
        target: Target::OrgRename,
        commands: &["drop"],
    },
    Case {
        kind: "dump",
        target: Target::Dump,
        commands: &["find", "getMore"],
    },
    Case {
        kind: "restore",
        target: Target::Restore,
        commands: &["insert", "createIndexes", "renameCollection"],
    },
];

/// A `failCommand` failpoint on the whole server, switched off when dropped.
struct FailPoint {
    client: Client,
    on: bool,
}

impl FailPoint {
    async fn set(client: &Client, mode: Bson, data: Document) -> Result<FailPoint> {
        client
            .database("admin")
            .run_command(doc! {"configureFailPoint": "failCommand", "mode": mode, "data": data})
            .await
            .map_err(|e| Error::database("cannot set the failCommand failpoint", e))?;
        Ok(FailPoint {
            client: client.clone(),
            on: true,
        })
    }

    /// Switches it off and returns how many times it fired.
    async fn off(mut self) -> Result<u64> {
        self.on = false;
        let reply = self
            .client
            .database("admin")
            .run_command(doc! {"configureFailPoint": "failCommand", "mode": "off"})
            .await
            .map_err(|e| Error::database("cannot switch the failpoint off", e))?;
        Ok(reply
            .get("count")
            .and_then(Bson::as_i64)
            .or_else(|| reply.get_i32("count").ok().map(i64::from))
            .map_or(0, i64::unsigned_abs))
    }
}

impl Drop for FailPoint {
    fn drop(&mut self) {
        if self.on {
            let client = self.client.clone();
            tokio::spawn(async move {
                let _ = client
                    .database("admin")
                    .run_command(doc! {"configureFailPoint": "failCommand", "mode": "off"})
                    .await;
            });
        }
    }
}

/// Every case, `trials` times, each with a random command, occurrence and error.
pub async fn every_action_kind(suite: &mut Suite<'_>, progress: &dyn Progress) -> Result<Group> {
    let mut group =
        Group::new("server failpoints on every action kind, rerun, then the other direction");
    let selected = CASES.iter().filter(|case| {
        suite
            .options
            .case
            .as_deref()
            .is_none_or(|wanted| case.kind.split(' ').next() == Some(wanted))
    });
    for case in selected {
        for index in 0..suite.options.trials {
            let command = case.commands[suite.rng.gen_range(0..case.commands.len())];
            let skip = suite.rng.gen_range(0..3_i32);
            let mode = if skip == 0 {
                Bson::Document(doc! {"times": 1})
            } else {
                Bson::Document(doc! {"skip": skip})
            };
            let error = match suite.rng.gen_range(0..3) {
                0 => doc! {"errorCode": 8},
                1 => doc! {"errorCode": 91},
                _ => doc! {"closeConnection": true},
            };
            let label = format!(
                "{} trial {} ({command} fails, mode {mode}, {error})",
                case.kind,
                index + 1
            );
            let pristine = match case.target {
                Target::OrgRename => PRISTINE_MASTER,
                _ => PRISTINE_EARLYBIRD,
            };
            let (rollbook, dir) = suite.trial(pristine).await?;
            let mut data = doc! {"failCommands": [command], "appName": &rollbook.db};
            data.extend(error);
            let result = one(suite, case.target, &rollbook, dir.path(), mode, data).await;
            let failure = group.add(&label, result);
            progress.trial(&group, failure.as_deref());
            suite.discard(&rollbook).await;
        }
    }
    Ok(group)
}

async fn one(
    suite: &Suite<'_>,
    target: Target,
    rollbook: &Rollbook,
    dir: &std::path::Path,
    mode: Bson,
    data: Document,
) -> Result<Trial> {
    let client = &suite.client;
    let mut trial = Trial::default();
    match target {
        Target::Step { step, forward } => {
            if forward {
                steps_run(rollbook, dir, "rollback", step, "10000").await?;
            }
            let (direction, command) = if forward {
                ("forward", "apply")
            } else {
                ("rollback", "rollback")
            };
            let plan = rollbook
                .approved_plan(dir, "steps-19-30", direction, &["--steps", step])
                .await?
                .display()
                .to_string();
            let args = [command, "--plan", &plan, "--yes"];
            let failpoint = FailPoint::set(client, mode, data).await?;
            let faulted = rollbook.run(&args).await?;
            trial.faults += usize::from(failpoint.off().await? > 0);
            if !DONE.contains(&faulted.code) && faulted.code != 1 {
                return Err(Error::ActionFailed(format!(
                    "the faulted run exited {}: {}",
                    faulted.code,
                    faulted.headline()
                )));
            }
            rollbook.recover(&args, &faulted, &DONE, 3).await?;
            if !forward {
                steps_run(rollbook, dir, "forward", step, "10000").await?;
            }
            trial.differences.push((
                "after the rerun and the other direction, compared with the original".into(),
                compare(client, &rollbook.db, &suite.earlybird, &[]).await?,
            ));
        }
        Target::OrgRename => {
            let (apply, rollback) = (org_rename_args("apply"), org_rename_args("rollback"));
            let apply: Vec<&str> = apply.iter().map(String::as_str).collect();
            let rollback: Vec<&str> = rollback.iter().map(String::as_str).collect();
            let failpoint = FailPoint::set(client, mode, data).await?;
            let faulted = rollbook.run(&apply).await?;
            trial.faults += usize::from(failpoint.off().await? > 0);
            match faulted.code {
                7 => trial.differences.push((
                    "after compensation (exit 7), compared with the original".into(),
                    compare(client, &rollbook.db, &suite.master, &[ORG_UPDATED_AT]).await?,
                )),
                // Compensation could not undo everything (the fault also hit an undo): the same
                // command, rerun, finishes it from the run's persisted undo list — exit 7, and
                // the data as before the run.
                8 => {
                    let report: serde_json::Value =
                        serde_json::from_str(&faulted.stdout).unwrap_or_default();
                    if report["error"]["remaining"]
                        .as_array()
                        .is_none_or(Vec::is_empty)
                    {
                        return Err(Error::ActionFailed(format!(
                            "exit 8 without error.remaining: {}",
                            faulted.headline()
                        )));
                    }
                    let finished = rollbook.run(&apply).await?;
                    if finished.code != 7 {
                        return Err(Error::ActionFailed(format!(
                            "the rerun after exit 8 exited {} instead of finishing the compensation (7): {}",
                            finished.code,
                            finished.headline()
                        )));
                    }
                    trial.differences.push((
                        "after exit 8 and the rerun that finished the compensation, compared with the original".into(),
                        compare(client, &rollbook.db, &suite.master, &[ORG_UPDATED_AT]).await?,
                    ));
                }
                // 1: a write to the state database failed, so the run stopped where it was
                // (nothing recorded as done); the rerun resumes it.
                0 | 1 => {}
                other => {
                    return Err(Error::ActionFailed(format!(
                        "the faulted run exited {other}: {}",
                        faulted.headline()
                    )))
                }
            }
            let first = if faulted.code == 8 {
                Finished { code: 1, ..faulted }
            } else {
                faulted
            };
            rollbook.recover(&apply, &first, &[0], 3).await?;
            rollbook.rerun_until(&rollback, &[0], 2).await?;
            trial.differences.push((
                "after the rerun and the rollback, compared with the original".into(),
                compare(client, &rollbook.db, &suite.master, &[ORG_UPDATED_AT]).await?,
            ));
        }
        Target::Dump | Target::Restore => {
            let backup = dir.join("backup");
            let backup_text = backup.display().to_string();
            let dump = ["dump", "--out", &backup_text];
            let restore = ["restore", "--from", &backup_text, "--drop", "--yes"];
            if matches!(target, Target::Dump) {
                let failpoint = FailPoint::set(client, mode.clone(), data.clone()).await?;
                let faulted = rollbook.run(&dump).await?;
                trial.faults += usize::from(failpoint.off().await? > 0);
                let left = files_under(&backup);
                if faulted.code != 0 && left > 0 {
                    trial.differences.push((
                        "after the failed dump".into(),
                        super::fingerprint::Difference {
                            notes: vec![format!("{left} files left in {backup_text}")],
                            ..Default::default()
                        },
                    ));
                    let _ = std::fs::remove_dir_all(&backup);
                }
                rollbook.recover(&dump, &faulted, &[0], 2).await?;
            } else {
                rollbook.rerun_until(&dump, &[0], 1).await?;
            }
            // Damage the live data, so that the restore has something to put right.
            client
                .database(&rollbook.db)
                .collection::<Document>("orders")
                .update_many(doc! {}, doc! {"$set": {"damaged": true}})
                .await
                .map_err(|e| Error::database("cannot damage the trial data", e))?;
            if matches!(target, Target::Restore) {
                let damaged = fingerprint::take(client, &rollbook.db, &[]).await?;
                let failpoint = FailPoint::set(client, mode, data).await?;
                let faulted = rollbook.run(&restore).await?;
                trial.faults += usize::from(failpoint.off().await? > 0);
                if faulted.code != 0 {
                    trial.differences.push((
                        "after the failed restore, the live data is untouched".into(),
                        compare(client, &rollbook.db, &damaged, &[]).await?,
                    ));
                }
                rollbook.recover(&restore, &faulted, &[0], 3).await?;
            } else {
                rollbook.rerun_until(&restore, &[0], 1).await?;
            }
            trial.differences.push((
                "after the restore, compared with the original".into(),
                compare(client, &rollbook.db, &suite.earlybird, &[]).await?,
            ));
        }
    }
    Ok(trial)
}

/// Files below `dir` (0 when it does not exist).
fn files_under(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(std::result::Result::ok)
            .map(|entry| {
                let path = entry.path();
                if path.is_dir() {
                    files_under(&path)
                } else {
                    1
                }
            })
            .sum()
    })
}
