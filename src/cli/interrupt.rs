//! Ctrl-C and SIGTERM during a run: acknowledged at once, the current action finished, then
//! the run stops (exit 130); a second signal says what is still running and how long it has
//! run. At a prompt, before anything is written, a signal ends the command at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::exit_code;

/// What the command is doing now, as the interrupt handler and the progress lines tell it.
#[derive(Debug, Default)]
pub(crate) struct Activity {
    /// True while a prompt waits for the operator: nothing has been written yet.
    prompting: AtomicBool,
    /// The running action (or step) and since when.
    current: Mutex<Option<(String, Instant)>>,
    /// When the running action was last reported without a terminal.
    reported: Mutex<Option<Instant>>,
    /// How far the running action is, when it says.
    count: Mutex<Option<Count>>,
}

/// How far a running action is: documents done in its current phase, of a total when known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Count {
    /// `snapshot`, `conflict check`, `copy`, `delete`, `dump`, `restore`.
    pub(crate) phase: String,
    /// Documents done.
    pub(crate) done: u64,
    /// Documents in all, when known.
    pub(crate) total: Option<u64>,
    /// Documents per second since the phase began.
    pub(crate) per_sec: Option<u64>,
    /// Seconds left at that rate, when the total is known.
    pub(crate) eta_s: Option<u64>,
    since: Instant,
}

impl Count {
    /// The first report of `phase`.
    fn new(phase: &str) -> Self {
        Count {
            phase: phase.to_owned(),
            done: 0,
            total: None,
            per_sec: None,
            eta_s: None,
            since: Instant::now(),
        }
    }

    /// Takes `done` of `total`, working out the rate and what is left.
    fn update(&mut self, done: u64, total: Option<u64>) {
        self.update_after(done, total, self.since.elapsed().as_secs_f64());
    }

    /// [`Count::update`] `seconds` after the phase began.
    fn update_after(&mut self, done: u64, total: Option<u64>, seconds: f64) {
        self.done = done;
        self.total = total;
        if seconds >= 1.0 {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let rate = (done as f64 / seconds) as u64;
            self.per_sec = Some(rate);
            self.eta_s = total
                .filter(|_| rate > 0)
                .map(|t| t.saturating_sub(done).div_ceil(rate));
        }
    }

    /// True for a phase that says what it does but not how far it is.
    #[must_use]
    pub(crate) fn uncounted(&self) -> bool {
        self.done == 0 && self.total.is_none()
    }

    /// In words: `snapshot 120,000 of 1,000,000 documents (6,000/s, about 2 min 27 s left)`,
    /// or the phase alone when it has no count.
    #[must_use]
    pub(crate) fn describe(&self) -> String {
        if self.uncounted() {
            return self.phase.clone();
        }
        let thousands = crate::output::plan_view::thousands;
        let of = self
            .total
            .map(|t| format!(" of {}", thousands(t)))
            .unwrap_or_default();
        let mut pace = Vec::new();
        if let Some(rate) = self.per_sec {
            pace.push(format!("{}/s", thousands(rate)));
        }
        if let Some(eta) = self.eta_s {
            pace.push(format!("about {} left", duration_words(eta)));
        }
        let pace = if pace.is_empty() {
            String::new()
        } else {
            format!(" ({})", pace.join(", "))
        };
        format!(
            "{} {}{of} documents{pace}",
            self.phase,
            thousands(self.done)
        )
    }
}

