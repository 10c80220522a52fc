//! Running rollbook itself as a child process against a trial's databases — the way an
//! operator does — so that it can be killed at any point.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use rollbook::error::{Error, Result};

/// Where and as whom the child runs.
#[derive(Debug, Clone)]
pub struct Rollbook {
    /// The rollbook binary (this one).
    pub exe: PathBuf,
    /// The runbooks directory.
    pub runbooks: PathBuf,
    /// Connection string (with an `appName` the failpoints can aim at).
    pub uri: String,
    /// The database the runbook works on.
    pub db: String,
    /// The state database.
    pub state: String,
}

/// What a finished child left.
#[derive(Debug, Clone)]
pub struct Finished {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard error, for failure notes.
    pub stderr: String,
    /// Standard output (the JSON report), when it was kept.
    pub stdout: String,
    /// How long it ran.
    pub elapsed: Duration,
}

impl Finished {
    /// The error headline of its stderr (the line starting `error`), else its first line.
    #[must_use]
    pub fn headline(&self) -> String {
        let lines = || self.stderr.lines().map(str::trim).filter(|l| !l.is_empty());
        let line = lines()
            .find(|l| l.starts_with("error"))
            .or_else(|| lines().next())
            .unwrap_or("(nothing on stderr)");
        line.chars().take(300).collect()
    }
}

/// Operator names: the planner/approver must differ from whoever runs.
pub const OPERATOR: &str = "fault-operator";
const APPROVER: &str = "fault-approver";

impl Rollbook {
    fn command(&self, operator: &str, args: &[String]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(&self.exe);
        command
            .args(args)
            .arg("--runbooks")
            .arg(&self.runbooks)
            .args([
                "--uri",
                &self.uri,
                "--state-db",
                &self.state,
                "--output",
                "json",
            ])
            .env("ROLLBOOK_OPERATOR", operator)
            .env_remove("ROLLBOOK_URI")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// `args` plus `--db` (commands that work on the runbook's database).
    fn with_db(&self, args: &[&str]) -> Vec<String> {
        args.iter()
            .map(|a| (*a).to_owned())
            .chain(["--db".to_owned(), self.db.clone()])
            .collect()
    }

    /// Runs `args` to the end.
    pub async fn run(&self, args: &[&str]) -> Result<Finished> {
        self.run_as(OPERATOR, &self.with_db(args)).await
    }

    /// Runs `args`, killing it with SIGKILL after `kill_after` if it is still running.
    /// Returns whether it was killed.
    pub async fn run_killed_after(
        &self,
        args: &[&str],
        kill_after: Duration,
    ) -> Result<(Finished, bool)> {
        let started = Instant::now();
        let mut child = self
            .command(OPERATOR, &self.with_db(args))
            .spawn()
            .map_err(|e| Error::io("cannot start rollbook", e))?;
        let killed = tokio::select! {
            status = child.wait() => {
                status.map_err(|e| Error::io("cannot wait for rollbook", e))?;
                false
            }
            () = tokio::time::sleep(kill_after) => {
                child.start_kill().map_err(|e| Error::io("cannot kill rollbook", e))?;
                true
            }
        };
        let output = child
            .wait_with_output()
            .await
            .map_err(|e| Error::io("cannot wait for rollbook", e))?;
        Ok((
            Finished {
                code: output.status.code().unwrap_or(-1),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                elapsed: started.elapsed(),
            },
            killed,
        ))
    }

    /// Starts `args` in the background.
    pub fn spawn(&self, args: &[&str]) -> Result<tokio::process::Child> {
        self.command(OPERATOR, &self.with_db(args))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::io("cannot start rollbook", e))
    }

    /// Starts `args` in the background, keeping its output for [`Rollbook::finish`].
    pub fn start(&self, args: &[&str]) -> Result<tokio::process::Child> {
        self.command(OPERATOR, &self.with_db(args))
            .spawn()
            .map_err(|e| Error::io("cannot start rollbook", e))
    }

