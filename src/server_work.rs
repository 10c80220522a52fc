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
    let pipeline = vec![
        doc! {"$currentOp": {"allUsers": true, "idleConnections": false}},
        doc! {"$match": {"ns": {"$in": namespaces}}},
        doc! {"$project": {"opid": 1, "ns": 1, "op": 1, "secs_running": 1}},
    ];
    client
        .database("admin")
        .aggregate(pipeline)
        .await
        .map_err(|e| Error::database("cannot list the operations running on the server", e))?
        .try_collect()
        .await
        .map_err(|e| Error::database("cannot list the operations running on the server", e))
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
