//! The documented error codes (DESIGN.md §6), as printed in `error.code` and `error.cause`.

use std::fmt;

/// One error code. A runbook's check may declare a code of its own (`error_code:`); it is
/// kept as [`ErrorCode::Declared`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// An action failed.
    ActionFailed,
    /// An action failed inside a step's transaction: nothing of the step stayed.
    TransactionFailed,
    /// A runbook is invalid.
    InvalidRunbook,
    /// A parameter is missing, undeclared or malformed.
    InvalidParam,
    /// The command line asks for something that cannot be done.
    Usage,
    /// Verification did not hold.
    VerifyFailed,
    /// A sensitive step lacks a valid approval.
    ApprovalRequired,
    /// Declined, or confirmation was needed and could not be asked.
    NotConfirmed,
    /// Another run holds the lock.
    ConcurrentUpdateDetected,
    /// Failed, and every completed action was undone.
    Compensated,
    /// Failed, and some completed actions could not be undone.
    CompensationIncomplete,
    /// Manual actions remain unconfirmed.
    ManualPending,
    /// A saved plan no longer matches the runbook or the database.
    PlanDrift,
    /// The step is not in a state the direction can start from.
    SessionStateConflict,
    /// The server could not be reached or authentication failed.
    ConnectionFailed,
    /// A blast-radius limit would be exceeded.
    LimitExceeded,
    /// Stopped by a signal.
    Interrupted,
    /// A record that must be unique already exists (a cause, e.g. of `COMPENSATED`).
    DuplicateActiveRecord,
    /// A code a runbook's check declares (in `UPPER_SNAKE_CASE`).
    Declared(String),
}

const NAMED: [(ErrorCode, &str); 18] = [
    (ErrorCode::ActionFailed, "ACTION_FAILED"),
    (ErrorCode::TransactionFailed, "TRANSACTION_FAILED"),
    (ErrorCode::InvalidRunbook, "INVALID_RUNBOOK"),
    (ErrorCode::InvalidParam, "INVALID_PARAM"),
    (ErrorCode::Usage, "USAGE"),
    (ErrorCode::VerifyFailed, "VERIFY_FAILED"),
    (ErrorCode::ApprovalRequired, "APPROVAL_REQUIRED"),
    (ErrorCode::NotConfirmed, "NOT_CONFIRMED"),
    (
        ErrorCode::ConcurrentUpdateDetected,
        "CONCURRENT_UPDATE_DETECTED",
    ),
    (ErrorCode::Compensated, "COMPENSATED"),
    (ErrorCode::CompensationIncomplete, "COMPENSATION_INCOMPLETE"),
    (ErrorCode::ManualPending, "MANUAL_PENDING"),
    (ErrorCode::PlanDrift, "PLAN_DRIFT"),
    (ErrorCode::SessionStateConflict, "SESSION_STATE_CONFLICT"),
    (ErrorCode::ConnectionFailed, "CONNECTION_FAILED"),
    (ErrorCode::LimitExceeded, "LIMIT_EXCEEDED"),
    (ErrorCode::Interrupted, "INTERRUPTED"),
    (ErrorCode::DuplicateActiveRecord, "DUPLICATE_ACTIVE_RECORD"),
];

impl ErrorCode {
    /// The code as printed (`ACTION_FAILED`, …).
    #[must_use]
    pub(crate) fn as_str(&self) -> &str {
        if let ErrorCode::Declared(code) = self {
            return code;
        }
        NAMED
            .iter()
            .find(|(code, _)| code == self)
            .map_or("", |(_, name)| name)
    }

    /// The code a printed name stands for; a name that is not documented is a declared one.
    #[must_use]
    pub(crate) fn parse(name: &str) -> Self {
        NAMED.iter().find(|(_, known)| *known == name).map_or_else(
            || ErrorCode::Declared(name.to_owned()),
            |(code, _)| code.clone(),
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(ErrorCode::parse(&name))
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_reads_back_as_itself() {
        for (code, name) in &NAMED {
            assert_eq!(code.as_str(), *name);
            assert_eq!(&ErrorCode::parse(name), code);
        }
        assert_eq!(
            ErrorCode::parse("ORG_TAKEN"),
            ErrorCode::Declared("ORG_TAKEN".into())
        );
        assert_eq!(
            ErrorCode::Declared("ORG_TAKEN".into()).as_str(),
            "ORG_TAKEN"
        );
    }
}
