//! Waiting out a server that is briefly out of reach: after a "node is shutting down" or "not
//! primary" error the driver marks the server unknown and clears its pool, and until its monitor
//! sees the server again (up to a heartbeat, 10 s) every operation fails server selection.
//! Cleanup that must happen — dropping a failed restore's temporary copies — retries through it.

use std::future::Future;
use std::time::{Duration, Instant};

use mongodb::error::{ErrorKind, RETRYABLE_WRITE_ERROR};

use crate::error::{Error, Result};

/// How long cleanup keeps trying while the server is out of reach: longer than a heartbeat and
/// an election.
pub(crate) const CLEANUP_FOR: Duration = Duration::from_secs(60);

/// Server error codes that say "this node cannot take the operation now" (state changes,
/// shutdown, network-ish errors reported by the server).
const STATE_CHANGE_CODES: [i32; 12] = [
    6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436,
];

/// True when `error` says the server was out of reach or changing state — the same operation
/// can succeed once it is reachable again — rather than that the operation itself was refused.
#[must_use]
pub(crate) fn is_out_of_reach(error: &Error) -> bool {
    let Error::Database { source, .. } = error else {
        return false;
    };
    if source.contains_label(RETRYABLE_WRITE_ERROR) {
        return true;
    }
    match source.kind.as_ref() {
        ErrorKind::ServerSelection { .. }
        | ErrorKind::ConnectionPoolCleared { .. }
        | ErrorKind::Io(_) => true,
        ErrorKind::Command(command) => STATE_CHANGE_CODES.contains(&command.code),
        _ => false,
    }
}

/// Runs `operation` until it succeeds, fails for another reason than [`is_out_of_reach`], or
/// `patience` has passed since the first attempt; pauses 100 ms, doubling up to 2 s, between
/// attempts. Returns the last error when it gives up.
pub(crate) async fn retry_while_out_of_reach<T, F, Fut>(
    patience: Duration,
    mut operation: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let started = Instant::now();
    let mut pause = Duration::from_millis(100);
    loop {
        match operation().await {
            Ok(value) => return Ok(value),
            Err(error) if is_out_of_reach(&error) && started.elapsed() + pause < patience => {
                tracing::debug!("server out of reach, trying again in {pause:?}: {error}");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
            Err(error) => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn command_error(code: i32) -> Error {
        let reply = mongodb::bson::doc! {"code": code, "codeName": "X", "errmsg": "x"};
        let command: mongodb::error::CommandError =
            mongodb::bson::from_document(reply).expect("a command error");
        Error::database("op", ErrorKind::Command(command).into())
    }

    #[test]
    fn state_changes_and_lost_connections_are_out_of_reach_refusals_are_not() {
        for code in [91, 189, 10107, 11600, 13436] {
            assert!(is_out_of_reach(&command_error(code)), "code {code}");
        }
        for code in [2, 11000, 26, 13] {
            assert!(!is_out_of_reach(&command_error(code)), "code {code}");
        }
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(is_out_of_reach(&Error::database("op", reset.into())));
        assert!(!is_out_of_reach(&Error::Usage("bad".into())));
    }

    #[tokio::test]
    async fn retries_out_of_reach_errors_until_success_and_stops_on_others() {
        let attempts = AtomicU32::new(0);
        let value = retry_while_out_of_reach(Duration::from_secs(5), || {
            let attempt = attempts.fetch_add(1, Ordering::SeqCst);
            async move {
                if attempt < 2 {
                    Err(command_error(91))
                } else {
                    Ok(attempt)
                }
            }
        })
        .await;
        assert_eq!(value.ok(), Some(2));

        let attempts = AtomicU32::new(0);
        let refused: Result<()> = retry_while_out_of_reach(Duration::from_secs(5), || {
            attempts.fetch_add(1, Ordering::SeqCst);
            async { Err(command_error(2)) }
        })
        .await;
        assert!(refused.is_err());
        assert_eq!(
            attempts.load(Ordering::SeqCst),
            1,
            "a refusal is not retried"
        );

        let gave_up: Result<()> = retry_while_out_of_reach(Duration::from_millis(250), || async {
            Err(command_error(91))
        })
        .await;
        assert!(gave_up.is_err(), "it gives up after its patience");
    }
}