/// `2 min 27 s`, `45 s`, `1 h 3 min`.
fn duration_words(seconds: u64) -> String {
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        s => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

impl Activity {
    /// Marks a prompt as open (or closed).
    pub(crate) fn set_prompting(&self, prompting: bool) {
        self.prompting.store(prompting, Ordering::SeqCst);
    }

    /// Records what runs now.
    pub(crate) fn set_current(&self, what: String) {
        if let Ok(mut current) = self.current.lock() {
            *current = Some((what, Instant::now()));
        }
        self.clear_count();
    }

    /// Records how far what runs now is; returns the count with its rate.
    pub(crate) fn set_count(&self, phase: &str, done: u64, total: Option<u64>) -> Option<Count> {
        let mut count = self.count.lock().ok()?;
        let slot = count.get_or_insert_with(|| Count::new(phase));
        if slot.phase != phase {
            *slot = Count::new(phase);
        }
        slot.update(done, total);
        Some(slot.clone())
    }

    /// How far what runs now is, when it has said.
    #[must_use]
    pub(crate) fn count(&self) -> Option<Count> {
        self.count.lock().ok()?.clone()
    }

    fn clear_count(&self) {
        if let Ok(mut count) = self.count.lock() {
            *count = None;
        }
    }

    /// Notes that what runs now was just reported.
    pub(crate) fn mark_reported(&self) {
        if let Ok(mut reported) = self.reported.lock() {
            *reported = Some(Instant::now());
        }
    }

    /// Nothing runs now.
    pub(crate) fn clear(&self) {
        if let Ok(mut current) = self.current.lock() {
            *current = None;
        }
        self.clear_count();
    }

    /// What runs now (its step and its words) and for how long, when it was last reported
    /// `every` ago or longer; marks it reported.
    #[must_use]
    pub(crate) fn due(
        &self,
        every: std::time::Duration,
    ) -> Option<(String, String, std::time::Duration)> {
        let current = self.current.lock().ok()?.clone()?;
        let mut reported = self.reported.lock().ok()?;
        let last = reported.unwrap_or(current.1);
        if last.elapsed() < every {
            return None;
        }
        *reported = Some(Instant::now());
        let (what, since) = current;
        let (step, action) = what
            .strip_prefix("step ")
            .and_then(|rest| rest.split_once(": "))
            .map_or_else(
                || (String::new(), what.clone()),
                |(s, a)| (s.to_owned(), a.to_owned()),
            );
        Some((step, action, since.elapsed()))
    }

    /// What runs now and for how long, in words (`step 19: unset orders, for 12 s`).
    #[must_use]
    pub(crate) fn describe(&self) -> Option<String> {
        let counted = self
            .count()
            .map(|c| format!("; {}", c.describe()))
            .unwrap_or_default();
        let current = self.current.lock().ok()?;
        current.as_ref().map(|(what, since)| {
            format!(
                "{what}, running for {} s{counted}",
                since.elapsed().as_secs()
            )
        })
    }
}

/// The message for the `count`-th signal during a run (counted from 1).
#[must_use]
pub(crate) fn message(count: u32, current: Option<&str>, pid: u32) -> String {
    let what = current.map_or_else(String::new, |c| format!(" ({c})"));
    if count == 1 {
        format!(
            "interrupt: finishing the current action{what}, then stopping; the run is recorded \
             as interrupted and rerunning the same command resumes it"
        )
    } else {
        format!(
            "interrupt again: still finishing the current action{what}; rollbook stops as soon \
             as it ends, it never abandons an action half done. Only if it must stop now: kill -9 \
             {pid} (the run then stays interrupted, and rerunning the same command resumes it)"
        )
    }
}

/// Registers SIGINT (Ctrl-C) and SIGTERM handlers now — before anything is written — so a
/// signal never kills the process mid-action: the first sets `interrupt` (the engine stops
/// after the current action), later ones say what is still running.
pub(crate) fn watch(
    interrupt: Arc<AtomicBool>,
    activity: Arc<Activity>,
) -> Result<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let register =
        |kind| signal(kind).map_err(|e| Error::io("cannot install the interrupt handler", e));
    let mut sigint = register(SignalKind::interrupt())?;
    let mut sigterm = register(SignalKind::terminate())?;
    Ok(tokio::spawn(async move {
        let mut count = 0;
        loop {
            tokio::select! {
                _ = sigint.recv() => {}
                _ = sigterm.recv() => {}
            }
            if activity.prompting.load(Ordering::SeqCst) {
                eprintln!("\ninterrupted at the prompt; nothing was changed");
                std::process::exit(exit_code::INTERRUPTED);
            }
            count += 1;
            let current = activity.describe();
            eprintln!(
                "\n{}",
                message(count, current.as_deref(), std::process::id())
            );
            interrupt.store(true, Ordering::SeqCst);
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_second_signal_says_what_runs_and_how_to_stop_now() {
        let first = message(1, Some("step 19: unset orders, running for 3 s"), 42);
        assert!(first.starts_with("interrupt: finishing the current action (step 19"));
        let second = message(2, Some("step 19: unset orders, running for 9 s"), 42);
        assert!(second.contains("still finishing"), "{second}");
        assert!(second.contains("running for 9 s"), "{second}");
        assert!(second.contains("kill -9 42"), "{second}");
    }

    #[test]
    fn a_count_says_how_far_and_how_fast() {
        let mut count = Count::new("snapshot");
        count.update_after(120_000, Some(1_000_000), 20.0);
        assert_eq!(count.per_sec, Some(6_000));
        assert_eq!(count.eta_s, Some(147));
        assert_eq!(
            count.describe(),
            "snapshot 120,000 of 1,000,000 documents (6,000/s, about 2 min 27 s left)"
        );
        let activity = Activity::default();
        activity.set_current("step 19: unset orders".into());
        activity.set_count("snapshot", 5, None);
        assert_eq!(
            activity.describe().as_deref(),
            Some("step 19: unset orders, running for 0 s; snapshot 5 documents")
        );
        activity.set_current("step 20: unset orders".into());
        assert_eq!(
            activity.count(),
            None,
            "a new action starts without a count"
        );
    }

    #[test]
    fn activity_names_what_runs() {
        let activity = Activity::default();
        assert_eq!(activity.describe(), None);
        activity.set_current("step 19: unset orders".into());
        assert_eq!(
            activity.describe().as_deref(),
            Some("step 19: unset orders, running for 0 s")
        );
    }
}
