//! Manual actions and checklists: the engine asks a [`Confirmer`]; it never prompts itself.

use super::{ActionContext, ActionOutcome};
use crate::error::Result;
use crate::runbook::model::Action;

/// The operator's answer about a manual action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManualAnswer {
    /// Done (or every checklist item ticked).
    Done,
    /// Not done: the run must stop here.
    NotDone,
    /// Nobody can be asked (no terminal): leave it pending.
    Unavailable,
}

/// Asks the operator. The CLI implements it with terminal prompts; tests replace it.
pub trait Confirmer: Send + Sync {
    /// Shows `instructions` (or checklist `items`) for a step and asks whether they are done.
    fn confirm_manual(&self, step: &str, title: &str, lines: &[String]) -> ManualAnswer;
}

/// Never asks: every manual action is left pending (non-interactive runs).
pub struct NoOperator;

impl Confirmer for NoOperator {
    fn confirm_manual(&self, _step: &str, _title: &str, _lines: &[String]) -> ManualAnswer {
        ManualAnswer::Unavailable
    }
}

/// Runs a manual action or checklist by asking the operator.
pub(crate) fn run(ctx: &ActionContext<'_>, action: &Action) -> Result<ActionOutcome> {
    let (title, lines) = match action {
        Action::Manual(m) => (
            "Manual action".to_owned(),
            m.instructions
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        ),
        Action::Checklist(c) => (
            c.title.clone().unwrap_or_else(|| "Checklist".into()),
            c.items.clone(),
        ),
        _ => return Ok(ActionOutcome::new(action.kind(), None)),
    };
    let mut outcome = ActionOutcome::new(action.kind(), None);
    outcome.detail = Some(title.clone());
    if ctx.env.acknowledged.iter().any(|step| step == ctx.step) {
        outcome.detail = Some(format!("{title}: acknowledged with --ack {}", ctx.step));
        return Ok(outcome);
    }
    match ctx.env.confirmer.confirm_manual(ctx.step, &title, &lines) {
        ManualAnswer::Done => outcome.detail = Some(format!("{title}: confirmed by the operator")),
        ManualAnswer::NotDone => {
            return Err(crate::error::Error::NotConfirmed(format!(
                "step {}: the operator said the manual action is not done",
                ctx.step
            )))
        }
        ManualAnswer::Unavailable => outcome.status = crate::actions::ActionStatus::Pending,
    }
    Ok(outcome)
}
