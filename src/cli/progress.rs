//! Signs of life while a run goes: on a terminal an indicatif spinner per running action (its
//! elapsed time and the plan's estimate), which becomes a bar with count, rate and time left
//! once the action says how far it is (snapshot reads, copies, deletes, dump, restore); without
//! a terminal, a line on stderr every 10 s while an action runs, with the count when there is
//! one (JSON lines under `--log-format json`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::interrupt::{Activity, Count};
use crate::engine::{EventSink, RunEvent};
use crate::output::documents::progress::ProgressLine;

/// How often a running action is reported without a terminal.
pub(crate) const EVERY: Duration = Duration::from_secs(10);

/// How progress reaches the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProgressMode {
    /// A spinner and one line per finished action on the terminal (stderr).
    Terminal,
    /// Plain lines on stderr, at the start and every [`EVERY`] while an action runs.
    Lines,
    /// JSON lines on stderr, as `Lines`.
    JsonLines,
    /// Nothing (`-q`).
    Off,
}

/// The run's event sink for people: spinner or lines, and what runs now for the interrupt
/// handler.
pub(crate) struct Progress {
    mode: ProgressMode,
    activity: Arc<Activity>,
    /// The plan's estimate per step, in milliseconds.
    estimates: HashMap<String, u64>,
    spinner: Mutex<Option<(ProgressBar, Drawn)>>,
}

/// What the spinner of the running action draws now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drawn {
    /// What runs and for how long.
    Started,
    /// That, and the phase it is in (one the server does without a count).
    Elapsed,
    /// A count of documents, with its rate.
    Count,
    /// A bar of documents done of a known total, with rate and time left.
    Bar,
}

impl Progress {
    /// A sink for `mode`; `estimates` are the plan's per step.
    #[must_use]
    pub(crate) fn new(
        mode: ProgressMode,
        activity: Arc<Activity>,
        estimates: HashMap<String, u64>,
    ) -> Self {
        Progress {
            mode,
            activity,
            estimates,
            spinner: Mutex::new(None),
        }
    }

    fn estimate(&self, step: &str) -> Option<String> {
        self.estimates
            .get(step)
            .filter(|ms| **ms >= 1000)
            .map(|ms| format!("≈ {} s estimated for the step", ms.div_ceil(1000)))
    }

    /// Starts what runs now: the spinner on a terminal, a line otherwise.
    fn begin(&self, step: &str, what: &str) {
        self.activity.set_current(format!("step {step}: {what}"));
        self.activity.mark_reported();
        match self.mode {
            ProgressMode::Terminal => {
                let spinner = ProgressBar::new_spinner();
                spinner.set_style(
                    ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                let estimate = self
                    .estimate(step)
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default();
                spinner.set_message(format!("step {step}: {what}{estimate}"));
                spinner.enable_steady_tick(Duration::from_millis(120));
                if let Ok(mut slot) = self.spinner.lock() {
                    if let Some((old, _)) = slot.replace((spinner, Drawn::Started)) {
                        old.finish_and_clear();
                    }
                }
            }
            // Without a terminal, an action is reported once it has run for `EVERY`.
            ProgressMode::Lines | ProgressMode::JsonLines | ProgressMode::Off => {}
        }
    }

    /// Prints a line above the spinner (or plainly).
    fn line(&self, text: &str) {
        if self.mode != ProgressMode::Terminal {
            return;
        }
        match self.spinner.lock().ok().as_ref().and_then(|s| s.as_ref()) {
            Some((spinner, _)) => spinner.println(text),
            None => eprintln!("{text}"),
        }
    }

    /// Draws how far the running action is: a bar when its total is known, a count otherwise.
    fn count(&self, count: &Count) {
        let Ok(mut slot) = self.spinner.lock() else {
            return;
        };
        let Some((spinner, drawn)) = slot.as_mut() else {
            return;
        };
        let wanted = if count.uncounted() {
            Drawn::Elapsed
        } else if count.total.is_some() {
            Drawn::Bar
        } else {
            Drawn::Count
        };
        if *drawn != wanted {
            // Two lines, so that each fits in 80 columns: what runs, then how far it is.
            let template = match wanted {
                Drawn::Bar => {
                    "{spinner} {msg} [{elapsed}]\n  {prefix} [{bar:24}] {human_pos}/{human_len} {rate} ETA {eta}"
                }
                Drawn::Count => {
                    "{spinner} {msg} [{elapsed}]\n  {prefix} {human_pos} documents {rate}"
                }
                Drawn::Elapsed | Drawn::Started => "{spinner} {msg} [{elapsed}]\n  {prefix}",
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                spinner.set_style(
                    style
                        .with_key(
                            "rate",
                            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                                let rate = state.per_sec() as u64;
                                let _ =
                                    write!(w, "{}/s", crate::output::plan_view::thousands(rate));
                            },
                        )
                        .progress_chars("=> "),
                );
            }
            *drawn = wanted;
        }
        spinner.set_prefix(count.phase.clone());
        if let Some(total) = count.total {
            spinner.set_length(total.max(count.done));
        }
        spinner.set_position(count.done);
    }

