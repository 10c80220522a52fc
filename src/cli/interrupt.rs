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
        let current = self.current.lock().ok()?;
        current
            .as_ref()
            .map(|(what, since)| format!("{what}, running for {} s", since.elapsed().as_secs()))
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
