//! Operations still running on the server: found with `$currentOp` by namespace, and waited
//! for. A client that gave up on a command (a dropped connection, a retried write) does not stop
//! the server from finishing it, so cleanup that drops a collection first waits for the work
//! still aimed at it — an insert that lands after the drop would create the collection again.

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};
use mongodb::Client;

use crate::error::{Error, Result};

/// Operations running now on any of `namespaces` (`db.collection`), by operation id.
pub(crate) async fn running_on(client: &Client, namespaces: &[String]) -> Result<Vec<Document>> {
    current_ops(
        client,
        vec![
            doc! {"$match": {"ns": {"$in": namespaces}}},
            doc! {"$project": {"opid": 1, "ns": 1, "op": 1, "secs_running": 1}},
        ],
    )
    .await
}

/// The operations running on the server now (`$currentOp` of every user), through `stages`.
async fn current_ops(client: &Client, stages: Vec<Document>) -> Result<Vec<Document>> {
    let failed = |e| Error::database("cannot list the operations running on the server", e);
    let mut pipeline = vec![doc! {"$currentOp": {"allUsers": true, "idleConnections": false}}];
    pipeline.extend(stages);
    client
        .database("admin")
        .aggregate(pipeline)
        .await
        .map_err(failed)?
        .try_collect()
        .await
        .map_err(failed)
}

/// Waits until no operation runs on any of `namespaces`, checking every 100 ms for at most
/// `patience`. Returns the operations still running when it gives up (empty when none are).
pub(crate) async fn wait_until_idle(
    client: &Client,
    namespaces: &[String],
    patience: Duration,
) -> Result<Vec<Document>> {
    let started = Instant::now();
    loop {
        let running = running_on(client, namespaces).await?;
        if running.is_empty() || started.elapsed() >= patience {
            return Ok(running);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The comment a run attempt's commands carry: `rollbook <database> <run id> attempt <n>`.
#[must_use]
pub(crate) fn comment(database: &str, run_id: &str, attempt: i64) -> String {
    format!("rollbook {database} {run_id} attempt {attempt}")
}

/// Operations of earlier rollbook attempts on `database` still running on the server: those
/// whose command (or, for a `getMore`, the command that opened its cursor) carries a comment
/// of [`comment`] for that database and not `own` attempt.
pub(crate) async fn orphans_on(
    client: &Client,
    database: &str,
    own: &str,
) -> Result<Vec<Document>> {
    let prefix = format!("^{}", regex_escape(&format!("rollbook {database} ")));
    current_ops(
        client,
        vec![
            doc! {"$match": {"$or": [
                {"command.comment": {"$regex": &prefix}},
                {"cursor.originatingCommand.comment": {"$regex": &prefix}},
            ]}},
            doc! {"$project": {"opid": 1, "ns": 1, "op": 1, "secs_running": 1,
            "comment": {"$ifNull": ["$command.comment", "$cursor.originatingCommand.comment"]}}},
            doc! {"$match": {"comment": {"$ne": own}}},
        ],
    )
    .await
}

/// Stops the server work earlier attempts on `database` left running (`killOp`), and waits
/// until it is gone, for at most `patience`. Returns what was stopped; fails naming what still
/// runs when it gives up.
pub(crate) async fn stop_orphans(
    client: &Client,
    database: &str,
    own: &str,
    patience: Duration,
) -> Result<Vec<Document>> {
    let started = Instant::now();
    let mut stopped: Vec<Document> = Vec::new();
    loop {
        let running = orphans_on(client, database, own).await?;
        if running.is_empty() {
            return Ok(stopped);
        }
        if started.elapsed() >= patience {
            let what: Vec<String> = running
                .iter()
                .map(|op| {
                    format!(
                        "{} on {} ({})",
                        op.get_str("op").unwrap_or("?"),
                        op.get_str("ns").unwrap_or("?"),
                        op.get_str("comment").unwrap_or("?")
                    )
                })
                .collect();
            return Err(Error::Concurrent(format!(
                "operations of an earlier attempt still run on the server after killOp: {}; nothing was changed",
                what.join("; ")
            )));
        }
        for op in &running {
            if let Some(opid) = op.get("opid") {
                // An operation that ended meanwhile cannot be killed: not an error.
                let _ = client
                    .database("admin")
                    .run_command(doc! {"killOp": 1, "op": opid.clone()})
                    .await;
                if !stopped.iter().any(|s| s.get("opid") == Some(opid)) {
                    stopped.push(op.clone());
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escape = "\\^$.|?*+()[]{}".contains(c).then_some('\\');
            escape.into_iter().chain(std::iter::once(c))
        })
        .collect()
}
