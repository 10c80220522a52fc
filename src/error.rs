//! The typed error of the core: every failure maps to a documented error code and exit code.

use std::fmt;
use std::path::PathBuf;

pub(crate) use crate::error_code::ErrorCode;
use crate::exit_code;

/// A position in a source file, 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub file: PathBuf,
    /// Line, counted from 1.
    pub line: usize,
    /// Column, counted from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// One problem found in a runbook, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the file; `None` when the file could not be read at all.
    pub location: Option<Location>,
    /// The path of the offending value (`steps[2].rollback[0].unset.collection`), if known.
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        if let Some(path) = &self.path {
            write!(f, "{path}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Everything that can go wrong, each variant with its documented code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more runbooks are invalid.
    #[error("invalid runbook: {}", summarize(.0))]
    InvalidRunbook(Vec<Problem>),
    /// A parameter is missing, undeclared or does not match its declaration.
    #[error("invalid parameter {name}: {message}")]
    InvalidParam {
        /// The parameter's name.
        name: String,
        /// What is wrong with it.
        message: String,
    },
    /// The command line asks for something that cannot be done.
    #[error("{0}")]
    Usage(String),
    /// A database operation failed.
    #[error("{context}: {}", describe_driver_error(.source))]
    Database {
        /// What was being done.
        context: String,
        /// The driver's error (kept for its error labels; shown concisely).
        source: Box<mongodb::error::Error>,
    },
    /// A local operation (file, process) failed.
    #[error("{context}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The local sandbox MongoDB could not be started or used.
    #[error("sandbox: {0}")]
    Sandbox(String),
    /// Confirmation was needed and not given.
    #[error("{0}")]
    NotConfirmed(String),
    /// An action failed (a command, a check used as an action).
    #[error("{0}")]
    ActionFailed(String),
    /// A check did not hold; `code` is the runbook's error code for it, if any.
    #[error("{message}")]
    CheckFailed {
        /// Error code declared by the check (e.g. `DUPLICATE_ACTIVE_RECORD`).
        code: Option<String>,
        /// What was expected and found.
        message: String,
    },
    /// Another run holds the runbook on this database.
    #[error("{0}")]
    Concurrent(String),
    /// A saved plan no longer matches the runbook or the data.
    #[error("{0}")]
    PlanDrift(String),
    /// A sensitive step lacks a valid approval.
    #[error("{0}")]
    ApprovalRequired(String),
    /// A snapshot to restore from is missing or no longer holds what was saved, or the
    /// documents it would restore changed since (a conflict).
    #[error("{0}")]
    SnapshotUnusable(String),
    /// The server could not be reached, or refused the credentials, before any work began.
    #[error("{0}")]
    ConnectionFailed(String),
    /// The state database cannot carry the run as asked: the run named cannot be resumed, or
    /// the state lost the record of a run that changed the target.
    #[error("{0}")]
    StateConflict(String),
    /// Checks of the data did not hold (outside a run: `status --check`).
    #[error("{0}")]
    VerifyFailed(String),
}

/// A driver error in one line: the server's code, code name and message, without the raw reply,
/// the driver's topology description or any raw BSON.
#[must_use]
pub(crate) fn describe_driver_error(error: &mongodb::error::Error) -> String {
    use mongodb::error::{ErrorKind, WriteFailure};
    let named = |code: i32, name: Option<&str>, message: &str| match name {
        Some(name) if !name.is_empty() => format!("{code} ({name}): {message}"),
        _ => format!("{code}: {message}"),
    };
    let text = match error.kind.as_ref() {
        ErrorKind::Command(command) => format!(
            "server error {}",
            named(command.code, Some(&command.code_name), &command.message)
        ),
        ErrorKind::Write(WriteFailure::WriteError(write)) => {
            format!(
                "write error {}",
                named(write.code, write.code_name.as_deref(), &write.message)
            )
        }
        ErrorKind::Write(WriteFailure::WriteConcernError(concern)) => {
            format!(
                "write concern error {}",
                named(concern.code, Some(&concern.code_name), &concern.message)
            )
        }
        ErrorKind::InsertMany(insert) => {
            let errors = insert.write_errors.as_deref().unwrap_or_default();
            match (errors.first(), &insert.write_concern_error) {
                (Some(first), _) => format!(
                    "write error {}{}",
                    named(first.code, first.code_name.as_deref(), &first.message),
                    if errors.len() > 1 {
                        format!(" (and {} more)", errors.len() - 1)
                    } else {
                        String::new()
                    }
                ),
                (None, Some(concern)) => format!(
                    "write concern error {}",
                    named(concern.code, Some(&concern.code_name), &concern.message)
                ),
                (None, None) => "insert failed".to_owned(),
            }
        }
        ErrorKind::ServerSelection { message, .. } => server_selection_summary(message),
        ErrorKind::Authentication { message, .. } => {
            format!("authentication failed: {}", first_line(message))
        }
        // Other kinds print the raw server reply after their message: keep only the message.
        _ => first_line(&error.to_string()),
    };
    crate::secrets::redact(&text)
}

/// The message of a driver error without the reply, labels or debug output after it.
fn first_line(text: &str) -> String {
    let cut = [
        ", labels:",
        ", server response:",
        " server response:",
        "RawDocumentBuf",
        " Topology: {",
    ]
    .iter()
    .filter_map(|marker| text.find(marker))
    .min()
    .unwrap_or(text.len());
    text[..cut]
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches([',', ' ', '.'])
        .chars()
        .take(400)
        .collect()
}

/// A server selection failure in one line: each server the driver tried and why it is out of
/// reach (`127.0.0.1:27999: I/O error: Connection refused (os error 111)`), not the driver's
/// whole topology description.
#[must_use]
pub(crate) fn server_selection_summary(message: &str) -> String {
    let mut servers = Vec::new();
    for chunk in message.split("{ Address: ").skip(1) {
        let address = chunk.split(',').next().unwrap_or_default().trim();
        let why = chunk.find("Error: ").map(|at| {
            let rest = &chunk[at + "Error: ".len()..];
            let rest = rest.strip_prefix("Kind: ").unwrap_or(rest);
            first_line(rest)
        });
        let kind = chunk
            .split("Type: ")
            .nth(1)
            .and_then(|t| t.split([',', ' ']).next())
            .unwrap_or("Unknown");
        servers.push(match why {
            Some(why) => format!("{address}: {why}"),
            None => format!("{address}: {kind}"),
        });
    }
    let headline = if message.contains("No available servers") {
        "no server answered"
    } else {
        "no suitable server (a primary is needed)"
    };
    if servers.is_empty() {
        headline.to_owned()
    } else {
        format!("{headline} ({})", servers.join("; "))
    }
}

fn summarize(problems: &[Problem]) -> String {
    match problems {
        [] => "no details".to_owned(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}

impl Error {
    /// The documented error code (DESIGN.md §6).
    #[must_use]
    pub(crate) fn code(&self) -> ErrorCode {
        match self {
            Error::CheckFailed {
                code: Some(code), ..
            } => ErrorCode::parse(code),
            Error::CheckFailed { code: None, .. } => ErrorCode::SessionStateConflict,
            Error::ActionFailed(_) => ErrorCode::ActionFailed,
            Error::Concurrent(_) => ErrorCode::ConcurrentUpdateDetected,
            Error::PlanDrift(_) => ErrorCode::PlanDrift,
            Error::ApprovalRequired(_) => ErrorCode::ApprovalRequired,
            Error::InvalidRunbook(_) => ErrorCode::InvalidRunbook,
            Error::InvalidParam { .. } => ErrorCode::InvalidParam,
            Error::Usage(_) => ErrorCode::Usage,
            Error::Database { .. } | Error::Io { .. } | Error::Sandbox(_) => {
                ErrorCode::ActionFailed
            }
            Error::NotConfirmed(_) => ErrorCode::NotConfirmed,
            Error::SnapshotUnusable(_) | Error::StateConflict(_) => ErrorCode::SessionStateConflict,
            Error::ConnectionFailed(_) => ErrorCode::ConnectionFailed,
            Error::VerifyFailed(_) => ErrorCode::VerifyFailed,
        }
    }

    /// The process exit code for this error (DESIGN.md §6).
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::InvalidRunbook(_) | Error::InvalidParam { .. } | Error::Usage(_) => {
                exit_code::INVALID_INPUT
            }
            Error::Database { .. } | Error::Io { .. } | Error::Sandbox(_) => {
                exit_code::ACTION_FAILED
            }
            Error::NotConfirmed(_) => exit_code::NOT_CONFIRMED,
            Error::ActionFailed(_) => exit_code::ACTION_FAILED,
            Error::Concurrent(_) => exit_code::CONCURRENT_UPDATE,
            Error::PlanDrift(_) => exit_code::PLAN_DRIFT,
            Error::ApprovalRequired(_) => exit_code::APPROVAL_REQUIRED,
            Error::ConnectionFailed(_) => exit_code::CONNECTION_FAILED,
            Error::VerifyFailed(_) => exit_code::VERIFY_FAILED,
            // A precondition that names a data conflict (a duplicate) is bad input: nothing
            // was written. Any other failed precondition means the data is not in a state the
            // direction can start from.
            Error::CheckFailed {
                code: Some(code), ..
            } if code == "DUPLICATE_ACTIVE_RECORD" => exit_code::INVALID_INPUT,
            Error::CheckFailed { .. } | Error::SnapshotUnusable(_) | Error::StateConflict(_) => {
                exit_code::SESSION_STATE_CONFLICT
            }
        }
    }

    /// The code naming what went wrong underneath: a duplicate key reported by the server is
    /// `DUPLICATE_ACTIVE_RECORD` (e.g. a racing rename hit the unique index), else [`Error::code`].
    #[must_use]
    pub(crate) fn cause_code(&self) -> ErrorCode {
        if let Error::Database { source, .. } = self {
            let duplicate = match source.kind.as_ref() {
                mongodb::error::ErrorKind::Command(c) => c.code == 11_000,
                mongodb::error::ErrorKind::Write(mongodb::error::WriteFailure::WriteError(w)) => {
                    w.code == 11_000
                }
                _ => false,
            };
            if duplicate {
                return ErrorCode::DuplicateActiveRecord;
            }
        }
        self.code()
    }

    /// True when the error carries a MongoDB error label (e.g. `TransientTransactionError`).
    #[must_use]
    pub(crate) fn has_label(&self, label: &str) -> bool {
        matches!(self, Error::Database { source, .. } if source.contains_label(label))
    }

    /// Wraps a driver error with what was being done.
    pub fn database(context: impl Into<String>, source: mongodb::error::Error) -> Self {
        Error::Database {
            context: context.into(),
            source: Box::new(source),
        }
    }

    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// The error underneath worth showing after the message: none for a driver error, whose
    /// message already says it in one line (its own text carries the raw reply).
    fn cause_to_show(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Database { .. } => None,
            _ => std::error::Error::source(self),
        }
    }

    /// Every line to print on stderr: the headline, each problem, then the cause chain.
    #[must_use]
    pub fn report_lines(&self) -> Vec<String> {
        let mut lines = vec![format!("error[{}]: {self}", self.code())];
        if let Error::InvalidRunbook(problems) = self {
            if problems.len() > 1 {
                lines.extend(problems.iter().map(|p| format!("  {p}")));
            }
            lines.push(
                "nothing was changed; fix the runbook and run `rollbook validate` again".into(),
            );
        }
        if let Error::InvalidParam { .. } = self {
            lines.push("nothing was changed; fix the parameter and run again".into());
        }
        let mut cause = self.cause_to_show();
        while let Some(inner) = cause {
            lines.push(format!("  caused by: {inner}"));
            cause = inner.source();
        }
        lines
    }
}

/// An error in output: code and message (never credentials).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ErrorReport {
    /// Code from DESIGN.md §6.
    pub code: ErrorCode,
    /// What happened and what to do.
    pub message: String,
    /// For `COMPENSATED` and `COMPENSATION_INCOMPLETE`: the code of the failure that started it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<ErrorCode>,
    /// For `COMPENSATION_INCOMPLETE`: exactly what could not be undone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remaining: Vec<String>,
}

impl ErrorReport {
    /// A report with no cause and nothing remaining.
    #[must_use]
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorReport {
            code,
            message: message.into(),
            cause: None,
            remaining: Vec::new(),
        }
    }

    /// From a core error.
    #[must_use]
    pub(crate) fn of(error: &crate::error::Error) -> Self {
        let mut message = error.to_string();
        let mut cause = error.cause_to_show();
        while let Some(inner) = cause {
            message.push_str(&format!(": {inner}"));
            cause = inner.source();
        }
        ErrorReport::new(error.code(), crate::secrets::redact(&message))
    }
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
