//! Transactions for a step's writes, retried by error label: the whole transaction on
//! `TransientTransactionError`, the commit alone on `UnknownTransactionCommitResult`.

use mongodb::error::{TRANSIENT_TRANSACTION_ERROR, UNKNOWN_TRANSACTION_COMMIT_RESULT};
use mongodb::options::{Acknowledgment, ReadConcern, TransactionOptions, WriteConcern};
use std::time::{Duration, Instant};

use mongodb::{Client, ClientSession};

use crate::error::{Error, Result};

/// How many times a commit whose outcome is unknown is attempted.
pub(crate) const MAX_ATTEMPTS: u32 = 5;

/// How long a transaction is retried after transient errors. Longer than the server's
/// `transactionLifetimeLimitSeconds` (60 s), after which it aborts a transaction left open by a
/// killed process: a resumed run's writes conflict with that transaction's until then.
pub(crate) const RETRY_FOR: Duration = Duration::from_secs(90);

/// The pause before the next attempt after transient error number `attempt` (100 ms, doubling,
/// at most 5 s), or `None` once retrying has gone on for [`RETRY_FOR`] since `started`.
#[must_use]
pub(crate) fn backoff(attempt: u32, started: Instant) -> Option<Duration> {
    let pause =
        Duration::from_millis(100 << attempt.saturating_sub(1).min(6)).min(Duration::from_secs(5));
    (started.elapsed() + pause < RETRY_FOR).then_some(pause)
}

/// A session for transactions.
pub(crate) async fn session(client: &Client) -> Result<ClientSession> {
    client
        .start_session()
        .await
        .map_err(|e| Error::database("cannot start a session", e))
}

/// Starts a transaction with majority writes and snapshot reads.
pub(crate) async fn begin(session: &mut ClientSession) -> Result<()> {
    let options = TransactionOptions::builder()
        .read_concern(ReadConcern::snapshot())
        .write_concern(WriteConcern::builder().w(Acknowledgment::Majority).build())
        .build();
    session
        .start_transaction()
        .with_options(options)
        .await
        .map_err(|e| Error::database("cannot start a transaction", e))
}

/// True when the whole transaction should be tried again.
#[must_use]
pub(crate) fn is_transient(error: &Error) -> bool {
    error.has_label(TRANSIENT_TRANSACTION_ERROR)
}

/// Aborts after a failed body (errors while aborting change nothing: the server aborts too).
pub(crate) async fn abort(session: &mut ClientSession) {
    if let Err(e) = session.abort_transaction().await {
        tracing::debug!("abort after failure: {e}");
    }
}

/// Commits, retrying the commit while its outcome is unknown. A transient error is returned
/// with its label so the caller retries the whole transaction.
pub(crate) async fn commit(session: &mut ClientSession) -> Result<()> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match session.commit_transaction().await {
            Ok(()) => return Ok(()),
            Err(e)
                if e.contains_label(UNKNOWN_TRANSACTION_COMMIT_RESULT)
                    && attempt < MAX_ATTEMPTS =>
            {
                tracing::warn!(attempt, "commit outcome unknown, retrying the commit: {e}");
            }
            Err(e) if e.contains_label(UNKNOWN_TRANSACTION_COMMIT_RESULT) => {
                return Err(Error::database(
                    "transaction outcome unknown after retries — run `rollbook verify` to see what holds",
                    e,
                ));
            }
            Err(e) => {
                return Err(Error::database(
                    "the transaction did not commit; nothing of it was written",
                    e,
                ))
            }
        }
    }
}