    /// Waits for `child` (from [`Rollbook::start`] at `started`) to end, for at most
    /// `patience`, and returns what it left. A child that outlasts its patience is killed and
    /// reported as an error.
    pub async fn finish(
        child: tokio::process::Child,
        started: Instant,
        patience: Duration,
    ) -> Result<Finished> {
        // On timeout the child is dropped, and `kill_on_drop` kills it.
        let output = tokio::time::timeout(patience, child.wait_with_output())
            .await
            .map_err(|_| {
                Error::ActionFailed(format!(
                    "rollbook did not exit within {} s",
                    patience.as_secs()
                ))
            })?
            .map_err(|e| Error::io("cannot wait for rollbook", e))?;
        Ok(Finished {
            code: output.status.code().unwrap_or(-1),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            elapsed: started.elapsed(),
        })
    }

    async fn run_as(&self, operator: &str, args: &[String]) -> Result<Finished> {
        let started = Instant::now();
        let output = self
            .command(operator, args)
            .output()
            .await
            .map_err(|e| Error::io("cannot start rollbook", e))?;
        Ok(Finished {
            code: output.status.code().unwrap_or(-1),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            elapsed: started.elapsed(),
        })
    }

    /// Plans `direction` of `runbook` (`extra`: steps, params) into `dir` and has another
    /// operator approve it; returns the plan file.
    pub async fn approved_plan(
        &self,
        dir: &Path,
        runbook: &str,
        direction: &str,
        extra: &[&str],
    ) -> Result<PathBuf> {
        let path = dir.join(format!("plan-{}.json", rand::random::<u32>()));
        let path_text = path.display().to_string();
        let mut plan = vec![
            "plan",
            runbook,
            "--direction",
            direction,
            "--out",
            &path_text,
        ];
        plan.extend_from_slice(extra);
        let planned = self.run_as(APPROVER, &self.with_db(&plan)).await?;
        if planned.code != 0 {
            return Err(Error::ActionFailed(format!(
                "plan failed ({}): {}",
                planned.code, planned.stderr
            )));
        }
        let approve: Vec<String> = [
            "approve",
            "--reason",
            "fault-injection trial",
            "--yes",
            "--plan",
            &path_text,
        ]
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
        let approved = self.run_as(APPROVER, &approve).await?;
        if approved.code != 0 {
            return Err(Error::ActionFailed(format!(
                "approve failed ({}): {}",
                approved.code, approved.stderr
            )));
        }
        Ok(path)
    }

    /// Runs `args`, killing it with SIGKILL after each of `delays` in turn (while it still
    /// runs), then recovers as [`Rollbook::recover`] does; returns how many kills hit a running
    /// process.
    pub async fn kill_and_recover(
        &self,
        args: &[&str],
        delays: &[Duration],
        done: &[i32],
    ) -> Result<usize> {
        let mut kills = 0;
        for delay in delays {
            let (finished, killed) = self.run_killed_after(args, *delay).await?;
            kills += usize::from(killed);
            if !killed {
                return self.recover(args, &finished, done, 4).await.map(|()| kills);
            }
        }
        self.rerun_until(args, done, 4).await.map(|_| kills)
    }

    /// After `first` (a run of `args` that met a fault): nothing when it ended with one of
    /// `done`, else reruns it as [`Rollbook::rerun_until`] does.
    pub async fn recover(
        &self,
        args: &[&str],
        first: &Finished,
        done: &[i32],
        attempts: usize,
    ) -> Result<()> {
        if !done.contains(&first.code) {
            self.rerun_until(args, done, attempts).await?;
        }
        Ok(())
    }

    /// Reruns `args` until it exits with one of `done` (at most `attempts` times), as an
    /// operator does after a crash; returns the last result and how many runs it took.
    pub async fn rerun_until(
        &self,
        args: &[&str],
        done: &[i32],
        attempts: usize,
    ) -> Result<(Finished, usize)> {
        let mut last = None;
        for attempt in 1..=attempts.max(1) {
            let finished = self.run(args).await?;
            if done.contains(&finished.code) {
                return Ok((finished, attempt));
            }
            last = Some(finished);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let last = last
            .map(|f| format!("exit {}: {}", f.code, f.headline()))
            .unwrap_or_default();
        Err(Error::ActionFailed(format!(
            "`rollbook {}` did not finish after {attempts} runs; last {last}",
            args.join(" ")
        )))
    }
}