    fn end(&self) {
        if let Ok(mut slot) = self.spinner.lock() {
            if let Some((spinner, _)) = slot.take() {
                spinner.finish_and_clear();
            }
        }
    }
}

/// Prints one progress line (text or JSON) on stderr.
fn report(
    mode: ProgressMode,
    step: &str,
    what: &str,
    state: &str,
    elapsed: Duration,
    count: Option<&Count>,
) {
    match mode {
        ProgressMode::JsonLines => {
            let line = ProgressLine {
                level: "INFO",
                event: "progress",
                step,
                action: what,
                state,
                elapsed_s: elapsed.as_secs(),
                phase: count.map(|c| c.phase.as_str()),
                done: count.map(|c| c.done),
                total: count.and_then(|c| c.total),
                per_sec: count.and_then(|c| c.per_sec),
                eta_s: count.and_then(|c| c.eta_s),
            };
            if let Ok(text) = serde_json::to_string(&line) {
                eprintln!("{text}");
            }
        }
        ProgressMode::Lines => {
            if state == "started" {
                eprintln!("rollbook: step {step}: {what} started");
            } else {
                let counted = count
                    .map(|c| format!("; {}", c.describe()))
                    .unwrap_or_default();
                eprintln!(
                    "rollbook: step {step}: {what} still running after {} s{counted}",
                    elapsed.as_secs()
                );
            }
        }
        ProgressMode::Terminal | ProgressMode::Off => {}
    }
}

/// Reports the running action every [`EVERY`] without a terminal, until aborted.
pub(crate) fn ticker(mode: ProgressMode, activity: Arc<Activity>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if !matches!(mode, ProgressMode::Lines | ProgressMode::JsonLines) {
            return;
        }
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            if let Some((step, what, elapsed)) = activity.due(EVERY) {
                report(
                    mode,
                    &step,
                    &what,
                    "running",
                    elapsed,
                    activity.count().as_ref(),
                );
            }
        }
    })
}

impl EventSink for Progress {
    fn emit(&self, event: RunEvent) {
        match event {
            RunEvent::Started { run_id, resumed } => self.line(&format!(
                "{} run {run_id}",
                if resumed {
                    "resuming interrupted"
                } else {
                    "starting"
                }
            )),
            RunEvent::StepStarted {
                id,
                title,
                transaction,
            } => {
                self.end();
                self.line(&format!(
                    "step {id}: {title}{}",
                    if transaction {
                        " (in a transaction)"
                    } else {
                        ""
                    }
                ));
                if transaction {
                    self.begin(&id, "the step's transaction");
                }
            }
            RunEvent::ActionStarted { step, kind, target } => {
                self.begin(&step, format!("{kind} {target}").trim_end());
            }
            RunEvent::ActionProgress {
                phase, done, total, ..
            } => {
                if let Some(count) = self.activity.set_count(&phase, done, total) {
                    if self.mode == ProgressMode::Terminal {
                        self.count(&count);
                    }
                }
            }
            RunEvent::ActionFinished { outcome, .. } => {
                let counts = match (outcome.affected, outcome.modified) {
                    (Some(a), Some(m)) => format!(" affected {a}, modified {m}"),
                    (Some(a), None) => format!(" {a} documents"),
                    _ => String::new(),
                };
                self.line(&format!(
                    "  {} {}{counts} [{}] {} ms",
                    outcome.kind,
                    outcome.collection.as_deref().unwrap_or(""),
                    outcome.status,
                    outcome.duration_ms
                ));
            }
            RunEvent::StepFinished(step) => {
                self.end();
                self.activity.clear();
                self.line(&format!("  → step {} {}", step.id, step.status));
            }
            RunEvent::Warning(message) => {
                if self.mode == ProgressMode::Terminal {
                    self.line(&format!("warning: {message}"));
                }
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.end();
    }
}
