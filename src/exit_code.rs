//! The documented process exit codes (DESIGN.md §6). Never renumber: scripts depend on them.

/// Done (and verified, where the command verifies). Since 0.1.
pub(crate) const OK: i32 = 0;
/// An action failed; the run stopped (or went on with `--continue-on-error`). Since 0.1.
pub(crate) const ACTION_FAILED: i32 = 1;
/// Bad input (runbook, parameter, usage); nothing written. Since 0.1.
pub(crate) const INVALID_INPUT: i32 = 2;
/// Verification did not hold. Since 0.1.
pub(crate) const VERIFY_FAILED: i32 = 3;
/// A sensitive step lacks a valid approval; nothing written. Since 0.1.
pub(crate) const APPROVAL_REQUIRED: i32 = 4;
/// Declined, or confirmation needed without a terminal and without `--yes`. Since 0.1.
pub(crate) const NOT_CONFIRMED: i32 = 5;
/// Another run holds the lock; nothing written. Since 0.1.
pub(crate) const CONCURRENT_UPDATE: i32 = 6;
/// Failed and was restored to the prior state. Since 0.1.
pub(crate) const COMPENSATED: i32 = 7;
/// Failed and could not be fully restored. Since 0.1.
pub(crate) const COMPENSATION_INCOMPLETE: i32 = 8;
/// Manual actions remain unconfirmed (non-interactive run). Since 0.1.
pub(crate) const MANUAL_PENDING: i32 = 9;
/// A saved plan no longer matches the runbook or the database. Since 0.1.
pub(crate) const PLAN_DRIFT: i32 = 10;
/// The step is not in a state the direction can start from. Since 0.1.
pub(crate) const SESSION_STATE_CONFLICT: i32 = 11;
/// The server could not be reached or authentication failed; nothing written. Since 0.2.
pub(crate) const CONNECTION_FAILED: i32 = 12;
/// Stopped by a signal after finishing or compensating the current action. Since 0.1.
pub(crate) const INTERRUPTED: i32 = 130;
