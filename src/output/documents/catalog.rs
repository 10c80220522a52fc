//! The documents of `list`, `show` and `validate`: runbooks as read from their files.

use std::path::Path;

use serde::Serialize;

use crate::error::Problem;
use crate::runbook::model::{Approval, DataLossLevel, Param, Step};
use crate::runbook::LoadedRunbook;

/// `list`: every runbook in the runbooks directory.
#[derive(Debug, Serialize)]
pub(crate) struct ListDocument<'a> {
    /// The runbooks, in file order.
    pub(crate) runbooks: Vec<RunbookSummary<'a>>,
}

/// `show`: one runbook and its steps in full (one step when a step is named).
#[derive(Debug, Serialize)]
pub(crate) struct ShowDocument<'a> {
    /// The runbook.
    pub(crate) runbook: RunbookSummary<'a>,
    /// The steps shown, as the runbook model serializes them.
    pub(crate) steps: Vec<&'a Step>,
}

/// `validate`: per file whether it is a valid runbook, and its problems.
#[derive(Debug, Serialize)]
pub(crate) struct ValidateDocument<'a> {
    /// The files checked, in the order given.
    pub(crate) runbooks: Vec<ValidatedFile<'a>>,
}

/// A runbook with its steps summed up: what `list` shows of it.
#[derive(Debug, Serialize)]
pub(crate) struct RunbookSummary<'a> {
    id: &'a str,
    title: &'a str,
    file: &'a Path,
    digest: &'a str,
    database: &'a str,
    atomic: bool,
    params: &'a [Param],
    steps: Vec<StepSummary<'a>>,
}

impl<'a> RunbookSummary<'a> {
    /// The summary of a loaded runbook.
    pub(crate) fn of(item: &'a LoadedRunbook) -> Self {
        let runbook = &item.runbook;
        RunbookSummary {
            id: &runbook.id,
            title: &runbook.title,
            file: &item.path,
            digest: &item.digest,
            database: &runbook.database,
            atomic: runbook.atomic,
            params: &runbook.params,
            steps: runbook.steps.iter().map(StepSummary::of).collect(),
        }
    }
}

/// One step in a runbook summary: its gates and whether it can be rolled back.
#[derive(Debug, Serialize)]
struct StepSummary<'a> {
    id: &'a str,
    title: &'a str,
    approval: Option<&'a Approval>,
    data_loss: DataLossLevel,
    rollback_supported: bool,
}

impl<'a> StepSummary<'a> {
    fn of(step: &'a Step) -> Self {
        StepSummary {
            id: &step.id,
            title: &step.title,
            approval: step.approval.as_ref(),
            data_loss: step.data_loss.level,
            rollback_supported: step.rollback_unsupported.is_none(),
        }
    }
}

/// One file `validate` checked: a valid one has its runbook id and digest, an invalid one its
/// problems.
#[derive(Debug, Serialize)]
pub(crate) struct ValidatedFile<'a> {
    file: &'a Path,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<&'a str>,
    valid: bool,
    problems: Vec<ProblemEntry<'a>>,
}

impl<'a> ValidatedFile<'a> {
    /// The entry of `file`, from what loading it gave.
    pub(crate) fn of(file: &'a Path, result: &'a Result<LoadedRunbook, Vec<Problem>>) -> Self {
        match result {
            Ok(loaded) => ValidatedFile {
                file,
                id: Some(&loaded.runbook.id),
                digest: Some(&loaded.digest),
                valid: true,
                problems: Vec::new(),
            },
            Err(problems) => ValidatedFile {
                file,
                id: None,
                digest: None,
                valid: false,
                problems: problems.iter().map(ProblemEntry::of).collect(),
            },
        }
    }
}

/// One problem in a runbook file: where (null when unknown) and what.
#[derive(Debug, Serialize)]
struct ProblemEntry<'a> {
    file: Option<&'a Path>,
    line: Option<usize>,
    column: Option<usize>,
    path: Option<&'a str>,
    message: &'a str,
}

impl<'a> ProblemEntry<'a> {
    fn of(problem: &'a Problem) -> Self {
        let location = problem.location.as_ref();
        ProblemEntry {
            file: location.map(|l| l.file.as_path()),
            line: location.map(|l| l.line),
            column: location.map(|l| l.column),
            path: problem.path.as_deref(),
            message: &problem.message,
        }
    }
}
